import { priorityRank, type Status, type Ticket } from '#core/ticket';

/**
 * Named composite keys of the single table (see lib/definitions/resources.ts).
 * Every item a ticket owns shares its partition, so one Query reads the whole ticket.
 */
export const keys = {
  ticket: (id: string) => ({ pk: `TICKET#${id}`, sk: 'TICKET' }),
  message: (ticketId: string, createdAt: string, id: string) => ({ pk: `TICKET#${ticketId}`, sk: `MSG#${createdAt}#${id}` }),
  /** Zero-padded so events sort by version. */
  /** Marks a ticket as indexed for search and reports (once). */
  indexed: (ticketId: string) => ({ pk: `TICKET#${ticketId}`, sk: 'INDEXED' }),
  event: (ticketId: string, version: number) => ({ pk: `TICKET#${ticketId}`, sk: `EVT#${String(version).padStart(8, '0')}` }),
  counter: (name: string) => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' }),
  idempotency: (caller: string, key: string) => ({ pk: `IDEMPOTENCY#${caller}#${key}`, sk: 'IDEMPOTENCY' }),
  department: (id: string) => ({ pk: 'DEPARTMENTS', sk: `DEPT#${id}` }),
  agent: (email: string) => ({ pk: 'AGENTS', sk: `AGENT#${email}` }),
  /** Report counters maintained at write time, one item per report and month: reports never scan. */
  report: (report: string, month: string) => ({ pk: `REPORT#${report}`, sk: `MONTH#${month}` }),
  /**
   * Tickets opened per day and category, one partition per month. Each day and
   * category is spread over a few shard items, so simultaneous creates seldom
   * touch the same item in their transactions; a report sums the shards.
   */
  reportVolume: (day: string, category: string, shard: number, department?: string | null) => ({
    pk: `REPORT#volume#${day.slice(0, 7)}`,
    sk: `DAY#${day}#${category}#${shard}${reportDepartment(department)}`,
  }),
  /** Opened tickets per normalized subject line, one partition per month (a report reads the whole month). */
  reportSubject: (month: string, subject: string, department?: string | null) => ({
    pk: `REPORT#subjects#${month}`,
    // Normalized subjects are lower case: an upper-case `D=` prefix never collides with one kept before departments.
    sk: department === undefined ? subject : `D=${department ?? NO_DEPARTMENT}#${subject}`,
  }),
  /** Resolutions per day, priority and level: fields `met` and `breached`. */
  reportSla: (day: string, priority: string, level: number, department?: string | null) => ({
    pk: `REPORT#sla#${day.slice(0, 7)}`,
    sk: `DAY#${day}#${priority}#L${level}${reportDepartment(department)}`,
  }),
  /** Survey answers per month (fields r1..r5, count, sum) and department. */
  reportCsat: (month: string, department?: string | null) => ({ pk: 'REPORT#csat', sk: `MONTH#${month}${reportDepartment(department)}` }),
  /** Subject search: one item per normalized word of a ticket's subject, newest first by sort key. */
  searchWord: (word: string, createdAt: string, ticketId: string) => ({ pk: `SEARCH#${word}`, sk: `${createdAt}#${ticketId}` }),
  cannedResponse: (id: string) => ({ pk: 'CANNED', sk: `RESP#${id}` }),
  /** Admin actions (agents, canned responses), newest last by sort key. */
  adminAudit: (at: string, id: string) => ({ pk: 'ADMIN_AUDIT', sk: `${at}#${id}` }),
  /** Which default canned responses were ever placed (so one an admin deleted stays deleted). */
  deskDefaults: () => ({ pk: 'CONFIG', sk: 'DESK_DEFAULTS' }),
};

/** Shards per day and category of the volume counters. */
export const VOLUME_SHARDS = 4;

const NO_DEPARTMENT = '~none';

/**
 * Report counters are kept per department, so a report shows each caller only the departments
 * they may see (core/access.ts). Counters written before that carry none (undefined here):
 * only admins count them.
 */
function reportDepartment(department: string | null | undefined): string {
  return department === undefined ? '' : `#${department ?? NO_DEPARTMENT}`;
}

/** The department a report counter's key names: undefined for one kept before departments. */
export function departmentOfReportKey(part: string | undefined): string | null | undefined {
  if (part === undefined) return undefined;
  return part === NO_DEPARTMENT ? null : part;
}
const UNASSIGNED = '~none';

/** Spam sits in its own bucket in place of a status, so no ordinary queue view shows it. */
export const SPAM = '~spam';
export type StatusBucket = Status | typeof SPAM;

export const partitions = {
  queue: (department: string | null, level: number, status: StatusBucket) => `Q#${department ?? NO_DEPARTMENT}#L${level}#${status}`,
  status: (status: StatusBucket) => `S#${status}`,
  assignee: (assignee: string | null, status: StatusBucket) => `A#${assignee ?? UNASSIGNED}#${status}`,
  requester: (email: string, status: StatusBucket) => `R#${email}#${status}`,
  history: (email: string) => `H#${email}`,
};

/** Priority first, then the nearest deadline; tickets with no deadline sort last. */
export function rankSortKey(t: Pick<Ticket, 'priority' | 'dueAt' | 'id'>): string {
  return `${priorityRank[t.priority]}#${t.dueAt ?? '9999'}#${t.id}`;
}

/** Index attributes a ticket item carries; recomputed on every write so indexes never drift. */
export function ticketIndexKeys(t: Ticket) {
  const bucket: StatusBucket = t.spam ? SPAM : t.status;
  return {
    queuePk: partitions.queue(t.department, t.level, bucket),
    statusPk: partitions.status(bucket),
    assigneePk: partitions.assignee(t.assignee, bucket),
    requesterPk: partitions.requester(t.requester.email, bucket),
    historyPk: partitions.history(t.requester.email),
    numberPk: `N#${t.number}`,
    rankSk: rankSortKey(t),
    createdSk: `${t.createdAt}#${t.id}`,
  };
}

/**
 * Attributes that exist only for the table's sake, stripped before a ticket
 * leaves the store. The ticket item also carries its opening message and
 * creation event, so that opening a ticket is a single PutItem.
 */
export const storageAttributes = ['pk', 'sk', 'type', 'queuePk', 'statusPk', 'assigneePk', 'requesterPk', 'historyPk', 'numberPk', 'rankSk', 'createdSk', 'expiresAt', 'openingMessage', 'createdEvent'] as const;
