import { describe, expect, it } from 'vitest';
import { changeTicket, type ChangeTicketDeps } from '../../functions/app/change-ticket.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { openTicket, type Ticket } from '../../functions/core/ticket.ts';
import type { Rights } from '../../functions/core/access.ts';

const actor = { sub: 'agent-1', email: 'l1@desk.example' };
const admin: Rights & { email: string } = { admin: true, level: 3, departments: [], restricted: [], email: actor.email };
const at = '2026-03-02T13:00:00.000Z';
const opened = (extra: Partial<Ticket> = {}): Ticket => ({
  ...openTicket({ requester: { email: 'ana@example.com' }, subject: 'Impressora', body: 'Parou.', channel: 'phone' }, 5, actor, '2026-03-02T12:00:00.000Z', defaultPolicy).ticket,
  ...extra,
});

/** One stored ticket; saves and lifecycle calls logged in order. */
function fakes(ticket: Ticket) {
  const calls: string[] = [];
  const counters: unknown[] = [];
  const deps: ChangeTicketDeps = {
    tickets: {
      getTicket: async (id) => (id === ticket.id ? ticket : undefined),
      saveTicket: async (next, expected, _event, _message, moved) => void (calls.push(`save v${expected}→v${next.version}`), counters.push(...(moved ?? []))),
    },
    knownDepartment: async (id) => ['it', 'hr'].includes(id),
    getAgent: async (email) => (email.endsWith('@desk.example') ? { email, name: email, groups: ['agents-l1'], departments: [], active: !email.startsWith('off') } : undefined),
    lifecycle: {
      start: async (id) => void calls.push(`start ${id === ticket.id}`),
      stop: async (id, cause) => void calls.push(`stop ${cause}`),
      signal: async () => void calls.push('signal'),
    },
    policy: defaultPolicy,
  };
  return { deps, calls, counters };
}

const change = (t: Ticket, patch: Record<string, unknown>, over: Partial<Parameters<typeof changeTicket>[0]> = {}) => ({ ticketId: t.id, patch, expectedVersion: t.version, principal: admin, actor, at, ...over });

describe('changeTicket (PATCH /tickets/{id})', () => {
  it('a resolution is saved with the report counters it moves, and wakes the lifecycle', async () => {
    const t = opened();
    const f = fakes(t);
    const out = await changeTicket(change(t, { status: 'resolved' }), f.deps);
    expect(out.status).toBe('resolved');
    expect(f.calls).toEqual([`save v${t.version}→v${t.version + 1}`, 'signal']);
    expect(f.counters.length).toBeGreaterThan(0);
  });

  it('closed by hand: the lifecycle stops', async () => {
    const t = opened({ status: 'resolved' });
    const f = fakes(t);
    await changeTicket(change(t, { status: 'closed' }), f.deps);
    expect(f.calls.at(-1)).toBe('stop Closed by an agent');
  });

  it('released from spam: the lifecycle starts', async () => {
    const t = opened({ spam: true });
    const f = fakes(t);
    await changeTicket(change(t, { spam: false }), f.deps);
    expect(f.calls.at(-1)).toBe('start true');
  });

  it('a ticket the caller may not see, or an unknown id, is not found', async () => {
    const t = opened({ department: 'hr' });
    const f = fakes(t);
    const it1 = { admin: false, level: 1 as const, departments: ['it'], restricted: ['hr'], email: 'x@desk.example' };
    await expect(changeTicket(change(t, { priority: 'high' }, { principal: it1 }), f.deps)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(changeTicket(change(t, { priority: 'high' }, { ticketId: 'no such id!' }), f.deps)).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('a stale version is a conflict carrying the current ticket, before any rule is checked', async () => {
    const t = opened();
    const f = fakes(t);
    await expect(changeTicket(change(t, { department: 'nowhere' }, { expectedVersion: t.version - 1 }), f.deps)).rejects.toMatchObject({ name: 'VersionConflictError' });
    expect(f.calls).toEqual([]);
  });

  it('an unknown department or an inactive assignee is refused, and nothing is written', async () => {
    const t = opened();
    const f = fakes(t);
    await expect(changeTicket(change(t, { department: 'nowhere' }), f.deps)).rejects.toMatchObject({ code: 'unknown_department' });
    await expect(changeTicket(change(t, { assignee: 'off@desk.example' }), f.deps)).rejects.toMatchObject({ code: 'unknown_agent' });
    expect(f.calls).toEqual([]);
  });
});
