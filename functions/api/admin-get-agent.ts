import { agentEmailParams, agentView } from '#core/admin';
import { NotFoundError } from '#core/errors';
import { adminStore } from '#adapters/admin-store';
import { userDirectory } from '#adapters/user-directory';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { json } from '#shared/http';

const config = await configFor('AdminGetAgent');

const admins = adminStore(config.tableName);
const directory = userDirectory(config.userPoolId);

/** GET /admin/agents/{email}: the profile, with the user pool's view (status, enabled). */
export const handler = adminRoute(config, { params: agentEmailParams }, async ({ params }) => {
  const profile = await admins.getAgent(params.email);
  if (!profile) throw new NotFoundError('Agent');
  const user = await directory.get(params.email);
  return json(200, { ...agentView(profile, user?.status ?? 'MISSING'), enabled: user?.enabled ?? false });
});
