import { describe, expect, it } from 'vitest';
import { replyOnStatusPage, type StatusReplyDeps } from '../../functions/app/status-reply.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { openTicket, type Ticket } from '../../functions/core/ticket.ts';
import { NotFoundError } from '../../functions/core/errors.ts';

const at = '2026-03-02T13:00:00.000Z';
const opened = (extra: Partial<Ticket> = {}): Ticket => ({
  ...openTicket({ requester: { email: 'ana@example.com' }, subject: 'Impressora', body: 'Parou.', channel: 'web' }, 3, { sub: 'web', email: 'web' }, '2026-03-02T12:00:00.000Z', defaultPolicy).ticket,
  ...extra,
});

/** One ticket in memory (or none), the reply claims as a set, and every step logged in order. */
function fakes(ticket: Ticket | undefined, opts: { claimed?: boolean; storeFails?: boolean } = {}) {
  const calls: string[] = [];
  let current = ticket;
  const deps: StatusReplyDeps = {
    tickets: {
      applyChange: async (_id, change) => {
        if (opts.storeFails) throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        if (!current) throw new NotFoundError('Ticket');
        const next = change(current);
        if (next) (calls.push('saved'), (current = next.ticket));
        return next;
      },
    },
    guard: {
      claimReply: async () => (calls.push('claim'), !opts.claimed),
      releaseReply: async () => void calls.push('release'),
    },
    lifecycle: { signal: async () => void calls.push('signal') },
    policy: defaultPolicy,
  };
  return { deps, calls, ticket: () => current };
}

const reply = (ticketId: string) => ({ ticketId, message: 'Ainda não funciona.', at });

describe('replyOnStatusPage (the status page’s reply box)', () => {
  it('a reply to a resolved ticket joins it as the requester’s, reopens it and wakes the lifecycle', async () => {
    const f = fakes(opened({ status: 'resolved', resolvedAt: '2026-03-02T12:30:00.000Z' }));
    expect(await replyOnStatusPage(reply(f.ticket()!.id), f.deps)).toEqual({ saved: true });
    expect(f.calls).toEqual(['claim', 'saved', 'signal']);
    expect(f.ticket()!.status).not.toBe('resolved');
  });

  it('the same words again within the window: saved the first time, only a spare wake', async () => {
    const f = fakes(opened(), { claimed: true });
    expect(await replyOnStatusPage(reply(f.ticket()!.id), f.deps)).toEqual({ saved: true });
    expect(f.calls).toEqual(['claim', 'signal']);
  });

  it('a closed ticket takes no reply: the claim is given back and the ticket’s language comes with the answer', async () => {
    const f = fakes(opened({ status: 'closed', language: 'pt-BR' }));
    expect(await replyOnStatusPage(reply(f.ticket()!.id), f.deps)).toEqual({ closed: { language: 'pt-BR' } });
    expect(f.calls).toEqual(['claim', 'release']);
  });

  it('a ticket gone (erased) is not found, and the claim is given back', async () => {
    const f = fakes(undefined);
    expect(await replyOnStatusPage(reply('t-gone'), f.deps)).toEqual({ notFound: true });
    expect(f.calls).toEqual(['claim', 'release']);
  });

  it('a store failure gives the claim back and fails, so the same words may be sent again', async () => {
    const f = fakes(opened(), { storeFails: true });
    await expect(replyOnStatusPage(reply(f.ticket()!.id), f.deps)).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(f.calls).toEqual(['claim', 'release']);
  });
});
