import { describe, expect, it } from 'vitest';
import { commutingChange } from '../../functions/adapters/ticket-store.ts';
import { addAgentMessage, addCustomerMail, openTicket, updateTicket, type Actor, type MailDetails, type Ticket } from '../../functions/core/ticket.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';

/**
 * Which ticket changes are written without a version condition (store.applyChange):
 * those that only add a message or an event, and extend the thread or participant
 * lists. Anything that moves the ticket's state takes the version-checked path.
 */
const agent: Actor = { sub: 's', email: 'l1@helpdesk.local' };
const mailActor: Actor = { sub: 'system:inbound-mail', email: 'mail' };
const at = '2026-03-02T12:30:00.000Z';

function ticket(over: Partial<Ticket> = {}): Ticket {
  const { ticket } = openTicket({ requester: { email: 'ana@example.com' }, subject: 'VPN', body: 'down', channel: 'email' }, 7, agent, '2026-03-02T12:00:00.000Z', defaultPolicy);
  return { ...ticket, ...over };
}
const mail = (messageId: string | null): MailDetails => ({ messageId, sesMessageId: 's', fullText: 't', html: null, raw: { bucket: 'b', key: 'k' }, truncated: false, attachments: [], verdicts: {}, automated: false });
/** A ticket an agent has answered once: open, first response recorded, clocks settled. */
const answered = () => addAgentMessage(ticket(), { kind: 'reply', body: 'first' }, agent, '2026-03-02T12:10:00.000Z', defaultPolicy).ticket;

describe('commutingChange', () => {
  it('a note, and a reply once the ticket is answered, only add: nothing to write but the bookkeeping', () => {
    for (const kind of ['note', 'reply'] as const) {
      const t = answered();
      expect(commutingChange(t, addAgentMessage(t, { kind, body: 'x' }, agent, at, defaultPolicy).ticket)).toEqual([]);
    }
  });

  it('the first reply moves the ticket (new → open, first response): version-checked', () => {
    const t = ticket();
    expect(commutingChange(t, addAgentMessage(t, { kind: 'reply', body: 'x' }, agent, at, defaultPolicy).ticket)).toBeUndefined();
  });

  it('customer mail joining an open ticket extends the thread (and the participants when the requester CCs someone)', () => {
    const t = answered();
    const next = addCustomerMail(t, { id: 'm', from: { email: 'ana@example.com' }, body: 'b', at, mail: mail('<x@client>'), cc: ['bob@example.com'] }, mailActor, defaultPolicy).ticket;
    expect(commutingChange(t, next)?.sort()).toEqual(['mailThread', 'participants']);
  });

  it('customer mail reopening a pending ticket, or an agent\'s edit, is version-checked', () => {
    const pending = ticket({ status: 'pending', firstRespondedAt: '2026-03-02T12:10:00.000Z', slaPausedAt: '2026-03-02T12:20:00.000Z' });
    const reopened = addCustomerMail(pending, { id: 'm', from: { email: 'ana@example.com' }, body: 'b', at, mail: mail(null), cc: [] }, mailActor, defaultPolicy).ticket;
    expect(commutingChange(pending, reopened)).toBeUndefined();
    const t = answered();
    expect(commutingChange(t, updateTicket(t, { priority: 'high' }, agent, at, defaultPolicy).ticket)).toBeUndefined();
  });
});
