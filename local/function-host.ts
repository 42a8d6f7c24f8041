/**
 * Local mode's Lambda: every function of the manifest runs in a worker thread of its own,
 * whose environment is exactly what its needs bring (`environmentOf`) plus the runtime's
 * variables (`runtimeVariables`), and nothing else. So a handler that reads a setting its
 * manifest entry does not declare fails locally at its cold start, as it would in AWS.
 *
 * Like Lambda:
 * - a function's worker starts at its first invocation (a cold start) and stays warm;
 * - the handler module is loaded with that environment; when loading throws (an init
 *   error), the invocation fails and the next one tries a new worker;
 * - events and results cross as copies (structured clone), errors as name, message and stack;
 * - a worker that dies (an uncaught exception) fails the invocations in flight and is
 *   started again at the next one;
 * - with `enforceTimeouts`, an invocation has the manifest's timeout (or the caller's shorter budget): past it, it
 *   fails with Lambda's `Sandbox.Timedout` and its worker is ended, as Lambda ends the
 *   instance, and replaced at the next call. So the HTTP caller gets a 5xx and a queue
 *   message is retried, as in AWS.
 * Unlike Lambda, one warm worker takes concurrent invocations (Node is asynchronous): this
 * machine is small, and nothing in the handlers relies on one invocation per instance. (So a
 * worker with a timed-out invocation is retired: it ends once the others it runs have settled.)
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { environmentOf, functionDefaults, runtimeVariables, type DeploymentValues, type FunctionDefinition } from '../lib/definitions/functions.ts';
import type { FromWorker, SerializedError, ToWorker, WorkerData } from './function-worker.ts';
import type { Meter } from './meter.ts';
import { functionBundles } from './function-bundles.ts';

const ACCOUNT = '000000000000';

export interface FunctionHostOptions {
  manifest: readonly FunctionDefinition[];
  /** The project root: entries are under functions/. */
  root: string;
  region: string;
  meter?: Meter | undefined;
  log?: ((line: string) => void) | undefined;
  /**
   * Fail an invocation past its manifest timeout (see above). Off in `npm start` for now: one worker
   * runs all of a function's concurrent calls, so on a busy machine a burst of them (64 parallel replies
   * in the integration tests) runs past a 10 s timeout that Lambda, one instance per call, would not.
   */
  enforceTimeouts?: boolean;
}

/** What the router, the pollers and Step Functions call: a handler's shape; the context's request id and time left are passed on. */
export type Invoke = (event: unknown, context?: { awsRequestId?: string; getRemainingTimeInMillis?: () => number }) => Promise<any>;

export interface FunctionHost {
  /**
   * The deployment values, known once the API listens (its URL is PUBLIC_URL), and the variables every
   * function gets (credentials, endpoints, local knobs: names of `runtimeVariables` only). Invocations
   * before this wait for it.
   */
  configure(values: DeploymentValues, runtime: Record<string, string>): void;
  /** Invokes a function of the manifest by name. */
  invoker(name: string): Invoke;
  /** The exact environment a function's worker gets. */
  environment(name: string): Record<string, string>;
  /**
   * Starts every function's worker now rather than at its first call (as provisioned concurrency
   * would); resolves when all have loaded or failed to (a failed one is tried again at its first call).
   */
  warm(progress?: (started: number, total: number) => void): Promise<void>;
  /** Ends every worker. */
  stop(): Promise<void>;
}

/** An error from a worker, with the handler's error name (Step Functions matches it; API Gateway hides it). */
export class FunctionError extends Error {
  constructor(e: SerializedError, what: string) {
    super(`${what}: ${e.message}`);
    this.name = e.name;
    if (e.stack) this.stack = `${e.name}: ${what}: ${e.message}\n${e.stack.split('\n').slice(1).join('\n')}`;
  }
}

interface Running {
  /** Resolves with the worker once its handler has loaded (bundled, then imported). */
  ready: Promise<Worker>;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
}

export function startFunctionHost(opts: FunctionHostOptions): FunctionHost {
  const byName = new Map(opts.manifest.map((fn) => [fn.name, fn]));
  let values: DeploymentValues | undefined;
  let runtime: Record<string, string> = {};
  let configured!: () => void;
  const whenConfigured = new Promise<void>((r) => (configured = r));
  const running = new Map<string, Running>();
  let nextId = 1;
  let workerCount = 0;
  let stopped = false;
  const bundles = functionBundles(opts.root, { metered: opts.meter !== undefined });
  const workers = new Set<Worker>();

  const definition = (name: string) => {
    const fn = byName.get(name);
    if (!fn) throw new Error(`No function named ${name} in the manifest`);
    return fn;
  };

  const environment = (name: string): Record<string, string> => {
    if (!values) throw new Error('The function host is not configured yet');
    // AWS_LAMBDA_FUNCTION_NAME as Lambda sets it (the logger names the function with it).
    return { ...runtime, AWS_LAMBDA_FUNCTION_NAME: name, ...environmentOf(definition(name), values) };
  };

  const start = (fn: FunctionDefinition): Running => {
    const meterKey = `${fn.name}#${++workerCount}`;
    const pending: Running['pending'] = new Map();
    let settleReady!: { ok: (w: Worker) => void; fail: (e: Error) => void };
    const ready = new Promise<Worker>((ok, fail) => (settleReady = { ok, fail }));
    // Awaited by each invocation; a failed start is reported there, never as an unhandled rejection.
    ready.catch(() => {});
    const self: Running = { ready, pending };
    running.set(fn.name, self);
    const forget = (err: Error) => {
      if (running.get(fn.name) === self) running.delete(fn.name);
      settleReady.fail(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    Promise.all([bundles.worker(), bundles.of(fn)]).then(
      ([runtimeFile, entry]) => (stopped ? forget(new Error(`${fn.name}: local mode is stopping`)) : run(runtimeFile, entry)),
      (err: Error) => {
        // The code does not build: for Lambda, an init error (nothing could be loaded).
        console.error(`[lambda] ${fn.name}: init failed: ${err.message}`);
        forget(new FunctionError({ name: 'Runtime.ImportModuleError', message: err.message }, `${fn.name} failed to start`));
      },
    );
    return self;

    function run(runtimeFile: string, entry: string) {
    const data: WorkerData = {
      name: fn.name,
      entry,
      region: opts.region,
      account: ACCOUNT,
      timeoutSeconds: fn.timeoutSeconds ?? functionDefaults.timeoutSeconds,
      memoryMb: fn.memoryMb ?? functionDefaults.memoryMb,
      meter: opts.meter !== undefined,
    };
    // env: the worker's process.env is this object alone. execArgv: not the main thread's (`--import tsx`):
    // the code is bundled, and stack traces map back to the sources, as NODE_OPTIONS does in the stack.
    const worker = new Worker(runtimeFile, { env: environment(fn.name), workerData: data, execArgv: ['--enable-source-maps'], name: fn.name });
    workers.add(worker);
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'ready') {
        opts.log?.(`${fn.name}: cold start done`);
        settleReady.ok(worker);
        return;
      }
      if (msg.type === 'init-error') {
        // Said even when quiet, as CloudWatch would show it: a function that cannot start is a defect.
        console.error(`[lambda] ${fn.name}: init failed: ${msg.error.message}`);
        forget(new FunctionError(msg.error, `${fn.name} failed to start`));
        void worker.terminate();
        return;
      }
      if (msg.meter) opts.meter?.absorb(meterKey, msg.meter);
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.type === 'result') p.resolve(msg.result);
      else p.reject(new FunctionError(msg.error, fn.name));
    });
    worker.on('error', (err) => {
      opts.log?.(`${fn.name}: worker crashed: ${err.message}`);
      forget(err instanceof Error ? err : new Error(String(err)));
    });
    worker.on('exit', (code) => {
      workers.delete(worker);
      forget(new Error(`${fn.name}: its runtime exited (code ${code})`));
    });
    }
  };

  return {
    configure(v, r) {
      const allowed = new Set<string>(runtimeVariables);
      const stray = Object.keys(r).filter((k) => !allowed.has(k));
      if (stray.length) throw new Error(`Local mode would give functions variables the runtime does not set: ${stray.join(', ')} (runtimeVariables in lib/definitions/functions.ts)`);
      values = v;
      runtime = r;
      configured();
    },
    environment,
    invoker(name) {
      const fn = definition(name);
      return async (event, context) => {
        await whenConfigured;
        if (stopped) throw new Error(`${name}: local mode is stopping`);
        const r = running.get(name) ?? start(fn);
        const worker = await r.ready;
        const id = nextId++;
        const budgetMs = context?.getRemainingTimeInMillis?.();
        const msg: ToWorker = { type: 'invoke', id, event, ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}), ...(budgetMs !== undefined ? { budgetMs } : {}) };
        // The clock starts once the handler is loaded: Lambda counts its init apart.
        const timeoutMs = Math.min(budgetMs ?? Infinity, (fn.timeoutSeconds ?? functionDefaults.timeoutSeconds) * 1000);
        return new Promise((resolve, reject) => {
          if (!opts.enforceTimeouts) {
            r.pending.set(id, { resolve, reject });
            worker.postMessage(msg);
            return;
          }
          const timer = setTimeout(() => {
            if (!r.pending.delete(id)) return;
            const message = `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
            // Said even when quiet, as CloudWatch would show it.
            console.error(`[lambda] ${name}: ${message}`);
            reject(new FunctionError({ name: 'Sandbox.Timedout', message }, name));
            // As Lambda ends the instance: the next call starts a new worker, and this one ends once the calls
            // it runs beside (each its own instance in Lambda) have settled or timed out in turn.
            if (running.get(name) === r) running.delete(name);
            if (r.pending.size === 0) void worker.terminate();
          }, timeoutMs);
          const settled = <T>(settle: (v: T) => void) => (v: T) => {
            clearTimeout(timer);
            settle(v);
            if (running.get(name) !== r && r.pending.size === 0) void worker.terminate();
          };
          r.pending.set(id, { resolve: settled(resolve), reject: settled(reject) });
          worker.postMessage(msg);
        });
      };
    },
    async warm(progress) {
      await whenConfigured;
      await bundles.all(opts.manifest);
      let started = 0;
      const total = opts.manifest.length;
      await Promise.allSettled(opts.manifest.map((fn) => (running.get(fn.name) ?? start(fn)).ready.finally(() => progress?.(++started, total))));
    },
    async stop() {
      stopped = true;
      await Promise.allSettled([...workers].map((w) => w.terminate()));
      running.clear();
    },
  };
}
