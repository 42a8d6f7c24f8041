import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { departmentStore } from '#adapters/department-store';

const config = await configFor('ListDepartments');

const store = departmentStore(config.tableName);

/** GET /departments: the desks tickets can be routed to, internal and external. */
export const handler = agentRoute(config, {}, async () => json(200, { items: await store.listDepartments() }));
