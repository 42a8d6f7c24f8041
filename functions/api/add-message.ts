import { config } from '#shared/config';
import { logger } from '#shared/logger';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { addMessageBody, ticketIdParam } from '#core/schemas';
import { addAgentMessage, type Message, type Ticket } from '#core/ticket';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError, VersionConflictError } from '#core/errors';

const store = ticketStore(config.tableName);
// Mail is off until the stack is given a support domain: replies are then kept, not mailed.
const replyMailer = process.env.SUPPORT_ADDRESSES ? await loadReplyMailer() : undefined;

async function loadReplyMailer() {
  const [{ mailConfig }, { mailIndex }, { mailer }, { sendAgentReply }] = await Promise.all([
    import('#shared/mail-config'),
    import('#adapters/mail-index'),
    import('#adapters/mailer'),
    import('../email/send-reply.ts'),
  ]);
  const deps = { index: mailIndex(config.tableName), send: mailer(undefined, mailConfig.configurationSet).send, config: mailConfig };
  return (ticket: Ticket, message: Message) => sendAgentReply(ticket, message, deps);
}
const ATTEMPTS = 8;

/**
 * POST /tickets/{id}/messages: a public reply (mailed to the customer) or an
 * internal note (never mailed). Adding a
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
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= ATTEMPTS) throw err;
      // Jittered backoff, so writers racing for one ticket spread out instead of colliding again.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
      continue;
    }
    // The reply is saved whatever happens to the mail; the agent sees whether it went out.
    let mail: { status: 'sent'; sesMessageId: string } | { status: 'failed' } | { status: 'not-mailed' } = { status: 'not-mailed' };
    if (message.kind === 'reply' && !ticket.spam && replyMailer) {
      try {
        mail = { status: 'sent', ...(await replyMailer(ticket, message)) };
      } catch (err) {
        logger.error('Reply saved but not mailed', { ticketId: ticket.id, error: (err as Error).name });
        mail = { status: 'failed' };
      }
    }
    return json(201, { message, ticket, mail }, { location: `/tickets/${ticket.id}`, etag: `"${ticket.version}"` });
  }
});
