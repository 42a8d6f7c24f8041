import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { configFor, runtime } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { logger } from '#shared/logger';
import { ticketStore } from '#adapters/ticket-store';
import { departmentStore } from '#adapters/department-store';
import { mailIndex } from '#adapters/mail-index';
import { mailObjects } from '#adapters/mail-objects';
import { mailer } from '#adapters/mailer';
import { triageModelStore } from '#adapters/triage-model-store';
import { receiveMail, type ReceiveDeps } from '#app/receive-mail';
import { triageModelLoader } from '#app/triage-model-loader';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { mailResultMetric, metricNames } from '#definitions/metrics';

const config = await configFor('InboundMail');
// Inbound mail exists only where mail is on: a support domain receives it.
if (!config.mail) throw new Error('InboundMail cannot start: MAIL_ENABLED is "false", and inbound mail needs mail on');
/** SES's S3 action takes mail up to 40 MB. */
const MAX_MAIL_BYTES = 40 * 1024 * 1024;
const mailConfig = {
  ...config.mail,
  deskName: config.deskName,
  publicUrl: config.publicUrl,
  /** Acknowledgements per recipient address and per recipient domain per hour: config/policy.json `acknowledgements`. */
  autoReplyCap: policy.acknowledgements.perAddressPerHour,
  autoReplyDomainCap: policy.acknowledgements.perDomainPerHour,
};
const lifecycle = lifecycleFor(config);
const objects = mailObjects(config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });
const outbound = mailer(undefined, mailConfig.configurationSet);

const deps: ReceiveDeps = {
  store: ticketStore(config.tableName),
  knownDepartment: departmentStore(config.tableName).knownDepartment,
  triageModel: triageModelLoader(triageModelStore(config.tableName, config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle }), { log: logger }),
  index: mailIndex(config.tableName),
  getRaw: (bucket, key) => objects.getRaw(bucket, key, MAX_MAIL_BYTES),
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
