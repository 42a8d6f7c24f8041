/**
 * Local mode's meter (`npm start -- --meter`; off by default): counts, for the
 * whole run, what AWS would bill for, so `npm run bench:cost` can turn a run
 * into a bill. Served as JSON at `GET /__local/meter` on the API port, only
 * when metering is on (the route does not exist otherwise).
 *
 * How each count is taken, without changing what any handler sees:
 * - AWS SDK calls: every SDK v3 client of a metered thread (each function's
 *   worker, and the main thread: local mode's own stand-ins for SES inbound
 *   and the SQS event source) gets
 *   one `initialize` middleware, installed on its first `send`. It counts calls
 *   per service and operation, asks DynamoDB for `ReturnConsumedCapacity:
 *   'TOTAL'` (DynamoDB Local's TOTAL includes index writes: a PutItem of a 3 KB
 *   item with two index keys reports 3 + 2 × 3 units) and hides the answer
 *   again from a caller that did not ask for it.
 * - Lambda: each function runs in its own worker thread (local/function-host.ts),
 *   which starts its own meter: the same SDK middleware for its clients, and its
 *   handler wrapped with `wrap`: invocations, errors, wall time and billed time
 *   (rounded up to the millisecond), and the bytes the handler wrote to
 *   stdout/stderr while it ran (its CloudWatch log lines). The worker sends its
 *   counts with every answer; the main thread's snapshot adds them up.
 * - HTTP API: every request the router answered (any status).
 * - Step Functions: state transitions, read from the local Step Functions.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { buckets } from '../lib/definitions/resources.ts';
import { routes } from '../lib/definitions/routes.ts';

export const METER_PATH = '/__local/meter';

interface Calls {
  calls: number;
  errors: number;
}
interface FunctionCounts {
  trigger: 'http-agent' | 'http-public' | 'event';
  invocations: number;
  errors: number;
  durationMs: number;
  billedMs: number;
  logBytes: number;
  logWrites: number;
  /** DynamoDB units this function's calls consumed (TOTAL, as reported). */
  readUnits: number;
  writeUnits: number;
}
interface Chunked {
  calls: number;
  /** Billing units: 64 KB chunks of payload for SQS/SNS, at least one per call. */
  chunks: number;
  messages: number;
  bytes: number;
}

/** The JSON answered at GET /__local/meter. Every number is a count since local mode started. */
export interface MeterSnapshot {
  since: string;
  at: string;
  http: { requests: number; byStatus: Record<string, number> };
  lambda: Record<string, FunctionCounts>;
  /** Every SDK call, as "Service.Operation" (e.g. "DynamoDB.PutItem"). */
  sdk: Record<string, Calls>;
  dynamodb: {
    readUnits: number;
    writeUnits: number;
    byOperation: Record<string, { calls: number; readUnits: number; writeUnits: number }>;
    /** Writes refused by their condition: AWS bills them, but the error carries no ConsumedCapacity. */
    conditionalFailures: number;
    cancelledTransactions: number;
    /** Write items in cancelled transactions. */
    cancelledTransactionItems: number;
    /** Reads that reported 0 units (DynamoDB Local, for a Query that found nothing); AWS bills at least 0.5. */
    zeroUnitReads: number;
  };
  sqs: Record<string, Chunked>;
  /** ReceiveMessage calls that returned nothing (idle long polls: a cost of time, not of tickets). */
  sqsEmptyReceives: number;
  sns: Chunked;
  ses: { sends: number; recipients: number; bytes: number };
  /** Mail SES would have received: the SMTP gateway's raw-MIME PUTs under the inbound prefix. */
  sesInbound: { mails: number; bytes: number; chunks256k: number };
  s3: Record<string, { calls: number; bytes: number }>;
  secretsManager: { getSecretValue: number };
  /** Bytes handlers wrote while they ran (their log lines), all functions together. */
  logs: { bytes: number; writes: number };
  /** Counts read from other local services at snapshot time (e.g. stepFunctions: {executions, transitions}). */
  sources: Record<string, Record<string, number>>;
}

type Handler = (event: any, context: any) => Promise<any>;

export interface Meter {
  /** A handler that counts its invocations; `name` is the function's logical name. */
  wrap<H extends Handler>(name: string, handler: H): H;
  /** One answered HTTP API request. */
  http(line: { status: number }): void;
  /** Counts read from elsewhere at each snapshot. */
  source(name: string, read: () => Record<string, number>): void;
  snapshot(): MeterSnapshot;
  /** Answers GET /__local/meter on this server before its own routes. */
  mount(server: Server): void;
  /** The latest counts of a function's worker (local/function-host.ts), added to this process's own. */
  absorb(worker: string, counts: MeterSnapshot): void;
}

/** Adds every number of `from` into `into`, key by key; other values stay as `into` has them. */
function addCounts(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    if (typeof v === 'number') into[k] = (typeof into[k] === 'number' ? (into[k] as number) : 0) + v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      if (!into[k] || typeof into[k] !== 'object') into[k] = {};
      addCounts(into[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else if (!(k in into)) into[k] = v;
  }
}

const DDB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const DDB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const DDB_CAPACITY_OPS = new Set([...DDB_READS, ...DDB_WRITES, 'ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction']);
const KB64 = 64 * 1024;
const KB256 = 256 * 1024;

const byteLength = (v: unknown): number => {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (v instanceof Uint8Array) return v.byteLength;
  return 0;
};
const chunksOf = (bytes: number, size: number) => Math.max(1, Math.ceil(bytes / size));

let installed: Meter | undefined;

/** Starts metering this process. One meter per process: a second call returns the first. */
export function startMeter(): Meter {
  if (installed) return installed;
  const since = new Date().toISOString();
  const auth = new Map(routes.map((r) => [r.name, r.auth === 'public' ? ('http-public' as const) : ('http-agent' as const)]));
  const state = {
    http: { requests: 0, byStatus: {} as Record<string, number> },
    lambda: {} as Record<string, FunctionCounts>,
    sdk: {} as Record<string, Calls>,
    dynamodb: { readUnits: 0, writeUnits: 0, byOperation: {} as MeterSnapshot['dynamodb']['byOperation'], conditionalFailures: 0, cancelledTransactions: 0, cancelledTransactionItems: 0, zeroUnitReads: 0 },
    sqs: {} as Record<string, Chunked>,
    sqsEmptyReceives: 0,
    sns: { calls: 0, chunks: 0, messages: 0, bytes: 0 },
    ses: { sends: 0, recipients: 0, bytes: 0 },
    sesInbound: { mails: 0, bytes: 0, chunks256k: 0 },
    s3: {} as Record<string, { calls: number; bytes: number }>,
    secretsManager: { getSecretValue: 0 },
    logs: { bytes: 0, writes: 0 },
  };
  const sources = new Map<string, () => Record<string, number>>();
  // Each function runs in its own worker thread with its own SDK clients: a worker meters itself
  // and sends its counts with every answer; the latest counts of each worker are kept here.
  const workers = new Map<string, MeterSnapshot>();

  // ------------------------------------------------------------ handler log bytes
  const running = new AsyncLocalStorage<FunctionCounts>();
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const fn = running.getStore();
      if (fn) {
        const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : byteLength(chunk);
        fn.logBytes += n;
        fn.logWrites++;
        state.logs.bytes += n;
        state.logs.writes++;
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }

  // ------------------------------------------------------------ SDK calls
  const record = (service: string, op: string, input: any, output: any, error: unknown) => {
    const key = `${service}.${op}`;
    const c = (state.sdk[key] ??= { calls: 0, errors: 0 });
    c.calls++;
    if (error) c.errors++;
    switch (service) {
      case 'DynamoDB': {
        const o = (state.dynamodb.byOperation[op] ??= { calls: 0, readUnits: 0, writeUnits: 0 });
        o.calls++;
        const name = (error as { name?: string } | undefined)?.name;
        if (name === 'ConditionalCheckFailedException') state.dynamodb.conditionalFailures++;
        if (name === 'TransactionCanceledException') {
          state.dynamodb.cancelledTransactions++;
          state.dynamodb.cancelledTransactionItems += Array.isArray(input?.TransactItems) ? input.TransactItems.length : 0;
        }
        const consumed = output?.ConsumedCapacity;
        if (!error && DDB_READS.has(op) && consumed && (Array.isArray(consumed) ? consumed : [consumed]).every((cc: { CapacityUnits?: number }) => !cc?.CapacityUnits)) state.dynamodb.zeroUnitReads++;
        for (const cc of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          const units = Number(cc?.CapacityUnits ?? 0);
          const read = cc?.ReadCapacityUnits !== undefined ? Number(cc.ReadCapacityUnits) : DDB_READS.has(op) ? units : 0;
          const written = cc?.WriteCapacityUnits !== undefined ? Number(cc.WriteCapacityUnits) : DDB_READS.has(op) ? 0 : units;
          o.readUnits += read;
          o.writeUnits += written;
          const fn = running.getStore();
          if (fn) {
            fn.readUnits += read;
            fn.writeUnits += written;
          }
          state.dynamodb.readUnits += read;
          state.dynamodb.writeUnits += written;
        }
        break;
      }
      case 'SQS': {
        const s = (state.sqs[op] ??= { calls: 0, chunks: 0, messages: 0, bytes: 0 });
        let bytes = 0;
        let messages = 0;
        if (op === 'ReceiveMessage') {
          const got = (output?.Messages ?? []) as { Body?: string }[];
          messages = got.length;
          bytes = got.reduce((n, m) => n + byteLength(m.Body), 0);
          if (!error && messages === 0) state.sqsEmptyReceives++;
        } else if (op === 'SendMessage') {
          messages = 1;
          bytes = byteLength(input?.MessageBody);
        } else if (op === 'SendMessageBatch') {
          const entries = (input?.Entries ?? []) as { MessageBody?: string }[];
          messages = entries.length;
          bytes = entries.reduce((n, e) => n + byteLength(e.MessageBody), 0);
        } else if (Array.isArray(input?.Entries)) {
          messages = input.Entries.length;
        }
        s.calls++;
        s.messages += messages;
        s.bytes += bytes;
        s.chunks += chunksOf(bytes, KB64);
        break;
      }
      case 'SNS': {
        if (op === 'Publish' || op === 'PublishBatch') {
          const bytes = op === 'Publish' ? byteLength(input?.Message) : ((input?.PublishBatchRequestEntries ?? []) as { Message?: string }[]).reduce((n, e) => n + byteLength(e.Message), 0);
          state.sns.calls++;
          state.sns.messages += op === 'Publish' ? 1 : (input?.PublishBatchRequestEntries?.length ?? 0);
          state.sns.bytes += bytes;
          state.sns.chunks += chunksOf(bytes, KB64);
        }
        break;
      }
      case 'SESv2':
      case 'SES': {
        if (/^Send(Raw)?Email$/.test(op) && !error) {
          const d = input?.Destination ?? {};
          const recipients = [...(d.ToAddresses ?? []), ...(d.CcAddresses ?? []), ...(d.BccAddresses ?? [])].length || 1;
          const content = input?.Content ?? input?.Message ?? input?.RawMessage;
          const bytes = byteLength(content?.Raw?.Data ?? content?.Data) || Buffer.byteLength(JSON.stringify(content ?? {}));
          state.ses.sends++;
          state.ses.recipients += recipients;
          state.ses.bytes += bytes;
        }
        break;
      }
      case 'S3': {
        const bytes = op === 'PutObject' ? Number(input?.ContentLength ?? byteLength(input?.Body)) : op === 'GetObject' ? Number(output?.ContentLength ?? 0) : 0;
        const s = (state.s3[op] ??= { calls: 0, bytes: 0 });
        s.calls++;
        s.bytes += bytes;
        if (op === 'PutObject' && !error && input?.Bucket === buckets.mail.localName && String(input?.Key ?? '').startsWith(buckets.mail.prefixes.inbound)) {
          state.sesInbound.mails++;
          state.sesInbound.bytes += bytes;
          state.sesInbound.chunks256k += chunksOf(bytes, KB256);
        }
        break;
      }
      case 'SecretsManager':
        if (op === 'GetSecretValue') state.secretsManager.getSecretValue++;
        break;
    }
  };

  const middleware =
    (next: (args: any) => Promise<any>, context: { clientName?: string; commandName?: string }) =>
    async (args: { input: any }) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const op = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      let asked = true;
      if (service === 'DynamoDB' && DDB_CAPACITY_OPS.has(op)) {
        const mode = args.input?.ReturnConsumedCapacity;
        if (mode === undefined || mode === 'NONE') {
          asked = false;
          args = { ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } };
        }
      }
      let result: any;
      try {
        result = await next(args);
      } catch (error) {
        record(service, op, args.input, undefined, error);
        throw error;
      }
      record(service, op, args.input, result?.output, undefined);
      if (!asked && result?.output) delete result.output.ConsumedCapacity;
      return result;
    };

  // Every SDK client class in this process extends @smithy/core's Client (CommonJS: the
  // AWS SDK packages load their dist-cjs builds). Resolved from each client package
  // too, in case one ever ships its own copy.
  const require = createRequire(import.meta.url);
  const clientClasses = new Set<{ prototype: { send: (...args: any[]) => any } }>();
  for (const from of [import.meta.url, ...['client-dynamodb', 'client-s3', 'client-sqs', 'client-sns', 'client-sesv2', 'client-sfn', 'client-secrets-manager', 'client-cognito-identity-provider'].map((p) => `@aws-sdk/${p}`)]) {
    try {
      const req = from === import.meta.url ? require : createRequire(require.resolve(from));
      clientClasses.add((req('@smithy/core/client') as { Client: { prototype: { send: (...args: any[]) => any } } }).Client);
    } catch {
      // That client is not installed.
    }
  }
  const stacks = new WeakSet<object>();
  for (const Client of clientClasses) {
    const send = Client.prototype.send;
    Client.prototype.send = function (this: { middlewareStack?: { add: (mw: unknown, opts: unknown) => void } }, ...args: unknown[]) {
      const stack = this.middlewareStack;
      if (stack && !stacks.has(stack)) {
        stacks.add(stack);
        stack.add(middleware, { step: 'initialize', priority: 'high', name: 'localMeter', override: true });
      }
      return send.apply(this, args);
    };
  }

  const meter: Meter = {
    wrap<H extends Handler>(name: string, handler: H): H {
      const counts = (state.lambda[name] ??= { trigger: auth.get(name) ?? 'event', invocations: 0, errors: 0, durationMs: 0, billedMs: 0, logBytes: 0, logWrites: 0, readUnits: 0, writeUnits: 0 });
      return (async (event: unknown, context: unknown) => {
        const t0 = performance.now();
        try {
          return await running.run(counts, () => handler(event, context));
        } catch (err) {
          counts.errors++;
          throw err;
        } finally {
          const ms = performance.now() - t0;
          counts.invocations++;
          counts.durationMs += ms;
          counts.billedMs += Math.max(1, Math.ceil(ms));
        }
      }) as H;
    },
    http({ status }) {
      state.http.requests++;
      state.http.byStatus[status] = (state.http.byStatus[status] ?? 0) + 1;
    },
    source(name, read) {
      sources.set(name, read);
    },
    snapshot() {
      const read: Record<string, Record<string, number>> = {};
      for (const [name, fn] of sources) {
        try {
          read[name] = fn();
        } catch {
          read[name] = {};
        }
      }
      const all = structuredClone(state);
      for (const counts of workers.values()) {
        const { since: _since, at: _at, sources: _sources, ...rest } = counts;
        addCounts(all as unknown as Record<string, unknown>, rest as unknown as Record<string, unknown>);
      }
      return { since, at: new Date().toISOString(), ...all, sources: read };
    },
    absorb(worker, counts) {
      workers.set(worker, counts);
    },
    mount(server) {
      const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
      server.removeAllListeners('request');
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        if ((req.url ?? '').split('?')[0] !== METER_PATH) {
          for (const l of listeners) l.call(server, req, res);
          return;
        }
        if (req.method !== 'GET') {
          res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Method Not Allowed' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(meter.snapshot()));
      });
    },
  };
  installed = meter;
  return meter;
}
