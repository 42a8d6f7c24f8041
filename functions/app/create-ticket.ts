import { createHash } from 'node:crypto';
import type { TicketStore } from '#adapters/ticket-store';
import type { Actor, NewTicketInput, Ticket } from '#core/ticket';
import { can, type Rights } from '#core/access';
import { RuleViolationError } from '#core/errors';
import { openTicket, type OpenTicketDeps } from './open-ticket.ts';

/**
 * An agent records a ticket for a customer (POST /tickets), at most once per
 * Idempotency-Key: the key is the caller's, and a retry with the same key and
 * the same body gets the ticket the first call created, never a second one.
 */
export interface CreateTicketDeps extends OpenTicketDeps {
  tickets: OpenTicketDeps['tickets'] & Pick<TicketStore, 'findIdempotent' | 'getTicket'>;
}

export interface CreateTicketRequest {
  input: NewTicketInput;
  principal: Rights & { sub: string };
  actor: Actor;
  at: string;
  /** The caller's Idempotency-Key, already checked for its shape; absent: every call opens a ticket. */
  idempotencyKey?: string;
}

export type CreateTicketOutcome =
  | { created: Ticket }
  | { replayed: Ticket }
  /** A replay of a ticket since moved where the caller may not look: its id and number only. */
  | { replayedOutOfSight: { id: string; number: number } }
  /** The first call with this key has not finished. */
  | { inFlight: true };

export async function createTicket(request: CreateTicketRequest, deps: CreateTicketDeps): Promise<CreateTicketOutcome> {
  const { input, principal } = request;
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('base64url');
  const idempotency = request.idempotencyKey === undefined ? undefined : { caller: principal.sub, key: request.idempotencyKey, requestHash };
  if (idempotency) {
    const earlier = await deps.tickets.findIdempotent(idempotency.caller, idempotency.key);
    if (earlier) return replay(earlier, requestHash, principal, deps);
  }
  if (input.department && !(await deps.knownDepartment(input.department))) {
    throw new RuleViolationError('unknown_department', `There is no department "${input.department}"`);
  }

  const outcome = await openTicket({ input, actor: request.actor, at: request.at, ...(idempotency ? { idempotency } : {}) }, deps);
  if ('inFlight' in outcome) return outcome;
  // Random 80-bit ids do not collide in practice; if one ever did, say so rather than answer 201.
  if ('alreadyExists' in outcome) throw new Error('ticket id collision');
  // A concurrent call with the same key got there first, between the lookup and the write.
  if ('replayOf' in outcome) return replay(outcome.replayOf, requestHash, principal, deps);
  // If starting its lifecycle failed, the caller retries with its Idempotency-Key, and the replay starts it (a second start is a no-op).
  return { created: outcome.opened };
}

/**
 * A retried request gets the ticket it created the first time. If the ticket has moved meanwhile
 * to a department the caller may not see, it gets only its id and number: it was created (a
 * retrying client must not create it again), but nothing of what others have made of it since.
 */
async function replay(earlier: { ticketId: string; requestHash: string }, requestHash: string, principal: Rights, deps: CreateTicketDeps): Promise<CreateTicketOutcome> {
  if (earlier.requestHash !== requestHash) {
    throw new RuleViolationError('idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
  }
  const ticket = await deps.tickets.getTicket(earlier.ticketId);
  if (!ticket) return { inFlight: true };
  await deps.lifecycle.start(ticket.id);
  return can(principal, ticket) ? { replayed: ticket } : { replayedOutOfSight: { id: ticket.id, number: ticket.number } };
}
