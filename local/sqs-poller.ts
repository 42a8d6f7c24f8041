/**
 * Local stand-in for a Lambda SQS event source mapping with
 * `ReportBatchItemFailures`: long-polls a queue, hands each batch to the
 * handler as the `SQSEvent` Lambda would build, and deletes only the messages
 * that succeeded. Failed messages stay in the queue, reappear after the
 * visibility timeout with a higher ApproximateReceiveCount, and reach the DLQ
 * through the queue's own redrive policy, as in AWS.
 *
 * Like Lambda:
 * - the handler throwing (or rejecting) fails the whole batch;
 * - a `batchItemFailures` entry with an empty or unknown `itemIdentifier`
 *   fails the whole batch;
 * - after a non-empty batch the next poll starts at once.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** Messages per invocation, 1 to 10 (the mapping's BatchSize for a standard queue without a batching window). */
  batchSize: number;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  functionName: string;
  /** Overrides the queue's visibility timeout for received messages (AWS uses the queue's own). */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait, 0 to 20 seconds; default 20. */
  waitTimeSeconds?: number;
  /** Batches handled at once, like the mapping's maximum concurrency; default 1. */
  concurrency?: number;
  /** The function timeout, for `context.getRemainingTimeInMillis()`; default 30. */
  timeoutSeconds?: number;
  log?: (line: string) => void;
  /** Called with the records the handler finished with, once their messages are deleted from the queue. */
  onDeleted?: (records: SQSRecord[]) => void;
}

export interface SqsPoller {
  /** Stops polling: aborts a long poll in progress and waits for an invocation in progress to finish. */
  stop(): Promise<void>;
}

const isAbort = (err: unknown) => (err as { name?: string })?.name === 'AbortError';
const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

function toLambdaAttributes(attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, a] of Object.entries(attrs ?? {})) {
    out[name] = {
      stringValue: a.StringValue,
      binaryValue: a.BinaryValue ? Buffer.from(a.BinaryValue).toString('base64') : undefined,
      stringListValues: a.StringListValues ?? [],
      binaryListValues: (a.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: a.DataType ?? 'String',
    };
  }
  return out;
}

/** One SQS message as a Lambda `SQSRecord`. */
export function toSqsRecord(m: Message, queueArn: string, awsRegion: string): SQSRecord {
  const a = m.Attributes ?? {};
  const record: SQSRecord = {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ...a,
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: toLambdaAttributes(m.MessageAttributes),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion,
  };
  if (m.MD5OfMessageAttributes) record.md5OfMessageAttributes = m.MD5OfMessageAttributes;
  return record;
}

/**
 * Which records to delete after an invocation: all on success, none when the
 * handler failed or reported a failure Lambda would not accept, otherwise all
 * but the reported ones.
 */
export function succeededRecords(records: SQSRecord[], outcome: { error: unknown } | { result: SQSBatchResponse | void | undefined }): SQSRecord[] {
  if ('error' in outcome) return [];
  const failures = (outcome.result as Partial<SQSBatchResponse> | undefined | null)?.batchItemFailures;
  if (failures === undefined || failures === null) return records;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !id || !ids.has(id)) return [];
    failed.add(id);
  }
  return records.filter((r) => !failed.has(r.messageId));
}

export function startSqsPoller(opts: SqsPollerOptions): SqsPoller {
  const log = opts.log ?? (() => {});
  const batchSize = opts.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) throw new Error('startSqsPoller: batchSize must be 1 to 10');
  const waitTimeSeconds = Math.min(20, Math.max(0, opts.waitTimeSeconds ?? 20));
  const arn = opts.queueArn.split(':');
  const region = arn[3] || 'us-east-1';
  const account = arn[4] || '000000000000';
  const timeoutSeconds = opts.timeoutSeconds ?? 30;

  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10) throw new Error('startSqsPoller: concurrency must be 1 to 10');

  let stopped = false;
  const abort = new AbortController();
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        r();
      };
      const t = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  async function invoke(messages: Message[]) {
    const records = messages.map((m) => toSqsRecord(m, opts.queueArn, region));
    const context = lambdaContext(opts.functionName, region, account, timeoutSeconds * 1000);
    let outcome: { error: unknown } | { result: SQSBatchResponse | void };
    try {
      outcome = { result: await opts.handler({ Records: records }, context) };
    } catch (error) {
      outcome = { error };
      log(`${opts.functionName}: invocation ${context.awsRequestId} failed (${describe(error)}); ${records.length} message(s) stay in the queue`);
    }
    const done = succeededRecords(records, outcome);
    if (!('error' in outcome) && done.length < records.length) {
      log(`${opts.functionName}: ${records.length - done.length} of ${records.length} message(s) failed; they stay in the queue`);
    }
    if (!done.length) return;
    // Deleting is not aborted by stop(): a processed message must not come back.
    const res = await opts.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: opts.queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }),
    );
    for (const f of res.Failed ?? []) log(`${opts.functionName}: could not delete a processed message (${f.Code}: ${f.Message ?? ''})`);
    const failed = new Set((res.Failed ?? []).map((f) => f.Id));
    const deleted = done.filter((_, i) => !failed.has(String(i)));
    if (deleted.length) opts.onDeleted?.(deleted);
  }

  async function loop() {
    let backoff = 250;
    while (!stopped) {
      let messages: Message[];
      try {
        const res = await opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitTimeSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
            ...(opts.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: opts.visibilityTimeoutSeconds } : {}),
          }),
          { abortSignal: abort.signal },
        );
        messages = res.Messages ?? [];
        backoff = 250;
      } catch (err) {
        if (stopped || isAbort(err)) break;
        log(`${opts.functionName}: receive failed (${describe(err)}); retrying in ${backoff} ms`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
        continue;
      }
      if (!messages.length) continue;
      try {
        await invoke(messages);
      } catch (err) {
        log(`${opts.functionName}: ${describe(err)}`);
        await sleep(backoff);
      }
    }
  }

  // Like the event source mapping's maximum concurrency: that many batches in flight at once.
  const running = Promise.all(Array.from({ length: concurrency }, () => loop())).then(() => undefined);
  return {
    async stop() {
      if (stopped) return running;
      stopped = true;
      abort.abort();
      for (const wake of [...sleepers]) wake();
      await running;
    },
  };
}
