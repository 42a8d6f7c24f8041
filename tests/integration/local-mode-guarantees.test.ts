/**
 * What local mode promises about itself, on instances of its own that share one
 * home and are stopped the hard way: no mail answered 250 is lost (kill -9 and
 * Ctrl-C right after the 250s), one local mode per home, a private home, every
 * service on loopback, and an SMTP size limit the mail store can honour.
 *
 * The steps run in order on the same home: each starts where the one before left off.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { LOCAL_MAX_OBJECT_BYTES } from '../../local/services.ts';
import { poll, repoRoot, signInAs, startLocalMode, type LocalMode } from './local-mode.ts';
import { spawnGroup, stopGroup } from '../process-groups.ts';

const run = promisify(execFile);
const MAILS = 10;
const STEP_MS = 300_000;

let home: string;
const started: LocalMode[] = [];

afterAll(async () => {
  // Whatever happened, no instance (nor its Java child) outlives the file.
  for (const local of started) {
    await local.signalGroup('SIGKILL');
    await local.stop();
  }
  if (home) await rm(home, { recursive: true, force: true });
});

async function start(fresh: boolean) {
  home ??= await mkdtemp(join(tmpdir(), 'helpdesk-guarantees-'));
  const local = await startLocalMode({ home, fresh, ownProcessGroup: true });
  started.push(local);
  return local;
}

/** Java processes serving this data folder. */
async function dynamoProcessesFor(dir: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid,args']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((l) => l.includes('DynamoDBLocal') && l.includes(dir));
}

/** Sends `count` distinct mails from `from` and resolves once each was answered 250. */
async function sendMails(local: LocalMode, from: string, count: number) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: local.endpoints.smtpPort, secure: false, ignoreTLS: true });
  try {
    for (let i = 0; i < count; i++) {
      const info = await transport.sendMail({ from, to: local.endpoints.supportAddress, subject: `Mail ${i} of ${count}`, text: `Body ${i} for ${from}`, messageId: `<${i}.${from}>` });
      expect(info.response).toMatch(/^250 /);
    }
  } finally {
    transport.close();
  }
}

async function ticketsFrom(local: LocalMode, email: string): Promise<{ subject: string }[]> {
  const token = await signInAs(local.endpoints, 'admin@helpdesk.local');
  const res = await fetch(`${local.endpoints.apiUrl}/customers/${encodeURIComponent(email)}/tickets?limit=100`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { subject: string }[] }).items;
}

/** All mails from `email` are tickets, once each, and the spool has let go of them. */
async function expectAllTickets(local: LocalMode, email: string) {
  await poll(`${MAILS} tickets from ${email}`, async () => (await ticketsFrom(local, email)).length >= MAILS, 120_000);
  await poll('the spool to empty', async () => (await readdir(join(home, 'mail-spool'))).filter((n) => n !== 'failed').length === 0, 60_000);
  const tickets = await ticketsFrom(local, email);
  expect(tickets.map((t) => t.subject).sort()).toEqual(Array.from({ length: MAILS }, (_, i) => `Mail ${i} of ${MAILS}`).sort());
}

/** Mode of everything under the home, with a trailing slash on folders. */
async function modesUnder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (p: string, rel: string) => {
    const st = await stat(p);
    out[st.isDirectory() ? `${rel}/` : rel] = (st.mode & 0o777).toString(8);
    if (st.isDirectory()) for (const n of await readdir(p)) await walk(join(p, n), `${rel}/${n}`);
  };
  await walk(dir, '.');
  return out;
}

/** Every folder under the home is 0700 and every file 0600, the DynamoDB file among them. */
function expectPrivate(modes: Record<string, string>) {
  for (const [path, mode] of Object.entries(modes)) expect(mode, path).toBe(path.endsWith('/') ? '700' : '600');
  for (const f of ['./', './dynamodb/', './mail-spool/', './dynamodb/shared-local-instance.db', './endpoints.json', './users.json', './secrets.json', './issuer-key.json', './local-mode.lock']) {
    expect(modes, f).toHaveProperty([f]);
  }
}

/** Pids in a process group (Linux /proc). */
async function groupPids(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // Fields after the command name, which is in parentheses and may hold spaces: state ppid pgrp …
    const fields = st.slice(st.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) pids.push(Number(name));
  }
  return pids;
}

/** The listening TCP sockets of a process group, as "address:port". */
async function listeningSockets(pgid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const pid of await groupPids(pgid)) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
      if (m) inodes.add(m[1]!);
    }
  }
  const found: string[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    for (const line of (await readFile(file, 'utf8')).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
      const [hex, portHex] = f[1]!.split(':') as [string, string];
      // /proc shows each 32-bit word in host (little-endian) order.
      const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().map((b) => parseInt(b, 16)));
      const address = v6
        ? words.flat().join('.') === '0.0.0.0.0.0.0.0.0.0.255.255.127.0.0.1'
          ? '::ffff:127.0.0.1'
          : words.flat().every((b, i) => b === (i === 15 ? 1 : 0))
            ? '::1'
            : `v6:${hex}`
        : words[0]!.join('.');
      found.push(`${address}:${parseInt(portHex, 16)}`);
    }
  }
  return found;
}

/** The SIZE an SMTP server advertises. */
async function advertisedSize(port: number): Promise<number> {
  const sock = connect(port, '127.0.0.1');
  let text = '';
  sock.on('data', (d: Buffer) => (text += d.toString()));
  await poll('the greeting', async () => /^220 /m.test(text));
  sock.write('EHLO size.example\r\n');
  await poll('the EHLO reply', async () => /^250 [^\r\n]*\r\n/m.test(text.slice(text.indexOf('\r\n') + 2)));
  sock.end('QUIT\r\n');
  return Number(/^250[- ]SIZE (\d+)/m.exec(text)?.[1]);
}

const first = `killed-${Date.now()}@example.com`;
const second = `interrupted-${Date.now()}@example.com`;
let b: LocalMode;

describe('local mode keeps its promises', () => {
  it('loses no mail answered 250 when killed with SIGKILL right after, and a stale lock does not block the next start', async () => {
    const a = await start(true);
    await sendMails(a, first, MAILS);
    await a.signalGroup('SIGKILL');
    await poll('DynamoDB Local to be gone', async () => (await dynamoProcessesFor(home)).length === 0);
    // The killed instance's lock is still there, naming a dead pid.
    expect(Number((await readFile(join(home, 'local-mode.lock'), 'utf8')).trim())).toBe(a.child.pid);

    b = await start(false);
    expect(b.endpoints.pid).toBe(b.child.pid);
    // The S3 front's secret is made once per install, kept in the home, and signed with again after the restart.
    expect(b.endpoints.credentials.secretAccessKey).toBe(a.endpoints.credentials.secretAccessKey);
    expect(b.endpoints.credentials.secretAccessKey).not.toBe('local');
    expect(JSON.parse(await readFile(join(home, 'secrets.json'), 'utf8')).s3SecretAccessKey).toBe(b.endpoints.credentials.secretAccessKey);
    await expectAllTickets(b, first);
  }, STEP_MS);

  it('refuses a second start on the same home at once, naming the running pid', async () => {
    const second = spawnGroup(process.execPath, ['--import', 'tsx', join(repoRoot, 'local/start.ts'), '--ports', 'auto', '--home', home, '--quiet'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }, 'a second local mode on the same home');
    let out = '';
    second.stdout!.on('data', (d) => (out += d));
    second.stderr!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => second.on('exit', r)).finally(() => stopGroup(second.pid!));
    expect(code).toBe(1);
    expect(out).toContain(`Local mode is already running in ${home} (pid ${b.child.pid})`);
    expect(out).not.toMatch(/\n\s+at /);
    expect(out).not.toMatch(/DynamoDB Local/);
    // The running one is untouched: its lock, its endpoints, one Java process.
    expect(Number((await readFile(join(home, 'local-mode.lock'), 'utf8')).trim())).toBe(b.child.pid);
    expect(JSON.parse(await readFile(join(home, 'endpoints.json'), 'utf8')).pid).toBe(b.child.pid);
    expect(await dynamoProcessesFor(home)).toHaveLength(1);
  }, STEP_MS);

  it('listens on loopback only: every listening socket of its process group is on 127.0.0.1', async () => {
    const sockets = await listeningSockets(b.child.pid!);
    const ports = [b.endpoints.apiUrl, b.endpoints.dashboardUrl, b.endpoints.outboxUrl, b.endpoints.auth.url, ...Object.values(b.endpoints.services)].map((u) => new URL(u).port);
    // The sockets found are the instance's: each endpoint's port is among them (SMTP too).
    for (const port of [...ports, String(b.endpoints.smtpPort)]) expect(sockets.some((s) => s.endsWith(`:${port}`)), port).toBe(true);
    expect(sockets.length).toBeGreaterThanOrEqual(9);
    for (const s of sockets) expect(s).toMatch(/^(127\.0\.0\.1|::ffff:127\.0\.0\.1):\d+$/);
  }, STEP_MS);

  it('keeps its home private: folders 0700, files 0600 (DynamoDB included), no password stored as text', async () => {
    expectPrivate(await modesUnder(home));
    const users = await readFile(join(home, 'users.json'), 'utf8');
    for (const agent of b.endpoints.agents) expect(users).not.toContain(agent.password);
    expect((JSON.parse(users) as { passwordHash?: string; password?: string }[]).every((u) => u.passwordHash?.startsWith('scrypt$') && u.password === undefined)).toBe(true);
  }, STEP_MS);

  it('loses no mail answered 250 when stopped with Ctrl-C right after, and fixes a loosened home at the next start', async () => {
    await sendMails(b, second, MAILS);
    expect(await b.signalGroup('SIGINT')).toBe(0);
    await chmod(home, 0o755);
    await chmod(join(home, 'dynamodb', 'shared-local-instance.db'), 0o644);
    await chmod(join(home, 'users.json'), 0o644);

    const c = await start(false);
    await expectAllTickets(c, second);
    expect((await ticketsFrom(c, first)).length).toBe(MAILS);
    expectPrivate(await modesUnder(home));
    // And the SMTP size it advertises is one its S3 stores.
    expect(await advertisedSize(c.endpoints.smtpPort)).toBe(LOCAL_MAX_OBJECT_BYTES);
    expect(await c.signalGroup('SIGTERM')).toBe(0);
  }, STEP_MS);
});
