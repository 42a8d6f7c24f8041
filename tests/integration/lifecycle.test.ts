import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { apiCall, poll, signInAs, startLocalMode, type LocalMode } from './local-mode.ts';
import { openSurveyLink, pressSend, vote } from './survey-form.ts';

/**
 * Every path of the ticket lifecycle, against a local mode of its own running
 * the real ASL file with `--time-scale 3600` (an SLA hour per second) and a
 * policy with short windows:
 *   level budgets 8 h / 3 h / 3 h  → 8 s / 3 s / 3 s (level 1 long enough for
 *   a loaded machine to open, answer and pause a ticket inside it)
 *   survey delay 5 h               → 5 s (a customer reply in it reopens)
 *   survey window 0.25 day         → 6 s
 *   pending auto-resolve 0.5 day   → 12 s
 *   round-robin in IT only (the other tests use customer support)
 * Each test drives its own ticket, so they run concurrently. Async effects are
 * awaited by polling what the system shows (ticket, outbox), with a timeout.
 */
const policy = { levelBudgetMinutes: { 1: 480, 2: 180, 3: 180 }, surveyDelayHours: 5, surveyWindowDays: 0.25, pendingAutoResolveDays: 0.5, roundRobin: ['it'] };

let local: LocalMode;
let home: string;
let sfn: SFNClient;
const tokens = new Map<string, string>();
const transitionsByPath: Record<string, number> = {};

async function startDesk(fresh: boolean) {
  local = await startLocalMode({ home, fresh, extraArgs: ['--time-scale', '3600', '--policy', join(home, '..', `${home.split('/').pop()}-policy.json`)] });
  sfn = new SFNClient({ endpoint: local.endpoints.services.stepfunctions, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  tokens.clear();
}

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  home = await mkdtemp(join(tmpdir(), 'helpdesk-lifecycle-'));
  await writeFile(join(home, '..', `${home.split('/').pop()}-policy.json`), JSON.stringify(policy));
  await startDesk(true);
});

afterAll(async () => {
  await local?.stop();
  await rm(home, { recursive: true, force: true });
  await rm(join(home, '..', `${home.split('/').pop()}-policy.json`), { force: true });
  // The main Step Functions cost driver: transitions per path (each state entered, retries included).
  console.log(['State transitions per lifecycle path:', ...Object.entries(transitionsByPath).map(([p, n]) => `  ${String(n).padStart(3)}  ${p}`)].join('\n'));
});

async function token(email: string): Promise<string> {
  const cached = tokens.get(email);
  if (cached) return cached;
  const idToken = await signInAs(local.endpoints, email);
  tokens.set(email, idToken);
  return idToken;
}

const call = async (method: string, path: string, body?: unknown, as = 'l1@helpdesk.local') => apiCall(local.endpoints.apiUrl, await token(as), method, path, body);

const until = poll;

const view = async (id: string) => (await call('GET', `/tickets/${id}`)).body as { ticket: any; events: any[]; messages: any[] };

async function open(subject: string, priority = 'normal', department = 'support') {
  const requester = `cust-${randomUUID().slice(0, 8)}@example.com`;
  const res = await call('POST', '/tickets', { requester: { email: requester, name: 'Cliente' }, subject, body: 'Please help', channel: 'phone', priority, department });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, number: res.body.number as number, requester };
}

async function patch(id: string, change: Record<string, unknown>, as = 'l1@helpdesk.local') {
  const current = (await view(id)).ticket;
  const res = await call('PATCH', `/tickets/${id}`, { ...change, version: current.version }, as);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const reply = (id: string, as = 'l1@helpdesk.local') => call('POST', `/tickets/${id}/messages`, { kind: 'reply', body: 'Here is what to do.' }, as);

interface OutboxMail { destination: { to: string[] }; subject: string; body: { text: string; html: string } }
async function mailsTo(address: string): Promise<OutboxMail[]> {
  const { emails } = (await (await fetch(`${local.endpoints.outboxUrl}/store`)).json()) as { emails: OutboxMail[] };
  return emails.filter((m) => m.destination.to.some((t) => t.includes(address)));
}

/** The customer answers by mail, as their client would: the ticket's token in the subject. */
async function customerReplies(t: { number: number; requester: string }, text: string) {
  const smtp = createTransport({ host: '127.0.0.1', port: local.endpoints.smtpPort, secure: false, ignoreTLS: true });
  await smtp.sendMail({ from: t.requester, to: local.endpoints.supportAddress, subject: `Re: [#${t.number}] help`, text });
  smtp.close();
}

/** The states an execution entered, in order (each one a billed transition). */
async function statesEntered(id: string): Promise<string[]> {
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn(id) }));
  return events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name ?? '?');
}
const transitions = async (id: string) => (await statesEntered(id)).length;

const executionArn = (id: string) => `${local.endpoints.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
const status = async (id: string) => (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(id) }))).status;

describe.concurrent('ticket lifecycle paths (--time-scale 3600)', () => {
  it('resolved at level 1: no breach, survey after the delay; opening its links records nothing, one press on the page answers it, then closed', async () => {
    const t = await open('Cannot print');
    expect((await reply(t.id)).status).toBe(201);
    await patch(t.id, { status: 'resolved' });
    const resolved = (await view(t.id)).ticket;
    expect(resolved).toMatchObject({ status: 'resolved', level: 1, breaches: [] });

    const survey = await until('the survey mail', async () => (await mailsTo(t.requester)).find((m) => /How did we do/.test(m.subject)));
    const links = [...survey!.body.text.matchAll(/https?:\/\/\S+\/survey\/\S+/g)].map((m) => m[0]);
    expect(links).toHaveLength(5);

    // Opening a link (as a mail scanner does, GET or HEAD) records nothing: it shows the rating pre-selected.
    const beforeOpen = (await view(t.id)).ticket;
    const opened = await openSurveyLink(links[3]!);
    expect(opened.status).toBe(200);
    expect(opened.fields.rating).toBe('4');
    expect((await fetch(links[3]!, { method: 'HEAD' })).status).toBeLessThan(500);
    expect((await fetch(links[1]!)).status).toBe(200);
    const afterOpen = (await view(t.id)).ticket;
    expect(afterOpen.version).toBe(beforeOpen.version);
    expect(afterOpen.survey.rating).toBeNull();
    expect(afterOpen.status).toBe('resolved');

    // One press on the page records it.
    const rated = await pressSend(links[3]!, opened);
    expect(rated.status).toBe(200);
    expect(rated.html).toContain('4');
    const closed = await until('closed after the rating', async () => ((await view(t.id)).ticket.status === 'closed' ? (await view(t.id)).ticket : undefined));
    expect(closed.survey).toMatchObject({ rating: 4 });

    // The same press again (a resend) changes nothing; another rating within the window replaces it.
    const versionAfter = closed.version;
    expect((await pressSend(links[3]!, opened)).status).toBe(200);
    expect((await view(t.id)).ticket.version).toBe(versionAfter);
    expect((await vote(links[4]!)).status).toBe(200);
    expect((await view(t.id)).ticket.survey.rating).toBe(5);

    // The optional comment, from the thank-you page's form.
    const form = new URLSearchParams({ token: links[4]!.split('/survey/')[1]!, comment: 'Rápido e gentil' });
    const commented = await fetch(`${local.endpoints.apiUrl}/survey/comment`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(commented.status).toBe(200);
    expect((await view(t.id)).ticket.survey).toMatchObject({ rating: 5, comment: 'Rápido e gentil' });

    // One rating in the month's CSAT counters (kept per department): the change from 4 to 5 moved, it did not add.
    const month = `${closed.survey.sentAt.slice(0, 7)}#${closed.department ?? '~none'}`;
    const ddb = new DynamoDBClient({ endpoint: local.endpoints.services.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const counters = (await ddb.send(new GetItemCommand({ TableName: local.endpoints.tableName, Key: { pk: { S: 'REPORT#csat' }, sk: { S: `MONTH#${month}` } } }))).Item!;
    expect(Number(counters.r5!.N)).toBeGreaterThanOrEqual(1);
    expect(Number(counters.count!.N)).toBeGreaterThanOrEqual(1);

    // A tampered link is refused with a page, not a stack trace.
    const tampered = await fetch(links[2]!.slice(0, -3) + (links[2]!.endsWith('AAA') ? 'BBB' : 'AAA'));
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toMatch(/<main/);
    expect(await until('the execution to end', async () => ((await status(t.id)) === 'SUCCEEDED' ? true : undefined))).toBe(true);
    transitionsByPath['resolved at level 1, survey answered'] = await transitions(t.id);
  });

  it('a level-1 timeout is a breach: audit event, level 2 mailed, ticket in the level-2 queue; then resolved at level 2', async () => {
    const t = await open('Slow answer');
    const breached = await until('the level-1 breach', async () => {
      const v = await view(t.id);
      return v.ticket.level === 2 ? v : undefined;
    });
    expect(breached.ticket.breaches).toEqual([expect.objectContaining({ level: 1 })]);
    expect(breached.ticket.assignee).toBeNull();
    expect(breached.events.map((e) => e.action)).toContain('sla.breached');
    await until('the level-2 agents to be mailed', async () => (await mailsTo('l2@helpdesk.local')).find((m) => m.subject.includes(`#${t.number}`)));
    const queue = await call('GET', '/tickets?department=support&level=2&limit=100', undefined, 'l2@helpdesk.local');
    expect(queue.body.items.map((i: any) => i.id)).toContain(t.id);

    await patch(t.id, { status: 'resolved' }, 'l2@helpdesk.local');
    expect((await view(t.id)).ticket).toMatchObject({ status: 'resolved', level: 2 });
    transitionsByPath['level-1 timeout, resolved at level 2 (until resolved)'] = await transitions(t.id);
  });

  it('climbs 1 → 2 → 3 by timeouts; at level 3 a timeout alerts the admins and keeps waiting, without a busy loop', async () => {
    const t = await open('Nobody answers');
    // Two level budgets (8 s + 3 s at --time-scale 3600); the generous deadline only catches a climb that never comes.
    await until('level 3', async () => ((await view(t.id)).ticket.level === 3 ? true : undefined), 90_000);
    await until('a level-3 breach', async () => (await view(t.id)).ticket.breaches.length >= 3);
    await until('the admins to be alerted', async () => (await mailsTo('admin@helpdesk.local')).find((m) => m.subject.includes(`#${t.number}`)));
    await until('the next level-3 breach, one budget later', async () => (await view(t.id)).ticket.breaches.length >= 4);
    const v = await view(t.id);
    expect(v.ticket.level).toBe(3);
    expect(v.ticket.breaches.slice(2).every((b: any) => b.level === 3)).toBe(true);
    // One alert per budget: LevelBudgetExceeded, Route, AwaitAgent, and again; never a loop in between.
    const entered = await statesEntered(t.id);
    const alerts = entered.flatMap((name, i) => (name === 'LevelBudgetExceeded' ? [i] : []));
    expect(alerts.length).toBeGreaterThanOrEqual(4);
    expect(alerts[3]! - alerts[2]!).toBe(3);
    transitionsByPath['level 1 → 2 → 3 by timeouts, through the first level-3 alert'] = alerts[2]! + 3;
  });

  it('escalated by hand: moves to the next level at once, with that level\'s budget', async () => {
    const t = await open('Needs a specialist');
    const escalated = await patch(t.id, { level: 2 });
    expect(escalated).toMatchObject({ level: 2, assignee: null, breaches: [] });
    // Level 2's budget (3 s here, 8 s for level 1) from the change itself, as the ticket records both.
    const due = Date.parse(escalated.levelDueAt) - Date.parse(escalated.updatedAt);
    expect(due).toBeGreaterThan(2_000);
    expect(due).toBeLessThan(4_500);
    expect((await view(t.id)).events.map((e) => e.action)).toContain('ticket.escalated');
    // The wait in progress woke and took the new budget: level 3 follows level 2's timeout.
    await until('the level-2 budget to run out', async () => ((await view(t.id)).ticket.level === 3 ? true : undefined), 20_000);
    expect((await view(t.id)).ticket.breaches).toEqual([expect.objectContaining({ level: 2 })]);
  });

  it('pending pauses the SLA clock; the customer\'s reply resumes it with the time that was left', async () => {
    const t = await open('Waiting on you');
    const opened = (await view(t.id)).ticket;
    const pending = await patch(t.id, { status: 'pending' });
    expect(pending.slaPausedAt).not.toBeNull();
    // Longer than the whole level-1 budget: a running clock would have breached.
    await new Promise((r) => setTimeout(r, 8_500));
    expect((await view(t.id)).ticket).toMatchObject({ status: 'pending', level: 1, breaches: [] });

    await customerReplies(t, 'Here is the information you asked for.');
    const resumed = await until('the reply to reopen it', async () => {
      const v = (await view(t.id)).ticket;
      return v.status === 'open' ? v : undefined;
    });
    expect(resumed.slaPausedAt).toBeNull();
    // The deadline moved by the time the clock stood still: at least the 8.5 s waited above.
    const shift = Date.parse(resumed.levelDueAt) - Date.parse(opened.levelDueAt);
    expect(shift).toBeGreaterThan(8_000);
    expect(resumed.breaches).toEqual([]);
    transitionsByPath['pending, then resumed by the customer (until resumed)'] = await transitions(t.id);
  });

  it('pending too long: resolved automatically, and the customer is told', async () => {
    const t = await open('Silence');
    await reply(t.id);
    await patch(t.id, { status: 'pending' });
    const v = await until('the automatic resolution', async () => {
      const x = await view(t.id);
      return x.ticket.status === 'resolved' ? x : undefined;
    });
    expect(v.events.map((e) => e.action)).toContain('ticket.auto_resolved');
    await until('the customer to be told', async () => (await mailsTo(t.requester)).find((m) => /resolved|resolvido/i.test(m.body.text) && /not heard|Não recebemos/.test(m.body.text)));
  });

  it('reopened by the customer\'s reply after resolution: back at the level where it was', async () => {
    const t = await open('It broke again');
    await patch(t.id, { level: 2 });
    await reply(t.id, 'l2@helpdesk.local');
    await patch(t.id, { status: 'resolved' }, 'l2@helpdesk.local');
    await customerReplies(t, 'It is broken again, sorry.');
    const reopened = await until('the reopening', async () => {
      const v = (await view(t.id)).ticket;
      return v.status === 'open' ? v : undefined;
    });
    expect(reopened).toMatchObject({ level: 2, resolvedAt: null, survey: null });
    expect(await status(t.id)).toBe('RUNNING');
    // No survey went out for the resolution that did not hold.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await mailsTo(t.requester)).filter((m) => /How did we do/.test(m.subject))).toEqual([]);
  });

  it('survey unanswered: the ticket closes when the window ends, without a rating', async () => {
    const t = await open('Quick one');
    await reply(t.id);
    await patch(t.id, { status: 'resolved' });
    const survey = await until('the survey mail', async () => (await mailsTo(t.requester)).find((m) => /How did we do/.test(m.subject)));
    const closed = await until('the window to end', async () => {
      const v = (await view(t.id)).ticket;
      return v.status === 'closed' ? v : undefined;
    });
    expect(closed.survey).toMatchObject({ rating: null });
    // Its links expired with the window: a clear page, no rating.
    const late = await fetch(survey.body.text.match(/https?:\/\/\S+\/survey\/\S+/)![0]);
    expect(late.status).toBe(410);
    expect(await late.text()).toMatch(/<main/);
    expect((await view(t.id)).ticket.survey.rating).toBeNull();
    expect(await until('the execution to end', async () => ((await status(t.id)) === 'SUCCEEDED' ? true : undefined))).toBe(true);
    transitionsByPath['resolved, survey unanswered, closed'] = await transitions(t.id);
  });

  it('a bare post of a survey link\'s token (no rating in the form) records no rating, with or without a comment', async () => {
    const t = await open('Scanner food');
    await reply(t.id);
    await patch(t.id, { status: 'resolved' });
    const survey = await until('the survey mail', async () => (await mailsTo(t.requester)).find((m) => /How did we do/.test(m.subject)));
    const link = survey.body.text.match(/https?:\/\/\S+\/survey\/\S+/)![0];
    const before = (await view(t.id)).ticket;
    const forms: Record<string, string>[] = [{}, { comment: 'Sem nota' }];
    for (const fields of forms) {
      const posted = await fetch(`${local.endpoints.apiUrl}/survey/comment`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: link.split('/survey/')[1]!, ...fields }).toString(),
      });
      const after = (await view(t.id)).ticket;
      expect(after.survey).toMatchObject({ rating: null, comment: null });
      expect(after.version).toBe(before.version);
      expect(after.status).toBe('resolved');
      // The rating page again, for a person to choose and send.
      expect(posted.status).toBe(200);
      expect(await posted.text()).toMatch(/<input type="radio" name="rating"/);
    }
  });

  it('no survey for a ticket no agent ever answered in public: it just closes', async () => {
    const t = await open('Never mind');
    await patch(t.id, { status: 'resolved' });
    await until('the close', async () => ((await view(t.id)).ticket.status === 'closed' ? true : undefined));
    expect((await mailsTo(t.requester)).filter((m) => /How did we do/.test(m.subject))).toEqual([]);
    transitionsByPath['resolved without contact, closed (no survey)'] = await transitions(t.id);
  });

  it('round-robin (IT here): the lifecycle assigns a new ticket to the agent whose turn it is', async () => {
    const t = await open('Laptop will not boot', 'normal', 'it');
    const assigned = await until('the assignment', async () => (await view(t.id)).ticket.assignee ?? undefined);
    expect(assigned).toBe('l1@helpdesk.local'); // the one level-1 agent of IT in the seed
    const other = await open('Printer jam', 'normal', 'support');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await view(other.id)).ticket.assignee).toBeNull();
  });

  it('closing by hand stops the execution', async () => {
    const t = await open('Done here');
    await patch(t.id, { status: 'resolved' });
    await patch(t.id, { status: 'closed' });
    expect(await until('the execution to stop', async () => ((await status(t.id)) === 'ABORTED' ? true : undefined))).toBe(true);
  });

  it('spam gets no lifecycle until an agent releases it; then its SLA timers start', async () => {
    const requester = `spam-${randomUUID().slice(0, 8)}@example.com`;
    const smtp = createTransport({ host: '127.0.0.1', port: local.endpoints.smtpPort, secure: false, ignoreTLS: true });
    await smtp.sendMail({ from: requester, to: local.endpoints.supportAddress, subject: 'Cheap pills', text: 'Buy now', headers: { 'X-Local-Spam-Verdict': 'FAIL' } });
    smtp.close();
    const spam = await until('the spam ticket', async () => (await call('GET', `/customers/${encodeURIComponent(requester)}/tickets`)).body.items?.[0]);
    expect(spam.spam).toBe(true);
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(spam.id) }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await patch(spam.id, { spam: false });
    expect(await until('the lifecycle to start', async () => ((await status(spam.id).catch(() => undefined)) === 'RUNNING' ? true : undefined))).toBe(true);
  });

  it('a duplicate start is a no-op: one execution per ticket, named after it', async () => {
    const t = await open('Once only');
    const input = JSON.stringify({ ticketId: t.id });
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: local.endpoints.stateMachineArn, name: t.id, input }));
    expect(again.executionArn).toBe(executionArn(t.id));
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: local.endpoints.stateMachineArn, name: t.id, input: '{"ticketId":"other"}' }))).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: local.endpoints.stateMachineArn }));
    expect(executions.filter((e) => e.name === t.id)).toHaveLength(1);
  });
});

/** A mail to the desk, answered by an agent, left pending until it resolves itself, then past the survey. */
async function lifeOfMail(headers: Record<string, string>) {
  const from = `life-${randomUUID().slice(0, 8)}@example.com`;
  const smtp = createTransport({ host: '127.0.0.1', port: local.endpoints.smtpPort, secure: false, ignoreTLS: true });
  await smtp.sendMail({ from, to: local.endpoints.supportAddress, subject: 'Senha do banco', text: 'Preciso redefinir.', headers });
  smtp.close();
  const t = await until('the ticket', async () => (await call('GET', `/customers/${encodeURIComponent(from)}/tickets`)).body.items?.[0]);
  expect((await call('POST', `/tickets/${t.id}/messages`, { kind: 'reply', body: 'Pode confirmar seus dados?' })).status).toBe(201);
  // Round-robin (IT here) may assign it meanwhile: a 409 is read again and retried, as an agent would.
  await until('the ticket set pending', async () => {
    const res = await call('PATCH', `/tickets/${t.id}`, { status: 'pending', version: (await view(t.id)).ticket.version });
    if (res.status !== 409) expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.status === 200 || undefined;
  });
  const end = await until(
    'the ticket to resolve itself and its survey to be due',
    async () => {
      const v = (await view(t.id)).ticket;
      return v.status === 'closed' || v.survey ? v : undefined;
    },
    60_000,
  );
  return { from, ticket: end };
}

/**
 * A ticket opened by mail that failed authentication (DMARC) gets no automatic mail over its
 * whole life (no acknowledgement, no "resolved while you were silent" notice, no survey),
 * while an agent's reply still goes out; a verified twin, driven the same way, gets them all.
 * Concurrent with the paths above: its own tickets, its own addresses.
 */
describe.concurrent('a ticket from an unverified sender', () => {
  it('gets no automatic mail in its whole lifecycle, only the agent reply; a verified twin gets them all', async () => {
    const [unverified, verified] = await Promise.all([lifeOfMail({ 'X-Local-Dmarc-Verdict': 'FAIL' }), lifeOfMail({})]);
    expect(unverified.ticket).toMatchObject({ unverified: true, status: 'closed', survey: null });
    expect(verified.ticket.unverified).toBeUndefined();
    const verifiedMails = await until('the verified twin\'s survey', async () => {
      const mails = await mailsTo(verified.from);
      // The mail is Portuguese with no Content-Language: the desk answers in the language it is written in.
      return mails.some((m) => /Como foi o atendimento/.test(m.subject)) ? mails : undefined;
    });
    // Acknowledgement, reply, "resolved while you were away", survey.
    expect(verifiedMails).toHaveLength(4);
    const toUnverified = await mailsTo(unverified.from);
    expect(toUnverified.map((m) => m.body.text.includes('Pode confirmar seus dados?'))).toEqual([true]);
  });
});

describe('after a restart', () => {
  it('open tickets resume their lifecycle from the state stored on the ticket', async () => {
    const t = await open('Survives a restart');
    await patch(t.id, { status: 'on_hold' });
    expect(await local.stop()).toBe(0);
    await startDesk(false);
    // The level-1 budget keeps running from where the ticket says it is.
    const v = await until('the resumed lifecycle to escalate', async () => {
      const x = (await view(t.id)).ticket;
      return x.level === 2 ? x : undefined;
    });
    expect(v.breaches).toEqual([expect.objectContaining({ level: 1 })]);
    expect(await status(t.id)).toBe('RUNNING');
    // A stop and a start of local mode (up to startLocalMode's 90 s on a busy machine): no tight total.
  }, 300_000);
});
