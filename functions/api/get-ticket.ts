import { config } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { ticketIdParam } from '#core/schemas';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError } from '#core/errors';

const store = ticketStore(config.tableName);

/** GET /tickets/{id}: the ticket, its conversation and its audit trail. */
export const handler = agentRoute({ params: ticketIdParam }, async ({ params }) => {
  const thread = ID_PATTERN.test(params.id) ? await store.getThread(params.id) : undefined;
  if (!thread) throw new NotFoundError('Ticket');
  return json(200, thread, { etag: `"${thread.ticket.version}"` });
});
