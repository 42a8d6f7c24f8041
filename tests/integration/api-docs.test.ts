/**
 * Local mode serves the API's OpenAPI document and a page to browse it, on the
 * API's own address: the same document as docs/openapi.json, and a page that
 * needs nothing from elsewhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpoints } from './client.ts';
import { repoRoot } from './local-mode.ts';

describe('API docs in local mode', () => {
  it('GET /openapi.json answers the committed OpenAPI 3.1 document, with no sign-in', async () => {
    const res = await fetch(`${endpoints.apiUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(readFileSync(join(repoRoot, 'docs/openapi.json'), 'utf8')));
    expect(doc.paths['/tickets']!.post!.operationId).toBe('CreateTicket');
  });

  it('GET /api is a self-contained page listing every operation with its schemas', async () => {
    const res = await fetch(`${endpoints.apiUrl}/api`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const page = await res.text();
    const doc = JSON.parse(readFileSync(join(repoRoot, 'docs/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, { operationId: string }>> };
    for (const [path, byMethod] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(byMethod)) {
        expect(page, op.operationId).toContain(`id="${op.operationId}"`);
        expect(page).toContain(`${method.toUpperCase()}</code> <code>${path}</code>`);
      }
    }
    // A body's schema is on the page: the create form's fields and the strictness of the object.
    expect(page).toContain('&#34;requester&#34;');
    expect(page).toContain('&#34;additionalProperties&#34;: false');
    // Nothing fetched from elsewhere: no script, no external stylesheet or image.
    expect(page).not.toMatch(/<script|<link|src=|https?:\/\/(?!json-schema)/i);
  });

  it('only answers GET and HEAD there, and leaves every other path to the API', async () => {
    expect((await fetch(`${endpoints.apiUrl}/openapi.json`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${endpoints.apiUrl}/openapi.json`, { method: 'HEAD' })).status).toBe(200);
    // Still the API behind: an agent route without a token is refused by the authorizer, as before.
    expect((await fetch(`${endpoints.apiUrl}/tickets`)).status).toBe(401);
  });
});
