import { describe, expect, it } from 'vitest';
import { inviteAgent, updateAgent, type AgentAdminDeps } from '../../functions/app/agent-admin.ts';
import { UserExistsError } from '../../functions/adapters/user-directory.ts';
import type { AgentProfile, AuditInput } from '../../functions/adapters/admin-store.ts';

const admin = { email: 'admin@desk.example' };

/** Profiles in memory, the user pool's calls logged in order, and the audit records kept. */
function fakes(profiles: AgentProfile[] = [], opts: { inPool?: boolean; raceLost?: boolean } = {}) {
  const stored = new Map(profiles.map((p) => [p.email, p]));
  const calls: string[] = [];
  const audits: AuditInput[] = [];
  const deps: AgentAdminDeps = {
    admins: {
      getAgent: async (email) => stored.get(email),
      createAgent: async (p, audit) => {
        if (opts.raceLost) return false;
        stored.set(p.email, p);
        audits.push(audit);
        return true;
      },
      updateAgent: async (_before, after, audit) => (stored.set(after.email, after), audits.push(audit), after),
    },
    directory: {
      invite: async (email) => {
        calls.push(`invite ${email}`);
        if (opts.inPool) throw new UserExistsError();
        return { email, status: 'FORCE_CHANGE_PASSWORD' } as never;
      },
      addToGroup: async (_e, g) => void calls.push(`+${g}`),
      removeFromGroup: async (_e, g) => void calls.push(`-${g}`),
    },
    knownDepartment: async (id) => ['it', 'hr'].includes(id),
    forget: (email) => void calls.push(`forget ${email}`),
  };
  return { deps, calls, audits, stored };
}

const ana: AgentProfile = { email: 'ana@desk.example', name: 'Ana', groups: ['agents-l1'], departments: ['it'], active: true };

describe('inviteAgent', () => {
  it('invites in the user pool, sets the groups, writes the profile with its audit record and forgets any cached rights', async () => {
    const f = fakes();
    const out = await inviteAgent({ email: 'bia@desk.example', name: 'Bia', level: 2, admin: false, departments: ['hr'] }, admin, f.deps);
    expect(out).toMatchObject({ invited: { email: 'bia@desk.example', level: 2, departments: ['hr'], status: 'FORCE_CHANGE_PASSWORD' } });
    expect(f.calls).toEqual(['invite bia@desk.example', '+agents-l2', 'forget bia@desk.example']);
    expect(f.audits[0]).toMatchObject({ action: 'agent.invited' });
  });

  it('completes a user the pool has but the desk has no profile for (the first admin)', async () => {
    const f = fakes([], { inPool: true });
    expect(await inviteAgent({ email: 'root@desk.example', name: 'Root', level: 3, admin: true, departments: [] }, admin, f.deps)).toHaveProperty('invited');
    expect(f.stored.has('root@desk.example')).toBe(true);
  });

  it('an agent who exists, or a simultaneous invitation that got there first, changes nothing more', async () => {
    const f = fakes([ana]);
    expect(await inviteAgent({ email: ana.email, name: 'Ana', level: 1, admin: false, departments: [] }, admin, f.deps)).toEqual({ exists: true });
    expect(f.calls).toEqual([]);
    const race = fakes([], { raceLost: true });
    expect(await inviteAgent({ email: 'bia@desk.example', name: 'Bia', level: 1, admin: false, departments: [] }, admin, race.deps)).toEqual({ exists: true });
    expect(race.calls).not.toContain('forget bia@desk.example');
  });

  it('unknown departments are refused, naming each, before anything is written', async () => {
    const f = fakes();
    await expect(inviteAgent({ email: 'bia@desk.example', name: 'Bia', level: 1, admin: false, departments: ['it', 'x', 'y'] }, admin, f.deps)).rejects.toMatchObject({ code: 'unknown_department', details: { unknown: ['x', 'y'] } });
    expect(f.calls).toEqual([]);
  });
});

describe('updateAgent', () => {
  it('a new level sets the groups in full, writes the change with its audit record and forgets the cached rights', async () => {
    const f = fakes([ana]);
    const out = await updateAgent(ana.email, { level: 2 }, admin, f.deps);
    expect(out.level).toBe(2);
    expect(f.calls[0]).toBe('+agents-l2');
    expect(f.calls).toContain('-agents-l1');
    expect(f.calls.at(-1)).toBe(`forget ${ana.email}`);
    expect(f.audits[0]).toMatchObject({ action: 'agent.updated', changes: { level: [1, 2] } });
  });

  it('nothing that shows changed: no write, no audit record', async () => {
    const f = fakes([ana]);
    expect((await updateAgent(ana.email, { name: 'Ana' }, admin, f.deps)).name).toBe('Ana');
    expect(f.audits).toEqual([]);
  });

  it('an unknown agent is not found; an admin cannot remove their own admin rights', async () => {
    const f = fakes([{ ...admin, name: 'Admin', groups: ['admins', 'agents-l3'], departments: [], active: true }]);
    await expect(updateAgent('nobody@desk.example', { name: 'X' }, admin, f.deps)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(updateAgent(admin.email, { admin: false }, admin, f.deps)).rejects.toMatchObject({ code: 'cannot_demote_self' });
  });
});
