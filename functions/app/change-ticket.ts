import { reportCounters } from '#adapters/report-store';
import type { TicketStore } from '#adapters/ticket-store';
import type { Agent } from '#adapters/agent-store';
import { updateTicket, type Actor, type Ticket, type TicketPatch } from '#core/ticket';
import { assertMayPatch, can, type Rights } from '#core/access';
import { isActive } from '#core/admin';
import { changeCounts } from '#core/report';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError, RuleViolationError, VersionConflictError } from '#core/errors';
import type { Policy } from '#core/policy';
import { changesExample } from './record-triage-example.ts';

/**
 * An agent changes a ticket's status, priority, category, department,
 * assignee or tags, from the version they saw: the change is checked against
 * their rights and the desk's departments and agents, written with the report
 * counters it moves, and the lifecycle follows (stopped when closed, started
 * when released from spam, woken otherwise).
 */
export interface ChangeTicketDeps {
  tickets: Pick<TicketStore, 'getTicket' | 'saveTicket'>;
  knownDepartment(id: string): Promise<boolean>;
  getAgent(email: string): Promise<Agent | undefined>;
  lifecycle: { start(ticketId: string): Promise<unknown>; stop(ticketId: string, cause: string): Promise<unknown>; signal(ticketId: string): Promise<unknown> };
  policy: Policy;
  /** Records the ticket as a labelled example for the triage model (record-triage-example.ts), once it is written; never throws. */
  recordExample?(ticketId: string): Promise<unknown>;
}

export async function changeTicket(
  request: { ticketId: string; patch: TicketPatch; expectedVersion: number; principal: Rights & { email: string }; actor: Actor; at: string },
  deps: ChangeTicketDeps,
): Promise<Ticket> {
  const { patch, principal, expectedVersion: expected } = request;
  const current = ID_PATTERN.test(request.ticketId) ? await deps.tickets.getTicket(request.ticketId) : undefined;
  // What the caller may not see does not exist for them; moving it elsewhere (routing) is allowed, and then it is gone.
  if (!current || !can(principal, current)) throw new NotFoundError('Ticket');
  // A stale view is answered with the current ticket before any rule is applied to it.
  if (current.version !== expected) throw new VersionConflictError(current);

  if (patch.department && !(await deps.knownDepartment(patch.department))) {
    throw new RuleViolationError('unknown_department', `There is no department "${patch.department}"`);
  }
  if (patch.assignee) {
    const agent = await deps.getAgent(patch.assignee);
    if (!agent || !isActive(agent)) throw new RuleViolationError('unknown_agent', `There is no active agent ${patch.assignee}`);
  }

  assertMayPatch(principal, current, patch);
  const result = updateTicket(current, patch, request.actor, request.at, deps.policy);
  // Report counters the change moves (a resolution's SLA, a release from spam) go in the same write.
  if (result.event) await deps.tickets.saveTicket(result.ticket, expected, result.event, undefined, reportCounters(changeCounts(current, result.ticket)));
  // A ticket finished, or relabelled once finished, teaches triage.
  if (result.event && deps.recordExample && changesExample(current, result.ticket)) await deps.recordExample(current.id);
  // Closed by hand: nothing left to time. Any other lifecycle change wakes the wait in progress.
  if (result.ticket.status === 'closed' && current.status !== 'closed') await deps.lifecycle.stop(current.id, 'Closed by an agent');
  // Released from the spam view: a real request now, with SLA timers from here.
  else if (current.spam && !result.ticket.spam) await deps.lifecycle.start(current.id);
  else if (result.ticket.lifecycleSeq !== current.lifecycleSeq) await deps.lifecycle.signal(current.id);
  return result.ticket;
}
