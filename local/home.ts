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

/** Whether `pid` is a running local mode (not just any process that reused a dead one's pid, where that can be told). */
function isRunningLocalMode(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
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
 * Takeover is a rename of the lock to a name only this starter uses, then a look at what was
 * moved: the dead pid seen before means the stale lock is gone and the create is retried; any
 * other pid means another starter took it over first, so its lock is put back and this start
 * is refused. A plain remove could delete that other starter's fresh lock.
 */
export async function lockHome(home: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const me = opts.pid ?? process.pid;
  const isAlive = opts.isAlive ?? isRunningLocalMode;
  const file = join(home, LOCK_FILE);
  const readPid = async (f: string) => Number((await readFile(f, 'utf8').catch(() => '')).trim());
  const running = (pid: number) =>
    new AlreadyRunningError(
      `Local mode is already running in ${home} (pid ${pid}).\n` +
        `Use that one, stop it first (Ctrl-C in its terminal, or kill ${pid}), or start another with --home <other folder>.`,
    );
  await mkdir(home, { recursive: true, mode: 0o700 });
  const mine = `${file}.${me}.tmp`;
  const aside = `${file}.${me}.stale`;
  await writeFile(mine, `${me}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(mine, file);
        return async () => {
          if ((await readPid(file)) === me) await unlink(file).catch(() => {});
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = await readPid(file);
      const valid = Number.isInteger(pid) && pid > 0;
      if (valid && pid !== me && (await isAlive(pid))) throw running(pid);
      try {
        await rename(file, aside);
      } catch (err) {
        // Gone already: another starter took it away; try again.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const moved = await readPid(aside);
      if (moved === pid || (!valid && !(Number.isInteger(moved) && moved > 0))) {
        await unlink(aside).catch(() => {});
        continue;
      }
      // Another starter's lock, made after ours was read: put it back (unless a third made one meanwhile) and step aside.
      await link(aside, file).catch(() => {});
      await unlink(aside).catch(() => {});
      throw running(moved);
    }
  } finally {
    await unlink(mine).catch(() => {});
  }
  throw new AlreadyRunningError(`Could not take the lock ${file}; another local mode is starting in ${home}.`);
}
