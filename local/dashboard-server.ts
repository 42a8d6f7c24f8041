import http from 'node:http';
import { existsSync } from 'node:fs';
import { open, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processAlive } from './home.ts';

/**
 * Local hosting for the agent dashboard, standing in for S3 + CloudFront:
 * the built app from dashboard/dist on loopback, index.html for any app path
 * (the SPA fallback), a generated /config.json pointing at local mode's API
 * and sign-in, and nothing outside dist, whatever the path says.
 */
export const dashboardDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');

export interface DashboardConfig {
  apiUrl: string;
  auth: { url: string; clientId: string; region: string };
  defaultLanguage: string;
}

/** What the app reads at start: the same shape the stack writes at deploy time. */
export function localDashboardConfig(opts: { apiUrl: string; authUrl: string; clientId: string; region: string; defaultLanguage?: string }): DashboardConfig {
  return {
    apiUrl: opts.apiUrl,
    // The local issuer answers InitiateAuth on "/", as Cognito's regional endpoint does.
    auth: { url: `${opts.authUrl.replace(/\/+$/, '')}/`, clientId: opts.clientId, region: opts.region },
    defaultLanguage: opts.defaultLanguage ?? 'en',
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** As CloudFront's response headers policy would send them; the page also carries this CSP in a meta tag. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: http: https:; connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const BASE_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
const HTML_HEADERS = { ...BASE_HEADERS, 'content-security-policy': CSP, 'x-frame-options': 'DENY', 'cache-control': 'no-cache' };

export type RequestPath = { ok: true; segments: string[] } | { ok: false; status: 400 };

/**
 * The path's segments after percent-decoding, or a refusal. Any `..`, a NUL,
 * a backslash or an undecodable escape is refused outright (400), before the
 * file system is asked anything.
 */
export function parseRequestPath(rawUrl: string): RequestPath {
  const rawPath = rawUrl.split(/[?#]/, 1)[0] ?? '/';
  if (!rawPath.startsWith('/')) return { ok: false, status: 400 };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400 };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400 };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { ok: false, status: 400 };
  return { ok: true, segments };
}

export function dashboardRequestHandler(opts: { distDir: string; config: DashboardConfig }): http.RequestListener {
  const dist = resolve(opts.distDir);
  const configBody = JSON.stringify(opts.config);
  let realDist: string | undefined;

  const send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) => {
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const text = (req: http.IncomingMessage, res: http.ServerResponse, status: number, message: string, extra: Record<string, string> = {}) =>
    send(req, res, status, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra }, message);

  /** A regular file inside dist (symlinks resolved), or undefined. */
  async function fileInDist(segments: string[]): Promise<string | undefined> {
    if (!segments.length) return undefined;
    // Dot-files are never part of a build.
    if (segments.some((s) => s.startsWith('.'))) return undefined;
    const candidate = resolve(dist, ...segments);
    if (!candidate.startsWith(dist + sep)) return undefined;
    try {
      realDist ??= await realpath(dist);
      const real = await realpath(candidate);
      if (!real.startsWith(realDist + sep)) return undefined;
      return (await stat(real)).isFile() ? real : undefined;
    } catch {
      return undefined;
    }
  }

  async function serveIndex(req: http.IncomingMessage, res: http.ServerResponse) {
    try {
      send(req, res, 200, { ...HTML_HEADERS, 'content-type': TYPES['.html']! }, await readFile(join(dist, 'index.html')));
    } catch {
      text(req, res, 503, 'The dashboard is not built. Run `npm run build:dashboard` (npm start builds it when its sources change).');
    }
  }

  return (req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return text(req, res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
      const parsed = parseRequestPath(req.url ?? '/');
      if (!parsed.ok) return text(req, res, parsed.status, 'Bad Request');
      const { segments } = parsed;
      if (segments.length === 1 && segments[0] === 'config.json') {
        return send(req, res, 200, { ...BASE_HEADERS, 'content-type': TYPES['.json']!, 'cache-control': 'no-store' }, configBody);
      }
      if (!segments.length || (segments.length === 1 && segments[0] === 'index.html')) return serveIndex(req, res);
      const file = await fileInDist(segments);
      if (file) {
        const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
        // Vite names built assets by content hash: they never change under one name.
        const cache = segments[0] === 'assets' ? 'public, max-age=31536000, immutable' : 'no-cache';
        const headers = type.startsWith('text/html') ? { ...HTML_HEADERS, 'content-type': type } : { ...BASE_HEADERS, 'content-type': type, 'cache-control': cache };
        return send(req, res, 200, headers, await readFile(file));
      }
      // An app route (no file extension) gets the app; a missing file stays a 404, never HTML posing as a script.
      const last = segments[segments.length - 1]!;
      if (segments[0] !== 'assets' && !last.includes('.')) return serveIndex(req, res);
      return text(req, res, 404, 'Not Found');
    })().catch(() => {
      if (!res.headersSent) text(req, res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };
}

/** Sources whose change calls for a new build. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'];

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

/** True when dist is missing, or older than any source file. */
export async function dashboardIsStale(dir = dashboardDir): Promise<boolean> {
  const index = join(dir, 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  const sources = Math.max(...(await Promise.all(SOURCES.map((s) => newestMtime(join(dir, s))))));
  return sources > built;
}

/** One builder at a time across processes (parallel test runs, two `npm start`s). */
async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? Date.now());
      // A lock left by a process that died (or never wrote its pid) is taken over.
      if ((holder && !processAlive(holder)) || (!holder && age > 10_000)) await rm(file, { force: true });
      else if (Date.now() > deadline) throw new Error(`another process (pid ${holder || '?'}) has been building the dashboard for too long; remove ${file} if it is stuck`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * Builds dashboard/dist with Vite's JS API when it is missing or older than
 * its sources, so `npm install && npm start` works on a fresh clone.
 */
export async function ensureDashboardBuilt(opts: { dir?: string; log?: (line: string) => void } = {}): Promise<{ built: boolean; distDir: string }> {
  const dir = opts.dir ?? dashboardDir;
  const distDir = join(dir, 'dist');
  if (!(await dashboardIsStale(dir))) return { built: false, distDir };
  return withLock(join(dir, '.build.lock'), async () => {
    // Someone else may have built it while this process waited.
    if (!(await dashboardIsStale(dir))) return { built: false, distDir };
    opts.log?.('building the dashboard (dashboard/dist is missing or older than its sources)…');
    const started = Date.now();
    const { build } = await import('vite');
    await build({ root: dir, configFile: join(dir, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
    opts.log?.(`dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { built: true, distDir };
  });
}

