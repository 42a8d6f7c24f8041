import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface SesTopicToQueueProps {
  /** What the topic carries, for its key's description ("inbound-mail notifications (mail headers)"). */
  readonly carries: string;
  /** Seconds the consuming Lambda may run: the queue's visibility timeout is 6× this (AWS guidance for event sources). */
  readonly consumerTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/**
 * What SES publishes to, delivered to a Lambda: an SNS topic encrypted with a customer managed
 * key SES may use (an AWS managed key's policy cannot be edited, so SES could never publish),
 * subscribed by an SQS queue with a dead-letter queue; all encrypted and TLS-only. The
 * subscription keeps the SNS envelope (raw delivery off): consumers read its MessageId.
 */
export class SesTopicToQueue extends Construct {
  readonly topicKey: Key;
  readonly topic: Topic;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SesTopicToQueueProps) {
    super(scope, id);

    this.topicKey = new Key(this, 'TopicKey', {
      description: `Encrypts ${props.carries} at rest in SNS`,
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
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
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
      visibilityTimeout: Duration.seconds(6 * props.consumerTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
    this.topic.addSubscription(new SqsSubscription(this.queue, { rawMessageDelivery: false }));
  }
}
