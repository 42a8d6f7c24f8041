import { describe, expect, it } from 'vitest';
import { makeReplyToken, plusAddress } from '../../../functions/core/mail/reply-token.ts';
import { decideThread, type InboundFacts, type ThreadLookups } from '../../../functions/core/mail/threading.ts';

const secret = 'threading-test-secret';
const opts = { supportAddresses: ['support@desk.example.com'], secret };
const ticketA = { id: '01HX7Z8K9QPRSTVWXYZ0123456', number: 1234, requester: 'ana@customer.example', participants: ['Bob <bob@customer.example>'] };
const ticketB = { id: '01HX7Z8K9QPRSTVWXYZ0999999', number: 77, requester: 'carla@other.example', participants: [] as string[] };
const tokenA = makeReplyToken(ticketA.id, secret);

/** An in-memory store: the mails we sent for ticket A (including the id SES returned), and a log of lookups. */
function store(seen = new Set<string>()) {
  const calls: string[] = [];
  const sentIds = new Map([['0100018e-aaaa@email.amazonses.com', ticketA.id], ['ack-a@desk.example.com', ticketA.id]]);
  const lookups: ThreadLookups = {
    async seenInbound(ses, mid) {
      calls.push(`seen:${ses}:${mid}`);
      return seen.has(ses) || (mid !== null && seen.has(mid));
    },
    async ticketByMessageId(ids) {
      calls.push(`ids:${ids.length}`);
      return ids.map((id) => sentIds.get(id)).find(Boolean);
    },
    async ticketByReplyToken(token) {
      calls.push(`token:${token}`);
      return token.slice(0, 26).toUpperCase() === ticketA.id ? ticketA.id : undefined;
    },
    async ticketByNumber(n) {
      calls.push(`number:${n}`);
      return [ticketA, ticketB].find((t) => t.number === n);
    },
  };
  return { lookups, calls };
}

function facts(over: Partial<InboundFacts> = {}): InboundFacts {
  return {
    sesMessageId: 'ses-1',
    messageId: 'new-1@mail.customer.example',
    inReplyTo: [],
    references: [],
    recipients: ['support@desk.example.com'],
    from: 'Ana <ana@customer.example>',
    cc: [],
    subject: 'Printer broken',
    unverified: false,
    ...over,
  };
}

describe('decideThread', () => {
  it('opens a new ticket for a first mail', async () => {
    const { lookups, calls } = store();
    expect(await decideThread(facts(), lookups, opts)).toEqual({ kind: 'new' });
    expect(calls).toEqual(['seen:ses-1:new-1@mail.customer.example']);
  });

  it('de-duplicates on the SES message id and on the RFC Message-ID, before anything else', async () => {
    expect(await decideThread(facts(), store(new Set(['ses-1'])).lookups, opts)).toEqual({ kind: 'duplicate' });
    const { lookups, calls } = store(new Set(['new-1@mail.customer.example']));
    expect(await decideThread(facts({ sesMessageId: 'ses-2', messageId: '<NEW-1@mail.customer.example>', inReplyTo: ['ack-a@desk.example.com'] }), lookups, opts)).toEqual({ kind: 'duplicate' });
    expect(calls).toHaveLength(1);
  });

  it('threads on In-Reply-To against the id SES returned for our mail', async () => {
    const { lookups } = store();
    expect(await decideThread(facts({ inReplyTo: ['<0100018E-aaaa@email.amazonses.com>'] }), lookups, opts)).toEqual({ kind: 'existing', ticketId: ticketA.id, via: 'message-id' });
  });

  it('iOS Mail reply without References: In-Reply-To alone is enough', async () => {
    const { lookups } = store();
    const f = facts({ inReplyTo: ['ack-a@desk.example.com'], references: [], subject: 'Re: Printer broken' });
    expect(await decideThread(f, lookups, opts)).toMatchObject({ kind: 'existing', via: 'message-id' });
  });

  it('Outlook reply without References or In-Reply-To: the Reply-To token threads it', async () => {
    const { lookups, calls } = store();
    const f = facts({ recipients: [plusAddress('support@desk.example.com', tokenA)], subject: 'RE: Printer broken' });
    expect(await decideThread(f, lookups, opts)).toEqual({ kind: 'existing', ticketId: ticketA.id, via: 'reply-token' });
    expect(calls).toContain(`token:${tokenA}`);
  });

  it('accepts the token in upper case and in Cc', async () => {
    const { lookups } = store();
    const upper = `SUPPORT+${tokenA.toUpperCase()}@DESK.EXAMPLE.COM`;
    expect(await decideThread(facts({ recipients: [upper] }), lookups, opts)).toMatchObject({ kind: 'existing', via: 'reply-token' });
    expect(await decideThread(facts({ recipients: ['other@x.org'], cc: [`Desk <support+${tokenA}@desk.example.com>`] }), store().lookups, opts)).toMatchObject({ via: 'reply-token' });
  });

  it('never looks up a forged or tampered token', async () => {
    const { lookups, calls } = store();
    const forged = ticketA.id.toLowerCase() + '-' + 'a'.repeat(10);
    const tampered = tokenA.slice(0, -1) + (tokenA.endsWith('0') ? '1' : '0');
    const f = facts({ recipients: [`support+${forged}@desk.example.com`, `support+${tampered}@desk.example.com`, 'support+hello@desk.example.com'] });
    expect(await decideThread(f, lookups, opts)).toEqual({ kind: 'new' });
    expect(calls.some((c) => c.startsWith('token:'))).toBe(false);
  });

  it('a token for another support domain is ignored', async () => {
    const { lookups } = store();
    expect(await decideThread(facts({ recipients: [`support+${tokenA}@evil.example`] }), lookups, opts)).toEqual({ kind: 'new' });
  });

  it('a reply from a participant on Cc threads on the subject token', async () => {
    const { lookups } = store();
    const f = facts({ from: 'BOB@Customer.Example', subject: 'Re: [#1234] Printer broken' });
    expect(await decideThread(f, lookups, opts)).toEqual({ kind: 'existing', ticketId: ticketA.id, via: 'subject-token' });
  });

  it('the requester threads on the subject token', async () => {
    const { lookups } = store();
    expect(await decideThread(facts({ subject: 'Printer broken [Helpdesk #1234]' }), lookups, opts)).toMatchObject({ via: 'subject-token' });
  });

  it('a stranger reusing a ticket\'s subject token opens a new ticket', async () => {
    const { lookups, calls } = store();
    const f = facts({ from: 'mallory@evil.example', subject: 'Re: [#1234] Printer broken' });
    expect(await decideThread(f, lookups, opts)).toEqual({ kind: 'new' });
    expect(calls).toContain('number:1234');
  });

  it("an unverified From (failed DMARC) never threads on the requester's subject token, but still on our ids and a signed token", async () => {
    const forged = { subject: 'Re: [#1234] Printer broken', unverified: true };
    expect(await decideThread(facts(forged), store().lookups, opts)).toEqual({ kind: 'new' });
    expect(await decideThread(facts({ ...forged, inReplyTo: ['ack-a@desk.example.com'] }), store().lookups, opts)).toMatchObject({ via: 'message-id' });
    expect(await decideThread(facts({ ...forged, recipients: [plusAddress('support@desk.example.com', tokenA)] }), store().lookups, opts)).toMatchObject({ via: 'reply-token' });
  });

  it('a forwarded mail: the requester forwarding keeps the ticket, a stranger forwarding gets a new one', async () => {
    const fwd = { subject: 'Fwd: Re: [#1234] Printer broken', inReplyTo: [], references: [] };
    expect(await decideThread(facts(fwd), store().lookups, opts)).toMatchObject({ kind: 'existing', via: 'subject-token' });
    expect(await decideThread(facts({ ...fwd, from: 'dave@partner.example' }), store().lookups, opts)).toEqual({ kind: 'new' });
  });

  it('tries each subject token, only trusting the one whose ticket knows the sender', async () => {
    const { lookups } = store();
    const f = facts({ from: 'carla@other.example', subject: '[#1234] [#77] [#5]' });
    expect(await decideThread(f, lookups, opts)).toEqual({ kind: 'existing', ticketId: ticketB.id, via: 'subject-token' });
  });

  it('follows the order: message id before reply token before subject token', async () => {
    const { lookups, calls } = store();
    const f = facts({ inReplyTo: ['nothing@x'], recipients: [`support+${tokenA}@desk.example.com`], subject: '[#77]' });
    expect(await decideThread(f, lookups, opts)).toMatchObject({ via: 'reply-token' });
    expect(calls.map((c) => c.split(':')[0])).toEqual(['seen', 'ids', 'token']);
  });

  it('bounds the work a hostile mail can cause', async () => {
    const { lookups, calls } = store();
    const f = facts({
      messageId: null,
      references: Array.from({ length: 5000 }, (_, i) => `<junk${i}@x>`),
      inReplyTo: ['', '<>', 'garbage without at'],
      recipients: Array.from({ length: 500 }, (_, i) => `support+${i}@desk.example.com`),
      subject: Array.from({ length: 100 }, (_, i) => `[#${i + 1000}]`).join(''),
    });
    expect(await decideThread(f, lookups, opts)).toEqual({ kind: 'new' });
    expect(calls).toContain('ids:100');
    expect(calls.filter((c) => c.startsWith('number:')).length).toBeLessThanOrEqual(5);
  });

  it('a sender with no address never matches a subject token', async () => {
    const { lookups, calls } = store();
    expect(await decideThread(facts({ from: '', subject: '[#1234]' }), lookups, opts)).toEqual({ kind: 'new' });
    expect(calls.some((c) => c.startsWith('number:'))).toBe(false);
  });
});
