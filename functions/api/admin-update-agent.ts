import { agentEmailParams, agentView, diff, groupChanges, updateAgentBody, updatedGroups } from '#core/admin';
import { NotFoundError, RuleViolationError } from '#core/errors';
import { adminStore } from '#adapters/admin-store';
import { agentStatus } from '#adapters/agent-status';
import { departmentStore } from '#adapters/department-store';
import { userDirectory } from '#adapters/user-directory';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { json } from '#shared/http';

const config = await configFor('AdminUpdateAgent');

const departments = departmentStore(config.tableName);
const admins = adminStore(config.tableName);
const directory = userDirectory(config.userPoolId);

/**
 * PATCH /admin/agents/{email}: name, level, admin rights, departments. Cognito's
 * groups follow the level and admin flag (the agent's next token carries them);
 * the profile that authorization and assignment read is written with the audit record, and
 * takes effect on the tokens the agent already holds (within the 30 s the profile is cached).
 */
export const handler = adminRoute(config, { params: agentEmailParams, body: updateAgentBody }, async ({ params, body, principal }) => {
  const before = await admins.getAgent(params.email);
  if (!before) throw new NotFoundError('Agent');
  if (body.departments) {
    const unknown = [];
    for (const id of body.departments) if (!(await departments.knownDepartment(id))) unknown.push(id);
    if (unknown.length) throw new RuleViolationError('unknown_department', `Unknown department: ${unknown.join(', ')}`, { unknown });
  }
  const regroup = body.level !== undefined || body.admin !== undefined;
  const groups = regroup ? updatedGroups(before.groups ?? [], body, principal.email === params.email) : (before.groups ?? []);
  const after = { ...before, name: body.name ?? before.name, groups, departments: body.departments ?? before.departments ?? [] };
  const { email: _a, active: _b, groups: _c, ...shownBefore } = agentView(before);
  const { email: _d, active: _e, groups: _f, ...shownAfter } = agentView(after);
  const changes = diff(shownBefore, shownAfter);
  // Groups are set in full whenever level or admin is sent, so a pool that drifted is put right.
  if (regroup) {
    const { add, remove } = groupChanges([], groups);
    for (const g of add) await directory.addToGroup(params.email, g);
    for (const g of remove) await directory.removeFromGroup(params.email, g);
  }
  if (Object.keys(changes).length === 0) return json(200, agentView(before));
  const saved = await admins.updateAgent(before, after, { actor: principal.email, action: 'agent.updated', target: params.email, changes });
  // Their rights (admin, level, departments) are read from this profile: the change applies to the token they hold.
  agentStatus(config.tableName).forget(params.email);
  return json(200, agentView(saved));
});
