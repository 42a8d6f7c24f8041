/**
 * One function's runtime, inside its worker thread (local/function-host.ts starts it):
 * loads the handler as a Lambda cold start does, with the environment the host gave this
 * thread and nothing else, then answers invocations by message. A handler that reads a
 * variable its needs do not bring fails here, at load, as it would in AWS.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { lambdaContext } from './lambda-context.ts';
import type { MeterSnapshot } from './meter.ts';

export interface WorkerData {
  name: string;
  /** Absolute path of the handler file. */
  entry: string;
  region: string;
  account: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Count SDK calls and invocations here and send the counts with each answer (`--meter`). */
  meter: boolean;
}

export type ToWorker = { type: 'invoke'; id: number; event: unknown; requestId?: string; budgetMs?: number };
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}
export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; id: number; result: unknown; meter?: MeterSnapshot }
  | { type: 'error'; id: number; error: SerializedError; meter?: MeterSnapshot };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const data = workerData as WorkerData;
const port = parentPort!;
const serialize = (err: unknown): SerializedError =>
  err instanceof Error ? { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) } : { name: 'Error', message: String(err) };

// The meter patches the SDK's client class of this thread before the handler makes its clients.
const meter = data.meter ? (await import('./meter.ts')).startMeter() : undefined;

let handler: Handler | undefined;
try {
  const mod = (await import(pathToFileURL(data.entry).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`${data.entry} exports no handler`);
  handler = meter ? meter.wrap(data.name, mod.handler as Handler) : (mod.handler as Handler);
} catch (err) {
  // What Lambda reports as Runtime.ImportModuleError / an init error; the host fails the invocation.
  // The host ends this thread and starts a new one at the next invocation, as Lambda retries an init.
  port.postMessage({ type: 'init-error', error: serialize(err) } satisfies FromWorker);
}
if (handler) port.postMessage({ type: 'ready' } satisfies FromWorker);

if (handler) port.on('message', (msg: ToWorker) => {
  if (msg.type !== 'invoke' || !handler) return;
  const context = lambdaContext(data.name, data.region, data.account, msg.budgetMs ?? data.timeoutSeconds * 1000, {
    ...(msg.requestId ? { requestId: msg.requestId } : {}),
    memoryMb: data.memoryMb,
  });
  const answer = (ok: boolean, value: unknown) => {
    const counts = meter ? { meter: meter.snapshot() } : {};
    try {
      port.postMessage(ok ? ({ type: 'result', id: msg.id, result: value, ...counts } satisfies FromWorker) : ({ type: 'error', id: msg.id, error: serialize(value), ...counts } satisfies FromWorker));
    } catch (err) {
      // A result that cannot be copied (a function in it): Lambda could not serialize it either.
      port.postMessage({ type: 'error', id: msg.id, error: serialize(err), ...counts } satisfies FromWorker);
    }
  };
  handler(msg.event, context).then(
    (result) => answer(true, result),
    (err: unknown) => answer(false, err),
  );
});
