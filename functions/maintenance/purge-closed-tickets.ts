import type { Context } from 'aws-lambda';
import { configFor, runtime } from '#shared/config';
import { logger } from '#shared/logger';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { metricNames } from '#definitions/metrics';
import { erasureStore } from '#adapters/erasure-store';
import { retentionCutoff } from '#core/erasure';

/**
 * The retention purge, run daily (EventBridge) when
 * `helpdesk:closedTicketRetentionDays` is set: every ticket closed more than
 * that many days ago is deleted with everything it owns (messages, events,
 * search and mail index entries, raw mail and files). Report counters stay.
 * Bounded per run (tickets and time); what is left waits for the next run,
 * and an interrupted purge is finished by it.
 */
const config = await configFor('PurgeClosedTickets');
const { closedTicketDays } = config;
/** Tickets one run deletes at most. */
const maxTickets = 500;
const store = erasureStore(config.tableName, config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });

/** Time kept back for the last ticket and the metrics. */
const RESERVE_MS = 30_000;
const PARALLEL = 4;

export interface PurgeResult {
  cutoff: string;
  found: number;
  purged: number;
  kept: number;
  gone: number;
}

/** One purge run: tickets closed before now − `days`, at most `max`, within `budgetMs`. */
export async function purgeClosedTickets(opts: { now?: number; days?: number; max?: number; budgetMs?: number } = {}): Promise<PurgeResult> {
  const started = Date.now();
  const cutoff = retentionCutoff(opts.now ?? Date.now(), opts.days ?? closedTicketDays);
  const ids = await store.closedBefore(cutoff, opts.max ?? maxTickets);
  const result: PurgeResult = { cutoff, found: ids.length, purged: 0, kept: 0, gone: 0 };
  let next = 0;
  const worker = async () => {
    while (next < ids.length && Date.now() - started < (opts.budgetMs ?? Infinity)) {
      result[await store.purgeTicket(ids[next++]!, cutoff)]++;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return result;
}

export const handler = observed(async (_event: unknown, context?: Context): Promise<PurgeResult> => {
  // Invoked by hand (a test, a script), the context is empty: no time budget.
  const budgetMs = typeof context?.getRemainingTimeInMillis === 'function' ? Math.max(5_000, context.getRemainingTimeInMillis() - RESERVE_MS) : undefined;
  const result = await purgeClosedTickets(budgetMs !== undefined ? { budgetMs } : {});
  metrics.addMetric(metricNames.ticketsPurged, MetricUnit.Count, result.purged);
  // Counts only: a purge never logs what it deleted.
  logger.info('Closed tickets purged', { ...result });
  return result;
});
