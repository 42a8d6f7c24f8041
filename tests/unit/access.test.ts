import { describe, expect, it } from 'vitest';
import { accessCache, ACCESS_CACHE_MS } from '../../functions/adapters/agent-status.ts';
import { assertMayPatch, can, rightsFrom, visibleDepartments, type Rights } from '../../functions/core/access.ts';
import { ForbiddenError } from '../../functions/core/errors.ts';
import { principalFor } from '../../functions/shared/auth.ts';

/** A profile store an admin changes while a token is in use, and a clock the test moves. */
function fakeDesk() {
  const profiles = new Map<string, { active?: boolean; groups: string[]; departments: string[] }>();
  let now = 1_000_000;
  let reads = 0;
  const cache = accessCache(
    {
      profile: async (email) => (reads++, profiles.get(email) && { ...profiles.get(email)! }),
      restricted: async () => ['hr'],
    },
    () => now,
  );
  return { profiles, cache, advance: (ms: number) => (now += ms), reads: () => reads };
}

const who = { sub: 's-1', email: 'ana@example.com', tokenGroups: ['admins', 'agents-l3'] };
async function rightsNow(desk: ReturnType<typeof fakeDesk>) {
  return principalFor(who, await desk.cache.profile(who.email), await desk.cache.restricted());
}

describe('authorization comes from the profile, read through a short cache', () => {
  it('a demotion reaches a token that still says admin once the cache window ends, and at once after forget()', async () => {
    const desk = fakeDesk();
    desk.profiles.set(who.email, { groups: ['admins', 'agents-l3'], departments: ['it'] });
    expect(await rightsNow(desk)).toMatchObject({ ok: true, principal: { admin: true, level: 3, departments: ['it'] } });

    // Demoted: the token still carries `admins`, the profile no longer does.
    desk.profiles.set(who.email, { groups: ['agents-l1'], departments: ['support'] });
    desk.advance(ACCESS_CACHE_MS - 1);
    // Within the window: the cached answer (the process that demoted them forgot it; others wait).
    expect(await rightsNow(desk)).toMatchObject({ ok: true, principal: { admin: true } });
    desk.advance(1);
    expect(await rightsNow(desk)).toMatchObject({ ok: true, principal: { admin: false, level: 1, departments: ['support'], groups: ['agents-l1'] } });

    // Promoted back by another admin: the process that wrote it forgets at once.
    desk.profiles.set(who.email, { groups: ['admins'], departments: [] });
    desk.cache.forget(who.email);
    expect(await rightsNow(desk)).toMatchObject({ ok: true, principal: { admin: true, level: null } });
  });

  it('one read per agent per window; a disabled profile is a 401 whatever the token says', async () => {
    const desk = fakeDesk();
    desk.profiles.set(who.email, { groups: ['admins'], departments: [] });
    await desk.cache.profile(who.email);
    await desk.cache.profile(who.email);
    expect(desk.reads()).toBe(1);
    desk.profiles.set(who.email, { active: false, groups: ['admins'], departments: [] });
    desk.cache.forget(who.email);
    expect(await rightsNow(desk)).toMatchObject({ ok: false, status: 401 });
  });

  it('with no profile (the first admin, made with the CLI) the token groups count, with no department', async () => {
    const desk = fakeDesk();
    expect(await rightsNow(desk)).toMatchObject({ ok: true, principal: { admin: true, level: 3, departments: [], restricted: ['hr'] } });
  });

  it('a profile in no agent group is a 403, even with an agent token', () => {
    expect(principalFor(who, { groups: [], departments: ['it'] }, [])).toMatchObject({ ok: false, status: 403 });
  });
});

const agent = (level: 1 | 2 | 3, departments: string[], restricted: string[] = ['hr']): Rights & { email: string } => ({
  ...rightsFrom({ groups: [`agents-l${level}`], departments }, [], restricted),
  email: 'me@example.com',
});
const admin = (departments: string[] = [], restricted: string[] = ['hr']) => ({ ...rightsFrom({ groups: ['admins'], departments }, [], restricted), email: 'boss@example.com' });

describe('departments are a confidentiality boundary', () => {
  it('an agent sees their departments, and the dispatch queue only at level 1', () => {
    expect(can(agent(2, ['support']), { department: 'support' })).toBe(true);
    expect(can(agent(2, ['support']), { department: 'it' })).toBe(false);
    expect(can(agent(2, ['support']), { department: null })).toBe(false);
    expect(can(agent(1, ['support']), { department: null })).toBe(true);
    expect(can(agent(1, []), { department: 'support' })).toBe(false);
    expect(can(agent(2, ['hr']), { department: 'hr' })).toBe(true);
  });

  it('admins see everything but restricted departments they are not in', () => {
    expect(can(admin(), { department: 'it' })).toBe(true);
    expect(can(admin(), { department: null })).toBe(true);
    expect(can(admin(), { department: 'hr' })).toBe(false);
    expect(can(admin(['hr']), { department: 'hr' })).toBe(true);
    expect(visibleDepartments(admin())).toEqual({ all: true, except: ['hr'] });
    expect(visibleDepartments(agent(1, ['it']))).toEqual({ all: false, departments: ['it'], dispatch: true });
  });
});

describe('levels mean something', () => {
  const code = (f: () => void) => {
    try {
      f();
      return 'ok';
    } catch (e) {
      return e instanceof ForbiddenError ? e.code : String(e);
    }
  };
  it('an agent raises freely, lowers no further than their own level, and lowers no ticket above it', () => {
    expect(code(() => assertMayPatch(agent(2, []), { level: 1 }, { level: 3 }))).toBe('ok');
    expect(code(() => assertMayPatch(agent(1, []), { level: 2 }, { level: 2 }))).toBe('ok');
    expect(code(() => assertMayPatch(agent(3, []), { level: 3 }, { level: 2 }))).toBe('level_below_own');
    expect(code(() => assertMayPatch(agent(2, []), { level: 2 }, { level: 1 }))).toBe('level_below_own');
    // A ticket above one's level cannot be pulled down to it (and then taken).
    expect(code(() => assertMayPatch(agent(2, []), { level: 3 }, { level: 2 }))).toBe('level_above_own');
    expect(code(() => assertMayPatch(agent(1, []), { level: 3 }, { level: 1 }))).toBe('level_above_own');
    expect(code(() => assertMayPatch(admin(), { level: 3 }, { level: 1 }))).toBe('ok');
  });

  it('an agent takes no ticket above their level, as it is or as the same change leaves it', () => {
    expect(code(() => assertMayPatch(agent(1, []), { level: 2 }, { assignee: 'ME@example.com' }))).toBe('level_above_own');
    expect(code(() => assertMayPatch(agent(2, []), { level: 2 }, { level: 3, assignee: 'me@example.com' }))).toBe('level_above_own');
    expect(code(() => assertMayPatch(agent(2, []), { level: 2 }, { assignee: 'me@example.com' }))).toBe('ok');
    expect(code(() => assertMayPatch(agent(3, []), { level: 2 }, { assignee: 'me@example.com' }))).toBe('ok');
    // Handing it to someone else is not taking it.
    expect(code(() => assertMayPatch(agent(1, []), { level: 3 }, { assignee: 'l3@example.com' }))).toBe('ok');
    expect(code(() => assertMayPatch(admin(), { level: 3 }, { assignee: 'boss@example.com' }))).toBe('ok');
  });
});

describe('report counters per department', () => {
  it('a report sums only the departments the caller may count; counters from before departments are for admins', async () => {
    const { visibleCounters, creationCounts } = await import('../../functions/core/report.ts');
    const { mayCount } = await import('../../functions/core/access.ts');
    const counters = {
      volume: [
        { day: '2026-12-01', category: 'none', count: 2, department: 'support' },
        { day: '2026-12-01', category: 'none', count: 5, department: 'hr' },
        { day: '2026-12-01', category: 'none', count: 7, department: undefined },
        { day: '2026-12-01', category: 'none', count: 1, department: null },
      ],
      subjects: [{ subject: 'salary review', count: 1, department: 'hr' }],
      sla: [],
      backlog: [],
      csat: [{ r5: 1, count: 1, sum: 5, department: 'hr' }],
    };
    const seen = (r: Rights) => visibleCounters(counters, (d) => mayCount(r, d));
    expect(seen(agent(2, ['support'])).volume.map((v) => v.count)).toEqual([2]);
    expect(seen(agent(1, ['support'])).volume.map((v) => v.count)).toEqual([2, 1]);
    expect(seen(admin()).volume.map((v) => v.count)).toEqual([2, 7, 1]);
    expect(seen(admin()).subjects).toEqual([]);
    expect(seen(admin()).csat).toEqual([]);
    expect(seen(agent(3, ['hr'])).subjects).toHaveLength(1);
    // A ticket is counted under its department; an erasure names the one it was counted under.
    const t = { spam: false, createdAt: '2026-12-01T10:00:00Z', category: null, subject: 'Salary review', department: 'hr' } as never;
    expect(creationCounts(t).map((c) => c.department)).toEqual(['hr', 'hr']);
    expect(creationCounts(t, -1, { department: undefined }).map((c) => c.department)).toEqual([undefined, undefined]);
  });
});

describe('mail to agents', () => {
  it('an SLA breach notice goes only to those who may see the ticket: the next level, else the admins', async () => {
    const { breachRecipients } = await import('../../functions/core/access.ts');
    const team = [
      { email: 'l2-support@x', groups: ['agents-l2'], departments: ['support'] },
      { email: 'l2-hr@x', groups: ['agents-l2'], departments: ['hr'] },
      { email: 'l2-off@x', groups: ['agents-l2'], departments: ['hr'], active: false },
      { email: 'l1@x', groups: ['agents-l1'], departments: [] },
      { email: 'admin@x', groups: ['admins'], departments: [] },
      { email: 'admin-hr@x', groups: ['admins'], departments: ['hr'] },
    ];
    expect(breachRecipients(team, { department: 'hr' }, 2, ['hr'])).toEqual(['l2-hr@x']);
    expect(breachRecipients(team, { department: 'support' }, 2, ['hr'])).toEqual(['l2-support@x']);
    // Level 3 ran out: the admins, but a restricted department's only to its own.
    expect(breachRecipients(team, { department: 'hr' }, null, ['hr'])).toEqual(['admin-hr@x']);
    expect(breachRecipients(team, { department: 'it' }, null, ['hr'])).toEqual(['admin@x', 'admin-hr@x']);
    // No department yet: no level-2 agent sees it, so the admins hear of it.
    expect(breachRecipients(team, { department: null }, 2, ['hr'])).toEqual(['admin@x', 'admin-hr@x']);
    expect(breachRecipients(team, { department: 'finance' }, 3, ['hr'])).toEqual(['admin@x', 'admin-hr@x']);
  });
});

describe('restricted departments in cdk.json', () => {
  it('parse as a boolean, and nothing else', async () => {
    const { parseConfig, contextKeys } = await import('../../lib/config.ts');
    const base = { id: 'hr', name: { en: 'HR', 'pt-BR': 'RH' }, kind: 'internal' };
    expect(parseConfig({ [contextKeys.departments]: [{ ...base, restricted: true }] }).departments).toEqual([{ ...base, restricted: true }]);
    expect(parseConfig({ [contextKeys.departments]: [{ ...base, restricted: false }] }).departments).toEqual([base]);
    expect(() => parseConfig({ [contextKeys.departments]: [{ ...base, restricted: 'yes' }] })).toThrow(/"restricted" must be true or false/);
  });
});
