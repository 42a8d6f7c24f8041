import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';

const config = await configFor('ListDepartments');

const store = ticketStore(config.tableName);

/** GET /departments: the desks tickets can be routed to, internal and external. */
export const handler = agentRoute(config, {}, async () => json(200, { items: await store.listDepartments() }));
