import { describe, expect, it } from 'vitest';
import { addAgentMessage, allowedTransitions, openTicket, statuses, updateTicket, type Actor, type Status } from '../../functions/core/ticket.ts';
import { RuleViolationError } from '../../functions/core/errors.ts';
import { ID_PATTERN, newId } from '../../functions/core/ids.ts';
import { deadlinesFor } from '../../functions/core/sla.ts';
import { defaultPolicy, type Policy } from '../../functions/core/policy.ts';

/** These tests check plain arithmetic: every clock runs 24×7 (calendars have their own tests). */
const allDay: Policy = { ...defaultPolicy, alwaysOpenPriorities: ['urgent', 'high', 'normal', 'low'] };

const actor: Actor = { sub: 'sub-1', email: 'l1@helpdesk.local' };
const now = '2026-03-02T12:00:00.000Z';
const later = '2026-03-02T12:30:00.000Z';

function fresh(overrides = {}) {
  return openTicket({ requester: { email: ' Ana@Example.com ', name: 'Ana' }, subject: 'Help', body: 'Please', channel: 'phone', ...overrides }, 42, actor, now, allDay);
}

describe('openTicket', () => {
  it('starts new, at level 1, normal priority, with deadlines and a creation event', () => {
    const { ticket, message, event } = fresh();
    expect(ticket).toMatchObject({ number: 42, status: 'new', level: 1, priority: 'normal', version: 1, assignee: null, requester: { email: 'ana@example.com' } });
    expect(ticket.firstResponseDueAt).toBe('2026-03-02T16:00:00.000Z');
    expect(ticket.resolutionDueAt).toBe('2026-03-03T12:00:00.000Z');
    expect(ticket.dueAt).toBe(ticket.firstResponseDueAt);
    expect(message).toMatchObject({ kind: 'customer', public: true, ticketId: ticket.id, author: { type: 'customer', email: 'ana@example.com' } });
    expect(event).toMatchObject({ action: 'ticket.created', version: 1, actor });
    expect(event.changes.find((c) => c.field === 'status')).toEqual({ field: 'status', before: null, after: 'new' });
  });

  it('deduplicates and lower-cases tags', () => {
    expect(fresh({ tags: ['VPN', 'vpn ', 'Access'] }).ticket.tags).toEqual(['access', 'vpn']);
  });
});

describe('status transitions', () => {
  const legal: [Status, Status][] = [
    ['new', 'open'], ['new', 'pending'], ['new', 'on_hold'], ['new', 'resolved'],
    ['open', 'pending'], ['open', 'on_hold'], ['open', 'resolved'],
    ['pending', 'open'], ['pending', 'on_hold'], ['pending', 'resolved'],
    ['on_hold', 'open'], ['on_hold', 'pending'], ['on_hold', 'resolved'],
    ['resolved', 'open'], ['resolved', 'closed'],
  ];

  it('allows exactly the legal changes', () => {
    for (const from of statuses) {
      for (const to of statuses) {
        if (from === to) continue;
        const isLegal = legal.some(([f, t]) => f === from && t === to);
        expect(allowedTransitions(from).includes(to), `${from} → ${to}`).toBe(isLegal);
        const ticket = { ...fresh().ticket, status: from };
        if (isLegal) expect(updateTicket(ticket, { status: to }, actor, later, allDay).ticket.status).toBe(to);
        else expect(() => updateTicket(ticket, { status: to }, actor, later, allDay)).toThrow(RuleViolationError);
      }
    }
  });

  it('stamps resolution and closing times, and clears the resolution on reopen', () => {
    const t = fresh().ticket;
    const resolved = updateTicket(t, { status: 'resolved' }, actor, later, allDay).ticket;
    expect(resolved.resolvedAt).toBe(later);
    expect(resolved.dueAt).toBeNull();
    const reopened = updateTicket(resolved, { status: 'open' }, actor, later, allDay).ticket;
    expect(reopened.resolvedAt).toBeNull();
    expect(reopened.dueAt).toBe(t.firstResponseDueAt);
    const closed = updateTicket(resolved, { status: 'closed' }, actor, later, allDay).ticket;
    expect(closed.closedAt).toBe(later);
  });

  it('refuses any change to a closed ticket', () => {
    const closed = { ...fresh().ticket, status: 'closed' as const };
    expect(() => updateTicket(closed, { priority: 'high' }, actor, later, allDay)).toThrow(/closed ticket cannot be changed/);
  });
});

describe('updateTicket', () => {
  it('records before and after for each changed field and bumps the version once', () => {
    const t = fresh().ticket;
    const r = updateTicket(t, { priority: 'urgent', assignee: 'L2@Helpdesk.local', tags: ['a'] }, actor, later, allDay);
    expect(r.ticket.version).toBe(2);
    expect(r.ticket.updatedAt).toBe(later);
    expect(r.ticket.assignee).toBe('l2@helpdesk.local');
    expect(r.event).toMatchObject({ action: 'ticket.updated', version: 2, at: later });
    const fields = r.changes.map((c) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['priority', 'assignee', 'tags', 'firstResponseDueAt', 'resolutionDueAt', 'dueAt']));
    expect(r.changes.find((c) => c.field === 'priority')).toEqual({ field: 'priority', before: 'normal', after: 'urgent' });
    // Deadlines move with the priority, counted from creation.
    expect(r.ticket.firstResponseDueAt).toBe('2026-03-02T12:15:00.000Z');
  });

  it('is a no-op when nothing changes', () => {
    const t = fresh({ tags: ['x'] }).ticket;
    const r = updateTicket(t, { priority: 'normal', tags: ['X'], status: 'new' }, actor, later, allDay);
    expect(r.changes).toEqual([]);
    expect(r.ticket).toBe(t);
    expect(r.event).toBeUndefined();
  });
});

describe('addAgentMessage', () => {
  it('a first reply opens the ticket and switches the due time to resolution', () => {
    const t = fresh().ticket;
    const r = addAgentMessage(t, { kind: 'reply', body: 'On it' }, actor, later, allDay);
    expect(r.ticket).toMatchObject({ status: 'open', firstRespondedAt: later, version: 2, dueAt: t.resolutionDueAt });
    expect(r.message).toMatchObject({ kind: 'reply', public: true, author: { type: 'agent', email: actor.email } });
    const second = addAgentMessage(r.ticket, { kind: 'reply', body: 'Done?' }, actor, '2026-03-02T13:00:00.000Z', allDay);
    expect(second.ticket.firstRespondedAt).toBe(later);
  });

  it('a note is internal and changes no status or SLA', () => {
    const t = fresh().ticket;
    const r = addAgentMessage(t, { kind: 'note', body: 'Checked logs' }, actor, later, allDay);
    expect(r.message.public).toBe(false);
    expect(r.ticket).toMatchObject({ status: 'new', firstRespondedAt: null, dueAt: t.dueAt, version: 2 });
  });

  it('refuses a reply on a closed ticket but allows a note', () => {
    const closed = { ...fresh().ticket, status: 'closed' as const };
    expect(() => addAgentMessage(closed, { kind: 'reply', body: 'x' }, actor, later, allDay)).toThrow(RuleViolationError);
    expect(addAgentMessage(closed, { kind: 'note', body: 'x' }, actor, later, allDay).message.kind).toBe('note');
  });
});

describe('ids and SLA defaults', () => {
  it('makes sortable, unique ids', () => {
    const a = newId(1_700_000_000_000);
    const b = newId(1_700_000_000_001);
    expect(a).toMatch(ID_PATTERN);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newId())).size).toBe(1000);
  });

  it('uses the common first-response and resolution targets', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const h = (iso: string) => (Date.parse(iso) - Date.parse(at)) / 3_600_000;
    expect(['urgent', 'high', 'normal', 'low'].map((p) => deadlinesFor(p as never, at, allDay)).map((d) => [h(d.firstResponseDueAt), h(d.resolutionDueAt)])).toEqual([
      [0.25, 4],
      [1, 8],
      [4, 24],
      [8, 72],
    ]);
  });
});
