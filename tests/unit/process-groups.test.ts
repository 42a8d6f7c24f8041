/**
 * The test suite's own process hygiene (tests/process-groups.ts): a spawned
 * group is stopped as a whole, children included, and one left running is
 * found, killed and named by the final check.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, groupsLeft, registryDir, spawnGroup, stopGroup, trackGroup } from '../process-groups.ts';

// A registry of this file's own: the final check below must not reach the groups other files of the run are using.
const run = process.env.HELPDESK_TEST_RUN;
beforeAll(() => {
  process.env.HELPDESK_TEST_RUN = `unit-process-groups-${process.pid}`;
});
afterAll(() => {
  rmSync(registryDir(), { recursive: true, force: true });
  process.env.HELPDESK_TEST_RUN = run;
});

/** A shell that starts two sleeping children in its group and says when they run. */
async function sleepers(what: string) {
  const child = spawnGroup('sh', ['-c', 'sleep 300 & sleep 300 & echo up; wait'], { stdio: ['ignore', 'pipe', 'ignore'] }, what);
  await new Promise<void>((r) => child.stdout!.once('data', () => r()));
  return child.pid!;
}

describe('process groups of the tests', () => {
  it('stopGroup ends the leader and its children, and drops the group from the registry', async () => {
    const pgid = await sleepers('sleepers to stop');
    expect(groupMembers(pgid).length).toBe(3);
    expect(readdirSync(registryDir())).toContain(String(pgid));
    await stopGroup(pgid);
    expect(groupMembers(pgid)).toEqual([]);
    expect(readdirSync(registryDir())).not.toContain(String(pgid));
  });

  it('stopGroup waits a bounded time after SIGKILL, then fails naming what was left, and keeps the group listed', async () => {
    const pgid = await sleepers('sleepers that will not die');
    try {
      // As a process stuck in uninterruptible I/O would: SIGKILL sent, and a member is still listed (this worker, alive to be named).
      const stuck = () => [process.pid];
      await expect(stopGroup(pgid, 'SIGTERM', 0, { killWaitMs: 300, members: stuck })).rejects.toThrow(
        new RegExp(`sleepers that will not die \\(pgid ${pgid}\\) still had 1 process\\(es\\) 0.3 s after SIGKILL: ${process.pid} \\(\\S*node`),
      );
      expect(readdirSync(registryDir())).toContain(String(pgid));
    } finally {
      await stopGroup(pgid, 'SIGKILL', 0);
    }
    expect(groupMembers(pgid)).toEqual([]);
  });

  it('the final check kills and names a group a test forgot, and skips another project\'s global instance', async () => {
    const forgotten = await sleepers('a forgotten group');
    const global = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    trackGroup(global.pid!, "another project's instance", 'integration');
    try {
      const left = await groupsLeft('unit');
      expect(left).toEqual([{ pgid: forgotten, what: 'a forgotten group' }]);
      expect(groupMembers(forgotten)).toEqual([]);
      expect(groupMembers(global.pid!)).toEqual([global.pid]);
      expect(await groupsLeft('unit')).toEqual([]);
      // Its own project's teardown does stop it, and finds it.
      expect(await groupsLeft('integration')).toEqual([{ pgid: global.pid, what: "another project's instance", globalOf: 'integration' }]);
      expect(groupMembers(global.pid!)).toEqual([]);
    } finally {
      await stopGroup(global.pid!, 'SIGKILL', 0);
    }
  });

  it.each([
    ['exits', 'process.exit(0)'],
    ['is terminated (SIGTERM)', 'process.kill(process.pid, "SIGTERM")'],
  ])('a process that %s takes the groups it started with it', async (_how, end) => {
    // Another process (as a test worker or vitest itself) starts a group and ends without stopping it.
    const script = `
      import { spawnGroup } from ${JSON.stringify(join(import.meta.dirname, '../process-groups.ts'))};
      const child = spawnGroup('sh', ['-c', 'sleep 300 & sleep 300 & echo up; wait'], { stdio: ['ignore', 'pipe', 'ignore'] }, 'sleepers of a dying process');
      child.stdout.once('data', () => { console.log(child.pid); ${end}; });
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: process.env }).catch((e: { stdout: string }) => e);
    const pgid = Number(stdout.trim());
    expect(pgid).toBeGreaterThan(0);
    // SIGKILL was sent as it ended; the kernel may take a moment to finish them (a deadline for "never", not speed).
    for (const deadline = Date.now() + 20_000; groupMembers(pgid).length > 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    expect(groupMembers(pgid)).toEqual([]);
  });
});
