/**
 * The local Lambda SQS event source mapping against a real fauxqs: event shape,
 * deletion of what succeeded only, redelivery of partial batch failures, and the
 * queue's own redrive to the DLQ.
 */
import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FauxqsServer } from 'fauxqs';
import { queues } from '../../lib/definitions/resources.ts';
import { localCredentials, REGION, startMessaging } from '../../local/services.ts';
import { startSqsPoller, succeededRecords, type SqsPoller } from '../../local/sqs-poller.ts';

let fauxqs: FauxqsServer;
let sqs: SQSClient;
let pollers: SqsPoller[] = [];
let n = 0;

beforeAll(async () => {
  fauxqs = (await startMessaging(0)).server;
  sqs = new SQSClient({ endpoint: `http://127.0.0.1:${fauxqs.port}`, region: REGION, credentials: localCredentials });
});

afterEach(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  pollers = [];
});

afterAll(async () => {
  sqs?.destroy();
  await fauxqs?.stop();
});

/** A fresh queue pair with a short visibility timeout, redriving like the stack's inbound queue. */
function queuePair(visibilitySeconds = 1, maxReceiveCount: number = queues.inboundMail.maxReceiveCount) {
  const name = `poller-test-${++n}`;
  const dlq = fauxqs.createQueue(`${name}-dlq`, { region: REGION });
  const q = fauxqs.createQueue(name, {
    region: REGION,
    attributes: { VisibilityTimeout: String(visibilitySeconds), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount }) },
  });
  return { ...q, dlq };
}

function counts(name: string) {
  const q = fauxqs.inspectQueue(name)!;
  return { ready: q.messages.ready.length, inflight: q.messages.inflight.length, delayed: q.messages.delayed.length };
}

async function until(cond: () => boolean, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

function poll(q: { queueUrl: string; queueArn: string }, handler: Handler, extra: { visibilityTimeoutSeconds?: number; batchSize?: number; concurrency?: number } = {}) {
  const logs: string[] = [];
  const p = startSqsPoller({ sqs, queueUrl: q.queueUrl, queueArn: q.queueArn, batchSize: extra.batchSize ?? 10, handler, functionName: 'inbound-mail', log: (l) => logs.push(l), ...extra });
  pollers.push(p);
  return { poller: p, logs };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('SQS poller (Lambda event source mapping stand-in)', () => {
  it('builds the SQS event Lambda builds and deletes the messages that succeeded', async () => {
    const q = queuePair();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q.queueUrl,
        MessageBody: '{"hello":"world"}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) } },
      }),
    );
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: [1, 2].map((i) => ({ Id: String(i), MessageBody: `m${i}` })) }));
    const records: SQSRecord[] = [];
    const contexts: Context[] = [];
    poll(q, async (event, context) => {
      records.push(...event.Records);
      contexts.push(context);
    });
    await until(() => records.length === 3, 'three records');
    await until(() => counts(q.queueName).inflight === 0, 'deletion');
    expect(counts(q.queueName)).toEqual({ ready: 0, inflight: 0, delayed: 0 });

    const first = records.find((r) => r.body === '{"hello":"world"}')!;
    expect(first).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: q.queueArn,
      awsRegion: REGION,
      md5OfBody: md5('{"hello":"world"}'),
      messageAttributes: {
        kind: { stringValue: 'greeting', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: Buffer.from([1, 2, 3]).toString('base64'), dataType: 'Binary' },
      },
    });
    expect(first.messageId).toMatch(/\S/);
    expect(first.receiptHandle).toMatch(/\S/);
    expect(first.attributes.ApproximateReceiveCount).toBe('1');
    expect(first.attributes.SenderId).toMatch(/\S/);
    expect(Number(first.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(first.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(first.attributes.SentTimestamp));
    const plain = records.find((r) => r.body === 'm1')!;
    expect(plain.messageAttributes).toEqual({});
    expect(plain.md5OfBody).toBe(md5('m1'));

    const ctx = contexts[0]!;
    expect(ctx.functionName).toBe('inbound-mail');
    expect(ctx.invokedFunctionArn).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:inbound-mail$/);
    expect(ctx.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('leaves batchItemFailures in the queue; they come back after the visibility timeout with ApproximateReceiveCount 2', async () => {
    const q = queuePair(1);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: ['ok-1', 'fail-me', 'ok-2'].map((b, i) => ({ Id: String(i), MessageBody: b })) }));
    const deliveries: { body: string; count: string; at: number }[] = [];
    let failedOnce = false;
    poll(q, async (event) => {
      for (const r of event.Records) deliveries.push({ body: r.body, count: r.attributes.ApproximateReceiveCount, at: Date.now() });
      const bad = event.Records.find((r) => r.body === 'fail-me' && !failedOnce);
      if (bad) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: bad.messageId }] };
      }
      return { batchItemFailures: [] };
    });
    await until(() => deliveries.length === 4, 'the redelivery');
    const again = deliveries.filter((d) => d.body === 'fail-me');
    expect(again.map((d) => d.count)).toEqual(['1', '2']);
    expect(again[1]!.at - again[0]!.at).toBeGreaterThanOrEqual(900);
    expect(deliveries.filter((d) => d.body !== 'fail-me').map((d) => d.count)).toEqual(['1', '1']);
    await until(() => counts(q.queueName).inflight === 0, 'deletion');
    expect(counts(q.queueName)).toEqual({ ready: 0, inflight: 0, delayed: 0 });
  });

  it('deletes nothing when the handler throws, and the whole batch is retried', async () => {
    const q = queuePair(1);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: ['a', 'b', 'c'].map((b, i) => ({ Id: String(i), MessageBody: b })) }));
    const calls: { bodies: string[]; counts: string[] }[] = [];
    const { logs } = poll(q, async (event) => {
      calls.push({ bodies: event.Records.map((r) => r.body).sort(), counts: event.Records.map((r) => r.attributes.ApproximateReceiveCount) });
      if (calls.length === 1) throw new Error('database unavailable');
    });
    await until(() => calls.length === 1, 'the first invocation');
    expect(calls[0]!.bodies).toEqual(['a', 'b', 'c']);
    // Still in the queue, invisible until the timeout.
    await until(() => logs.some((l) => l.includes('failed')), 'the failure log');
    expect(counts(q.queueName)).toEqual({ ready: 0, inflight: 3, delayed: 0 });
    await until(() => calls.flatMap((c) => c.bodies).length === 6, 'the retry');
    expect(calls.slice(1).flatMap((c) => c.counts)).toEqual(['2', '2', '2']);
    await until(() => counts(q.queueName).inflight === 0, 'deletion');
    expect(counts(q.queueName)).toEqual({ ready: 0, inflight: 0, delayed: 0 });
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch, as Lambda does', async () => {
    const q = queuePair(1);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: ['x', 'y'].map((b, i) => ({ Id: String(i), MessageBody: b })) }));
    let calls = 0;
    poll(q, async () => {
      calls++;
      return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
    });
    await until(() => calls >= 1, 'an invocation');
    await new Promise((r) => setTimeout(r, 200));
    expect(counts(q.queueName).inflight).toBe(2);

    const recs = [{ messageId: 'a' }, { messageId: 'b' }] as SQSRecord[];
    expect(succeededRecords(recs, { result: undefined })).toEqual(recs);
    expect(succeededRecords(recs, { result: { batchItemFailures: [] } })).toEqual(recs);
    expect(succeededRecords(recs, { result: { batchItemFailures: [{ itemIdentifier: 'b' }] } })).toEqual([recs[0]]);
    expect(succeededRecords(recs, { result: { batchItemFailures: [{ itemIdentifier: '' }] } })).toEqual([]);
    expect(succeededRecords(recs, { error: new Error('x') })).toEqual([]);
  });

  it(`moves a message that keeps failing to the DLQ after maxReceiveCount (${queues.inboundMail.maxReceiveCount}) receives`, async () => {
    const q = queuePair(1);
    await sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: 'poison' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: 'fine' }));
    const seen: string[] = [];
    poll(q, async (event) => {
      for (const r of event.Records) seen.push(`${r.body}#${r.attributes.ApproximateReceiveCount}`);
      return { batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
    });
    const max = queues.inboundMail.maxReceiveCount;
    await until(() => (fauxqs.inspectQueue(q.dlq.queueName)?.messages.ready.length ?? 0) === 1, 'the DLQ', 30_000);
    const dead = fauxqs.inspectQueue(q.dlq.queueName)!.messages.ready[0]!;
    expect(dead.body).toBe('poison');
    expect(seen.filter((s) => s.startsWith('poison'))).toEqual(Array.from({ length: max }, (_, i) => `poison#${i + 1}`));
    expect(seen.filter((s) => s.startsWith('fine'))).toEqual(['fine#1']);
    expect(counts(q.queueName)).toEqual({ ready: 0, inflight: 0, delayed: 0 });
  }, 60_000);

  it('honours visibilityTimeoutSeconds over the queue attribute', async () => {
    const q = queuePair(180);
    await sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: 'again' }));
    const counts2: string[] = [];
    poll(
      q,
      async (event) => {
        counts2.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
        if (counts2.length === 1) throw new Error('transient');
      },
      { visibilityTimeoutSeconds: 1 },
    );
    await until(() => counts2.length === 2, 'redelivery within seconds, not 180 s');
    expect(counts2).toEqual(['1', '2']);
  });

  it('runs up to `concurrency` batches at once, each processed exactly once, and still stops promptly', async () => {
    const q = queuePair(30);
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    const { poller } = poll(
      q,
      async (event) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 200));
        seen.push(...event.Records.map((r) => r.body));
        inFlight--;
      },
      { batchSize: 2, concurrency: 3 },
    );
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })) }));
    await until(() => seen.length === 10, 'all ten', 10_000);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
    expect(new Set(seen).size).toBe(10);
    const t = Date.now();
    await poller.stop();
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  it('stops promptly while a long poll is waiting, and polls again at once after a batch', async () => {
    const q = queuePair();
    const bodies: string[] = [];
    const { poller } = poll(q, async (event) => void bodies.push(...event.Records.map((r) => r.body)), { batchSize: 2 });
    await new Promise((r) => setTimeout(r, 300));
    // Five messages in batches of two: three invocations back to back, no 20 s wait between them.
    const started = Date.now();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: [1, 2, 3, 4, 5].map((i) => ({ Id: String(i), MessageBody: `b${i}` })) }));
    await until(() => bodies.length === 5, 'all five', 5_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    await poller.stop();
    expect(Date.now() - t).toBeLessThan(1_000);
    // Nothing is received after stop().
    await sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: 'late' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(bodies).not.toContain('late');
    // Still in the queue. fauxqs (like SQS) finishes the abandoned long poll server-side and may
    // hand 'late' to the closed connection, so it can be in flight until its visibility timeout.
    const c = counts(q.queueName);
    expect(c.ready + c.inflight).toBe(1);
  });
});
