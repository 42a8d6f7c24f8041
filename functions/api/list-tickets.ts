import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { listTicketsQuery } from '#core/schemas';
import { visibleDepartments } from '#core/access';

const config = await configFor('ListTickets');

const store = ticketStore(config.tableName);

/** GET /tickets: a queue view, by priority then due time, one cursor page at a time; only the caller's departments. */
export const handler = agentRoute(config, { query: listTicketsQuery }, async ({ query, principal }) => {
  return json(200, await store.listTickets({ ...query, scope: visibleDepartments(principal) }));
});
