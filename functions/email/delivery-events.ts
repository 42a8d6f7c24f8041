import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { configFor } from '#shared/config';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { eachRecord } from '#shared/sqs-batch';
import { ticketStore } from '#adapters/ticket-store';
import { mailIndex } from '#adapters/mail-index';
import { deliveryHistory } from '#adapters/delivery-history';
import { noteDeliveryOutcome, recordDeliveryEvent, type DeliveryDeps } from '#app/record-delivery-event';

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
const count = (metric: string) => metrics.addMetric(metric, MetricUnit.Count, 1);

/** A failure of the store is reported back (partial batch failure) and retried, then dead-lettered; everything else is acknowledged. */
export const handler = observed(
  async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> =>
    eachRecord(event, 'Delivery event', (body) => recordDeliveryEvent(body, deps), (outcome, messageId) => noteDeliveryOutcome(outcome, messageId, count)),
);
