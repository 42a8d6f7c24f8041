import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { buckets, queues } from '../definitions/resources.ts';

/** Seconds the inbound-mail Lambda may run; the queue's visibility timeout is 6× this. */
export const inboundMailFunctionTimeoutSeconds = 30;

export interface MailResourcesProps {
  /**
   * Days raw inbound MIME (the `inbound/` prefix) is kept; absent: kept until erased.
   * Attachments and uploads live under other prefixes and never expire with it.
   */
  readonly rawMailDays?: number | undefined;
}

/**
 * Inbound mail plumbing: SES (the receipt rule in inbound-mail.ts) stores raw MIME in
 * `bucket` and notifies `topic`, which fans out to `queue` (+ `deadLetterQueue`).
 */
export class MailResources extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly topic: Topic;
  readonly topicKey: Key;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: MailResourcesProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    // Server access logs of the mail bucket (cdk-nag S1). A log target needs no log of its own.
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Server access log targets accept SSE-S3 only.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'MailBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Objects are written once under the SES message id and never overwritten; versioning
      // would only keep deleted personal data (raw mail) around after an erasure request.
      versioned: false,
      // Delivered through a bucket policy (cdk.json flag @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy), not ACLs.
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'mail-bucket/',
      // Retention of raw mail (helpdesk:rawMailRetentionDays): the ticket keeps the parsed text and the files.
      ...(props.rawMailDays !== undefined && {
        lifecycleRules: [{ id: 'ExpireRawMail', prefix: buckets.mail.prefixes.inbound, expiration: Duration.days(props.rawMailDays) }],
      }),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // A customer managed key, not alias/aws/sns: an AWS managed key's policy cannot be
    // edited, so SES (the publisher) could never use it and every notification would fail.
    this.topicKey = new Key(this, 'TopicKey', {
      description: 'Encrypts inbound-mail notifications (mail headers) at rest in SNS',
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

    this.topic = new Topic(this, 'InboundMailTopic', {
      masterKey: this.topicKey,
      enforceSSL: true,
    });

    this.deadLetterQueue = new Queue(this, 'InboundMailDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.queue = new Queue(this, 'InboundMailQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda event sources: 6× the function timeout.
      visibilityTimeout: Duration.seconds(6 * inboundMailFunctionTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: queues.inboundMail.maxReceiveCount },
    });

    // Raw delivery off: the consumer reads the SES notification inside the SNS envelope.
    this.topic.addSubscription(new SqsSubscription(this.queue, { rawMessageDelivery: false }));
  }
}
