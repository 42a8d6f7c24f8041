/**
 * The arithmetic of `npm run bench:cost`, as pure functions: from what local
 * mode's meter counted (local/meter.ts) over a run of N tickets, to usage per
 * AWS service, to dollars per 1,000 tickets at the prices in aws-prices.ts.
 *
 * Free tiers are never subtracted: the figures are what the usage costs at list
 * price, which is what a desk pays once its account is past the free tiers.
 */
import type { MeterSnapshot } from '../local/meter.ts';
import { usd, type Price, type Prices } from './aws-prices.ts';

export const KB64 = 64 * 1024;
export const KB256 = 256 * 1024;
export const GB = 1024 ** 3;

/** Billing chunks for one payload: ceil(bytes / size), at least one. */
export const chunks = (bytes: number, size: number) => Math.max(1, Math.ceil(bytes / size));

/** A count over `tickets` tickets, scaled to 1,000 tickets. */
export function perThousand(measured: number, tickets: number): number {
  if (!(tickets > 0)) throw new Error(`tickets must be > 0, not ${tickets}`);
  return (measured * 1000) / tickets;
}

type Counters = { [key: string]: number | string | Counters };

/**
 * `after - before` for every number in two meter snapshots (nested objects
 * recursively; a key missing before counts from 0; strings keep `after`'s).
 */
export function diffCounters<T>(before: T, after: T): T {
  const walk = (a: Counters | undefined, b: Counters): Counters => {
    const out: Counters = {};
    for (const [k, v] of Object.entries(b)) {
      const old = a?.[k];
      if (typeof v === 'number') out[k] = v - (typeof old === 'number' ? old : 0);
      else if (v && typeof v === 'object') out[k] = walk(old && typeof old === 'object' ? old : undefined, v);
      else out[k] = v;
    }
    return out;
  };
  return walk(before as Counters, after as Counters) as T;
}

/** What a run used, in the units AWS bills. */
export interface Usage {
  httpRequests: number;
  lambdaInvocations: number;
  /** Σ billed seconds × memory GB, per function's memory size. */
  lambdaGbSeconds: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  stateTransitions: number;
  /** Billed SQS requests (64 KB chunks), without the idle long polls (see fixed costs). */
  sqsRequests: number;
  snsPublishes: number;
  sesOutbound: number;
  sesInboundMails: number;
  sesInboundChunks: number;
  s3Puts: number;
  s3Gets: number;
  secretsCalls: number;
  logBytes: number;
  xrayTraces: number;
}

export interface UsageOptions {
  /** Memory size in MB of a function, by its logical name. */
  memoryMb: (fn: string) => number;
  /** Bytes Lambda itself logs per invocation (START, END and REPORT lines). */
  platformLogBytesPerInvocation: number;
  /** Bytes the state machine logs (level ALL, with execution data), measured separately; 0 when unknown. */
  stateMachineLogBytes: number;
  /** Write units billed for a write refused by its condition (its error carries no ConsumedCapacity). */
  unitsPerConditionalFailure?: number;
  /** Read units billed for a read DynamoDB Local reported as 0 (a Query that found nothing). */
  unitsPerEmptyRead?: number;
}

/** S3 request classes: PUT, COPY, POST, LIST and the multipart writes are the dear class. */
const S3_PUT_CLASS = /^(Put|Copy|Post|List|CreateMultipartUpload|UploadPart|CompleteMultipartUpload)/;

/** Meter counts (a diff of two snapshots) → billable usage. */
export function usageFromMeter(m: MeterSnapshot, o: UsageOptions): Usage {
  const fns = Object.entries(m.lambda);
  const invocations = fns.reduce((n, [, f]) => n + f.invocations, 0);
  const gbSeconds = fns.reduce((n, [name, f]) => n + (f.billedMs / 1000) * (o.memoryMb(name) / 1024), 0);
  const d = m.dynamodb;
  const sqs = Object.entries(m.sqs).reduce((n, [op, s]) => n + (op === 'ReceiveMessage' ? s.chunks - m.sqsEmptyReceives : s.chunks), 0);
  const s3 = Object.entries(m.s3);
  const eventInvocations = fns.filter(([, f]) => f.trigger === 'event');
  const inboundBatches = eventInvocations.filter(([name]) => name === 'InboundMail').reduce((n, [, f]) => n + f.invocations, 0);
  const executions = m.sources.stepFunctions?.executions ?? 0;
  return {
    httpRequests: m.http.requests,
    lambdaInvocations: invocations,
    lambdaGbSeconds: gbSeconds,
    dynamoWriteUnits: d.writeUnits + d.conditionalFailures * (o.unitsPerConditionalFailure ?? 1) + d.cancelledTransactionItems * 2,
    dynamoReadUnits: d.readUnits + d.zeroUnitReads * (o.unitsPerEmptyRead ?? 0.5),
    stateTransitions: m.sources.stepFunctions?.transitions ?? 0,
    sqsRequests: sqs,
    snsPublishes: m.sns.chunks,
    sesOutbound: m.ses.recipients,
    sesInboundMails: m.sesInbound.mails,
    sesInboundChunks: m.sesInbound.chunks256k,
    s3Puts: s3.filter(([op]) => S3_PUT_CLASS.test(op)).reduce((n, [, s]) => n + s.calls, 0),
    s3Gets: s3.filter(([op]) => !S3_PUT_CLASS.test(op)).reduce((n, [, s]) => n + s.calls, 0),
    secretsCalls: m.secretsManager.getSecretValue,
    logBytes: m.logs.bytes + invocations * o.platformLogBytesPerInvocation + o.stateMachineLogBytes,
    // One trace per entry point: API request, inbound batch, lifecycle execution (default sampling keeps nearly all at this volume).
    xrayTraces: m.http.requests + inboundBatches + executions,
  };
}

export interface CostLine {
  service: string;
  /** Units over the run. */
  measured: number;
  /** Units per 1,000 tickets. */
  per1000: number;
  price: Price;
  /** USD per 1,000 tickets. */
  cost: number;
}

/** Which price each usage figure is billed at, in the order printed. */
const BILLED: [keyof Usage, string, keyof Prices][] = [
  ['httpRequests', 'API Gateway HTTP API requests', 'httpApiRequest'],
  ['lambdaInvocations', 'Lambda requests', 'lambdaRequest'],
  ['lambdaGbSeconds', 'Lambda compute (GB-s, arm64)', 'lambdaGbSecondArm'],
  ['dynamoWriteUnits', 'DynamoDB write request units', 'dynamoWriteUnit'],
  ['dynamoReadUnits', 'DynamoDB read request units', 'dynamoReadUnit'],
  ['stateTransitions', 'Step Functions state transitions', 'stateTransition'],
  ['sqsRequests', 'SQS requests', 'sqsRequest'],
  ['snsPublishes', 'SNS publishes', 'snsPublish'],
  ['sesOutbound', 'SES mail sent (recipients)', 'sesOutbound'],
  ['sesInboundMails', 'SES mail received', 'sesInboundMail'],
  ['sesInboundChunks', 'SES inbound 256 KB chunks', 'sesInboundChunk'],
  ['s3Puts', 'S3 PUT-class requests', 's3Put'],
  ['s3Gets', 'S3 GET-class requests', 's3Get'],
  ['secretsCalls', 'Secrets Manager API calls', 'secretsApiCall'],
  ['logBytes', 'CloudWatch Logs ingestion (GB)', 'logIngestGb'],
  ['xrayTraces', 'X-Ray traces recorded', 'xrayTrace'],
];

/** Dollars per 1,000 tickets, service by service, at list price (no free tier). */
export function costPerThousand(usage: Usage, tickets: number, prices: Prices): { lines: CostLine[]; total: number } {
  const lines = BILLED.map(([key, service, priceName]) => {
    const measured = key === 'logBytes' ? usage.logBytes / GB : usage[key];
    const per1000 = perThousand(measured, tickets);
    const price = prices[priceName];
    return { service, measured, per1000, price, cost: usd(price, per1000) };
  });
  return { lines, total: lines.reduce((s, l) => s + l.cost, 0) };
}

/** Storage a run left behind, in bytes. */
export interface Stored {
  dynamoBytes: number;
  s3Bytes: number;
  logBytes: number;
}

/** Dollars per month that 1,000 tickets' data costs while it is kept (table with PITR, raw mail and files, logs). */
export function storagePerThousand(stored: Stored, tickets: number, prices: Prices) {
  const gb = (b: number) => perThousand(b, tickets) / GB;
  const lines = [
    { service: 'DynamoDB storage + PITR (GB-month)', per1000: gb(stored.dynamoBytes), cost: usd(prices.dynamoStorageGbMonth, gb(stored.dynamoBytes)) + usd(prices.dynamoPitrGbMonth, gb(stored.dynamoBytes)) },
    { service: 'S3 raw mail and files (GB-month)', per1000: gb(stored.s3Bytes), cost: usd(prices.s3StorageGbMonth, gb(stored.s3Bytes)) },
    // CloudWatch stores logs compressed, and bills the compressed size; uncompressed here: an upper bound.
    { service: 'CloudWatch Logs storage (GB-month)', per1000: gb(stored.logBytes), cost: usd(prices.logStorageGbMonth, gb(stored.logBytes)) },
  ];
  return { lines, total: lines.reduce((s, l) => s + l.cost, 0) };
}

/** What a deployed desk pays each month whatever its volume. */
export interface FixedInputs {
  /** Agents who sign in in a month (Cognito MAU). */
  agents: number;
  kmsKeys: number;
  secrets: number;
  alarms: number;
  dashboards: number;
  customMetrics: number;
  /** Lambda's SQS event source keeps long-polling an empty queue: this many pollers, a request every 20 s each. */
  idleSqsPollers: number;
  /** Dashboard hosting: page loads per agent per month, and bytes per load. */
  dashboardLoadsPerAgent: number;
  dashboardBytesPerLoad: number;
  dashboardRequestsPerLoad: number;
}

export function fixedMonthly(f: FixedInputs, prices: Prices) {
  const idleSqsRequests = f.idleSqsPollers * 3 * 60 * 24 * 30;
  const loads = f.agents * f.dashboardLoadsPerAgent;
  const lines = [
    { service: `Cognito Plus, ${f.agents} agents (MAU)`, units: f.agents, price: prices.cognitoPlusMau },
    { service: `KMS customer managed keys`, units: f.kmsKeys, price: prices.kmsKeyMonth },
    { service: `Secrets Manager secrets`, units: f.secrets, price: prices.secretMonth },
    { service: `CloudWatch alarms`, units: f.alarms, price: prices.alarmMonth },
    { service: `CloudWatch dashboards`, units: f.dashboards, price: prices.dashboardMonth },
    { service: `CloudWatch custom metrics`, units: f.customMetrics, price: prices.customMetricMonth },
    { service: `SQS idle long polls (event source, ${f.idleSqsPollers} pollers)`, units: idleSqsRequests, price: prices.sqsRequest },
    { service: `CloudFront requests (dashboard, ${f.dashboardLoadsPerAgent} loads/agent)`, units: loads * f.dashboardRequestsPerLoad, price: prices.cloudFrontHttpsRequest },
    { service: `CloudFront data out (dashboard, GB)`, units: (loads * f.dashboardBytesPerLoad) / GB, price: prices.cloudFrontGbOut },
  ].map((l) => ({ ...l, cost: usd(l.price, l.units) }));
  return { lines, total: lines.reduce((s, l) => s + l.cost, 0) };
}
