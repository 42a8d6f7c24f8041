import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { poll as until, signInAs, startLocalMode, type LocalMode } from './local-mode.ts';

/**
 * A ticket opened by mail that failed authentication (DMARC) gets no automatic
 * mail over its whole life (no acknowledgement, no "resolved while you were
 * silent" notice, no survey), while an agent's reply still goes out; a
 * verified twin, driven the same way in the same desk, gets every one of them.
 * Its own local mode with `--time-scale 3600` and short windows:
 *   pending auto-resolve 0.5 day → 12 s, survey delay 5 h → 5 s, window 0.25 day → 6 s.
 */
const policy = { levelBudgetMinutes: { 1: 6000, 2: 6000, 3: 6000 }, surveyDelayHours: 5, surveyWindowDays: 0.25, pendingAutoResolveDays: 0.5 };

let local: LocalMode;
let home: string;
let policyFile: string;
let token: string;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  home = await mkdtemp(join(tmpdir(), 'helpdesk-unverified-'));
  policyFile = `${home}-policy.json`;
  await writeFile(policyFile, JSON.stringify(policy));
  local = await startLocalMode({ home, extraArgs: ['--time-scale', '3600', '--policy', policyFile] });
  token = await signInAs(local.endpoints, 'l1@helpdesk.local');
});

afterAll(async () => {
  await local?.stop();
  await rm(home, { recursive: true, force: true });
  await rm(policyFile, { force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(local.endpoints.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

interface OutboxMail { destination: { to: string[] }; subject: string; body: { text: string } }
async function mailsTo(address: string): Promise<OutboxMail[]> {
  const { emails } = (await (await fetch(`${local.endpoints.outboxUrl}/store`)).json()) as { emails: OutboxMail[] };
  return emails.filter((m) => m.destination.to.some((t) => t.includes(address)));
}

/** A mail to the desk, answered by an agent, left pending until it resolves itself, then past the survey. */
async function lifeOf(headers: Record<string, string>) {
  const from = `life-${randomUUID().slice(0, 8)}@example.com`;
  const smtp = createTransport({ host: '127.0.0.1', port: local.endpoints.smtpPort, secure: false, ignoreTLS: true });
  await smtp.sendMail({ from, to: local.endpoints.supportAddress, subject: 'Senha do banco', text: 'Preciso redefinir.', headers });
  smtp.close();
  const t = await until('the ticket', async () => (await call('GET', `/customers/${encodeURIComponent(from)}/tickets`)).body.items?.[0]);
  expect((await call('POST', `/tickets/${t.id}/messages`, { kind: 'reply', body: 'Pode confirmar seus dados?' })).status).toBe(201);
  const current = (await call('GET', `/tickets/${t.id}`)).body.ticket;
  expect((await call('PATCH', `/tickets/${t.id}`, { status: 'pending', version: current.version })).status).toBe(200);
  const end = await until(
    'the ticket to resolve itself and its survey to be due',
    async () => {
      const v = (await call('GET', `/tickets/${t.id}`)).body.ticket;
      return v.status === 'closed' || v.survey ? v : undefined;
    },
    60_000,
  );
  return { from, ticket: end };
}

describe('a ticket from an unverified sender', () => {
  it('gets no automatic mail in its whole lifecycle, only the agent reply; a verified twin gets them all', async () => {
    const [unverified, verified] = await Promise.all([lifeOf({ 'X-Local-Dmarc-Verdict': 'FAIL' }), lifeOf({})]);
    expect(unverified.ticket).toMatchObject({ unverified: true, status: 'closed', survey: null });
    expect(verified.ticket.unverified).toBeUndefined();
    const verifiedMails = await until('the verified twin\'s survey', async () => {
      const mails = await mailsTo(verified.from);
      return mails.some((m) => /How did we do/.test(m.subject)) ? mails : undefined;
    });
    // Acknowledgement, reply, "resolved while you were away", survey.
    expect(verifiedMails).toHaveLength(4);
    const toUnverified = await mailsTo(unverified.from);
    expect(toUnverified.map((m) => m.body.text.includes('Pode confirmar seus dados?'))).toEqual([true]);
  });
});
