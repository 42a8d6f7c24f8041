import type { Level, Priority, Report, Status } from './types.ts';

/**
 * Shapes the report API's counters into what the charts draw. Pure, so the
 * numbers behind every bar are unit-tested.
 */
export const OTHER = '__other__';
export const NONE = '__none__';

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive), at most `max` days. */
export function daysBetween(from: string, to: string, max = 400): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return [];
  const days: string[] = [];
  for (let t = start; t <= end && days.length < max; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export interface Series {
  key: string;
  values: number[];
  total: number;
}

/** Ticket volume per day, one series per category: the `maxSeries - 1` biggest, the rest as "other". */
export function volumeSeries(report: Pick<Report, 'from' | 'to' | 'volume'>, maxSeries = 6): { days: string[]; series: Series[] } {
  const days = daysBetween(report.from.slice(0, 10), report.to.slice(0, 10));
  const index = new Map(days.map((d, i) => [d, i]));
  const totals = new Map<string, number>();
  for (const v of report.volume) totals.set(v.category ?? NONE, (totals.get(v.category ?? NONE) ?? 0) + v.count);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const keep = new Set(ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked);
  const keys = ranked.filter((k) => keep.has(k));
  if (ranked.length > keep.size) keys.push(OTHER);
  const series = keys.map((key) => ({ key, values: days.map(() => 0), total: 0 }));
  const byKey = new Map(series.map((s) => [s.key, s]));
  for (const v of report.volume) {
    const i = index.get(v.day.slice(0, 10));
    if (i === undefined) continue;
    const key = v.category ?? NONE;
    const s = byKey.get(keep.has(key) ? key : OTHER)!;
    s.values[i]! += v.count;
    s.total += v.count;
  }
  return { days, series };
}

export interface SlaRow {
  priority: Priority;
  level: Level;
  met: number;
  breached: number;
  /** Share met, 0–1; null with no tickets. */
  rate: number | null;
}

const priorityOrder: Priority[] = ['urgent', 'high', 'normal', 'low'];

/** SLA compliance rows, by priority (urgent first) then level. */
export function slaRows(report: Pick<Report, 'sla'>): SlaRow[] {
  return [...report.sla]
    .sort((a, b) => priorityOrder.indexOf(a.priority) - priorityOrder.indexOf(b.priority) || a.level - b.level)
    .map((r) => ({ ...r, rate: r.met + r.breached > 0 ? r.met / (r.met + r.breached) : null }));
}

/** Overall share of tickets within SLA, or null with none. */
export function slaOverall(report: Pick<Report, 'sla'>): number | null {
  const met = report.sla.reduce((n, r) => n + r.met, 0);
  const all = met + report.sla.reduce((n, r) => n + r.breached, 0);
  return all ? met / all : null;
}

const backlogStatuses: Status[] = ['new', 'open', 'pending', 'on_hold'];

/** The open backlog per level, split by status. */
export function backlogByLevel(report: Pick<Report, 'backlog'>): { level: Level; counts: Record<string, number>; total: number }[] {
  return ([1, 2, 3] as Level[]).map((level) => {
    const counts: Record<string, number> = Object.fromEntries(backlogStatuses.map((s) => [s, 0]));
    for (const b of report.backlog) if (b.level === level) counts[b.status] = (counts[b.status] ?? 0) + b.count;
    return { level, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
  });
}

/** The 1–5 distribution in order, with shares. */
export function csatBars(report: Pick<Report, 'csat'>): { rating: number; count: number; share: number }[] {
  const total = [1, 2, 3, 4, 5].reduce((n, r) => n + (report.csat.distribution[String(r)] ?? 0), 0);
  return [1, 2, 3, 4, 5].map((rating) => {
    const count = report.csat.distribution[String(rating)] ?? 0;
    return { rating, count, share: total ? count / total : 0 };
  });
}

/** A round axis maximum at or above `n`: 1, 2, 5 × 10^k. */
export function niceMax(n: number): number {
  if (n <= 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * mag >= n) return step * mag;
  return 10 * mag;
}
