import type { Context } from 'aws-lambda';
import { configFor, runtime } from '#shared/config';
import { logger } from '#shared/logger';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { metricNames } from '#definitions/metrics';
import { erasureStore } from '#adapters/erasure-store';
import { purgeClosedTickets, type PurgeResult } from '#app/purge-closed-tickets';

/** The retention purge (functions/app/purge-closed-tickets.ts), run daily (EventBridge) when `helpdesk:closedTicketRetentionDays` is set. */
const config = await configFor('PurgeClosedTickets');
const store = erasureStore(config.tableName, config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });
/** Time kept back for the last ticket and the metrics. */
const RESERVE_MS = 30_000;

export const handler = observed(async (_event: unknown, context?: Context): Promise<PurgeResult> => {
  // Invoked by hand (a test, a script), the context is empty: no time budget.
  const budgetMs = typeof context?.getRemainingTimeInMillis === 'function' ? Math.max(5_000, context.getRemainingTimeInMillis() - RESERVE_MS) : undefined;
  const result = await purgeClosedTickets({ now: Date.now(), days: config.closedTicketDays, budgetMs }, { store });
  metrics.addMetric(metricNames.ticketsPurged, MetricUnit.Count, result.purged);
  // Counts only: a purge never logs what it deleted.
  logger.info('Closed tickets purged', { ...result });
  return result;
});
