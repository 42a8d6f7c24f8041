import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mailConfig } from '#shared/mail-config';
import { policy } from '#shared/policy';
import { lifecycle } from '#shared/lifecycle';
import { logger } from '#shared/logger';
import { ticketStore } from '#adapters/ticket-store';
import { mailIndex } from '#adapters/mail-index';
import { mailObjects } from '#adapters/mail-objects';
import { mailer } from '#adapters/mailer';
import { receiveMail, type ReceiveDeps } from './receive-mail.ts';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { mailResultMetric, metricNames } from '#definitions/metrics';

const objects = mailObjects(mailConfig.mailBucket);
const outbound = mailer(undefined, mailConfig.configurationSet);

const deps: ReceiveDeps = {
  store: ticketStore(mailConfig.tableName),
  index: mailIndex(mailConfig.tableName),
  getRaw: (bucket, key) => objects.getRaw(bucket, key, mailConfig.maxMailBytes),
  putAttachment: objects.putAttachment,
  send: outbound.send,
  config: mailConfig,
  policy,
  lifecycle,
  onQuarantine: (reason) => {
    metrics.addMetric(metricNames.mailQuarantined, MetricUnit.Count, 1);
    logger.warn('Mail quarantined', { reason });
  },
};

/**
 * SQS → inbound mail. Each record is handled on its own: one that fails for a
 * passing reason is reported back (partial batch failure) and retried, then
 * dead-lettered; the rest of the batch is not held up by it.
 */
export const handler = observed(async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
  const results = await Promise.allSettled(event.Records.map((r) => receiveMail(r.body, deps)));
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      metrics.addMetric(mailResultMetric(r.value.result), MetricUnit.Count, 1);
    } else {
      // The error, not the mail: addresses and bodies stay out of the logs.
      logger.error('Inbound mail failed; it will be retried', { messageId: event.Records[i]!.messageId, error: (r.reason as Error).name });
      batchItemFailures.push({ itemIdentifier: event.Records[i]!.messageId });
    }
  });
  return { batchItemFailures };
});
