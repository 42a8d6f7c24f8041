/**
 * Local stand-in for SES event publishing, driven by SES's own mailbox simulator
 * addresses: when the local SES accepts a mail for bounce@simulator.amazonses.com
 * or complaint@simulator.amazonses.com (labels allowed: bounce+anything@…), the
 * event SES would publish to the configuration set's SNS destination (the real
 * JSON shape) goes to a local topic → queue (+DLQ) → the same delivery-events
 * handler as in AWS, through the SQS poller. Other recipients get no event, as
 * success@ and real mailboxes produce none we subscribe to.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';
import { queues, topics } from '../lib/definitions/resources.ts';
import { startSqsPoller, type SqsPoller } from './sqs-poller.ts';
import { provisionTopicToQueue, REGION } from './services.ts';

const ACCOUNT = '000000000000';
const SIMULATOR = /^(bounce|complaint)(?:\+[^@\s]*)?@simulator\.amazonses\.com$/i;

/** The delivery-events topic, queue and DLQ, as the stack builds them. */
export function provisionDeliveryEvents(server: FauxqsServer): { topicArn: string; queueUrl: string; queueArn: string; dlqUrl: string } {
  return provisionTopicToQueue(server, { topic: topics.deliveryEvents, queue: queues.deliveryEvents, dlq: queues.deliveryEventsDlq });
}

/** A mail as the local SES keeps it (`GET /store`). */
export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  at: number;
}

/** Every address in header-style lists (`Name <a@b>, c@d`). */
export function addressesIn(lists: string[]): string[] {
  return lists.flatMap((l) => [...l.matchAll(/[^\s<>,;"']+@[^\s<>,;"']+/g)].map((m) => m[0].toLowerCase()));
}

/** SES feedback ids look like `<hex>-<uuid>-000000`. */
const feedbackId = () => `${randomBytes(8).toString('hex')}-${randomUUID()}-000000`;

/**
 * The SES event (the SNS Message) for one simulator mail, shaped as the SES
 * developer guide's examples of event data published to Amazon SNS.
 */
export function buildSesEvent(
  kind: 'Bounce' | 'Complaint',
  input: { messageId: string; from: string; destination: string[]; recipients: string[]; subject: string; sentAt: Date; at?: Date; feedbackId?: string; configurationSet?: string },
): Record<string, unknown> {
  const at = (input.at ?? new Date()).toISOString();
  const mail = {
    timestamp: input.sentAt.toISOString(),
    source: input.from,
    sourceArn: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${input.from.replace(/^.*@/, '').replace(/>.*$/, '')}`,
    sendingAccountId: ACCOUNT,
    messageId: input.messageId,
    destination: input.destination,
    headersTruncated: false,
    headers: [
      { name: 'From', value: input.from },
      { name: 'To', value: input.destination.join(', ') },
      { name: 'Subject', value: input.subject },
    ],
    commonHeaders: { from: [input.from], to: input.destination, messageId: input.messageId, subject: input.subject },
    tags: { 'ses:configuration-set': [input.configurationSet ?? 'helpdesk-local'], 'ses:source-ip': ['127.0.0.1'], 'ses:from-domain': [input.from.replace(/^.*@/, '').replace(/>.*$/, '')] },
  };
  const id = input.feedbackId ?? feedbackId();
  if (kind === 'Bounce') {
    return {
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: input.recipients.map((emailAddress) => ({ emailAddress, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' })),
        timestamp: at,
        feedbackId: id,
        reportingMTA: 'dsn; local.smtp-out.amazonses.com',
      },
      mail,
    };
  }
  return {
    eventType: 'Complaint',
    complaint: {
      feedbackId: id,
      complaintSubType: null,
      complainedRecipients: input.recipients.map((emailAddress) => ({ emailAddress })),
      timestamp: at,
      userAgent: 'Amazon SES Mailbox Simulator',
      complaintFeedbackType: 'abuse',
      arrivalDate: at,
    },
    mail,
  };
}

/** The simulator events one stored mail produces: a bounce for its bounce@ recipients, a complaint for its complaint@ ones. */
export function simulatorEvents(mail: StoredMail): Record<string, unknown>[] {
  const all = addressesIn([...mail.destination.to, ...mail.destination.cc, ...mail.destination.bcc]);
  const hits = all.filter((a) => SIMULATOR.test(a));
  const common = { messageId: mail.messageId, from: mail.from, destination: all, subject: mail.subject, sentAt: new Date(mail.at * 1000) };
  const out: Record<string, unknown>[] = [];
  const bounced = hits.filter((a) => a.startsWith('bounce'));
  const complained = hits.filter((a) => a.startsWith('complaint'));
  if (bounced.length) out.push(buildSesEvent('Bounce', { ...common, recipients: bounced }));
  if (complained.length) out.push(buildSesEvent('Complaint', { ...common, recipients: complained }));
  return out;
}

export interface DeliveryEventsOptions {
  messaging: FauxqsServer;
  /** The local SES server (aws-ses-v2-local, an HTTP server: its 'request' events) and its URL. */
  ses: EventEmitter;
  sesUrl: string;
  sqs: SQSClient;
  sns: SNSClient;
  /** SES reports simulator events after the send returns; the sender indexes the id meanwhile. Default 300 ms. */
  delayMs?: number;
  log?: ((line: string) => void) | undefined;
  /** The delivery-events function (local/function-host.ts: its own worker and environment). */
  handler: Parameters<typeof startSqsPoller>[0]['handler'];
  /** Its manifest entry's name, batch size and timeout, as the stack's event source mapping takes them. */
  functionName: string;
  batchSize: number;
  timeoutSeconds?: number | undefined;
}

/**
 * Provisions the plumbing, watches the local SES for accepted sends, publishes
 * the simulator's events and runs the handler on the queue.
 */
export async function startDeliveryEvents(o: DeliveryEventsOptions): Promise<{ topicArn: string; queueUrl: string; stop(): Promise<void> }> {
  const { topicArn, queueUrl, queueArn } = provisionDeliveryEvents(o.messaging);
  const seen = new Map<string, number>();
  const pending = new Set<Promise<unknown>>();
  let stopped = false;

  // Mail already in the store (none after a start; the store lives in memory) makes no event.
  for (const m of await readStore(o.sesUrl, 0)) seen.set(m.messageId, m.at);

  async function check() {
    // Accepted in the last two minutes and not yet looked at: the send that just finished.
    const since = Math.floor(Date.now() / 1000) - 120;
    for (const mail of await readStore(o.sesUrl, since)) {
      if (seen.has(mail.messageId)) continue;
      seen.set(mail.messageId, mail.at);
      for (const event of simulatorEvents(mail)) {
        await o.sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(event) }));
        o.log?.(`${event.eventType} event for SES message ${mail.messageId}`);
      }
    }
    for (const [id, at] of seen) if (at < since - 600) seen.delete(id);
  }

  // Every SES call that succeeds may have stored a mail: look shortly after it answers.
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return;
    res.once('finish', () => {
      if (stopped || res.statusCode !== 200) return;
      const p = new Promise((r) => setTimeout(r, o.delayMs ?? 300))
        .then(check)
        .catch((err: Error) => o.log?.(`simulator event failed: ${err.name}: ${err.message}`))
        .finally(() => pending.delete(p));
      pending.add(p);
    });
  };
  o.ses.prependListener('request', onRequest);

  const poller: SqsPoller = startSqsPoller({ sqs: o.sqs, queueUrl, queueArn, batchSize: o.batchSize, timeoutSeconds: o.timeoutSeconds, handler: o.handler, functionName: o.functionName, log: o.log });

  return {
    topicArn,
    queueUrl,
    async stop() {
      stopped = true;
      o.ses.removeListener('request', onRequest);
      await Promise.allSettled([...pending]);
      await poller.stop();
    },
  };
}

async function readStore(sesUrl: string, since: number): Promise<StoredMail[]> {
  const res = await fetch(`${sesUrl}/store${since ? `?since=${since}` : ''}`);
  if (!res.ok) throw new Error(`local SES store answered ${res.status}`);
  return ((await res.json()) as { emails: StoredMail[] }).emails;
}
