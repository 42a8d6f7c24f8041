import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import nodemailer from 'nodemailer';
import { api, endpoints, tokenFor, uniqueEmail, until } from './client.ts';
import { signLink } from '../../functions/core/signed-link.ts';

/**
 * The customer pages in local mode: the web form that opens a ticket (with its
 * honeypot, throttle and duplicate check), the acknowledgement's status link,
 * the status page (public conversation only) and its reply box, and every
 * kind of bad request answered with a 4xx page, never a 500.
 *
 * Requests leave from their own loopback address (127.x.y.z) so the per-IP
 * throttle of one test never meets another's.
 */
const ep = endpoints;
const FORM = 'application/x-www-form-urlencoded';

interface PageResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const randomIp = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** One HTTP request from a chosen source address (the handler sees it as the source IP). */
function request(method: string, path: string, opts: { body?: string | Buffer; contentType?: string; ip?: string; headers?: Record<string, string> } = {}): Promise<PageResponse> {
  const url = new URL(ep.apiUrl + path);
  const headers: Record<string, string | number> = { ...opts.headers };
  if (opts.contentType) headers['content-type'] = opts.contentType;
  if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress: opts.ip ?? randomIp(), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const submit = (fields: Record<string, string>, opts: { ip?: string; headers?: Record<string, string> } = {}) => request('POST', '/help', { body: form(fields), contentType: FORM, ...opts });

function webForm(overrides: Record<string, string> = {}) {
  return { name: 'Maria Souza', email: uniqueEmail('web'), subject: 'Não consigo imprimir', message: 'A impressora do 3º andar parou.\nJá reiniciei.', website: '', lang: 'pt-BR', ...overrides };
}

const numberOn = (page: string) => Number(/#(\d+)/.exec(page.replace(/<style>[\s\S]*?<\/style>/, ''))?.[1]);

async function history(email: string) {
  const res = await api('GET', `/customers/${encodeURIComponent(email)}/tickets`, { token: await tokenFor('l1@helpdesk.local') });
  return res.body.items as any[];
}

async function thread(id: string) {
  return (await api('GET', `/tickets/${id}`, { token: await tokenFor('l1@helpdesk.local') })).body;
}

/** An agent's change, at the version just read (the lifecycle may write in between: then again). */
async function patch(id: string, body: Record<string, unknown>) {
  for (let attempt = 0; ; attempt++) {
    const { ticket } = await thread(id);
    const res = await api('PATCH', `/tickets/${id}`, { token: await tokenFor('l1@helpdesk.local'), body: { ...body, version: ticket.version } });
    if (res.status !== 409 || attempt >= 5) return res;
  }
}

interface OutboxMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

async function outboxFor(email: string): Promise<OutboxMail[]> {
  const { emails } = (await (await fetch(`${ep.outboxUrl}/store`)).json()) as { emails: OutboxMail[] };
  return emails.filter((m) => m.destination.to.some((t) => t.includes(email)));
}

const STATUS_LINK = /https?:\/\/[^\s"<]+\/status\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/;

/** Opens a ticket through the form and waits for its acknowledgement; returns the ticket and the status link. */
async function openThroughForm(overrides: Record<string, string> = {}) {
  const fields = webForm(overrides);
  const res = await submit(fields);
  expect(res.status).toBe(200);
  const summary = await until('the web ticket', async () => (await history(fields.email))[0]);
  const ack = await until('the acknowledgement', async () => (await outboxFor(fields.email)).find((m) => m.subject.includes(`[#${summary.number}]`)));
  const link = STATUS_LINK.exec(ack.body.text ?? '')![0];
  return { fields, summary, ack, link, token: link.split('/status/')[1]!, path: new URL(link).pathname };
}

const expectPage = (res: PageResponse, status: number) => {
  expect(res.status, res.text.slice(0, 500)).toBe(status);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  expect(res.text).toMatch(/^<!doctype html>/);
};

describe('the web form', () => {
  it('renders in English and in Brazilian Portuguese, by Accept-Language or by choice', async () => {
    const en = await request('GET', '/help', { headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expectPage(en, 200);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('<label for="email">Your email address (required)</label>');
    expect(en.text).toContain('<form method="post" action="/help">');
    expect(en.text).toMatch(/<input type="text" id="website" name="website" tabindex="-1" autocomplete="off"/);
    expect(en.text).not.toMatch(/<script/i);

    const pt = await request('GET', '/help', { headers: { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.5' } });
    expectPage(pt, 200);
    expect(pt.text).toContain('<html lang="pt-BR">');
    expect(pt.text).toContain('Seu e-mail (obrigatório)');

    const chosen = await request('GET', '/help?lang=pt-BR', { headers: { 'accept-language': 'en' } });
    expect(chosen.text).toContain('<html lang="pt-BR">');
  });

  it('opens a web ticket that agents see, acknowledges it by mail with a working status link', async () => {
    const fields = webForm();
    const res = await submit(fields);
    expectPage(res, 200);
    expect(res.text).toContain('Recebemos sua solicitação');
    const number = numberOn(res.text);

    const summary = await until('the web ticket', async () => (await history(fields.email))[0]);
    expect(summary).toMatchObject({ number, channel: 'web', subject: 'Não consigo imprimir', status: 'new', requester: { email: fields.email, name: 'Maria Souza' } });
    const t = await thread(summary.id);
    expect(t.ticket).toMatchObject({ language: 'pt-BR', createdBy: 'web' });
    expect(t.ticket.triage).not.toBeNull();
    expect(t.ticket.levelDueAt).toEqual(expect.any(String));
    expect(t.messages).toHaveLength(1);
    expect(t.messages[0]).toMatchObject({ kind: 'customer', public: true, body: 'A impressora do 3º andar parou.\nJá reiniciei.' });

    // In the queue agents work.
    const queue = await api('GET', `/tickets?requester=${encodeURIComponent(fields.email)}`, { token: await tokenFor('l1@helpdesk.local') });
    expect(queue.body.items.map((i: any) => i.id)).toContain(summary.id);

    const ack = await until('the acknowledgement', async () => (await outboxFor(fields.email))[0]);
    expect(ack.subject).toContain(`[#${number}]`);
    const link = STATUS_LINK.exec(ack.body.text ?? '')?.[0];
    expect(link, ack.body.text).toBeDefined();
    expect(ack.body.html).toContain(`href="${link}"`);

    const page = await request('GET', new URL(link!).pathname);
    expectPage(page, 200);
    expect(page.text).toContain(`<h1>Chamado #${number}</h1>`);
    expect(page.text).toContain('Não consigo imprimir');
    expect(page.text).toContain('A impressora do 3º andar parou.<br>\nJá reiniciei.');
    expect(page.text).toContain('Recebido: aguardando nossa equipe');
    expect(page.text).toContain('<form method="post" action="/status/reply">');
    expect((await outboxFor(fields.email))).toHaveLength(1);
  });

  it('keeps the values and names the problems of an invalid form (400), without a ticket', async () => {
    const email = uniqueEmail('invalid');
    const res = await submit({ name: '<b>Ana</b>', email: `${email}x@`, subject: '', message: 'x'.repeat(5001), website: '', lang: 'en' });
    expectPage(res, 400);
    expect(res.text).toContain('Please enter an email address such as');
    expect(res.text).toContain('Please fill this in.');
    expect(res.text).toContain('Please keep this to 5,000 characters or fewer.');
    expect(res.text).toContain('value="&lt;b&gt;Ana&lt;/b&gt;"');
    expect(res.text).toContain(`value="${email}x@"`);
    expect(res.text).toMatch(/id="subject" [^>]*aria-invalid="true"/);

    const ours = await submit(webForm({ email: ep.supportAddress.replace('@', '+x@') }));
    expectPage(ours, 400);
    expect(ours.text).toContain('este endereço é nosso');
  });

  it('answers a filled honeypot with the same thank-you page, and opens no ticket and sends no mail', async () => {
    const fields = webForm({ website: 'https://cheap-pills.example' });
    const res = await submit(fields);
    expectPage(res, 200);
    expect(res.text).toContain('Recebemos sua solicitação');
    expect(numberOn(res.text)).toBeGreaterThan(0);
    // A real submission right after, so anything the robot's would have done has had time to show.
    await openThroughForm();
    expect(await history(fields.email)).toEqual([]);
    expect(await outboxFor(fields.email)).toEqual([]);
  });

  it('takes the same submission once: sent again, or twice at once, it answers with the first ticket', async () => {
    const fields = webForm();
    const first = await submit(fields);
    const again = await submit({ ...fields, message: `  ${fields.message}  ` });
    expectPage(again, 200);
    expect(numberOn(again.text)).toBe(numberOn(first.text));

    const twin = webForm();
    const both = await Promise.all([submit(twin), submit(twin)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(numberOn(both[0]!.text)).toBe(numberOn(both[1]!.text));

    for (const email of [fields.email, twin.email]) {
      await until('the acknowledgement', async () => (await outboxFor(email))[0]);
      expect(await history(email)).toHaveLength(1);
      expect(await outboxFor(email)).toHaveLength(1);
    }
    // A different message from the same person is a new ticket.
    expectPage(await submit({ ...fields, message: 'Outra coisa' }), 200);
    await until('a second ticket', async () => ((await history(fields.email)).length === 2 ? true : undefined));
  });

  /** Runs `body` within one clock hour (the throttle's window), again if the hour turned meanwhile. */
  async function withinOneHour(body: () => Promise<void>) {
    for (let attempt = 0; ; attempt++) {
      const hour = Math.floor(Date.now() / 3_600_000);
      try {
        await body();
        return;
      } catch (err) {
        if (attempt > 0 || Math.floor(Date.now() / 3_600_000) === hour) throw err;
      }
    }
  }

  it('takes the default 30 submissions an hour from one source IP (an office), then answers 429 with a clear page', async () => {
    await withinOneHour(async () => {
      const ip = randomIp();
      for (let i = 0; i < 30; i++) expect((await submit(webForm(), { ip })).status).toBe(200);
      const blocked = webForm({ lang: 'en' });
      const res = await submit(blocked, { ip });
      expectPage(res, 429);
      expect(res.text).toContain('Too many requests');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(await history(blocked.email)).toEqual([]);
      // Another address is not held up.
      expect((await submit(webForm())).status).toBe(200);
    });
  });

  it('takes at most 5 submissions an hour for one email address, whatever the source IP', async () => {
    await withinOneHour(async () => {
      const email = uniqueEmail('busy');
      for (let i = 0; i < 5; i++) expect((await submit(webForm({ email, subject: `Pedido ${i}` }))).status).toBe(200);
      const res = await submit(webForm({ email, subject: 'Pedido 6' }));
      expectPage(res, 429);
      expect(res.text).toContain('Solicitações demais');
      await until('five tickets', async () => ((await history(email)).length === 5 ? true : undefined));
    });
  });

  it('answers hostile bodies with 4xx pages, never a 500', async () => {
    const cases: [string, Promise<PageResponse>, number][] = [
      ['huge', request('POST', '/help', { body: form({ ...webForm(), message: 'x'.repeat(100_000) }), contentType: FORM }), 413],
      ['binary', request('POST', '/help', { body: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)), contentType: 'application/octet-stream' }), 415],
      ['JSON', request('POST', '/help', { body: JSON.stringify(webForm()), contentType: 'application/json' }), 415],
      ['no content type', request('POST', '/help', { body: form(webForm()) }), 415],
      ['multipart', request('POST', '/help', { body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.co\r\n--x--', contentType: 'multipart/form-data; boundary=x' }), 415],
      ['not UTF-8', request('POST', '/help', { body: Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x3d, 0xc3, 0x28, 0xff]), contentType: FORM }), 400],
      ['control bytes', request('POST', '/help', { body: 'email=a\u0000b', contentType: FORM }), 400],
      ['empty', request('POST', '/help', { body: '', contentType: FORM }), 400],
      ['unknown fields', request('POST', '/help', { body: form({ ...webForm(), isAdmin: 'true' }), contentType: FORM }), 400],
      ['reply: huge', request('POST', '/status/reply', { body: form({ token: 'a.b', message: 'x'.repeat(100_000) }), contentType: FORM }), 413],
      ['reply: JSON', request('POST', '/status/reply', { body: '{"token":"a"}', contentType: 'application/json' }), 415],
      ['reply: binary', request('POST', '/status/reply', { body: Buffer.from([0, 1, 2, 255, 254]), contentType: FORM }), 400],
      ['reply: no token', request('POST', '/status/reply', { body: form({ message: 'hello' }), contentType: FORM }), 400],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect(res.headers['content-type'], what).toBe('text/html; charset=utf-8');
      expect(res.text, what).not.toMatch(/Internal Server Error|stack|at .*\.ts:\d+/);
    }
  });
});

describe('the ticket status page', () => {
  it('shows the public conversation, newest last, and never an internal note', async () => {
    const { summary, path } = await openThroughForm({ message: 'Olá <script>alert(1)</script>\nlinha 2' });
    const token = await tokenFor('l1@helpdesk.local');
    expect((await api('POST', `/tickets/${summary.id}/messages`, { token, body: { kind: 'note', body: 'NOTA INTERNA: cliente VIP, não comentar' } })).status).toBe(201);
    expect((await api('POST', `/tickets/${summary.id}/messages`, { token, body: { kind: 'reply', body: 'Já estamos verificando.\nAguarde.' } })).status).toBe(201);

    const page = await request('GET', path, { headers: { 'accept-language': 'en' } });
    expectPage(page, 200);
    // The ticket's language wins over the browser's.
    expect(page.text).toContain('<html lang="pt-BR">');
    expect(page.text).not.toContain('NOTA INTERNA');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('Olá &lt;script&gt;alert(1)&lt;/script&gt;<br>\nlinha 2');
    expect(page.text).toContain('Já estamos verificando.<br>\nAguarde.');
    expect(page.text.indexOf('Olá &lt;script&gt;')).toBeLessThan(page.text.indexOf('Já estamos verificando'));
    expect(page.text).toContain('Equipe de suporte');
    expect(page.text).toContain('Em andamento');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('takes a reply that reopens a pending ticket, then shows it; the same reply twice is one message', async () => {
    const { summary, path, token: link } = await openThroughForm();
    const agent = await tokenFor('l1@helpdesk.local');
    await api('POST', `/tickets/${summary.id}/messages`, { token: agent, body: { kind: 'reply', body: 'Qual o modelo da impressora?' } });
    const pending = await patch(summary.id, { status: 'pending' });
    expect(pending.status).toBe(200);
    expect((await request('GET', path)).text).toContain('Aguardando sua resposta');

    const reply = form({ token: link, message: 'É uma HP LaserJet 400.\r\nObrigada!' });
    const sent = await request('POST', '/status/reply', { body: reply, contentType: FORM });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(path);
    const again = await request('POST', '/status/reply', { body: reply, contentType: FORM });
    expect(again.status).toBe(303);

    const t = await thread(summary.id);
    expect(t.ticket.status).toBe('open');
    expect(t.ticket.slaPausedAt).toBeNull();
    expect(t.ticket.lifecycleSeq).toBeGreaterThan(pending.body.lifecycleSeq);
    const fromPage = t.messages.filter((m: any) => m.body === 'É uma HP LaserJet 400.\nObrigada!');
    expect(fromPage).toHaveLength(1);
    expect(fromPage[0]).toMatchObject({ kind: 'customer', public: true, author: { type: 'customer', email: summary.requester.email } });

    const page = await request('GET', path);
    expect(page.text).toContain('É uma HP LaserJet 400.<br>\nObrigada!');
    expect(page.text).toContain('Em andamento');
  });

  it('refuses an empty reply with the page again (400), and a reply to a closed ticket (409)', async () => {
    const { summary, path, token: link } = await openThroughForm({ lang: 'en' });
    const empty = await request('POST', '/status/reply', { body: form({ token: link, message: '   ' }), contentType: FORM });
    expectPage(empty, 400);
    expect(empty.text).toContain('<p id="reply-error" class="error">Please fill this in.</p>');
    expect(empty.text).toContain(`<h1>Ticket #${summary.number}</h1>`);
    const long = await request('POST', '/status/reply', { body: form({ token: link, message: 'y'.repeat(5001) }), contentType: FORM });
    expectPage(long, 400);
    expect(long.text).toContain('5,000 characters or fewer');

    expect((await patch(summary.id, { status: 'resolved' })).status).toBe(200);
    expect((await request('GET', path)).text).toContain('we will reopen the ticket');
    expect((await patch(summary.id, { status: 'closed' })).status).toBe(200);

    const closed = await request('GET', path);
    expectPage(closed, 200);
    expect(closed.text).not.toContain('<form');
    expect(closed.text).toContain('reply to our last email');
    const refused = await request('POST', '/status/reply', { body: form({ token: link, message: 'Hello?' }), contentType: FORM });
    expectPage(refused, 409);
    expect(refused.text).toContain('reply to our last email');
    expect((await thread(summary.id)).messages.some((m: any) => m.body === 'Hello?')).toBe(false);
  });

  it('is linked from the acknowledgement of a mail too', async () => {
    const from = uniqueEmail('mailer');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ep.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'VPN caiu', text: 'A VPN caiu de novo.' });
    const ack = await until('the acknowledgement', async () => (await outboxFor(from))[0]);
    const link = STATUS_LINK.exec(ack.body.text ?? '')?.[0];
    expect(link, ack.body.text).toBeDefined();
    const page = await request('GET', new URL(link!).pathname);
    expectPage(page, 200);
    expect(page.text).toContain('VPN caiu');
    expect(page.text).toContain('A VPN caiu de novo.');
  });

  it('answers a tampered link 400, an expired one 410, anything else that is not ours 400, a missing ticket 404', async () => {
    const { summary, token } = await openThroughForm({ lang: 'en' });
    const secret = (JSON.parse(await readFile(join(ep.home, 'secrets.json'), 'utf8')) as { replyTokenSecret: string }).replyTokenSecret;
    const now = Math.floor(Date.now() / 1000);
    const [payload, sig] = token.split('.') as [string, string];
    const flipped = `${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const otherTicket = Buffer.from(JSON.stringify({ p: 'status', t: 'AAAAAAAAAAAAAAAAAAAAAAAAAA', e: now + 999 })).toString('base64url');

    const cases: [string, string, number][] = [
      ['tampered signature', flipped, 400],
      ['payload swapped', `${otherTicket}.${sig}`, 400],
      ['expired', signLink({ purpose: 'status', ticketId: summary.id, exp: now - 10 }, secret), 410],
      ['survey link', signLink({ purpose: 'survey', ticketId: summary.id, exp: now + 999, data: { r: '5' } }, secret), 400],
      ['garbage', 'not-a-token', 400],
      ['huge', 'a'.repeat(3000), 400],
      ['missing ticket', signLink({ purpose: 'status', ticketId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', exp: now + 999 }, secret), 404],
      ['not a ticket id', signLink({ purpose: 'status', ticketId: '../../etc', exp: now + 999 }, secret), 400],
    ];
    for (const [what, t, status] of cases) {
      const page = await request('GET', `/status/${encodeURIComponent(t)}`, { headers: { 'accept-language': 'en' } });
      expect(page.status, what).toBe(status);
      expect(page.headers['content-type'], what).toBe('text/html; charset=utf-8');
      expect(page.text, what).not.toContain(summary.subject);
      const reply = await request('POST', '/status/reply', { body: form({ token: t, message: 'hi' }), contentType: FORM });
      expect(reply.status, `reply, ${what}`).toBe(status);
    }
    const expired = await request('GET', `/status/${signLink({ purpose: 'status', ticketId: summary.id, exp: now - 10 }, secret)}`, { headers: { 'accept-language': 'pt-BR' } });
    expect(expired.text).toContain('Este link expirou');
    expect((await thread(summary.id)).messages.some((m: any) => m.body === 'hi')).toBe(false);
  });
});
