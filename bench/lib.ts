/**
 * What the benches share: local mode started in a throw-away home and stopped,
 * with its DynamoDB Local, on exit, error or signal; CPU time per process from
 * /proc; signing in as an agent; percentiles and a plain-text table.
 *
 * Importing this module installs SIGINT/SIGTERM handlers that clean up and exit.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The part of `.helpdesk/endpoints.json` every bench reads. */
export interface LocalEndpoints {
  pid: number;
  apiUrl: string;
  auth: { url: string; clientId: string };
  agents: { email: string; password: string }[];
}

/** The running local mode: its process, the DynamoDB Local it started, its temp home. */
export const local: { child?: ChildProcess; javaPid?: number; home?: string } = {};
/** Run newest first by cleanup(), before local mode stops: a bench's own servers and clients. */
export const closers: (() => unknown)[] = [];

/** Set once SIGINT or SIGTERM has started the cleanup: errors after it are its echo, not news. */
export let interrupted = false;

let childExited: Promise<void> | undefined;
let childOutput = '';
/** The last 20 KB local mode wrote (stdout and stderr together). */
export const localOutput = () => childOutput;
let cleaning: Promise<void> | undefined;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts local mode on free ports in a new temp home and resolves with its endpoints.json once it is up. */
/** `extraArgs` go to local/start.ts after the bench's own (e.g. `['--meter']`). */
export async function startLocalMode<E extends LocalEndpoints>(homePrefix = 'helpdesk-bench-', extraArgs: string[] = []): Promise<E> {
  const home = (local.home = await mkdtemp(join(tmpdir(), homePrefix)));
  // `node --import tsx` rather than the tsx CLI, so the pid we hold is the one that writes endpoints.json.
  const child = (local.child = spawn(process.execPath, ['--import', 'tsx', join(root, 'local/start.ts'), '--fresh', '--ports', 'auto', '--home', home, '--quiet', ...extraArgs], {
    cwd: root,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const keep = (d: Buffer) => {
    childOutput = (childOutput + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  childExited = new Promise((r) => child.once('exit', () => r()));

  const file = join(home, 'endpoints.json');
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`local mode exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${childOutput}`);
    }
    try {
      const endpoints = JSON.parse(await readFile(file, 'utf8')) as E;
      if (endpoints.pid === child.pid) {
        local.javaPid = findJavaChild(child.pid);
        return endpoints;
      }
    } catch {
      // Not there yet (it is written last, atomically).
    }
    if (Date.now() > deadline) throw new Error(`local mode was not ready within 90 s:\n${childOutput}`);
    await sleep(150);
  }
}

/** Runs the closers, stops local mode (and the DynamoDB Local it started), then removes the temp home. Idempotent. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const close of closers.reverse()) await Promise.resolve().then(close).catch(() => undefined);
    const { child, javaPid, home } = local;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const done = await Promise.race([childExited!.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await childExited;
      }
    }
    // local mode signals Java and exits without waiting; make sure it really went.
    if (javaPid !== undefined) {
      const until = Date.now() + 5_000;
      while (alive(javaPid) && Date.now() < until) await sleep(100);
      if (alive(javaPid)) {
        try {
          process.kill(javaPid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    if (home) await rm(home, { recursive: true, force: true }).catch(() => undefined);
  })();
  return cleaning;
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping local mode...`);
    void cleanup().finally(() => process.exit(code));
  });
}

/** Signs in through the local Cognito stand-in, as the dashboard does, and returns the ID token. */
export async function signIn(endpoints: LocalEndpoints, email: string): Promise<string> {
  const agent = endpoints.agents.find((a) => a.email === email);
  if (!agent) throw new Error(`endpoints.json has no ${email} agent`);
  const res = await fetch(endpoints.auth.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: endpoints.auth.clientId, AuthParameters: { USERNAME: agent.email, PASSWORD: agent.password } }),
  });
  const body = (await res.json()) as { AuthenticationResult?: { IdToken?: string }; message?: string };
  const token = body.AuthenticationResult?.IdToken;
  if (!res.ok || !token) throw new Error(`sign-in failed: ${res.status} ${body.message ?? ''}`);
  return token;
}

// ---------------------------------------------------------------- CPU accounting (Linux /proc; optional)

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // Keep the usual 100 Hz.
}

/** utime + stime of a process (all its threads), in ms; undefined where /proc is not available. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

function findJavaChild(parent: number | undefined): number | undefined {
  if (parent === undefined) return undefined;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === parent && comm === 'java') return Number(entry);
      } catch {
        // Process went away while we looked.
      }
    }
  } catch {
    // No /proc: no CPU columns.
  }
  return undefined;
}

// ---------------------------------------------------------------- numbers and tables

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Nearest-rank percentile of values sorted ascending. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** A plain-text table: the first and last columns left-aligned, the rest right-aligned. */
export function printTable(head: string[], body: string[][]) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

/** Runs a bench's main, always stops local mode, and exits with its code (1 when it threw). */
export async function runBench(main: () => Promise<number>): Promise<never> {
  let exitCode = 1;
  try {
    exitCode = await main();
  } catch (err) {
    if (!interrupted) console.error(`\nbench failed: ${(err as Error).stack ?? err}`);
  } finally {
    await cleanup();
  }
  process.exit(exitCode);
}
