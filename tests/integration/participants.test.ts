import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { api, endpoints, tokenFor, uniqueEmail, until } from './client.ts';

/**
 * Who is copied on a ticket's replies is under control: a stranger who writes
 * to the ticket's reply address (a forwarded mail is enough) joins the
 * conversation but is not copied on later replies; the requester brings in
 * whom they CC; agents add and remove people, and the trail says who did.
 */
const ep = endpoints;
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ep.smtpPort, secure: false, ignoreTLS: true });
const agent = 'l1@helpdesk.local';

interface OutboxMail {
  replyTo: string[];
  destination: { to: string[]; cc?: string[] };
  subject: string;
  body: { text?: string };
}
async function outbox(): Promise<OutboxMail[]> {
  return ((await (await fetch(`${ep.outboxUrl}/store`)).json()) as { emails: OutboxMail[] }).emails;
}
const mailsTo = async (email: string) => (await outbox()).filter((m) => m.destination.to.some((t) => t.includes(email)));
const view = async (id: string) => (await api('GET', `/tickets/${id}`, { token: await tokenFor(agent) })).body;

async function agentReply(id: string, text: string) {
  const res = await api('POST', `/tickets/${id}/messages`, { token: await tokenFor(agent), body: { kind: 'reply', body: text } });
  expect(res.status).toBe(201);
  // The reply as SES got it: whom it went to and whom it copied.
  return until('the reply in the outbox', async () => (await outbox()).find((m) => m.body.text?.includes(text)));
}

describe('participants', () => {
  it('a forward to the reply address joins the ticket without copying its sender; the requester CCs someone in; an agent removes and adds people', async () => {
    const requester = uniqueEmail('req');
    const stranger = uniqueEmail('stranger');
    const strangersFriend = uniqueEmail('friend');
    const colleague = uniqueEmail('colleague');
    await transport.sendMail({ from: requester, to: ep.supportAddress, subject: 'Notebook lento', text: 'Muito lento.' });
    const ack = await until('the acknowledgement', async () => (await mailsTo(requester))[0]);
    const replyAddress = ack.replyTo[0]!.replace(/.*</, '').replace(/>.*/, '');
    const id = await until('the ticket', async () => (await api('GET', `/customers/${encodeURIComponent(requester)}/tickets`, { token: await tokenFor(agent) })).body.items[0]?.id as string | undefined);

    // Someone the requester forwarded our mail to writes to the reply address, copying a friend.
    await transport.sendMail({ from: stranger, to: replyAddress, cc: strangersFriend, subject: `Fwd: ${ack.subject}`, text: 'Também quero saber.' });
    let t = await until('the forward on the ticket', async () => {
      const th = await view(id);
      return th.messages.length === 2 ? th : undefined;
    });
    expect(t.messages[1].author.email).toBe(stranger);
    expect(t.ticket.participants).toEqual([]);
    const first = await agentReply(id, 'Primeira resposta do agente.');
    expect([...first.destination.to, ...(first.destination.cc ?? [])].join()).not.toMatch(new RegExp(`${stranger}|${strangersFriend}`));

    // The requester answers, copying a colleague: the colleague is on the ticket from now on.
    await transport.sendMail({ from: requester, to: replyAddress, cc: colleague, subject: `Re: ${ack.subject}`, text: 'Incluindo minha colega.' });
    t = await until('the colleague on the ticket', async () => {
      const th = await view(id);
      return th.ticket.participants.includes(colleague) ? th : undefined;
    });
    expect(t.ticket.participants).toEqual([colleague]);
    expect((await agentReply(id, 'Segunda resposta do agente.')).destination.cc).toEqual([colleague]);

    // An agent takes the colleague off and puts the stranger on, by hand.
    const token = await tokenFor(agent);
    const version = (await view(id)).ticket.version;
    const patched = await api('PATCH', `/tickets/${id}`, { token, headers: { 'if-match': `"${version}"` }, body: { participants: [stranger] } });
    expect(patched.status).toBe(200);
    expect(patched.body.participants).toEqual([stranger]);
    const trail = (await view(id)).events.filter((e: any) => e.changes.some((c: any) => c.field === 'participants'));
    expect(trail.at(-1)).toMatchObject({ action: 'ticket.updated', actor: { email: agent }, changes: [{ field: 'participants', before: [colleague], after: [stranger] }] });
    expect((await agentReply(id, 'Terceira resposta do agente.')).destination.cc).toEqual([stranger]);

    // Bad addresses are a 400, never a 500.
    const bad = await api('PATCH', `/tickets/${id}`, { token, headers: { 'if-match': `"${patched.body.version}"` }, body: { participants: ['not an address'] } });
    expect(bad.status).toBe(400);
  });
});
