import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { api, endpoints as ep, tokenFor, uniqueEmail, until } from './client.ts';

/**
 * What inbound mail may and may not make the desk do, end to end through the
 * SMTP gateway (local mode's SES): automatic replies change nothing, a sender
 * who fails authentication gets no automatic mail, no plausible mail is lost
 * to a retry loop, the same raw mail twice is one ticket, and a mail without
 * a From header still opens a ticket.
 */
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ep.smtpPort, secure: false, ignoreTLS: true });
const agent = () => tokenFor('l1@helpdesk.local');

async function history(email: string) {
  return (await api('GET', `/customers/${encodeURIComponent(email)}/tickets`, { token: await agent() })).body.items as any[];
}
const ticketOf = (email: string) => until(`a ticket for ${email}`, async () => (await history(email))[0]);
const thread = async (id: string) => (await api('GET', `/tickets/${id}`, { token: await agent() })).body;

async function outboxFor(email: string): Promise<{ subject: string; body: { text?: string } }[]> {
  const { emails } = (await (await fetch(`${ep.outboxUrl}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string; body: { text?: string } }[] };
  return emails.filter((m) => m.destination.to.some((t) => t.includes(email)));
}

/** Sends bytes exactly as given, with an envelope of our choosing (what a script's smtplib.sendmail does). */
const sendRaw = (from: string, raw: string | Buffer) => transport.sendMail({ envelope: { from, to: [ep.supportAddress] }, raw });

/** Moves a ticket to a status through the API, as an agent. */
async function setStatus(id: string, status: string) {
  const t = (await thread(id)).ticket;
  const res = await api('PATCH', `/tickets/${id}`, { token: await agent(), headers: { 'if-match': `"${t.version}"` }, body: { status } });
  expect(res.status).toBe(200);
  return res.body;
}

describe('automatic replies', () => {
  for (const [status, headers] of [
    ['resolved', { 'Auto-Submitted': 'auto-replied' }],
    ['pending', { 'X-Autoreply': 'yes' }],
  ] as const) {
    it(`are recorded on a ${status} ticket as automatic and change nothing`, async () => {
      const from = uniqueEmail('ooo');
      const messageId = `<${randomUUID()}@client.example>`;
      await transport.sendMail({ from, to: ep.supportAddress, subject: 'Impressora', text: 'A impressora parou.', messageId });
      const opened = await ticketOf(from);
      if (status === 'resolved') await setStatus(opened.id, 'open');
      const before = await setStatus(opened.id, status);
      await transport.sendMail({ from, to: ep.supportAddress, subject: 'Automatic reply: Impressora', text: 'I am away until Monday.', inReplyTo: messageId, headers });
      const t = await until('the out-of-office on the ticket', async () => {
        const th = await thread(opened.id);
        return th.messages.length === 2 ? th : undefined;
      });
      expect(t.messages[1]).toMatchObject({ body: 'I am away until Monday.', mail: { automated: true } });
      for (const field of ['status', 'slaPausedAt', 'resolvedAt', 'levelDueAt', 'dueAt', 'survey', 'lifecycleSeq']) expect(t.ticket[field], field).toEqual(before[field]);
      expect(await history(from)).toHaveLength(1);
    });
  }

  it('that answer no ticket stay out of the queues, findable in the spam view and flagged automatic', async () => {
    const robot = uniqueEmail('robot');
    await transport.sendMail({ from: robot, to: ep.supportAddress, subject: 'Out of office', text: 'Away.', headers: { 'Auto-Submitted': 'auto-replied' } });
    const t = await ticketOf(robot);
    expect(t).toMatchObject({ automatic: true, spam: true, tags: ['automatic'] });
    const token = await agent();
    const ids = async (qs: string) => (await api('GET', `/tickets?requester=${encodeURIComponent(robot)}${qs}`, { token })).body.items.map((x: any) => x.id);
    expect(await ids('')).toEqual([]);
    expect(await ids('&spam=true')).toEqual([t.id]);
  });
});

describe('failed authentication', () => {
  it('opens an unverified ticket with no acknowledgement; an agent reply still goes out', async () => {
    const victim = uniqueEmail('victim');
    await transport.sendMail({
      from: victim,
      to: ep.supportAddress,
      subject: 'Urgente: confirme sua senha',
      text: 'Clique no link.',
      headers: { 'X-Local-Spf-Verdict': 'FAIL', 'X-Local-Dkim-Verdict': 'FAIL', 'X-Local-Dmarc-Verdict': 'FAIL' },
    });
    const t = await ticketOf(victim);
    expect(t.unverified).toBe(true);
    const reply = await api('POST', `/tickets/${t.id}/messages`, { token: await agent(), body: { kind: 'reply', body: 'Recebemos uma mensagem em seu nome; foi você?' } });
    expect(reply.status).toBe(201);
    const mails = await until('the agent reply', async () => ((await outboxFor(victim)).length ? outboxFor(victim) : undefined));
    // The ack would have been sent before the ticket was even visible; give it time anyway.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await outboxFor(victim)).map((m) => m.body.text?.includes('foi você'))).toEqual([true]);
    expect(mails).toHaveLength(1);
  });
});

describe('failed authentication on an answer to a ticket', () => {
  it("a forged From (DMARC fails) with the ticket's subject token does not join it, and its Cc becomes no one's participant", async () => {
    const victim = uniqueEmail('victim');
    const attacker = uniqueEmail('attacker');
    await transport.sendMail({ from: victim, to: ep.supportAddress, subject: 'Impressora', text: 'A impressora parou.' });
    const genuine = await ticketOf(victim);
    // Envelope to the desk only, as an attacker's relay would do; the Cc header is what the desk reads.
    await transport.sendMail({
      envelope: { from: victim, to: [ep.supportAddress] },
      from: victim,
      to: ep.supportAddress,
      cc: attacker,
      subject: `Re: [#${genuine.number}] Impressora`,
      text: 'Copiem meu colega em tudo.',
      headers: { 'X-Local-Dmarc-Verdict': 'FAIL' },
    });
    const separate = await until('a separate ticket for the forged mail', async () => (await history(victim)).find((t) => t.id !== genuine.id));
    const forged = await thread(separate.id);
    expect(forged.ticket).toMatchObject({ unverified: true, participants: [] });
    expect(forged.messages[0]).toMatchObject({ body: 'Copiem meu colega em tudo.', mail: { unverified: true } });
    const original = await thread(genuine.id);
    expect(original.ticket.participants).toEqual([]);
    expect(original.messages).toHaveLength(1);
  });
});

describe('strings no encoder takes', () => {
  it('turns mail with an emoji across the file-name cut and a lone surrogate in an encoded word into a ticket', async () => {
    const from = uniqueEmail('unicode');
    const name = `${'a'.repeat(199)}😀.txt`;
    const lone = `=?utf-16le?B?${Buffer.from(new Uint16Array([0xd800, 0x41]).buffer).toString('base64')}?=`;
    const raw = [
      `From: ${lone} <${from}>`,
      `To: ${ep.supportAddress}`,
      `Subject: ${lone} impressora`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary=XX',
      '',
      '--XX',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'segue o log',
      '--XX',
      'Content-Type: text/plain',
      `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      '',
      'log',
      '--XX',
      'Content-Type: text/plain',
      `Content-Disposition: attachment; filename="${lone}.txt"`,
      '',
      'log 2',
      '--XX--',
      '',
    ].join('\r\n');
    await sendRaw(from, raw);
    const t = await ticketOf(from);
    expect(t.subject).toBe('\ufffdA impressora');
    const files = (await thread(t.id)).messages[0].mail.attachments.map((a: any) => a.filename);
    expect(files).toEqual(['a'.repeat(199), '\ufffdA.txt']);
  });

  it('answers 400, never 500, to a lone surrogate in the API, and takes a long name of emoji', async () => {
    const token = await agent();
    const email = uniqueEmail('api');
    const created = await api('POST', '/tickets', { token, body: { requester: { email }, subject: 'ok', body: 'ok', channel: 'phone' } });
    expect(created.status).toBe(201);
    const id = created.body.id ?? created.body.ticket?.id;
    const cases: [string, Promise<{ status: number; body: any }>][] = [
      ['ticket subject', api('POST', '/tickets', { token, body: { requester: { email, name: 'Ana \ud83d' }, subject: 'x\ud800', body: 'ok', channel: 'phone' } })],
      ['message body', api('POST', `/tickets/${id}/messages`, { token, body: { kind: 'note', body: 'nota \udc00' } })],
      ['upload file name', api('POST', `/tickets/${id}/attachments`, { token, body: { filename: `${'😀'.repeat(99)}\ud83d`, contentType: 'text/plain', size: 3 } })],
      ['a key', api('POST', '/tickets', { token, body: { requester: { email }, subject: 'ok', body: 'ok', channel: 'phone', '\ud800': 1 } })],
    ];
    for (const [what, res] of cases) {
      const r = await res;
      expect(r.status, what).toBe(400);
      expect(r.body.error.code, what).toBe('invalid_text');
    }
    const emoji = await api('POST', `/tickets/${id}/attachments`, { token, body: { filename: `${'😀'.repeat(100)}`, contentType: 'text/plain', size: 3 } });
    expect(emoji.status).toBe(201);
    expect(Buffer.byteLength(emoji.body.key)).toBeLessThanOrEqual(1024);
    const put = await fetch(emoji.body.uploadUrl, { method: 'PUT', headers: emoji.body.headers, body: 'abc' });
    expect(put.ok).toBe(true);
    // The web form: percent-encoded surrogates and a name of emoji past every limit get a page, never a 500.
    const surrogate = '%ED%A0%80';
    for (const name of [`Ana${surrogate}`, '%F0%9F%98%80'.repeat(150)]) {
      const fields = `name=${name}&email=${encodeURIComponent(uniqueEmail('form'))}&subject=Oi${surrogate}&message=Ola${surrogate}&website=&lang=en`;
      const page = await fetch(`${ep.apiUrl}/help`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields, redirect: 'manual' });
      expect(page.status, name).toBeLessThan(500);
    }
  });
});

describe('duplicates and senders', () => {
  it('makes one ticket and one acknowledgement of the same raw mail, without a Message-ID, delivered twice', async () => {
    const from = uniqueEmail('twice');
    const raw = [`From: ${from}`, `To: ${ep.supportAddress}`, 'Subject: Enviado duas vezes', 'Date: Mon, 07 Dec 2026 10:00:00 +0000', '', 'Mesmo corpo.', ''].join('\r\n');
    await sendRaw(from, raw);
    await sendRaw(from, raw);
    await ticketOf(from);
    await until('the acknowledgement', async () => ((await outboxFor(from)).length ? true : undefined));
    // Give the second delivery time to be processed, then check nothing doubled.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await history(from)).toHaveLength(1);
    expect(await outboxFor(from)).toHaveLength(1);
  });

  it("opens a ticket for the envelope sender of a mail with no From header (Python smtplib's bare sendmail)", async () => {
    const from = uniqueEmail('smtplib');
    await sendRaw(from, 'Subject: teste do script\r\n\r\nOla, isto veio de um script.\r\n');
    const t = await ticketOf(from);
    expect(t).toMatchObject({ requester: { email: from }, subject: 'teste do script', channel: 'email' });
    await until('the acknowledgement', async () => ((await outboxFor(from)).length ? true : undefined));
  });
});
