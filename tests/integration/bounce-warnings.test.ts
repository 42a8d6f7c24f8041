import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { api, createTicket, tokenFor, uniqueEmail, until } from './client.ts';

/**
 * An address that bounced (or complained) warns the agent on every ticket it is
 * on, not only the one whose mail bounced: SES's events (the local mailbox
 * simulator here) are kept per address, and the ticket and the answer to a
 * reply carry `warnings`.
 */
const agent = 'l1@helpdesk.local';
const label = () => randomUUID().slice(0, 8);

async function reply(ticketId: string) {
  const res = await api('POST', `/tickets/${ticketId}/messages`, { token: await tokenFor(agent), body: { kind: 'reply', body: 'Segue a solução.' } });
  expect(res.status).toBe(201);
  expect(res.body.mail.status).toBe('sent');
  return res.body;
}
const view = async (id: string) => (await api('GET', `/tickets/${id}`, { token: await tokenFor(agent) })).body;

describe('a bounced address warns the agent', () => {
  it('after a reply to bounce@simulator bounced, the same address on a second ticket warns before and after the reply', async () => {
    const address = `bounce+${label()}@simulator.amazonses.com`;
    const first = await createTicket({ requester: { email: address, name: 'Bounce' } });
    expect((await view(first.id)).warnings).toEqual([]);
    const firstReply = await reply(first.id);
    // Nothing known when it was sent.
    expect(firstReply.warnings).toEqual([]);
    await until('the bounce on the first ticket', async () => ((await view(first.id)).events.some((e: any) => e.action === 'mail.bounced') ? true : undefined));
    const warning = { code: 'recipient_bounced', address, type: 'permanent', at: expect.any(String) };
    expect((await view(first.id)).warnings).toEqual([warning]);

    // A second ticket from the same address: the composer is warned before a word is sent...
    const second = await createTicket({ requester: { email: address, name: 'Bounce' } });
    expect((await view(second.id)).warnings).toEqual([warning]);
    // ...and the reply's answer says it went to an address that bounced.
    expect((await reply(second.id)).warnings).toEqual([warning]);
    // A note goes to no one: no warning on its answer.
    const note = await api('POST', `/tickets/${second.id}/messages`, { token: await tokenFor(agent), body: { kind: 'note', body: 'Endereço com problema.' } });
    expect(note.body.warnings).toEqual([]);
  });

  it('a complaint warns as recipient_complained; an address with no trouble has no warning', async () => {
    const address = `complaint+${label()}@simulator.amazonses.com`;
    const first = await createTicket({ requester: { email: address, name: 'Complaint' } });
    await reply(first.id);
    await until('the complaint', async () => ((await view(first.id)).events.some((e: any) => e.action === 'mail.complained') ? true : undefined));
    const second = await createTicket({ requester: { email: address.toUpperCase(), name: 'Complaint' } });
    expect((await view(second.id)).warnings).toEqual([{ code: 'recipient_complained', address, type: 'complaint', at: expect.any(String) }]);

    const fine = await createTicket({ requester: { email: uniqueEmail('fine'), name: 'Fine' } });
    expect((await reply(fine.id)).warnings).toEqual([]);
  });
});
