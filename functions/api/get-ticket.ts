import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { ticketIdParam } from '#core/schemas';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError } from '#core/errors';
import { can } from '#core/access';
import { deliveryHistory } from '#adapters/delivery-history';
import { replyRecipients } from '#core/recipient-warnings';

const config = await configFor('GetTicket');

const store = ticketStore(config.tableName);
const history = deliveryHistory(config.tableName);

/**
 * GET /tickets/{id}: the ticket, its conversation and its audit trail, and
 * `warnings` about the addresses a reply would go to (one that bounced or
 * complained before, on any ticket), so the composer can warn before sending.
 */
export const handler = agentRoute(config, { params: ticketIdParam }, async ({ params, principal }) => {
  const thread = ID_PATTERN.test(params.id) ? await store.getThread(params.id) : undefined;
  // What the caller may not see is answered as if it did not exist.
  if (!thread || !can(principal, thread.ticket)) throw new NotFoundError('Ticket');
  const warnings = await history.warningsFor(replyRecipients(thread.ticket));
  return json(200, { ...thread, warnings }, { etag: `"${thread.ticket.version}"` });
});
