/**
 * The local Lambda SQS event source mapping against a real fauxqs: event shape,
 * deletion of what succeeded only, redelivery of partial batch failures, and the
 * queue's own redrive to the DLQ.
 */
import { createHash } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
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

/** Waits for a state; the generous deadline only catches a state never reached (not a speed check). */
async function until(cond: () => boolean, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/**
 * The shared client, recording how each long poll (ReceiveMessage, 20 s) the poller
 * makes ends: with messages, empty (it ran out), aborted (by stop()), or still waiting.
 * How promptly the poller stops is shown by these outcomes, not by a clock.
 */
function recordingClient() {
  const receives: ('waiting' | 'messages' | 'empty' | 'aborted' | 'failed')[] = [];
  const client = {
    send: async (command: any, options?: any) => {
      if (!(command instanceof ReceiveMessageCommand)) return sqs.send(command, options);
      const i = receives.push('waiting') - 1;
      try {
        const res = await sqs.send(command, options);
        receives[i] = res.Messages?.length ? 'messages' : 'empty';
        return res;
      } catch (err) {
        receives[i] = (err as Error).name === 'AbortError' ? 'aborted' : 'failed';
        throw err;
      }
    },
  } as unknown as SQSClient;
  const count = (outcome: (typeof receives)[number]) => receives.filter((r) => r === outcome).length;
  return { client, receives, count };
}

function poll(
  q: { queueUrl: string; queueArn: string },
  handler: Handler,
  extra: { visibilityTimeoutSeconds?: number; batchSize?: number; concurrency?: number; sqs?: SQSClient; onDeleted?: (records: SQSRecord[]) => void } = {},
) {
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
    const q = queuePair(2);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: ['ok-1', 'fail-me', 'ok-2'].map((b, i) => ({ Id: String(i), MessageBody: b })) }));
    const deliveries: { body: string; count: string }[] = [];
    let failedOnce = false;
    // Once the first batch's successes are deleted, the failed message is still hidden (in flight until its
    // visibility timeout), not handed out again at once.
    const afterFirstBatch: { inflight: number; ready: number; failMeDeliveries: number }[] = [];
    const onDeleted = () => {
      if (afterFirstBatch.length === 0) afterFirstBatch.push({ ...counts(q.queueName), failMeDeliveries: deliveries.filter((d) => d.body === 'fail-me').length });
    };
    poll(q, async (event) => {
      for (const r of event.Records) deliveries.push({ body: r.body, count: r.attributes.ApproximateReceiveCount });
      const bad = event.Records.find((r) => r.body === 'fail-me' && !failedOnce);
      if (bad) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: bad.messageId }] };
      }
      return { batchItemFailures: [] };
    }, { onDeleted });
    await until(() => deliveries.length === 4, 'the redelivery');
    const again = deliveries.filter((d) => d.body === 'fail-me');
    expect(again.map((d) => d.count)).toEqual(['1', '2']);
    expect(afterFirstBatch[0]).toMatchObject({ ready: 0, inflight: 1, failMeDeliveries: 1 });
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
    const rec = recordingClient();
    const { poller } = poll(
      q,
      async (event) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 200));
        seen.push(...event.Records.map((r) => r.body));
        inFlight--;
      },
      { batchSize: 2, concurrency: 3, sqs: rec.client },
    );
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })) }));
    await until(() => seen.length === 10, 'all ten');
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
    expect(new Set(seen).size).toBe(10);
    // All three loops back in a 20 s long poll on the empty queue: stop() aborts them rather than waiting them out.
    await until(() => rec.count('waiting') === 3, 'three long polls waiting');
    await poller.stop();
    expect(rec.count('waiting')).toBe(0);
    expect(rec.count('aborted')).toBe(3);
    expect(rec.count('empty')).toBe(0);
  });

  it('stops by aborting a long poll that is waiting, and polls again right after each batch', async () => {
    const q = queuePair();
    const bodies: string[] = [];
    const rec = recordingClient();
    const { poller } = poll(q, async (event) => void bodies.push(...event.Records.map((r) => r.body)), { batchSize: 2, sqs: rec.client });
    await until(() => rec.count('waiting') === 1, 'the first long poll');
    // Five messages in batches of at most two: the long polls that follow each batch bring the rest, and
    // none of them runs out empty in between (a poller that idled between batches would wait one out).
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries: [1, 2, 3, 4, 5].map((i) => ({ Id: String(i), MessageBody: `b${i}` })) }));
    await until(() => bodies.length === 5, 'all five');
    expect(rec.count('messages')).toBeGreaterThanOrEqual(3);
    expect(rec.count('empty')).toBe(0);
    await until(() => rec.count('waiting') === 1, 'the next long poll');
    await poller.stop();
    expect(rec.receives.at(-1)).toBe('aborted');
    expect(rec.count('empty')).toBe(0);
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
