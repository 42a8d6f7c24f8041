/**
 * `npm run bench:cost`: what the AWS bill comes to per 1,000 tickets, from
 * counts measured in local mode and the public prices in aws-prices.ts.
 *
 * It starts local mode with `--meter` (local/meter.ts), SLA time ×3600 and a
 * policy whose windows close in seconds, and runs a realistic mix of
 * `--tickets` tickets (60 by default):
 *
 *   - 60% arrive by mail through the SMTP gateway (10% with a 30 KB attachment),
 *     20% through the web form, 20% are opened by agents (phone calls);
 *   - agents work their queue as the dashboard does: list pages, each ticket
 *     viewed with the customer's history, taken (open + assignee), a public
 *     reply, a note on 30%, 15% escalated to level 2 (viewed and answered there),
 *     and resolved; the queue refreshed every few tickets;
 *   - 40% of customers reply by mail first (the agent reads and answers again);
 *   - the survey arrives for every resolved ticket and half the customers click
 *     a rating; the others expire, and every lifecycle ends.
 *
 * The meter is read before and after (its own endpoint and the local-only
 * Step Functions operations are not counted), scaled to 1,000 tickets, and
 * priced service by service; storage per month and the fixed monthly costs are
 * printed apart. Free tiers are not subtracted.
 *
 *   npm run bench:cost
 *   npm run bench:cost -- --tickets 120 --agents 10 --json
 */
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { MeterSnapshot } from '../local/meter.ts';
import { currency, prices, region } from './aws-prices.ts';
import { costPerThousand, diffCounters, fixedMonthly, storagePerThousand, usageFromMeter, type FixedInputs } from './cost-model.ts';
import { closers, fmt, local, localOutput, printTable, signIn, sleep, startLocalMode, type LocalEndpoints, runBench } from './lib.ts';
import { stackInventory } from './stack-inventory.ts';
import { functionDefaults } from '../lib/definitions/functions.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Deployed functions log at INFO (lib/constructs/helpdesk-function.ts): count what they would write.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';

const { values: opts } = parseArgs({
  options: {
    tickets: { type: 'string', default: '60' },
    agents: { type: 'string', default: '10' },
    // Default: counted in the synthesised stack (bench/stack-inventory.ts).
    alarms: { type: 'string' },
    'kms-keys': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log('Usage: npm run bench:cost -- [--tickets 60] [--agents 10] [--alarms N] [--kms-keys N] [--json]');
  process.exit(0);
}
const whole = (name: keyof typeof opts, min: number) => {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number ≥ ${min}, not "${opts[name]}"`);
    process.exit(2);
  }
  return n;
};
const N = whole('tickets', 10);
const AGENTS = whole('agents', 1);

/** Memory sizes in the stack: HelpdeskFunction's default, and each manifest entry's own memoryMb (lib/definitions/functions.ts). */
const DEFAULT_MEMORY_MB = functionDefaults.memoryMb;
/** Alarms, keys, secrets and each function's memory, from the stack as deployed (mail and alarms on). */
const inventory = stackInventory();
const MEMORY_MB: Record<string, number> = inventory.memoryMb;
/** Lambda's START, END and REPORT lines per invocation (text format), about this many bytes. */
const PLATFORM_LOG_BYTES = 330;
/** A Step Functions log record (level ALL) is a history event plus its envelope. */
const SFN_LOG_ENVELOPE_BYTES = 250;

/**
 * Windows that close within the run: survey 2 h after resolving (2 s), open for half a day (12 s).
 * SLA targets and level budgets of a week (168 s): a desk that meets its SLA, whatever this machine's speed.
 */
const WEEK = { firstResponseMinutes: 10080, resolutionMinutes: 10080 };
const POLICY = {
  sla: { urgent: WEEK, high: WEEK, normal: WEEK, low: WEEK },
  levelBudgetMinutes: { 1: 10080, 2: 10080, 3: 10080 },
  surveyDelayHours: 2,
  surveyWindowDays: 0.5,
  pendingAutoResolveDays: 7,
  roundRobin: [],
};

interface Endpoints extends LocalEndpoints {
  region: string;
  outboxUrl: string;
  smtpPort: number;
  supportAddress: string;
  meterUrl: string;
  tableName: string;
  stateMachineArn: string;
  services: { dynamodb: string; stepfunctions: string } & Record<string, string>;
}

interface OutboxMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

// ---------------------------------------------------------------- deterministic choices

let seed = 20261122;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const chance = (p: number) => rand() < p;

const run = randomBytes(3).toString('hex');
const SUBJECTS = ['VPN does not connect', 'Printer on floor 3 jams', 'Invoice shows the wrong VAT', 'Cannot sign in to the portal', 'Pedido não chegou', 'Acesso ao sistema bloqueado', 'Laptop battery drains fast', 'Refund for order'];
const BODY =
  'Hello,\r\n\r\nsince this morning the problem above keeps happening. I restarted twice and asked a colleague, who sees the same.\r\n' +
  'I need this working for the month-end report. Details: asset HD-20417, Windows 11, client 5.2.\r\n\r\nThanks,\r\nJoana';

function rawMail(from: string, subject: string, body: string, extra: string[] = [], attachment?: Buffer): string {
  const b = `=_b${randomBytes(6).toString('hex')}`;
  const html = `<html><body><p>${body.replace(/\r\n\r\n/g, '</p><p>').replace(/\r\n/g, '<br>')}</p></body></html>`;
  const part = (type: string, text: string) => [`--${b}`, `Content-Type: text/${type}; charset=utf-8`, 'Content-Transfer-Encoding: 8bit', '', text];
  const alt = `=_a${randomBytes(6).toString('hex')}`;
  const lines = [
    `From: Customer <${from}>`,
    'To: support@helpdesk.local',
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@customer.example>`,
    ...extra,
    'MIME-Version: 1.0',
  ];
  if (!attachment) return [...lines, `Content-Type: multipart/alternative; boundary="${b}"`, '', ...part('plain', body), ...part('html', html), `--${b}--`, ''].join('\r\n');
  return [
    ...lines,
    `Content-Type: multipart/mixed; boundary="${alt}"`,
    '',
    `--${alt}`,
    `Content-Type: multipart/alternative; boundary="${b}"`,
    '',
    ...part('plain', body),
    ...part('html', html),
    `--${b}--`,
    `--${alt}`,
    'Content-Type: application/pdf; name="screenshot.pdf"',
    'Content-Disposition: attachment; filename="screenshot.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    ...(attachment.toString('base64').match(/.{1,76}/g) ?? []),
    `--${alt}--`,
    '',
  ].join('\r\n');
}

/** `fn` over `items`, `k` at a time. */
async function inTurn<T>(items: T[], k: number, fn: (item: T, index: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: k }, async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i]!, i);
  }));
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const t0 = performance.now();
  const policyFile = join(process.env.TMPDIR ?? '/tmp', `helpdesk-cost-policy-${run}.json`);
  await writeFile(policyFile, JSON.stringify(POLICY));
  closers.push(() => import('node:fs/promises').then((fs) => fs.rm(policyFile, { force: true })));

  console.log(`help desk cost bench — ${N} tickets, prices for ${region} in ${currency} (aws-prices.ts: check them before use)`);
  const ep = await startLocalMode<Endpoints>('helpdesk-bench-cost-', ['--meter', '--time-scale', '3600', '--policy', policyFile]);
  console.log(`local mode up in ${fmt((performance.now() - t0) / 1000)} s (pid ${local.child!.pid})`);

  const tokens = new Map<string, string>();
  for (const email of ['l1@helpdesk.local', 'l2@helpdesk.local']) tokens.set(email, await signIn(ep, email));
  const sfn = new SFNClient({ endpoint: ep.services.stepfunctions, region: ep.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const ddb = new DynamoDBClient({ endpoint: ep.services.dynamodb, region: ep.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tableBytes = async () => (await ddb.send(new DescribeTableCommand({ TableName: ep.tableName }))).Table?.TableSizeBytes ?? 0;

  const meter = async () => (await (await fetch(ep.meterUrl)).json()) as MeterSnapshot;
  const sfnLocal = async (op: 'LocalStats') => (await (await fetch(ep.services.stepfunctions, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}` }, body: '{}' })).json()) as { running: number; waiting: number; held: number };
  const outbox = async () => ((await (await fetch(`${ep.outboxUrl}/store`)).json()) as { emails: OutboxMail[] }).emails;

  let errors = 0;
  const errorSamples = new Set<string>();
  const fail = (what: string) => {
    errors++;
    if (errorSamples.size < 5) errorSamples.add(what.slice(0, 200));
  };
  const api = async (method: string, path: string, as: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(ep.apiUrl + path, {
      method,
      headers: { authorization: `Bearer ${tokens.get(as)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) fail(`${method} ${path.split('?')[0]} ${res.status} ${text.slice(0, 120)}`);
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined, etag: res.headers.get('etag') };
  };
  /** The web form posts from many customers' addresses: here, other loopback addresses (the form allows 5 an hour per IP). */
  const webForm = (fields: Record<string, string>, ipLast: number) =>
    new Promise<number>((ok, ko) => {
      const url = new URL(`${ep.apiUrl}/help`);
      const body = new URLSearchParams(fields).toString();
      const req = request({ host: url.hostname, port: url.port, path: '/help', method: 'POST', localAddress: `127.0.0.${ipLast}`, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      });
      req.on('error', ko);
      req.end(body);
    });

  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: ep.smtpPort, ignoreTLS: true, pool: true, maxConnections: 4 } as nodemailer.TransportOptions);
  closers.push(() => smtp.close());
  const mail = (from: string, raw: string) => smtp.sendMail({ envelope: { from, to: [ep.supportAddress] }, raw }).catch((e: Error) => fail(`SMTP ${e.message}`));

  // Settle the start-up (seed, resumed lifecycles) before the first reading.
  await sleep(500);
  const before = await meter();
  const bytesBefore = await tableBytes();
  const tStart = performance.now();

  // ------------------------------------------------------------ 1. tickets arrive
  const customers: { email: string; subject: string; channel: 'mail' | 'web' | 'phone' }[] = [];
  for (let i = 0; i < N; i++) {
    const channel = i % 5 < 3 ? 'mail' : i % 5 === 3 ? 'web' : 'phone';
    customers.push({ email: `c${i}-${run}@customer.example`, subject: `${SUBJECTS[i % SUBJECTS.length]} (${run}-${i})`, channel });
  }
  let webIp = 10;
  // Four at a time: a steady stream, not one burst on two cores (that would inflate every duration).
  await inTurn(customers, 4, async (c, i) => {
      if (c.channel === 'mail') await mail(c.email, rawMail(c.email, c.subject, BODY, [], chance(0.1) ? randomBytes(30 * 1024) : undefined));
      else if (c.channel === 'web') {
        const status = await webForm({ name: 'Cliente', email: c.email, subject: c.subject, message: BODY, website: '' }, webIp++);
        if (status >= 400) fail(`POST /help ${status}`);
      } else {
        await api('POST', '/tickets', 'l1@helpdesk.local', { requester: { email: c.email, name: 'Caller' }, subject: c.subject, body: BODY, channel: 'phone', department: 'it', priority: i % 7 === 0 ? 'high' : 'normal' }, { 'idempotency-key': `cost-${run}-${i}` });
      }
  });
  // Every ticket has its lifecycle waiting for an agent (read off the meter and the local Step Functions, neither metered).
  const started = before.sources.stepFunctions?.executions ?? 0;
  for (const until = Date.now() + 120_000; ; await sleep(250)) {
    const [m, s] = [await meter(), await sfnLocal('LocalStats')];
    if ((m.sources.stepFunctions?.executions ?? 0) - started >= N && s.held === 0 && s.running === s.waiting) break;
    if (Date.now() > until) throw new Error(`only ${(m.sources.stepFunctions?.executions ?? 0) - started} of ${N} tickets reached their lifecycle in 120 s`);
  }
  console.log(`${N} tickets in (${customers.filter((c) => c.channel === 'mail').length} mail, ${customers.filter((c) => c.channel === 'web').length} web form, ${customers.filter((c) => c.channel === 'phone').length} phone) after ${fmt((performance.now() - tStart) / 1000)} s`);

  // ------------------------------------------------------------ 2. agents work the queue, as the dashboard does
  const queue: { id: string; requester: { email: string } }[] = [];
  for (let cursor: string | undefined, page = 0; page < 20; page++) {
    const res = await api('GET', `/tickets?status=new&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, 'l1@helpdesk.local');
    queue.push(...((res.body?.items ?? []) as typeof queue));
    cursor = res.body?.nextCursor ?? undefined;
    if (!cursor) break;
  }
  const ours = queue.filter((t) => t.requester.email.includes(`-${run}@`));
  if (ours.length < N) fail(`the queue shows ${ours.length} of ${N} tickets`);

  const view = async (id: string, email: string, as: string) => {
    const t = await api('GET', `/tickets/${id}`, as);
    await api('GET', `/customers/${encodeURIComponent(email)}/tickets?limit=10`, as);
    return t;
  };
  const version = (r: { body?: any; etag: string | null }) => Number(r.body?.ticket?.version ?? r.body?.version ?? (r.etag ?? '').replace(/\D/g, ''));
  /** A PATCH as the dashboard sends it: with the version read; on a 409 (the lifecycle changed the ticket meanwhile) it reloads and applies again. */
  let conflicts = 0;
  const patch = async (id: string, as: string, read: { body?: any; etag: string | null }, change: Record<string, unknown>) => {
    const res = await fetch(`${ep.apiUrl}/tickets/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${tokens.get(as)}`, 'content-type': 'application/json', 'if-match': `"${version(read)}"` }, body: JSON.stringify(change) });
    await res.text();
    if (res.status !== 409) {
      if (!res.ok) fail(`PATCH /tickets/{id} ${res.status}`);
      return;
    }
    conflicts++;
    await api('PATCH', `/tickets/${id}`, as, change, { 'if-match': `"${version(await api('GET', `/tickets/${id}`, as))}"` });
  };

  const customerReplies: { id: string; email: string; number: number; subject: string }[] = [];
  let worked = 0;
  const work = async (t: (typeof ours)[number]) => {
    const email = t.requester.email;
    let cur = await view(t.id, email, 'l1@helpdesk.local');
    const number = Number(cur.body?.ticket?.number);
    const subject = String(cur.body?.ticket?.subject ?? '');
    await patch(t.id, 'l1@helpdesk.local', cur, { status: 'open', assignee: 'l1@helpdesk.local' });
    await api('POST', `/tickets/${t.id}/messages`, 'l1@helpdesk.local', { kind: 'reply', body: 'Thanks for writing. Could you tell me when it started and send a screenshot?' });
    if (chance(0.3)) await api('POST', `/tickets/${t.id}/messages`, 'l1@helpdesk.local', { kind: 'note', body: 'Checked the logs: same error as last week.' });
    if (chance(0.4)) customerReplies.push({ id: t.id, email, number, subject });
    let as = 'l1@helpdesk.local';
    if (chance(0.15)) {
      cur = await api('GET', `/tickets/${t.id}`, as);
      await patch(t.id, as, cur, { level: 2, assignee: 'l2@helpdesk.local' });
      as = 'l2@helpdesk.local';
      await view(t.id, email, as);
      await api('POST', `/tickets/${t.id}/messages`, as, { kind: 'reply', body: 'Level 2 here: I have applied a fix on our side.' });
    }
    if (++worked % 5 === 0) await api('GET', '/tickets?assignee=l1%40helpdesk.local&status=new,open&limit=25', 'l1@helpdesk.local');
    return as;
  };
  const assigned = new Map<string, string>();
  for (let i = 0; i < ours.length; i += 4) await Promise.all(ours.slice(i, i + 4).map(async (t) => assigned.set(t.id, await work(t))));

  // Customers answer by mail ([#number] in the subject threads it); the agent reads it and answers.
  await Promise.all(customerReplies.map((r) => mail(r.email, rawMail(r.email, `Re: [#${r.number}] ${r.subject}`, 'It started yesterday at 9. Screenshot attached in my first mail.\r\n\r\nJoana'))));
  for (const r of customerReplies) {
    for (const until = Date.now() + 30_000; ; await sleep(200)) {
      const { body } = await api('GET', `/tickets/${r.id}`, assigned.get(r.id)!);
      if (((body?.messages ?? []) as { direction?: string; kind?: string }[]).filter((m) => m.kind === 'customer' || m.direction === 'inbound').length >= 2) break;
      if (Date.now() > until) {
        fail(`customer reply to #${r.number} not on the ticket within 30 s`);
        break;
      }
    }
    await api('POST', `/tickets/${r.id}/messages`, assigned.get(r.id)!, { kind: 'reply', body: 'Thanks, that helped: it is fixed now.' });
  }

  // Resolve everything.
  for (let i = 0; i < ours.length; i += 4) {
    await Promise.all(
      ours.slice(i, i + 4).map(async (t) => {
        const as = assigned.get(t.id)!;
        const cur = await api('GET', `/tickets/${t.id}`, as);
        await patch(t.id, as, cur, { status: 'resolved' });
      }),
    );
    await api('GET', '/tickets?status=new,open&limit=25', 'l1@helpdesk.local');
  }
  console.log(`agents done after ${fmt((performance.now() - tStart) / 1000)} s (${customerReplies.length} customer replies by mail, ${conflicts} stale-version PATCHes reloaded and applied again)`);

  // ------------------------------------------------------------ 3. surveys: half the customers click a rating
  const surveyed = new Set<string>();
  let answered = 0;
  let lateClicks = 0;
  for (const until = Date.now() + 90_000; surveyed.size < ours.length && Date.now() < until; await sleep(500)) {
    for (const m of await outbox()) {
      const to = m.destination.to.join(',');
      const c = customers.find((x) => to.includes(x.email));
      const link = /https?:\/\/[^\s"'<>]+\/survey\/[A-Za-z0-9._~-]+/.exec(m.body.text ?? m.body.html ?? '')?.[0];
      if (!c || !link || surveyed.has(c.email)) continue;
      surveyed.add(c.email);
      if (chance(0.5)) {
        const res = await fetch(link.replace(/^https?:\/\/[^/]+/, ep.apiUrl));
        await res.text();
        if (res.ok) answered++;
        // 410: the window closed before the customer clicked (the page says so); that happens.
        else if (res.status === 410) lateClicks++;
        else fail(`GET /survey/{token} ${res.status}`);
      }
    }
  }
  if (surveyed.size < ours.length) fail(`${surveyed.size} of ${ours.length} surveys arrived within 90 s`);

  // ------------------------------------------------------------ 4. every lifecycle ends (answered, or the window closes)
  for (const until = Date.now() + 120_000; ; await sleep(500)) {
    const s = await sfnLocal('LocalStats');
    if (s.running === 0 && s.held === 0) break;
    if (Date.now() > until) {
      fail(`${s.running} lifecycle(s) still running after 120 s`);
      break;
    }
  }
  const runSeconds = (performance.now() - tStart) / 1000;
  const after = await meter();
  const bytesAfter = await tableBytes();

  // The state machine's log (level ALL, with execution data): its history events, as CloudWatch would get them.
  let sfnLogBytes = 0;
  let executions = 0;
  for (let nextToken: string | undefined; ; ) {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: ep.stateMachineArn, maxResults: 100, nextToken }));
    for (const e of page.executions ?? []) {
      if (!(e.startDate && e.startDate.getTime() >= Date.parse(before.at))) continue;
      executions++;
      for (let token: string | undefined; ; ) {
        const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn, maxResults: 1000, nextToken: token }));
        for (const ev of h.events ?? []) sfnLogBytes += Buffer.byteLength(JSON.stringify(ev)) + SFN_LOG_ENVELOPE_BYTES;
        if (!(token = h.nextToken)) break;
      }
    }
    if (!(nextToken = page.nextToken)) break;
  }

  // ------------------------------------------------------------ 5. the bill
  const m = diffCounters(before, after);
  const usage = usageFromMeter(m, { memoryMb: (fn) => MEMORY_MB[fn] ?? DEFAULT_MEMORY_MB, platformLogBytesPerInvocation: PLATFORM_LOG_BYTES, stateMachineLogBytes: sfnLogBytes });
  const perUse = costPerThousand(usage, N, prices);
  const s3Bytes = Object.entries(m.s3).filter(([op]) => op === 'PutObject').reduce((n, [, s]) => n + s.bytes, 0);
  const storage = storagePerThousand({ dynamoBytes: Math.max(0, bytesAfter - bytesBefore), s3Bytes, logBytes: usage.logBytes }, N, prices);
  const fixedInputs: FixedInputs = {
    agents: AGENTS,
    kmsKeys: opts['kms-keys'] === undefined ? inventory.kmsKeys : whole('kms-keys', 0),
    secrets: inventory.secrets,
    alarms: opts.alarms === undefined ? inventory.alarms : whole('alarms', 0),
    dashboards: inventory.dashboards,
    customMetrics: 13,
    idleSqsPollers: 5 * inventory.sqsEventSources,
    dashboardLoadsPerAgent: 22 * 4,
    dashboardBytesPerLoad: 150 * 1024,
    dashboardRequestsPerLoad: 8,
  };
  const fixed = fixedMonthly(fixedInputs, prices);

  const usd$ = (x: number) => (x >= 0.01 ? `$${x.toFixed(2)}` : x > 0 ? `$${x.toFixed(4)}` : '$0');
  const n = (x: number) => (Number.isInteger(x) ? String(x) : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
  const unitPrice = (p: { usd: number; per: number }) => `$${p.usd}/${p.per === 1 ? '' : p.per.toLocaleString('en-US')}`.replace(/\/$/, '');

  const fns = Object.entries(m.lambda).filter(([, f]) => f.invocations > 0).sort((a, b) => b[1].billedMs - a[1].billedMs);
  console.log(`\nmeasured over ${N} tickets in ${fmt(runSeconds)} s: ${m.http.requests} API requests, ${executions} lifecycles, ${m.sesInbound.mails} mails in, ${m.ses.sends} mails out, ${answered} surveys answered (${lateClicks} clicked after the window)\n`);
  printTable(
    ['function', 'invocations', 'errors', 'avg ms', 'billed ms', 'memory', 'log bytes', 'DynamoDB WRU', 'RRU'],
    fns.map(([name, f]) => [name, String(f.invocations), String(f.errors), fmt(f.durationMs / f.invocations), String(Math.round(f.billedMs)), `${MEMORY_MB[name] ?? DEFAULT_MEMORY_MB} MB`, String(f.logBytes), n(f.writeUnits), n(f.readUnits)]),
  );
  console.log(
    `\nDynamoDB: ${n(m.dynamodb.writeUnits)} write + ${n(m.dynamodb.readUnits)} read units reported (TOTAL, index writes included)` +
      `; ${m.dynamodb.conditionalFailures} refused conditional writes (+1 WRU each), ${m.dynamodb.cancelledTransactionItems} items in cancelled transactions (+2 each), ${m.dynamodb.zeroUnitReads} empty reads (+0.5 RRU each)`,
  );
  console.log(`DynamoDB by operation: ${Object.entries(m.dynamodb.byOperation).filter(([, o]) => o.calls).map(([op, o]) => `${op} ${o.calls} calls ${n(o.writeUnits + o.readUnits)} units`).join(', ')}`);
  console.log(`SQS: ${m.sqsEmptyReceives} empty long polls left out (an idle cost, in the fixed costs); table size +${fmt(Math.max(0, bytesAfter - bytesBefore) / 1024)} KB; S3 +${fmt(s3Bytes / 1024)} KB\n`);

  printTable(
    ['service', 'measured', 'per 1,000 tickets', 'unit price', 'per 1,000 tickets'],
    [
      ...perUse.lines.map((l) => [l.service, n(l.measured), n(l.per1000), unitPrice(l.price), usd$(l.cost)]),
      ['total, per 1,000 tickets', '', '', '', usd$(perUse.total)],
    ],
  );
  console.log('');
  printTable(
    ['storage while kept (per 1,000 tickets)', 'GB', 'per month'],
    [...storage.lines.map((l) => [l.service, l.per1000.toPrecision(3), usd$(l.cost)]), ['total, per month kept', '', usd$(storage.total)]],
  );
  console.log('');
  printTable(
    ['fixed, per month (any volume)', 'units', 'unit price', 'per month'],
    [...fixed.lines.map((l) => [l.service, n(l.units), unitPrice(l.price), usd$(l.cost)]), ['total, per month', '', '', usd$(fixed.total)]],
  );
  console.log(`\n${region}, on-demand list prices, free tiers not subtracted. Lambda time is local wall time on this machine (2 shared cores, DynamoDB Local): an estimate, not Lambda's.`);
  for (const s of errorSamples) console.log(`  error: ${s}`);
  if (errors && process.env.BENCH_COST_DEBUG) console.log(`local mode's last output:\n${localOutput()}`);
  console.log(`total ${errors} error(s); wall time ${fmt((performance.now() - t0) / 1000)} s`);

  if (opts.json) {
    console.log(
      JSON.stringify({
        region,
        tickets: N,
        runSeconds: Number(runSeconds.toFixed(1)),
        usage,
        perThousand: Object.fromEntries(perUse.lines.map((l) => [l.service, { units: Number(l.per1000.toPrecision(6)), usd: Number(l.cost.toFixed(6)) }])),
        totalPerThousandUsd: Number(perUse.total.toFixed(4)),
        storagePerThousandPerMonthUsd: Number(storage.total.toFixed(4)),
        fixedPerMonthUsd: Number(fixed.total.toFixed(2)),
        errors,
      }),
    );
  }
  return errors ? 1 : 0;
}

await runBench(main);
