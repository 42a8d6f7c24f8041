import type { APIGatewayProxyStructuredResultV2 as Result } from 'aws-lambda';
import { policy } from '#shared/policy';
import type { TicketStore } from '#adapters/ticket-store';
import { verifyLink } from '#core/signed-link';
import { linkProblemPage, pageLanguage, statusPage, type PageLanguage, type StatusMessage } from '#core/customer-pages';
import type { FieldError } from '#core/customer-forms';
import type { Message, Ticket } from '#core/ticket';
import { ID_PATTERN } from '#core/ids';
import { html, problemPages } from '#shared/customer-page';

/**
 * The ticket status page behind the signed link in our mails (GET
 * /status/{token}), and its reply box (POST /status/reply). The link is
 * checked first: tampered or malformed is a 400 page, expired a 410 page.
 * The page shows the public conversation only: internal notes never leave
 * the desk.
 */
export const REPLY_PATH = '/status/reply';
export const statusPath = (token: string) => `/status/${token}`;

export type StatusLink = { ok: true; ticketId: string } | { ok: false; response: Result };

/** The status page of a desk: its ticket store, its name and link-signing key. */
export function statusView(deps: { store: Pick<TicketStore, 'getThread'>; signingKey: string; deskName: string }) {
  const { store, deskName, signingKey: secret } = deps;
  const problemPage = problemPages(deskName);

  /** Checks a status link; what is wrong with it is already a page. */
  function readStatusLink(token: string | undefined, lang: PageLanguage): StatusLink {
    const check = verifyLink(token ?? '', 'status', secret, Math.floor(Date.now() / 1000));
    if (!check.ok) return { ok: false, response: linkProblem(check.reason === 'expired' ? 410 : 400, lang, check.reason === 'expired' ? 'expired' : 'invalid') };
    if (!ID_PATTERN.test(check.claims.ticketId)) return { ok: false, response: linkProblem(400, lang, 'invalid') };
    return { ok: true, ticketId: check.claims.ticketId };
  }

  const linkProblem = (statusCode: number, lang: PageLanguage, problem: 'expired' | 'invalid') => html(statusCode, linkProblemPage({ lang, deskName, problem }));

  /** The status page of a ticket, optionally with a reply to show again and what was wrong with it. */
  async function showStatus(
    ticketId: string,
    token: string,
    acceptLanguage: string | undefined,
    opts: { statusCode?: number; reply?: string; replyError?: FieldError } = {},
  ): Promise<Result> {
    const thread = await store.getThread(ticketId);
    if (!thread) return problemPage(404, pageLanguage(null, acceptLanguage), 'not_found');
    const { ticket } = thread;
    const lang = pageLanguage(ticket.language, acceptLanguage);
    const body = statusPage({
      lang,
      deskName,
      ticketNumber: ticket.number,
      subject: ticket.subject,
      status: ticket.status,
      messages: publicConversation(ticket, thread.messages),
      token,
      replyAction: REPLY_PATH,
      timeZone: policy.calendar.timezone,
      ...(opts.reply !== undefined ? { reply: opts.reply } : {}),
      ...(opts.replyError ? { replyError: opts.replyError } : {}),
    });
    return html(opts.statusCode ?? 200, body, { 'content-language': lang });
  }

  return { readStatusLink, showStatus };
}

/** What the customer may see: their own messages and our public replies, text only. Never a note. */
export function publicConversation(ticket: Ticket, messages: Message[]): StatusMessage[] {
  return messages
    .filter((m) => m.public === true && (m.kind === 'customer' || m.kind === 'reply'))
    .map((m): StatusMessage => {
      if (m.kind === 'reply') return { from: 'team', body: m.body, at: m.createdAt };
      if (m.author.email === ticket.requester.email) return { from: 'you', body: m.body, at: m.createdAt };
      return { from: 'participant', name: m.author.name ?? m.author.email, body: m.body, at: m.createdAt };
    });
}
