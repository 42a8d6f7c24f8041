import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { ConfigurationSetEventDestination, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queues } from '../definitions/resources.ts';
import { ApiFunction } from './api-function.ts';
import { SesTopicToQueue } from './ses-topic-to-queue.ts';
import type { OutboundMail } from './outbound-mail.ts';

/** Seconds the delivery-events function may run; the queue's visibility timeout is 6× this. */
export const deliveryEventsFunctionTimeoutSeconds = 30;

/** The SES events recorded on tickets (bounce, complaint) or counted (delivery delay, reject). */
export const deliveryEventTypes = [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY_DELAY, EmailSendingEvent.REJECT];

/**
 * The DynamoDB actions functions/email/delivery-events.ts uses, on the table only (no index):
 * BatchGetItem (mail index lookup), PutItem (claim), UpdateItem (claim release, the address's
 * bounce and complaint record) and GetItem, UpdateItem (the ticket's version) and PutItem inside
 * a TransactWriteItems (audit event).
 */
export const deliveryEventsTableActions = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

export interface DeliveryEventsProps {
  readonly outbound: OutboundMail;
  readonly table: ITable;
}

/**
 * SES event publishing for the mail we send: the configuration set's event
 * destination → SNS (customer managed key SES may use) → SQS (+DLQ) → the
 * delivery-events Lambda, which records bounces and complaints on the ticket.
 */
export class DeliveryEvents extends Construct {
  readonly topicKey: Key;
  readonly topic: Topic;
  readonly queue: Queue;
  /** Events the function failed on five times; alarmed on like every DLQ. */
  readonly deadLetterQueue: Queue;
  readonly destination: ConfigurationSetEventDestination;
  readonly handler: ApiFunction;

  constructor(scope: Construct, id: string, props: DeliveryEventsProps) {
    super(scope, id);

    const events = new SesTopicToQueue(this, 'Events', {
      carries: 'SES delivery events (bounces, complaints)',
      consumerTimeoutSeconds: deliveryEventsFunctionTimeoutSeconds,
      maxReceiveCount: queues.deliveryEvents.maxReceiveCount,
    });
    this.topicKey = events.topicKey;
    this.topic = events.topic;
    this.queue = events.queue;
    this.deadLetterQueue = events.deadLetterQueue;

    // The L2 also gives SES sns:Publish on the topic, conditioned on this account and configuration set.
    this.destination = props.outbound.configurationSet.addEventDestination('DeliveryEvents', {
      destination: EventDestination.snsTopic(this.topic),
      events: deliveryEventTypes,
      enabled: true,
    });
    // SES checks it may use the key when the destination is created.
    this.destination.node.addDependency(this.topicKey);

    this.handler = new ApiFunction(this, 'Handler', {
      entry: 'email/delivery-events.ts',
      description: 'SES delivery events (bounce, complaint) from SQS onto the ticket',
      timeout: Duration.seconds(deliveryEventsFunctionTimeoutSeconds),
      memorySize: 256,
      environment: { TABLE_NAME: props.table.tableName },
    });
    this.handler.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // A bounce storm must not eat the account's Lambda concurrency or the table's capacity.
        maxConcurrency: 2,
      }),
    );
    // The table itself, no index: every access is by key.
    this.handler.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...deliveryEventsTableActions], resources: [props.table.tableArn] }));
  }
}
