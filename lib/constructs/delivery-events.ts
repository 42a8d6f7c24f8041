import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { ConfigurationSetEventDestination, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queues } from '../definitions/resources.ts';
import { ApiFunction } from './api-function.ts';
import type { OutboundMail } from './outbound-mail.ts';

/** Seconds the delivery-events function may run; the queue's visibility timeout is 6× this. */
export const deliveryEventsFunctionTimeoutSeconds = 30;

/** The SES events recorded on tickets (bounce, complaint) or counted (delivery delay, reject). */
export const deliveryEventTypes = [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY_DELAY, EmailSendingEvent.REJECT];

/**
 * The DynamoDB actions functions/email/delivery-events.ts uses, on the table only (no index):
 * BatchGetItem (mail index lookup), PutItem (claim), UpdateItem (claim release) and GetItem,
 * UpdateItem + PutItem inside the ticket's TransactWriteItems (ticket, audit event).
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
    const stack = Stack.of(this);

    // A customer managed key: an AWS managed key's policy cannot let SES (the publisher) use it.
    this.topicKey = new Key(this, 'TopicKey', {
      description: 'Encrypts SES delivery events (bounces, complaints) at rest in SNS',
      enableKeyRotation: true,
      // Only transient SNS messages are encrypted with it: nothing to lose on delete.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesToPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.topic = new Topic(this, 'Topic', { masterKey: this.topicKey, enforceSSL: true });

    this.deadLetterQueue = new Queue(this, 'Dlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda event sources: 6× the function timeout.
      visibilityTimeout: Duration.seconds(6 * deliveryEventsFunctionTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: queues.deliveryEvents.maxReceiveCount },
    });
    // Raw delivery off: the consumer reads the SES event inside the SNS envelope (its MessageId included).
    this.topic.addSubscription(new SqsSubscription(this.queue, { rawMessageDelivery: false }));

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
