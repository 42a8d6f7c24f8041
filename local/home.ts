import { chmod, lstat, mkdir, open, readdir, readFile, rm, unlink } from 'node:fs/promises';
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

/**
 * Takes the home for this process: a lock file holding its pid, made atomically. A lock
 * whose process is gone (kill -9, a crash) is taken over; a live one is refused at once,
 * naming its pid. Returns the release function (removes the lock only if still ours).
 */
export async function lockHome(home: string): Promise<() => Promise<void>> {
  const file = join(home, LOCK_FILE);
  await mkdir(home, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return async () => {
        const held = await readFile(file, 'utf8').catch(() => '');
        if (Number(held.trim()) === process.pid) await unlink(file).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunningLocalMode(pid)) {
      throw new AlreadyRunningError(
        `Local mode is already running in ${home} (pid ${pid}).\n` +
          `Use that one, stop it first (Ctrl-C in its terminal, or kill ${pid}), or start another with --home <other folder>.`,
      );
    }
    // Stale: its process is gone. Remove it and try again (another starter may win the race; then it is live).
    await rm(file, { force: true });
  }
  throw new AlreadyRunningError(`Could not take the lock ${file}; another local mode is starting in ${home}.`);
}
