import type { Key } from 'aws-cdk-lib/aws-kms';
import { ConfigurationSetEventDestination, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deliveryEventsTimeoutSeconds } from '../definitions/functions.ts';
import { queues } from '../definitions/resources.ts';
import { SesTopicToQueue } from './ses-topic-to-queue.ts';
import type { OutboundMail } from './outbound-mail.ts';

/** The SES events recorded on tickets (bounce, complaint) or counted (delivery delay, reject). */
export const deliveryEventTypes = [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY_DELAY, EmailSendingEvent.REJECT];

export interface DeliveryEventsProps {
  readonly outbound: OutboundMail;
}

/**
 * SES event publishing for the mail we send: the configuration set's event
 * destination → SNS (customer managed key SES may use) → SQS (+DLQ) → the
 * delivery-events Lambda (the manifest's DeliveryEvents, reading `queue`), which
 * records bounces and complaints on the ticket.
 */
export class DeliveryEvents extends Construct {
  readonly topicKey: Key;
  readonly topic: Topic;
  readonly queue: Queue;
  /** Events the function failed on five times; alarmed on like every DLQ. */
  readonly deadLetterQueue: Queue;
  readonly destination: ConfigurationSetEventDestination;

  constructor(scope: Construct, id: string, props: DeliveryEventsProps) {
    super(scope, id);

    const events = new SesTopicToQueue(this, 'Events', {
      carries: 'SES delivery events (bounces, complaints)',
      consumerTimeoutSeconds: deliveryEventsTimeoutSeconds,
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
  }
}
