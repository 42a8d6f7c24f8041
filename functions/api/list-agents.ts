import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { agentStore } from '#adapters/agent-store';

const config = await configFor('ListAgents');

const store = agentStore(config.tableName);

/** GET /agents: who tickets can be assigned to, with their groups and departments. */
export const handler = agentRoute(config, {}, async () => {
  const agents = await store.listAgents();
  const items = agents
    .map(({ email, name, groups, departments, active }) => ({ email, name, groups: groups ?? [], departments: departments ?? [], active: active !== false }))
    .sort((a, b) => (a.email < b.email ? -1 : 1));
  return json(200, { items });
});
