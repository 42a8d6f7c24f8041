import { ADMIN_GROUP, isActive, levelOf, type AgentLevel } from './admin.ts';
import { ForbiddenError } from './errors.ts';
import type { Level, Ticket, TicketPatch } from './ticket.ts';

/**
 * Who may see and do what: the one place the desk decides it. Pure functions
 * over the caller's rights, which come from their desk profile (the AGENT#
 * item), read on every request (cached briefly), never from the token's claims.
 *
 * - Admins see every ticket, except a restricted department's unless they belong to it.
 * - Other agents see the tickets of their departments, and level-1 agents also
 *   the dispatch queue (tickets no department holds yet). An agent with no
 *   department sees nothing else: access is granted, never assumed.
 * - A restricted department (cdk.json) is seen by its members only, admins included.
 */
export interface Rights {
  admin: boolean;
  /** The agent's working level; null for an admin with no level. */
  level: AgentLevel | null;
  departments: readonly string[];
  /** The desk's restricted departments, so every decision here is a function of its arguments. */
  restricted: readonly string[];
}

/** The parts of an agent profile that grant rights. */
export interface ProfileRights {
  active?: boolean;
  groups?: readonly string[];
  departments?: readonly string[];
}

/**
 * The rights a profile grants. With no profile at all (the first admin, made with the AWS CLI
 * before they gave themselves one), the token's groups count, with no department: every change
 * an admin makes to an agent (level, admin rights, departments, disabling) writes a profile,
 * so from then on only the profile speaks.
 */
export function rightsFrom(profile: ProfileRights | undefined, tokenGroups: readonly string[], restricted: readonly string[]): Rights & { groups: string[] } {
  const groups = [...(profile ? (profile.groups ?? []) : tokenGroups)];
  return { groups, admin: groups.includes(ADMIN_GROUP), level: levelOf(groups), departments: profile?.departments ?? [], restricted };
}

/** Which tickets a caller may see, as a query can use it. */
export type Scope =
  /** Every department but these (restricted ones the admin is not in); tickets with no department too. */
  | { all: true; except: string[] }
  /** Only these departments, and tickets with no department when `dispatch`. */
  | { all: false; departments: string[]; dispatch: boolean };

export function visibleDepartments(r: Rights): Scope {
  if (r.admin) return { all: true, except: r.restricted.filter((d) => !r.departments.includes(d)) };
  return { all: false, departments: [...r.departments], dispatch: r.level === 1 };
}

/** Whether a ticket of this department (null: none yet) is visible in the scope. */
export function inScope(scope: Scope, department: string | null | undefined): boolean {
  if (scope.all) return !department || !scope.except.includes(department);
  return department ? scope.departments.includes(department) : scope.dispatch;
}

/** Whether the caller may see (and so act on) the ticket. What they may not see does not exist for them (404). */
export function can(r: Rights, ticket: Pick<Ticket, 'department'>): boolean {
  return inScope(visibleDepartments(r), ticket.department);
}

/** Whether mail about a ticket (an escalation notice) may go to this agent: active, and allowed to see it. */
export function mayBeToldAbout(agent: ProfileRights, ticket: Pick<Ticket, 'department'>, restricted: readonly string[]): boolean {
  return isActive(agent) && can(rightsFrom(agent, [], restricted), ticket);
}

/**
 * Who hears of an SLA breach: the agents of the level it moved to, or the admins when there is
 * nobody there (or level 3 ran out); in either case only those who may see the ticket, since
 * the notice names it and its subject.
 */
export function breachRecipients(
  agents: readonly (ProfileRights & { email: string })[],
  ticket: Pick<Ticket, 'department'>,
  toLevel: Level | null,
  restricted: readonly string[],
): string[] {
  const told = agents.filter((a) => mayBeToldAbout(a, ticket, restricted));
  const atLevel = toLevel ? told.filter((a) => levelOf(a.groups ?? []) === toLevel) : [];
  return (atLevel.length ? atLevel : told.filter((a) => (a.groups ?? []).includes(ADMIN_GROUP))).map((a) => a.email);
}

/** A canned response scoped to a department is offered only to those who see that department's tickets. */
export const mayUseCanned = (r: Rights, canned: { department?: string | null }): boolean => !canned.department || can(r, { department: canned.department });

/**
 * Report figures are kept per department (null: none); whether the caller may count this one.
 * Figures kept before reports were per department (undefined) name none: admins only.
 */
export const mayCount = (r: Rights, department: string | null | undefined): boolean => (department === undefined ? r.admin : can(r, { department }));

/**
 * Levels mean something: an agent may raise a ticket's level, but not lower it below their
 * own, nor lower a ticket above their own; and may not take a ticket (assign it to themselves)
 * whose level is above theirs. Admins may do both.
 */
export function assertMayPatch(r: Rights & { email: string }, ticket: Pick<Ticket, 'level'>, patch: Pick<TicketPatch, 'level' | 'assignee'>): void {
  if (r.admin) return;
  const own: Level = r.level ?? 1;
  if (patch.level !== undefined && patch.level < ticket.level) {
    // Not a ticket above one's own level either: otherwise a level-1 agent could pull a level-3
    // ticket down to 1 and take it. Together the two rules leave lowering a level to admins.
    if (ticket.level > own) {
      throw new ForbiddenError('level_above_own', `A level-${own} agent cannot lower a level-${ticket.level} ticket`, { level: own, ticketLevel: ticket.level });
    }
    if (patch.level < own) throw new ForbiddenError('level_below_own', `A level-${own} agent cannot lower a ticket below level ${own}`, { level: own });
  }
  const level = patch.level ?? ticket.level;
  if (patch.assignee && patch.assignee.trim().toLowerCase() === r.email && level > own) {
    throw new ForbiddenError('level_above_own', `A level-${own} agent cannot take a level-${level} ticket`, { level: own, ticketLevel: level });
  }
}
