import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/definitions/routes.ts';
import { api, createTicket, newTicketBody, tokenFor } from './client.ts';

const L1 = 'l1@helpdesk.local';

describe('bad input gets a clear 4xx, never a 500', () => {
  it('refuses a body that is not JSON-typed with 415', async () => {
    const token = await tokenFor(L1);
    const res = await api('POST', '/tickets', { token, rawBody: JSON.stringify(newTicketBody()), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    const none = await api('POST', '/tickets', { token, rawBody: JSON.stringify(newTicketBody()) });
    expect(none.status).toBe(415);
  });

  it('refuses malformed JSON and an empty body with 400', async () => {
    const token = await tokenFor(L1);
    const bad = await api('POST', '/tickets', { token, rawBody: '{"requester": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    const empty = await api('POST', '/tickets', { token, rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
  });

  it('refuses an oversize body with 413, at our limit and at the gateway limit', async () => {
    const token = await tokenFor(L1);
    const big = await api('POST', '/tickets', { token, body: newTicketBody({ body: 'x'.repeat(200_000) }) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const huge = await api('POST', '/tickets', { token, rawBody: 'x'.repeat(11 * 1024 * 1024), headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);
  });

  it('names each invalid field', async () => {
    const token = await tokenFor(L1);
    const res = await api('POST', '/tickets', {
      token,
      body: { requester: { email: 'not-an-email' }, subject: '', body: 'ok', channel: 'pigeon', priority: 'whenever', tags: ['ok', ''], extra: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = res.body.error.details.map((d: any) => d.path);
    for (const p of ['requester.email', 'subject', 'channel', 'priority', 'tags.1']) expect(paths).toContain(p);
    expect(res.body.error.details.some((d: any) => /extra/.test(d.message))).toBe(true);
  });

  it('rejects unknown keys, including nested ones and __proto__', async () => {
    const token = await tokenFor(L1);
    const nested = await api('POST', '/tickets', { token, body: newTicketBody({ requester: { email: 'a@b.co', role: 'admin' } }) });
    expect(nested.status).toBe(400);
    const proto = await api('POST', '/tickets', { token, rawBody: `{"__proto__":{"admin":true},${JSON.stringify(newTicketBody()).slice(1)}`, headers: { 'content-type': 'application/json' } });
    expect(proto.status).toBe(400);
    const t = await createTicket();
    const patch = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { number: 1 } });
    expect(patch.status).toBe(400);
    const nothing = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: {} });
    expect(nothing.status).toBe(400);
  });

  it('enforces field limits', async () => {
    const token = await tokenFor(L1);
    expect((await api('POST', '/tickets', { token, body: newTicketBody({ subject: 's'.repeat(251) }) })).status).toBe(400);
    expect((await api('POST', '/tickets', { token, body: newTicketBody({ body: 'b'.repeat(64_001) }) })).status).toBe(400);
    expect((await api('POST', '/tickets', { token, body: newTicketBody({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }) })).status).toBe(400);
    expect((await api('POST', '/tickets', { token, body: newTicketBody({ requester: { email: `${'a'.repeat(250)}@b.co` } }) })).status).toBe(400);
  });

  it('answers routes that do not exist with 404', async () => {
    const token = await tokenFor(L1);
    expect((await api('GET', '/nope', { token })).status).toBe(404);
    expect((await api('DELETE', '/tickets/01JAAAAAAAAAAAAAAAAAAAAAAA', { token })).status).toBe(404);
  });

  it('survives hostile bodies on every route with a 4xx and no stack trace: JSON for agents, a page for customers', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    const hostile: (string | undefined)[] = [
      'null', '[]', '"string"', '123', 'true', '{}', '[{}]',
      JSON.stringify({ requester: null, subject: 1, body: {}, channel: [] }),
      JSON.stringify({ kind: 'reply', body: 'x'.repeat(70_000) }),
      JSON.stringify({ status: { $ne: 1 }, version: 1e308 }),
      JSON.stringify({ version: -1, priority: 'low' }),
      JSON.stringify({ version: 1.5, priority: 'low' }),
      '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
      '\u0000\uffff',
      JSON.stringify({ kind: 'note', body: '\u0000<script>alert(1)</script>' }),
    ];
    const paths = (path: string) => path.replace('{id}', t.id).replace('{email}', encodeURIComponent(t.requester.email));
    for (const route of routes) {
      for (const raw of hostile) {
        const res = await api(route.method, paths(route.path), { token, rawBody: route.method === 'GET' ? undefined : raw, headers: { 'content-type': 'application/json', 'if-match': '"1"' } });
        expect(res.status, `${route.method} ${route.path} ${raw?.slice(0, 40)}`).toBeLessThan(500);
        expect(res.text).not.toMatch(/\bat .+:\d+:\d+|Error:|node_modules/);
        expect(res.headers.get('content-type')).toMatch(route.auth === 'public' ? /text\/html/ : /application\/json/);
      }
    }
    // Odd query strings and path segments too.
    for (const path of ['/tickets?limit=1e9', '/tickets?cursor=' + 'A'.repeat(5000), '/tickets?status=', '/tickets/%E0%A4%A', '/customers/%ZZ/tickets', '/tickets?limit=1&limit=2']) {
      const res = await api('GET', path, { token });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
  });
});
