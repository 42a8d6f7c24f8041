import { describe, expect, it } from 'vitest';
import { readDeliveryEvent, MAX_DELIVERY_EVENT_BYTES } from '../../functions/core/delivery-events.ts';
import { recordDeliveryEvent, type DeliveryDeps } from '../../functions/app/record-delivery-event.ts';
import { NotFoundError } from '../../functions/core/errors.ts';
import { recordBounce, type AuditEvent, type Ticket } from '../../functions/core/ticket.ts';

/**
 * SES event publishing, as the configuration set's SNS destination delivers it
 * to SQS (raw delivery off): the shapes follow the examples in the SES developer
 * guide ("Examples of event data that Amazon SES publishes to Amazon SNS").
 */
const mail = (messageId = '0100018c1a2b3c4d-11112222-3333-4444-5555-666677778888-000000') => ({
  timestamp: '2026-11-22T10:00:00.000Z',
  source: 'Help desk <support@desk.example>',
  sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/desk.example',
  sendingAccountId: '123456789012',
  messageId,
  destination: ['bounce@simulator.amazonses.com'],
  headersTruncated: false,
  headers: [{ name: 'Subject', value: 'Re: [#12] VPN' }],
  commonHeaders: { from: ['Help desk <support@desk.example>'], to: ['bounce@simulator.amazonses.com'], subject: 'Re: [#12] VPN' },
  tags: { 'ses:configuration-set': ['helpdesk'] },
});

const bounceEvent = (over: Record<string, unknown> = {}) => ({
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    timestamp: '2026-11-22T10:00:01.000Z',
    feedbackId: '0100018c1a2b3c4d-aaaa-bbbb-cccc-dddd-000000',
    reportingMTA: 'dsn; a8-1.smtp-out.amazonses.com',
  },
  mail: mail(),
  ...over,
});

const complaintEvent = () => ({
  eventType: 'Complaint',
  complaint: {
    feedbackId: '0100018c1a2b3c4d-complaint-000000',
    complaintSubType: null,
    complainedRecipients: [{ emailAddress: 'complaint@simulator.amazonses.com' }],
    timestamp: '2026-11-22T10:00:02.000Z',
    userAgent: 'Amazon SES Mailbox Simulator',
    complaintFeedbackType: 'abuse',
    arrivalDate: '2026-11-22T10:00:02.000Z',
  },
  mail: mail(),
});

const sns = (message: unknown, messageId = 'sns-1') =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:delivery-events',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-11-22T10:00:03.000Z',
    SignatureVersion: '1',
  });

describe('readDeliveryEvent', () => {
  it('reads a bounce: the SES message id, permanent or transient, the recipient', () => {
    const r = readDeliveryEvent(sns(bounceEvent()));
    expect(r).toEqual({
      ok: true,
      event: {
        type: 'Bounce',
        sesMessageId: '0100018c1a2b3c4d-11112222-3333-4444-5555-666677778888-000000',
        snsMessageId: 'sns-1',
        at: '2026-11-22T10:00:01.000Z',
        eventKey: 'feedback:0100018c1a2b3c4d-aaaa-bbbb-cccc-dddd-000000',
        bounceType: 'permanent',
        bounceSubType: 'General',
        recipients: [{ email: 'bounce@simulator.amazonses.com', status: '5.1.1', action: 'failed', diagnostic: 'smtp; 550 5.1.1 user unknown' }],
      },
    });
    const transient = bounceEvent();
    transient.bounce.bounceType = 'Transient';
    expect(readDeliveryEvent(sns(transient))).toMatchObject({ ok: true, event: { bounceType: 'transient' } });
  });

  it('reads a complaint, and the older identity notification shape (notificationType)', () => {
    expect(readDeliveryEvent(sns(complaintEvent()))).toMatchObject({
      ok: true,
      event: { type: 'Complaint', feedbackType: 'abuse', recipients: ['complaint@simulator.amazonses.com'], eventKey: 'feedback:0100018c1a2b3c4d-complaint-000000' },
    });
    const { eventType: _, ...rest } = complaintEvent();
    expect(readDeliveryEvent(sns({ notificationType: 'Complaint', ...rest }))).toMatchObject({ ok: true, event: { type: 'Complaint' } });
  });

  it('reads delivery delays and rejects, keyed by the SNS message id', () => {
    const delay = { eventType: 'DeliveryDelay', mail: mail(), deliveryDelay: { timestamp: '2026-11-22T11:00:00.000Z', delayType: 'MailboxFull', expirationTime: '2026-11-23T10:00:00.000Z', delayedRecipients: [{ emailAddress: 'A <a@example.com>', status: '4.2.2', diagnosticCode: 'x' }] } };
    expect(readDeliveryEvent(sns(delay, 'sns-d'))).toMatchObject({ ok: true, event: { type: 'DeliveryDelay', delayType: 'MailboxFull', recipients: ['a@example.com'], eventKey: 'sns:sns-d' } });
    expect(readDeliveryEvent(sns({ eventType: 'Reject', mail: mail(), reject: { reason: 'Bad content' } }))).toMatchObject({ ok: true, event: { type: 'Reject', reason: 'Bad content' } });
  });

  it('says why a body is not an event, without echoing it', () => {
    expect(readDeliveryEvent('not json')).toEqual({ ok: false, reason: 'not-json' });
    expect(readDeliveryEvent(JSON.stringify({ hello: 'world' }))).toEqual({ ok: false, reason: 'not-sns-notification' });
    expect(readDeliveryEvent(JSON.stringify({ Type: 'Notification', Message: '{}' }))).toEqual({ ok: false, reason: 'not-sns-notification' });
    expect(readDeliveryEvent(sns('{not json'))).toEqual({ ok: false, reason: 'message-not-json' });
    expect(readDeliveryEvent(sns('[1,2]'))).toEqual({ ok: false, reason: 'invalid-shape' });
    expect(readDeliveryEvent(sns({ mail: mail() }))).toEqual({ ok: false, reason: 'invalid-shape' });
    expect(readDeliveryEvent(sns({ eventType: 'Open', mail: mail(), open: {} }))).toEqual({ ok: false, reason: 'unsupported-type', eventType: 'Open' });
    expect(readDeliveryEvent(sns({ eventType: 'x@y.z', mail: mail() }))).toEqual({ ok: false, reason: 'unsupported-type', eventType: 'other' });
    // Right type, wrong body: no recipients, an unknown bounce type, no message id.
    const noRecipients = bounceEvent();
    noRecipients.bounce.bouncedRecipients = [];
    expect(readDeliveryEvent(sns(noRecipients))).toEqual({ ok: false, reason: 'invalid-shape', eventType: 'Bounce' });
    const oddType = bounceEvent();
    oddType.bounce.bounceType = 'Soft';
    expect(readDeliveryEvent(sns(oddType))).toMatchObject({ ok: false, reason: 'invalid-shape' });
    expect(readDeliveryEvent(sns(bounceEvent({ mail: { timestamp: 'x' } })))).toMatchObject({ ok: false, reason: 'invalid-shape' });
  });

  it('refuses oversized bodies and over-long fields, and clips a long diagnostic', () => {
    expect(readDeliveryEvent('x'.repeat(MAX_DELIVERY_EVENT_BYTES + 1))).toEqual({ ok: false, reason: 'too-large' });
    // Multi-byte characters count as bytes.
    expect(readDeliveryEvent('é'.repeat(MAX_DELIVERY_EVENT_BYTES / 2 + 1))).toEqual({ ok: false, reason: 'too-large' });
    const longId = bounceEvent({ mail: mail('x'.repeat(201)) });
    expect(readDeliveryEvent(sns(longId))).toMatchObject({ ok: false, reason: 'invalid-shape' });
    const many = bounceEvent();
    many.bounce.bouncedRecipients = Array.from({ length: 101 }, (_, i) => ({ emailAddress: `r${i}@example.com`, action: 'failed', status: '5.1.1', diagnosticCode: '' }));
    expect(readDeliveryEvent(sns(many))).toMatchObject({ ok: false, reason: 'invalid-shape' });
    const chatty = bounceEvent();
    chatty.bounce.bouncedRecipients[0]!.diagnosticCode = 'y'.repeat(5000);
    const r = readDeliveryEvent(sns(chatty));
    expect(r.ok && r.event.type === 'Bounce' && r.event.recipients[0]!.diagnostic!.length).toBe(300);
  });

  it('gives a duplicate the same key: an SNS redelivery, or SES publishing the same feedback again', () => {
    const a = readDeliveryEvent(sns(bounceEvent(), 'sns-1'));
    const b = readDeliveryEvent(sns(bounceEvent(), 'sns-2'));
    expect(a.ok && b.ok && a.event.eventKey === b.event.eventKey).toBe(true);
  });
});

describe('recordBounce', () => {
  it('keeps the DSN shape and adds the bounce type when SES says it', () => {
    const t = { id: 't1', version: 3, status: 'pending' } as Ticket;
    const { ticket, event } = recordBounce(t, { recipient: 'a@example.com', status: '5.1.1', action: 'failed', bounceType: 'permanent' }, '2026-11-22T10:00:00.000Z', { sub: 's', email: 'mail' });
    expect(ticket).toMatchObject({ status: 'pending', version: 4 });
    expect(event.changes[0]!.after).toEqual({ recipient: 'a@example.com', status: '5.1.1', action: 'failed', bounceType: 'permanent' });
  });
});

/** In-memory ports: a ticket, the mail index, claims. */
function fakes(opts: { index?: Record<string, string>; failApply?: Error; late?: boolean } = {}) {
  const ticket = { id: 't1', version: 1, status: 'open' } as Ticket;
  const events: AuditEvent[] = [];
  const claims = new Set<string>();
  const released: string[] = [];
  let lookups = 0;
  const recorded: { email: string; event: unknown }[] = [];
  const deps: DeliveryDeps = {
    history: { record: async (email, event) => void recorded.push({ email, event }) },
    lookupRetryMs: 1,
    now: () => Date.parse('2026-11-22T10:00:05.000Z'),
    index: {
      ticketFor: async (ids: string[]) => {
        lookups++;
        // `late`: the sender indexes the id only after the first lookup.
        if (opts.late && lookups === 1) return undefined;
        const id = (opts.index ?? { '0100018c1a2b3c4d-11112222-3333-4444-5555-666677778888-000000@email.amazonses.com': 't1' })[ids[0]!];
        return id ? { ticketId: id, origin: 'outbound' } : undefined;
      },
      claimOnce: async (id: string, what: string) => (claims.has(`${id}/${what}`) ? false : (claims.add(`${id}/${what}`), true)),
      releaseClaim: async (id: string, what: string) => void (claims.delete(`${id}/${what}`), released.push(what)),
    },
    store: {
      applyChange: (async (_id: string, change: (t: Ticket) => { ticket: Ticket; event: AuditEvent }) => {
        if (opts.failApply) throw opts.failApply;
        const next = change(ticket);
        events.push(next.event);
        return next;
      }) as never,
    },
  };
  return { deps, events, claims, released, recorded, lookups: () => lookups };
}

describe('recordDeliveryEvent', () => {
  it('records a bounce on the ticket of the mail, status unchanged, once however often it arrives', async () => {
    const f = fakes();
    expect(await recordDeliveryEvent(sns(bounceEvent(), 'a'), f.deps)).toEqual({ result: 'recorded', type: 'Bounce', ticketId: 't1', recorded: 1, bounceType: 'permanent' });
    expect(await recordDeliveryEvent(sns(bounceEvent(), 'a'), f.deps)).toEqual({ result: 'duplicate', type: 'Bounce', ticketId: 't1' });
    expect(await recordDeliveryEvent(sns(bounceEvent(), 'b'), f.deps)).toMatchObject({ result: 'duplicate' });
    expect(f.events).toHaveLength(1);
    expect(f.events[0]).toMatchObject({ action: 'mail.bounced', actor: { sub: 'system:delivery-events' } });
    expect(f.events[0]!.changes[0]!.after).toMatchObject({ recipient: 'bounce@simulator.amazonses.com', bounceType: 'permanent', status: '5.1.1' });
  });

  it('records a complaint as mail.complained', async () => {
    const f = fakes();
    expect(await recordDeliveryEvent(sns(complaintEvent()), f.deps)).toMatchObject({ result: 'recorded', type: 'Complaint' });
    expect(f.events[0]).toMatchObject({ action: 'mail.complained', changes: [{ field: 'delivery', after: { recipient: 'complaint@simulator.amazonses.com', feedbackType: 'abuse' } }] });
  });

  it('acknowledges what can never succeed: unreadable bodies, and mail no ticket has', async () => {
    const f = fakes({ index: {} });
    expect(await recordDeliveryEvent('garbage', f.deps)).toEqual({ result: 'ignored', reason: 'not-json' });
    expect(await recordDeliveryEvent(sns(bounceEvent()), f.deps)).toEqual({ result: 'ignored', reason: 'no-ticket', eventType: 'Bounce' });
    // A fresh event was looked up twice (the sender may not have indexed it yet).
    expect(f.lookups()).toBe(2);
    expect(f.events).toEqual([]);
  });

  it('records bounces and complaints by address, even for mail no ticket has, and never for a delay', async () => {
    const f = fakes({ index: {} });
    await recordDeliveryEvent(sns(bounceEvent()), f.deps);
    await recordDeliveryEvent(sns(complaintEvent()), f.deps);
    expect(f.recorded).toEqual([
      { email: 'bounce@simulator.amazonses.com', event: { kind: 'bounce', at: '2026-11-22T10:00:01.000Z', bounceType: 'permanent' } },
      { email: 'complaint@simulator.amazonses.com', event: { kind: 'complaint', at: '2026-11-22T10:00:02.000Z' } },
    ]);
    const g = fakes();
    await recordDeliveryEvent(sns({ eventType: 'DeliveryDelay', deliveryDelay: { delayType: 'MailboxFull', timestamp: '2026-11-22T10:00:01.000Z', delayedRecipients: [{ emailAddress: 'x@example.com' }] }, mail: mail() }), g.deps);
    expect(g.recorded).toEqual([]);
  });

  it('finds the ticket when the sender indexes the mail just after SES reports it', async () => {
    const f = fakes({ late: true });
    expect(await recordDeliveryEvent(sns(bounceEvent()), f.deps)).toMatchObject({ result: 'recorded' });
  });

  it('throws a store failure (so the queue retries) and gives the claim back', async () => {
    const f = fakes({ failApply: Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }) });
    await expect(recordDeliveryEvent(sns(bounceEvent()), f.deps)).rejects.toThrow('throttled');
    expect(f.claims.size).toBe(0);
    expect(f.released).toHaveLength(1);
  });

  it('treats a ticket gone since (erased) as no ticket, not as a retry', async () => {
    const f = fakes({ failApply: new NotFoundError('Ticket') });
    expect(await recordDeliveryEvent(sns(bounceEvent()), f.deps)).toEqual({ result: 'ignored', reason: 'no-ticket', eventType: 'Bounce' });
  });

  it('notes delays and rejects without touching the ticket', async () => {
    const f = fakes();
    expect(await recordDeliveryEvent(sns({ eventType: 'Reject', mail: mail(), reject: { reason: 'Bad content' } }), f.deps)).toEqual({ result: 'noted', type: 'Reject', ticketId: 't1' });
    expect(f.events).toEqual([]);
  });
});
