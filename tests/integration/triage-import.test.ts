import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { repoRoot, signInAs, startLocalMode, type LocalMode } from './local-mode.ts';
import { spawnGroup, stopGroup } from '../process-groups.ts';
import { readCorpusTickets } from '../../bench/triage-corpus.ts';

/**
 * Bringing a history (issue 13 item 2) against local mode: POST
 * /admin/triage/examples with a file of good and bad lines reports each bad
 * line by number and stores the good ones once, however often it is posted;
 * then `npm run triage:train` (the CLI, as a child process) trains the
 * running desk on labelled tickets read at test time from
 * ../shared/corpora/labelled-tickets/tickets.jsonl (never copied into the
 * repository; queues mapped as the benchmark maps them), and the model it puts
 * in use routes new tickets of that kind.
 */
const CORPUS = resolve(repoRoot, '../shared/corpora/labelled-tickets/tickets.jsonl');
const present = existsSync(CORPUS);
if (!present) console.log(`triage-import: the corpus part is skipped, ${CORPUS} is absent (the labelled corpus lives outside the repository)`);

let local: LocalMode;
let admin: string;
let agent: string;
let work: string;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  local = await startLocalMode({ fresh: true });
  admin = await signInAs(local.endpoints, 'admin@helpdesk.local');
  agent = await signInAs(local.endpoints, 'l1@helpdesk.local');
  work = await mkdtemp(join(tmpdir(), 'triage-import-'));
}, 240_000);

afterAll(async () => {
  await local?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function post(token: string, body: string | Buffer, type = 'application/x-ndjson') {
  const res = await fetch(`${local.endpoints.apiUrl}/admin/triage/examples`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** The examples stored by imports, read from the table itself. */
async function importedItems() {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: local.endpoints.services.dynamodb, region: local.endpoints.region, credentials: local.endpoints.credentials }));
  const month = new Date().toISOString().slice(0, 7);
  const res = await db.send(
    new QueryCommand({ TableName: local.endpoints.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :i)', ExpressionAttributeValues: { ':pk': `TRIAGE_EXAMPLES#${month}`, ':i': 'IMPORT#' }, ConsistentRead: true }),
  );
  return res.Items ?? [];
}

const line = (o: unknown) => JSON.stringify(o);

describe('POST /admin/triage/examples', () => {
  it('reports bad lines by number, stores good ones once even when posted twice, and refuses what it cannot take', async () => {
    const tag = randomUUID().slice(0, 8);
    const file = [
      line({ subject: `Notebook ${tag} não liga`, body: 'A tela fica preta desde ontem', department: 'it', priority: 'high' }), // 1
      line({ subject: `Reembolso ${tag}`, body: 'Paguei duas vezes a mesma fatura', department: 'finance', category: 'billing' }), // 2
      '{"subject": "Fatura", "body": "segunda via", ', // 3: bad JSON
      line({ subject: `Crachá ${tag}`, body: 'perdi meu crachá', department: 'security' }), // 4: not a department of this desk
      line({ subject: `Sem corpo ${tag}`, department: 'support' }), // 5: no body
      line({ subject: `Enorme ${tag}`, body: 'x'.repeat(70_000), department: 'it' }), // 6: over 64 KiB
      line({ subject: `Boleto ${tag} \u202egnp.exe`, body: 'abra o anexo', department: 'finance' }), // 7: bidirectional override
      '{"subject":"Senha","body":"lone \\udc00 surrogate","department":"it"}', // 8: lone surrogate
      line({ subject: `Férias ${tag}`, body: 'Quero marcar minhas férias de janeiro', department: 'hr', priority: 'p0' }), // 9: bad priority
      '', // 10: blank
      line({ subject: `Ar-condicionado ${tag}`, body: 'A sala 3 está muito quente 🥵', department: 'facilities', priority: 'low' }), // 11
    ].join('\n');

    // Admins only: an agent learns nothing, and nothing is stored.
    expect((await post(agent, file)).status).toBe(403);

    const first = await post(admin, file);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ lines: 10, accepted: 3, repeated: 0, stored: { new: 3, already: 0 }, rejected: { total: 7, listed: 7 } });
    const reasons = Object.fromEntries(first.body.rejected.lines.map((r: { line: number; reason: string }) => [r.line, r.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(reasons[3]).toMatch(/^not JSON/);
    expect(reasons[4]).toMatch(/^department: "security" is not a department of this desk/);
    expect(reasons[5]).toBe('body: required, as a string');
    expect(reasons[6]).toMatch(/^too long: \d+ bytes, at most 65536/);
    expect(reasons[7]).toBe('subject: refused: U+202E, a bidirectional override');
    expect(reasons[8]).toMatch(/^body: refused: .*lone UTF-16 surrogate/);
    expect(reasons[9]).toMatch(/^priority: /);
    // Three examples cannot train a model: nothing is put in use.
    expect(first.body.model).toMatchObject({ published: false, reason: 'too-few-examples', inUse: null });

    // The same file again: the same report, nothing stored twice.
    const again = await post(admin, file, 'application/jsonl; charset=utf-8');
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ accepted: 3, stored: { new: 0, already: 3 }, rejected: { total: 7 } });
    const stored = (await importedItems()).filter((i) => String(i.subject).includes(tag));
    expect(stored).toHaveLength(3);
    expect(stored.every((i) => i.source === 'import')).toBe(true);
    expect(stored.map((i) => i.department).sort()).toEqual(['facilities', 'finance', 'it']);

    // Nothing usable: a 400 that says why and lists the lines.
    const none = await post(admin, 'nope\n{"subject":"x","body":"y","department":"legal"}\n', 'text/plain');
    expect(none.status, none.text).toBe(400);
    expect(none.body.error).toMatchObject({ code: 'no_usable_line', message: expect.stringMatching(/None of the 2 lines is usable/), details: { rejected: { total: 2 } } });
    // Not JSON Lines, or too many lines: refused whole, with a message.
    expect((await post(admin, file, 'application/json')).status).toBe(415);
    const tooMany = await post(admin, Array.from({ length: 1_001 }, () => line({ subject: 's', body: 'b', department: 'it' })).join('\n'));
    expect(tooMany.status, tooMany.text).toBe(413);
    expect(tooMany.body.error.message).toMatch(/1001 lines; at most 1000 .*Split it/);
  }, 180_000);
});


/** Runs the CLI as `npm run triage:train` does, in a process group of its own, stopped even when the test fails. */
async function trainCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawnGroup(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/triage-train.ts'), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }, 'triage:train CLI');
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    return { code, out };
  } finally {
    await stopGroup(child.pid!, 'SIGTERM', 5_000);
  }
}

describe('npm run triage:train', () => {
  it('says the desk is not running, and exits non-zero', async () => {
    const file = join(work, 'one.jsonl');
    await writeFile(file, line({ subject: 's', body: 'b', department: 'it' }));
    const r = await trainCli([file], { HELPDESK_HOME: join(work, 'no-desk-here') });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/The local desk is not running .*npm start/);
  }, 120_000);

  it.skipIf(!present)('trains the running desk on a history: the model it puts in use routes new tickets of that kind', async () => {
    const all = readCorpusTickets(CORPUS);
    const history = all.slice(0, 150);
    const fresh = all.slice(150);
    expect(fresh.length).toBeGreaterThanOrEqual(30);
    const file = join(work, 'history.jsonl');
    // Two bad lines among the history: reported by their numbers, the rest trained on.
    const lines = history.map((t) => line(t));
    lines.splice(10, 0, '{broken');
    lines.splice(20, 0, line({ subject: 'x', body: 'y', department: 'legal' }));
    await writeFile(file, lines.join('\n') + '\n');

    const r = await trainCli([file], { HELPDESK_HOME: local.endpoints.home });
    console.log(r.out);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/152 lines read: 150 accepted, 2 rejected/);
    expect(r.out).toMatch(/line 11: not JSON/);
    expect(r.out).toMatch(/line 21: department: "legal" is not a department of this desk/);
    expect(r.out).toMatch(/Model v1 is in use: on \d+ held-out tickets/);

    // New tickets of the file's kind, opened after the command returned: the model decides some, and routes them right.
    const opened = [];
    for (const t of fresh.slice(0, 30)) {
      const res = await fetch(`${local.endpoints.apiUrl}/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
        body: JSON.stringify({ requester: { email: `cust-${randomUUID().slice(0, 8)}@example.com` }, subject: t.subject, body: t.body, channel: 'email' }),
      });
      expect(res.status).toBe(201);
      opened.push({ ticket: (await res.json()) as { department?: string; triage?: { decidedBy?: string; modelVersion?: string } }, label: t.department });
    }
    const byModel = opened.filter((o) => o.ticket.triage?.decidedBy === 'model');
    const right = byModel.filter((o) => o.ticket.department === o.label);
    console.log(`model decided ${byModel.length} of ${opened.length} new tickets, ${right.length} of them right`);
    expect(opened.some((o) => o.ticket.triage?.modelVersion === 'v1')).toBe(true);
    expect(right.length).toBeGreaterThan(0);
    expect(right.length / byModel.length).toBeGreaterThanOrEqual(0.5);
  }, 600_000);
});
