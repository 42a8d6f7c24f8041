import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { setLanguage, t } from '../../dashboard/src/i18n/index.ts';
import {
  adminErrorText,
  agentFromList,
  agentPatch,
  appendAudit,
  auditChangeLines,
  cannedBody,
  cannedIdFrom,
  erasureReady,
  inviteBody,
  isAdmin,
  levelOf,
  sortTeam,
  type AgentView,
  type AuditRecord,
} from '../../dashboard/src/admin/logic.ts';
import { ensureDashboardBuilt } from '../../local/dashboard-server.ts';
import { groupsFor, levelOf as serverLevelOf } from '../../functions/core/admin.ts';

beforeAll(() => setLanguage('en'));

const ana: AgentView = { email: 'ana@example.com', name: 'Ana Souza', level: 1, admin: false, departments: ['support'], groups: ['agents-l1'], active: true };

describe('admin area: agents', () => {
  it('reads level and admin from groups as the API does', () => {
    for (const level of [1, 2, 3, null] as const)
      for (const admin of [true, false]) {
        const groups = groupsFor(level, admin);
        expect(levelOf(groups)).toBe(serverLevelOf(groups));
        expect(isAdmin(groups)).toBe(admin);
      }
    expect(agentFromList({ email: 'a@x.io', groups: ['admins'] })).toEqual({ email: 'a@x.io', name: '', level: null, admin: true, departments: [], groups: ['admins'], active: true });
    expect(agentFromList({ email: 'b@x.io', name: 'B', groups: ['agents-l2'], departments: ['it'], active: false }).active).toBe(false);
  });

  it('builds the invitation, or says what to fix', () => {
    expect(inviteBody({ email: ' Ana@Example.com ', name: ' Ana ', level: '2', admin: true, departments: ['it', 'it', 'hr'] })).toEqual({
      ok: true,
      body: { email: 'ana@example.com', name: 'Ana', level: 2, admin: true, departments: ['it', 'hr'] },
    });
    const bad = inviteBody({ email: 'not-an-address', name: '  ', level: '4', admin: false, departments: [] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors).sort()).toEqual(['email', 'level', 'name']);
  });

  it('sends only what changed, and nothing when nothing did', () => {
    const same = { name: 'Ana Souza', level: '1', admin: false, departments: ['support'] };
    expect(agentPatch(ana, same)).toEqual({ ok: true, body: null });
    expect(agentPatch(ana, { ...same, level: '2' })).toEqual({ ok: true, body: { level: 2 } });
    expect(agentPatch(ana, { ...same, name: ' Ana S. ', departments: ['it', 'support'] })).toEqual({ ok: true, body: { name: 'Ana S.', departments: ['it', 'support'] } });
    // Departments are a set: order alone is no change.
    expect(agentPatch({ ...ana, departments: ['a', 'b'] }, { ...same, departments: ['b', 'a'] })).toEqual({ ok: true, body: null });
    expect(agentPatch(ana, { ...same, admin: true })).toEqual({ ok: true, body: { admin: true } });
  });

  it('refuses an agent with neither a level nor admin rights', () => {
    const admin: AgentView = { ...ana, level: null, admin: true, groups: ['admins'] };
    expect(agentPatch(admin, { name: ana.name, level: '', admin: true, departments: ana.departments })).toEqual({ ok: true, body: null });
    const r = agentPatch(admin, { name: ana.name, level: '', admin: false, departments: ana.departments });
    expect(r.ok).toBe(false);
    expect(agentPatch(admin, { name: ana.name, level: '3', admin: false, departments: ana.departments })).toEqual({ ok: true, body: { level: 3, admin: false } });
  });

  it('orders the team: active first, then by name', () => {
    const team = sortTeam([
      { ...ana, email: 'z@x.io', name: 'Zé', active: false },
      { ...ana, email: 'b@x.io', name: 'Bia' },
      { ...ana, email: 'a@x.io', name: '' },
    ]);
    expect(team.map((a) => a.email)).toEqual(['a@x.io', 'b@x.io', 'z@x.io']);
  });
});

describe('admin area: errors in plain words', () => {
  const err = (status: number, code: string, details?: unknown, message = 'm') => ({ status, code, message, details });

  it('explains each refusal of the admin routes', () => {
    expect(adminErrorText(err(409, 'agent_exists'))).toBe(t('admin.error.agentExists'));
    expect(adminErrorText(err(422, 'cannot_disable_self'))).toMatch(/your own account/);
    expect(adminErrorText(err(422, 'cannot_demote_self'))).toMatch(/your own admin rights/);
    expect(adminErrorText(err(422, 'unknown_department', { unknown: ['legal', 'ops'] }))).toBe('The help desk does not know these departments: legal, ops.');
    expect(adminErrorText(err(403, 'forbidden'))).toBe(t('admin.error.forbidden'));
    expect(adminErrorText(err(404, 'not_found'))).toBe(t('admin.error.notFound'));
  });

  it('names the fields a 400 lists', () => {
    const text = adminErrorText(err(400, 'validation_failed', [{ path: 'email', message: 'Invalid email' }, { path: 'title.pt-BR', message: 'Too small' }]));
    expect(text).toBe('Not accepted: Email: Invalid email; title.pt-BR: Too small');
    expect(adminErrorText(err(400, 'validation_failed', undefined, 'The body is not valid'))).toBe('Not accepted: The body is not valid');
  });

  it('leaves network, session and server errors to the general wording', () => {
    expect(adminErrorText(err(0, 'network'))).toBeUndefined();
    expect(adminErrorText(err(401, 'session_expired'))).toBeUndefined();
    expect(adminErrorText(err(500, 'internal'))).toBeUndefined();
    expect(adminErrorText(new Error('x'))).toBeUndefined();
  });

  it('reads the same in Portuguese', () => {
    setLanguage('pt-BR');
    try {
      expect(adminErrorText(err(409, 'agent_exists'))).toMatch(/Já existe um agente/);
    } finally {
      setLanguage('en');
    }
  });
});

describe('admin area: erasure and canned responses', () => {
  it('sends an erasure only for one valid address typed twice and confirmed', () => {
    expect(erasureReady('a@x.io', 'a@x.io', true).ready).toBe(true);
    expect(erasureReady(' A@X.io ', 'a@x.io', true).ready).toBe(true);
    expect(erasureReady('a@x.io', 'a@x.io', false).ready).toBe(false);
    expect(erasureReady('a@x.io', 'b@x.io', true)).toEqual({ ready: false, mismatch: true, invalid: false });
    expect(erasureReady('a@x.io', '', true)).toEqual({ ready: false, mismatch: false, invalid: false });
    expect(erasureReady('nope', 'nope', true)).toEqual({ ready: false, mismatch: false, invalid: true });
    expect(erasureReady('', '', true).ready).toBe(false);
  });

  it('makes an id from the English title the API accepts', () => {
    expect(cannedIdFrom('Password reset!')).toBe('password-reset');
    expect(cannedIdFrom('  Ação -- rápida  ')).toBe('acao-rapida');
    expect(cannedIdFrom('x'.repeat(80))).toHaveLength(64);
    expect(cannedIdFrom(`${'a'.repeat(63)} b`)).toBe('a'.repeat(63));
  });

  it('checks both languages of a canned response', () => {
    const form = { id: 'Vpn-Help', titleEn: ' VPN ', titlePt: 'VPN', bodyEn: 'Try again.', bodyPt: 'Tente de novo.' };
    expect(cannedBody(form)).toEqual({ ok: true, id: 'vpn-help', body: { title: { en: 'VPN', 'pt-BR': 'VPN' }, body: { en: 'Try again.', 'pt-BR': 'Tente de novo.' } } });
    const bad = cannedBody({ ...form, id: '-bad', bodyPt: ' ', titleEn: 'x'.repeat(201) });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors).sort()).toEqual(['bodyPt', 'id', 'titleEn']);
  });
});

describe('admin area: audit', () => {
  const rec = (id: string, changes?: AuditRecord['changes']): AuditRecord => ({ id, at: '2026-11-20T10:00:00Z', actor: 'admin@x.io', action: 'agent.updated', target: 'ana@x.io', ...(changes && { changes }) });

  it('shows each change as before → after', () => {
    expect(auditChangeLines(rec('1', { level: [1, 2], departments: [['it'], ['it', 'hr']], name: [null, 'Ana'] }))).toEqual(['level: 1 → 2', 'departments: it → it, hr', 'name: Ana']);
    expect(auditChangeLines(rec('2'))).toEqual([]);
  });

  it('adds the next page without repeating a record', () => {
    expect(appendAudit([rec('3'), rec('2')], [rec('2'), rec('1')]).map((r) => r.id)).toEqual(['3', '2', '1']);
  });
});

describe('admin area: loaded only when opened', () => {
  it('keeps the admin pages out of the first page’s scripts', async () => {
    const { distDir } = await ensureDashboardBuilt();
    const html = await readFile(join(distDir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/admin/);
    const chunks = await readdir(join(distDir, 'assets'));
    expect(chunks.some((f) => /^admin-page-.*\.js$/.test(f))).toBe(true);
  }, 180_000);
});
