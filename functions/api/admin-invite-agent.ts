import { agentView, groupsFor, inviteAgentBody } from '#core/admin';
import { RuleViolationError } from '#core/errors';
import { adminStore } from '#adapters/admin-store';
import { agentStatus } from '#adapters/agent-status';
import { departmentStore } from '#adapters/department-store';
import { UserExistsError, userDirectory } from '#adapters/user-directory';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { HttpError, json } from '#shared/http';

const config = await configFor('AdminInviteAgent');

const departments = departmentStore(config.tableName);
const admins = adminStore(config.tableName);
const directory = userDirectory(config.userPoolId);

/**
 * POST /admin/agents: invites an agent. Cognito mails a temporary password; the
 * first sign-in asks for a new one. The agent's profile (level, departments)
 * is written with the audit record. An agent who exists is a 409, and nothing changes.
 */
export const handler = adminRoute(config, { body: inviteAgentBody }, async ({ body, principal }) => {
  const unknown = [];
  for (const id of body.departments) if (!(await departments.knownDepartment(id))) unknown.push(id);
  if (unknown.length) throw new RuleViolationError('unknown_department', `Unknown department: ${unknown.join(', ')}`, { unknown });
  if (await admins.getAgent(body.email)) throw new HttpError(409, 'agent_exists', 'An agent with this email already exists');

  let status: string | undefined;
  try {
    status = (await directory.invite(body.email, body.name)).status;
  } catch (err) {
    // The user pool has them but the desk has no profile: an admin made with the CLI at deploy
    // time, or an invitation interrupted before its profile was written. Complete it.
    if (!(err instanceof UserExistsError)) throw err;
  }
  const groups = groupsFor(body.level, body.admin);
  for (const group of groups) await directory.addToGroup(body.email, group);
  const profile = { email: body.email, name: body.name, groups, departments: body.departments, active: true };
  const view = agentView(profile);
  const created = await admins.createAgent(profile, {
    actor: principal.email,
    action: 'agent.invited',
    target: body.email,
    changes: { name: [null, view.name], level: [null, view.level], admin: [null, view.admin], departments: [null, view.departments] },
  });
  // A simultaneous invitation of the same agent got there first.
  if (!created) throw new HttpError(409, 'agent_exists', 'An agent with this email already exists');
  // A user who worked without a profile (the first admin) now has one: it, not their token, grants their rights.
  agentStatus(config.tableName).forget(body.email);
  return json(201, agentView(profile, status));
});
