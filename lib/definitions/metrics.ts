/**
 * The custom CloudWatch metrics, shared by the functions that emit them
 * (functions/shared/observability.ts) and the stack that alarms on them
 * (lib/constructs/monitoring.ts). An alarm on a name nobody emits never fires:
 * both sides read the names from here.
 *
 * Every metric is in `namespace`, with the one dimension `service` (the
 * POWERTOOLS_SERVICE_NAME every function gets), and no other: dimensions never
 * carry personal data, and a fixed set keeps each alarm on one metric.
 */
export const metricsNamespace = 'Helpdesk';
export const serviceName = 'helpdesk';

export const metricNames = {
  /** A ticket's first lifecycle step ran (any channel): one per ticket. */
  ticketCreated: 'TicketCreated',
  /** A level's time budget ran out and the ticket moved up (or level 3 ran out). */
  slaBreached: 'SlaBreached',
  /** Inbound mail set aside unread: virus, too large, unparseable, no sender, an orphan bounce. */
  mailQuarantined: 'MailQuarantined',
  /** Triage found no department: the ticket waits in dispatch. */
  triageDispatched: 'TriageDispatched',
  surveySent: 'SurveySent',
  /** A lifecycle mail (escalation, survey, auto-resolution) failed to send. */
  lifecycleMailFailed: 'LifecycleMailFailed',
  /** Tickets the retention purge deleted (functions/maintenance/purge-closed-tickets.ts). */
  ticketsPurged: 'TicketsPurged',
} as const;

/** Inbound mail outcomes, one metric each: `Mail_<result>` (receive-mail's ReceiveOutcome). */
export const mailResults = ['created', 'appended', 'bounce', 'duplicate', 'quarantined'] as const;
export const mailResultMetric = (result: string) => `Mail_${result}`;

/** Delivery events SES reports for mail we sent (functions/email/delivery-events.ts). */
export const deliveryMetricNames = {
  bounced: 'MailBounced',
  complained: 'MailComplained',
} as const;
