/**
 * The API's OpenAPI document in local mode: GET <apiUrl>/openapi.json answers
 * it (the same generator as docs/openapi.json), and GET <apiUrl>/api a plain
 * page listing every operation with its parameters, body and answers. One
 * self-contained page: no script, no CDN, nothing fetched from elsewhere.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { openApiDocument, type OpenApiDocument } from '../lib/definitions/openapi.ts';

export const OPENAPI_PATH = '/openapi.json';
export const API_PAGE_PATH = '/api';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pretty = (v: unknown) => `<pre>${escape(JSON.stringify(v, null, 2))}</pre>`;

interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  parameters: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
  security: unknown[];
}

/** The browsable page: operations by tag, each with what it takes and what it answers. */
export function apiPage(doc: OpenApiDocument): string {
  const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op: op as Operation })));
  const sections = doc.tags.map((tag) => {
    const mine = ops.filter((o) => o.op.tags.includes(tag.name));
    const items = mine.map(({ path, method, op }) => {
      const params = op.parameters.length
        ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th></tr>${op.parameters
            .map((p) => `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td>${pretty(p.schema)}</td></tr>`)
            .join('')}</table>`
        : '';
      const body = op.requestBody
        ? Object.entries(op.requestBody.content)
            .map(([type, c]) => `<h4>Body (<code>${escape(type)}</code>)</h4>${pretty(c.schema)}`)
            .join('')
        : '';
      const responses = `<h4>Responses</h4><ul>${Object.entries(op.responses)
        .map(([status, r]) => `<li><b>${status}</b> ${escape(r.description)}${r.content ? ` <small>(${Object.keys(r.content).map(escape).join(', ')})</small>` : ''}</li>`)
        .join('')}</ul>`;
      const auth = op.security.length ? 'Bearer JWT (an agent)' : 'none (a customer page)';
      return `<details id="${escape(op.operationId)}"><summary><code class="m ${method}">${method.toUpperCase()}</code> <code>${escape(path)}</code> ${escape(op.summary)}</summary>
<p>Operation <code>${escape(op.operationId)}</code>; sign-in: ${auth}.</p>${params}${body}${responses}</details>`;
    });
    return `<h2>${escape(tag.name)}</h2><p>${escape(tag.description)}</p>${items.join('\n')}`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
details{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:13px;margin:.2rem 0}
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #eee;text-align:left;vertical-align:top;padding:.2rem .4rem}
.m{font-weight:bold;display:inline-block;min-width:4.5em}.get{color:#0a6}.post{color:#06c}.patch,.put{color:#a60}.delete{color:#c22}
</style></head><body>
<h1>${escape(doc.info.title)} <small>OpenAPI ${escape(doc.openapi)}</small></h1>
<p>${escape(doc.info.description)}</p>
<p>The document itself: <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a> (also in the repository as docs/openapi.json). Agent routes take <code>Authorization: Bearer &lt;token&gt;</code>: <code>npm run token -- l1@helpdesk.local</code> prints one.</p>
${sections.join('\n')}
</body></html>
`;
}

/** Serves the document and the page on the API's server, ahead of its routes. */
export function mountApiDocs(server: Server, doc: OpenApiDocument = openApiDocument()): void {
  const json = JSON.stringify(doc, null, 2);
  const page = apiPage(doc);
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== OPENAPI_PATH && path !== API_PAGE_PATH) {
      for (const l of listeners) l.call(server, req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Method Not Allowed' }));
      return;
    }
    const [type, body] = path === OPENAPI_PATH ? ['application/json; charset=utf-8', json] : ['text/html; charset=utf-8', page];
    res
      .writeHead(200, {
        'content-type': type,
        'cache-control': 'no-store',
        // Any origin may read the document (a viewer on another port); the page runs no script at all.
        ...(path === OPENAPI_PATH ? { 'access-control-allow-origin': '*' } : { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }),
      })
      .end(req.method === 'HEAD' ? undefined : body);
  });
}
