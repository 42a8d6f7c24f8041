import { logger } from '#shared/logger';
import type { WebFormGuard } from '#adapters/web-form-guard';
import { addCustomerMessage, type Actor, type AuditEvent, type Message, type Ticket } from '#core/ticket';
import { NotFoundError, RuleViolationError } from '#core/errors';
import type { Policy } from '#core/policy';

/**
 * The reply box of the status page: the message joins the ticket as the
 * requester's, with the same effects as their mail (a pending or resolved
 * ticket reopens). The same words sent twice within 10 minutes (a double
 * click, a refresh) are one message. A closed ticket takes no reply here:
 * the customer is told to answer by mail, which opens a follow-up.
 */
export interface StatusReplyDeps {
  tickets: {
    applyChange<C extends { ticket: Ticket; event: AuditEvent; message?: Message }>(id: string, change: (ticket: Ticket) => C | undefined): Promise<C | undefined>;
  };
  guard: Pick<WebFormGuard, 'claimReply' | 'releaseReply'>;
  lifecycle: { signal(ticketId: string): Promise<unknown> };
  policy: Policy;
}

/** Saved (now or the first time it was sent), or why not: closed (with the ticket's language, for the page), or not found. */
export type StatusReplyOutcome = { saved: true } | { closed: { language: string | null | undefined } } | { notFound: true };

export const REPLY_WINDOW_SECONDS = 10 * 60;
/** The status page speaks for the requester; the audit trail names the channel. */
const pageActor: Actor = { sub: 'system:status-page', email: 'web' };

export async function replyOnStatusPage(request: { ticketId: string; message: string; at: string }, deps: StatusReplyDeps): Promise<StatusReplyOutcome> {
  const { ticketId, message } = request;
  if (!(await deps.guard.claimReply(ticketId, message, REPLY_WINDOW_SECONDS))) {
    // Sent again: saved the first time. Woken again too, in case the first try stopped before waking it (a spare wake is harmless).
    await deps.lifecycle.signal(ticketId);
    return { saved: true };
  }
  let before: Ticket | undefined;
  let done: { ticket: Ticket } | undefined;
  try {
    done = await deps.tickets.applyChange(ticketId, (t) => {
      before = t;
      return addCustomerMessage(t, { body: message, at: request.at }, pageActor, deps.policy);
    });
  } catch (err) {
    // Not saved: the same words may be sent again.
    await deps.guard.releaseReply(ticketId, message);
    if (err instanceof RuleViolationError) return { closed: { language: before?.language } };
    if (err instanceof NotFoundError) return { notFound: true };
    logger.error('Status page reply failed', { ticketId, error: (err as Error).name });
    throw err;
  }
  // Waiting on the customer, or resolved: the lifecycle's wait ends now.
  if (done && before && done.ticket.lifecycleSeq !== before.lifecycleSeq) await deps.lifecycle.signal(done.ticket.id);
  return { saved: true };
}
