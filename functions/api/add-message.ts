import { config } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { addMessageBody, ticketIdParam } from '#core/schemas';
import { addAgentMessage } from '#core/ticket';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError, VersionConflictError } from '#core/errors';

const store = ticketStore(config.tableName);
const ATTEMPTS = 8;

/**
 * POST /tickets/{id}/messages: a public reply or an internal note. Adding a
 * message never conflicts with the caller's view, so a race with another write
 * is retried on the fresh ticket rather than returned as a 409.
 */
export const handler = agentRoute({ params: ticketIdParam, body: addMessageBody }, async ({ params, body, principal }) => {
  for (let attempt = 1; ; attempt++) {
    const current = ID_PATTERN.test(params.id) ? await store.getTicket(params.id) : undefined;
    if (!current) throw new NotFoundError('Ticket');
    const { ticket, message, event } = addAgentMessage(current, body, principal, new Date().toISOString());
    try {
      await store.saveTicket(ticket, current.version, event, message);
      return json(201, { message, ticket }, { location: `/tickets/${ticket.id}`, etag: `"${ticket.version}"` });
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= ATTEMPTS) throw err;
      // Jittered backoff, so writers racing for one ticket spread out instead of colliding again.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
    }
  }
});
