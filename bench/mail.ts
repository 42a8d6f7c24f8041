/**
 * `npm run bench:mail`: how fast mail becomes tickets in local mode, against the
 * raw speed of smtp-server + mailparser alone on the same machine, in one run.
 *
 * It starts local mode in a throw-away home, signs in as l1@helpdesk.local,
 * warms both paths up, then alternates two phases for `--rounds` rounds, each
 * sending `--mails` mails from `--concurrency` pooled SMTP connections:
 *
 *   A  end to end, to the local SMTP gateway: spool → S3 + SNS → SQS → poller →
 *      inbound handler → DynamoDB, and the acknowledgement to the SES outbox.
 *      A ticket counts once GET /customers/{sender}/tickets shows it.
 *   B  raw: an smtp-server in this process that streams each mail through
 *      mailparser's simpleParser and answers 250 once it is parsed.
 *
 * Every mail has its own sender, subject and Message-ID. Latencies run from the
 * start of the SMTP transaction: to the 250, and (A) to the first poll that saw
 * the ticket. Throughput is mails / time to the last ticket (A) or the last 250
 * (B); the ratio A / B is the median of the per-round ratios. There is no goal.
 *
 *   npm run bench:mail
 *   npm run bench:mail -- --mails 500 --concurrency 16 --rounds 3 --json
 *
 * A mail refused, or whose ticket is not there within `--timeout` seconds, is
 * an error; a run with errors exits with status 1.
 */
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import nodemailer, { type Transporter } from 'nodemailer';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { closers, fmt, local, median, percentile, printTable, processCpuMs, signIn, sleep, startLocalMode, type LocalEndpoints, runBench } from './lib.ts';

// The SDK's Node 20 end-of-support notice is noise here: versions are pinned by the lockfile.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: opts } = parseArgs({
  options: {
    mails: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '100' },
    timeout: { type: 'string', default: '60' },
    'poll-ms': { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log('Usage: npm run bench:mail -- [--mails 300] [--concurrency 8] [--rounds 2] [--warmup 100] [--timeout 60] [--poll-ms 100] [--json]');
  process.exit(0);
}
const whole = (name: keyof typeof opts) => {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a whole number > 0, not "${opts[name]}"`);
    process.exit(2);
  }
  return n;
};
const [mailCount, concurrency, rounds, warmupMails, timeoutMs, pollMs] = [whole('mails'), whole('concurrency'), whole('rounds'), whole('warmup'), whole('timeout') * 1000, whole('poll-ms')];

interface Endpoints extends LocalEndpoints {
  outboxUrl: string;
  smtpPort: number;
  supportAddress: string;
}

// ---------------------------------------------------------------- CPU: per process, and the whole machine (Linux /proc)

type Cpu = { local: number; ddb: number; bench: number; busy: number; total: number };
function cpuNow(): Cpu {
  const u = process.cpuUsage();
  let [busy, total] = [NaN, NaN];
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    total = ticks.reduce((a, b) => a + b, 0);
    busy = total - ticks[3]! - ticks[4]!; // minus idle and iowait
  } catch {
    // No /proc: no busy column.
  }
  return { local: processCpuMs(local.child?.pid) ?? NaN, ddb: processCpuMs(local.javaPid) ?? NaN, bench: (u.user + u.system) / 1000, busy, total };
}
const cpuDiff = (a: Cpu, b: Cpu): Cpu => ({ local: b.local - a.local, ddb: b.ddb - a.ddb, bench: b.bench - a.bench, busy: b.busy - a.busy, total: b.total - a.total });

// ---------------------------------------------------------------- mails, sending, watching

const run = randomBytes(3).toString('hex');
const TEXT =
  'Olá, since about 8:30 my laptop shows "connection timed out" when I start the VPN client.\r\n' +
  'I restarted twice and tried the office Wi-Fi and my phone hotspot, same result. Colleagues next to me can connect.\r\n' +
  'I need the finance share before noon for the month-end report. Asset tag HD-20417, Windows 11, client 5.2.\r\n\r\nThanks,\r\nJoana';
const HTML = `<html><body><p>${TEXT.replace(/\r\n\r\n/g, '</p><p>').replace(/\r\n/g, '<br>')}</p><img src="https://tracker.example/p.gif"></body></html>`;

interface Mail {
  from: string;
  subject: string;
  raw: string;
  t0?: number;
  accepted?: number;
  seen?: number;
  error?: string;
}

/** `count` distinct multipart/alternative mails (text + HTML, about 1.5 KB), built before the clock starts. */
function makeMails(tag: string, to: string, count: number): Mail[] {
  return Array.from({ length: count }, (_, i) => {
    const from = `c-${run}-${tag}-${i}@bench.example`;
    const subject = `VPN down on laptop HD-${i} (bench ${run} ${tag}/${i})`;
    const b = `=_b${run}${i}`;
    const part = (type: string, body: string) => [`--${b}`, `Content-Type: text/${type}; charset=utf-8`, 'Content-Transfer-Encoding: 8bit', '', body];
    const head = [`From: Customer ${i} <${from}>`, `To: ${to}`, `Subject: ${subject}`, `Date: ${new Date().toUTCString()}`, `Message-ID: <${run}.${tag}.${i}@bench.example>`];
    const raw = [...head, 'MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${b}"`, '', ...part('plain', TEXT), ...part('html', HTML), `--${b}--`, ''].join('\r\n');
    return { from, subject, raw };
  });
}

/**
 * A pool of `concurrency` SMTP connections with TCP_NODELAY. nodemailer 7 leaves
 * Nagle on, and against a peer that delays its ACKs that stalls every message
 * for about 40 ms: it would measure the client, not the servers.
 */
function pool(port: number): Transporter {
  const getSocket = (_: unknown, done: (err: Error | null, s?: { connection: Socket }) => void) => {
    const socket = connect(port, '127.0.0.1').setNoDelay(true).once('error', done);
    socket.once('connect', () => done(null, { connection: socket.off('error', done) }));
  };
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: true, maxConnections: concurrency, maxMessages: Infinity, getSocket } as nodemailer.TransportOptions);
  closers.push(() => t.close());
  return t;
}

/** `concurrency` senders, one mail at a time each. */
async function sendAll(transport: Transporter, mails: Mail[], to: string) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let m = mails[next++]; m; m = mails[next++]) {
        m.t0 = performance.now();
        try {
          await transport.sendMail({ envelope: { from: m.from, to: [to] }, raw: m.raw });
          m.accepted = performance.now();
        } catch (err) {
          m.error = `SMTP: ${(err as Error).message}`.slice(0, 200);
        }
      }
    }),
  );
}

/**
 * Polls GET /customers/{sender}/tickets until every accepted mail's ticket is
 * there. The poller takes up to 10 mails at a time, roughly in the order they
 * were accepted, so each tick asks about the two oldest pending senders and,
 * while it finds tickets, walks on four at a time; every fourth tick it also
 * asks about one sender further back, in turn, so that a ticket out of order
 * is found anyway. That is under two requests per mail, instead of one per
 * pending mail per tick (each costs the API and DynamoDB Local CPU the mails
 * need). A ticket is seen at most a tick and a request late.
 */
async function watchTickets(ep: Endpoints, token: string, mails: Mail[], sending: Promise<unknown>) {
  let sent = false;
  void sending.finally(() => (sent = true));
  let requests = 0;
  const check = async (m: Mail) => {
    requests++;
    const res = await fetch(`${ep.apiUrl}/customers/${encodeURIComponent(m.from)}/tickets?limit=5`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { items?: { subject: string }[] };
    if (!res.ok) m.error = `GET /customers/{email}/tickets ${res.status}`;
    else if (body.items?.some((t) => t.subject === m.subject)) m.seen ??= performance.now();
    return m.seen !== undefined;
  };
  for (let tick = 0; ; tick++) {
    const now = performance.now();
    for (const m of mails) if (m.accepted && !m.seen && !m.error && now - m.t0! > timeoutMs) m.error = `no ticket within ${timeoutMs / 1000} s`;
    const pending = mails.filter((m) => m.accepted && !m.seen && !m.error);
    if (sent && !pending.length) return requests;
    let i = 0;
    for (let size = 2, hit = true; hit && i < pending.length; i += size, size = 4) hit = (await Promise.all(pending.slice(i, i + size).map(check))).some(Boolean);
    if (tick % 4 === 0 && i < pending.length) await check(pending[i + ((tick / 4) % (pending.length - i))]!);
    await sleep(pollMs);
  }
}

// ---------------------------------------------------------------- phases

interface Result {
  phase: string;
  mails: number;
  errors: number;
  rate: number;
  accept: number[];
  ticket: number[];
  cpu: Cpu;
  note: string;
  samples: string[];
}

function result(phase: string, mails: Mail[], start: number, end: number, cpu0: Cpu, note = ''): Result {
  const failed = mails.filter((m) => m.error);
  return {
    phase,
    mails: mails.length,
    errors: failed.length,
    rate: (mails.length - failed.length) / ((end - start) / 1000),
    accept: mails.filter((m) => m.accepted).map((m) => m.accepted! - m.t0!),
    ticket: mails.filter((m) => m.seen).map((m) => m.seen! - m.t0!),
    cpu: cpuDiff(cpu0, cpuNow()),
    note,
    samples: [...new Set(failed.map((m) => m.error!))].slice(0, 3),
  };
}

/** Tags go into addresses: 'wa'/'wb' for the warm-up, 'r1', 'r2'... for the rounds. */
const label = (tag: string) => (tag.startsWith('w') ? 'warm-up' : `#${tag.slice(1)}`);

async function endToEnd(ep: Endpoints, token: string, smtp: Transporter, tag: string, count = mailCount): Promise<Result> {
  const mails = makeMails(tag, ep.supportAddress, count);
  const since = Math.floor(Date.now() / 1000);
  const cpu0 = cpuNow();
  const start = performance.now();
  const polls = await watchTickets(ep, token, mails, sendAll(smtp, mails, ep.supportAddress));
  const r = result(`A end to end ${label(tag)}`, mails, start, Math.max(start, ...mails.map((m) => m.seen ?? 0)), cpu0);
  // Let the acknowledgements of the last batch go out before the next phase starts, and count them.
  let acks = 0;
  const accepted = mails.filter((m) => m.accepted).length;
  for (const until = Date.now() + 15_000; acks < accepted && Date.now() < until; await sleep(100)) {
    const { emails } = (await (await fetch(`${ep.outboxUrl}/store?since=${since}`)).json()) as { emails: { destination: { to: string[] } }[] };
    acks = emails.filter((e) => e.destination.to.some((t) => t.toLowerCase().includes(`-${run}-${tag}-`))).length;
  }
  r.note = `${fmt(polls / count)} polls/mail, ${acks} acks`;
  return r;
}

async function raw(smtp: Transporter, tag: string, count = mailCount): Promise<Result> {
  const mails = makeMails(tag, 'support@helpdesk.local', count);
  const cpu0 = cpuNow();
  const start = performance.now();
  await sendAll(smtp, mails, 'support@helpdesk.local');
  return result(`B smtp+parse ${label(tag)}`, mails, start, Math.max(start, ...mails.map((m) => m.accepted ?? 0)), cpu0);
}

// ---------------------------------------------------------------- output

const pct = (xs: number[], p: number) => percentile(Float64Array.from(xs).sort(), p);
const num = (x: number, digits: number) => (Number.isFinite(x) ? +x.toFixed(digits) : null);

function table(rows: Result[]) {
  const per = (ms: number, r: Result) => fmt(ms / r.mails, 2);
  const head = ['phase', 'mails', 'errors', 'mails/s', '250 p50', '250 p99', 'ticket p50', 'ticket p99', 'busy', 'cpu ms/mail local|ddb|bench'];
  const body = rows.map((r) => [
    r.phase,
    String(r.mails),
    String(r.errors),
    fmt(r.rate),
    fmt(pct(r.accept, 0.5)),
    fmt(pct(r.accept, 0.99)),
    fmt(pct(r.ticket, 0.5)),
    fmt(pct(r.ticket, 0.99)),
    `${fmt((100 * r.cpu.busy) / r.cpu.total, 0)}%`,
    `${per(r.cpu.local, r)} | ${per(r.cpu.ddb, r)} | ${per(r.cpu.bench, r)}${r.note ? `   ${r.note}` : ''}`,
  ]);
  printTable(head, body);
}

/** Rounds of one phase as one row: summed counts and CPU, median rate, latencies pooled over rounds. */
const combine = (phase: string, rs: Result[]): Result => {
  const sum = (f: (r: Result) => number) => rs.reduce((s, r) => s + f(r), 0);
  const cpu = { local: sum((r) => r.cpu.local), ddb: sum((r) => r.cpu.ddb), bench: sum((r) => r.cpu.bench), busy: sum((r) => r.cpu.busy), total: sum((r) => r.cpu.total) };
  const note = rs.length > 1 ? `(median of ${rs.length} rounds)` : '';
  return { phase, mails: sum((r) => r.mails), errors: sum((r) => r.errors), rate: median(rs.map((r) => r.rate)), accept: rs.flatMap((r) => r.accept), ticket: rs.flatMap((r) => r.ticket), cpu, note, samples: [] };
};

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const t0 = performance.now();
  const cores = availableParallelism();
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`help desk mail bench — node ${process.version}, ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform}/${process.arch}, load ${load()}`);
  console.log(`${mailCount} mails per phase, concurrency ${concurrency}, ${rounds} round(s) of A (end to end) and B (smtp-server + mailparser), warm-up ${warmupMails} mails`);

  const ep = await startLocalMode<Endpoints>('helpdesk-bench-mail-');
  console.log(`local mode up in ${fmt((performance.now() - t0) / 1000)} s (pid ${local.child!.pid}, DynamoDB Local pid ${local.javaPid ?? '?'})`);
  const token = await signIn(ep, 'l1@helpdesk.local');

  // B's server: a plain accept-all smtp-server that answers 250 once simpleParser has read the whole mail.
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    onData: (stream, _session, done) => void simpleParser(stream).then(() => done(), done),
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(() => new Promise((r) => server.close(() => r(undefined))));
  const [gateway, plain] = [pool(ep.smtpPort), pool((server.server.address() as AddressInfo).port)];

  // Warm-up: open the connections, let both JITs (Node's and DynamoDB Local's) see the paths.
  const warm = [await endToEnd(ep, token, gateway, 'wa', warmupMails), await raw(plain, 'wb', warmupMails)];
  const as: Result[] = [];
  const bs: Result[] = [];
  for (let r = 1; r <= rounds; r++) {
    as.push(await endToEnd(ep, token, gateway, `r${r}`));
    bs.push(await raw(plain, `r${r}`));
    console.log(`round ${r}/${rounds}: end to end ${fmt(as.at(-1)!.rate)} mails/s, smtp+parse ${fmt(bs.at(-1)!.rate)} mails/s, ratio ${fmt(as.at(-1)!.rate / bs.at(-1)!.rate, 3)}`);
  }

  const ratios = as.map((a, i) => a.rate / bs[i]!.rate);
  const ratio = median(ratios);
  const [A, B] = [combine('A end to end', as), combine('B smtp+parse', bs)];
  const errors = [...warm, ...as, ...bs].reduce((s, r) => s + r.errors, 0);
  console.log(`\nnode ${process.version}, ${cores} cores, ${mailCount} mails × ${rounds} round(s), concurrency ${concurrency}, tickets polled every ${pollMs} ms\n`);
  table([...as, ...bs, A, B]);
  console.log('\nms from the start of each SMTP transaction to the 250, and to the first poll that saw the ticket; busy: the whole machine, all cores');
  console.log(`per-round ratios (end to end / smtp+parse): ${ratios.map((x) => fmt(x, 3)).join(', ')}`);
  console.log(`ratio end-to-end / raw smtp+parse = ${fmt(A.rate)} / ${fmt(B.rate)} mails/s → median of rounds ${fmt(ratio, 3)}`);
  for (const r of [...warm, ...as, ...bs]) for (const s of r.samples) console.log(`  ${r.phase}: ${s}`);
  console.log(`total ${errors} error(s); wall time ${fmt((performance.now() - t0) / 1000)} s; load ${load()}`);

  if (opts.json) {
    const j = (r: Result) => ({
      mails: r.mails,
      errors: r.errors,
      mailsPerS: num(r.rate, 2),
      acceptP50Ms: num(pct(r.accept, 0.5), 2),
      acceptP99Ms: num(pct(r.accept, 0.99), 2),
      ...(r.ticket.length ? { ticketP50Ms: num(pct(r.ticket, 0.5), 2), ticketP99Ms: num(pct(r.ticket, 0.99), 2) } : {}),
      machineBusy: num(r.cpu.busy / r.cpu.total, 3),
      cpuMsPerMail: Object.fromEntries((['local', 'ddb', 'bench'] as const).map((k) => [k, num(r.cpu[k] / r.mails, 3)])),
    });
    const summary = { node: process.version, cores, mails: mailCount, concurrency, rounds, endToEnd: j(A), raw: j(B), roundRatios: ratios.map((x) => num(x, 4)), ratio: num(ratio, 4), errors };
    console.log(JSON.stringify(summary));
  }
  return errors ? 1 : 0;
}

await runBench(main);
