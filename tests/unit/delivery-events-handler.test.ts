import { describe, expect, it, vi } from 'vitest';
import type { Context, SQSEvent } from 'aws-lambda';

/**
 * The SQS handler's contract with the event source mapping: a record whose
 * recording throws (a store failure) is a batch item failure, so SQS retries it
 * and then dead-letters it; every other outcome, even "ignored", is acknowledged.
 */
vi.mock('../../functions/app/record-delivery-event.ts', () => ({
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
  it('reports only the record that failed', async () => {
    const { handler } = await import('../../functions/email/delivery-events.ts');
    const out = await handler({ Records: [record('a', 'ok'), record('b', 'store-down'), record('c', 'garbage')] }, {} as Context);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });
});
