import { describe, expect, it } from 'vitest';
import { openTicket, type OpenTicketDeps, type OpenTicketRequest } from '../../functions/app/open-ticket.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import type { Ticket } from '../../functions/core/ticket.ts';

/** In-memory stand-ins for the use case's ports; every call is logged in order, so the steps' sequence is checked too. */
function fakes(answer?: 'alreadyExists' | 'inFlight' | 'replayOf' | 'throws') {
  const calls: string[] = [];
  const stored: Ticket[] = [];
  let n = 41;
  const deps: OpenTicketDeps = {
    tickets: {
      nextTicketNumber: async () => (calls.push('number'), ++n),
      createTicket: async (ticket, _message, _event, idempotency) => {
        calls.push(`store${idempotency ? ' with key' : ''}`);
        if (answer === 'throws') throw new Error('boom');
        if (answer === 'alreadyExists') return { alreadyExists: true };
        if (answer === 'inFlight') return { inFlight: true };
        if (answer === 'replayOf') return { replayOf: { ticketId: 'earlier', requestHash: 'h' } };
        stored.push(ticket);
        return { created: ticket };
      },
    },
    knownDepartment: async (id) => (calls.push(`department ${id}`), ['it', 'support'].includes(id)),
    lifecycle: { start: async (id) => void calls.push(`start ${id}`) },
    policy: defaultPolicy,
  };
  return { deps, calls, stored };
}

const request = (over: Partial<OpenTicketRequest<{ earlier: number }>> = {}): OpenTicketRequest<{ earlier: number }> => ({
  input: { requester: { email: 'Ana@Example.com' }, subject: 'VPN caiu', body: 'A rede não conecta', channel: 'phone' },
  actor: { sub: 'agent-1', email: 'agent@desk.example' },
  at: '2026-03-02T12:00:00.000Z',
  ...over,
});

describe('openTicket (the use case every channel opens tickets with)', () => {
  it('numbers, triages, stores once, then starts the lifecycle', async () => {
    const { deps, calls, stored } = fakes();
    const outcome = await openTicket(request(), deps);
    expect('opened' in outcome).toBe(true);
    const ticket = (outcome as { opened: Ticket }).opened;
    expect(ticket).toMatchObject({ number: 42, status: 'new', channel: 'phone', requester: { email: 'ana@example.com' } });
    expect(stored).toEqual([ticket]);
    // Triage routed it (the default rules send VPN trouble to IT, a known department) before the one write.
    expect(ticket.department).toBe('it');
    expect(calls).toEqual(['number', 'department it', 'store', `start ${ticket.id}`]);
  });

  it('what the caller chose wins over triage', async () => {
    const { deps } = fakes();
    const outcome = await openTicket(request({ input: { ...request().input, department: 'support', priority: 'low' } }), deps);
    expect((outcome as { opened: Ticket }).opened).toMatchObject({ department: 'support', priority: 'low' });
  });

  it('routes nowhere a department that does not exist', async () => {
    const { deps } = fakes();
    const outcome = await openTicket(request(), { ...deps, knownDepartment: async () => false });
    expect((outcome as { opened: Ticket }).opened.department).toBeNull();
  });

  it('triages what it is told to read, or not at all', async () => {
    const { deps, calls } = fakes();
    await openTicket(request({ input: { ...request().input, subject: '(no subject)' }, triage: { subject: 'VPN caiu', body: '', requesterEmail: 'ana@example.com' } }), deps);
    expect(calls).toContain('department it');
    const second = fakes();
    const outcome = await openTicket(request({ triage: false }), second.deps);
    expect(second.calls).not.toContain('department it');
    expect((outcome as { opened: Ticket }).opened.department).toBeNull();
  });

  it('keeps the customer language on the ticket', async () => {
    const { deps } = fakes();
    const outcome = await openTicket(request({ language: 'en' }), deps);
    expect((outcome as { opened: Ticket }).opened.language).toBe('en');
  });

  describe('without a stated language, the language of the text', () => {
    const portuguese = { subject: 'Minha fatura veio errada', body: 'Bom dia, a fatura deste mês veio com um valor maior do que o contratado. Podem verificar, por favor?' };
    const mailOrigin = (language: string | null) => ({ ticketId: 'T0000000000000000000002', messageId: 'M2', participants: [], language, spam: false, mail: { messageId: '<2@x>', sesMessageId: 's2', fullText: '', html: null, raw: { bucket: 'b', key: 'k' }, truncated: false, attachments: [], verdicts: {}, automated: false } });
    const opened = async (over: Partial<OpenTicketRequest<{ earlier: number }>>) => ((await openTicket(request(over), fakes().deps)) as { opened: Ticket }).opened;

    it('a Portuguese ticket is pt-BR, an English one en', async () => {
      expect((await opened({ input: { ...request().input, ...portuguese } })).language).toBe('pt-BR');
      const english = { subject: 'My invoice is wrong', body: 'Good morning, this month the invoice shows more than we agreed to pay. Could you check it, please?' };
      expect((await opened({ input: { ...request().input, ...english } })).language).toBe('en');
    });

    it("a stated language wins over the text's: the caller's, or a mail's Content-Language", async () => {
      expect((await opened({ input: { ...request().input, ...portuguese }, language: 'en' })).language).toBe('en');
      expect((await opened({ input: { ...request().input, ...portuguese }, origin: mailOrigin('en-US') })).language).toBe('en-US');
      // A mail without the header is read.
      expect((await opened({ input: { ...request().input, ...portuguese }, origin: mailOrigin(null) })).language).toBe('pt-BR');
    });

    it('too little text leaves it unknown, so the desk default applies', async () => {
      expect((await opened({ input: { ...request().input, subject: 'Ajuda', body: 'Obrigado' } })).language).toBeNull();
    });
  });

  it('starts no lifecycle for spam, and records what the channel records before starting', async () => {
    const { deps, calls } = fakes();
    const origin = { ticketId: 'T0000000000000000000001', messageId: 'M1', participants: [], language: null, spam: true, mail: { messageId: '<1@x>', sesMessageId: 's1', fullText: '', html: null, raw: { bucket: 'b', key: 'k' }, truncated: false, attachments: [], verdicts: {}, automated: false } };
    const outcome = await openTicket(request({ origin, triage: false, stored: async (t) => void calls.push(`remember ${t.id}`) }), deps);
    expect((outcome as { opened: Ticket }).opened.id).toBe(origin.ticketId);
    expect(calls).toEqual(['number', 'store', `remember ${origin.ticketId}`]);
  });

  it('the stored hook runs between the write and the start', async () => {
    const { deps, calls } = fakes();
    const outcome = await openTicket(request({ stored: async () => void calls.push('stored') }), deps);
    const id = (outcome as { opened: Ticket }).opened.id;
    expect(calls.slice(-3)).toEqual(['store', 'stored', `start ${id}`]);
  });

  it('a claim someone else holds stops it before the write', async () => {
    const { deps, calls } = fakes();
    const outcome = await openTicket(request({ claim: async (t) => (calls.push(`claim ${t.number}`), { earlier: 7 }) }), deps);
    expect(outcome).toEqual({ held: { earlier: 7 } });
    expect(calls).toEqual(['number', 'department it', 'claim 42']);
  });

  it('gives the claim back when the write fails, and starts nothing', async () => {
    const { deps, calls } = fakes('throws');
    const req = request({ claim: async () => undefined, release: async (t) => void calls.push(`release ${t.number}`) });
    await expect(openTicket(req, deps)).rejects.toThrow('boom');
    expect(calls).toEqual(['number', 'department it', 'store', 'release 42']);
  });

  it('a ticket already there: the claim back, no start; the caller resumes', async () => {
    const { deps, calls } = fakes('alreadyExists');
    const outcome = await openTicket(request({ release: async () => void calls.push('release') }), deps);
    expect('alreadyExists' in outcome).toBe(true);
    expect(calls).toEqual(['number', 'department it', 'store', 'release']);
  });

  it('an idempotency key another request holds: its ticket or in flight, no start', async () => {
    const idempotency = { caller: 'agent-1', key: 'k1', requestHash: 'h' };
    const replay = fakes('replayOf');
    expect(await openTicket(request({ idempotency }), replay.deps)).toEqual({ replayOf: { ticketId: 'earlier', requestHash: 'h' } });
    expect(replay.calls.at(-1)).toBe('store with key');
    const flight = fakes('inFlight');
    expect(await openTicket(request({ idempotency }), flight.deps)).toEqual({ inFlight: true });
    expect(flight.calls.some((c) => c.startsWith('start'))).toBe(false);
  });
});
