/**
 * Local mode runs a function with its manifest timeout (local/function-host.ts), as Lambda does:
 * past it, the invocation fails with Lambda's Sandbox.Timedout, and the worker is ended and
 * replaced at the next call. A tiny timeout and a handler that sleeps past it; no wall-clock
 * assertion (the deadlines only catch a host that never answers).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploymentValues, FunctionDefinition } from '../../lib/definitions/functions.ts';
import { repoRoot } from '../../lib/paths.ts';
import { startFunctionHost } from '../../local/function-host.ts';

const sleepy: FunctionDefinition = {
  name: 'SleepyTestFixture',
  entry: '../tests/unit/fixtures/sleepy-handler.ts',
  description: 'Sleeps as told (function host timeout test)',
  trigger: { kind: 'schedule', cron: { minute: '0', hour: '0' }, everyHoursLocally: 24 },
  needs: {},
  timeoutSeconds: 3,
};
const values: DeploymentValues = {
  tableName: 't',
  mailBucket: 'b',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:x',
  publicUrl: 'http://127.0.0.1:1',
  userPoolId: 'p',
  deskName: 'Help desk',
  defaultLanguage: 'en',
  signingKey: { value: 'k' },
};

const host = startFunctionHost({ manifest: [sleepy], root: repoRoot, region: 'us-east-1', enforceTimeouts: true });
host.configure(values, {});
afterAll(() => host.stop());
const invoke = host.invoker(sleepy.name);

describe('function timeouts in local mode', () => {
  it("fails an invocation past the manifest's timeout as Lambda does, and replaces the worker", async () => {
    const { threadId: first } = (await invoke({ sleepMs: 0 })) as { threadId: number };
    const late = await invoke({ sleepMs: 30_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(late?.name).toBe('Sandbox.Timedout');
    expect(late?.message).toBe('SleepyTestFixture: Task timed out after 3.00 seconds');
    // The next call runs in a new worker: the timed-out one was ended with what it was running.
    const { threadId: next } = (await invoke({ sleepMs: 0 })) as { threadId: number };
    expect(next).not.toBe(first);
  }, 120_000);

  it("takes the caller's budget when it is shorter (what Step Functions or the API has left)", async () => {
    const late = await invoke({ sleepMs: 30_000 }, { getRemainingTimeInMillis: () => 250 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(late?.name).toBe('Sandbox.Timedout');
    expect(late?.message).toMatch(/Task timed out after 0\.25 seconds/);
  }, 120_000);

  it('answers an invocation within its timeout as before', async () => {
    expect(await invoke({ sleepMs: 100 })).toEqual({ threadId: expect.any(Number) });
  }, 120_000);
});
