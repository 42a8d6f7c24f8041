import { describe, expect, it } from 'vitest';
import { addMessage, type AddMessageDeps } from '../../functions/app/add-message.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { openTicket, type Message, type Ticket } from '../../functions/core/ticket.ts';
import type { Rights } from '../../functions/core/access.ts';

const agent = { sub: 'agent-1', email: 'l1@desk.example' };
const everywhere: Rights = { admin: true, level: 1, departments: [], restricted: [] };
const at = '2026-03-02T12:00:00.000Z';

/** One ticket in memory, and the use case's other ports as recorders. */
function fakes(opts: { department?: string; mail?: 'on' | 'off' | 'fails'; uploaded?: Record<string, number> } = {}) {
  let ticket: Ticket = openTicket(
    { requester: { email: 'ana@example.com' }, subject: 'Impressora', body: 'Parou.', channel: 'phone', ...(opts.department ? { department: opts.department } : {}) },
    1,
    agent,
    '2026-03-02T11:00:00.000Z',
    defaultPolicy,
  ).ticket;
  const signalled: string[] = [];
  const mailed: Message[] = [];
  const failures: string[] = [];
  const deps: AddMessageDeps = {
    tickets: {
      applyChange: async (id, change) => {
        expect(id).toBe(ticket.id);
        const next = change(ticket);
        if (next) ticket = next.ticket;
        return next;
      },
    },
    lifecycle: { signal: async (id) => void signalled.push(id) },
    describe: async (key) => (opts.uploaded?.[key] !== undefined ? { size: opts.uploaded[key]!, contentType: 'image/png' } : undefined),
    warningsFor: async (recipients) => recipients.map((address) => ({ address, kind: 'bounced', at }) as never),
    ...(opts.mail === 'off' ? {} : { sendReply: async (_t: Ticket, m: Message) => (opts.mail === 'fails' ? Promise.reject(new Error('SES down')) : (mailed.push(m), { sesMessageId: 'ses-1' })) }),
    onMailFailed: (id) => void failures.push(id),
    policy: defaultPolicy,
  };
  return { deps, signalled, mailed, failures, ticket: () => ticket };
}

const request = (ticketId: string, over: Partial<Parameters<typeof addMessage>[0]> = {}) => ({ ticketId, kind: 'reply' as const, body: 'Já resolvemos.', principal: everywhere, actor: agent, at, ...over });

describe('addMessage (an agent replies or writes a note)', () => {
  it('a first reply is stored, mailed, wakes the lifecycle if it moved and says what was known about the address', async () => {
    const f = fakes();
    const before = f.ticket();
    const out = await addMessage(request(before.id), f.deps);
    expect(out.mail).toEqual({ status: 'sent', sesMessageId: 'ses-1' });
    expect(f.mailed).toEqual([out.message]);
    expect(out.ticket.firstRespondedAt).toBe(at);
    // Woken only when the change moves what the lifecycle waits on.
    expect(f.signalled).toEqual(out.ticket.lifecycleSeq !== before.lifecycleSeq ? [out.ticket.id] : []);
    expect(out.warnings).toHaveLength(1);
  });

  it('a note is never mailed and brings no warnings', async () => {
    const f = fakes();
    const out = await addMessage(request(f.ticket().id, { kind: 'note' }), f.deps);
    expect(out).toMatchObject({ mail: { status: 'not-mailed' }, warnings: [] });
    expect(f.mailed).toEqual([]);
  });

  it('keeps the reply when the mail fails, and says so', async () => {
    const f = fakes({ mail: 'fails' });
    const out = await addMessage(request(f.ticket().id), f.deps);
    expect(out.mail).toEqual({ status: 'failed' });
    expect(f.failures).toEqual([out.ticket.id]);
    expect(out.message.body).toBe('Já resolvemos.');
  });

  it('with mail off, the reply is kept, not mailed', async () => {
    const f = fakes({ mail: 'off' });
    expect((await addMessage(request(f.ticket().id), f.deps)).mail).toEqual({ status: 'not-mailed' });
  });

  it('a ticket the caller may not see does not exist for them', async () => {
    const f = fakes({ department: 'hr' });
    const it1: Rights = { admin: false, level: 1, departments: ['it'], restricted: ['hr'] };
    await expect(addMessage(request(f.ticket().id, { principal: it1 }), f.deps)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(f.signalled).toEqual([]);
  });

  it("takes only this ticket's uploads that are really there and small enough", async () => {
    const f = fakes({ uploaded: { [`uploads/T/a.png`]: 10 } });
    const id = f.ticket().id;
    const own = `uploads/${id}/a.png`;
    await expect(addMessage(request(id, { attachments: [{ key: 'uploads/other/a.png' }] }), f.deps)).rejects.toMatchObject({ code: 'foreign_attachment' });
    await expect(addMessage(request(id, { attachments: [{ key: own }] }), f.deps)).rejects.toMatchObject({ code: 'attachment_missing' });
    const g = fakes({ uploaded: { [own]: 11 * 1024 * 1024 } });
    await expect(addMessage(request(id, { attachments: [{ key: own }] }), { ...g.deps, tickets: f.deps.tickets })).rejects.toMatchObject({ code: 'attachment_too_large' });
    const h = fakes({ uploaded: { [own]: 10 } });
    const out = await addMessage(request(id, { attachments: [{ key: own }, { key: own }] }), { ...h.deps, tickets: f.deps.tickets });
    expect(out.message.attachments).toEqual([{ filename: 'a.png', contentType: 'image/png', size: 10, key: own }]);
  });
});
