/**
 * Process groups the tests start (local mode with its Java child, any other
 * spawn): each runs detached in a group of its own, is recorded in this run's
 * registry, and is stopped as a whole: on `stopGroup`, on the exit of the
 * process that started it, and at the latest by the final check of the global
 * teardowns (`groupsLeft`), which fails the run naming what it had to kill.
 *
 * The registry is a folder per `vitest` run (HELPDESK_TEST_RUN, set in
 * vitest.config.ts before any worker starts), one file per group, so test
 * workers and the global setups share it without talking to each other.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GroupRecord {
  pgid: number;
  /** What it is, for the message that names a leftover. */
  what: string;
  /** Set for a global setup's instance: that project's own teardown stops it. */
  globalOf?: string;
}

export const registryDir = () => join(tmpdir(), 'helpdesk-test-groups', process.env.HELPDESK_TEST_RUN ?? `pid-${process.pid}`);

const mine = new Map<number, string>();

/** Pids of the live (not zombie) processes of a group; on a system without /proc, [pgid] while the group answers signal 0. */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(name));
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Gone already.
  }
}

function killAllMineNow() {
  for (const pgid of mine.keys()) signalGroup(pgid, 'SIGKILL');
}

let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  // Whatever ends this process (a failed run, a worker torn down, Ctrl-C), its groups end with it.
  process.on('exit', killAllMineNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllMineNow();
      // Ours was the only listener: end as the signal would have. Otherwise the others (vitest's) decide.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

/** Records a group this process started; stop it with `stopGroup`. */
export function trackGroup(pgid: number, what: string, globalOf?: string) {
  hookExit();
  mine.set(pgid, what);
  mkdirSync(registryDir(), { recursive: true });
  writeFileSync(join(registryDir(), String(pgid)), JSON.stringify({ pgid, what, ...(globalOf && { globalOf }) } satisfies GroupRecord));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long the kernel gets to end a group after SIGKILL: a deadline for "never" (a process stuck in uninterruptible I/O), not speed. */
export const killWaitMs = 20_000;

/** Each member as `pid (command line)`, for a message naming what was left. */
function describeMembers(pids: number[]): string {
  return pids
    .map((pid) => {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        // No /proc, or gone meanwhile.
      }
      return cmd ? `${pid} (${cmd.slice(0, 200)})` : String(pid);
    })
    .join(', ');
}

/**
 * Stops a whole group: `signal` to every member, then SIGKILL to whatever is
 * left after `graceMs` (a generous wait for an orderly stop, not a speed check),
 * and waits until no member is left, for `killWaitMs` at most: a group still
 * there then throws, naming its processes, and stays in the registry so the
 * final check names it too. (`members` is for the unit test of that case.)
 */
export async function stopGroup(
  pgid: number,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 30_000,
  options: { killWaitMs?: number; members?: (pgid: number) => number[] } = {},
): Promise<void> {
  const members = options.members ?? groupMembers;
  signalGroup(pgid, signal);
  const deadline = Date.now() + graceMs;
  while (members(pgid).length > 0 && Date.now() < deadline) await sleep(100);
  if (members(pgid).length > 0) {
    signalGroup(pgid, 'SIGKILL');
    const killDeadline = Date.now() + (options.killWaitMs ?? killWaitMs);
    while (members(pgid).length > 0 && Date.now() < killDeadline) await sleep(50);
    const left = members(pgid);
    if (left.length > 0) {
      const what = mine.get(pgid) ?? `process group ${pgid}`;
      throw new Error(`${what} (pgid ${pgid}) still had ${left.length} process(es) ${(options.killWaitMs ?? killWaitMs) / 1000} s after SIGKILL: ${describeMembers(left)}`);
    }
  }
  forget(pgid);
}

function forget(pgid: number) {
  mine.delete(pgid);
  rmSync(join(registryDir(), String(pgid)), { force: true });
}

/** Spawns a command detached in its own process group, tracked until `stopGroup`. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions, what: string): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid !== undefined) trackGroup(child.pid, what);
  return child;
}

/**
 * Runs a command to its end in a group of its own and answers its exit code and output.
 * The whole group (npx, a CLI, what it spawned) is stopped when the command ends, and at
 * once when `signal` aborts (the test failed or timed out first), so nothing outlives it.
 */
export async function runGroup(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal },
  what: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnGroup(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] }, what);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const abort = () => signalGroup(child.pid!, 'SIGKILL');
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return { code, stdout, stderr };
  } finally {
    options.signal?.removeEventListener('abort', abort);
    // Whatever the command left behind in its group goes with it.
    if (child.pid !== undefined) await stopGroup(child.pid, 'SIGTERM', 5_000);
  }
}

/**
 * The final check of a global teardown: every group recorded in this run that
 * still has a process, except the global instances of other projects (their own
 * teardown stops them later). Those left are killed here, and returned so the
 * teardown fails naming them.
 */
export async function groupsLeft(project: string): Promise<GroupRecord[]> {
  let names: string[];
  try {
    names = readdirSync(registryDir());
  } catch {
    return [];
  }
  const left: GroupRecord[] = [];
  for (const name of names) {
    let record: GroupRecord;
    try {
      record = JSON.parse(readFileSync(join(registryDir(), name), 'utf8')) as GroupRecord;
    } catch {
      continue;
    }
    if (record.globalOf && record.globalOf !== project) continue;
    if (groupMembers(record.pgid).length > 0) {
      left.push(record);
      try {
        await stopGroup(record.pgid, 'SIGKILL', 0);
      } catch (e) {
        // Unkillable: named with what is still there, and the run fails all the same.
        record.what = `${record.what}; ${(e as Error).message}`;
      }
    }
    forget(record.pgid);
  }
  try {
    rmdirSync(registryDir()); // only once empty: another project's instance may still be listed
  } catch {
    // Not empty, or gone.
  }
  return left;
}

/**
 * A global teardown's final check: names the groups the run left behind (after
 * killing them) and fails the run. It does not throw, so the other projects'
 * teardowns still run and stop their own instances.
 */
export async function reportGroupsLeft(project: string): Promise<void> {
  const left = await groupsLeft(project);
  if (left.length === 0) return;
  console.error(
    `\n[process check] FAILED: the test run left ${left.length} process group(s) running (found by the ${project} teardown, now killed): ` +
      `${left.map((g) => `${g.what} (pgid ${g.pgid})`).join(', ')}. A test that starts a process must stop its whole group, even when it fails.\n`,
  );
  process.exitCode = 1;
}
