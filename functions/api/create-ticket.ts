import { createHash } from 'node:crypto';
import { configFor } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { agentRoute, HttpError, json } from '#shared/http';
import { actorOf } from '#shared/auth';
import { ticketStore } from '#adapters/ticket-store';
import { departmentStore } from '#adapters/department-store';
import { createTicketBody } from '#core/schemas';
import { openTicket } from '#app/open-ticket';
import { triageModelFor } from '#app/triage-model-in-use';
import { RuleViolationError } from '#core/errors';
import { can, type Rights } from '#core/access';

const config = await configFor('CreateTicket');
const lifecycle = lifecycleFor(config);

const store = ticketStore(config.tableName);
const departments = departmentStore(config.tableName);
const triageModel = triageModelFor(config);
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/** POST /tickets: an agent records a ticket for a customer (phone, walk-in, chat...). */
export const handler = agentRoute(config, { body: createTicketBody }, async ({ body, principal, headers }) => {
  const key = headers['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 128 letters, digits or _.:-');
  }
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('base64url');
  const idempotency = key ? { caller: principal.sub, key, requestHash } : undefined;
  if (idempotency) {
    const earlier = await store.findIdempotent(idempotency.caller, idempotency.key);
    if (earlier) return replay(earlier, requestHash, principal);
  }
  if (body.department && !(await departments.knownDepartment(body.department))) {
    throw new RuleViolationError('unknown_department', `There is no department "${body.department}"`);
  }

  const outcome = await openTicket({ input: body, actor: actorOf(principal), at: new Date().toISOString(), ...(idempotency ? { idempotency } : {}) }, { tickets: store, knownDepartment: (id) => departments.knownDepartment(id), lifecycle, policy, triageModel });
  if ('inFlight' in outcome) throw inFlight();
  // Random 80-bit ids do not collide in practice; if one ever did, say so rather than answer 201.
  if ('alreadyExists' in outcome) throw new Error('ticket id collision');
  if ('replayOf' in outcome) return replay(outcome.replayOf, requestHash, principal);
  // If starting its lifecycle failed, the caller retries with its Idempotency-Key, and the replay starts it (a second start is a no-op).
  const ticket = outcome.opened;
  return json(201, ticket, { location: `/tickets/${ticket.id}`, etag: `"${ticket.version}"` });
});

/**
 * A retried request gets the ticket it created the first time, never a second ticket. If the
 * ticket has moved meanwhile to a department the caller may not see, it gets only its id and
 * number: still a 201 (it was created, a retrying client must not create it again), but nothing
 * of what others have made of it since.
 */
async function replay(earlier: { ticketId: string; requestHash: string }, requestHash: string, principal: Rights) {
  if (earlier.requestHash !== requestHash) {
    throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
  }
  const ticket = await store.getTicket(earlier.ticketId);
  if (!ticket) throw inFlight();
  await lifecycle.start(ticket.id);
  if (!can(principal, ticket)) return json(201, { id: ticket.id, number: ticket.number }, { 'idempotent-replayed': 'true' });
  return json(201, ticket, { location: `/tickets/${ticket.id}`, etag: `"${ticket.version}"`, 'idempotent-replayed': 'true' });
}

const inFlight = () => new HttpError(409, 'idempotency_in_flight', 'The first request with this key has not finished; retry shortly');
