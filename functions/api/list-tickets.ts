import { config } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { listTicketsQuery } from '#core/schemas';

const store = ticketStore(config.tableName);

/** GET /tickets: a queue view, by priority then due time, one cursor page at a time. */
export const handler = agentRoute({ query: listTicketsQuery }, async ({ query }) => {
  return json(200, await store.listTickets(query));
});
