import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { api, endpoints, tokenFor, uniqueEmail, until } from './client.ts';

/**
 * Mail end to end in local mode: SMTP gateway → S3 + SNS → SQS → the inbound
 * handler → a ticket, and the acknowledgement in the local SES outbox. Async
 * flows are checked by polling what the system exposes, with a timeout.
 */
const ep = endpoints;
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ep.smtpPort, secure: false, ignoreTLS: true });


async function history(email: string) {
  const res = await api('GET', `/customers/${encodeURIComponent(email)}/tickets`, { token: await tokenFor('l1@helpdesk.local') });
  return res.body.items as any[];
}

async function thread(id: string) {
  return (await api('GET', `/tickets/${id}`, { token: await tokenFor('l1@helpdesk.local') })).body;
}

interface OutboxMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

async function outboxFor(email: string): Promise<OutboxMail[]> {
  const res = await fetch(`${ep.outboxUrl}/store`);
  const { emails } = (await res.json()) as { emails: OutboxMail[] };
  return emails.filter((m) => m.destination.to.some((t) => t.includes(email)));
}

const ticketOf = (email: string) => until(`a ticket for ${email}`, async () => (await history(email))[0]);

describe('inbound mail through SMTP', () => {
  it('turns a mail into a ticket, keeps its attachment and acknowledges it once, with the ticket token', async () => {
    const from = uniqueEmail('mail');
    await transport.sendMail({
      from: `Joana Lima <${from}>`,
      to: ep.supportAddress,
      subject: 'Impressora não funciona',
      text: 'Olá, a impressora do 2º andar parou.\n\nObrigada,\nJoana',
      html: '<p>Olá, a impressora do 2º andar <b>parou</b>.</p><script>alert(1)</script><img src="https://tracker.example/p.gif">',
      attachments: [{ filename: 'erro.txt', content: 'paper jam 42' }],
    });
    const summary = await ticketOf(from);
    expect(summary).toMatchObject({ channel: 'email', subject: 'Impressora não funciona', status: 'new', requester: { email: from, name: 'Joana Lima' } });

    const t = await thread(summary.id);
    const first = t.messages[0];
    expect(first.body).toContain('a impressora do 2º andar parou');
    expect(first.mail.html).toContain('<b>parou</b>');
    expect(first.mail.html).not.toMatch(/<script|\ssrc="https:\/\/tracker/);
    // The remote image is kept for an agent to load on request, never loaded by default.
    expect(first.mail.html).toContain('data-remote-src="https://tracker.example/p.gif"');
    expect(first.mail.attachments).toEqual([expect.objectContaining({ filename: 'erro.txt', contentType: 'text/plain', size: 12 })]);
    // An agent downloads it through a short-lived link, always as a download.
    const token = await tokenFor('l1@helpdesk.local');
    const link = await api('GET', `/tickets/${summary.id}/attachments?key=${encodeURIComponent(first.mail.attachments[0].key)}`, { token });
    expect(link.status).toBe(200);
    expect(link.body.filename).toBe('erro.txt');
    const file = await fetch(link.body.url);
    expect(await file.text()).toBe('paper jam 42');
    const foreign = await api('GET', `/tickets/${summary.id}/attachments?key=${encodeURIComponent('inbound/someone-elses-mail')}`, { token });
    expect(foreign.status).toBe(404);

    const acks = await until('the acknowledgement', async () => {
      const mails = await outboxFor(from);
      return mails.length ? mails : undefined;
    });
    expect(acks).toHaveLength(1);
    expect(acks[0]!.subject).toContain(`[#${summary.number}]`);
    expect(acks[0]!.replyTo.join()).toMatch(/support\+[a-z0-9-]+@helpdesk\.local/);
  });

  it('threads an Outlook-style reply without References through the reply token', async () => {
    const from = uniqueEmail('outlook');
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'VPN', text: 'A VPN caiu.' });
    const ticket = await ticketOf(from);
    const ack = await until('ack', async () => (await outboxFor(from))[0]);
    const replyTo = ack.replyTo[0]!.replace(/.*</, '').replace(/>.*/, '');
    await transport.sendMail({
      from,
      to: replyTo,
      subject: `RE: ${ack.subject}`,
      text: 'Ainda sem VPN.\n\n-----Original Message-----\nFrom: Help desk\nSent: Monday\n\nWe got your request',
    });
    const t = await until('the reply on the ticket', async () => {
      const th = await thread(ticket.id);
      return th.messages.length === 2 ? th : undefined;
    });
    expect(t.messages[1].body).toBe('Ainda sem VPN.');
    expect(t.messages[1].mail.fullText).toContain('Original Message');
    expect(await history(from)).toHaveLength(1);
    // No second acknowledgement for a reply.
    expect(await outboxFor(from)).toHaveLength(1);
  });

  it('threads an iOS-style reply on In-Reply-To alone, and a CC participant on the subject token', async () => {
    const from = uniqueEmail('ios');
    const colleague = uniqueEmail('colleague');
    const messageId = `<${randomUUID()}@ios.example.com>`;
    await transport.sendMail({ from, to: ep.supportAddress, cc: colleague, subject: 'Acesso ao ERP', text: 'Sem acesso.', messageId });
    const ticket = await ticketOf(from);
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'Re: Acesso ao ERP', text: 'Alguma novidade?', inReplyTo: messageId });
    await transport.sendMail({ from: colleague, to: ep.supportAddress, subject: `Re: [#${ticket.number}] Acesso ao ERP`, text: 'Eu também estou sem acesso.' });
    const t = await until('both follow-ups', async () => {
      const th = await thread(ticket.id);
      return th.messages.length === 3 ? th : undefined;
    });
    expect(t.messages.map((m: any) => m.author.email).sort()).toEqual([from, from, colleague].sort());
    expect(t.ticket.participants).toContain(colleague);
    expect(await history(colleague)).toHaveLength(0);
  });

  it('opens a linked follow-up when the customer answers a closed ticket', async () => {
    const from = uniqueEmail('late');
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'Teclado', text: 'O teclado falha.' });
    const ticket = await ticketOf(from);
    const ack = await until('ack', async () => (await outboxFor(from))[0]);
    const token = await tokenFor('l1@helpdesk.local');
    let v = ticket.version;
    for (const status of ['resolved', 'closed']) v = (await api('PATCH', `/tickets/${ticket.id}`, { token, headers: { 'if-match': `"${v}"` }, body: { status } })).body.version;
    const replyTo = ack.replyTo[0]!.replace(/.*</, '').replace(/>.*/, '');
    await transport.sendMail({ from, to: replyTo, subject: `Re: ${ack.subject}`, text: 'Voltou a falhar.' });
    const followUp = await until('the follow-up', async () => (await history(from)).find((t: any) => t.id !== ticket.id));
    expect(followUp).toMatchObject({ followUpOf: ticket.id, tags: ['follow-up'], status: 'new' });
    expect((await thread(ticket.id)).ticket.status).toBe('closed');
  });

  it('opens a new ticket for a stranger who reuses a ticket subject token', async () => {
    const owner = uniqueEmail('owner');
    await transport.sendMail({ from: owner, to: ep.supportAddress, subject: 'Senha expirada', text: 'Minha senha expirou.' });
    const ticket = await ticketOf(owner);
    const stranger = uniqueEmail('stranger');
    await transport.sendMail({ from: stranger, to: ep.supportAddress, subject: `Re: [#${ticket.number}] Senha expirada`, text: 'Sou outra pessoa.' });
    const theirs = await ticketOf(stranger);
    expect(theirs.id).not.toBe(ticket.id);
    expect((await thread(ticket.id)).messages).toHaveLength(1);
  });

  it('makes one ticket and one acknowledgement from the same mail delivered several times', async () => {
    const from = uniqueEmail('dup');
    const messageId = `<${randomUUID()}@dup.example.com>`;
    await Promise.all([1, 2, 3].map(() => transport.sendMail({ from, to: ep.supportAddress, subject: 'Duplicado', text: 'Uma vez só.', messageId })));
    await ticketOf(from);
    await until('the acknowledgement', async () => ((await outboxFor(from)).length ? true : undefined));
    // Give the other deliveries time to be processed, then check nothing doubled.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await history(from)).toHaveLength(1);
    expect(await outboxFor(from)).toHaveLength(1);
  });

  it('never acknowledges automated mail, but still records it', async () => {
    const cases: Record<string, string>[] = [
      { 'Auto-Submitted': 'auto-replied' },
      { Precedence: 'bulk' },
      { 'X-Autoreply': 'yes' },
      { 'List-Id': '<news.example.com>' },
    ];
    for (const headers of cases) {
      const from = uniqueEmail('robot');
      await transport.sendMail({ from, to: ep.supportAddress, subject: 'Out of office', text: 'I am away.', headers });
      await ticketOf(from);
    }
    const human = uniqueEmail('human');
    await transport.sendMail({ from: human, to: ep.supportAddress, subject: 'Ajuda', text: 'Preciso de ajuda.', headers: { 'Auto-Submitted': 'no' } });
    await until('the human acknowledgement', async () => ((await outboxFor(human)).length ? true : undefined));
    const robots = (await (await fetch(`${ep.outboxUrl}/store`)).json()) as { emails: OutboxMail[] };
    expect(robots.emails.filter((m) => m.destination.to.some((t) => t.includes('robot-')))).toEqual([]);
  });

  it('files spam without acknowledging it, and quarantines a virus', async () => {
    const spammer = uniqueEmail('spam');
    await transport.sendMail({ from: spammer, to: ep.supportAddress, subject: 'Ganhe dinheiro', text: 'Clique aqui', headers: { 'X-Local-Spam-Verdict': 'FAIL' } });
    const t = await ticketOf(spammer);
    expect((await thread(t.id)).ticket.spam).toBe(true);
    // Spam stays out of the queues, in a view of its own, until an agent releases it.
    const token = await tokenFor('l1@helpdesk.local');
    const queue = (qs: string) => api('GET', `/tickets?requester=${encodeURIComponent(spammer)}${qs}`, { token }).then((r) => r.body.items.map((x: any) => x.id));
    expect(await queue('')).toEqual([]);
    expect(await queue('&spam=true')).toEqual([t.id]);
    const released = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': `"${t.version}"` }, body: { spam: false } });
    expect(released.status).toBe(200);
    expect(await queue('')).toEqual([t.id]);
    expect(await queue('&spam=true')).toEqual([]);
    const infected = uniqueEmail('virus');
    await transport.sendMail({ from: infected, to: ep.supportAddress, subject: 'Fatura', text: 'Veja o anexo', headers: { 'X-Local-Virus-Verdict': 'FAIL' } });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await history(infected)).toEqual([]);
    expect(await outboxFor(spammer)).toEqual([]);
  });

  it("mails an agent's reply to the customer and never a note; the customer's answer threads back", async () => {
    const from = uniqueEmail('conversation');
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'Notebook lento', text: 'Meu notebook está lento.' });
    const ticket = await ticketOf(from);
    await until('ack', async () => ((await outboxFor(from)).length ? true : undefined));
    const token = await tokenFor('l2@helpdesk.local');
    const note = await api('POST', `/tickets/${ticket.id}/messages`, { token, body: { kind: 'note', body: 'INTERNAL: check the disk' } });
    expect(note.body.mail).toEqual({ status: 'not-mailed' });
    const reply = await api('POST', `/tickets/${ticket.id}/messages`, { token, body: { kind: 'reply', body: 'Pode reiniciar o notebook, por favor?' } });
    expect(reply.status).toBe(201);
    expect(reply.body.mail.status).toBe('sent');

    const mails = await until('the reply in the outbox', async () => {
      const all = await outboxFor(from);
      return all.length === 2 ? all : undefined;
    });
    const sent = mails.find((m) => (m.body.text ?? '').includes('reiniciar'))!;
    expect(sent.subject).toContain(`[#${ticket.number}]`);
    expect(sent.replyTo.join()).toMatch(/support\+/);
    expect(JSON.stringify(mails)).not.toContain('INTERNAL');

    // The customer answers the agent's mail, keeping only the subject (no token in the address).
    await transport.sendMail({ from, to: ep.supportAddress, subject: `Re: ${sent.subject}`, text: 'Reiniciei e melhorou, obrigada.' });
    const t = await until('the answer on the ticket', async () => {
      const th = await thread(ticket.id);
      return th.messages.length === 4 ? th : undefined;
    });
    expect(t.messages.map((m: any) => m.kind)).toEqual(['customer', 'note', 'reply', 'customer']);
  });

  it('mails a reply with a file the agent uploaded through a presigned URL', async () => {
    const from = uniqueEmail('withfile');
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'Manual', text: 'Podem mandar o manual?' });
    const ticket = await ticketOf(from);
    const token = await tokenFor('l1@helpdesk.local');
    const content = 'Manual da impressora, página 1.';
    const upload = await api('POST', `/tickets/${ticket.id}/attachments`, { token, body: { filename: 'manual.txt', contentType: 'text/plain', size: Buffer.byteLength(content) } });
    expect(upload.status).toBe(201);
    expect(upload.body.key).toMatch(new RegExp(`^uploads/${ticket.id}/`));
    const put = await fetch(upload.body.uploadUrl, { method: 'PUT', headers: upload.body.headers, body: content });
    expect(put.ok).toBe(true);

    const reply = await api('POST', `/tickets/${ticket.id}/messages`, { token, body: { kind: 'reply', body: 'Segue o manual.', attachments: [{ key: upload.body.key }] } });
    expect(reply.status).toBe(201);
    expect(reply.body.message.attachments).toEqual([{ filename: 'manual.txt', contentType: 'text/plain', size: Buffer.byteLength(content), key: upload.body.key }]);
    const sent = await until('the reply with its file', async () => (await outboxFor(from)).find((m) => (m.body.text ?? '').includes('Segue o manual')));
    const files = (sent as unknown as { attachments: { filename: string; content: string }[] }).attachments;
    expect(files.map((f) => [f.filename, Buffer.from(f.content, 'base64').toString()])).toEqual([['manual.txt', content]]);

    // Keys must be this ticket's, and really uploaded.
    const other = await until('another ticket', async () => (await history(from))[0]);
    const foreign = await api('POST', `/tickets/${other.id}/messages`, { token, body: { kind: 'note', body: 'x', attachments: [{ key: `uploads/01JAAAAAAAAAAAAAAAAAAAAAAA/x/manual.txt` }] } });
    expect(foreign.status).toBe(422);
    const missing = await api('POST', `/tickets/${ticket.id}/messages`, { token, body: { kind: 'note', body: 'x', attachments: [{ key: `uploads/${ticket.id}/nothing/here.txt` }] } });
    expect(missing.body.error.code).toBe('attachment_missing');
    const huge = await api('POST', `/tickets/${ticket.id}/attachments`, { token, body: { filename: 'big.iso', contentType: 'application/octet-stream', size: 11 * 1024 * 1024 } });
    expect(huge.status).toBe(400);
    const noTicket = await api('POST', '/tickets/01JAAAAAAAAAAAAAAAAAAAAAAA/attachments', { token, body: { filename: 'a.txt', contentType: 'text/plain', size: 1 } });
    expect(noTicket.status).toBe(404);
  });

  it('acknowledges in Portuguese when the customer writes in Portuguese, in English otherwise', async () => {
    const pt = uniqueEmail('ptbr');
    const en = uniqueEmail('en');
    await transport.sendMail({ from: pt, to: ep.supportAddress, subject: 'Boleto', text: 'Não recebi o boleto.', headers: { 'Content-Language': 'pt-BR' } });
    await transport.sendMail({ from: en, to: ep.supportAddress, subject: 'Invoice', text: 'No invoice yet.' });
    const ptAck = await until('the Portuguese ack', async () => (await outboxFor(pt))[0]);
    const enAck = await until('the English ack', async () => (await outboxFor(en))[0]);
    expect(ptAck.body.text).toContain('Recebemos sua mensagem "Boleto"');
    expect(enAck.body.text).toContain('"Invoice"');
    expect(enAck.body.text).not.toContain('Recebemos');
  });

  it('records SPF, DKIM and DMARC failures on the message instead of dropping the mail', async () => {
    const from = uniqueEmail('spoofy');
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'Pagamento', text: 'Segue.', headers: { 'X-Local-Spf-Verdict': 'FAIL', 'X-Local-Dmarc-Verdict': 'FAIL' } });
    const t = await ticketOf(from);
    const first = (await thread(t.id)).messages[0];
    expect(first.mail.verdicts).toMatchObject({ spf: 'FAIL', dmarc: 'FAIL', spam: 'PASS', virus: 'PASS' });
  });

  it('stores a huge mail clipped to fit, keeping the raw original', async () => {
    const from = uniqueEmail('huge');
    const text = `Começo.\n${'Linha de log com acentuação çãõ. '.repeat(30_000)}\nFim.`;
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'Log enorme', text, html: `<pre>${text}</pre>` });
    const t = await ticketOf(from);
    const first = (await thread(t.id)).messages[0];
    expect(first.mail.truncated).toBe(true);
    expect(Buffer.byteLength(first.body)).toBeLessThanOrEqual(64_000);
    expect(first.body.startsWith('Começo.')).toBe(true);
    expect(first.mail.raw.key).toMatch(/^inbound\//);
  });

  it('refuses mail for another domain at the SMTP gateway', async () => {
    await expect(transport.sendMail({ from: uniqueEmail(), to: 'someone@elsewhere.example', subject: 'x', text: 'y' })).rejects.toThrow(/550|relay/i);
  });
});
