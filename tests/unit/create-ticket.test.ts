import { describe, expect, it } from 'vitest';
import { createTicket, type CreateTicketDeps, type CreateTicketRequest } from '../../functions/app/create-ticket.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import type { NewTicketInput, Ticket } from '../../functions/core/ticket.ts';

const input: NewTicketInput = { requester: { email: 'ana@example.com' }, subject: 'Impressora parou', body: 'Não imprime desde ontem.', channel: 'phone' };
const agent = { sub: 'agent-1', email: 'l1@desk.example' };
/** An L1 agent of IT; HR is restricted, so a ticket moved there is out of their sight. */
const principal = { ...agent, admin: false, level: 1 as const, departments: ['it'], restricted: ['hr'] };
const request = (over: Partial<CreateTicketRequest> = {}): CreateTicketRequest => ({ input, principal, actor: agent, at: '2026-03-02T12:00:00.000Z', ...over });

/** An in-memory store with the idempotency records the real one keeps (per caller and key); calls logged in order. */
function fakes(race?: { replayOf: { ticketId: string; requestHash: string } } | { inFlight: true }) {
  const calls: string[] = [];
  const tickets = new Map<string, Ticket>();
  const records = new Map<string, { ticketId: string; requestHash: string }>();
  let n = 0;
  const deps: CreateTicketDeps = {
    tickets: {
      findIdempotent: async (caller, key) => (calls.push(`find ${key}`), records.get(`${caller}/${key}`)),
      getTicket: async (id) => tickets.get(id),
      nextTicketNumber: async () => ++n,
      createTicket: async (ticket, _message, _event, idempotency) => {
        calls.push('store');
        if (race) return race;
        tickets.set(ticket.id, ticket);
        if (idempotency) records.set(`${idempotency.caller}/${idempotency.key}`, { ticketId: ticket.id, requestHash: idempotency.requestHash });
        return { created: ticket };
      },
    },
    knownDepartment: async (id) => ['it', 'hr'].includes(id),
    lifecycle: { start: async () => void calls.push('start') },
    policy: defaultPolicy,
  };
  return { deps, calls, tickets, records };
}

const created = (outcome: Awaited<ReturnType<typeof createTicket>>) => (outcome as { created: Ticket }).created;

describe('createTicket (POST /tickets, once per Idempotency-Key)', () => {
  it('a first call opens the ticket, keeps the key with a hash of the request and starts the lifecycle', async () => {
    const f = fakes();
    const ticket = created(await createTicket(request({ idempotencyKey: 'k-1' }), f.deps));
    expect(ticket).toMatchObject({ number: 1, subject: input.subject, channel: 'phone' });
    expect([...f.tickets.keys()]).toEqual([ticket.id]);
    expect(f.records.get('agent-1/k-1')).toEqual({ ticketId: ticket.id, requestHash: expect.any(String) });
    expect(f.calls).toEqual(['find k-1', 'store', 'start']);
  });

  it('without a key nothing is looked up, and each call opens a ticket', async () => {
    const f = fakes();
    await createTicket(request(), f.deps);
    await createTicket(request(), f.deps);
    expect(f.tickets.size).toBe(2);
    expect(f.calls.filter((c) => c.startsWith('find'))).toEqual([]);
  });

  it('a replay with the same body gets the same ticket, with no second ticket and the lifecycle started again (a no-op if running)', async () => {
    const f = fakes();
    const first = created(await createTicket(request({ idempotencyKey: 'k-1' }), f.deps));
    f.calls.length = 0;
    const again = await createTicket(request({ idempotencyKey: 'k-1', at: '2026-03-02T12:05:00.000Z' }), f.deps);
    expect(again).toEqual({ replayed: first });
    expect(f.tickets.size).toBe(1);
    expect(f.calls).toEqual(['find k-1', 'start']);
  });

  it('a replay with a different body is refused (422 idempotency_key_reused) and stores nothing', async () => {
    const f = fakes();
    await createTicket(request({ idempotencyKey: 'k-1' }), f.deps);
    await expect(createTicket(request({ idempotencyKey: 'k-1', input: { ...input, subject: 'Outra coisa' } }), f.deps)).rejects.toMatchObject({
      name: 'RuleViolationError',
      code: 'idempotency_key_reused',
    });
    expect(f.tickets.size).toBe(1);
  });

  it('a replay of a ticket since moved out of the caller\'s sight gets only its id and number', async () => {
    const f = fakes();
    const first = created(await createTicket(request({ idempotencyKey: 'k-1' }), f.deps));
    f.tickets.set(first.id, { ...first, department: 'hr', subject: 'Assunto de RH' });
    const again = await createTicket(request({ idempotencyKey: 'k-1' }), f.deps);
    expect(again).toEqual({ replayedOutOfSight: { id: first.id, number: first.number } });
  });

  it('a key belongs to its caller: another agent with the same key opens a ticket of their own', async () => {
    const f = fakes();
    await createTicket(request({ idempotencyKey: 'k-1' }), f.deps);
    const other = await createTicket(request({ idempotencyKey: 'k-1', principal: { ...principal, sub: 'agent-2' } }), f.deps);
    expect('created' in other).toBe(true);
    expect(f.tickets.size).toBe(2);
  });

  it('a concurrent call that took the key first between lookup and write: its ticket is replayed', async () => {
    const f = fakes();
    const first = created(await createTicket(request({ idempotencyKey: 'k-1' }), f.deps));
    const hash = f.records.get('agent-1/k-1')!.requestHash;
    const raced = fakes({ replayOf: { ticketId: first.id, requestHash: hash } });
    raced.tickets.set(first.id, first);
    expect(await createTicket(request({ idempotencyKey: 'k-1' }), raced.deps)).toEqual({ replayed: first });
  });

  it('in flight: the key is held but its ticket cannot be read yet (from the write, or a record ahead of its ticket)', async () => {
    expect(await createTicket(request({ idempotencyKey: 'k-1' }), fakes({ inFlight: true }).deps)).toEqual({ inFlight: true });
    // The same request's hash, as a first call stores it.
    const hashOf = fakes();
    await createTicket(request({ idempotencyKey: 'k-1' }), hashOf.deps);
    const f = fakes();
    f.records.set('agent-1/k-1', { ticketId: 'not-readable-yet', requestHash: hashOf.records.get('agent-1/k-1')!.requestHash });
    expect(await createTicket(request({ idempotencyKey: 'k-1' }), f.deps)).toEqual({ inFlight: true });
    expect(f.calls).not.toContain('start');
  });

  it('a department that does not exist is refused before anything is stored', async () => {
    const f = fakes();
    await expect(createTicket(request({ input: { ...input, department: 'nowhere' } }), f.deps)).rejects.toMatchObject({ code: 'unknown_department' });
    expect(f.tickets.size).toBe(0);
  });
});
