import { config } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { ticketIdParam } from '#core/schemas';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError } from '#core/errors';
import { can } from '#core/access';

const store = ticketStore(config.tableName);

/** GET /tickets/{id}: the ticket, its conversation and its audit trail. */
export const handler = agentRoute({ params: ticketIdParam }, async ({ params, principal }) => {
  const thread = ID_PATTERN.test(params.id) ? await store.getThread(params.id) : undefined;
  // What the caller may not see is answered as if it did not exist.
  if (!thread || !can(principal, thread.ticket)) throw new NotFoundError('Ticket');
  return json(200, thread, { etag: `"${thread.ticket.version}"` });
});
