import { describe, expect, it } from 'vitest';
import { answerRobot, submitHelpForm, type HelpFormDeps } from '../../functions/app/submit-help-form.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import type { Ticket } from '../../functions/core/ticket.ts';
import type { HelpForm } from '../../functions/core/customer-forms.ts';

const form: HelpForm = { name: 'Ana', email: 'ana@example.com', subject: 'Impressora parada', message: 'Não imprime desde ontem.' };
const now = new Date('2026-03-02T12:20:00.000Z');
const submission = (over: Partial<Parameters<typeof submitHelpForm>[0]> = {}) => ({ form, sourceIp: '203.0.113.9', language: 'pt-BR', now, ...over });

/** The guard and the store in memory; every step is logged in order, so the sequence is checked too. */
function fakes(opts: { allow?: boolean; earlier?: { ticketNumber: number; ticketId?: string }; raceLost?: { ticketNumber: number; ticketId?: string }; ack?: 'off' | 'fails'; stored?: Ticket } = {}) {
  const calls: string[] = [];
  const tickets = new Map<string, Ticket>(opts.stored ? [[opts.stored.id, opts.stored]] : []);
  let n = 99;
  const deps: HelpFormDeps = {
    tickets: {
      nextTicketNumber: async () => ++n,
      createTicket: async (ticket) => (calls.push('store'), tickets.set(ticket.id, ticket), { created: ticket }),
      getTicket: async (id) => tickets.get(id),
    },
    knownDepartment: async () => true,
    lifecycle: { start: async (id) => void calls.push(`start ${tickets.get(id)?.number}`) },
    guard: {
      earlier: async () => (calls.push('earlier?'), opts.earlier),
      allow: async (limits) => (calls.push(`allow ${limits.map((l) => l.subject).join(' ')}`), opts.allow ?? true),
      claim: async () => (calls.push('claim'), opts.raceLost ? { claimed: false, earlier: opts.raceLost } : { claimed: true }),
      release: async (_f, number) => void calls.push(`release ${number}`),
      plausibleTicketNumber: async () => 4242,
    },
    acknowledge:
      opts.ack === 'off'
        ? undefined
        : async (t) => {
            calls.push(`acknowledge ${t.number}`);
            if (opts.ack === 'fails') throw new Error('SES down');
          },
    policy: defaultPolicy,
  };
  return { deps, calls, tickets };
}

describe('submitHelpForm (the web form opens a ticket)', () => {
  it('checks for an earlier submission, the hourly limits, then opens, starts and acknowledges a web ticket in the form’s language', async () => {
    const f = fakes();
    expect(await submitHelpForm(submission(), f.deps)).toEqual({ ticketNumber: 100 });
    expect(f.calls).toEqual(['earlier?', 'allow email:ana@example.com ip:203.0.113.9', 'claim', 'store', 'start 100', 'acknowledge 100']);
    const [ticket] = [...f.tickets.values()];
    expect(ticket).toMatchObject({ channel: 'web', language: 'pt-BR', requester: { email: 'ana@example.com', name: 'Ana' }, subject: form.subject });
  });

  it('a form that carries no language (a script, no Accept-Language) takes the language of its text', async () => {
    const f = fakes();
    const message = 'Bom dia, a impressora do segundo andar não imprime desde ontem e já reiniciamos duas vezes.';
    await submitHelpForm(submission({ language: undefined, form: { ...form, message } }), f.deps);
    expect([...f.tickets.values()][0]).toMatchObject({ language: 'pt-BR' });
    // A stated one wins over the text.
    const stated = fakes();
    await submitHelpForm(submission({ language: 'en', form: { ...form, message } }), stated.deps);
    expect([...stated.tickets.values()][0]).toMatchObject({ language: 'en' });
  });

  it('the same submission again gets the first one’s number and finishes its job (start and mail once, whoever runs them)', async () => {
    const earlierRun = fakes();
    await submitHelpForm(submission(), earlierRun.deps);
    const first = [...earlierRun.tickets.values()][0]!;
    const f = fakes({ earlier: { ticketNumber: first.number, ticketId: first.id }, stored: first });
    expect(await submitHelpForm(submission(), f.deps)).toEqual({ ticketNumber: first.number });
    expect(f.calls).toEqual(['earlier?', `start ${first.number}`, `acknowledge ${first.number}`]);
  });

  it('an earlier submission whose ticket is not found is answered with its number alone', async () => {
    const f = fakes({ earlier: { ticketNumber: 7 } });
    expect(await submitHelpForm(submission(), f.deps)).toEqual({ ticketNumber: 7 });
    expect(f.calls).toEqual(['earlier?']);
  });

  it('throttled: nothing opens, and the answer says when the hour turns', async () => {
    const f = fakes({ allow: false });
    expect(await submitHelpForm(submission(), f.deps)).toEqual({ throttled: { retryAfterSeconds: 40 * 60 } });
    expect(f.calls).not.toContain('store');
  });

  it('the same submission sent at the same moment: the one that claimed first answers, no second ticket', async () => {
    const f = fakes({ raceLost: { ticketNumber: 55 } });
    expect(await submitHelpForm(submission(), f.deps)).toEqual({ ticketNumber: 55 });
    expect(f.calls).toEqual(['earlier?', 'allow email:ana@example.com ip:203.0.113.9', 'claim']);
  });

  it('a failed acknowledgement never fails the submission; with mail off there is none', async () => {
    expect(await submitHelpForm(submission(), fakes({ ack: 'fails' }).deps)).toEqual({ ticketNumber: 100 });
    const off = fakes({ ack: 'off' });
    expect(await submitHelpForm(submission(), off.deps)).toEqual({ ticketNumber: 100 });
    expect(off.calls.some((c) => c.startsWith('acknowledge'))).toBe(false);
  });

  it('a robot gets a plausible number and nothing is opened', async () => {
    const f = fakes();
    expect(await answerRobot(f.deps)).toEqual({ ticketNumber: 4242 });
    expect(f.calls).toEqual([]);
  });
});
