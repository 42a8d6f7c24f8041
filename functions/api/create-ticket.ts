import { configFor } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { agentRoute, HttpError, json } from '#shared/http';
import { actorOf } from '#shared/auth';
import { ticketStore } from '#adapters/ticket-store';
import { departmentStore } from '#adapters/department-store';
import { createTicketBody } from '#core/schemas';
import { createTicket, type CreateTicketDeps } from '#app/create-ticket';
import { triageModelFor } from '#app/triage-model-in-use';

const config = await configFor('CreateTicket');
const departments = departmentStore(config.tableName);
const deps: CreateTicketDeps = { tickets: ticketStore(config.tableName), knownDepartment: (id) => departments.knownDepartment(id), lifecycle: lifecycleFor(config), policy, triageModel: triageModelFor(config) };
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
const replayed = { 'idempotent-replayed': 'true' };

/** POST /tickets: an agent records a ticket for a customer (phone, walk-in, chat...), once per Idempotency-Key (functions/app/create-ticket.ts). */
export const handler = agentRoute(config, { body: createTicketBody }, async ({ body, principal, headers }) => {
  const key = headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 128 letters, digits or _.:-');
  }
  const outcome = await createTicket({ input: body, principal, actor: actorOf(principal), at: new Date().toISOString(), ...(key === undefined ? {} : { idempotencyKey: key }) }, deps);
  if ('inFlight' in outcome) throw new HttpError(409, 'idempotency_in_flight', 'The first request with this key has not finished; retry shortly');
  // Still a 201 for a ticket now out of sight: it was created, and a retrying client must not create it again.
  if ('replayedOutOfSight' in outcome) return json(201, outcome.replayedOutOfSight, replayed);
  const ticket = 'created' in outcome ? outcome.created : outcome.replayed;
  return json(201, ticket, { location: `/tickets/${ticket.id}`, etag: `"${ticket.version}"`, ...('replayed' in outcome ? replayed : {}) });
});
