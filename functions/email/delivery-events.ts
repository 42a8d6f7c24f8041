import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { configFor } from '#shared/config';
import { logger } from '#shared/logger';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { deliveryMetricNames } from '#definitions/metrics';
import { ticketStore } from '#adapters/ticket-store';
import { mailIndex } from '#adapters/mail-index';
import { deliveryHistory } from '#adapters/delivery-history';
import { recordDeliveryEvent, type DeliveryDeps, type DeliveryOutcome } from '#app/record-delivery-event';

/**
 * SQS → SES delivery events (bounce, complaint, delivery delay, reject) of mail
 * we sent, from the configuration set's event destination (SNS) → the ticket's
 * audit trail. Needs only TABLE_NAME.
 *
 * Metrics (namespace Helpdesk, dimension service): MailBounced, MailComplained,
 * MailDeliveryDelayed, MailRejected per event; DeliveryEventUnmatched for what
 * was acknowledged without effect (unreadable, unsupported, no ticket).
 */
const { tableName } = await configFor('DeliveryEvents');

const deps: DeliveryDeps = { store: ticketStore(tableName), index: mailIndex(tableName), history: deliveryHistory(tableName) };

const outcomeMetric: Record<string, string> = {
  Bounce: deliveryMetricNames.bounced,
  Complaint: deliveryMetricNames.complained,
  DeliveryDelay: 'MailDeliveryDelayed',
  Reject: 'MailRejected',
};

function count(outcome: DeliveryOutcome, sqsMessageId: string) {
  switch (outcome.result) {
    case 'recorded':
      metrics.addMetric(outcomeMetric[outcome.type]!, MetricUnit.Count, 1);
      logger.info('Delivery event recorded', { ticketId: outcome.ticketId, type: outcome.type, recipients: outcome.recorded, bounceType: outcome.bounceType });
      break;
    case 'duplicate':
      logger.info('Delivery event already recorded', { ticketId: outcome.ticketId, type: outcome.type });
      break;
    case 'noted':
      metrics.addMetric(outcomeMetric[outcome.type]!, MetricUnit.Count, 1);
      logger.info('Delivery event noted', { ticketId: outcome.ticketId, type: outcome.type });
      break;
    case 'ignored':
      // Still a bounce or complaint of ours, counted for the rates, though no ticket has the mail.
      if (outcome.reason === 'no-ticket' && outcome.eventType) metrics.addMetric(outcomeMetric[outcome.eventType]!, MetricUnit.Count, 1);
      metrics.addMetric('DeliveryEventUnmatched', MetricUnit.Count, 1);
      // The reason and type only: the body carries addresses.
      logger.warn('Delivery event acknowledged without effect', { messageId: sqsMessageId, reason: outcome.reason, eventType: outcome.eventType });
      break;
  }
}

/**
 * Each record on its own: a failure of the store is reported back (partial batch
 * failure) and retried, then dead-lettered; everything else is acknowledged.
 */
export const handler = observed(async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
  const results = await Promise.allSettled(event.Records.map((r) => recordDeliveryEvent(r.body, deps)));
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  results.forEach((r, i) => {
    const messageId = event.Records[i]!.messageId;
    if (r.status === 'fulfilled') count(r.value, messageId);
    else {
      logger.error('Delivery event failed; it will be retried', { messageId, error: (r.reason as Error).name });
      batchItemFailures.push({ itemIdentifier: messageId });
    }
  });
  return { batchItemFailures };
});
