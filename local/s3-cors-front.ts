import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

/**
 * S3 as the browser (and the handlers) see it in local mode: a front on loopback
 * before the S3 emulator, which itself checks no signatures, answers no CORS and
 * ignores the response-* overrides of presigned GETs.
 *
 * - Every request must carry a valid SigV4 signature made with this install's
 *   credentials (a random secret kept in the home, which the handlers' SDK clients
 *   get too): in the Authorization header (the SDK) or in the query (presigned
 *   URLs). The signature is recomputed over method, path, query and the signed
 *   headers, the credential scope must name S3 and the local key, and the time must
 *   be within the presigned expiry (or 15 minutes of a header signature). Anything
 *   else gets 403.
 * - Only objects are served: GET, PUT, HEAD and DELETE of `/<bucket>/<key>` with no
 *   sub-resource in the query. Listings and every other bucket-level request are
 *   refused, signed or not: nothing the desk does lists through here.
 * - A presigned GET is served as a download: its Content-Disposition is
 *   `attachment` (the signed `response-content-disposition` when it says so), its
 *   type the signed `response-content-type`, and every answer carries
 *   `X-Content-Type-Options: nosniff` and a CSP that runs nothing, so an HTML or SVG
 *   file never runs on this origin.
 * - CORS answers only the dashboard's origins (in AWS the bucket's CORS rule names
 *   the dashboard), so another page in the developer's browser reads nothing here.
 */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_CLOCK_SKEW_MS = 15 * 60_000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** RFC 3986 encoding, as SigV4 wants it. */
const uriEscape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** The query as name/value pairs, decoded; undefined when it cannot be decoded. */
function queryPairs(rawQuery: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) return undefined;
    pairs.push([name, value]);
  }
  return pairs;
}

const parseAmzDate = (s: string) => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

export type SignatureCheck = { ok: true; presigned: boolean; query: Map<string, string> } | { ok: false; reason: string };

/** Checks a request's SigV4 signature (header or query) against this install's credentials. */
export function checkSignature(req: { method?: string; url?: string; headers: http.IncomingHttpHeaders }, creds: SigningCredentials, now = Date.now()): SignatureCheck {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const pairs = queryPairs(q < 0 ? '' : url.slice(q + 1));
  if (!pairs) return { ok: false, reason: 'malformed query' };
  const query = new Map(pairs);
  const auth = req.headers.authorization;
  const presigned = query.has('X-Amz-Signature');
  let credential: string, signedHeaders: string, signature: string, amzDate: string, payloadHash: string;
  if (presigned) {
    if (query.get('X-Amz-Algorithm') !== ALGORITHM) return { ok: false, reason: 'unsupported signing algorithm' };
    credential = query.get('X-Amz-Credential') ?? '';
    signedHeaders = query.get('X-Amz-SignedHeaders') ?? '';
    signature = query.get('X-Amz-Signature') ?? '';
    amzDate = query.get('X-Amz-Date') ?? '';
    payloadHash = query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
    const expires = Number(query.get('X-Amz-Expires'));
    const at = parseAmzDate(amzDate);
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS || Number.isNaN(at)) return { ok: false, reason: 'malformed presigned URL' };
    if (at - MAX_CLOCK_SKEW_MS > now) return { ok: false, reason: 'signed in the future' };
    if (now > at + expires * 1000) return { ok: false, reason: 'the link has expired' };
  } else if (typeof auth === 'string' && auth.startsWith(`${ALGORITHM} `)) {
    const fields = Object.fromEntries(
      auth
        .slice(ALGORITHM.length + 1)
        .split(',')
        .map((f) => f.trim().split('=') as [string, string]),
    );
    credential = fields.Credential ?? '';
    signedHeaders = fields.SignedHeaders ?? '';
    signature = fields.Signature ?? '';
    amzDate = String(req.headers['x-amz-date'] ?? '');
    payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
    const at = parseAmzDate(amzDate);
    if (!payloadHash || Number.isNaN(at)) return { ok: false, reason: 'malformed signature' };
    if (Math.abs(now - at) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'request time too skewed' };
  } else {
    return { ok: false, reason: 'not signed' };
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || scope[3] !== 's3' || scope[1] !== amzDate.slice(0, 8)) return { ok: false, reason: 'bad credential scope' };
  if (scope[0] !== creds.accessKeyId) return { ok: false, reason: 'unknown access key' };
  const names = signedHeaders.split(';');
  if (!names.includes('host') || names.some((n) => !n || n !== n.toLowerCase())) return { ok: false, reason: 'bad signed headers' };

  const canonicalQuery = pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [uriEscape(k), uriEscape(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headerValue = (n: string) => {
    const v = req.headers[n];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
  };
  const canonicalRequest = [req.method ?? 'GET', path, canonicalQuery, names.map((n) => `${n}:${headerValue(n)}\n`).join(''), signedHeaders, payloadHash].join('\n');
  const stringToSign = [ALGORITHM, amzDate, scope.slice(1).join('/'), sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, scope[1]!), scope[2]!), scope[3]!), scope[4]!);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  return { ok: true, presigned, query };
}

/** Query names an object request may carry: the signature's, the download overrides, and the SDK's operation id. */
const objectQuery = (name: string) => /^x-amz-/i.test(name) || name.startsWith('response-') || name === 'x-id';

/** Why a request is not one on a single object, or undefined when it is. */
export function notAnObjectRequest(method: string | undefined, url: string | undefined): string | undefined {
  if (!['GET', 'PUT', 'HEAD', 'DELETE'].includes(method ?? '')) return 'only object reads and writes are served';
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  if (!/^\/[^/]+\/./.test(path)) return 'bucket-level requests (listings) are not served';
  const names = (q < 0 ? '' : raw.slice(q + 1)).split('&').filter(Boolean).map((p) => {
    const name = p.slice(0, p.indexOf('=') < 0 ? p.length : p.indexOf('='));
    try {
      return decodeURIComponent(name);
    } catch {
      return name;
    }
  });
  if (names.some((n) => !objectQuery(n))) return 'sub-resource requests are not served';
  return undefined;
}

export async function startS3CorsFront(
  port: number,
  target: { host: string; port: number },
  credentials: SigningCredentials,
): Promise<{ server: http.Server; url: string; allowOrigin: (origin: string) => void }> {
  // Filled in as the dashboard's origins become known (it listens after this front).
  const origins = new Set<string>();
  const corsFor = (origin: string | undefined): Record<string, string> =>
    origin && origins.has(origin)
      ? {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET,PUT,HEAD',
          'access-control-allow-headers': 'content-type,content-length,content-disposition,x-amz-*',
          'access-control-expose-headers': 'etag,content-disposition',
          'access-control-max-age': '3600',
          vary: 'origin',
        }
      : { vary: 'origin' };
  // Nothing served from this origin is ever a page: no script, no plugin, no sniffing.
  const safety = { 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" };
  const deny = (req: http.IncomingMessage, res: http.ServerResponse, cors: Record<string, string>, reason: string) => {
    req.resume();
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied: ${reason}</Message></Error>`;
    res.writeHead(403, { ...cors, ...safety, 'content-type': 'application/xml' }).end(req.method === 'HEAD' ? undefined : body);
  };
  const server = http.createServer((req, res) => {
    const cors = corsFor(typeof req.headers.origin === 'string' ? req.headers.origin : undefined);
    if (req.method === 'OPTIONS') {
      // A preflight from any other page gets no CORS headers, so its browser sends nothing.
      if (!cors['access-control-allow-origin']) return deny(req, res, cors, 'origin not allowed');
      return void res.writeHead(204, { ...cors, ...safety }).end();
    }
    const refused = notAnObjectRequest(req.method, req.url);
    if (refused) return deny(req, res, cors, refused);
    const check = checkSignature(req, credentials);
    if (!check.ok) return deny(req, res, cors, check.reason);
    const download = check.presigned && (req.method === 'GET' || req.method === 'HEAD');
    const upstream = http.request({ host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const headers: http.OutgoingHttpHeaders = { ...up.headers, ...cors, ...safety };
      if (download && (up.statusCode ?? 500) < 300) {
        const disposition = check.query.get('response-content-disposition');
        headers['content-disposition'] = disposition && /^attachment\b/i.test(disposition) ? disposition : 'attachment';
        const type = check.query.get('response-content-type');
        if (type) headers['content-type'] = type;
      }
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { ...cors, ...safety });
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, allowOrigin: (origin) => void origins.add(origin) };
}
