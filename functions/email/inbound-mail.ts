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
import { receiveMail, type ReceiveDeps } from '#app/receive-mail';
import { triageModelFor } from '#app/triage-model-in-use';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { eachRecord } from '#shared/sqs-batch';
import { mailResultMetric, metricNames } from '#definitions/metrics';

const config = await configFor('InboundMail');
// Inbound mail exists only where mail is on: a support domain receives it.
if (!config.mail) throw new Error('InboundMail cannot start: MAIL_ENABLED is "false", and inbound mail needs mail on');
/** SES's S3 action takes mail up to 40 MB. */
const MAX_MAIL_BYTES = 40 * 1024 * 1024;
const objects = mailObjects(config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });
const deps: ReceiveDeps = {
  store: ticketStore(config.tableName),
  knownDepartment: departmentStore(config.tableName).knownDepartment,
  triageModel: triageModelFor(config),
  index: mailIndex(config.tableName),
  getRaw: (bucket, key) => objects.getRaw(bucket, key, MAX_MAIL_BYTES),
  putAttachment: objects.putAttachment,
  send: mailer(undefined, config.mail.configurationSet).send,
  // Acknowledgements per recipient address and per recipient domain an hour: config/policy.json `acknowledgements`.
  config: { ...config.mail, deskName: config.deskName, publicUrl: config.publicUrl, autoReplyCap: policy.acknowledgements.perAddressPerHour, autoReplyDomainCap: policy.acknowledgements.perDomainPerHour },
  policy,
  lifecycle: lifecycleFor(config),
  onQuarantine: (reason) => (metrics.addMetric(metricNames.mailQuarantined, MetricUnit.Count, 1), logger.warn('Mail quarantined', { reason })),
};

/**
 * SQS → inbound mail (functions/app/receive-mail.ts). Each record is handled on
 * its own: one that fails for a passing reason is reported back (partial batch
 * failure) and retried, then dead-lettered; the rest of the batch is not held up by it.
 */
export const handler = observed(
  async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> =>
    eachRecord(event, 'Inbound mail', (body) => receiveMail(body, deps), (outcome) => metrics.addMetric(mailResultMetric(outcome.result), MetricUnit.Count, 1)),
);
