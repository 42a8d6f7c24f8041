import { agentGroups } from '#definitions/routes';
import type { Actor } from '#core/ticket';

export interface Principal extends Actor {
  groups: string[];
}

/**
 * API Gateway's JWT authorizer hands claims to the function as strings; a list
 * claim such as `cognito:groups` arrives as "[admins agents-l1]". Accept that
 * form, a JSON array, and a real array.
 */
export function parseGroups(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  const s = raw.trim();
  if (s.startsWith('[') && s.endsWith(']')) {
    try {
      const parsed = JSON.parse(s);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // Not JSON: the authorizer's "[a b]" form.
    }
    return s.slice(1, -1).split(/[\s,]+/).filter(Boolean);
  }
  return s.split(/[\s,]+/).filter(Boolean);
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; status: 401 | 403; message: string };

/** Who is calling, from the verified claims; agents only. */
export function agentFromClaims(claims: Record<string, unknown> | undefined): AuthResult {
  if (!claims || typeof claims.sub !== 'string' || typeof claims.email !== 'string') {
    return { ok: false, status: 401, message: 'A valid agent token is required' };
  }
  const groups = parseGroups(claims['cognito:groups']);
  if (!groups.some((g) => (agentGroups as readonly string[]).includes(g))) {
    return { ok: false, status: 403, message: 'This action needs an agent or admin account' };
  }
  return { ok: true, principal: { sub: claims.sub, email: claims.email.toLowerCase(), groups } };
}

/** Admin routes: only members of the `admins` group; any other agent is refused with a 403. */
export function requireAdmin(principal: Principal): AuthResult {
  if (!principal.groups.includes('admins')) return { ok: false, status: 403, message: 'This action needs an admin account' };
  return { ok: true, principal };
}
