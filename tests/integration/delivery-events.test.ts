import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queues, topics } from '../../lib/definitions/resources.ts';
import { buildSesEvent } from '../../local/ses-events.ts';
import { api, createTicket, endpoints, tokenFor, uniqueEmail, until } from './client.ts';

/**
 * SES delivery events of the mail we send, end to end in local mode: an agent's
 * reply to a mailbox-simulator address comes back as SES's event (SNS → SQS →
 * delivery-events handler) and lands on the ticket's audit trail, once.
 */
const aws = { region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const sns = new SNSClient({ ...aws, endpoint: endpoints.services.sns });
const sqs = new SQSClient({ ...aws, endpoint: endpoints.services.sqs });
const agent = 'l1@helpdesk.local';

const label = () => randomUUID().slice(0, 8);

async function reply(ticketId: string, body = 'Segue a solução.') {
  const res = await api('POST', `/tickets/${ticketId}/messages`, { token: await tokenFor(agent), body: { kind: 'reply', body } });
  expect(res.status).toBe(201);
  expect(res.body.mail.status).toBe('sent');
  return res.body.mail.sesMessageId as string;
}

const thread = async (id: string) => (await api('GET', `/tickets/${id}`, { token: await tokenFor(agent) })).body as { ticket: any; events: any[] };
const eventsOf = async (id: string, action: string) => (await thread(id)).events.filter((e) => e.action === action);

async function queueDepth(name: string) {
  const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(a.Attributes!.ApproximateNumberOfMessages) + Number(a.Attributes!.ApproximateNumberOfMessagesNotVisible);
}

const topicArn = async () => (await sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!).find((a) => a.endsWith(`:${topics.deliveryEvents.localName}`))!;

describe('SES delivery events', () => {
  it('records a bounce from the mailbox simulator on the ticket, status unchanged', async () => {
    const requester = `bounce+${label()}@simulator.amazonses.com`;
    const t = await createTicket({ requester: { email: requester, name: 'Bounce' } });
    const sesMessageId = await reply(t.id);
    const [bounced] = await until('the bounce on the ticket', async () => {
      const e = await eventsOf(t.id, 'mail.bounced');
      return e.length ? e : undefined;
    });
    expect(bounced.actor.sub).toBe('system:delivery-events');
    expect(bounced.changes[0].after).toMatchObject({ recipient: requester, bounceType: 'permanent', status: '5.1.1', action: 'failed', sesMessageId });
    const after = await thread(t.id);
    // The reply moved the ticket (e.g. to pending); the bounce changed nothing but the trail.
    const replied = after.events.find((e) => e.action === 'message.added');
    expect(after.ticket.status).toBe(replied.changes.find((c: any) => c.field === 'status')?.after ?? t.status);
  });

  it('records a complaint from the mailbox simulator as mail.complained', async () => {
    const requester = `complaint+${label()}@simulator.amazonses.com`;
    const t = await createTicket({ requester: { email: requester, name: 'Complaint' } });
    const sesMessageId = await reply(t.id);
    const [complained] = await until('the complaint on the ticket', async () => {
      const e = await eventsOf(t.id, 'mail.complained');
      return e.length ? e : undefined;
    });
    expect(complained.changes[0].after).toEqual({ recipient: requester, feedbackType: 'abuse', sesMessageId });
    expect(await eventsOf(t.id, 'mail.bounced')).toEqual([]);
  });

  it('adds nothing for a duplicate of an event: SNS redelivery or SES publishing it again', async () => {
    const requester = uniqueEmail('dup');
    const t = await createTicket({ requester: { email: requester, name: 'Dup' } });
    const sesMessageId = await reply(t.id);
    const event = buildSesEvent('Complaint', {
      messageId: sesMessageId,
      from: 'support@helpdesk.local',
      destination: [requester],
      recipients: [requester],
      subject: 'Re: test',
      sentAt: new Date(),
      feedbackId: `dup-${randomUUID()}`,
    });
    const arn = await topicArn();
    // Three publications (three SNS message ids, one feedback id) and the same SQS body twice (one SNS message id).
    await Promise.all(Array.from({ length: 3 }, () => sns.send(new PublishCommand({ TopicArn: arn, Message: JSON.stringify(event) }))));
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queues.deliveryEvents.localName }))).QueueUrl!;
    const envelope = JSON.stringify({ Type: 'Notification', MessageId: randomUUID(), TopicArn: arn, Message: JSON.stringify(event), Timestamp: new Date().toISOString() });
    await Promise.all([1, 2].map(() => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: envelope }))));
    await until('the complaint on the ticket', async () => ((await eventsOf(t.id, 'mail.complained')).length ? true : undefined));
    await until('the queue to drain', async () => ((await queueDepth(queues.deliveryEvents.localName)) === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(await eventsOf(t.id, 'mail.complained')).toHaveLength(1);
  });

  it('acknowledges malformed and unmatched events instead of retrying them', async () => {
    const dlqBefore = await queueDepth(queues.deliveryEventsDlq.localName);
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queues.deliveryEvents.localName }))).QueueUrl!;
    const envelope = (message: string) => JSON.stringify({ Type: 'Notification', MessageId: randomUUID(), Message: message });
    const unknownMail = buildSesEvent('Bounce', { messageId: `ses-unknown-${randomUUID()}`, from: 'support@helpdesk.local', destination: ['x@example.com'], recipients: ['x@example.com'], subject: 's', sentAt: new Date(0), at: new Date(0) });
    const bodies = [
      'not json',
      JSON.stringify({ hello: 'world' }),
      envelope('{not json'),
      envelope(JSON.stringify({ eventType: 'Bounce', mail: { messageId: 'x' } })),
      envelope(JSON.stringify({ eventType: 'Open', mail: { messageId: 'x', timestamp: new Date().toISOString() }, open: {} })),
      envelope(JSON.stringify(unknownMail)),
      'x'.repeat(300 * 1024),
    ];
    for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    // A retried message would stay in flight for the visibility timeout (180 s): draining now means none was.
    await until('the queue to drain', async () => ((await queueDepth(queues.deliveryEvents.localName)) === 0 ? true : undefined), 15_000);
    expect(await queueDepth(queues.deliveryEventsDlq.localName)).toBe(dlqBefore);
  });
});
