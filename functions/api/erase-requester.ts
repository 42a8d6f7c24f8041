import { configFor, runtime } from '#shared/config';
import { lifecycleFor } from '#shared/lifecycle';
import { logger } from '#shared/logger';
import { adminRoute } from '#shared/admin-route';
import { json } from '#shared/http';
import { erasureStore } from '#adapters/erasure-store';
import { erasureBody } from '#core/erasure';

const config = await configFor('EraseRequester');
const lifecycle = lifecycleFor(config);

const store = erasureStore(config.tableName, config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });

/** Time kept back for the erasure record and the response. */
const RESERVE_MS = 3_000;

/**
 * POST /admin/erasures {email, reason?}: erases one requester's personal data
 * from every ticket they opened (GDPR/LGPD), keeping the anonymized counts.
 * Admins only. Repeatable: a second request finds nothing left and says so;
 * a requester with more tickets than one request reaches gets `remaining`.
 */
export const handler = adminRoute(config, { body: erasureBody }, async ({ body, principal }, context) => {
  const result = await store.eraseRequester({
    email: body.email,
    reason: body.reason,
    actor: { sub: principal.sub, email: principal.email },
    budgetMs: Math.max(1_000, context.getRemainingTimeInMillis() - RESERVE_MS),
    stopLifecycle: (ticketId) => lifecycle.stop(ticketId, 'Requester erased'),
  });
  // Ids and counts only: the address is personal data, and so is its pseudonym's link to it.
  logger.info('Requester erased', { erasureId: result.erasureId, tickets: result.tickets, closedTickets: result.closedTickets, remaining: result.remaining, ...result.items });
  return json(200, result);
});
