import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { apiCall, repoRoot, signInAs, startLocalMode, type LocalMode } from './local-mode.ts';
import { readCorpusTickets, type CorpusTicket } from '../../bench/triage-corpus.ts';

/**
 * Done when of issue 13: a fresh local mode routes by its rules, learns from
 * the tickets its agents work, and routes better afterwards.
 *
 * The labelled tickets are read at test time from
 * ../shared/corpora/labelled-tickets/tickets.jsonl (never copied into the
 * repository), queues mapped to the desk's departments as the benchmark maps
 * them (bench/triage-corpus.ts). The first 100 are opened through the API and
 * worked by an agent (department and priority set, resolved): each becomes a
 * labelled example. The rest, never worked, are the new tickets: opened
 * before the retrain (the rules decide) and again after it (rules and model),
 * and the department triage gave them is compared with their label.
 */
const CORPUS = resolve(repoRoot, '../shared/corpora/labelled-tickets/tickets.jsonl');
const WORKED = 100;
const present = existsSync(CORPUS);
if (!present) console.log(`triage-learning: skipped, ${CORPUS} is absent (the labelled corpus lives outside the repository)`);


let local: LocalMode;
let agent: string;
let admin: string;

beforeAll(async () => {
  if (!present) return;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  local = await startLocalMode({ fresh: true });
  agent = await signInAs(local.endpoints, 'l1@helpdesk.local');
  admin = await signInAs(local.endpoints, 'admin@helpdesk.local');
}, 240_000);

afterAll(async () => {
  await local?.stop();
});

const call = (token: string, method: string, path: string, body?: unknown) => apiCall(local.endpoints.apiUrl, token, method, path, body);

/** At most `n` at once: the machine is shared. */
async function inBatches<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

async function open(t: CorpusTicket) {
  for (let attempt = 1; ; attempt++) {
    const res = await call(agent, 'POST', '/tickets', { requester: { email: `cust-${randomUUID().slice(0, 8)}@example.com` }, subject: t.subject, body: t.body, channel: 'email' });
    // A machine shared by several test runs can push a call past the function's 10 s: the ticket is asked for again.
    if (res.status === 500 && attempt < 3 && /Timedout|timed out|TimeoutError/.test(local.output().slice(-4000))) continue;
    expect(res.status, `${res.text}\n${local.output().slice(-3000)}`).toBe(201);
    return res.body;
  }
}

/** The agent's work: where the ticket belongs, how urgent it is, resolved. A 409 (the lifecycle wrote meanwhile) is retried on the current version. */
async function work(id: string, t: CorpusTicket) {
  for (let attempt = 1; ; attempt++) {
    const current = (await call(agent, 'GET', `/tickets/${id}`)).body.ticket;
    const res = await call(agent, 'PATCH', `/tickets/${id}`, { department: t.department, priority: t.priority, status: 'resolved', version: current.version });
    if (res.status === 200) return res.body;
    expect(res.status, res.text).toBe(409);
    expect(attempt).toBeLessThan(5);
  }
}

/** Share of tickets triage routed to their labelled department (unrouted counts as wrong), and who decided. */
async function routing(tickets: CorpusTicket[]) {
  const opened = await inBatches(tickets, 2, open);
  const right = opened.filter((o, i) => o.department === tickets[i]!.department).length;
  const decidedBy: Record<string, number> = {};
  for (const o of opened) decidedBy[o.triage?.decidedBy ?? 'none'] = (decidedBy[o.triage?.decidedBy ?? 'none'] ?? 0) + 1;
  return { accuracy: right / tickets.length, unrouted: opened.filter((o) => !o.department).length / tickets.length, decidedBy, versions: [...new Set(opened.map((o) => o.triage?.modelVersion ?? null))] };
}

describe.skipIf(!present)('triage learns from the tickets agents work (issue 13)', () => {
  it('routes new tickets right more often after 100 worked tickets and a retrain', async () => {
    const all = readCorpusTickets(CORPUS);
    const worked = all.slice(0, WORKED);
    const unseen = all.slice(WORKED);
    expect(unseen.length).toBeGreaterThanOrEqual(50);

    // Departments the labels use exist on a fresh desk (the default ones).
    const departments = (await call(agent, 'GET', '/departments')).body;
    const ids = new Set((Array.isArray(departments) ? departments : departments.items).map((d: { id: string }) => d.id));
    for (const d of new Set(all.map((t) => t.department))) expect(ids.has(d), d).toBe(true);

    // One ticket first, alone: the function's cold start is not raced by three more.
    await open(worked[0]!);

    // Before: the rules alone (no model in use on a fresh desk).
    const before = await routing(unseen);
    expect(before.versions).toEqual([null]);

    // Agents work 100 tickets: each resolved ticket becomes a labelled example.
    await inBatches(worked, 2, async (t) => work((await open(t)).id, t));

    // Only admins retrain.
    expect((await call(agent, 'POST', '/admin/triage/retrain')).status).toBe(403);
    let retrain = await call(admin, 'POST', '/admin/triage/retrain');
    // Past its 29 s on a loaded machine the answer is a 500 while the run goes on; asked again, it finds the model that run put in use.
    for (let attempt = 1; retrain.status === 500 && attempt < 3; attempt++) {
      await new Promise((r) => setTimeout(r, 30_000));
      retrain = await call(admin, 'POST', '/admin/triage/retrain');
    }
    expect(retrain.status, retrain.text).toBe(200);
    console.log('retrain:', JSON.stringify({ ...retrain.body, metrics: { recommendedThreshold: retrain.body.metrics?.recommendedThreshold, department: retrain.body.metrics?.fields?.department?.accuracy } }));
    expect(retrain.body).toMatchObject({ inUse: 'v1', examples: { desk: WORKED } });
    if (!retrain.body.published) expect(['too-few-held-out', 'not-better']).toContain(retrain.body.reason);

    // Functions read which model is in use at most once per 10 s.
    await new Promise((r) => setTimeout(r, 11_000));
    const after = await routing(unseen);
    console.log(
      `department right on ${unseen.length} new tickets: before ${(before.accuracy * 100).toFixed(1)} % (unrouted ${(before.unrouted * 100).toFixed(1)} %), ` +
        `after ${(after.accuracy * 100).toFixed(1)} % (unrouted ${(after.unrouted * 100).toFixed(1)} %); decided by ${JSON.stringify(after.decidedBy)}`,
    );
    expect(after.versions).toContain('v1');
    expect(after.accuracy).toBeGreaterThan(before.accuracy);

    // A second retrain on the same tickets has nothing new to hold out against the model in use: v1 stays.
    const again = await call(admin, 'POST', '/admin/triage/retrain');
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ published: false, inUse: 'v1' });
  }, 900_000);
});
