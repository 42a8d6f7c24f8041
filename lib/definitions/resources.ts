/**
 * Table, queue and bucket definitions shared by the CDK stack and local mode.
 * Local mode creates exactly these in DynamoDB Local and the SQS/S3 emulator.
 */
export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const table = {
  /** Base name; the stack lets CloudFormation name it, local mode uses this. */
  localName: 'helpdesk',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item after this time. */
  ttlAttribute: 'expiresAt',
  /**
   * Query indexes. All project every attribute, so a queue page is one Query.
   * The key values are composed in functions/adapters/keys.ts.
   */
  indexes: [
    /** A department's queue at one level and status, by priority then due time. */
    { indexName: 'queue', partitionKey: 'queuePk', sortKey: 'rankSk' },
    /** Every department at one status, by priority then due time. */
    { indexName: 'status', partitionKey: 'statusPk', sortKey: 'rankSk' },
    /** One assignee (or the unassigned pool) at one status, by priority then due time. */
    { indexName: 'assignee', partitionKey: 'assigneePk', sortKey: 'rankSk' },
    /** One requester at one status, by priority then due time. */
    { indexName: 'requester', partitionKey: 'requesterPk', sortKey: 'rankSk' },
    /** One requester's whole history, newest first. */
    { indexName: 'history', partitionKey: 'historyPk', sortKey: 'createdSk' },
    /** Human ticket number → ticket, for `[#1234]` in mail subjects. */
    { indexName: 'number', partitionKey: 'numberPk', sortKey: 'sk' },
  ] satisfies IndexDefinition[],
} as const;

/** Queues: inbound mail arrives through these (SES → S3 + SNS → SQS). */
export const queues = {
  inboundMail: { localName: 'helpdesk-inbound-mail', maxReceiveCount: 5 },
  inboundMailDlq: { localName: 'helpdesk-inbound-mail-dlq' },
  /** SES delivery events (bounce, complaint…) of mail we sent: configuration set → SNS → SQS. */
  deliveryEvents: { localName: 'helpdesk-delivery-events', maxReceiveCount: 5 },
  deliveryEventsDlq: { localName: 'helpdesk-delivery-events-dlq' },
} as const;

export const topics = {
  inboundMail: { localName: 'helpdesk-inbound-mail' },
  deliveryEvents: { localName: 'helpdesk-delivery-events' },
} as const;

export const buckets = {
  /** Raw MIME of every inbound mail, and attachments. */
  mail: {
    localName: 'helpdesk-mail',
    /** Key prefixes: SES's raw MIME, files from customers' mail, files agents upload, the triage models trained (their vocabulary holds only words seen in two tickets or more). */
    prefixes: { inbound: 'inbound/', attachments: 'attachments/', uploads: 'uploads/', models: 'models/triage/' },
  },
} as const;
