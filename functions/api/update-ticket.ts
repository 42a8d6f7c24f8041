import { configFor } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { agentRoute, expectedVersion, json } from '#shared/http';
import { actorOf } from '#shared/auth';
import { ticketStore } from '#adapters/ticket-store';
import { agentStore } from '#adapters/agent-store';
import { departmentStore } from '#adapters/department-store';
import { triageExampleStore } from '#adapters/triage-example-store';
import { logger } from '#shared/logger';
import { recordTriageExample } from '#app/record-triage-example';
import { ticketIdParam, updateTicketBody } from '#core/schemas';
import { changeTicket, type ChangeTicketDeps } from '#app/change-ticket';

const config = await configFor('UpdateTicket');
const agents = agentStore(config.tableName);
const departments = departmentStore(config.tableName);
const tickets = ticketStore(config.tableName);
const examples = triageExampleStore(config.tableName);
const deps: ChangeTicketDeps = {
  tickets,
  knownDepartment: (id) => departments.knownDepartment(id),
  getAgent: (email) => agents.getAgent(email),
  lifecycle: lifecycleFor(config),
  policy,
  // The change stands even if its example is not written: logged, and the next change of the ticket writes it.
  recordExample: (id) => recordTriageExample(id, { tickets, examples }).catch((err: unknown) => logger.error('Triage example not recorded', { ticketId: id, error: String(err) })),
};

/** PATCH /tickets/{id}: change status, priority, category, department, assignee or tags (functions/app/change-ticket.ts). */
export const handler = agentRoute(config, { params: ticketIdParam, body: updateTicketBody }, async ({ params, body, headers, principal }) => {
  const { version: bodyVersion, ...patch } = body;
  const request = { ticketId: params.id, patch, expectedVersion: expectedVersion(headers, bodyVersion), principal, actor: actorOf(principal), at: new Date().toISOString() };
  const ticket = await changeTicket(request, deps);
  return json(200, ticket, { etag: `"${ticket.version}"` });
});
