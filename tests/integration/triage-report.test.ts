import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { apiCall, signInAs, startLocalMode, type LocalMode } from './local-mode.ts';
import { waitIndexed } from './indexing.ts';

/**
 * Issue 13 items 5 and 6 through a local mode of its own (every count exact): tickets triage
 * routes and one it leaves to dispatch, an agent accepting, correcting and resolving through
 * PATCH /tickets/{id}, and the triage section of GET /reports counting each once.
 * A fresh desk has no learned model: the rules decide.
 */
let local: LocalMode;
let home: string;
let token: string;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  home = await mkdtemp(join(tmpdir(), 'helpdesk-triage-report-'));
  local = await startLocalMode({ home, fresh: true });
  token = await signInAs(local.endpoints, 'l1@helpdesk.local');
});

afterAll(async () => {
  await local?.stop();
  await rm(home, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => apiCall(local.endpoints.apiUrl, token, method, path, body, headers);

async function open(subject: string, body: string) {
  const res = await call('POST', '/tickets', { requester: { email: `cust-${randomUUID().slice(0, 8)}@example.com` }, subject, body, channel: 'phone' });
  expect(res.status, res.text).toBe(201);
  // The opening counts are written by the lifecycle's first step, a moment after the create.
  await waitIndexed(local.endpoints, res.body.id);
  return res.body;
}

const get = async (id: string) => (await call('GET', `/tickets/${id}`)).body.ticket;

async function patch(id: string, change: Record<string, unknown>, expected = 200) {
  const current = await get(id);
  const res = await call('PATCH', `/tickets/${id}`, change, { 'if-match': `"${current.version}"` });
  expect(res.status, res.text).toBe(expected);
  return res.body;
}

describe('triage: agents see why, admins see how good it is', () => {
  it('counts triage at opening, agents’ verdicts once each, and reports them per department and week', async () => {
    const password = await open('Senha expirada, não consigo fazer login', 'Minha senha expirou hoje de manhã.');
    const vpn = await open('VPN caiu, sem internet', 'A VPN desconecta a cada minuto.');
    const printer = await open('Impressora sem toner', 'A impressora do segundo andar parou.');
    const vague = await open('Olá', 'Qwerty uiop asdf.');
    const hinted = await open('Uma dúvida', 'Tenho uma pergunta sobre a senha nova do sistema.');

    // The ticket says who decided, with what confidence, and the words.
    for (const t of [password, vpn, printer]) {
      expect(t.department, JSON.stringify(t.triage)).toBe('it');
      expect(t.triage).toMatchObject({ decidedBy: 'rules', dispatch: false, department: 'it' });
      expect(t.triage.words.length).toBeGreaterThan(0);
    }
    expect(vague.department).toBeNull();
    expect(vague.triage).toMatchObject({ dispatch: true, department: null });
    expect(hinted.department).toBeNull();
    expect(hinted.triage).toMatchObject({ dispatch: true, department: 'it' });

    // Nothing suggested: nothing to accept (a 4xx that says so, never a 500).
    const refused = await call('PATCH', `/tickets/${vague.id}`, { acceptTriage: true, version: vague.version });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.error?.code ?? refused.text).toMatch(/no_triage_suggestion/);

    // Accepting: a routed ticket records the verdict; a stale version is a 409 with the ticket as it is.
    const accepted = await patch(vpn.id, { acceptTriage: true });
    expect(accepted.triage.review.verdict).toBe('confirmed');
    expect(accepted.version).toBe(vpn.version + 1);
    const stale = await call('PATCH', `/tickets/${vpn.id}`, { acceptTriage: true }, { 'if-match': `"${vpn.version}"` });
    expect(stale.status).toBe(409);
    // A dispatch ticket is routed where triage suggested.
    const routed = await patch(hinted.id, { acceptTriage: true });
    expect(routed.department).toBe('it');
    expect(routed.triage.review.verdict).toBe('confirmed');

    // Correcting: the first move away counts; moving again does not.
    const corrected = await patch(password.id, { department: 'hr', category: 'benefits', priority: 'high' });
    expect(corrected.triage.review.verdict).toBe('corrected');
    await patch(password.id, { department: 'finance' });
    await patch(vague.id, { department: 'facilities' });

    // Resolving where triage sent it confirms it, once; resolving a corrected one adds nothing.
    await patch(printer.id, { status: 'resolved' });
    await patch(printer.id, { status: 'open' });
    await patch(printer.id, { status: 'resolved' });
    await patch(password.id, { status: 'resolved' });
    await patch(vpn.id, { status: 'resolved' });
    expect((await get(printer.id)).triage.review.verdict).toBe('confirmed');

    const res = await call('GET', '/reports?format=json');
    expect(res.status, res.text).toBe(200);
    const triage = res.body.triage;
    const it_ = triage.departments.find((d: any) => d.department === 'it');
    const dispatch = triage.departments.find((d: any) => d.department === null);
    // it: three routed by the rules; vpn accepted, printer resolved there (once), password corrected.
    expect(it_).toMatchObject({ triaged: 3, rules: 3, model: 0, dispatch: 0, confirmed: 2, corrected: 1, accuracy: 0.667 });
    // dispatch: two left unrouted; the suggestion taken for one, no suggestion for the other.
    expect(dispatch).toMatchObject({ triaged: 2, dispatch: 2, confirmed: 1, corrected: 1, accuracy: 0.5 });
    expect(triage.total).toMatchObject({ triaged: 5, dispatch: 2, dispatchShare: 0.4, confirmed: 3, corrected: 2, accuracy: 0.6 });
    // All in this week.
    const week = triage.perWeek.find((w: any) => w.triaged > 0);
    expect(week.triaged).toBe(5);
    expect(triage.rows.every((r: any) => r.week === week.week)).toBe(true);

    // The CSV carries the same section.
    const csv = await call('GET', '/reports?format=csv');
    expect(csv.text).toContain('\r\ntriage\r\nweek,department,triaged,rules,model,dispatch,confirmed,corrected,accuracy\r\n');
    expect(csv.text).toContain(`${week.week},it,3,3,0,0,2,1,0.667`);
  });
});
