import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlreadyRunningError, LOCK_FILE, lockHome } from '../../local/home.ts';

/** Two starters (stand-in pids) of one home whose lock names a process that is gone. */
const STALE = 999_001;
const A = 1_001;
const B = 1_002;
let home: string;

async function homeWithStaleLock() {
  home = await mkdtemp(join(tmpdir(), 'helpdesk-lock-'));
  await writeFile(join(home, LOCK_FILE), `${STALE}\n`);
}
const held = async () => Number((await readFile(join(home, LOCK_FILE), 'utf8')).trim());

afterEach(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

describe('local mode home lock', () => {
  it('two starters taking over the same stale lock: the later one does not remove the first one’s fresh lock', async () => {
    await homeWithStaleLock();
    // Both starters are running processes; the stale pid is not.
    const isAlive = (p: number) => p !== STALE;
    let aTook!: () => void;
    const aDone = new Promise<void>((r) => (aTook = r));
    // A takes over first; B saw the same stale pid, and acts on it only once A holds the lock.
    const a = lockHome(home, { pid: A, isAlive }).then((release) => (aTook(), release));
    const b = lockHome(home, {
      pid: B,
      isAlive: async (p) => {
        if (p === STALE) await aDone;
        return isAlive(p);
      },
    });
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(ra.status).toBe('fulfilled');
    expect(rb.status).toBe('rejected');
    expect((rb as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyRunningError);
    expect(String((rb as PromiseRejectedResult).reason.message)).toContain(`(pid ${A})`);
    // A's lock is in place, and no temp or moved-aside file is left behind.
    expect(await held()).toBe(A);
    expect(await readdir(home)).toEqual([LOCK_FILE]);
  });

  it('many starters racing on a stale lock: exactly one holds the home, its pid is in the lock, and nothing else is left', async () => {
    for (let round = 0; round < 20; round++) {
      await homeWithStaleLock();
      const pids = [A, B, 1_003, 1_004, 1_005];
      const results = await Promise.allSettled(pids.map((pid) => lockHome(home, { pid, isAlive: (p) => p !== STALE })));
      const winners = pids.filter((_, i) => results[i]!.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      expect(await held()).toBe(winners[0]);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyRunningError);
      expect(await readdir(home)).toEqual([LOCK_FILE]);
      await rm(home, { recursive: true, force: true });
    }
  });

  it('a takeover whose starter died mid-way (its claim left behind) is claimed again by the next starter', async () => {
    await homeWithStaleLock();
    const DIED = 999_002;
    await writeFile(join(home, `${LOCK_FILE}.takeover-${STALE}`), `${DIED}\n`);
    const release = await lockHome(home, { pid: A, isAlive: (p) => p !== STALE && p !== DIED });
    expect(await held()).toBe(A);
    await release();
  });

  it('a live lock is refused naming its pid; the release removes only its own lock', async () => {
    await homeWithStaleLock();
    const release = await lockHome(home, { pid: A, isAlive: () => false });
    expect(await held()).toBe(A);
    await expect(lockHome(home, { pid: B, isAlive: (p) => p === A })).rejects.toThrow(`(pid ${A})`);
    expect(await held()).toBe(A);
    await release();
    expect(await readdir(home)).toEqual([]);
  });
});
