import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { emailParam, historyQuery } from '#core/schemas';
import { visibleDepartments } from '#core/access';

const config = await configFor('CustomerTickets');

const store = ticketStore(config.tableName);

/** GET /customers/{email}/tickets: the requester's history, newest first, in the caller's departments. */
export const handler = agentRoute(config, { params: emailParam, query: historyQuery }, async ({ params, query, principal }) => {
  return json(200, await store.customerHistory(params.email, query.limit, query.cursor, visibleDepartments(principal)));
});
