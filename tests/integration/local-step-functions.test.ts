/**
 * The local Step Functions against the real SFN client: the lambda:invoke and
 * waitForTaskToken integrations, scaled SLA timeouts, Retry/Catch by error
 * name, the API's idempotency and error names, and hostile requests. Needs no
 * other local service.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStepFunctions, type LocalStepFunctions, type LocalStepFunctionsOptions } from '../../local/step-functions.ts';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:test-lifecycle';

const definition = JSON.stringify({
  StartAt: 'Route',
  States: {
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.mode', StringEquals: 'invoke', Next: 'Invoke' },
        { Variable: '$.mode', StringEquals: 'wait', Next: 'WaitForAgent' },
        { Variable: '$.mode', StringEquals: 'flaky', Next: 'Flaky' },
        { Variable: '$.mode', StringEquals: 'missing', Next: 'Missing' },
        { Variable: '$.mode', StringEquals: 'pause', Next: 'Pause' },
      ],
      Default: 'Unknown',
    },
    Invoke: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${EchoArn}', Payload: { 'ticket.$': '$.ticket' } },
      TimeoutSeconds: 30,
      ResultPath: '$.invoked',
      Next: 'Done',
    },
    WaitForAgent: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: '${NotifyArn}',
        Payload: { 'ticket.$': '$.ticket', 'timeoutSeconds.$': '$.Payload.timeoutSeconds', 'taskToken.$': '$$.Task.Token' },
      },
      TimeoutSecondsPath: '$.Payload.timeoutSeconds',
      HeartbeatSecondsPath: '$.Payload.heartbeatSeconds',
      ResultSelector: { 'decision.$': '$.decision' },
      ResultPath: '$.agent',
      Catch: [
        { ErrorEquals: ['AgentRejected'], ResultPath: '$.error', Next: 'Rejected' },
        // As in AWS, States.TaskFailed matches every task error but States.Timeout.
        { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Broken' },
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Escalate' },
      ],
      Next: 'Done',
    },
    Rejected: { Type: 'Pass', Result: false, ResultPath: '$.accepted', Next: 'Done' },
    Escalate: { Type: 'Pass', Parameters: { 'escalated.$': '$.error.Error' }, ResultPath: '$.escalation', Next: 'Done' },
    Flaky: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${FlakyArn}', Payload: { 'ticket.$': '$.ticket' } },
      TimeoutSeconds: 30,
      Retry: [{ ErrorEquals: ['FlakyError'], IntervalSeconds: 1, MaxAttempts: 1, BackoffRate: 1 }],
      Catch: [{ ErrorEquals: ['TicketGone'], ResultPath: '$.error', Next: 'Gone' }],
      ResultSelector: { 'attempts.$': '$.Payload.attempts' },
      ResultPath: '$.flaky',
      Next: 'Done',
    },
    Missing: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${MissingArn}', Payload: {} },
      TimeoutSeconds: 30,
      End: true,
    },
    Broken: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
    Pause: { Type: 'Wait', SecondsPath: '$.pauseSeconds', Next: 'Done' },
    Gone: { Type: 'Fail', Error: 'TicketGone', Cause: 'The ticket was deleted' },
    Unknown: { Type: 'Fail', Error: 'UnknownMode', Cause: 'No such mode' },
    Done: { Type: 'Succeed' },
  },
});

class FlakyError extends Error {
  override name = 'FlakyError';
}
class TicketGone extends Error {
  override name = 'TicketGone';
}

/** Per ticket: the events the functions received, and how often Flaky ran. */
const received = new Map<string, { event: Record<string, unknown>; context: Record<string, unknown> }[]>();
const flakyRuns = new Map<string, number>();

const functions: LocalStepFunctionsOptions['functions'] = {
  Echo: async (event, context) => {
    received.set(event.ticket, [...(received.get(event.ticket) ?? []), { event, context }]);
    return { echoed: event.ticket };
  },
  Notify: async (event, context) => {
    received.set(event.ticket, [...(received.get(event.ticket) ?? []), { event, context }]);
    if (event.ticket === 'notify-crash') throw new TicketGone('notify blew up');
    return { notified: true };
  },
  Flaky: async (event) => {
    const n = (flakyRuns.get(event.ticket) ?? 0) + 1;
    flakyRuns.set(event.ticket, n);
    if (event.ticket === 'gone') throw new TicketGone('deleted');
    if (n === 1) throw new FlakyError('first call fails');
    return { attempts: n };
  },
};

const options = (timeScale: number): LocalStepFunctionsOptions => ({
  definition,
  substitutions: { EchoArn: 'Echo', NotifyArn: 'Notify', FlakyArn: 'Flaky', MissingArn: 'Nope' },
  functions,
  stateMachineArn: ARN,
  timeScale,
  log: (line) => logLines.push(line),
});

const logLines: string[] = [];
let fast: LocalStepFunctions;
let sfn: SFNClient;

const client = (url: string) => new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

beforeAll(async () => {
  fast = await startLocalStepFunctions(0, options(3600));
  sfn = client(fast.url);
});

afterAll(async () => {
  sfn?.destroy();
  await fast?.stop();
});

/** Waits for a state; the generous deadline only catches a state never reached (not a speed check). */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const describeExec = (executionArn: string, c = sfn) => c.send(new DescribeExecutionCommand({ executionArn }));

async function finished(executionArn: string, c = sfn): Promise<DescribeExecutionCommandOutput> {
  return until(async () => {
    const d = await describeExec(executionArn, c);
    return d.status === 'RUNNING' ? undefined : d;
  }, `execution ${executionArn} to finish`);
}

async function start(input: Record<string, unknown>, name?: string, c = sfn) {
  const out = await c.send(new StartExecutionCommand({ stateMachineArn: ARN, name, input: JSON.stringify(input) }));
  return out.executionArn!;
}

const tokenFor = (ticket: string) => until(() => received.get(ticket)?.at(-1)?.event.taskToken as string | undefined, `a task token for ${ticket}`);

/** The error name the SDK surfaces for a failed call. */
async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error('expected the call to fail');
}

describe('lambda:invoke', () => {
  it('hands the function its payload and a Lambda context, and returns the integration result shape', async () => {
    const arn = await start({ mode: 'invoke', ticket: 'T-1' }, 'invoke-1');
    expect(arn).toBe('arn:aws:states:us-east-1:000000000000:execution:test-lifecycle:invoke-1');
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.startDate).toBeInstanceOf(Date);
    expect(done.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(done.output!)).toEqual({
      mode: 'invoke',
      ticket: 'T-1',
      invoked: { ExecutedVersion: '$LATEST', Payload: { echoed: 'T-1' }, StatusCode: 200 },
    });
    const call = received.get('T-1')![0]!;
    expect(call.event).toEqual({ ticket: 'T-1' });
    expect(call.context.functionName).toBe('Echo');
    expect(call.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((call.context.getRemainingTimeInMillis as () => number)()).toBeGreaterThan(0);

    // Choice, Task, Succeed: three transitions, in the history and in executions().
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const types = events!.map((e) => e.type);
    expect(types.filter((t) => t!.endsWith('StateEntered'))).toEqual(['ChoiceStateEntered', 'TaskStateEntered', 'SucceedStateEntered']);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.indexOf('TaskScheduled')).toBeGreaterThan(types.indexOf('TaskStateEntered'));
    expect(types.indexOf('TaskSucceeded')).toBeLessThan(types.indexOf('TaskStateExited'));
    const entered = events!.find((e) => e.type === 'TaskStateEntered')!;
    expect(entered.stateEnteredEventDetails?.name).toBe('Invoke');
    expect(entered.timestamp).toBeInstanceOf(Date);
    expect(fast.executions().find((e) => e.name === 'invoke-1')).toEqual({ name: 'invoke-1', status: 'SUCCEEDED', transitions: 3, waitingTokens: 0 });
  });

  it('retries a handler error by its name, and counts the retry as a transition', async () => {
    const arn = await start({ mode: 'flaky', ticket: 'F-1' }, 'flaky-1');
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).flaky).toEqual({ attempts: 2 });
    expect(flakyRuns.get('F-1')).toBe(2);
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const failed = events!.find((e) => e.type === 'TaskFailed')!;
    expect(failed.taskFailedEventDetails?.error).toBe('FlakyError');
    expect(JSON.parse(failed.taskFailedEventDetails!.cause!)).toMatchObject({ errorType: 'FlakyError', errorMessage: 'first call fails' });
    expect(events!.filter((e) => e.type === 'TaskScheduled')).toHaveLength(2);
    // Choice, Task, its retry, Succeed.
    expect(fast.executions().find((e) => e.name === 'flaky-1')?.transitions).toBe(4);
  });

  it('catches a handler error by its name, and a Fail state fails the execution with its error and cause', async () => {
    const done = await finished(await start({ mode: 'flaky', ticket: 'gone' }));
    expect(done).toMatchObject({ status: 'FAILED', error: 'TicketGone', cause: 'The ticket was deleted' });
    expect(flakyRuns.get('gone')).toBe(1);
  });

  it('fails clearly on a function that does not exist', async () => {
    const done = await finished(await start({ mode: 'missing', ticket: 'M-1' }));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Lambda.ResourceNotFoundException');
    expect(done.cause).toContain('"Nope"');
    expect(logLines.some((l) => l.includes('Lambda.ResourceNotFoundException'))).toBe(true);
  });
});

describe('lambda:invoke.waitForTaskToken', () => {
  const waitInput = (ticket: string, timeoutSeconds = 3600, heartbeatSeconds = 7200) => ({ mode: 'wait', ticket, Payload: { timeoutSeconds, heartbeatSeconds } });

  it('waits for SendTaskSuccess; the handler gets the token and the output flows on', async () => {
    const arn = await start(waitInput('W-1'), 'wait-1');
    const token = await tokenFor('W-1');
    expect(token).toMatch(/^[A-Za-z0-9_-]{64,}$/);
    expect(received.get('W-1')![0]!.event).toEqual({ ticket: 'W-1', timeoutSeconds: 3600, taskToken: token });
    expect((await describeExec(arn)).status).toBe('RUNNING');
    expect(fast.executions().find((e) => e.name === 'wait-1')).toMatchObject({ status: 'RUNNING', waitingTokens: 1 });

    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'approve', extra: 1 }) }));
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).agent).toEqual({ decision: 'approve' });
    expect(fast.executions().find((e) => e.name === 'wait-1')).toMatchObject({ waitingTokens: 0, transitions: 3 });

    // A used token is gone, as AWS says: TaskTimedOut.
    expect(await errorName(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe('TaskTimedOut');
    const types = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']));
  });

  it('SendTaskFailure fails the task with that error name, which Catch matches', async () => {
    const arn = await start(waitInput('W-2'));
    const token = await tokenFor('W-2');
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'AgentRejected', cause: 'not mine' }));
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.error).toEqual({ Error: 'AgentRejected', Cause: 'not mine' });
    // A falsy Pass Result is honoured (the library alone would drop it).
    expect(output.accepted).toBe(false);
  });

  it('a handler error fails the task', async () => {
    const done = await finished(await start(waitInput('notify-crash')));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('TicketGone');
    expect(JSON.parse(done.cause!)).toMatchObject({ errorType: 'TicketGone', errorMessage: 'notify blew up' });
    expect(fast.executions().every((e) => e.status === 'RUNNING' || e.waitingTokens === 0)).toBe(true);
  });

  it('times out after TimeoutSecondsPath / timeScale as States.Timeout, caught by Catch', async () => {
    // 3600 s at 3600× is one second; the same wait unscaled (an hour) would never finish here.
    const arn = await start(waitInput('W-3'));
    const token = await tokenFor('W-3');
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).escalation).toEqual({ escalated: 'States.Timeout' });
    expect(await errorName(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe('TaskTimedOut');
    const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!;
    expect(events.map((e) => e.type)).toContain('TaskTimedOut');
    // Not before its time: the runner's own history puts the timeout at least the scaled second after the task
    // was scheduled (a lower bound, which a slow machine only makes longer).
    const at = (type: string) => events.find((e) => e.type === type)!.timestamp!.getTime();
    expect(at('TaskTimedOut') - at('TaskScheduled')).toBeGreaterThanOrEqual(900);
  });

  it('fails with States.HeartbeatTimeout when heartbeats stop (HeartbeatSecondsPath / timeScale)', async () => {
    const done = await finished(await start(waitInput('W-6', 3600, 360)));
    expect(done, done.output).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
  });

  it('fails with States.Runtime when TimeoutSecondsPath does not resolve', async () => {
    const done = await finished(await start({ mode: 'wait', ticket: 'W-7' }));
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('scales Wait states too', async () => {
    const arn = await start({ mode: 'pause', pauseSeconds: 720 });
    const done = await finished(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ mode: 'pause', pauseSeconds: 720 });
    const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!;
    const entered = events.filter((e) => e.type!.endsWith('StateEntered'));
    expect(entered.map((e) => e.type)).toEqual(['ChoiceStateEntered', 'WaitStateEntered', 'SucceedStateEntered']);
    // 720 s at 3600× is 200 ms, and the Wait state lasted at least that in the runner's own history.
    const at = (type: string) => events.find((e) => e.type === type)!.timestamp!.getTime();
    expect(at('SucceedStateEntered') - at('WaitStateEntered')).toBeGreaterThanOrEqual(190);
  });

  it('StopExecution aborts the execution and invalidates its tokens', async () => {
    const arn = await start(waitInput('W-4'));
    const token = await tokenFor('W-4');
    const stopped = await sfn.send(new StopExecutionCommand({ executionArn: arn, error: 'Closed', cause: 'by agent' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const d = await describeExec(arn);
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Closed', cause: 'by agent' });
    expect(await errorName(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe('TaskTimedOut');
    expect(await errorName(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })))).toBe('TaskTimedOut');
    expect(fast.executions().find((e) => e.name === arn.split(':').at(-1))).toMatchObject({ status: 'ABORTED', waitingTokens: 0 });
  });

  it('rejects garbled tokens with InvalidToken and bad output with InvalidOutput', async () => {
    expect(await errorName(sfn.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })))).toBe('InvalidToken');
    const arn = await start(waitInput('W-5'));
    const token = await tokenFor('W-5');
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    expect(await errorName(sfn.send(new SendTaskFailureCommand({ taskToken: flipped, error: 'X' })))).toBe('InvalidToken');
    expect(await errorName(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{not json' })))).toBe('InvalidOutput');
    expect((await describeExec(arn)).status).toBe('RUNNING');
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
  });

  it('with timeScale 1 a long timeout does not fire early', async () => {
    const slow = await startLocalStepFunctions(0, options(1));
    const c = client(slow.url);
    try {
      const arn = await start(waitInput('S-1', 3600), undefined, c);
      const token = await tokenFor('S-1');
      await new Promise((r) => setTimeout(r, 1200));
      expect((await describeExec(arn, c)).status).toBe('RUNNING');
      await c.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'late' }) }));
      const done = await finished(arn, c);
      expect(JSON.parse(done.output!).agent).toEqual({ decision: 'late' });

      // stop() aborts what still waits and leaves no timer behind.
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const before = timers();
      const waiting = await start(waitInput('S-2', 3600), 'left-waiting', c);
      await tokenFor('S-2');
      expect(timers()).toBeGreaterThan(before);
      c.destroy();
      await slow.stop();
      expect(slow.executions().find((e) => e.name === 'left-waiting')).toMatchObject({ status: 'ABORTED', waitingTokens: 0 });
      expect(timers()).toBeLessThanOrEqual(before);
      void waiting;
    } finally {
      c.destroy();
      await slow.stop();
    }
  });
});

describe('API', () => {
  it('StartExecution is idempotent for the same name and input while running, and refuses otherwise', async () => {
    const input = { mode: 'wait', ticket: 'I-1', Payload: { timeoutSeconds: 3600, heartbeatSeconds: 7200 } };
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'same', input: JSON.stringify(input) }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'same', input: JSON.stringify(input) }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    expect(await errorName(start({ ...input, other: 1 }, 'same'))).toBe('ExecutionAlreadyExists');
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    expect(await errorName(start(input, 'same'))).toBe('ExecutionAlreadyExists');
    expect(fast.executions().filter((e) => e.name === 'same')).toHaveLength(1);
  });

  it('names its errors as AWS does', async () => {
    expect(await errorName(start({}, 'has space'))).toBe('InvalidName');
    expect(await errorName(start({}, 'x'.repeat(81)))).toBe('InvalidName');
    expect(await errorName(start({}, 'a*b'))).toBe('InvalidName');
    expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn: ARN.replace('test-lifecycle', 'other'), input: '{}' })))).toBe(
      'StateMachineDoesNotExist',
    );
    expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn: 'nope', input: '{}' })))).toBe('InvalidArn');
    expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, input: '{oops' })))).toBe('InvalidExecutionInput');
    expect(await errorName(sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, input: JSON.stringify({ big: 'x'.repeat(300_000) }) })))).toBe(
      'InvalidExecutionInput',
    );
    expect(await errorName(describeExec(`${ARN.replace(':stateMachine:', ':execution:')}:never-started`))).toBe('ExecutionDoesNotExist');
    const d = await finished(await start({ mode: 'other' }));
    expect(d).toMatchObject({ status: 'FAILED', error: 'UnknownMode', cause: 'No such mode' });
  });

  it('local only: LocalSetPaused holds new executions back until unpaused; LocalStats counts them', async () => {
    const local = (op: string, body: unknown = {}) =>
      fetch(fast.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}` }, body: JSON.stringify(body) }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as any }),
      );
    expect((await local('LocalSetPaused', { paused: 'yes' })).status).toBe(400);
    expect((await local('LocalSetPaused', { paused: true })).body).toMatchObject({ paused: true, held: 0 });
    const arn = await start({ mode: 'invoke', ticket: 'held-1' }, 'held-1');
    const held = await local('LocalStats');
    expect(held.body).toMatchObject({ paused: true, held: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect((await describeExec(arn)).status).toBe('RUNNING');
    expect(fast.executions().find((e) => e.name === 'held-1')!.transitions).toBe(0);
    // A held execution stopped before it ran never runs.
    const stoppedArn = await start({ mode: 'invoke', ticket: 'held-2' }, 'held-2');
    await sfn.send(new StopExecutionCommand({ executionArn: stoppedArn }));
    expect((await local('LocalSetPaused', { paused: false })).body).toMatchObject({ paused: false, held: 0, released: 2 });
    expect((await finished(arn)).status).toBe('SUCCEEDED');
    expect((await describeExec(stoppedArn)).status).toBe('ABORTED');
    expect(fast.executions().find((e) => e.name === 'held-2')!.transitions).toBe(0);
  });

  it('ListExecutions filters by status', async () => {
    const all = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: ARN }))).executions!;
    expect(all.some((e) => e.name === 'invoke-1' && e.status === 'SUCCEEDED')).toBe(true);
    const aborted = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: ARN, statusFilter: 'ABORTED' }))).executions!;
    expect(aborted.length).toBeGreaterThan(0);
    expect(aborted.every((e) => e.status === 'ABORTED')).toBe(true);
    expect(aborted.some((e) => e.name === 'same')).toBe(true);
  });

  it('answers hostile requests with errors, not crashes', async () => {
    const post = (body: string | Buffer, target = 'AWSStepFunctions.StartExecution') =>
      fetch(fast.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target }, body });
    const typeOf = async (r: Response) => ((await r.json()) as { __type: string }).__type;

    let r = await post('{not json');
    expect(r.status).toBe(400);
    expect(await typeOf(r)).toBe('SerializationException');
    r = await post('[1,2]');
    expect(await typeOf(r)).toBe('SerializationException');
    r = await post('{}', 'AWSStepFunctions.DeleteEverything');
    expect(r.status).toBe(400);
    expect(await typeOf(r)).toBe('UnknownOperationException');
    r = await post('{}', '');
    expect(await typeOf(r)).toBe('UnknownOperationException');
    r = await post(Buffer.alloc(2 * 1024 * 1024, 'a'));
    expect(r.status).toBe(413);
    r = await post(JSON.stringify({ stateMachineArn: 42 }));
    expect(r.status).toBe(400);
    // Still serving.
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: ARN }))).executions!.length).toBeGreaterThan(0);
  });
});
