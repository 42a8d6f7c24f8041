import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buckets, queues, topics } from '../../lib/definitions/resources.ts';
import { buildReceivedNotification, DEFAULT_LOCAL_VERDICTS, newSesMessageId } from '../../local/ses-notification.ts';
import { api, endpoints, tokenFor, uniqueEmail, until } from './client.ts';

/**
 * Delivery-level behaviour of the inbound consumer, driven the way SES drives
 * it: raw MIME in the bucket and a notification on the topic. Redeliveries
 * and poison messages are produced on purpose here.
 */
const aws = { region: endpoints.region, credentials: endpoints.credentials };
const s3 = new S3Client({ ...aws, endpoint: endpoints.services.s3, forcePathStyle: true });
const sns = new SNSClient({ ...aws, endpoint: endpoints.services.sns });
const sqs = new SQSClient({ ...aws, endpoint: endpoints.services.sqs });
const support = endpoints.supportAddress;


const history = async (email: string) =>
  (await api('GET', `/customers/${encodeURIComponent(email)}/tickets`, { token: await tokenFor('l1@helpdesk.local') })).body.items as any[];

async function outboxTo(email: string) {
  const { emails } = (await (await fetch(`${endpoints.outboxUrl}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string; messageId: string }[] };
  return emails.filter((m) => m.destination.to.some((t) => t.includes(email)));
}

/** Stores a raw mail as SES would and returns the notification SES would publish for it. */
async function arrive(raw: string, mailFrom: string) {
  const messageId = newSesMessageId();
  const topicArn = (await sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!).find((a) => a.endsWith(`:${topics.inboundMail.localName}`))!;
  await s3.send(new PutObjectCommand({ Bucket: buckets.mail.localName, Key: `inbound/${messageId}`, Body: raw }));
  const notification = buildReceivedNotification({
    messageId,
    receivedAt: new Date(),
    mailFrom,
    recipients: [support],
    raw: Buffer.from(raw),
    verdicts: DEFAULT_LOCAL_VERDICTS,
    topicArn,
    bucketName: buckets.mail.localName,
    objectKeyPrefix: 'inbound/',
  });
  return { topicArn, message: JSON.stringify(notification) };
}

const mime = (from: string, subject: string, extra = '') =>
  [`From: ${from}`, `To: ${support}`, `Subject: ${subject}`, `Message-ID: <${randomUUID()}@example.com>`, extra, '', 'Corpo da mensagem.', '']
    .filter((l, i) => l !== '' || i > 3)
    .join('\r\n');

async function dlqDepth() {
  const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queues.inboundMailDlq.localName }))).QueueUrl!;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(attrs.Attributes!.ApproximateNumberOfMessages) + Number(attrs.Attributes!.ApproximateNumberOfMessagesNotVisible);
}

describe('inbound consumer deliveries', () => {
  it('makes one ticket and one acknowledgement from ten parallel deliveries of the same notification', async () => {
    const from = uniqueEmail('tenfold');
    const { topicArn, message } = await arrive(mime(from, 'Dez vezes'), from);
    await Promise.all(Array.from({ length: 10 }, () => sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }))));
    await until('the ticket', async () => ((await history(from)).length ? true : undefined));
    await until('the acknowledgement', async () => ((await outboxTo(from)).length ? true : undefined));
    await new Promise((r) => setTimeout(r, 2000));
    expect(await history(from)).toHaveLength(1);
    expect(await outboxTo(from)).toHaveLength(1);
  });

  it('quarantines poison messages instead of retrying them', async () => {
    const before = await dlqDepth();
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queues.inboundMail.localName }))).QueueUrl!;
    const poison = ['not json', JSON.stringify({ Type: 'Notification', Message: '{"notificationType":"Bounce"}' }), JSON.stringify({ hello: 'world' })];
    for (const body of poison) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    // A notification whose object does not exist is quarantined too.
    const from = uniqueEmail('ghost');
    const ghost = await arrive(mime(from, 'Fantasma'), from);
    const n = JSON.parse(ghost.message);
    n.receipt.action.objectKey = `inbound/does-not-exist-${randomUUID()}`;
    await sns.send(new PublishCommand({ TopicArn: ghost.topicArn, Message: JSON.stringify(n) }));
    await until('the queue to drain', async () => {
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Number(attrs.Attributes!.ApproximateNumberOfMessages) + Number(attrs.Attributes!.ApproximateNumberOfMessagesNotVisible) === 0 ? true : undefined;
    });
    expect(await dlqDepth()).toBe(before);
    expect(await history(from)).toEqual([]);
  });

  it('puts a bounce on the ticket of the mail that bounced, never in a new ticket', async () => {
    const from = uniqueEmail('bouncer');
    const { topicArn, message } = await arrive(mime(from, 'Vai voltar'), from);
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
    const [ticket] = await until('the ticket', async () => ((await history(from)).length ? history(from) : undefined));
    const [ack] = await until('the acknowledgement', async () => ((await outboxTo(from)).length ? outboxTo(from) : undefined));

    const boundary = 'dsn-boundary';
    const dsn = [
      'From: MAILER-DAEMON@mx.example.com (Mail Delivery System)',
      `To: ${support}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <${randomUUID()}@mx.example.com>`,
      'Auto-Submitted: auto-replied',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      'MIME-Version: 1.0',
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.com',
      '',
      `Final-Recipient: rfc822; ${from}`,
      'Action: failed',
      'Status: 5.1.1',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      `From: ${support}`,
      `To: ${from}`,
      `Message-ID: <${ack!.messageId}@email.amazonses.com>`,
      `Subject: ${ack!.subject}`,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const bounce = await arrive(dsn, '');
    await sns.send(new PublishCommand({ TopicArn: bounce.topicArn, Message: bounce.message }));
    const events = await until('the bounce on the ticket', async () => {
      const t = (await api('GET', `/tickets/${ticket.id}`, { token: await tokenFor('l1@helpdesk.local') })).body;
      const e = t.events.find((x: any) => x.action === 'mail.bounced');
      return e ? t.events : undefined;
    });
    expect(events.find((x: any) => x.action === 'mail.bounced').changes[0].after).toMatchObject({ recipient: from, status: '5.1.1', action: 'failed' });
    expect(await history('mailer-daemon@mx.example.com')).toEqual([]);
    expect(await history(from)).toHaveLength(1);
  });
});
