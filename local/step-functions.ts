import http from 'node:http';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { lambdaContext } from './lambda-context.ts';

/**
 * The local stand-in for AWS Step Functions: the AWS JSON 1.0 API the SDK
 * speaks (executions, history, task-token callbacks) in front of
 * aws-local-stepfunctions, which interprets the JSONPath definition.
 *
 * The library is used as an interpreter only. Before it sees the definition,
 * every Task state (at any depth) is rewritten so that this module runs it:
 *
 * - its Parameters are wrapped as `{ "__lsf": { id, "timeout.$"?, "heartbeat.$"? }, "params": <original> }`,
 *   so one local handler gets the task's identity, the effective parameters,
 *   and TimeoutSecondsPath / HeartbeatSecondsPath resolved against the state
 *   input as AWS does (the library alone would resolve them after Parameters);
 * - its TimeoutSeconds becomes the longest timer Node can hold, so the
 *   library's own unscaled timer never fires first; the real (scaled) timeout
 *   is this module's, and it is cleared whenever the task settles;
 * - `$$.Task.Token` resolves, through the run's context object, to a sentinel
 *   that the handler replaces with a fresh unguessable token per attempt.
 *
 * Wait states become such Tasks too (so their time is scaled and abortable),
 * and two library quirks are normalised: `ResultPath: "$"` (the library would
 * write a key named "$") and a Pass state's falsy `Result` (ignored by it).
 */

// aws-local-stepfunctions 3.x calls Promise.withResolvers (Node 22+). Without it on
// Node 20 every Task fails with a TypeError that a `Catch: States.ALL` would hide.
if (typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export interface LocalStepFunctionsOptions {
  /** ASL JSON text with ${Name} placeholders. */
  definition: string;
  /** Placeholder name → local function name, e.g. { LifecycleFunctionArn: 'Lifecycle' }. */
  substitutions: Record<string, string>;
  /** Local function name → a Lambda-style handler (event, context) => Promise<result>. */
  functions: Record<string, (event: any, context: any) => Promise<unknown>>;
  /** e.g. 'arn:aws:states:us-east-1:000000000000:stateMachine:ticket-lifecycle' */
  stateMachineArn: string;
  /** SLA timers run N times faster: timeouts of waitForTaskToken tasks (and Wait states, if any) are divided by this. Default 1. */
  timeScale?: number;
  log?: (line: string) => void;
}

/**
 * Local only, beside the AWS operations (same protocol): `LocalSetPaused
 * {paused}` holds new executions back (they are RUNNING but take no step)
 * and lets them all go when unpaused; `LocalStats` counts executions by what
 * they are doing. The benchmark uses them to time the create path and the
 * lifecycle's own work apart: in AWS they run on separate Lambdas.
 */
export const localOperations = ['LocalSetPaused', 'LocalStats'] as const;

export interface LocalStepFunctions {
  url: string;
  port: number;
  /** Aborts running executions, closes the server. */
  stop(): Promise<void>;
  /** For tests and the cost benchmark. */
  executions(): { name: string; status: string; transitions: number; waitingTokens: number }[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

const INVOKE = 'arn:aws:states:::lambda:invoke';
const INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** The longest delay setTimeout honours (2^31 - 1 ms); longer ones fire at once. */
const MAX_TIMER_SECONDS = 2_147_483;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_PAYLOAD_BYTES = 256 * 1024;
const EXECUTION_STATUSES: readonly Status[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** An API error, answered as AWS JSON 1.0 does: `{"__type", "message"}`. */
class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A state failure the definition's Retry/Catch match by `name`, as Step Functions matches error names. */
class TaskError extends Error {
  /** Read by the library: States.Runtime and aborts are neither retried nor caught. */
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;
  constructor(name: string, cause: string, recoverable = true) {
    super(cause);
    this.name = name;
    this.isRetryable = recoverable;
    this.isCatchable = recoverable;
  }
}

/**
 * The library only treats an instance of its own (unexported) StatesTimeoutError
 * as a timeout: `States.TaskFailed` must not match it, as in AWS. Its class is
 * taken from one 1 ms run that times out.
 */
let timeoutErrorClass: Promise<(new () => Error) | undefined> | undefined;
function statesTimeoutClass() {
  timeoutErrorClass ??= (async () => {
    const probe = new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'probe', TimeoutSeconds: 0.001, End: true } } } as unknown as StateMachineDefinition,
      { validationOptions: { noValidate: true } },
    );
    try {
      await probe.run({}, { overrides: { taskResourceLocalHandlers: { T: () => new Promise<never>(() => {}) } } }).result;
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof Error && cause.name === 'States.Timeout') return cause.constructor as new () => Error;
    }
    return undefined;
  })();
  return timeoutErrorClass;
}

// ---------------------------------------------------------------------------
// Definition rewriting

type TaskKind = 'invoke' | 'callback' | 'wait';
interface TaskSpec {
  id: number;
  stateName: string;
  kind: TaskKind;
  /** Static TimeoutSeconds / HeartbeatSeconds (the *Path forms arrive resolved in __lsf). */
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  /** Wait states: static Seconds / Timestamp (or their paths, resolved in __lsf). */
  seconds?: number;
  timestamp?: string;
}

interface Meta {
  id: number;
  timeout?: unknown;
  heartbeat?: unknown;
  seconds?: unknown;
  timestamp?: unknown;
  input?: Json;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Replaces ${Name} placeholders, each value JSON-escaped for its place inside a JSON string. */
function substitute(definition: string, substitutions: Record<string, string>): string {
  return definition.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`Step Functions definition: no substitution for \${${name}}`);
    return JSON.stringify(value).slice(1, -1);
  });
}

function compile(source: JsonObject): { definition: StateMachineDefinition; tasks: TaskSpec[]; stateTypes: Map<string, string> } {
  const tasks: TaskSpec[] = [];
  const stateTypes = new Map<string, string>();
  const unsupported = ['QueryLanguage', 'Assign', 'Arguments', 'Output', 'Items', 'ItemReader', 'ItemBatcher', 'ResultWriter'];

  const machine = (m: Record<string, unknown>, where: string): Record<string, unknown> => {
    if (m.QueryLanguage !== undefined && m.QueryLanguage !== 'JSONPath') throw new Error(`${where}: only JSONPath definitions are supported locally (QueryLanguage ${String(m.QueryLanguage)})`);
    if (!isObject(m.States)) throw new Error(`${where}: States is missing`);
    const states: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(m.States)) {
      if (!isObject(raw)) throw new Error(`${where}: state ${name} is not an object`);
      states[name] = state(name, raw);
    }
    return { ...m, States: states };
  };

  const dropDollarResultPath = (s: Record<string, unknown>) => {
    if (s.ResultPath === '$') delete s.ResultPath;
    if (Array.isArray(s.Catch)) {
      for (const c of s.Catch as unknown[]) if (isObject(c) && c.ResultPath === '$') delete c.ResultPath;
    }
  };

  const state = (name: string, raw: Record<string, unknown>): Record<string, unknown> => {
    for (const field of unsupported) {
      if (field in raw && !(field === 'QueryLanguage' && raw[field] === 'JSONPath')) throw new Error(`State ${name}: ${field} is not supported by the local Step Functions (JSONPath only, no variables)`);
    }
    const s: Record<string, unknown> = structuredClone(raw);
    const type = String(s.Type);
    stateTypes.set(name, type);
    dropDollarResultPath(s);

    if (type === 'Task') {
      const kind: TaskKind | undefined = s.Resource === INVOKE ? 'invoke' : s.Resource === INVOKE_WAIT ? 'callback' : undefined;
      if (!kind) throw new Error(`State ${name}: Resource ${String(s.Resource)} is not supported locally (only ${INVOKE} and ${INVOKE_WAIT})`);
      const spec: TaskSpec = { id: tasks.length, stateName: name, kind };
      const meta: Record<string, Json> = { id: spec.id };
      if (typeof s.TimeoutSeconds === 'number') spec.timeoutSeconds = s.TimeoutSeconds;
      if (typeof s.TimeoutSecondsPath === 'string') meta['timeout.$'] = s.TimeoutSecondsPath;
      if (typeof s.HeartbeatSeconds === 'number') spec.heartbeatSeconds = s.HeartbeatSeconds;
      if (typeof s.HeartbeatSecondsPath === 'string') meta['heartbeat.$'] = s.HeartbeatSecondsPath;
      s.Parameters = 'Parameters' in s ? { __lsf: meta, params: s.Parameters as Json } : { __lsf: meta, 'params.$': '$' };
      delete s.TimeoutSecondsPath;
      delete s.HeartbeatSeconds;
      delete s.HeartbeatSecondsPath;
      s.TimeoutSeconds = MAX_TIMER_SECONDS;
      tasks.push(spec);
    } else if (type === 'Wait') {
      const spec: TaskSpec = { id: tasks.length, stateName: name, kind: 'wait' };
      const meta: Record<string, Json> = { id: spec.id, 'input.$': '$' };
      if (typeof s.Seconds === 'number') spec.seconds = s.Seconds;
      if (typeof s.Timestamp === 'string') spec.timestamp = s.Timestamp;
      if (typeof s.SecondsPath === 'string') meta['seconds.$'] = s.SecondsPath;
      if (typeof s.TimestampPath === 'string') meta['timestamp.$'] = s.TimestampPath;
      for (const k of ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']) delete s[k];
      Object.assign(s, { Type: 'Task', Resource: 'local:wait', Parameters: { __lsf: meta }, TimeoutSeconds: MAX_TIMER_SECONDS });
      tasks.push(spec);
    } else if (type === 'Pass') {
      if ('Result' in s && !s.Result) {
        // The library ignores a falsy Result; a literal Parameters yields the same output.
        s.Parameters = s.Result as Json;
        delete s.Result;
      }
    } else if (type === 'Parallel') {
      if (Array.isArray(s.Branches)) s.Branches = s.Branches.map((b: unknown, i) => machine(b as Record<string, unknown>, `State ${name} branch ${i}`));
    } else if (type === 'Map') {
      for (const key of ['Iterator', 'ItemProcessor']) if (isObject(s[key])) s[key] = machine(s[key], `State ${name} ${key}`);
    }
    return s;
  };

  const definition = machine(source, 'Definition') as unknown as StateMachineDefinition;
  return { definition, tasks, stateTypes };
}

// ---------------------------------------------------------------------------
// Executions

interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

interface PendingTask {
  exec: Execution;
  stateName: string;
  succeed(output: Json): void;
  fail(error: TaskError): void;
  heartbeat(): void;
}

interface Execution {
  arn: string;
  name: string;
  input: string;
  status: Status;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  transitions: number;
  tokens: Set<string>;
  controller: AbortController;
  abortRun?: () => void;
  settled: Promise<void>;
}

const epochSeconds = (ms: number) => ms / 1000;
const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

function parseJson(text: string): { ok: true; value: Json } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch {
    return { ok: false };
  }
}

/** Replaces every string equal to `sentinel` with `token`; reports whether any was. */
function placeToken(value: Json, sentinel: string, token: string): { value: Json; placed: boolean } {
  let placed = false;
  const walk = (v: Json): Json => {
    if (v === sentinel) {
      placed = true;
      return token;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x as Json)]));
    return v;
  };
  const out = walk(value);
  return { value: out, placed };
}

/** What Lambda reports for a function error: errorType is the error's name. */
function lambdaError(error: unknown): TaskError {
  const e = error instanceof Error ? error : undefined;
  const errorType = e?.name || 'Error';
  const errorMessage = e ? e.message : String(error);
  const trace = e?.stack ? e.stack.split('\n') : [];
  return new TaskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

/** A short, payload-free description of a failure for the log. */
function describeFailure(error: string | undefined, cause: string | undefined): string {
  let text = cause ?? '';
  const parsed = parseJson(text);
  if (parsed.ok && isObject(parsed.value) && typeof parsed.value.errorMessage === 'string') text = parsed.value.errorMessage;
  return `${error ?? 'unknown error'}${text ? `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}` : ''}`;
}

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;
const ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]*:\d{12}:(stateMachine|execution):[^:]+(:[^:]+)?$/;

export async function startLocalStepFunctions(port: number, opts: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const log = opts.log ?? (() => {});
  const timeScale = opts.timeScale ?? 1;
  if (!(Number.isFinite(timeScale) && timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  const smArn = opts.stateMachineArn;
  const smMatch = /^(arn:aws[a-z-]*:states:([a-z0-9-]*):(\d{12})):stateMachine:([^:]+)$/.exec(smArn);
  if (!smMatch) throw new Error(`Not a state machine ARN: ${smArn}`);
  const [, arnPrefix, region, account, smName] = smMatch as unknown as [string, string, string, string, string];
  const executionArnPrefix = `${arnPrefix}:execution:${smName}:`;

  const parsed = parseJson(substitute(opts.definition, opts.substitutions));
  if (!parsed.ok || !isObject(parsed.value)) throw new Error('Step Functions definition is not a JSON object');
  const source = parsed.value as JsonObject;
  // The definition as written is checked by the library's validator (asl-validator);
  // the rewritten one is run without validation (its fields are ours).
  new StateMachine(source as unknown as StateMachineDefinition);
  const { definition, tasks, stateTypes } = compile(source);
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  const TimeoutClass = await statesTimeoutClass();
  const timeoutError = (): Error => {
    if (TimeoutClass) return new TimeoutClass();
    return new TaskError('States.Timeout', 'States.Timeout');
  };

  /** A per-process secret: tokens are random bytes plus a MAC, so garbled ones are told apart. */
  const tokenKey = randomBytes(32);
  const sentinel = `$$.Task.Token/${randomBytes(16).toString('hex')}`;
  const mac = (body: Buffer) => createHmac('sha256', tokenKey).update(body).digest().subarray(0, 16);
  const mintToken = () => {
    const body = randomBytes(32);
    return Buffer.concat([body, mac(body)]).toString('base64url');
  };
  const authentic = (token: string) => {
    if (!/^[A-Za-z0-9_-]{64}$/.test(token)) return false;
    const raw = Buffer.from(token, 'base64url');
    return raw.length === 48 && timingSafeEqual(raw.subarray(32), mac(raw.subarray(0, 32)));
  };

  const executions = new Map<string, Execution>(); // by name
  // LocalSetPaused: executions started while paused wait here for their first step.
  let paused = false;
  const held: (() => void)[] = [];
  const pending = new Map<string, PendingTask>(); // by token

  const record = (exec: Execution, type: string, details: Record<string, unknown> = {}) => {
    const id = exec.history.length + 1;
    exec.history.push({ timestamp: Date.now(), type, id, previousEventId: id - 1, ...details });
  };

  const resolveFunction = (name: unknown) => {
    if (typeof name !== 'string') return undefined;
    const direct = opts.functions[name];
    if (direct) return { name, fn: direct };
    const m = /(?:^|:function:)([A-Za-z0-9_-]+)(?::[^:]+)?$/.exec(name);
    const short = m?.[1];
    const fn = short ? opts.functions[short] : undefined;
    return fn && short ? { name: short, fn } : undefined;
  };

  /** Seconds from a static value or a resolved path: a positive integer, or States.Runtime. */
  const positiveSeconds = (value: unknown, what: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new TaskError('States.Runtime', `${what} must resolve to a positive integer, got ${JSON.stringify(value)}`, false);
    }
    return value;
  };
  const scaledMs = (seconds: number) => Math.max(1, (seconds * 1000) / timeScale);

  /** Calls a local function as the lambda:invoke integration does. */
  const invoke = async (params: Json, budgetMs: number): Promise<unknown> => {
    const p = isObject(params) ? params : {};
    const target = resolveFunction(p.FunctionName);
    if (!target) {
      throw new TaskError(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${JSON.stringify(p.FunctionName)} (local functions: ${Object.keys(opts.functions).join(', ') || 'none'})`,
      );
    }
    // Lambda hands the function a serialized copy of its payload; it has no "undefined".
    const event = p.Payload === undefined ? {} : (JSON.parse(JSON.stringify(p.Payload)) as Json);
    return target.fn(event, lambdaContext(target.name, region, account, budgetMs));
  };

  const resourceOf = (kind: TaskKind) => ({ resourceType: 'lambda', resource: kind === 'callback' ? 'invoke.waitForTaskToken' : 'invoke' });

  /** Rejects when the execution is aborted, so the library's Task timer is always cleared. */
  const abortable = <T>(exec: Execution, work: Promise<T>, cleanup: () => void = () => {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const signal = exec.controller.signal;
      const onAbort = () => {
        cleanup();
        reject(new TaskError('States.Runtime', 'Execution was stopped', false));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });

  const sleep = (exec: Execution, ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    return abortable(
      exec,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
      () => clearTimeout(timer),
    );
  };

  /** The one local handler behind every Task (and rewritten Wait) state. */
  const runTask = async (exec: Execution, wrapped: Json): Promise<Json> => {
    if (exec.controller.signal.aborted) throw new TaskError('States.Runtime', 'Execution was stopped', false);
    const meta = (isObject(wrapped) && isObject(wrapped.__lsf) ? wrapped.__lsf : undefined) as Meta | undefined;
    const spec = meta && typeof meta.id === 'number' ? tasks[meta.id] : undefined;
    if (!meta || !spec) throw new TaskError('States.Runtime', 'Local Step Functions: task parameters lost their metadata', false);
    const params = (wrapped as JsonObject).params ?? null;
    // Let the library's StateEntered event reach the history before this task's own events.
    await nextMacrotask();
    if (exec.controller.signal.aborted) throw new TaskError('States.Runtime', 'Execution was stopped', false);

    if (spec.kind === 'wait') {
      let ms: number;
      if (spec.seconds !== undefined || meta.seconds !== undefined) {
        const s = spec.seconds ?? meta.seconds;
        if (typeof s !== 'number' || s < 0) throw new TaskError('States.Runtime', `Wait seconds must be a non-negative number, got ${JSON.stringify(s)}`, false);
        ms = (s * 1000) / timeScale;
      } else {
        const ts = spec.timestamp ?? meta.timestamp;
        const at = typeof ts === 'string' ? Date.parse(ts) : NaN;
        if (Number.isNaN(at)) throw new TaskError('States.Runtime', `Wait timestamp is not a timestamp: ${JSON.stringify(ts)}`, false);
        ms = Math.max(0, at - Date.now()) / timeScale;
      }
      await sleep(exec, Math.min(ms, MAX_TIMER_SECONDS * 1000 - 1000));
      return meta.input ?? null;
    }

    const timeoutSeconds = spec.timeoutSeconds ?? (meta.timeout !== undefined ? positiveSeconds(meta.timeout, `State ${spec.stateName}: TimeoutSecondsPath`) : undefined);
    const heartbeatSeconds =
      spec.heartbeatSeconds ?? (meta.heartbeat !== undefined ? positiveSeconds(meta.heartbeat, `State ${spec.stateName}: HeartbeatSecondsPath`) : undefined);
    const resource = resourceOf(spec.kind);

    if (spec.kind === 'invoke') {
      if (placeToken(params, sentinel, '').placed) {
        throw new TaskError('States.Runtime', `State ${spec.stateName}: $$.Task.Token is only available in .waitForTaskToken tasks`, false);
      }
      record(exec, 'TaskScheduled', {
        taskScheduledEventDetails: { ...resource, region, parameters: JSON.stringify(params), ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}) },
      });
      record(exec, 'TaskStarted', { taskStartedEventDetails: resource });
      // lambda:invoke timeouts are real time; only callback (SLA) timers are scaled.
      const limitMs = timeoutSeconds !== undefined ? timeoutSeconds * 1000 : undefined;
      let timer: NodeJS.Timeout | undefined;
      const work = invoke(params, limitMs ?? 900_000).then((result) => ({
        ExecutedVersion: '$LATEST',
        Payload: result === undefined ? null : (JSON.parse(JSON.stringify(result)) as Json),
        StatusCode: 200,
      }));
      const timed =
        limitMs === undefined
          ? work
          : Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timeoutError()), limitMs)))]);
      try {
        const output = await abortable(exec, timed);
        record(exec, 'TaskSucceeded', { taskSucceededEventDetails: { ...resource, output: JSON.stringify(output) } });
        return output;
      } catch (error) {
        const failure = error instanceof TaskError || (TimeoutClass && error instanceof TimeoutClass) ? (error as Error) : lambdaError(error);
        if (!exec.controller.signal.aborted) {
          const timedOut = failure.name === 'States.Timeout';
          record(exec, timedOut ? 'TaskTimedOut' : 'TaskFailed', {
            [timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails']: { ...resource, error: failure.name, cause: failure.message },
          });
        }
        throw failure;
      } finally {
        clearTimeout(timer);
      }
    }

    // lambda:invoke.waitForTaskToken
    const token = mintToken();
    const { value: payloadParams, placed } = placeToken(params, sentinel, token);
    if (!placed) log(`step functions: state ${spec.stateName} waits for a task token but its Parameters never pass $$.Task.Token`);
    record(exec, 'TaskScheduled', {
      taskScheduledEventDetails: {
        ...resource,
        region,
        parameters: JSON.stringify(payloadParams),
        ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}),
        ...(heartbeatSeconds ? { heartbeatInSeconds: heartbeatSeconds } : {}),
      },
    });
    record(exec, 'TaskStarted', { taskStartedEventDetails: resource });

    return new Promise<Json>((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      let heartbeatTimer: NodeJS.Timeout | undefined;
      const signal = exec.controller.signal;
      const finish = () => {
        if (done) return false;
        done = true;
        clearTimeout(timer);
        clearTimeout(heartbeatTimer);
        pending.delete(token);
        exec.tokens.delete(token);
        signal.removeEventListener('abort', onAbort);
        return true;
      };
      const task: PendingTask = {
        exec,
        stateName: spec.stateName,
        succeed(output) {
          if (!finish()) return;
          record(exec, 'TaskSucceeded', { taskSucceededEventDetails: { ...resource, output: JSON.stringify(output) } });
          resolve(output);
        },
        fail(error) {
          if (!finish()) return;
          const timedOut = error.name === 'States.Timeout' || error.name === 'States.HeartbeatTimeout';
          record(exec, timedOut ? 'TaskTimedOut' : 'TaskFailed', {
            [timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails']: { ...resource, error: error.name, cause: error.message },
          });
          reject(error);
        },
        heartbeat() {
          if (done || heartbeatSeconds === undefined) return;
          clearTimeout(heartbeatTimer);
          heartbeatTimer = setTimeout(() => task.fail(new TaskError('States.HeartbeatTimeout', 'States.HeartbeatTimeout')), scaledMs(heartbeatSeconds));
        },
      };
      const onAbort = () => {
        if (finish()) reject(new TaskError('States.Runtime', 'Execution was stopped', false));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      pending.set(token, task);
      exec.tokens.add(token);
      if (timeoutSeconds !== undefined) {
        const ms = Math.min(scaledMs(timeoutSeconds), MAX_TIMER_SECONDS * 1000 - 1000);
        timer = setTimeout(() => {
          if (!finish()) return;
          const error = timeoutError();
          record(exec, 'TaskTimedOut', { taskTimedOutEventDetails: { ...resource, error: error.name, cause: error.message } });
          reject(error);
        }, ms);
      }
      task.heartbeat();
      invoke(payloadParams, 900_000).then(
        (result) => {
          if (!done) {
            record(exec, 'TaskSubmitted', {
              taskSubmittedEventDetails: { ...resource, output: JSON.stringify({ ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 }) },
            });
          }
        },
        (error: unknown) => task.fail(error instanceof TaskError ? error : lambdaError(error)),
      );
    });
  };

  const finishExecution = (exec: Execution, status: Status, details: { output?: string; error?: string; cause?: string }) => {
    if (exec.status !== 'RUNNING') return;
    exec.status = status;
    exec.stopDate = Date.now();
    Object.assign(exec, details);
    const ms = exec.stopDate - exec.startDate;
    if (status === 'SUCCEEDED') {
      record(exec, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: details.output } });
      log(`step functions: ${exec.name} succeeded in ${ms} ms (${exec.transitions} transitions)`);
    } else {
      const type = status === 'FAILED' ? 'ExecutionFailed' : status === 'TIMED_OUT' ? 'ExecutionTimedOut' : 'ExecutionAborted';
      const key = status === 'FAILED' ? 'executionFailedEventDetails' : status === 'TIMED_OUT' ? 'executionTimedOutEventDetails' : 'executionAbortedEventDetails';
      record(exec, type, { [key]: { error: details.error, cause: details.cause } });
      const why = details.error === undefined && details.cause === undefined ? '' : `: ${describeFailure(details.error, details.cause)}`;
      log(`step functions: ${exec.name} ${status.toLowerCase().replace('_', ' ')} after ${ms} ms (${exec.transitions} transitions)${why}`);
    }
    // Whatever still waits (a timer, a token) belongs to a closed execution.
    exec.controller.abort();
  };

  const startExecution = (name: string, input: string, inputValue: Json): Execution => {
    const exec: Execution = {
      arn: executionArnPrefix + name,
      name,
      input,
      status: 'RUNNING',
      startDate: Date.now(),
      history: [],
      transitions: 0,
      tokens: new Set(),
      controller: new AbortController(),
      settled: Promise.resolve(),
    };
    executions.set(name, exec);
    record(exec, 'ExecutionStarted', { executionStartedEventDetails: { input, inputDetails: { truncated: false }, roleArn: `arn:aws:iam::${account}:role/local-step-functions` } });
    log(`step functions: ${name} started`);

    if (paused) {
      held.push(() => launch(exec, inputValue));
      return exec;
    }
    launch(exec, inputValue);
    return exec;
  };

  /** Runs an execution's states (at once, or when a pause ends). */
  const launch = (exec: Execution, inputValue: Json) => {
    // Stopped while held back: nothing to run.
    if (exec.status !== 'RUNNING') return;
    const name = exec.name;
    const handler = (wrapped: Json) => runTask(exec, wrapped);
    const taskResourceLocalHandlers = Object.fromEntries(tasks.map((t) => [t.stateName, handler]));
    const run = machine.run(inputValue, {
      overrides: { taskResourceLocalHandlers },
      context: {
        Execution: { Id: exec.arn, Name: name, RoleArn: `arn:aws:iam::${account}:role/local-step-functions`, RedriveCount: 0 },
        StateMachine: { Id: smArn, Name: smName },
        Task: { Token: sentinel },
      },
    });
    exec.abortRun = run.abort;

    const consume = (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === 'StateEntered' || event.type === 'StateExited') {
          const ev = event as { state: { name: string; type: string; input: Json; output?: Json } };
          const type = ev.state.type === 'Task' && stateTypes.get(ev.state.name) === 'Wait' ? 'Wait' : ev.state.type;
          if (event.type === 'StateEntered') {
            exec.transitions++;
            record(exec, `${type}StateEntered`, { stateEnteredEventDetails: { name: ev.state.name, input: JSON.stringify(ev.state.input) } });
          } else {
            record(exec, `${type}StateExited`, { stateExitedEventDetails: { name: ev.state.name, output: JSON.stringify(ev.state.output ?? null) } });
          }
        } else if (event.type === 'StateRetried') {
          // AWS bills a retry as a state transition.
          exec.transitions++;
        }
      }
    })();

    exec.settled = run.result.then(
      async (output) => {
        await consume;
        finishExecution(exec, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      },
      async (error: unknown) => {
        await consume.catch(() => {});
        if (error instanceof ExecutionAbortedError) return finishExecution(exec, 'ABORTED', {});
        if (error instanceof ExecutionTimeoutError) return finishExecution(exec, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out' });
        const cause = error instanceof ExecutionError ? (error as { cause?: unknown }).cause : error;
        const name = cause instanceof Error ? cause.name : 'States.Runtime';
        const message = cause instanceof Error ? cause.message : String(cause);
        finishExecution(exec, 'FAILED', { error: name, cause: message });
      },
    );
  };

  const abortExecution = (exec: Execution, error?: string, cause?: string) => {
    if (exec.status !== 'RUNNING') return;
    finishExecution(exec, 'ABORTED', { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
    exec.abortRun?.();
  };

  // -------------------------------------------------------------------------
  // The API

  const str = (body: JsonObject, key: string, opt: { required?: boolean; max?: number } = {}): string | undefined => {
    const v = body[key];
    if (v === undefined || v === null) {
      if (opt.required) throw new ApiError('ValidationException', `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (typeof v !== 'string') throw new ApiError('SerializationException', `${key} must be a string`);
    if (opt.max !== undefined && v.length > opt.max) {
      throw new ApiError('ValidationException', `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must have length less than or equal to ${opt.max}`);
    }
    return v;
  };

  const execByArn = (arn: string | undefined): Execution => {
    if (!arn || !ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn ?? ''}'`);
    const exec = arn.startsWith(executionArnPrefix) ? executions.get(arn.slice(executionArnPrefix.length)) : undefined;
    if (!exec || exec.arn !== arn) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return exec;
  };

  const checkStateMachine = (arn: string | undefined) => {
    if (!arn || !ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn ?? ''}'`);
    if (arn !== smArn) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  };

  const pendingTask = (body: JsonObject): PendingTask => {
    const token = str(body, 'taskToken', { required: true })!;
    if (!authentic(token)) throw new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    const task = pending.get(token);
    // An authentic token that no longer waits: completed, timed out, or its execution stopped.
    if (!task) throw new ApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    return task;
  };

  const page = <T>(items: T[], body: JsonObject, what: string): { items: T[]; nextToken?: string } => {
    const max = body.maxResults === undefined || body.maxResults === null || body.maxResults === 0 ? 100 : body.maxResults;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > 1000) throw new ApiError('ValidationException', 'maxResults must be between 0 and 1000');
    let start = 0;
    const next = str(body, 'nextToken');
    if (next !== undefined) {
      const m = /^(\w+):(\d+)$/.exec(Buffer.from(next, 'base64url').toString('utf8'));
      if (!m || m[1] !== what) throw new ApiError('InvalidToken', 'Invalid pagination token');
      start = Number(m[2]);
    }
    const slice = items.slice(start, start + max);
    return start + max < items.length ? { items: slice, nextToken: Buffer.from(`${what}:${start + max}`).toString('base64url') } : { items: slice };
  };

  const operations: Record<string, (body: JsonObject) => unknown> = {
    LocalSetPaused(body) {
      if (typeof body.paused !== 'boolean') throw new ApiError('ValidationException', 'paused must be true or false');
      paused = body.paused;
      const released = paused ? [] : held.splice(0);
      for (const go of released) go();
      return { paused, held: held.length, released: released.length };
    },

    LocalStats() {
      const running = [...executions.values()].filter((e) => e.status === 'RUNNING');
      return { paused, held: held.length, running: running.length, waiting: running.filter((e) => e.tokens.size > 0).length };
    },

    StartExecution(body) {
      checkStateMachine(str(body, 'stateMachineArn', { required: true }));
      const name = str(body, 'name') ?? randomUUID();
      if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
      const input = str(body, 'input') ?? '{}';
      if (byteLength(input) > MAX_PAYLOAD_BYTES) throw new ApiError('InvalidExecutionInput', `Invalid Execution Input: input exceeds ${MAX_PAYLOAD_BYTES} bytes`);
      const value = parseJson(input);
      if (!value.ok) throw new ApiError('InvalidExecutionInput', 'Invalid Execution Input: not valid JSON');
      const existing = executions.get(name);
      if (existing) {
        // Standard workflows: the same name and input while running is the same start.
        if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: existing.arn, startDate: epochSeconds(existing.startDate) };
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
      }
      const exec = startExecution(name, input, value.value);
      return { executionArn: exec.arn, startDate: epochSeconds(exec.startDate) };
    },

    DescribeExecution(body) {
      const exec = execByArn(str(body, 'executionArn', { required: true }));
      return {
        executionArn: exec.arn,
        stateMachineArn: smArn,
        name: exec.name,
        status: exec.status,
        startDate: epochSeconds(exec.startDate),
        ...(exec.stopDate !== undefined ? { stopDate: epochSeconds(exec.stopDate) } : {}),
        input: exec.input,
        inputDetails: { included: true },
        ...(exec.output !== undefined ? { output: exec.output, outputDetails: { included: true } } : {}),
        ...(exec.error !== undefined ? { error: exec.error } : {}),
        ...(exec.cause !== undefined ? { cause: exec.cause } : {}),
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      };
    },

    StopExecution(body) {
      const exec = execByArn(str(body, 'executionArn', { required: true }));
      const error = str(body, 'error', { max: 256 });
      const cause = str(body, 'cause', { max: 32768 });
      abortExecution(exec, error, cause);
      return { stopDate: epochSeconds(exec.stopDate ?? Date.now()) };
    },

    ListExecutions(body) {
      checkStateMachine(str(body, 'stateMachineArn', { required: true }));
      const filter = str(body, 'statusFilter');
      if (filter !== undefined && !EXECUTION_STATUSES.includes(filter as Status) && filter !== 'PENDING_REDRIVE') {
        throw new ApiError('ValidationException', `Value '${filter}' at 'statusFilter' failed to satisfy constraint`);
      }
      const all = [...executions.values()].filter((e) => filter === undefined || e.status === filter).sort((a, b) => b.startDate - a.startDate);
      const { items, nextToken } = page(all, body, 'executions');
      return {
        executions: items.map((e) => ({
          executionArn: e.arn,
          stateMachineArn: smArn,
          name: e.name,
          status: e.status,
          startDate: epochSeconds(e.startDate),
          ...(e.stopDate !== undefined ? { stopDate: epochSeconds(e.stopDate) } : {}),
          redriveCount: 0,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    GetExecutionHistory(body) {
      const exec = execByArn(str(body, 'executionArn', { required: true }));
      const withData = body.includeExecutionData !== false;
      let events = exec.history.map((e) => ({ ...e, timestamp: epochSeconds(e.timestamp) }));
      if (!withData) {
        events = events.map((e) =>
          Object.fromEntries(
            Object.entries(e).map(([k, v]) => [k, k.endsWith('EventDetails') && isObject(v) ? Object.fromEntries(Object.entries(v).filter(([f]) => !['input', 'output', 'parameters'].includes(f))) : v]),
          ) as typeof e,
        );
      }
      if (body.reverseOrder === true) events.reverse();
      const { items, nextToken } = page(events, body, 'history');
      return { events: items, ...(nextToken ? { nextToken } : {}) };
    },

    SendTaskSuccess(body) {
      const task = pendingTask(body);
      const output = str(body, 'output', { required: true })!;
      if (byteLength(output) > MAX_PAYLOAD_BYTES) throw new ApiError('InvalidOutput', `Invalid Output: output exceeds ${MAX_PAYLOAD_BYTES} bytes`);
      const value = parseJson(output);
      if (!value.ok) throw new ApiError('InvalidOutput', 'Invalid Output: not valid JSON');
      task.succeed(value.value);
      return {};
    },

    SendTaskFailure(body) {
      const task = pendingTask(body);
      const error = str(body, 'error', { max: 256 });
      const cause = str(body, 'cause', { max: 32768 });
      // Without an error name the failure still matches States.ALL and States.TaskFailed.
      task.fail(new TaskError(error || 'States.TaskFailed', cause ?? ''));
      return {};
    },

    SendTaskHeartbeat(body) {
      pendingTask(body).heartbeat();
      return {};
    },
  };

  // -------------------------------------------------------------------------
  // HTTP

  const send = (res: http.ServerResponse, status: number, body: unknown, close = false) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(close ? { connection: 'close' } : {}),
    });
    res.end(text);
  };
  const sendError = (res: http.ServerResponse, error: ApiError, close = false) => send(res, error.status, { __type: error.type, message: error.message }, close);

  const server = http.createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AWSStepFunctions.') ? operations[target.slice('AWSStepFunctions.'.length)] : undefined;
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = () => {
      sendError(res, new ApiError('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413), true);
      res.once('finish', () => req.destroy());
    };
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
      req.resume();
      return sendError(res, new ApiError('UnknownOperationException', `${req.method} ${req.url} is not an operation`, 404));
    }
    if (declared > MAX_BODY_BYTES) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        aborted = true;
        chunks.length = 0;
        return tooLarge();
      }
      chunks.push(chunk);
    });
    req.on('error', () => {});
    req.on('end', () => {
      if (aborted) return;
      try {
        if (!op) throw new ApiError('UnknownOperationException', `Unknown operation: ${target || '(no X-Amz-Target)'}`);
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text.trim() === '' ? { ok: true as const, value: {} } : parseJson(text);
        if (!body.ok || !isObject(body.value)) throw new ApiError('SerializationException', 'The request body is not a JSON object');
        send(res, 200, op(body.value as JsonObject));
      } catch (error) {
        if (error instanceof ApiError) return sendError(res, error);
        log(`step functions: ${target} failed: ${error instanceof Error ? error.message : String(error)}`);
        sendError(res, new ApiError('InternalFailure', 'The request processing has failed because of an unknown error', 500));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as { port: number }).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    stop() {
      stopping ??= (async () => {
        const running = [...executions.values()].filter((e) => e.status === 'RUNNING');
        for (const exec of running) abortExecution(exec, 'LocalShutdown', 'The local Step Functions stopped');
        await Promise.all(running.map((e) => e.settled));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return stopping;
    },
    executions() {
      return [...executions.values()].map((e) => ({ name: e.name, status: e.status, transitions: e.transitions, waitingTokens: e.tokens.size }));
    },
  };
}
