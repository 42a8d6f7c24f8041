import { configFor } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { agentRoute, expectedVersion, json } from '#shared/http';
import { actorOf } from '#shared/auth';
import { ticketStore } from '#adapters/ticket-store';
import { agentStore } from '#adapters/agent-store';
import { departmentStore } from '#adapters/department-store';
import { reportCounters } from '#adapters/report-store';
import { ticketIdParam, updateTicketBody } from '#core/schemas';
import { updateTicket } from '#core/ticket';
import { assertMayPatch, can } from '#core/access';
import { isActive } from '#core/admin';
import { changeCounts } from '#core/report';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError, RuleViolationError, VersionConflictError } from '#core/errors';

const config = await configFor('UpdateTicket');
const lifecycle = lifecycleFor(config);

const store = ticketStore(config.tableName);
const agents = agentStore(config.tableName);
const departments = departmentStore(config.tableName);

/** PATCH /tickets/{id}: change status, priority, category, department, assignee or tags. */
export const handler = agentRoute(config, { params: ticketIdParam, body: updateTicketBody }, async ({ params, body, headers, principal }) => {
  const { version: bodyVersion, ...patch } = body;
  const expected = expectedVersion(headers, bodyVersion);
  const current = ID_PATTERN.test(params.id) ? await store.getTicket(params.id) : undefined;
  // What the caller may not see does not exist for them; moving it elsewhere (routing) is allowed, and then it is gone.
  if (!current || !can(principal, current)) throw new NotFoundError('Ticket');
  // A stale view is answered with the current ticket before any rule is applied to it.
  if (current.version !== expected) throw new VersionConflictError(current);

  if (patch.department && !(await departments.knownDepartment(patch.department))) {
    throw new RuleViolationError('unknown_department', `There is no department "${patch.department}"`);
  }
  if (patch.assignee) {
    const agent = await agents.getAgent(patch.assignee);
    if (!agent || !isActive(agent)) throw new RuleViolationError('unknown_agent', `There is no active agent ${patch.assignee}`);
  }

  assertMayPatch(principal, current, patch);
  const result = updateTicket(current, patch, actorOf(principal), new Date().toISOString(), policy);
  // Report counters the change moves (a resolution's SLA, a release from spam) go in the same write.
  if (result.event) await store.saveTicket(result.ticket, expected, result.event, undefined, reportCounters(changeCounts(current, result.ticket)));
  // Closed by hand: nothing left to time. Any other lifecycle change wakes the wait in progress.
  if (result.ticket.status === 'closed' && current.status !== 'closed') await lifecycle.stop(current.id, 'Closed by an agent');
  // Released from the spam view: a real request now, with SLA timers from here.
  else if (current.spam && !result.ticket.spam) await lifecycle.start(current.id);
  else if (result.ticket.lifecycleSeq !== current.lifecycleSeq) await lifecycle.signal(current.id);
  return json(200, result.ticket, { etag: `"${result.ticket.version}"` });
});
