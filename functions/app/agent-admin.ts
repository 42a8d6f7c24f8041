import type { z } from 'zod';
import { agentView, diff, groupChanges, groupsFor, updatedGroups, type AgentView, type inviteAgentBody, type updateAgentBody } from '#core/admin';
import { NotFoundError, RuleViolationError } from '#core/errors';
import type { AdminStore } from '#adapters/admin-store';
import type { UserDirectory } from '#adapters/user-directory';
import { UserExistsError } from '#adapters/user-directory';

/**
 * Admins invite and change agents. Cognito holds the sign-in and the groups
 * (the next token carries them); the desk profile, written with its audit
 * record, is what authorization and assignment read, so a change reaches the
 * tokens an agent already holds once the function's cached copy is forgotten.
 */
export interface AgentAdminDeps {
  admins: Pick<AdminStore, 'getAgent' | 'createAgent' | 'updateAgent'>;
  directory: Pick<UserDirectory, 'invite' | 'addToGroup' | 'removeFromGroup'>;
  knownDepartment(id: string): Promise<boolean>;
  /** Drops this function's cached copy of the agent's rights. */
  forget(email: string): void;
}

/** An agent who exists already: nothing changes. */
export type InviteOutcome = { invited: AgentView } | { exists: true };

/** Invites an agent: Cognito mails a temporary password, and the profile (level, departments) is written with the audit record. */
export async function inviteAgent(body: z.infer<typeof inviteAgentBody>, admin: { email: string }, deps: AgentAdminDeps): Promise<InviteOutcome> {
  await checkDepartments(body.departments, deps);
  if (await deps.admins.getAgent(body.email)) return { exists: true };
  let status: string | undefined;
  try {
    status = (await deps.directory.invite(body.email, body.name)).status;
  } catch (err) {
    // The user pool has them but the desk has no profile: an admin made with the CLI at deploy
    // time, or an invitation interrupted before its profile was written. Complete it.
    if (!(err instanceof UserExistsError)) throw err;
  }
  const groups = groupsFor(body.level, body.admin);
  for (const group of groups) await deps.directory.addToGroup(body.email, group);
  const profile = { email: body.email, name: body.name, groups, departments: body.departments, active: true };
  const view = agentView(profile);
  const created = await deps.admins.createAgent(profile, {
    actor: admin.email,
    action: 'agent.invited',
    target: body.email,
    changes: { name: [null, view.name], level: [null, view.level], admin: [null, view.admin], departments: [null, view.departments] },
  });
  // A simultaneous invitation of the same agent got there first.
  if (!created) return { exists: true };
  // A user who worked without a profile (the first admin) now has one: it, not their token, grants their rights.
  deps.forget(body.email);
  return { invited: agentView(profile, status) };
}

/** Changes an agent's name, level, admin rights or departments; Cognito's groups follow the level and admin flag. */
export async function updateAgent(email: string, body: z.infer<typeof updateAgentBody>, admin: { email: string }, deps: AgentAdminDeps): Promise<AgentView> {
  const before = await deps.admins.getAgent(email);
  if (!before) throw new NotFoundError('Agent');
  if (body.departments) await checkDepartments(body.departments, deps);
  const regroup = body.level !== undefined || body.admin !== undefined;
  const groups = regroup ? updatedGroups(before.groups ?? [], body, admin.email === email) : (before.groups ?? []);
  const after = { ...before, name: body.name ?? before.name, groups, departments: body.departments ?? before.departments ?? [] };
  const { email: _a, active: _b, groups: _c, ...shownBefore } = agentView(before);
  const { email: _d, active: _e, groups: _f, ...shownAfter } = agentView(after);
  const changes = diff(shownBefore, shownAfter);
  // Groups are set in full whenever level or admin is sent, so a pool that drifted is put right.
  if (regroup) {
    const { add, remove } = groupChanges([], groups);
    for (const g of add) await deps.directory.addToGroup(email, g);
    for (const g of remove) await deps.directory.removeFromGroup(email, g);
  }
  if (Object.keys(changes).length === 0) return agentView(before);
  const saved = await deps.admins.updateAgent(before, after, { actor: admin.email, action: 'agent.updated', target: email, changes });
  // Their rights (admin, level, departments) are read from this profile: the change applies to the token they hold.
  deps.forget(email);
  return agentView(saved);
}

async function checkDepartments(ids: readonly string[], deps: Pick<AgentAdminDeps, 'knownDepartment'>) {
  const unknown = [];
  for (const id of ids) if (!(await deps.knownDepartment(id))) unknown.push(id);
  if (unknown.length) throw new RuleViolationError('unknown_department', `Unknown department: ${unknown.join(', ')}`, { unknown });
}
