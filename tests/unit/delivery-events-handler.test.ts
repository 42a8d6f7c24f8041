import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context, SQSEvent } from 'aws-lambda';

/**
 * The SQS handler's contract with the event source mapping: a record whose
 * recording throws (a store failure) is a batch item failure, so SQS retries it
 * and then dead-letters it; every other outcome, even "ignored", is acknowledged.
 */
vi.mock('../../functions/app/record-delivery-event.ts', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  recordDeliveryEvent: vi.fn(async (body: string) => {
    if (body === 'store-down') throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    if (body === 'garbage') return { result: 'ignored', reason: 'not-json' };
    return { result: 'recorded', type: 'Bounce', ticketId: 't1', recorded: 1, bounceType: 'permanent' };
  }),
}));

process.env.TABLE_NAME ??= 'helpdesk-test';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';

const record = (messageId: string, body: string) => ({ messageId, body }) as SQSEvent['Records'][number];

describe('delivery-events handler', () => {
  let handler: (typeof import('../../functions/email/delivery-events.ts'))['handler'];
  // Loading the handler (the SDK, its configuration) takes seconds on a busy machine: outside the test's time limit.
  beforeAll(async () => {
    ({ handler } = await import('../../functions/email/delivery-events.ts'));
  }, 120_000);

  it('reports only the record that failed', async () => {
    const out = await handler({ Records: [record('a', 'ok'), record('b', 'store-down'), record('c', 'garbage')] }, {} as Context);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });
});

describe('what a delivery outcome counts', () => {
  it('one metric per recorded or noted event, none for a duplicate; an unmatched bounce still counts as a bounce', async () => {
    const { noteDeliveryOutcome } = await import('../../functions/app/record-delivery-event.ts');
    const counted: string[] = [];
    const count = (m: string) => void counted.push(m);
    noteDeliveryOutcome({ result: 'recorded', type: 'Bounce', ticketId: 't1', recorded: 1 }, 'a', count);
    noteDeliveryOutcome({ result: 'duplicate', type: 'Complaint', ticketId: 't1' }, 'b', count);
    noteDeliveryOutcome({ result: 'noted', type: 'DeliveryDelay', ticketId: null }, 'c', count);
    noteDeliveryOutcome({ result: 'ignored', reason: 'no-ticket', eventType: 'Complaint' }, 'd', count);
    noteDeliveryOutcome({ result: 'ignored', reason: 'not-json' }, 'e', count);
    expect(counted).toEqual(['MailBounced', 'MailDeliveryDelayed', 'MailComplained', 'DeliveryEventUnmatched', 'DeliveryEventUnmatched']);
  });
});
