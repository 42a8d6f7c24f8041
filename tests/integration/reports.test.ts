import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { apiCall, poll, signInAs, startLocalMode, type LocalMode } from './local-mode.ts';
import { waitIndexed } from './indexing.ts';
import { vote } from './survey-form.ts';

/**
 * Reports against a local mode of their own, so every count is exact (the
 * shared instance has other tests' tickets). SLA time runs 3600× faster, with
 * a policy that keeps low-priority tickets still (a very long low SLA and
 * level budgets) while an urgent one breaches in seconds:
 *   urgent resolution 4 h → 4 s, level 1 with it → level 2 (whose own budget is long)
 *   pending auto-resolve 0.05 day → 1.2 s; survey delay 0.1 h → 0.1 s
 */
const policy = {
  sla: { low: { firstResponseMinutes: 100_000, resolutionMinutes: 200_000 } },
  levelBudgetMinutes: { 1: 100_000, 2: 100_000, 3: 100_000 },
  pendingAutoResolveDays: 0.05,
  surveyDelayHours: 0.1,
};

let local: LocalMode;
let home: string;
let policyFile: string;
let token: string;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  home = await mkdtemp(join(tmpdir(), 'helpdesk-reports-'));
  policyFile = `${home}-policy.json`;
  await writeFile(policyFile, JSON.stringify(policy));
  local = await startLocalMode({ home, fresh: true, extraArgs: ['--time-scale', '3600', '--policy', policyFile] });
  token = await signInAs(local.endpoints, 'l1@helpdesk.local');
});

afterAll(async () => {
  await local?.stop();
  await rm(home, { recursive: true, force: true });
  await rm(policyFile, { force: true });
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => apiCall(local.endpoints.apiUrl, token, method, path, body, headers);

const until = poll;

async function open(subject: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await call('POST', '/tickets', { requester: { email: `cust-${randomUUID().slice(0, 8)}@example.com` }, subject, body: 'Qwerty', channel: 'phone', priority: 'low', ...extra }, headers);
  expect(res.status, res.text).toBe(201);
  // Creation counts are written by the lifecycle's first step, a moment after the create.
  if (res.headers.get('idempotent-replayed') !== 'true') await waitIndexed(local.endpoints, res.body.id);
  return res.body;
}

async function patch(id: string, change: Record<string, unknown>) {
  const current = (await call('GET', `/tickets/${id}`)).body.ticket;
  const res = await call('PATCH', `/tickets/${id}`, { ...change, version: current.version });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const ticket = async (id: string) => (await call('GET', `/tickets/${id}`)).body.ticket;
const report = async (query = '') => {
  const res = await call('GET', `/reports${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const sla = (r: any, priority: string, level: number) => r.sla.find((s: any) => s.priority === priority && s.level === level);
const backlog = (r: any, level: number, status: string) => r.backlog.find((b: any) => b.level === level && b.status === status).count;

describe('GET /reports (counters kept at write time)', () => {
  let day: string;
  const made: Record<string, any> = {};

  it('starts empty: the last 30 days by default, every priority, level and status listed', async () => {
    const r = await report();
    const today = new Date().toISOString().slice(0, 10);
    expect(r.to).toBe(today);
    expect((Date.parse(r.to) - Date.parse(r.from)) / 86_400_000).toBe(29);
    expect(r).toMatchObject({ volume: [], topCategories: [], topSubjects: [], csat: { count: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } } });
    expect(r.sla).toHaveLength(12);
    expect(r.sla.every((s: any) => s.met === 0 && s.breached === 0)).toBe(true);
    expect(r.backlog).toHaveLength(12);
    expect(r.backlog.every((b: any) => b.count === 0)).toBe(true);
  });

  it('counts each new ticket once, by day and category, and its subject line', async () => {
    const key = { 'idempotency-key': `rep-${randomUUID()}` };
    made.b1 = await open('Boleto 123 não chegou', { category: 'billing' });
    made.b2 = await open('RE: Boleto 456 não chegou', { category: 'billing' }, key);
    // A retry with the same key is the same ticket: it counts nothing more.
    expect((await call('POST', '/tickets', { requester: made.b2.requester, subject: made.b2.subject, body: 'Qwerty', channel: 'phone', priority: 'low', category: 'billing' }, key)).headers.get('idempotent-replayed')).toBe('true');
    made.b3 = await open('[#12] Fwd: boleto 7 NÃO chegou', { category: 'billing' });
    made.n1 = await open('Xyzzy plugh');
    made.u1 = await open('Sistema fora do ar', { category: 'outage', priority: 'urgent' });
    made.m1 = await open('Senha expirada', { category: 'access', priority: 'normal' });
    made.p1 = await open('Conta bloqueada', { category: 'access' });
    day = made.b1.createdAt.slice(0, 10);
    expect(made.n1.category).toBeNull();

    const r = await report(`?from=${day}&to=${day}`);
    const created = Object.values(made);
    // Around midnight UTC the tickets may straddle two days: compare what falls on `day`.
    const expected = (category: string) => created.filter((t) => t.createdAt.startsWith(day) && (t.category ?? 'none') === category).length;
    expect(r.volume).toEqual(
      ['access', 'billing', 'none', 'outage'].filter((c) => expected(c) > 0).map((category) => ({ day, category, count: expected(category) })),
    );
    expect(r.topCategories).toEqual([
      { category: 'billing', count: 3 },
      { category: 'access', count: 2 },
      { category: 'none', count: 1 },
      { category: 'outage', count: 1 },
    ].filter((c) => c.count === expected(c.category)));
    expect(r.topSubjects[0]).toEqual({ subject: 'boleto # não chegou', count: 3 });
    expect(r.topSubjects.map((s: any) => s.subject).slice(1)).toEqual(['conta bloqueada', 'senha expirada', 'sistema fora do ar', 'xyzzy plugh']);
  });

  it('a range without those days has no volume', async () => {
    const r = await report('?from=2020-01-01&to=2020-12-31');
    expect(r.volume).toEqual([]);
    expect(r.topCategories).toEqual([]);
    expect(r.topSubjects).toEqual([]);
  });

  it('counts SLA met and breached as tickets resolve: by an agent, late, and automatically', async () => {
    // Met: answered in public (so a survey follows) and resolved at once, at level 1.
    expect((await call('POST', `/tickets/${made.m1.id}/messages`, { kind: 'reply', body: 'Pronto, senha redefinida.' })).status).toBe(201);
    await patch(made.m1.id, { status: 'resolved' });
    // Breached: the urgent ticket's 4 h (4 s) pass, level 1 with them; it is resolved at level 2.
    await until('the urgent ticket at level 2', async () => (await ticket(made.u1.id)).level === 2, 40_000);
    const late = await patch(made.u1.id, { status: 'resolved' });
    expect(Date.parse(late.resolvedAt)).toBeGreaterThan(Date.parse(late.resolutionDueAt));
    // Met by the lifecycle: pending too long resolves itself (the clock paused meanwhile).
    await patch(made.p1.id, { status: 'pending' });
    await until('the automatic resolution', async () => (await ticket(made.p1.id)).status === 'resolved');
    // Closing a resolved ticket counts nothing more.
    await patch(made.u1.id, { status: 'closed' });

    const r = await report();
    expect(sla(r, 'normal', 1)).toEqual({ priority: 'normal', level: 1, met: 1, breached: 0 });
    expect(sla(r, 'urgent', 2)).toEqual({ priority: 'urgent', level: 2, met: 0, breached: 1 });
    expect(sla(r, 'low', 1)).toEqual({ priority: 'low', level: 1, met: 1, breached: 0 });
    expect(r.sla.reduce((n: number, s: any) => n + s.met + s.breached, 0)).toBe(3);
  });

  it('gives the backlog by level and status, from the queues as they are now', async () => {
    await patch(made.b3.id, { level: 2, status: 'on_hold' });
    await patch(made.b2.id, { status: 'open' });
    const r = await report();
    expect(backlog(r, 1, 'new')).toBe(2); // b1, n1
    expect(backlog(r, 1, 'open')).toBe(1); // b2
    expect(backlog(r, 2, 'on_hold')).toBe(1); // b3
    expect(r.backlog.reduce((n: number, b: any) => n + b.count, 0)).toBe(4);
  });

  it('reads the CSAT counters the survey keeps', async () => {
    const survey = await until('the survey mail', async () => {
      const { emails } = (await (await fetch(`${local.endpoints.outboxUrl}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string; body: { text: string } }[] };
      return emails.find((m) => m.destination.to.some((t) => t.includes(made.m1.requester.email)) && /How did we do/.test(m.subject));
    });
    const links = [...survey.body.text.matchAll(/https?:\/\/\S+\/survey\/\S+/g)].map((m) => m[0]);
    expect((await vote(links[3]!)).status).toBe(200);
    const r = await until('the rating in the report', async () => {
      const rep = await report();
      return rep.csat.count > 0 ? rep : undefined;
    });
    expect(r.csat).toEqual({ count: 1, average: 4, distribution: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 0 } });
  });

  it('counts tickets that came in by mail', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: local.endpoints.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: `mail-${randomUUID().slice(0, 8)}@example.com`, to: local.endpoints.supportAddress, subject: 'Boleto 999 não chegou', text: 'Ainda não recebi.' });
    const r = await until('the mail in the report', async () => {
      const rep = await report();
      return rep.topSubjects[0]?.count === 4 ? rep : undefined;
    });
    expect(r.topSubjects[0]).toEqual({ subject: 'boleto # não chegou', count: 4 });
    expect(r.volume.reduce((n: number, v: any) => n + v.count, 0)).toBe(8);
  });

  it('exports the same report as a CSV download', async () => {
    const res = await call('GET', `/reports?from=${day}&to=${day}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="helpdesk-report-${day}-${day}.csv"`);
    const sections = res.text.trimEnd().split('\r\n\r\n');
    expect(sections.map((s) => s.split('\r\n')[0])).toEqual(['report', 'volume', 'top categories', 'top subjects', 'sla', 'backlog', 'csat', 'triage']);
    expect(sections[0]).toBe(`report\r\nfrom,to\r\n${day},${day}`);
    expect(sections[3]).toContain('\r\nboleto # não chegou,4');
    expect(sections[4]).toContain('\r\nurgent,2,0,1\r\n');
    expect(sections[6]).toBe('csat\r\ncount,average,1,2,3,4,5\r\n1,4,0,0,0,1,0');
  });

  it('refuses a range it cannot read with a clear 400, and strangers with a 401', async () => {
    const cases: [string, string][] = [
      ['?from=2026-02-30', 'invalid_date'],
      ['?from=2026-03-02&to=2026-03-01', 'invalid_range'],
      ['?from=2025-01-01&to=2026-01-02', 'range_too_long'],
      ['?from=20260101', 'validation_failed'],
      ['?format=xml', 'validation_failed'],
      ['?period=month', 'validation_failed'],
    ];
    for (const [query, code] of cases) {
      const res = await call('GET', `/reports${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe(code);
    }
    expect((await report('?from=2025-01-01&to=2026-01-01')).from).toBe('2025-01-01');
    expect((await fetch(`${local.endpoints.apiUrl}/reports`)).status).toBe(401);
  });
});
