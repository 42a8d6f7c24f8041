import { DomainError } from './errors.ts';
import { activeStatuses, levels, priorities, priorityRank, type Level, type Priority, type Status, type Ticket } from './ticket.ts';
import { buildTriageReport, triageOpeningCounts, triageReviewCounts, type TriageCount, type TriageCounterRow, type TriageReport } from './triage-report.ts';

/**
 * Reports, the pure part: which counters a ticket change moves (maintained at
 * write time, in the same transaction as the change), and how the counters of
 * a date range become the report and its CSV. Days and months are UTC.
 */

/**
 * One counter a change moves, by one (or back by one), under the ticket's department at the
 * time (null: none yet; undefined: a counter kept before reports were per department).
 */
export type ReportCount =
  | ({ department?: string | null } & (
      | { report: 'volume'; day: string; category: string; by: 1 | -1 }
      | { report: 'subjects'; month: string; subject: string; by: 1 | -1 }
      | { report: 'sla'; day: string; priority: Priority; level: Level; met: boolean }
    ))
  | TriageCount;

/** The category a ticket is counted under when it has none. */
export const NO_CATEGORY = 'none';
export const TOP = 10;
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;
const SUBJECT_MAX = 80;

/**
 * A subject as the quality team wants it grouped: without reply and forward
 * prefixes or our `[#123]` tag, lower case, single spaces, and every number
 * as `#`, so "Pedido 123 atrasado" and "RE: Pedido 987 atrasado" are one line.
 */
export function normalizeSubject(subject: string): string {
  let s = subject.normalize('NFC').replace(/\[#?\d+\]/g, ' ');
  // Repeated and nested prefixes: "Re: Fwd: RES: ENC:", "Re[2]:", "Fw:", "Tr:".
  const prefix = /^\s*(?:re|res|fw|fwd|enc|tr|aw|wg|sv|rv)\s*(?:\[\d+\])?\s*:\s*/i;
  while (prefix.test(s)) s = s.replace(prefix, '');
  s = s
    .toLowerCase()
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
  return [...s].slice(0, SUBJECT_MAX).join('').trim();
}

const dayOf = (iso: string) => new Date(iso).toISOString().slice(0, 10);

/**
 * Counters a new ticket moves: its day's volume by category, and its month's subject line,
 * under its department. Spam counts nowhere. `countedIn` names the department it was counted
 * under when that is not its own now (an erasure moving what was counted long ago).
 */
export function creationCounts(t: Ticket, by: 1 | -1 = 1, countedIn: { department: string | null | undefined } = { department: t.department }): ReportCount[] {
  if (t.spam) return [];
  const day = dayOf(t.createdAt);
  const { department } = countedIn;
  const counts: ReportCount[] = [{ report: 'volume', day, category: t.category || NO_CATEGORY, by, department }];
  const subject = normalizeSubject(t.subject);
  if (subject) counts.push({ report: 'subjects', month: day.slice(0, 7), subject, by, department });
  // How triage decided, in its own week and department (an erasure moves nothing there: no personal data).
  if (by === 1) counts.push(...triageOpeningCounts(t));
  return counts;
}

/**
 * Counters a change moves, from the ticket before and after it: becoming
 * resolved counts one resolution, met when resolved by the resolution
 * deadline, under the priority and level it had then (a ticket reopened and
 * resolved again counts each resolution). Used by every path that can
 * resolve, so they all count alike.
 *
 * Creation counts are written once per ticket when it is indexed (the
 * lifecycle's first step); spam is indexed only once released, and a ticket
 * marked spam later stays counted as the request it was taken for.
 */
export function changeCounts(before: Ticket, after: Ticket): ReportCount[] {
  const counts: ReportCount[] = [];
  if (after.status === 'resolved' && before.status !== 'resolved' && !after.spam) {
    const resolvedAt = after.resolvedAt ?? after.updatedAt;
    const met = Date.parse(resolvedAt) <= Date.parse(after.resolutionDueAt);
    counts.push({ report: 'sla', day: dayOf(resolvedAt), priority: after.priority, level: after.level, met, department: after.department });
  }
  // An agent's verdict on triage (accepted, corrected, or resolved where triage sent it), once per ticket.
  counts.push(...triageReviewCounts(before, after));
  return counts;
}

// ---------------------------------------------------------------- date ranges

export class InvalidReportRangeError extends DomainError {}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(value: string, name: string): number {
  const m = DATE.exec(value);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  // Date.UTC rolls 2026-02-30 over to March: a real date must read back the same.
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value) {
    throw new InvalidReportRangeError('invalid_date', `${name} must be a date such as 2026-11-22`);
  }
  return t;
}

const fmtDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The report's days, both ends included: the last 30 days by default; given
 * only `from`, up to today; given only `to`, the 30 days up to it. At most 366 days.
 */
export function reportRange(from: string | undefined, to: string | undefined, today: string): { from: string; to: string } {
  const end = to !== undefined ? parseDay(to, 'to') : from !== undefined ? Math.max(parseDay(today, 'today'), parseDay(from, 'from')) : parseDay(today, 'today');
  const start = from !== undefined ? parseDay(from, 'from') : end - (DEFAULT_RANGE_DAYS - 1) * DAY_MS;
  if (start > end) throw new InvalidReportRangeError('invalid_range', '`from` must not be after `to`');
  const days = (end - start) / DAY_MS + 1;
  if (days > MAX_RANGE_DAYS) throw new InvalidReportRangeError('range_too_long', `A report covers at most ${MAX_RANGE_DAYS} days; this one asks for ${days}`);
  return { from: fmtDay(start), to: fmtDay(end) };
}

/** The months (yyyy-mm) a range touches, in order. */
export function monthsOf(range: { from: string; to: string }): string[] {
  const out: string[] = [];
  let [y, m] = range.from.slice(0, 7).split('-').map(Number) as [number, number];
  const last = range.to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    out.push(month);
    if (month >= last) return out;
    m++;
    if (m > 12) [y, m] = [y + 1, 1];
  }
}

// ---------------------------------------------------------------- the report

/** The counters of a range as the store reads them (several rows may share a key: they are summed). */
export interface ReportCounters {
  volume: { day: string; category: string; count: number; department?: string | null }[];
  /** Monthly subject counts of the months the range touches. */
  subjects: { subject: string; count: number; department?: string | null }[];
  sla: { day: string; priority: Priority; level: Level; met: number; breached: number; department?: string | null }[];
  /** Counted by the store within the caller's departments already. */
  backlog: { level: Level; status: Status; count: number }[];
  /** Monthly CSAT counters (REPORT#csat / MONTH#yyyy-mm[#department]) of the months the range touches. */
  csat: { department?: string | null; [field: string]: unknown }[];
  /** Weekly triage counters (core/triage-report.ts) of the weeks the range touches. */
  triage?: TriageCounterRow[];
}

/**
 * Only the counters of departments the caller may count (see core/access.ts mayCount): a
 * restricted department's figures never reach anyone outside it, not even in a total.
 */
export function visibleCounters(c: ReportCounters, mayCount: (department: string | null | undefined) => boolean): ReportCounters {
  const keep = <T extends { department?: string | null }>(rows: T[]) => rows.filter((r) => mayCount(r.department));
  return { volume: keep(c.volume), subjects: keep(c.subjects), sla: keep(c.sla), backlog: c.backlog, csat: keep(c.csat), triage: keep(c.triage ?? []) };
}

export interface Report {
  from: string;
  to: string;
  volume: { day: string; category: string; count: number }[];
  topCategories: { category: string; count: number }[];
  topSubjects: { subject: string; count: number }[];
  sla: { priority: Priority; level: Level; met: number; breached: number }[];
  backlog: { level: Level; status: Status; count: number }[];
  csat: { count: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number> };
  /** How good triage is, per week and department (of the weeks the range touches). */
  triage: TriageReport;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v) || 0);
const byCountThenName = <T extends { count: number }>(name: (x: T) => string) => (a: T, b: T) => b.count - a.count || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);

function sumBy<T>(rows: T[], key: (r: T) => string, count: (r: T) => number): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + count(r));
  return m;
}

/**
 * The report of a range from its counters. Volume and SLA are by day, so they
 * follow the range exactly; subjects and CSAT are kept per month, so they
 * cover the whole months the range touches. Counters that went to zero or
 * below (a ticket sent to spam after it was counted) are left out.
 */
export function buildReport(range: { from: string; to: string }, c: ReportCounters): Report {
  const inRange = (day: string) => day >= range.from && day <= range.to;

  const volumeSums = sumBy(c.volume.filter((v) => inRange(v.day)), (v) => `${v.day}\n${v.category}`, (v) => num(v.count));
  const volume = [...volumeSums]
    .map(([k, count]) => {
      const [day, category] = k.split('\n') as [string, string];
      return { day, category, count };
    })
    .filter((v) => v.count > 0)
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.category < b.category ? -1 : a.category > b.category ? 1 : 0));

  const topCategories = [...sumBy(volume, (v) => v.category, (v) => v.count)]
    .map(([category, count]) => ({ category, count }))
    .filter((x) => x.count > 0)
    .sort(byCountThenName((x) => x.category))
    .slice(0, TOP);

  const topSubjects = [...sumBy(c.subjects, (s) => s.subject, (s) => num(s.count))]
    .map(([subject, count]) => ({ subject, count }))
    .filter((x) => x.count > 0)
    .sort(byCountThenName((x) => x.subject))
    .slice(0, TOP);

  const slaRows = c.sla.filter((s) => inRange(s.day));
  const sla = priorities
    .flatMap((priority) =>
      levels.map((level) => {
        const rows = slaRows.filter((s) => s.priority === priority && s.level === level);
        return { priority, level, met: rows.reduce((n, r) => n + num(r.met), 0), breached: rows.reduce((n, r) => n + num(r.breached), 0) };
      }),
    )
    .sort((a, b) => priorityRank[a.priority] - priorityRank[b.priority] || a.level - b.level);

  const backlog = levels.flatMap((level) =>
    activeStatuses.map((status) => ({ level, status, count: c.backlog.filter((b) => b.level === level && b.status === status).reduce((n, b) => n + num(b.count), 0) })),
  );

  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let count = 0;
  let sum = 0;
  for (const month of c.csat) {
    for (const r of ['1', '2', '3', '4', '5'] as const) distribution[r] += num(month[`r${r}`]);
    count += num(month.count);
    sum += num(month.sum);
  }
  const average = count > 0 ? Math.round((sum / count) * 100) / 100 : null;

  return { from: range.from, to: range.to, volume, topCategories, topSubjects, sla, backlog, csat: { count, average, distribution }, triage: buildTriageReport(range, c.triage ?? []) };
}

// ---------------------------------------------------------------- CSV

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break.
 * Text that a spreadsheet would run as a formula (= + - @, or a leading tab or
 * carriage return) gets a leading apostrophe, so it is shown, never run.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvRow = (cells: (string | number | null)[]) => cells.map(csvCell).join(',');

/** The report as CSV: one section per table (a title line, a header, the rows), a blank line between them. */
export function reportCsv(r: Report): string {
  const section = (title: string, header: string[], rows: (string | number | null)[][]) => [csvRow([title]), csvRow(header), ...rows.map(csvRow)].join('\r\n');
  const d = r.csat.distribution;
  return (
    [
      section('report', ['from', 'to'], [[r.from, r.to]]),
      section('volume', ['day', 'category', 'count'], r.volume.map((v) => [v.day, v.category, v.count])),
      section('top categories', ['category', 'count'], r.topCategories.map((c) => [c.category, c.count])),
      section('top subjects', ['subject', 'count'], r.topSubjects.map((s) => [s.subject, s.count])),
      section('sla', ['priority', 'level', 'met', 'breached'], r.sla.map((s) => [s.priority, s.level, s.met, s.breached])),
      section('backlog', ['level', 'status', 'count'], r.backlog.map((b) => [b.level, b.status, b.count])),
      section('csat', ['count', 'average', '1', '2', '3', '4', '5'], [[r.csat.count, r.csat.average, d['1'], d['2'], d['3'], d['4'], d['5']]]),
      section(
        'triage',
        ['week', 'department', 'triaged', 'rules', 'model', 'dispatch', 'confirmed', 'corrected', 'accuracy'],
        r.triage.rows.map((x) => [x.week, x.department ?? 'dispatch', x.triaged, x.rules, x.model, x.dispatch, x.confirmed, x.corrected, x.accuracy]),
      ),
    ].join('\r\n\r\n') + '\r\n'
  );
}

export const reportFilename = (r: { from: string; to: string }) => `helpdesk-report-${r.from}-${r.to}.csv`;
