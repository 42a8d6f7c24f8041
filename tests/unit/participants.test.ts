import { describe, expect, it } from 'vitest';
import { addCustomerMail, openTicket, participantList, updateTicket, type Actor, type MailDetails, type Ticket } from '../../functions/core/ticket.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { RuleViolationError } from '../../functions/core/errors.ts';

const agent: Actor = { sub: 'sub-1', email: 'l1@helpdesk.local' };
const mailActor: Actor = { sub: 'system:inbound-mail', email: 'mail' };
const at = '2026-03-02T12:30:00.000Z';

function ticket(participants: string[] = ['carla@example.com']): Ticket {
  const { ticket } = openTicket({ requester: { email: 'ana@example.com' }, subject: 'VPN', body: 'down', channel: 'email' }, 7, agent, '2026-03-02T12:00:00.000Z', defaultPolicy);
  return { ...ticket, participants };
}

const details = (automated = false): MailDetails => ({
  messageId: null,
  sesMessageId: 'ses-1',
  fullText: 'text',
  html: null,
  raw: { bucket: 'b', key: 'k' },
  truncated: false,
  attachments: [],
  verdicts: {},
  automated,
});

const mailFrom = (t: Ticket, from: string, cc: string[] = []) => addCustomerMail(t, { id: 'm1', from: { email: from }, body: 'hello', at, mail: details(), cc }, mailActor, defaultPolicy);

describe('who becomes a participant by mail', () => {
  it('a stranger who writes to the reply address (a forward) joins the conversation, but is not copied on replies, nor are their CCs', () => {
    const r = mailFrom(ticket(), 'stranger@example.com', ['friend@example.com']);
    expect(r.message.author.email).toBe('stranger@example.com');
    expect(r.ticket.participants).toEqual(['carla@example.com']);
    expect(r.event.changes.map((c) => c.field)).not.toContain('participants');
  });

  it('the requester brings in whom they CC', () => {
    const r = mailFrom(ticket(), 'Ana@Example.com', ['Dave@Example.com', 'carla@example.com']);
    expect(r.ticket.participants).toEqual(['carla@example.com', 'dave@example.com']);
    expect(r.event.changes).toContainEqual({ field: 'participants', before: ['carla@example.com'], after: ['carla@example.com', 'dave@example.com'] });
  });

  it('so does a participant', () => {
    expect(mailFrom(ticket(), 'carla@example.com', ['erin@example.com']).ticket.participants).toEqual(['carla@example.com', 'erin@example.com']);
  });
});

describe('agents set the participants', () => {
  it('adds and removes, recorded on the trail with who did it and the list before and after', () => {
    const t = ticket(['carla@example.com', 'dave@example.com']);
    const r = updateTicket(t, { participants: ['carla@example.com', 'Erin@Example.com'] }, agent, at, defaultPolicy);
    expect(r.ticket.participants).toEqual(['carla@example.com', 'erin@example.com']);
    expect(r.ticket.version).toBe(t.version + 1);
    expect(r.event).toMatchObject({ action: 'ticket.updated', actor: agent, changes: [{ field: 'participants', before: ['carla@example.com', 'dave@example.com'], after: ['carla@example.com', 'erin@example.com'] }] });
  });

  it('never lists the requester (always mailed) or anyone twice; the same list again changes nothing', () => {
    expect(participantList(['ana@example.com', 'x@example.com', ' X@example.com'], 'Ana@example.com')).toEqual(['x@example.com']);
    const t = ticket();
    expect(updateTicket(t, { participants: ['carla@example.com'] }, agent, at, defaultPolicy).changes).toEqual([]);
  });

  it('not on a closed ticket', () => {
    expect(() => updateTicket({ ...ticket(), status: 'closed' }, { participants: [] }, agent, at, defaultPolicy)).toThrow(RuleViolationError);
  });
});
