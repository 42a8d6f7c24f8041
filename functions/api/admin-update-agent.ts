import { agentEmailParams, updateAgentBody } from '#core/admin';
import { adminStore } from '#adapters/admin-store';
import { agentStatus } from '#adapters/agent-status';
import { departmentStore } from '#adapters/department-store';
import { userDirectory } from '#adapters/user-directory';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { json } from '#shared/http';
import { updateAgent, type AgentAdminDeps } from '#app/agent-admin';

const config = await configFor('AdminUpdateAgent');
const departments = departmentStore(config.tableName);
const deps: AgentAdminDeps = {
  admins: adminStore(config.tableName),
  directory: userDirectory(config.userPoolId),
  knownDepartment: (id) => departments.knownDepartment(id),
  forget: (email) => agentStatus(config.tableName).forget(email),
};

/** PATCH /admin/agents/{email}: name, level, admin rights, departments (functions/app/agent-admin.ts). */
export const handler = adminRoute(config, { params: agentEmailParams, body: updateAgentBody }, async ({ params, body, principal }) => json(200, await updateAgent(params.email, body, principal, deps)));
