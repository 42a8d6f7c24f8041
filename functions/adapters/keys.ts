import { createHash } from 'node:crypto';
import { normaliseEmail, priorityRank, type Status, type Ticket } from '#core/ticket';

/**
 * Named composite keys of the single table (see lib/definitions/resources.ts).
 * Every item a ticket owns shares its partition, so one Query reads the whole ticket.
 */
export const keys = {
  ticket: (id: string) => ({ pk: `TICKET#${id}`, sk: 'TICKET' }),
  message: (ticketId: string, createdAt: string, id: string) => ({ pk: `TICKET#${ticketId}`, sk: `MSG#${createdAt}#${id}` }),
  /** Marks a ticket as indexed for search and reports (once). */
  indexed: (ticketId: string) => ({ pk: `TICKET#${ticketId}`, sk: 'INDEXED' }),
  /** Zero-padded so events sort by version. */
  event: (ticketId: string, version: number) => ({ pk: `TICKET#${ticketId}`, sk: `EVT#${String(version).padStart(8, '0')}` }),
  /** The task token of the lifecycle's wait in progress (lifecycle-client.ts), never on the ticket item. */
  workflow: (ticketId: string) => ({ pk: `TICKET#${ticketId}`, sk: 'WORKFLOW' }),
  /** One kind of mail sent, or one delivery event recorded, for a ticket exactly once (mail-index.ts). */
  sentClaim: (ticketId: string, what: string) => ({ pk: `TICKET#${ticketId}`, sk: `SENT#${what}` }),
  /** A reply from the status page, by a hash of its body with spaces collapsed: a double submit records one message. */
  webReply: (ticketId: string, body: string) => ({ pk: `TICKET#${ticketId}`, sk: `WEBREPLY#${digest(body.replace(/\s+/g, ' ').trim())}` }),
  counter: (name: string) => ({ pk: `COUNTER#${name}`, sk: 'COUNTER' }),
  /** An ever-growing counter per department and level, for round-robin assignment. */
  turn: (name: string) => keys.counter(`turn#${name}`),
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
    pk: reportPartition('volume', day.slice(0, 7)),
    sk: `DAY#${day}#${category}#${shard}${reportDepartment(department)}`,
  }),
  /** Opened tickets per normalized subject line, one partition per month (a report reads the whole month). */
  reportSubject: (month: string, subject: string, department?: string | null) => ({
    pk: reportPartition('subjects', month),
    // Normalized subjects are lower case: an upper-case `D=` prefix never collides with one kept before departments.
    sk: department === undefined ? subject : `D=${department ?? NO_DEPARTMENT}#${subject}`,
  }),
  /** Resolutions per day, priority and level: fields `met` and `breached`. */
  reportSla: (day: string, priority: string, level: number, department?: string | null) => ({
    pk: reportPartition('sla', day.slice(0, 7)),
    sk: `DAY#${day}#${priority}#L${level}${reportDepartment(department)}`,
  }),
  /**
   * Triage's decisions and agents' verdicts (core/triage-report.ts) per week (its Monday) and the department
   * triage placed the ticket in, one partition per month of that Monday, spread over shards as the volume is.
   */
  reportTriage: (week: string, shard: number, department: string | null) => ({
    pk: reportPartition('triage', week.slice(0, 7)),
    sk: `WEEK#${week}#${shard}${reportDepartment(department)}`,
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
  /** Who erased which requester, when and why (erasure-store.ts). */
  erasure: (at: string, id: string) => ({ pk: 'ERASURE', sk: `${at}#${id}` }),
  /**
   * A ticket agents worked, as a labelled example for the triage model (triage-example-store.ts): one per
   * ticket, in the partition of the month it was opened, so re-resolving overwrites it and training reads months by Query.
   */
  triageExample: (createdAt: string, ticketId: string) => ({ pk: triageExamplePartition(createdAt.slice(0, 7)), sk: ticketId }),
  /**
   * A past ticket imported from another desk's history (imported-triage-examples.ts), in the partition of the month it
   * was imported, keyed by a digest of its content, so the same line imported twice is one example.
   */
  triageImportedExample: (importedAt: string, digest: string) => ({ pk: triageExamplePartition(importedAt.slice(0, 7)), sk: `IMPORT#${digest}` }),
  /** Which triage model is in use (triage-model-store.ts): its version, S3 key, figures and the earlier ones. */
  triageModelInUse: () => ({ pk: 'TRIAGE_MODEL', sk: 'IN_USE' }),

  // The mail channel (mail-index.ts).
  /** Which ticket a Message-ID we received or sent belongs to (threading). */
  messageId: (id: string) => ({ pk: messageIdPartition(id), sk: 'MSGID' }),
  /** One SES delivery owns a mail: the key is `sender|Message-ID`, or the raw mail's digest. */
  inboundClaim: (mailKey: string) => ({ pk: `INBOUND#${digest(mailKey.toLowerCase())}`, sk: 'INBOUND' }),
  /** A mail refused (its raw copy stays in S3). */
  quarantine: (sesMessageId: string) => ({ pk: 'QUARANTINE', sk: `MAIL#${sesMessageId}` }),
  /** Automatic replies to an address (or `@domain`) in one hour since the epoch: the loop breaker. */
  autoReplyCount: (address: string, hour: number) => ({ pk: `AUTOREPLY#${address.toLowerCase()}`, sk: `HOUR#${hour}` }),

  // The public web form (web-form-guard.ts): keys hold hashes, never addresses.
  /** Submissions per subject (`email:<address>`, `ip:<address>`) in one hour since the epoch. */
  webFormThrottle: (subject: string, hour: number) => ({ pk: `THROTTLE#webform#${digest(subject.toLowerCase())}`, sk: `HOUR#${hour}` }),
  /** A submission's first answer, by its fingerprint: a double click or a retry gets it again. */
  webFormSubmission: (fingerprint: string) => ({ pk: `WEBFORM#${fingerprint}`, sk: 'SUBMISSION' }),

  /** The last bounce and complaint of an address (delivery-history.ts), by a hash of the address. */
  recipientDelivery: (email: string) => ({ pk: `${RECIPIENT}${digest(normaliseEmail(email))}`, sk: 'DELIVERY' }),
};

/** The digest of a key that must not hold what it names (an address, a long id, a body). */
function digest(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

const RECIPIENT = 'RECIPIENT#';

/** The address digest a recipient delivery item's key holds. */
export function recipientDigestOf(pk: string): string {
  return pk.slice(RECIPIENT.length);
}

/**
 * SES replaces the Message-ID of what we send with `<id@REGION.amazonses.com>`
 * (or `@email.amazonses.com`); the id SES returns is the part before the `@`.
 * Keying those by that part matches replies whatever domain form comes back.
 */
function messageIdPartition(id: string): string {
  const m = /^([^@]+)@(?:[a-z0-9-]+\.)*amazonses\.com$/i.exec(id);
  if (m && m[1]!.length <= 200) return `SESID#${m[1]!.toLowerCase()}`;
  // A sender chooses its Message-IDs: long ones are hashed to stay within DynamoDB's key size.
  return id.length <= 400 ? `MSGID#${id.toLowerCase()}` : `MSGID#sha256:${digest(id.toLowerCase())}`;
}

/** The month partition (`yyyy-mm`) of the triage model's labelled examples. */
export function triageExamplePartition(month: string): string {
  return `TRIAGE_EXAMPLES#${month}`;
}

/** The month partition of a kind of report counter. */
export function reportPartition(kind: 'volume' | 'subjects' | 'sla' | 'triage', month: string): string {
  return `REPORT#${kind}#${month}`;
}

/** Sort keys of the day-keyed counters (`DAY#yyyy-mm-dd#…`) from one day to another, both included. */
export function reportDayRange(from: string, to: string): [string, string] {
  // '~' sorts after every character the rest of the key uses.
  return [`DAY#${from}`, `DAY#${to}#~`];
}

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
  number: (n: number) => `N#${n}`,
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
    numberPk: partitions.number(t.number),
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

/** An item as the rest of the code sees it: without the attributes only the table needs. */
export function withoutStorageAttributes(item: Record<string, unknown>): Record<string, unknown> {
  const out = { ...item };
  for (const a of storageAttributes) delete out[a];
  return out;
}
