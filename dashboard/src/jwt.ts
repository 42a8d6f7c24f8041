/**
 * Reads an ID token's claims for display and expiry. The signature is the
 * API's business (it verifies every request); the browser only needs to know
 * who signed in and when the token runs out.
 */
export interface IdClaims {
  email: string;
  name?: string;
  groups: string[];
  /** Expiry, milliseconds since the epoch. */
  expiresAt: number;
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('not a JWT');
  return payload as Record<string, unknown>;
}

export function idClaims(token: string): IdClaims {
  const p = decodeJwtPayload(token);
  const email = typeof p.email === 'string' ? p.email : typeof p['cognito:username'] === 'string' ? (p['cognito:username'] as string) : '';
  const raw = p['cognito:groups'];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : [];
  const exp = typeof p.exp === 'number' ? p.exp * 1000 : 0;
  return { email, ...(typeof p.name === 'string' ? { name: p.name } : {}), groups, expiresAt: exp };
}

/** The highest level an agent works at, from their groups (admins see everything). */
export function agentLevel(groups: string[]): 1 | 2 | 3 | undefined {
  if (groups.includes('admins') || groups.includes('agents-l3')) return 3;
  if (groups.includes('agents-l2')) return 2;
  if (groups.includes('agents-l1')) return 1;
  return undefined;
}
