import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 as Result } from 'aws-lambda';
import { configFor } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { ticketStore } from '#adapters/ticket-store';
import { webFormGuard } from '#adapters/web-form-guard';
import { checkStatusReply, readForm } from '#core/customer-forms';
import { linkProblemPage, pageLanguage } from '#core/customer-pages';
import { acceptLanguage, browserLanguage, formProblemStatus, html, problemPages } from '#shared/customer-page';
import { statusPath, statusView } from '#app/status-view';
import { replyOnStatusPage, type StatusReplyDeps } from '#app/status-reply';
import { observed } from '#shared/observability';

const config = await configFor('StatusReply');
const { deskName } = config;
const problemPage = problemPages(deskName);
const store = ticketStore(config.tableName);
const { readStatusLink, showStatus } = statusView({ ...config, store });
const deps: StatusReplyDeps = { tickets: store, guard: webFormGuard(config.tableName), lifecycle: lifecycleFor(config), policy };

/** POST /status/reply: the status page's reply box (functions/app/status-reply.ts); saved, the browser goes back to the status page (303). */
export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<Result> => {
  const accept = acceptLanguage(event);
  const lang = browserLanguage(event);
  const raw = readForm(event.body, event.isBase64Encoded, event.headers?.['content-type']);
  if (!raw.ok) return problemPage(formProblemStatus[raw.problem], lang, raw.problem);
  const check = checkStatusReply(raw.fields);
  if (!check.token) return html(400, linkProblemPage({ lang, deskName, problem: 'invalid' }));
  const link = readStatusLink(check.token, lang);
  if (!link.ok) return link.response;
  // Empty or too long: the page again, with the text kept and the problem next to it.
  if (!check.ok) return showStatus(link.ticketId, check.token, accept, { statusCode: 400, reply: check.message, replyError: check.error });

  const outcome = await replyOnStatusPage({ ticketId: link.ticketId, message: check.message, at: new Date().toISOString() }, deps);
  if ('closed' in outcome) return problemPage(409, pageLanguage(outcome.closed.language, accept), 'ticket_closed');
  if ('notFound' in outcome) return problemPage(404, lang, 'not_found');
  // POST, then redirect, then GET: a refresh does not send it again.
  return { statusCode: 303, headers: { location: statusPath(check.token), 'cache-control': 'no-store' }, body: '' };
});
