import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 as Result } from 'aws-lambda';
import { policy } from '#shared/policy';
import { logger } from '#shared/logger';
import type { TicketStore } from '#adapters/ticket-store';
import type { CounterUpdate } from '#adapters/report-store';
import { keys } from '#adapters/keys';
import { verifyLink } from '#core/signed-link';
import { html } from '#shared/customer-page';
import { checkSurveyForm, readForm, type SurveyForm } from '#core/customer-forms';
import { linkProblemPage, pageLanguage, surveyCommentSavedPage, surveyRatingPage, surveyThanksPage, type LinkProblem, type PageLanguage } from '#core/customer-pages';
import { recordRating, type Rating } from '#core/lifecycle';
import { RuleViolationError } from '#core/errors';
import type { Ticket } from '#core/ticket';

/**
 * The survey's answers, from the customer's browser: the page a survey link
 * opens (GET /survey/{token}, which only reads: mail scanners follow links)
 * and the form it posts, with the rating and an optional comment (POST
 * /survey/comment), which records them. Customers get pages, never JSON or a
 * stack trace: a bad, tampered or expired link is a clear page with a 4xx status.
 */

export type SurveyLink = { ok: true; ticketId: string; rating: Rating } | { ok: false; response: Result };

/** The survey of a desk: its ticket store and lifecycle (woken by an answer), its name and link-signing key. */
export function surveyAnswers(deps: { store: Pick<TicketStore, 'getTicket' | 'applyChange'>; lifecycle: { signal(ticketId: string): Promise<unknown> }; signingKey: string; deskName: string }) {
  const { store, lifecycle, deskName, signingKey: secret } = deps;

  /** A survey link that cannot be used, as a page. */
  const problem = (statusCode: number, lang: PageLanguage, kind: LinkProblem) => html(statusCode, linkProblemPage({ lang, deskName, problem: kind }));

  /** Checks a survey link; what is wrong with it is already a page. */
  function readSurveyLink(token: string | undefined, lang: PageLanguage): SurveyLink {
    const check = verifyLink(token ?? '', 'survey', secret, Math.floor(Date.now() / 1000));
    if (!check.ok) return { ok: false, response: check.reason === 'expired' ? problem(410, lang, 'expired') : problem(400, lang, 'invalid') };
    const rating = Number(check.claims.data?.r);
    if (![1, 2, 3, 4, 5].includes(rating)) return { ok: false, response: problem(400, lang, 'invalid') };
    return { ok: true, ticketId: check.claims.ticketId, rating: rating as Rating };
  }

  /** The page a survey link opens: its rating pre-selected, one button to send it. Writes nothing. */
  async function showSurvey(link: { ticketId: string; rating: Rating }, acceptLanguage: string | undefined, token: string): Promise<Result> {
    const ticket = await store.getTicket(link.ticketId);
    if (!ticket) return problem(404, pageLanguage(null, acceptLanguage), 'invalid');
    const lang = pageLanguage(ticket.language, acceptLanguage);
    // The same rule recordRating applies when the form is sent, so the page never offers what would be refused.
    if (!ticket.survey || Date.now() > Date.parse(ticket.survey.expiresAt)) return problem(410, lang, 'closed');
    return html(200, surveyRatingPage({ lang, deskName, ticketNumber: ticket.number, rating: link.rating, current: ticket.survey.rating, action: '/survey/comment', token }));
  }

  /**
   * Records a rating (and a comment): one per ticket, a later answer replaces
   * it. The monthly CSAT counters move in the same transaction, so the report
   * never counts a rating twice or misses one. Without a rating (the comment
   * form of the thank-you page) the recorded one stays; with none recorded yet,
   * nothing is: the link's own rating counts only when a person sends it from
   * the rating page, never from a bare post of the token (a scanner, a script).
   */
  async function answerSurvey(link: { ticketId: string; rating: Rating }, answer: { rating?: Rating; comment?: string }, acceptLanguage: string | undefined, token: string): Promise<Result> {
    const fallback = pageLanguage(null, acceptLanguage);
    const now = new Date().toISOString();
    const { comment } = answer;
    let before: Ticket | undefined;
    try {
      const done = await store.applyChange(link.ticketId, (t) => {
        before = t;
        const rating = answer.rating ?? t.survey?.rating;
        if (rating == null) return undefined;
        // The same answer again (a double press, a resend) changes nothing.
        if (t.survey && t.survey.rating === rating && (comment === undefined || comment === t.survey.comment)) return undefined;
        const change = recordRating(t, rating, comment, now, policy);
        return { ...change, counters: [csatCounters(t.survey!.sentAt, rating, change.previous, t.department)] };
      });
      const ticket = done?.ticket ?? before!;
      const lang = pageLanguage(ticket.language, acceptLanguage);
      if (done) await lifecycle.signal(ticket.id);
      // Nothing to go with the comment: the rating page again, the link's rating pre-selected.
      if (answer.rating === undefined && ticket.survey?.rating == null) return showSurvey(link, acceptLanguage, token);
      if (answer.rating === undefined) return html(200, surveyCommentSavedPage({ lang, deskName, ticketNumber: ticket.number }));
      return html(
        200,
        surveyThanksPage({
          lang,
          deskName,
          ticketNumber: ticket.number,
          rating: ticket.survey!.rating ?? answer.rating,
          updated: Boolean(done?.previous),
          commentAction: '/survey/comment',
          token,
          comment: ticket.survey?.comment ?? null,
        }),
      );
    } catch (err) {
      if (err instanceof RuleViolationError) return problem(410, before ? pageLanguage(before.language, acceptLanguage) : fallback, 'closed');
      if ((err as Error).name === 'NotFoundError') return problem(404, fallback, 'invalid');
      logger.error('Survey answer failed', { error: (err as Error).name });
      throw err;
    }
  }

  return { problem, readSurveyLink, showSurvey, answerSurvey };
}

function csatCounters(sentAt: string, rating: Rating, previous: Rating | null, department: string | null): CounterUpdate {
  // Counted in the month the survey went out, so a changed answer moves within the same month.
  const add: Record<string, number> = { [`r${rating}`]: 1, sum: rating - (previous ?? 0), count: previous ? 0 : 1 };
  if (previous) add[`r${previous}`] = (add[`r${previous}`] ?? 0) - 1;
  // Per department, so reports show a restricted department's answers only to its members.
  return { key: keys.reportCsat(sentAt.slice(0, 7), department), add };
}

/**
 * Reads the survey form (urlencoded, maybe base64 from API Gateway) with its
 * schema (surveyFormSchema, the one the API document names): the token, the
 * rating when the rating page sent it, and the comment when there is one.
 * Undefined when it is not such a form: every problem is the same 400 page.
 */
export function readSurveyForm(event: APIGatewayProxyEventV2): SurveyForm | undefined {
  const raw = readForm(event.body, event.isBase64Encoded, event.headers?.['content-type']);
  return raw.ok ? checkSurveyForm(raw.fields) : undefined;
}
