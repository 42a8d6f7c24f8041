import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { api, endpoints as ep, tokenFor, uniqueEmail, until } from './client.ts';

/**
 * The customer's language from their text (issue 13): a mail sent through
 * local mode's SMTP gateway with no Content-Language is acknowledged in the
 * language it is written in, and the ticket keeps that language for the status
 * page, the survey and replies. A Content-Language header still wins.
 */
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ep.smtpPort, secure: false, ignoreTLS: true });

interface OutboxMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

async function acknowledgementTo(email: string): Promise<OutboxMail> {
  return until(`the acknowledgement to ${email}`, async () => {
    const { emails } = (await (await fetch(`${ep.outboxUrl}/store`)).json()) as { emails: OutboxMail[] };
    return emails.find((m) => m.destination.to.some((t) => t.includes(email)));
  });
}

async function ticketOf(email: string) {
  const token = await tokenFor('l1@helpdesk.local');
  const summary = await until(`a ticket for ${email}`, async () => (await api('GET', `/customers/${encodeURIComponent(email)}/tickets`, { token })).body.items?.[0]);
  return (await api('GET', `/tickets/${summary.id}`, { token })).body.ticket;
}

const portuguese = {
  subject: 'Pedido não chegou',
  text: 'Boa tarde, fiz uma compra há duas semanas e o pedido ainda não chegou. O rastreamento não mostra nenhuma atualização. Podem verificar, por favor?\n\nObrigada,\nMarta',
};
const english = {
  subject: 'Order has not arrived',
  text: 'Good afternoon, I bought something two weeks ago and the order has still not arrived. The tracking shows no update. Could you check, please?\n\nThanks,\nMartha',
};

describe('the language of a mail without Content-Language', () => {
  it('a Portuguese mail is acknowledged in Portuguese, an English one in English', async () => {
    const pt = uniqueEmail('lang-pt');
    const en = uniqueEmail('lang-en');
    await transport.sendMail({ from: pt, to: ep.supportAddress, ...portuguese });
    await transport.sendMail({ from: en, to: ep.supportAddress, ...english });

    const ptAck = await acknowledgementTo(pt);
    expect(ptAck.body.text).toContain('Recebemos sua mensagem');
    expect((await ticketOf(pt)).language).toBe('pt-BR');

    const enAck = await acknowledgementTo(en);
    expect(enAck.body.text).toContain('We have received your message');
    expect((await ticketOf(en)).language).toBe('en');
  });

  it("a Content-Language header wins over the text's language", async () => {
    const from = uniqueEmail('lang-header');
    await transport.sendMail({ from, to: ep.supportAddress, ...portuguese, headers: { 'Content-Language': 'en' } });
    const ack = await acknowledgementTo(from);
    expect(ack.body.text).toContain('We have received your message');
    expect((await ticketOf(from)).language).toBe('en');
  });

  it('too short to tell: the desk default (English)', async () => {
    const from = uniqueEmail('lang-short');
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'Ajuda', text: 'Obrigado' });
    const ack = await acknowledgementTo(from);
    expect(ack.body.text).toContain('We have received your message');
    expect((await ticketOf(from)).language).toBeNull();
  });
});

describe('the language of a web form that carries none', () => {
  const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${ep.apiUrl}/help`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });

  it('a script posting a Portuguese form with no language (fetch sends Accept-Language: *) is acknowledged in Portuguese; a browser language wins', async () => {
    const bare = uniqueEmail('lang-form');
    const res = await post({ name: 'Marta', email: bare, subject: portuguese.subject, message: portuguese.text, website: '' });
    expect(res.status).toBe(200);
    expect((await acknowledgementTo(bare)).body.text).toContain('Recebemos sua mensagem');
    expect((await ticketOf(bare)).language).toBe('pt-BR');

    const browser = uniqueEmail('lang-form-en');
    await post({ name: 'Marta', email: browser, subject: portuguese.subject, message: portuguese.text, website: '' }, { 'accept-language': 'en-US,en;q=0.9' });
    expect((await acknowledgementTo(browser)).body.text).toContain('We have received your message');
    expect((await ticketOf(browser)).language).toBe('en');
  });
});
