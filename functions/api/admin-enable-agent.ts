import { agentEmailParams, agentView, isActive } from '#core/admin';
import { NotFoundError } from '#core/errors';
import { adminStore } from '#adapters/admin-store';
import { agentStatus } from '#adapters/agent-status';
import { userDirectory } from '#adapters/user-directory';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { json } from '#shared/http';

const config = await configFor('AdminEnableAgent');

const admins = adminStore(config.tableName);
const directory = userDirectory(config.userPoolId);

/** POST /admin/agents/{email}/enable: the agent may sign in again and takes assignments again. */
export const handler = adminRoute(config, { params: agentEmailParams }, async ({ params, principal }) => {
  const before = await admins.getAgent(params.email);
  if (!before) throw new NotFoundError('Agent');
  await directory.enable(params.email);
  if (isActive(before)) return json(200, agentView(before));
  const saved = await admins.updateAgent(before, { ...before, active: true }, { actor: principal.email, action: 'agent.enabled', target: params.email, changes: { active: [false, true] } });
  agentStatus(config.tableName).forget(params.email);
  return json(200, agentView(saved));
});
