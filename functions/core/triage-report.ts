import type { Ticket, TriageRecord } from './ticket.ts';

/**
 * How good triage is, the pure part: which counters a ticket moves and how the
 * counters of some weeks become the triage report.
 *
 * A ticket counts once, in the week triage decided it (its cohort), under the
 * department triage placed it in (null: left to the dispatch queue):
 * - at indexing (once per ticket): `triaged`, `rules` or `model` when routed, `dispatch` when not;
 * - its verdict, at most one per ticket (kept on the ticket as `triage.review`):
 *   `confirmed` when an agent accepts the suggestion, routes a dispatch ticket as
 *   suggested, or resolves it still in triage's department; `corrected` when an
 *   agent moves it elsewhere (or routes a dispatch ticket elsewhere). A
 *   confirmation can still become a correction (the counts move); a correction is final.
 * Tickets whose department the agent recording them chose are not triage's to count.
 */

export const triageCounterFields = ['triaged', 'rules', 'model', 'dispatch', 'confirmed', 'corrected'] as const;
export type TriageCounterField = (typeof triageCounterFields)[number];

export type TriageVerdict = 'confirmed' | 'corrected';

/** One change of the triage counters of a week and department, in one item (never two updates of one item in a transaction). */
export interface TriageCount {
  report: 'triage';
  /** The Monday (yyyy-mm-dd, UTC) of the week triage decided. */
  week: string;
  department: string | null;
  add: Partial<Record<TriageCounterField, 1 | -1>>;
}

const DAY_MS = 86_400_000;

/** The Monday (UTC) of the week of a time or day. */
export function weekOf(iso: string): string {
  const t = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  const d = new Date(t);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - back * DAY_MS).toISOString().slice(0, 10);
}

/** The Mondays of the weeks a range of days touches, in order. */
export function weeksOf(range: { from: string; to: string }): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${weekOf(range.from)}T00:00:00Z`); t <= Date.parse(`${range.to}T00:00:00Z`); t += 7 * DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Where triage put a ticket and what it suggested; undefined when triage did not decide its department. */
export function triagePlacement(t: Pick<Ticket, 'triage' | 'presetByAgent'>): { record: TriageRecord; placed: string | null; suggested: string | null; week: string } | undefined {
  const record = t.triage;
  if (!record || (t.presetByAgent ?? []).includes('department')) return undefined;
  return { record, placed: record.dispatch ? null : record.department, suggested: record.department, week: weekOf(record.at) };
}

/** The counters a ticket moves when it is indexed (once per ticket; spam is indexed only once released). */
export function triageOpeningCounts(t: Ticket): TriageCount[] {
  const p = triagePlacement(t);
  if (!p || t.spam) return [];
  const add: TriageCount['add'] = { triaged: 1 };
  if (p.record.dispatch || p.placed === null) add.dispatch = 1;
  else add[p.record.decidedBy === 'model' ? 'model' : 'rules'] = 1;
  return [{ report: 'triage', week: p.week, department: p.placed, add }];
}

/**
 * The verdict a change gives triage, set on `next.triage.review` (every change goes through
 * here: settleClocks calls it). `accepted`: the agent said so explicitly.
 */
export function settleTriageReview(before: Ticket, next: Ticket, now: string, accepted = false): void {
  const p = triagePlacement(next);
  // Only a decision already on the ticket is judged: the change that makes it (applyTriage) is not a verdict.
  if (!p || before.triage?.at !== p.record.at) return;
  const verdict = p.record.review?.verdict;
  if (verdict === 'corrected') return;
  const target = p.placed ?? p.suggested;
  let to: TriageVerdict | undefined;
  if (next.department !== before.department) {
    const elsewhere = next.department !== null ? next.department !== target : p.placed !== null;
    if (elsewhere) to = 'corrected';
    else if (!verdict && next.department !== null) to = 'confirmed';
  } else if (!verdict && target !== null && next.department === target && (accepted || (next.status === 'resolved' && before.status !== 'resolved'))) {
    to = 'confirmed';
  }
  if (to && to !== verdict) next.triage = { ...p.record, review: { verdict: to, at: now } };
}

/** The counters a change moves: its verdict, once per ticket (a confirmation turned correction moves one to the other). */
export function triageReviewCounts(before: Ticket, after: Ticket): TriageCount[] {
  const p = triagePlacement(after);
  const was = before.triage?.review?.verdict;
  const is = after.triage?.review?.verdict;
  if (!p || after.spam || was === is || !is) return [];
  const add: TriageCount['add'] = { [is]: 1 };
  if (was) add[was] = -1;
  return [{ report: 'triage', week: p.week, department: p.placed, add }];
}

// ---------------------------------------------------------------- the report

/** Counter rows as the store reads them (shards of one week and department are summed). */
export interface TriageCounterRow extends Partial<Record<TriageCounterField, number>> {
  week: string;
  department: string | null;
}

export interface TriageFigures extends Record<TriageCounterField, number> {
  /** Routed tickets left in triage's department, of those with a verdict (confirmed / (confirmed + corrected)); null without any. */
  accuracy: number | null;
  /** Share of triaged tickets left to the dispatch queue; null without any. */
  dispatchShare: number | null;
  /** Share of reviewed tickets an agent corrected; null without any. */
  correctedShare: number | null;
}

export interface TriageReport {
  weeks: string[];
  /** Per week, per department (null: the dispatch queue), only rows with something counted. */
  rows: ({ week: string; department: string | null } & TriageFigures)[];
  /** Per department over all the weeks. */
  departments: ({ department: string | null } & TriageFigures)[];
  /** Per week over every department the caller may see. */
  perWeek: ({ week: string } & TriageFigures)[];
  total: TriageFigures;
}

const share = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 1000) / 1000 : null);

function figures(rows: TriageCounterRow[]): TriageFigures {
  const sum = Object.fromEntries(triageCounterFields.map((f) => [f, rows.reduce((n, r) => n + (Number(r[f]) || 0), 0)])) as Record<TriageCounterField, number>;
  const reviewed = sum.confirmed + sum.corrected;
  return { ...sum, accuracy: share(sum.confirmed, reviewed), dispatchShare: share(sum.dispatch, sum.triaged), correctedShare: share(sum.corrected, reviewed) };
}

const deptOrder = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** The triage report of the weeks a range touches. */
export function buildTriageReport(range: { from: string; to: string }, counters: TriageCounterRow[]): TriageReport {
  const weeks = weeksOf(range);
  const inRange = counters.filter((c) => weeks.includes(c.week));
  const groups = new Map<string, TriageCounterRow[]>();
  for (const c of inRange) {
    const k = JSON.stringify([c.week, c.department]);
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  const rows = [...groups]
    .map(([k, rs]) => {
      const [week, department] = JSON.parse(k) as [string, string | null];
      return { week, department, ...figures(rs) };
    })
    .filter((r) => triageCounterFields.some((f) => r[f] !== 0))
    .sort((a, b) => (a.week < b.week ? -1 : a.week > b.week ? 1 : deptOrder(a.department, b.department)));
  const departments = [...new Set(rows.map((r) => r.department))].sort(deptOrder).map((department) => ({ department, ...figures(inRange.filter((c) => c.department === department)) }));
  const perWeek = weeks.map((week) => ({ week, ...figures(inRange.filter((c) => c.week === week)) }));
  return { weeks, rows, departments, perWeek, total: figures(inRange) };
}
