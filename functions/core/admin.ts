import { z } from 'zod';
import { RuleViolationError } from './errors.ts';
import { email, slug } from './schemas.ts';

/**
 * Agent administration as pure rules: which Cognito groups an agent's level and
 * admin flag mean, what an admin may do to their own account, and the input
 * schemas of the admin routes (strict objects with size limits).
 */
export type AgentLevel = 1 | 2 | 3;
export const ADMIN_GROUP = 'admins';
export const levelGroups = { 1: 'agents-l1', 2: 'agents-l2', 3: 'agents-l3' } as const satisfies Record<AgentLevel, string>;
/** Every group this desk manages; an agent's groups are always a subset. */
export const managedGroups: readonly string[] = [ADMIN_GROUP, ...Object.values(levelGroups)];

const level = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const name = z.string().trim().min(1).max(200);
const departments = z
  .array(slug)
  .max(50)
  .transform((ids) => [...new Set(ids)]);

export const agentEmailParams = z.strictObject({ email });

export const inviteAgentBody = z.strictObject({
  email,
  name,
  level,
  admin: z.boolean().optional().default(false),
  departments,
});

export const updateAgentBody = z
  .strictObject({ name: name.optional(), level: level.optional(), admin: z.boolean().optional(), departments: departments.optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'Nothing to change' });

const localized = (max: number) => z.strictObject({ en: z.string().trim().min(1).max(max), 'pt-BR': z.string().trim().min(1).max(max) });
export const cannedResponseParams = z.strictObject({
  id: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'letters, digits and - only, at most 64'),
});
export const cannedResponseBody = z.strictObject({
  title: localized(200),
  body: localized(10_000),
  /** Offered only to the agents of this department (its tickets' confidentiality covers its replies); absent or null: every agent. */
  department: slug.nullable().optional(),
});

export const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export type InviteAgent = z.infer<typeof inviteAgentBody>;
export type UpdateAgent = z.infer<typeof updateAgentBody>;

/** The groups an agent with this level and admin flag belongs to. */
export function groupsFor(level: AgentLevel | null, admin: boolean): string[] {
  return [...(level ? [levelGroups[level]] : []), ...(admin ? [ADMIN_GROUP] : [])];
}

/** The level an agent's groups give (the highest, should there be several); null for an admin with no level. */
export function levelOf(groups: readonly string[]): AgentLevel | null {
  for (const l of [3, 2, 1] as const) if (groups.includes(levelGroups[l])) return l;
  return null;
}

export const isAdmin = (groups: readonly string[]) => groups.includes(ADMIN_GROUP);

/**
 * The groups an update leaves an agent in. An admin may not take away their own
 * admin rights (someone else must), and every agent keeps a level or admin
 * rights, so nobody is left in no group at all.
 */
export function updatedGroups(current: readonly string[], change: { level?: AgentLevel; admin?: boolean }, self: boolean): string[] {
  const admin = change.admin ?? isAdmin(current);
  if (self && isAdmin(current) && !admin) throw new RuleViolationError('cannot_demote_self', 'You cannot remove your own admin rights; ask another admin');
  const groups = groupsFor(change.level ?? levelOf(current), admin);
  if (groups.length === 0) throw new RuleViolationError('level_required', 'An agent who is not an admin needs a level (1, 2 or 3)');
  return groups;
}

/** The group changes that take a user from `current` to `wanted`, within the groups this desk manages. */
export function groupChanges(current: readonly string[], wanted: readonly string[]) {
  return {
    add: wanted.filter((g) => !current.includes(g)),
    remove: managedGroups.filter((g) => !wanted.includes(g)),
  };
}

export function assertNotSelf(actor: string, target: string, action: 'disable'): void {
  if (actor === target) throw new RuleViolationError(`cannot_${action}_self`, `You cannot ${action} your own account; ask another admin`);
}

/** One admin action, as the audit trail keeps it: who, what, to whom, when, never a password. */
export interface AdminAuditRecord {
  id: string;
  at: string;
  actor: string;
  action: 'agent.invited' | 'agent.updated' | 'agent.disabled' | 'agent.enabled' | 'canned_response.created' | 'canned_response.replaced' | 'canned_response.deleted';
  /** An agent's email or a canned response's id. */
  target: string;
  /** Field → [before, after], for what changed. */
  changes?: Record<string, [unknown, unknown]>;
}

/** Field-by-field differences between two plain records (arrays compared as sets of values in order). */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = [before[key] ?? null, after[key] ?? null];
  }
  return out;
}

/** An agent as the admin routes answer with it. */
export interface AgentView {
  email: string;
  name: string;
  level: AgentLevel | null;
  admin: boolean;
  departments: string[];
  groups: string[];
  active: boolean;
  /** Cognito's UserStatus when the answer read it (FORCE_CHANGE_PASSWORD: invited, first sign-in pending). */
  status?: string;
}

/**
 * The one meaning of an agent's `active`: active unless disabled. Profiles written before the flag
 * existed have none, and they were never disabled, so absent means active, for every reader.
 */
export function isActive(agent: { active?: boolean }): boolean {
  return agent.active !== false;
}

export function agentView(a: { email: string; name: string; groups?: string[]; departments?: string[]; active?: boolean }, status?: string): AgentView {
  const groups = a.groups ?? [];
  return {
    email: a.email,
    name: a.name,
    level: levelOf(groups),
    admin: isAdmin(groups),
    departments: a.departments ?? [],
    groups,
    active: isActive(a),
    ...(status !== undefined && { status }),
  };
}
