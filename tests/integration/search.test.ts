import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { api, createTicket as createUnindexed, endpoints, tokenFor, uniqueEmail, until } from './client.ts';
import { waitIndexed } from './indexing.ts';

/** Search words are indexed by the lifecycle's first step, a moment after the create. */
async function createTicket(overrides: Record<string, unknown> = {}) {
  const t = await createUnindexed(overrides);
  await waitIndexed(endpoints, t.id);
  return t;
}

const L1 = 'l1@helpdesk.local';
/** A made-up word (letters only) that no other test's subject holds. */
const word = () => `zq${randomUUID().replace(/-/g, '').slice(0, 10).replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!)}`;
const search = async (q: string, extra = '') => api('GET', `/search?q=${encodeURIComponent(q)}${extra}`, { token: await tokenFor(L1) });
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((t) => t.id);

describe('GET /search', () => {
  it('finds tickets by subject words: all of them, any case or accents, newest first', async () => {
    const tag = word();
    const a = await createTicket({ subject: `Impressora ${tag} não imprime` });
    const b = await createTicket({ subject: `IMPRESSÃO ${tag} lenta` });
    const c = await createTicket({ subject: `Scanner ${tag} parado` });

    expect(ids(await search(tag))).toEqual([c.id, b.id, a.id]);
    expect(ids(await search(`impressora ${tag.toUpperCase()}`))).toEqual([a.id]);
    expect(ids(await search(`Impressao ${tag}`))).toEqual([b.id]);
    expect(ids(await search(`${tag} nao`))).toEqual([a.id]);
    // Every word must match.
    expect(ids(await search(`impressão ${tag} nao`))).toEqual([]);
    expect(ids(await search(`${tag} ${word()}`))).toEqual([]);
    // Common words are not searched, so they never hide a match.
    expect(ids(await search(`the ${tag} de`))).toEqual([c.id, b.id, a.id]);
    expect(ids(await search(tag, '&limit=2'))).toEqual([c.id, b.id]);

    const found = (await search(tag)).body.items[0];
    expect(found).toMatchObject({ id: c.id, number: c.number, subject: c.subject, status: 'new', requester: c.requester });
    expect(found.pk).toBeUndefined();
    expect(found.openingMessage).toBeUndefined();
  });

  it('narrows by the numbers in a subject', async () => {
    const tag = word();
    const a = await createTicket({ subject: `Pedido 4512 ${tag} atrasado` });
    await createTicket({ subject: `Pedido 77 ${tag} atrasado` });
    expect(ids(await search(`pedido ${tag} 4512`))).toEqual([a.id]);
    expect(ids(await search(`${tag} 999`))).toEqual([]);
  });

  it('shows each ticket as it is now, not as it was indexed', async () => {
    const tag = word();
    const t = await createTicket({ subject: `Monitor ${tag} piscando`, priority: 'low' });
    const token = await tokenFor(L1);
    const patched = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { status: 'pending', priority: 'high' } });
    expect(patched.status, patched.text).toBe(200);
    const res = await search(`${tag} monitor`);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ id: t.id, status: 'pending', priority: 'high', version: 2 });
  });

  it('an idempotent retry of a create indexes the ticket once', async () => {
    const tag = word();
    const token = await tokenFor(L1);
    const body = { requester: { email: uniqueEmail() }, subject: `Teclado ${tag} falhando`, body: 'Teclas presas', channel: 'phone' };
    const headers = { 'idempotency-key': `search-${randomUUID()}` };
    const [first, second] = [await api('POST', '/tickets', { token, body, headers }), await api('POST', '/tickets', { token, body, headers })];
    expect(first.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    await waitIndexed(endpoints, first.body.id);
    expect(ids(await search(tag))).toEqual([first.body.id]);
  });

  it('finds a ticket by its number, with or without #', async () => {
    const t = await createTicket({ subject: 'Por número' });
    expect(ids(await search(`#${t.number}`))).toEqual([t.id]);
    expect(ids(await search(String(t.number)))).toEqual([t.id]);
    expect((await search('#987654321')).body).toEqual({ items: [] });
  });

  it('finds a requester\'s tickets by email, newest first, whatever the case', async () => {
    const email = uniqueEmail('search');
    const first = await createTicket({ requester: { email } });
    const second = await createTicket({ requester: { email } });
    expect(ids(await search(email.toUpperCase()))).toEqual([second.id, first.id]);
    expect(ids(await search(email, '&limit=1'))).toEqual([second.id]);
    expect((await search(uniqueEmail('nobody'))).body).toEqual({ items: [] });
  });

  it('finds tickets that came in by mail', async () => {
    const tag = word();
    const from = uniqueEmail('mail-search');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: endpoints.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({ from, to: endpoints.supportAddress, subject: `Ação ${tag} necessária`, text: 'Por favor, verifiquem.' });
    const found = await until('the mail in search', async () => {
      const res = await search(`acao ${tag}`);
      return res.body.items.length ? res.body.items : undefined;
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ channel: 'email', requester: { email: from } });
  });

  it('answers unclear searches with a clear 400', async () => {
    const token = await tokenFor(L1);
    const cases: [string, string][] = [
      ['/search', 'validation_failed'],
      ['/search?q=', 'search_empty'],
      ['/search?q=a', 'search_too_short'],
      ['/search?q=de%20the', 'search_too_short'],
      ['/search?q=404%20500', 'search_too_short'],
      [`/search?q=${encodeURIComponent('one two three four five six')}`, 'too_many_words'],
      [`/search?q=${'x'.repeat(201)}`, 'validation_failed'],
      ['/search?q=vpn&limit=0', 'validation_failed'],
      ['/search?q=vpn&limit=51', 'validation_failed'],
      ['/search?q=vpn&limit=ten', 'validation_failed'],
      ['/search?q=vpn&sort=old', 'validation_failed'],
      ['/search?q=maria%40', 'invalid_email'],
      ['/search?q=%2399999999999999999999', 'invalid_ticket_number'],
    ];
    for (const [path, code] of cases) {
      const res = await api('GET', path, { token });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe(code);
    }
    expect((await api('GET', '/search?q=vpn&limit=50', { token })).status).toBe(200);
  });

  it('is for agents only', async () => {
    expect((await api('GET', '/search?q=vpn')).status).toBe(401);
  });
});

describe('GET /agents and /canned-responses', () => {
  it('lists the agents with their groups and departments, and nothing else', async () => {
    const res = await api('GET', '/agents', { token: await tokenFor(L1) });
    expect(res.status).toBe(200);
    const l2 = res.body.items.find((a: any) => a.email === 'l2@helpdesk.local');
    expect(l2).toEqual({ email: 'l2@helpdesk.local', name: 'Lia Level Two', groups: ['agents-l2'], departments: expect.arrayContaining(['it', 'support']), active: true });
    expect(res.body.items.map((a: any) => a.email)).toEqual(expect.arrayContaining(['admin@helpdesk.local', 'l1@helpdesk.local', 'l3@helpdesk.local']));
    for (const a of res.body.items) expect(Object.keys(a).sort()).toEqual(['active', 'departments', 'email', 'groups', 'name']);
    expect((await api('GET', '/agents')).status).toBe(401);
  });

  it('lists the seeded canned responses in both languages', async () => {
    const res = await api('GET', '/canned-responses', { token: await tokenFor(L1) });
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: any) => r.id).sort()).toEqual(['closing', 'escalated', 'greeting-details', 'password-reset']);
    for (const r of res.body.items) {
      expect(Object.keys(r).sort()).toEqual(['body', 'id', 'title']);
      for (const lang of ['en', 'pt-BR']) {
        expect(r.title[lang].length).toBeGreaterThan(3);
        expect(r.body[lang].length).toBeGreaterThan(40);
      }
    }
    expect(res.body.items.find((r: any) => r.id === 'password-reset').body['pt-BR']).toContain('senha');
    expect((await api('GET', '/canned-responses')).status).toBe(401);
  });
});
