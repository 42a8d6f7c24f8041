import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { inboundMailTimeoutSeconds } from '../definitions/functions.ts';
import { buckets, queues } from '../definitions/resources.ts';
import { SesTopicToQueue } from './ses-topic-to-queue.ts';

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

    // SES notifies the topic of each stored mail; the inbound function reads the queue.
    const notifications = new SesTopicToQueue(this, 'InboundMail', {
      carries: 'inbound-mail notifications (mail headers)',
      consumerTimeoutSeconds: inboundMailTimeoutSeconds,
      maxReceiveCount: queues.inboundMail.maxReceiveCount,
    });
    this.topicKey = notifications.topicKey;
    this.topic = notifications.topic;
    this.queue = notifications.queue;
    this.deadLetterQueue = notifications.deadLetterQueue;
  }
}
