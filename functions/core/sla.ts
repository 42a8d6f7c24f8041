import { addBusinessMinutes, ALWAYS_OPEN, businessMinutesBetween, type Clock } from './business-hours.ts';
import type { Policy } from './policy.ts';
import type { Level, Priority } from './ticket.ts';

/** Urgent tickets run 24×7 by default; the rest count only the desk's business hours. */
export function clockFor(priority: Priority, policy: Policy): Clock {
  return policy.alwaysOpenPriorities.includes(priority) ? ALWAYS_OPEN : policy.calendar;
}

export interface SlaDeadlines {
  firstResponseDueAt: string;
  resolutionDueAt: string;
}

export function deadlinesFor(priority: Priority, startIso: string, policy: Policy): SlaDeadlines {
  const t = policy.sla[priority];
  const clock = clockFor(priority, policy);
  return {
    firstResponseDueAt: addBusinessMinutes(startIso, t.firstResponseMinutes, clock),
    resolutionDueAt: addBusinessMinutes(startIso, t.resolutionMinutes, clock),
  };
}

/**
 * When a level's budget, started at `startIso`, runs out. Levels 1 and 2 never
 * hold a ticket past its resolution deadline, so an urgent ticket climbs in time
 * to be solved; level 3 gets its whole budget, since nobody is above it.
 */
export function levelDeadline(level: Level, priority: Priority, startIso: string, resolutionDueAt: string, policy: Policy): string {
  const own = addBusinessMinutes(startIso, policy.levelBudgetMinutes[level], clockFor(priority, policy));
  if (level === 3 || resolutionDueAt <= startIso) return own;
  return own < resolutionDueAt ? own : resolutionDueAt;
}

/**
 * A deadline after a pause: the business time that was left when the clock
 * stopped is counted again from now. A deadline already passed stays passed.
 */
export function resumeDeadline(dueAt: string, pausedAt: string, now: string, clock: Clock): string {
  if (dueAt <= pausedAt) return dueAt;
  return addBusinessMinutes(now, businessMinutesBetween(pausedAt, dueAt, clock), clock);
}
