import { agentGroups } from '#definitions/routes';
import type { Actor } from '#core/ticket';
import { rightsFrom, type ProfileRights, type Rights } from '#core/access';
import { isActive } from '#core/admin';

/** The caller: who (from the token) and what they may do (from their desk profile, see core/access.ts). */
export interface Principal extends Actor, Rights {
  groups: string[];
}

/** Who the verified token says is calling; what they may do comes from their profile. */
export interface Identity extends Actor {
  tokenGroups: string[];
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

export type AuthResult<T = Principal> = { ok: true; principal: T } | { ok: false; status: 401 | 403; message: string };

const isAgent = (groups: readonly string[]) => groups.some((g) => (agentGroups as readonly string[]).includes(g));

/** Who is calling, from the verified claims: a token of an agent of this desk (any agent group), or a 401/403. */
export function agentFromClaims(claims: Record<string, unknown> | undefined): AuthResult<Identity> {
  if (!claims || typeof claims.sub !== 'string' || typeof claims.email !== 'string') {
    return { ok: false, status: 401, message: 'A valid agent token is required' };
  }
  const tokenGroups = parseGroups(claims['cognito:groups']);
  if (!isAgent(tokenGroups)) return { ok: false, status: 403, message: 'This action needs an agent or admin account' };
  return { ok: true, principal: { sub: claims.sub, email: claims.email.toLowerCase(), tokenGroups } };
}

/**
 * The caller's rights from their profile as it is now: a demotion or a disable takes effect on
 * the token they already hold. No profile: the token's groups (see rightsFrom).
 */
export function principalFor(who: Identity, profile: ProfileRights | undefined, restricted: readonly string[]): AuthResult {
  if (profile !== undefined && !isActive(profile)) return { ok: false, status: 401, message: 'This agent account is disabled; ask an admin to enable it' };
  const rights = rightsFrom(profile, who.tokenGroups, restricted);
  if (!isAgent(rights.groups)) return { ok: false, status: 403, message: 'This action needs an agent or admin account' };
  return { ok: true, principal: { sub: who.sub, email: who.email, ...rights } };
}

/** Admin routes: only admins (by their profile); any other agent is refused with a 403. */
export function requireAdmin(principal: Principal): AuthResult {
  if (!principal.admin) return { ok: false, status: 403, message: 'This action needs an admin account' };
  return { ok: true, principal };
}

/** Who acted, as the audit trail records it: never the rights of the moment. */
export const actorOf = (p: Principal): Actor => ({ sub: p.sub, email: p.email });
