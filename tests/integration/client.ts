import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import { inject } from 'vitest';
import { signInAs } from './local-mode.ts';

export const endpoints = inject('endpoints');

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A thin fetch wrapper: JSON in, JSON out, status and headers kept. */
export async function api<T = any>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(endpoints.apiUrl + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

const tokens = new Map<string, string>();

/** Signs in a seeded agent through the local Cognito endpoint. */
export async function tokenFor(email: string): Promise<string> {
  const cached = tokens.get(email);
  if (cached) return cached;
  const token = await signInAs(endpoints, email);
  tokens.set(email, token);
  return token;
}

export async function signIn(username: string, password: string) {
  const res = await fetch(endpoints.auth.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: endpoints.auth.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/**
 * Signs a token with the local issuer's own key, with any claims a test needs
 * (an expired one, another audience, a group that is not an agent's).
 */
export async function forgeToken(overrides: { claims?: Record<string, unknown>; iss?: string; aud?: string; exp?: number; key?: JWK } = {}) {
  const keys = JSON.parse(await readFile(join(endpoints.home, 'issuer-key.json'), 'utf8')) as { kid: string; privateJwk: JWK };
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK(overrides.key ?? keys.privateJwk, 'RS256');
  const jwt = new SignJWT({ email: 'l1@helpdesk.local', 'cognito:groups': ['agents-l1'], token_use: 'id', ...overrides.claims })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
    .setSubject(randomUUID())
    .setIssuer(overrides.iss ?? endpoints.auth.issuer)
    .setAudience(overrides.aud ?? endpoints.auth.clientId)
    .setIssuedAt(now - 60);
  // exp: 0 leaves the expiry out altogether.
  if (overrides.exp !== 0) jwt.setExpirationTime(overrides.exp ?? now + 600);
  return jwt.sign(key);
}

/** A unique requester per test, so parallel test files never see each other's tickets. */
export const uniqueEmail = (label = 'customer') => `${label}-${randomUUID().slice(0, 8)}@example.com`;

export function newTicketBody(overrides: Record<string, unknown> = {}) {
  return {
    requester: { email: uniqueEmail(), name: 'Maria Souza' },
    subject: 'Não consigo acessar o e-mail',
    body: 'Desde ontem o Outlook pede a senha o tempo todo.',
    channel: 'phone',
    ...overrides,
  };
}

export async function createTicket(overrides: Record<string, unknown> = {}, email = 'l1@helpdesk.local') {
  const res = await api('POST', '/tickets', { token: await tokenFor(email), body: newTicketBody(overrides) });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body;
}

/** Polls until `probe` returns a value: how async flows (mail, queues) are checked. The generous deadline only catches a state never reached; it is no speed check. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
