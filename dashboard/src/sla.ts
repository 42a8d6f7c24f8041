import type { Ticket } from './types.ts';

/**
 * What a queue row says about a ticket's SLA: the nearest deadline that still
 * matters, how long is left, and whether to warn.
 *
 * - The deadline is the earlier of `dueAt` (first response until answered, then
 *   resolution) and `levelDueAt` (when the lifecycle escalates).
 * - `breached` once that moment has passed; `near` in its last stretch: the
 *   final quarter of the time the ticket was given, at most the last 30 minutes.
 * - `paused` while pending on the customer (every clock stops), `done` once
 *   resolved or closed.
 */
export type SlaTone = 'ok' | 'near' | 'breached' | 'paused' | 'done' | 'none';
export type SlaDeadline = 'response' | 'resolution' | 'level';

export interface SlaInfo {
  tone: SlaTone;
  /** ISO instant of the deadline counted down, when there is one. */
  deadline?: string;
  which?: SlaDeadline;
  /** Milliseconds left: negative once breached. */
  remainingMs?: number;
}

export const NEAR_BREACH_MAX_MS = 30 * 60_000;
export const NEAR_BREACH_FRACTION = 0.25;

export type SlaTicket = Pick<Ticket, 'status' | 'createdAt' | 'dueAt' | 'levelDueAt' | 'slaPausedAt' | 'firstResponseDueAt' | 'resolutionDueAt'> & {
  firstRespondedAt?: string | null;
};

const time = (iso: string | null | undefined) => {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
};

export function slaInfo(t: SlaTicket, now: number): SlaInfo {
  if (t.status === 'resolved' || t.status === 'closed') return { tone: 'done' };
  if (t.slaPausedAt) return { tone: 'paused' };
  const main = time(t.dueAt) ?? time(t.firstRespondedAt ? t.resolutionDueAt : t.firstResponseDueAt);
  const level = time(t.levelDueAt);
  const candidates: { at: number; which: SlaDeadline }[] = [];
  if (main !== undefined) candidates.push({ at: main, which: t.firstRespondedAt ? 'resolution' : 'response' });
  if (level !== undefined) candidates.push({ at: level, which: 'level' });
  if (!candidates.length) return { tone: 'none' };
  // The earliest deadline; on a tie the customer-facing one names it.
  const next = candidates.reduce((a, b) => (b.at < a.at ? b : a));
  const remainingMs = next.at - now;
  const span = Math.max(0, next.at - (time(t.createdAt) ?? next.at));
  const nearWindow = Math.min(NEAR_BREACH_MAX_MS, span * NEAR_BREACH_FRACTION);
  const tone: SlaTone = remainingMs <= 0 ? 'breached' : remainingMs <= nearWindow ? 'near' : 'ok';
  return { tone, deadline: new Date(next.at).toISOString(), which: next.which, remainingMs };
}

/** A compact duration: "45s", "7m 05s", "42m", "3h 12m", "2d 4h". Sign is dropped. */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return h ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m ? `${h}h ${m}m` : `${h}h`;
  if (m >= 10) return `${m}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Tickets whose SLA needs attention first: breached, then near, in deadline order. */
export function needsAttention(tickets: SlaTicket[], now: number): number {
  return tickets.filter((t) => {
    const tone = slaInfo(t, now).tone;
    return tone === 'breached' || tone === 'near';
  }).length;
}
