import { inviteAgentBody } from '#core/admin';
import { adminStore } from '#adapters/admin-store';
import { agentStatus } from '#adapters/agent-status';
import { departmentStore } from '#adapters/department-store';
import { userDirectory } from '#adapters/user-directory';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { HttpError, json } from '#shared/http';
import { inviteAgent, type AgentAdminDeps } from '#app/agent-admin';

const config = await configFor('AdminInviteAgent');
const departments = departmentStore(config.tableName);
const deps: AgentAdminDeps = {
  admins: adminStore(config.tableName),
  directory: userDirectory(config.userPoolId),
  knownDepartment: (id) => departments.knownDepartment(id),
  forget: (email) => agentStatus(config.tableName).forget(email),
};

/** POST /admin/agents: invites an agent (functions/app/agent-admin.ts). An agent who exists is a 409, and nothing changes. */
export const handler = adminRoute(config, { body: inviteAgentBody }, async ({ body, principal }) => {
  const outcome = await inviteAgent(body, principal, deps);
  if ('exists' in outcome) throw new HttpError(409, 'agent_exists', 'An agent with this email already exists');
  return json(201, outcome.invited);
});
