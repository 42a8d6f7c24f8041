/**
 * `npm run bench`: throughput and latency of the local-mode API against the
 * raw speed of the DynamoDB Local it runs on, in one self-contained run.
 *
 * It starts local mode in a throw-away home, signs in as l1@helpdesk.local,
 * then measures with a closed loop of `--concurrency` workers for `--seconds`
 * per phase (after a short warm-up):
 *
 *   raw-put   PutItem straight to DynamoDB Local, items the size of a ticket
 *   create    POST /tickets
 *   get       GET /tickets/{id}, over the tickets `create` made
 *   list      GET /tickets?department=it&limit=25
 *
 * Each ticket also starts its lifecycle (triage, search and report indexing,
 * its first SLA wait). In AWS that runs on other Lambdas; here it would share
 * the same 2 cores and DynamoDB Local with the create path, so the bench
 * holds executions back (local Step Functions' LocalSetPaused) while it
 * measures the API, then lets them go and times that work on its own:
 *
 *   lifecycle  from held back to every execution waiting for agents
 *
 * raw-put and create alternate for `--rounds` rounds, because a shared 2-core
 * machine is noisy: their throughput is the median over rounds, and the goal
 * ratio (create / raw-put) is the median of the per-round ratios.
 *
 *   npm run bench
 *   npm run bench -- --seconds 5 --rounds 5 --concurrency 32
 *   npm run bench -- --json             last line: a JSON summary
 *   npm run bench -- --warmup 20        let DynamoDB Local's JIT settle first (steadier numbers)
 *
 * Any non-2xx answer or failed request counts as an error; a run with errors
 * exits with status 1.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { localOperations } from '../local/step-functions.ts';
import { fmt, local, median, percentile, printTable, processCpuMs, signIn, startLocalMode, type LocalEndpoints, runBench } from './lib.ts';

// The SDK's Node 20 end-of-support notice is noise here: versions are pinned by the lockfile.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const GOAL = 0.5;

// ---------------------------------------------------------------- options

const { values: opts } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1.5' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (opts.help) {
  console.log(
    'Usage: npm run bench -- [--concurrency 16] [--seconds 10] [--rounds 3] [--warmup 1.5] [--json]',
  );
  process.exit(0);
}

function positive(name: string, raw: string | undefined, { integer = true, allowZero = false } = {}): number {
  const n = Number(raw);
  const ok = Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) && (!integer || Number.isInteger(n));
  if (!ok) {
    console.error(`--${name} must be a ${integer ? 'whole ' : ''}number ${allowZero ? '≥ 0' : '> 0'}, not "${raw}"`);
    process.exit(2);
  }
  return n;
}
const concurrency = positive('concurrency', opts.concurrency);
const seconds = positive('seconds', opts.seconds, { integer: false });
const rounds = positive('rounds', opts.rounds);
const warmupSeconds = positive('warmup', opts.warmup, { integer: false, allowZero: true });

// ---------------------------------------------------------------- local mode (started, stopped and cleaned up by lib.ts)

interface Endpoints extends LocalEndpoints {
  region: string;
  tableName: string;
  services: { dynamodb: string } & Record<string, string>;
}

// ---------------------------------------------------------------- CPU accounting (Linux /proc via lib.ts; optional)

interface CpuSnapshot {
  api?: number;
  dynamodb?: number;
  bench: number;
}
const cpuNow = (): CpuSnapshot => {
  const u = process.cpuUsage();
  return { api: processCpuMs(local.child?.pid), dynamodb: processCpuMs(local.javaPid), bench: (u.user + u.system) / 1000 };
};
const cpuDiff = (a: CpuSnapshot, b: CpuSnapshot): CpuSnapshot => ({
  api: a.api !== undefined && b.api !== undefined ? b.api - a.api : undefined,
  dynamodb: a.dynamodb !== undefined && b.dynamodb !== undefined ? b.dynamodb - a.dynamodb : undefined,
  bench: b.bench - a.bench,
});

// ---------------------------------------------------------------- load generator

/** One request: resolve to undefined on success, or a short description of the failure. */
type Op = (seq: number) => Promise<string | undefined>;

interface PhaseResult {
  phase: string;
  requests: number;
  errors: number;
  elapsedS: number;
  rps: number;
  p50: number;
  p99: number;
  latencies: number[];
  cpu: CpuSnapshot;
  errorSamples: string[];
}

let warmupErrors = 0;
const warmupErrorSamples = new Set<string>();

function summarise(latencies: number[]) {
  const sorted = Float64Array.from(latencies).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/** Closed loop: `workers` callers each issue the next request as soon as the last one answers, until the deadline. */
async function runPhase(phase: string, durationS: number, workers: number, op: Op): Promise<PhaseResult> {
  const latencies: number[] = [];
  const samples = new Set<string>();
  let errors = 0;
  let seq = 0;
  const cpuStart = cpuNow();
  const started = performance.now();
  const deadline = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        let failure: string | undefined;
        try {
          failure = await op(seq++);
        } catch (err) {
          failure = (err as Error).name && (err as Error).name !== 'Error' ? `${(err as Error).name}: ${(err as Error).message}` : String((err as Error).message ?? err);
        }
        latencies.push(performance.now() - t0);
        if (failure !== undefined) {
          errors++;
          if (samples.size < 3) samples.add(failure.slice(0, 200));
        }
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = cpuDiff(cpuStart, cpuNow());
  return { phase, requests: latencies.length, errors, elapsedS, rps: latencies.length / elapsedS, ...summarise(latencies), latencies, cpu, errorSamples: [...samples] };
}

async function warmUp(label: string, op: Op, durationS = warmupSeconds) {
  if (durationS <= 0) return;
  const r = await runPhase(`warm-up ${label}`, durationS, concurrency, op);
  warmupErrors += r.errors;
  for (const s of r.errorSamples) warmupErrorSamples.add(`${label}: ${s}`);
}

// ---------------------------------------------------------------- payloads

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function attr(v: Plain): AttributeValue {
  if (v === null) return { NULL: true };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map(attr) };
  return { M: item(v) };
}
function item(o: Record<string, Plain>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, attr(v)]));
}
/** Roughly how DynamoDB sizes an item: attribute names plus values. */
function itemBytes(o: Record<string, Plain>): number {
  const size = (v: Plain): number =>
    v === null || typeof v === 'boolean'
      ? 1
      : typeof v === 'string'
        ? Buffer.byteLength(v)
        : typeof v === 'number'
          ? String(v).length
          : Array.isArray(v)
            ? 3 + v.reduce<number>((s, x) => s + 1 + size(x), 0)
            : 3 + Object.entries(v).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + size(x), 0);
  return Object.entries(o).reduce((s, [k, v]) => s + Buffer.byteLength(k) + size(v), 0);
}

const SUBJECT = 'Laptop cannot reach the VPN since this morning';
const BODY =
  'Hello, since about 8:30 my laptop shows "connection timed out" when I start the VPN client. ' +
  'I restarted twice and tried the office Wi-Fi and my phone hotspot, same result. Colleagues next to me ' +
  'can connect. I need access to the finance share before noon for the month-end report. ' +
  'Asset tag HD-20417, Windows 11, client version 5.2. Please call me back on extension 4412.';

const createBody = (n: number) =>
  JSON.stringify({
    requester: { email: `requester${n % 200}@example.com`, name: `Requester ${n % 200}` },
    subject: `${SUBJECT} (#${n})`,
    body: BODY,
    channel: 'phone',
    department: 'it',
    priority: 'normal',
  });

/** The attributes a ticket item carries (without its index keys), under bench-only keys. */
function ticketLike(n: number, now: string): Record<string, Plain> {
  const due = new Date(Date.parse(now) + 8 * 3600_000).toISOString();
  return {
    pk: `BENCH#${n}`,
    sk: 'BENCH',
    type: 'bench',
    id: `01BENCH${String(n).padStart(19, '0')}`,
    number: n,
    subject: `${SUBJECT} (#${n})`,
    status: 'new',
    priority: 'normal',
    level: 1,
    department: 'it',
    category: null,
    tags: [],
    assignee: null,
    requester: { email: `requester${n % 200}@example.com`, name: `Requester ${n % 200}` },
    channel: 'phone',
    createdAt: now,
    updatedAt: now,
    createdBy: 'l1@helpdesk.local',
    firstResponseDueAt: due,
    resolutionDueAt: due,
    firstRespondedAt: null,
    resolvedAt: null,
    closedAt: null,
    dueAt: due,
    version: 1,
  };
}

// ---------------------------------------------------------------- output

interface Row {
  phase: string;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  cpu: CpuSnapshot;
  note?: string;
}

function table(rows: Row[]) {
  const perReq = (ms: number | undefined, n: number) => (ms === undefined || n === 0 ? '-' : (ms / n).toFixed(2));
  const head = ['phase', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'cpu ms/req api|ddb|bench'];
  const body = rows.map((r) => [
    r.phase,
    String(r.requests),
    String(r.errors),
    fmt(r.rps),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    `${perReq(r.cpu.api, r.requests)} | ${perReq(r.cpu.dynamodb, r.requests)} | ${perReq(r.cpu.bench, r.requests)}${r.note ? `   ${r.note}` : ''}`,
  ]);
  printTable(head, body);
}

const toRow = (r: PhaseResult, note?: string): Row => ({ phase: r.phase, requests: r.requests, errors: r.errors, rps: r.rps, p50: r.p50, p99: r.p99, cpu: r.cpu, note });

/** Rounds of one phase as one row: summed counts and CPU, median throughput, pooled latency percentiles. */
function pooled(phase: string, results: PhaseResult[]): Row {
  const sum = (f: (r: PhaseResult) => number | undefined) => {
    const xs = results.map(f);
    return xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((s, x) => s + x!, 0);
  };
  return {
    phase,
    requests: sum((r) => r.requests)!,
    errors: sum((r) => r.errors)!,
    rps: median(results.map((r) => r.rps)),
    ...summarise(results.flatMap((r) => r.latencies)),
    cpu: { api: sum((r) => r.cpu.api), dynamodb: sum((r) => r.cpu.dynamodb), bench: sum((r) => r.cpu.bench)! },
    note: results.length > 1 ? `(median of ${results.length} rounds)` : undefined,
  };
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = performance.now();
  const cores = availableParallelism();
  console.log(`help desk API bench — node ${process.version}, ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform}/${process.arch}`);
  console.log(`concurrency ${concurrency}, ${seconds} s per phase, ${rounds} round(s) of raw-put/create, warm-up ${warmupSeconds} s`);

  const endpoints = await startLocalMode<Endpoints>();
  console.log(`local mode up in ${((performance.now() - t0) / 1000).toFixed(1)} s (pid ${local.child!.pid}, DynamoDB Local pid ${local.javaPid ?? '?'})`);

  // Sign in as an L1 agent, the way the dashboard does.
  const token = await signIn(endpoints, 'l1@helpdesk.local');
  const authHeaders = { authorization: `Bearer ${token}` };

  const ddb = new DynamoDBClient({
    endpoint: endpoints.services.dynamodb,
    region: endpoints.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1, // a failure is an error to count, not something to hide behind a retry
  });
  const tableName = endpoints.tableName;

  // a. raw PutItem
  let putSeq = 0;
  const rawPut: Op = async () => {
    const n = putSeq++;
    await ddb.send(new PutItemCommand({ TableName: tableName, Item: item(ticketLike(n, new Date().toISOString())) }));
    return undefined;
  };

  // b. create through the API
  const ticketIds: string[] = [];
  let createSeq = 0;
  let sampleTicketBytes = 0;
  const create: Op = async () => {
    const res = await fetch(`${endpoints.apiUrl}/tickets`, {
      method: 'POST',
      headers: { ...authHeaders, 'content-type': 'application/json' },
      body: createBody(createSeq++),
    });
    const text = await res.text();
    if (res.status !== 201) return `POST /tickets ${res.status} ${text.slice(0, 120)}`;
    const ticket = JSON.parse(text) as { id: string } & Record<string, Plain>;
    ticketIds.push(ticket.id);
    if (!sampleTicketBytes) sampleTicketBytes = itemBytes(ticket);
    return undefined;
  };

  // c. get one of those tickets
  const get: Op = async (seq) => {
    const id = ticketIds[(seq * 7919) % ticketIds.length]!;
    const res = await fetch(`${endpoints.apiUrl}/tickets/${id}`, { headers: authHeaders });
    const text = await res.text();
    return res.ok ? undefined : `GET /tickets/{id} ${res.status} ${text.slice(0, 120)}`;
  };

  // d. the IT queue, first page
  const list: Op = async () => {
    const res = await fetch(`${endpoints.apiUrl}/tickets?department=it&limit=25`, { headers: authHeaders });
    const text = await res.text();
    return res.ok ? undefined : `GET /tickets?department=it ${res.status} ${text.slice(0, 120)}`;
  };

  // The lifecycle's own work is held back while the API is measured, then timed apart.
  const sfnLocal = async (op: (typeof localOperations)[number], body: unknown = {}) => {
    const res = await fetch(endpoints.services.stepfunctions!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}` },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${op}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { paused: boolean; held: number; running?: number; waiting?: number };
  };
  await sfnLocal('LocalSetPaused', { paused: true });

  console.log(`warming up...`);
  await warmUp('raw-put', rawPut);
  await warmUp('create', create);

  const putRounds: PhaseResult[] = [];
  const createRounds: PhaseResult[] = [];
  const ratios: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const a = await runPhase(`raw-put #${r}`, seconds, concurrency, rawPut);
    const b = await runPhase(`create #${r}`, seconds, concurrency, create);
    putRounds.push(a);
    createRounds.push(b);
    ratios.push(b.rps / a.rps);
    console.log(`round ${r}/${rounds}: raw-put ${fmt(a.rps)} req/s, create ${fmt(b.rps)} req/s, ratio ${fmt(b.rps / a.rps, 3)}`);
  }

  if (ticketIds.length === 0) throw new Error('no ticket was created, so there is nothing to GET');
  await warmUp('get', get, Math.min(warmupSeconds, 0.5));
  const getResult = await runPhase('get', seconds, concurrency, get);
  await warmUp('list', list, Math.min(warmupSeconds, 0.5));
  const listResult = await runPhase('list', seconds, concurrency, list);

  // e. the lifecycle's work for every ticket made above, now let go at once
  const lifecycleCpu0 = cpuNow();
  const { held } = await sfnLocal('LocalStats');
  const drainStart = performance.now();
  await sfnLocal('LocalSetPaused', { paused: false });
  for (;;) {
    const s = await sfnLocal('LocalStats');
    if (s.held === 0 && s.running === s.waiting) break;
    if (performance.now() - drainStart > 600_000) throw new Error(`the lifecycle did not settle in 600 s: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const drainS = (performance.now() - drainStart) / 1000;
  const lifecycleCpu1 = cpuNow();
  const lifecycleRow: Row = {
    phase: 'lifecycle (triage, index, first wait)',
    requests: held,
    errors: 0,
    rps: held / drainS,
    p50: NaN,
    p99: NaN,
    cpu: cpuDiff(lifecycleCpu0, lifecycleCpu1),
  };

  const rows: Row[] = [
    pooled('raw-put (DynamoDB PutItem)', putRounds),
    pooled('create (POST /tickets)', createRounds),
    toRow({ ...getResult, phase: 'get (GET /tickets/{id})' }),
    toRow({ ...listResult, phase: 'list (GET /tickets?department=it)' }),
    lifecycleRow,
  ];

  // ------------------------------------------------------------ report
  const putRps = median(putRounds.map((r) => r.rps));
  const createRps = median(createRounds.map((r) => r.rps));
  const ratio = median(ratios);
  const errors = rows.reduce((s, r) => s + r.errors, 0) + warmupErrors;

  console.log('');
  console.log(`node ${process.version}, ${cores} cores, concurrency ${concurrency}, ${seconds} s per phase, ${rounds} round(s)`);
  console.log(`raw item ≈ ${itemBytes(ticketLike(0, new Date().toISOString()))} B; API ticket response ≈ ${sampleTicketBytes || "?"} B (the stored item also carries its opening message and creation event)`);
  console.log('');
  table(rows);
  console.log('');
  console.log(`per-round ratios (create / raw-put): ${ratios.map((x) => fmt(x, 3)).join(', ')}`);
  console.log(`ratio create / raw PutItem = ${fmt(createRps, 1)} / ${fmt(putRps, 1)} → median of rounds ${fmt(ratio, 3)}`);
  console.log(`goal: ≥ ${GOAL.toFixed(2)}  ${ratio >= GOAL ? 'MET' : 'NOT MET'}`);

  for (const r of rows) if (r.errors) console.log(`errors in ${r.phase}: ${r.errors}`);
  for (const r of [...putRounds, ...createRounds, getResult, listResult]) for (const s of r.errorSamples) console.log(`  ${r.phase}: ${s}`);
  if (warmupErrors) console.log(`errors during warm-up: ${warmupErrors}${[...warmupErrorSamples].map((s) => `\n  ${s}`).join('')}`);
  console.log(`total ${errors} error(s); wall time ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  if (opts.json) {
    const j = (r: Row) => ({
      phase: r.phase,
      requests: r.requests,
      errors: r.errors,
      rps: Number(r.rps.toFixed(2)),
      p50Ms: Number(r.p50.toFixed(3)),
      p99Ms: Number(r.p99.toFixed(3)),
      cpuMsPerRequest: {
        api: r.cpu.api === undefined ? null : Number((r.cpu.api / r.requests).toFixed(3)),
        dynamodb: r.cpu.dynamodb === undefined ? null : Number((r.cpu.dynamodb / r.requests).toFixed(3)),
        bench: Number((r.cpu.bench / r.requests).toFixed(3)),
      },
    });
    console.log(
      JSON.stringify({
        node: process.version,
        cores,
        concurrency,
        seconds,
        rounds,
        phases: rows.map(j),
        rawPutRps: Number(putRps.toFixed(2)),
        createRps: Number(createRps.toFixed(2)),
        roundRatios: ratios.map((x) => Number(x.toFixed(4))),
        ratio: Number(ratio.toFixed(4)),
        goal: GOAL,
        goalMet: ratio >= GOAL,
        errors,
      }),
    );
  }
  return errors === 0 ? 0 : 1;
}

await runBench(main);
