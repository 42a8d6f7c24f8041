import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { RouteDefinition } from '../lib/definitions/routes.ts';

/**
 * The local HTTP API: routes come from the function manifest, as the CDK stack's do, and
 * agent routes are guarded the way API Gateway's JWT authorizer guards them
 * (signature against the JWKS, issuer, expiry, audience or client_id). Events
 * are payload format 2.0; each route's function runs where local mode runs it
 * (local/function-host.ts), which builds its Lambda context. The request id is passed on.
 */
export type LambdaHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: { awsRequestId: string }) => Promise<APIGatewayProxyResultV2>;

export interface RouterOptions {
  routes: readonly RouteDefinition[];
  handlers: Map<string, LambdaHandler>;
  jwt: { issuer: string; audience: string[]; jwks: JSONWebKeySet };
  /** Origins allowed by CORS, as the stack's CORS configuration. */
  allowOrigins: string[];
  onRequest?: (line: { method: string; path: string; status: number; ms: number }) => void;
}

// API Gateway HTTP APIs refuse payloads above 10 MB.
const MAX_PAYLOAD = 10 * 1024 * 1024;

interface CompiledRoute {
  def: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

function compile(def: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { def, pattern: new RegExp(`^${source}$`), params };
}

const gatewayError = (status: number, message: string) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });

/** Claims as the authorizer hands them on: every value a string, lists as "[a b]". */
function flattenClaims(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'object' ? JSON.stringify(v) : String(v)]),
  );
}

const TEXT_TYPES = /^(application\/([\w.+-]+\+)?(json|xml|x-www-form-urlencoded)|text\/)/i;

export function createRouter(opts: RouterOptions): http.Server {
  const compiled = opts.routes.map(compile);
  const keySet = createLocalJWKSet(opts.jwt.jwks);

  async function authorize(header: string | undefined) {
    if (!header) return undefined;
    const token = header.replace(/^Bearer\s+/i, '').trim();
    try {
      // Like the HTTP API authorizer: an expiry is required, not merely honoured when present.
      const { payload } = await jwtVerify(token, keySet, { issuer: opts.jwt.issuer, algorithms: ['RS256'], requiredClaims: ['exp'] });
      const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
      const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
      const audienceOk = aud.some((a) => opts.jwt.audience.includes(a)) || (clientId !== undefined && opts.jwt.audience.includes(clientId));
      return audienceOk ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  function cors(origin: string | undefined): Record<string, string> {
    if (!origin || !(opts.allowOrigins.includes('*') || opts.allowOrigins.includes(origin))) return {};
    return {
      'access-control-allow-origin': opts.allowOrigins.includes('*') ? '*' : origin,
      'access-control-expose-headers': 'etag,location,idempotent-replayed',
      vary: 'origin',
    };
  }

  async function dispatch(req: http.IncomingMessage, body: Buffer) {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;

    if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
      const headers = cors(origin);
      if (!headers['access-control-allow-origin']) return { status: 204, body: '' };
      return {
        status: 204,
        headers: {
          ...headers,
          'access-control-allow-methods': 'GET,POST,PATCH,PUT,DELETE',
          'access-control-allow-headers': 'authorization,content-type,if-match,idempotency-key',
          'access-control-max-age': '600',
        },
        body: '',
      };
    }

    let match: { route: CompiledRoute; values: string[] } | undefined;
    for (const route of compiled) {
      if (route.def.method !== method) continue;
      const m = route.pattern.exec(url.pathname);
      if (m) {
        match = { route, values: m.slice(1) };
        break;
      }
    }
    if (!match) return gatewayError(404, 'Not Found');

    const { def } = match.route;
    let claims: Record<string, string> | undefined;
    if (def.auth === 'agent') {
      const payload = await authorize(req.headers.authorization);
      if (!payload) return { ...gatewayError(401, 'Unauthorized'), headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer', ...cors(origin) } };
      claims = flattenClaims(payload);
    }

    const handler = opts.handlers.get(def.name);
    if (!handler) return gatewayError(500, 'Internal Server Error');

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
    const requestId = randomUUID();
    const now = Date.now();

    const event = {
      version: '2.0',
      routeKey: `${def.method} ${def.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters: match.route.params.length ? Object.fromEntries(match.route.params.map((p, i) => [p, match.values[i]!])) : undefined,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer: { jwt: { claims: claims ?? {}, scopes: null }, principalId: '', integrationLatency: 0 },
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'localhost',
        http: { method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId,
        routeKey: `${def.method} ${def.path}`,
        stage: '$default',
        time: new Date(now).toUTCString(),
        timeEpoch: now,
      },
      body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
      isBase64Encoded: !isText,
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

    let result: APIGatewayProxyResultV2;
    try {
      result = await handler(event, { awsRequestId: requestId });
    } catch (err) {
      // What API Gateway answers when a function fails (an error, or an init error at its cold start): no detail reaches the caller.
      console.error(`[api] ${def.name} crashed:`, err);
      return gatewayError(500, 'Internal Server Error');
    }
    if (typeof result === 'string' || !result || typeof result !== 'object' || !('statusCode' in result)) {
      return { status: 200, headers: { 'content-type': 'application/json', ...cors(origin) }, body: JSON.stringify(result) };
    }
    const out = result;
    const resHeaders: Record<string, string> = { ...cors(origin) };
    for (const [k, v] of Object.entries(out.headers ?? {})) resHeaders[k.toLowerCase()] = String(v);
    const resBody = out.body === undefined ? '' : out.isBase64Encoded ? Buffer.from(out.body, 'base64') : out.body;
    return { status: out.statusCode ?? 200, headers: resHeaders, body: resBody, cookies: out.cookies };
  }

  return http.createServer((req, res) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const send = (r: { status: number; headers?: Record<string, string>; body: string | Buffer; cookies?: string[] }) => {
      const headers: http.OutgoingHttpHeaders = { ...r.headers };
      if (r.cookies?.length) headers['set-cookie'] = r.cookies;
      res.writeHead(r.status, headers).end(r.body);
      opts.onRequest?.({ method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, status: r.status, ms: performance.now() - started });
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_PAYLOAD) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return send(gatewayError(413, 'Request Entity Too Large'));
      dispatch(req, Buffer.concat(chunks)).then(send, (err) => {
        console.error('[api] router error:', err);
        send(gatewayError(500, 'Internal Server Error'));
      });
    });
    req.on('error', () => res.destroy());
  });
}
