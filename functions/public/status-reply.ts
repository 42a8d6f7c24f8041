import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 as Result } from 'aws-lambda';
import { configFor } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { logger } from '#shared/logger';
import { ticketStore } from '#adapters/ticket-store';
import { webFormGuard } from '#adapters/web-form-guard';
import { checkStatusReply, readForm } from '#core/customer-forms';
import { linkProblemPage, pageLanguage } from '#core/customer-pages';
import { addCustomerMessage, type Actor, type Ticket } from '#core/ticket';
import { NotFoundError, RuleViolationError } from '#core/errors';
import { acceptLanguage, browserLanguage, formProblemStatus, html, problemPages } from '#shared/customer-page';
import { statusPath, statusView } from '#app/status-view';
import { observed } from '#shared/observability';

const config = await configFor('StatusReply');
const { deskName } = config;
const lifecycle = lifecycleFor(config);
const problemPage = problemPages(deskName);
const store = ticketStore(config.tableName);
const { readStatusLink, showStatus } = statusView({ ...config, store });

/**
 * POST /status/reply: the reply box of the status page. The message joins the
 * ticket as the requester's, with the same effects as their mail (a pending or
 * resolved ticket reopens), and the browser goes back to the status page
 * (303). The same words sent twice within 10 minutes (a double click, a
 * refresh) are one message. A closed ticket takes no reply here: a 409 page
 * says to answer by mail, which opens a follow-up.
 */
const guard = webFormGuard(config.tableName);
const REPLY_WINDOW_SECONDS = 10 * 60;
/** The status page speaks for the requester; the audit trail names the channel. */
const pageActor: Actor = { sub: 'system:status-page', email: 'web' };

export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<Result> => {
  const accept = acceptLanguage(event);
  const lang = browserLanguage(event);
  const raw = readForm(event.body, event.isBase64Encoded, event.headers?.['content-type']);
  if (!raw.ok) return problemPage(formProblemStatus[raw.problem], lang, raw.problem);
  const check = checkStatusReply(raw.fields);
  if (!check.token) return html(400, linkProblemPage({ lang, deskName, problem: 'invalid' }));
  const link = readStatusLink(check.token, lang);
  if (!link.ok) return link.response;
  const token = check.token;
  // Empty or too long: the page again, with the text kept and the problem next to it.
  if (!check.ok) return showStatus(link.ticketId, token, accept, { statusCode: 400, reply: check.message, replyError: check.error });

  if (!(await guard.claimReply(link.ticketId, check.message, REPLY_WINDOW_SECONDS))) {
    // Sent again: saved the first time. Woken again too, in case the first try stopped before waking it (a spare wake is harmless).
    await lifecycle.signal(link.ticketId);
    return seeStatus(token);
  }
  let before: Ticket | undefined;
  let done: { ticket: Ticket } | undefined;
  try {
    done = await store.applyChange(link.ticketId, (t) => {
      before = t;
      return addCustomerMessage(t, { body: check.message, at: new Date().toISOString() }, pageActor, policy);
    });
  } catch (err) {
    // Not saved: the same words may be sent again.
    await guard.releaseReply(link.ticketId, check.message);
    if (err instanceof RuleViolationError) return problemPage(409, pageLanguage(before?.language, accept), 'ticket_closed');
    if (err instanceof NotFoundError) return problemPage(404, lang, 'not_found');
    logger.error('Status page reply failed', { ticketId: link.ticketId, error: (err as Error).name });
    throw err;
  }
  // Waiting on the customer, or resolved: the lifecycle's wait ends now.
  if (done && before && done.ticket.lifecycleSeq !== before.lifecycleSeq) await lifecycle.signal(done.ticket.id);
  return seeStatus(token);
});

/** Back to the status page, where the reply now shows (POST, then redirect, then GET: a refresh does not send it again). */
const seeStatus = (token: string): Result => ({ statusCode: 303, headers: { location: statusPath(token), 'cache-control': 'no-store' }, body: '' });
