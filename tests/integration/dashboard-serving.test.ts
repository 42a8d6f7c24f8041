import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { endpoints } from './client.ts';

/** A raw GET: the path goes out exactly as written (fetch would normalise `..` away). */
function rawGet(path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(endpoints.dashboardUrl);
  return new Promise((ok, fail) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('local dashboard hosting', () => {
  it('is listed in endpoints.json on loopback', () => {
    expect(endpoints.dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves config.json for this instance: the API, the sign-in endpoint and the app client', async () => {
    const res = await fetch(`${endpoints.dashboardUrl}/config.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      apiUrl: endpoints.apiUrl,
      auth: { url: `${endpoints.auth.url}/`, clientId: endpoints.auth.clientId, region: endpoints.region },
      defaultLanguage: 'en',
    });
  });

  it('serves the app, with its scripts and styles under their own content types', async () => {
    const res = await fetch(`${endpoints.dashboardUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<div id="app">');
    const script = /<script type="module" crossorigin src="([^"]+)"/.exec(html)?.[1];
    const style = /<link rel="stylesheet" crossorigin href="([^"]+)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/assets\/.+\.js$/);
    const js = await fetch(endpoints.dashboardUrl + script);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    if (style) expect((await fetch(endpoints.dashboardUrl + style)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers app routes with index.html (SPA fallback), but a missing file with a 404', async () => {
    for (const path of ['/tickets/01JD0000000000000000000000', '/reports?from=2026-01-01&to=2026-01-31', '/search?q=maria%40example.com', '/index.html']) {
      const res = await fetch(endpoints.dashboardUrl + path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('<div id="app">');
    }
    const missing = await fetch(`${endpoints.dashboardUrl}/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await fetch(`${endpoints.dashboardUrl}/favicon.ico`)).status).toBe(404);
  });

  it('refuses to step outside dist, however the path is spelled', async () => {
    const attempts = [
      '/../package.json',
      '/../../etc/passwd',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/assets/..%2f..%2fpackage.json',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/..%5cpackage.json',
      '/assets/%00.js',
      '/%E0%A4%A.js',
      '/.build.lock',
    ];
    for (const path of attempts) {
      const res = await rawGet(path);
      expect([400, 404], `${path} → ${res.status}`).toContain(res.status);
      expect(res.body, path).not.toContain('"name": "helpdesk"');
      expect(res.body, path).not.toContain('root:');
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await rawGet('/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await fetch(`${endpoints.dashboardUrl}/config.json`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('may call the API and the sign-in endpoint from its own origin (CORS)', async () => {
    const origin = endpoints.dashboardUrl;
    const api = await fetch(`${endpoints.apiUrl}/tickets`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type,if-match' },
    });
    expect(api.status).toBe(204);
    expect(['*', origin]).toContain(api.headers.get('access-control-allow-origin'));
    expect(api.headers.get('access-control-allow-headers')).toContain('if-match');
    const auth = await fetch(`${endpoints.auth.url}/`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target' },
    });
    expect(['*', origin]).toContain(auth.headers.get('access-control-allow-origin'));
    expect(auth.headers.get('access-control-allow-headers')).toContain('x-amz-target');
  });
});

describe('uploads from the browser', () => {
  it('a presigned upload URL answers the CORS preflight and the PUT from the dashboard origin', async () => {
    const { api, tokenFor, createTicket } = await import('./client.ts');
    const token = await tokenFor('l1@helpdesk.local');
    const t = await createTicket();
    const content = 'hello from the browser';
    const res = await api('POST', `/tickets/${t.id}/attachments`, { token, body: { filename: 'note.txt', contentType: 'text/plain', size: content.length } });
    expect(res.status).toBe(201);
    const origin = new URL(endpoints.dashboardUrl).origin;
    const preflight = await fetch(res.body.uploadUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    // The dashboard's own origin, not '*': another page in the browser gets no CORS answer (tests/integration/s3-front.test.ts).
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    const put = await fetch(res.body.uploadUrl, { method: 'PUT', headers: { origin, 'content-type': 'text/plain' }, body: content });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(origin);
  });
});
