import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from './logger.ts';

/**
 * What every SQS handler shares with its event source mapping: each record is
 * handled on its own, and one that throws (a passing fault: the store, S3) is
 * reported back as a partial batch failure, so SQS retries it and then
 * dead-letters it while the rest of the batch is acknowledged. Powertools'
 * batch processor is not used: see "Design decisions" in docs/architecture.md.
 */
export async function eachRecord<T>(
  event: SQSEvent,
  /** What the records are, for the log: "Inbound mail", "Delivery event". */
  what: string,
  handle: (body: string) => Promise<T>,
  done: (value: T, messageId: string) => void,
): Promise<SQSBatchResponse> {
  const results = await Promise.allSettled(event.Records.map((r) => handle(r.body)));
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  results.forEach((r, i) => {
    const messageId = event.Records[i]!.messageId;
    if (r.status === 'fulfilled') done(r.value, messageId);
    else {
      // The error's name, not its message nor the record: addresses and bodies stay out of the logs.
      logger.error(`${what} failed; it will be retried`, { messageId, error: (r.reason as Error).name });
      batchItemFailures.push({ itemIdentifier: messageId });
    }
  });
  return { batchItemFailures };
}
