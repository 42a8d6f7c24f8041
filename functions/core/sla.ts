import type { Priority } from './ticket.ts';

/**
 * Default SLA targets per priority, in minutes, as most help desks start.
 * Business-hours calendars refine these later; until then the clock is 24×7.
 */
export const defaultSlaTargets: Record<Priority, { firstResponse: number; resolution: number }> = {
  urgent: { firstResponse: 15, resolution: 4 * 60 },
  high: { firstResponse: 60, resolution: 8 * 60 },
  normal: { firstResponse: 4 * 60, resolution: 24 * 60 },
  low: { firstResponse: 8 * 60, resolution: 72 * 60 },
};

const addMinutes = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

export interface SlaDeadlines {
  firstResponseDueAt: string;
  resolutionDueAt: string;
}

export function deadlinesFor(priority: Priority, createdAt: string): SlaDeadlines {
  const t = defaultSlaTargets[priority];
  return { firstResponseDueAt: addMinutes(createdAt, t.firstResponse), resolutionDueAt: addMinutes(createdAt, t.resolution) };
}
