import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buckets } from '../../lib/definitions/resources.ts';
import { defaultDepartments } from '../../lib/config.ts';
import { apiCall, poll, repoRoot, signInAs, startLocalMode, type LocalMode } from './local-mode.ts';

/**
 * Departments are a confidentiality boundary, and levels mean something. A local-mode instance
 * of its own, whose cdk.json adds a restricted department (`legal`), with the demo agents put
 * in known departments:
 *
 *   admin  every department but legal (an admin outside a restricted department)
 *   l1     support, level 1 (so also the dispatch queue)
 *   l2     support and legal (a member of the restricted department)
 *   l3     it
 *
 * Each route is tried by each of them on a ticket of support, it, legal and the dispatch queue
 * (no department): what they may not see is a 404 with the very body of a missing ticket.
 */
let local: LocalMode;
let configDir: string;
const ADMIN = 'admin@helpdesk.local';
const L1 = 'l1@helpdesk.local';
const L2 = 'l2@helpdesk.local';
const L3 = 'l3@helpdesk.local';
const callers = [ADMIN, L1, L2, L3] as const;
type Caller = (typeof callers)[number];
type Kind = 'support' | 'it' | 'legal' | 'dispatch';
const kinds: Kind[] = ['support', 'it', 'legal', 'dispatch'];

/** Who sees what: the matrix every route must follow. */
const sees: Record<Caller, Record<Kind, boolean>> = {
  [ADMIN]: { support: true, it: true, legal: false, dispatch: true },
  [L1]: { support: true, it: false, legal: false, dispatch: true },
  [L2]: { support: true, it: false, legal: true, dispatch: false },
  [L3]: { support: false, it: true, legal: false, dispatch: false },
};
/** Someone who may see each kind, to set things up. */
const member: Record<Kind, Caller> = { support: L1, it: L3, legal: L2, dispatch: ADMIN };

const tokens = new Map<string, string>();
const token = async (email: string) => tokens.get(email) ?? (tokens.set(email, await signInAs(local.endpoints, email)), tokens.get(email)!);

const call = async (who: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => apiCall(local.endpoints.apiUrl, await token(who), method, path, body, headers);

const requester = `access-${randomUUID().slice(0, 8)}@example.com`;
const word = `zq${randomUUID().slice(0, 6).replace(/-/g, '')}`;
const tickets = {} as Record<Kind, { id: string; number: number }>;

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'helpdesk-access-'));
  const cdk = JSON.parse(await readFile(join(repoRoot, 'cdk.json'), 'utf8'));
  cdk.context['helpdesk:departments'] = [...defaultDepartments, { id: 'legal', name: { en: 'Legal', 'pt-BR': 'Jurídico' }, kind: 'internal', restricted: true }];
  await writeFile(join(configDir, 'cdk.json'), JSON.stringify(cdk));
  // Rights are cached per function (30 s deployed); this instance reads them at every request, so the
  // department changes below are seen by the other functions at once (tests/integration/access-cache-off.policy.json).
  local = await startLocalMode({ env: { HELPDESK_CDK_JSON: join(configDir, 'cdk.json') }, extraArgs: ['--policy', join(repoRoot, 'tests/integration/access-cache-off.policy.json')] });

  const departments: Record<Caller, string[]> = {
    [ADMIN]: defaultDepartments.map((d) => d.id),
    [L1]: ['support'],
    [L2]: ['support', 'legal'],
    [L3]: ['it'],
  };
  for (const who of callers) {
    const res = await call(ADMIN, 'PATCH', `/admin/agents/${encodeURIComponent(who)}`, { departments: departments[who] });
    expect(res.status, res.text).toBe(200);
  }
  for (const kind of kinds) {
    // Preset departments; a subject triage cannot route waits in the dispatch queue.
    const res = await call(ADMIN, 'POST', '/tickets', {
      requester: { email: requester },
      subject: `${word} ${kind}`,
      body: 'Qwzx plorb.',
      channel: 'phone',
      ...(kind !== 'dispatch' && { department: kind }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.department).toBe(kind === 'dispatch' ? null : kind);
    tickets[kind] = { id: res.body.id, number: res.body.number };
  }
  // Subject search and reports read what the lifecycle's first step indexes.
  await poll('the tickets indexed for search', async () => {
    const [admin, l2] = await Promise.all([call(ADMIN, 'GET', `/search?q=${word}`), call(L2, 'GET', `/search?q=${word}`)]);
    return (admin.body.items.length === 3 && l2.body.items.length === 2) || undefined;
  });
}, 240_000);

afterAll(async () => {
  await local?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

const missingId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
const expectedStatus = (who: Caller, kind: Kind, ok: number) => (sees[who][kind] ? ok : 404);

describe('every way into one ticket follows the matrix; 404 is a missing ticket', () => {
  const cases = callers.flatMap((who) => kinds.map((kind) => [who, kind] as const));

  it.each(cases)('%s on the %s ticket: get, patch, note, upload link, attachment link', async (who, kind) => {
    const id = tickets[kind].id;
    const missing = await call(who, 'GET', `/tickets/${missingId}`);
    expect(missing.status).toBe(404);

    const got = await call(who, 'GET', `/tickets/${id}`);
    expect(got.status, got.text).toBe(expectedStatus(who, kind, 200));
    if (got.status === 404) expect(got.body).toEqual(missing.body);

    // A PATCH without access is a 404 whatever version it names.
    const version = got.status === 200 ? got.body.ticket.version : 1;
    const patched = await call(who, 'PATCH', `/tickets/${id}`, { tags: [`seen-by-${who.slice(0, 2)}`] }, { 'if-match': `"${version}"` });
    expect(patched.status, patched.text).toBe(expectedStatus(who, kind, 200));
    if (patched.status === 404) expect(patched.body).toEqual(missing.body);

    const note = await call(who, 'POST', `/tickets/${id}/messages`, { kind: 'note', body: 'Internal note' });
    expect(note.status, note.text).toBe(expectedStatus(who, kind, 201));
    if (note.status === 404) expect(note.body).toEqual(missing.body);

    const upload = await call(who, 'POST', `/tickets/${id}/attachments`, { filename: 'a.txt', contentType: 'text/plain', size: 5 });
    expect(upload.status, upload.text).toBe(expectedStatus(who, kind, 201));
    if (upload.status === 404) expect(upload.body).toEqual(missing.body);
  });

  it.each(kinds)('an attachment of the %s ticket is linked only for those who see the ticket', async (kind) => {
    const id = tickets[kind].id;
    const upload = await call(member[kind], 'POST', `/tickets/${id}/attachments`, { filename: 'secret.txt', contentType: 'text/plain', size: 6 });
    expect(upload.status, upload.text).toBe(201);
    // The file itself, as the browser's upload leaves it (stored straight, so only access is under test here).
    const s3 = new S3Client({ region: local.endpoints.region, credentials: local.endpoints.credentials, endpoint: local.endpoints.services.s3, forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: buckets.mail.localName, Key: upload.body.key, Body: 'secret', ContentType: 'text/plain' }));
    const missing = await call(member[kind], 'GET', `/tickets/${id}/attachments?key=${encodeURIComponent(upload.body.key.replace(/[^/]+$/, 'nothing.txt'))}`);
    expect(missing.status).toBe(404);
    for (const who of callers) {
      const link = await call(who, 'GET', `/tickets/${id}/attachments?key=${encodeURIComponent(upload.body.key)}`);
      expect(link.status, `${who}: ${link.text}`).toBe(expectedStatus(who, kind, 200));
      if (link.status === 404) expect(link.body).toEqual(missing.body);
    }
  });
});

describe('every list shows only what the caller may see', () => {
  const visibleKinds = (who: Caller) => kinds.filter((k) => sees[who][k]);
  const idsOf = (items: { id: string }[]) => items.map((t) => t.id).filter((id) => kinds.some((k) => tickets[k].id === id)).sort();
  const idsFor = (ks: Kind[]) => ks.map((k) => tickets[k].id).sort();

  it.each(callers)('%s: queues (with and without filters), search and the customer history', async (who) => {
    const mine = idsFor(visibleKinds(who));
    expect(idsOf((await call(who, 'GET', '/tickets?limit=100')).body.items)).toEqual(mine);
    expect(idsOf((await call(who, 'GET', `/tickets?requester=${encodeURIComponent(requester)}`)).body.items)).toEqual(mine);
    expect(idsOf((await call(who, 'GET', '/tickets?assignee=none&limit=100')).body.items)).toEqual(mine);
    for (const kind of kinds) {
      const department = kind === 'dispatch' ? 'none' : kind;
      const queue = await call(who, 'GET', `/tickets?department=${department}&level=1`);
      expect(queue.status).toBe(200);
      expect(idsOf(queue.body.items), `${who} ${kind} queue`).toEqual(sees[who][kind] ? [tickets[kind].id] : []);
      const byNumber = await call(who, 'GET', `/search?q=%23${tickets[kind].number}`);
      expect(idsOf(byNumber.body.items), `${who} #${kind}`).toEqual(sees[who][kind] ? [tickets[kind].id] : []);
    }
    expect(idsOf((await call(who, 'GET', `/search?q=${word}`)).body.items)).toEqual(mine);
    expect(idsOf((await call(who, 'GET', `/search?q=${encodeURIComponent(requester)}`)).body.items)).toEqual(mine);
    expect(idsOf((await call(who, 'GET', `/customers/${encodeURIComponent(requester)}/tickets`)).body.items)).toEqual(mine);
  });

  it('an agent with no department sees nothing but what a level-1 agent dispatches', async () => {
    await call(ADMIN, 'PATCH', `/admin/agents/${encodeURIComponent(L3)}`, { departments: [] });
    try {
      expect(idsOf((await call(L3, 'GET', '/tickets?limit=100')).body.items)).toEqual([]);
      expect((await call(L3, 'GET', `/tickets/${tickets.it.id}`)).status).toBe(404);
    } finally {
      await call(ADMIN, 'PATCH', `/admin/agents/${encodeURIComponent(L3)}`, { departments: ['it'] });
    }
  });
});

describe('reports count only what the caller may see', () => {
  it.each(callers)('%s: volume, subject lines and backlog', async (who) => {
    const mine = kinds.filter((k) => sees[who][k]);
    const res = await call(who, 'GET', '/reports');
    expect(res.status, res.text).toBe(200);
    const sum = (rows: { count: number }[]) => rows.reduce((n, r) => n + r.count, 0);
    // Only this instance's tickets: the four of the matrix, counted under their departments.
    expect(sum(res.body.volume)).toBe(mine.length);
    expect(sum(res.body.backlog)).toBe(mine.length);
    const lines = (res.body.topSubjects as { subject: string }[]).map((s) => s.subject.split(' ').pop()).sort();
    expect(lines).toEqual([...mine].sort());
    // Triage decided only the dispatch ticket's department (the others were preset): its row is the dispatch queue's.
    expect(res.body.triage.total.triaged).toBe(sees[who].dispatch ? 1 : 0);
    expect((res.body.triage.departments as { department: string | null }[]).map((d) => d.department)).toEqual(sees[who].dispatch ? [null] : []);
    const csv = await fetch(`${local.endpoints.apiUrl}/reports?format=csv`, { headers: { authorization: `Bearer ${await token(who)}` } });
    expect(csv.status).toBe(200);
    expect((await csv.text()).includes(' legal')).toBe(sees[who].legal);
  });
});

describe('canned responses scoped to a department', () => {
  it('are offered only to those who see its tickets; an edit that leaves the department out keeps it', async () => {
    const reply = (id: string) => ({ title: { en: `Legal ${id}`, 'pt-BR': `Jurídico ${id}` }, body: { en: 'Our counsel will answer.', 'pt-BR': 'Nosso jurídico responderá.' } });
    const scoped = await call(ADMIN, 'PUT', '/admin/canned-responses/legal-hold', { ...reply('hold'), department: 'legal' });
    expect(scoped.status, scoped.text).toBe(201);
    expect((await call(ADMIN, 'PUT', '/admin/canned-responses/it-only', { ...reply('it'), department: 'it' })).status).toBe(201);
    expect((await call(ADMIN, 'PUT', '/admin/canned-responses/nowhere', { ...reply('x'), department: 'nowhere' })).status).toBe(422);
    // Edited without naming a department (as an older editor would): still legal's only.
    expect((await call(ADMIN, 'PUT', '/admin/canned-responses/legal-hold', { ...reply('hold 2') })).status).toBe(200);
    const offered = async (who: Caller) => ((await call(who, 'GET', '/canned-responses')).body.items as { id: string }[]).map((c) => c.id);
    for (const who of callers) {
      const ids = await offered(who);
      expect(ids.includes('legal-hold'), `${who} legal-hold`).toBe(sees[who].legal);
      expect(ids.includes('it-only'), `${who} it-only`).toBe(sees[who].it);
      expect(ids, who).toContain('closing');
    }
  });
});

describe('routing a ticket away', () => {
  it('an agent may move a ticket to a department they are not in, and then it is gone for them', async () => {
    const created = await call(L1, 'POST', '/tickets', { requester: { email: requester }, subject: 'Route me', body: 'b', channel: 'phone', department: 'support' });
    expect(created.status).toBe(201);
    const moved = await call(L1, 'PATCH', `/tickets/${created.body.id}`, { department: 'legal' }, { 'if-match': `"${created.body.version}"` });
    expect(moved.status, moved.text).toBe(200);
    expect((await call(L1, 'GET', `/tickets/${created.body.id}`)).status).toBe(404);
    expect((await call(ADMIN, 'GET', `/tickets/${created.body.id}`)).status).toBe(404);
    expect((await call(L2, 'GET', `/tickets/${created.body.id}`)).status).toBe(200);
  });

  it('a retried create (same Idempotency-Key) of a ticket moved meanwhile out of sight answers its id and number only', async () => {
    const body = { requester: { email: requester }, subject: 'Retried create', body: 'Dados do contrato', channel: 'phone', department: 'support' };
    const headers = { 'idempotency-key': `access-${randomUUID()}` };
    const created = await call(L1, 'POST', '/tickets', body, headers);
    expect(created.status, created.text).toBe(201);
    // While the caller's retry is on its way, a member of legal takes it there and works on it.
    const moved = await call(L2, 'PATCH', `/tickets/${created.body.id}`, { department: 'legal', tags: ['litigio'] }, { 'if-match': `"${created.body.version}"` });
    expect(moved.status, moved.text).toBe(200);
    const again = await call(L1, 'POST', '/tickets', body, headers);
    // Still a 201: it was created, and a retrying client must not make a second one.
    expect(again.status, again.text).toBe(201);
    expect(again.body).toEqual({ id: created.body.id, number: created.body.number });
    expect(again.text).not.toMatch(/legal|litigio/);
    expect((await call(L1, 'GET', `/tickets/${created.body.id}`)).status).toBe(404);
  });
});

describe('levels mean something', () => {
  async function ticketAt(level: 1 | 2 | 3) {
    const created = await call(ADMIN, 'POST', '/tickets', { requester: { email: requester }, subject: `Level ${level}`, body: 'b', channel: 'phone', department: 'support' });
    if (level === 1) return created.body;
    const raised = await call(ADMIN, 'PATCH', `/tickets/${created.body.id}`, { level }, { 'if-match': `"${created.body.version}"` });
    expect(raised.status, raised.text).toBe(200);
    return raised.body;
  }

  it('an agent raises a level, lowers none below their own nor any above it; admins do both', async () => {
    const t = await ticketAt(1);
    const up = await call(L2, 'PATCH', `/tickets/${t.id}`, { level: 3 }, { 'if-match': `"${t.version}"` });
    expect(up.status, up.text).toBe(200);
    // Pulling a level-3 ticket down to one's own level (to take it) is refused.
    const pull = await call(L2, 'PATCH', `/tickets/${t.id}`, { level: 2 }, { 'if-match': `"${up.body.version}"` });
    expect(pull.status).toBe(403);
    expect(pull.body.error.code).toBe('level_above_own');
    const toTwo = await call(ADMIN, 'PATCH', `/tickets/${t.id}`, { level: 2 }, { 'if-match': `"${up.body.version}"` });
    expect(toTwo.status, toTwo.text).toBe(200);
    const below = await call(L2, 'PATCH', `/tickets/${t.id}`, { level: 1 }, { 'if-match': `"${toTwo.body.version}"` });
    expect(below.status).toBe(403);
    expect(below.body.error.code).toBe('level_below_own');
    const admin = await call(ADMIN, 'PATCH', `/tickets/${t.id}`, { level: 1 }, { 'if-match': `"${toTwo.body.version}"` });
    expect(admin.status, admin.text).toBe(200);
    expect(admin.body.level).toBe(1);
  });

  it('an agent cannot take a ticket above their level; one at or below it, yes; admins, any', async () => {
    const t = await ticketAt(2);
    const take = await call(L1, 'PATCH', `/tickets/${t.id}`, { assignee: L1 }, { 'if-match': `"${t.version}"` });
    expect(take.status).toBe(403);
    expect(take.body.error.code).toBe('level_above_own');
    expect((await call(L1, 'GET', `/tickets/${t.id}`)).body.ticket.assignee).toBeNull();
    const l2 = await call(L2, 'PATCH', `/tickets/${t.id}`, { assignee: L2 }, { 'if-match': `"${t.version}"` });
    expect(l2.status, l2.text).toBe(200);
    const admin = await call(ADMIN, 'PATCH', `/tickets/${t.id}`, { assignee: ADMIN, level: 3 }, { 'if-match': `"${l2.body.version}"` });
    expect(admin.status, admin.text).toBe(200);
  });
});
