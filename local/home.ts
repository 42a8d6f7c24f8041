import { chmod, link, lstat, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local data folder (`.helpdesk/` unless --home says otherwise): private to its
 * owner, and used by one local mode at a time.
 */

export const LOCK_FILE = 'local-mode.lock';

export class AlreadyRunningError extends Error {}

/** Folders 0700 and files 0600 in the whole tree, for homes made before this was so. Symbolic links are left alone. */
async function makePrivate(path: string): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    if ((st.mode & 0o777) !== 0o700) await chmod(path, 0o700);
    for (const name of await readdir(path)) await makePrivate(join(path, name));
  } else if ((st.mode & 0o777) !== 0o600) {
    await chmod(path, 0o600);
  }
}

/**
 * Everything local mode and its children (DynamoDB Local's Java process) create is
 * its owner's alone: umask 077 for the process tree, and existing homes are fixed.
 */
export async function preparePrivateHome(home: string): Promise<void> {
  // Inherited by child processes; not available (nor needed) on Windows.
  if (process.platform !== 'win32') process.umask(0o077);
  await mkdir(home, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await makePrivate(home);
}

/** Whether a process is alive (signal 0 checks without signalling; EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` is a running local mode (not just any process that reused a dead one's pid, where that can be told). */
function isRunningLocalMode(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    // Linux: a pid reused by another program after a kill -9 is not a local mode. Elsewhere the pid is trusted.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start');
  } catch {
    return true;
  }
}

export interface LockOptions {
  /** The pid written in the lock; tests stand in for several starters. */
  pid?: number;
  /** Whether the pid in a lock is a live local mode. */
  isAlive?: (pid: number) => boolean | Promise<boolean>;
}

/**
 * Takes the home for this process: a lock file holding its pid, made atomically (linked from a
 * temp file, so a reader never sees it empty). A lock whose process is gone (kill -9, a crash)
 * is taken over; a live one is refused at once, naming its pid. Returns the release function
 * (removes the lock only if still ours).
 *
 * A stale lock is never removed, only replaced in one rename, and only by the one starter that
 * made its claim file (`<lock>.takeover-<dead pid>`, created exclusively): two starters that read
 * the same dead pid cannot both act on it, so neither deletes the other's fresh lock. The winner
 * checks the lock still names that pid before replacing it; a claim whose maker died is claimed
 * again under a longer name.
 */
export async function lockHome(home: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const me = opts.pid ?? process.pid;
  const isAlive = opts.isAlive ?? isRunningLocalMode;
  const file = join(home, LOCK_FILE);
  /** The file's text, or undefined when there is no such file. */
  const read = (f: string) => readFile(f, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : ''));
  const readPid = async (f: string) => Number((await read(f))?.trim() || NaN);
  const live = async (pid: number) => Number.isInteger(pid) && pid > 0 && pid !== me && (await isAlive(pid));
  const running = (pid: number) =>
    new AlreadyRunningError(
      `Local mode is already running in ${home} (pid ${pid}).\n` +
        `Use that one, stop it first (Ctrl-C in its terminal, or kill ${pid}), or start another with --home <other folder>.`,
    );
  const release = async () => {
    if ((await readPid(file)) === me) await unlink(file).catch(() => {});
  };
  await mkdir(home, { recursive: true, mode: 0o700 });
  const mine = `${file}.${me}.tmp`;
  await writeFile(mine, `${me}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(mine, file);
        return release;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const text = await read(file);
      if (text === undefined) continue;
      const stale = Number(text.trim() || NaN);
      if (await live(stale)) throw running(stale);
      let claim = `${file}.takeover-${Number.isInteger(stale) && stale > 0 ? stale : 'unreadable'}`;
      for (;;) {
        try {
          await link(mine, claim);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const claimant = await readPid(claim);
        // Another starter is taking over right now: it is the one that will run.
        if (await live(claimant)) throw running(claimant);
        claim = `${claim}.${claimant}`;
      }
      try {
        // Ours to replace only while it still names the dead pid (a slow starter may claim after the takeover is done).
        if ((await read(file)) === text) {
          await rename(mine, file);
          return release;
        }
      } finally {
        await unlink(claim).catch(() => {});
      }
    }
  } finally {
    await unlink(mine).catch(() => {});
  }
  throw new AlreadyRunningError(`Could not take the lock ${file}; another local mode is starting in ${home}.`);
}
