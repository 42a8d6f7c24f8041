import { agentEmailParams, agentView, assertNotSelf, isActive } from '#core/admin';
import { NotFoundError } from '#core/errors';
import { adminStore } from '#adapters/admin-store';
import { agentStatus } from '#adapters/agent-status';
import { userDirectory } from '#adapters/user-directory';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { json } from '#shared/http';

const config = await configFor('AdminDisableAgent');

const admins = adminStore(config.tableName);
const directory = userDirectory(config.userPoolId);

/**
 * POST /admin/agents/{email}/disable: the agent can no longer sign in or renew a
 * session (their refresh tokens are revoked), and assignment skips them
 * (profile inactive). Disabling a disabled agent changes nothing.
 */
export const handler = adminRoute(config, { params: agentEmailParams }, async ({ params, principal }) => {
  assertNotSelf(principal.email, params.email, 'disable');
  const before = await admins.getAgent(params.email);
  if (!before) throw new NotFoundError('Agent');
  await directory.disable(params.email);
  if (!isActive(before)) return json(200, agentView(before));
  const saved = await admins.updateAgent(before, { ...before, active: false }, { actor: principal.email, action: 'agent.disabled', target: params.email, changes: { active: [true, false] } });
  agentStatus(config.tableName).forget(params.email);
  return json(200, agentView(saved));
});
