import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 as Result } from 'aws-lambda';
import { configFor, type MailSettings } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { logger } from '#shared/logger';
import { ticketStore } from '#adapters/ticket-store';
import { departmentStore } from '#adapters/department-store';
import { webFormGuard } from '#adapters/web-form-guard';
import { checkHelpForm, readForm, submissionFingerprint } from '#core/customer-forms';
import { helpFormPage, helpThanksPage, type PageLanguage } from '#core/customer-pages';
import type { Actor, Ticket } from '#core/ticket';
import { openTicket } from '#app/open-ticket';
import { browserLanguage, formProblemStatus, HELP_PATH, html, problemPages } from '#shared/customer-page';
import { observed } from '#shared/observability';

/**
 * POST /help: the web form opens a ticket, exactly as an agent's POST /tickets
 * does (triage, the policy's deadlines, the lifecycle), with channel `web`, and
 * the customer gets the acknowledgement mail with the status link.
 *
 * In order: a body that is not a small URL-encoded form is a 4xx page; a
 * filled honeypot gets the thank-you page and nothing else; invalid fields
 * get the form again with the errors and the values kept (400); the same
 * submission again within 10 minutes gets the first one's thank-you page;
 * more submissions an hour per address or per source IP than the policy's
 * `webForm` limits allow get a 429 page.
 */
const config = await configFor('SubmitTicket');
const { deskName } = config;
const lifecycle = lifecycleFor(config);
const problemPage = problemPages(deskName);
const store = ticketStore(config.tableName);
const departments = departmentStore(config.tableName);
const guard = webFormGuard(config.tableName);
const supportAddresses = config.mail?.supportAddresses ?? [];
// Mail is off until the stack is given a support domain: tickets then open without an acknowledgement.
const acknowledge = config.mail ? await loadAcknowledgement(config.mail) : undefined;

/** How long the same submission is answered with the first one's ticket. */
export const DUPLICATE_WINDOW_SECONDS = 10 * 60;

/** The web form opens tickets on behalf of no agent: the audit trail names the channel. */
const webActor: Actor = { sub: 'system:web-form', email: 'web' };

async function loadAcknowledgement(mail: MailSettings) {
  const [{ mailIndex }, { mailer }, { sendAcknowledgement }] = await Promise.all([import('#adapters/mail-index'), import('#adapters/mailer'), import('#app/acknowledgement')]);
  const settings = {
    ...mail,
    deskName,
    publicUrl: config.publicUrl,
    autoReplyCap: policy.acknowledgements.perAddressPerHour,
    autoReplyDomainCap: policy.acknowledgements.perDomainPerHour,
  };
  const deps = { index: mailIndex(config.tableName), send: mailer(undefined, mail.configurationSet).send, config: settings };
  return (ticket: Ticket) => sendAcknowledgement(ticket, { references: [] }, deps);
}

export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<Result> => {
  let lang = browserLanguage(event);
  const raw = readForm(event.body, event.isBase64Encoded, event.headers?.['content-type']);
  if (!raw.ok) return problemPage(formProblemStatus[raw.problem], lang, raw.problem, HELP_PATH);

  const check = checkHelpForm(raw.fields, supportAddresses);
  // The language the form was shown in, sent back with it.
  lang = (check.ok ? check.form.lang : check.lang) ?? lang;
  // A robot learns nothing: the page a person would get, with a number that is not a ticket.
  if (check.honeypot) {
    logger.info('Web form honeypot filled; no ticket opened');
    return thanks(lang, await guard.plausibleTicketNumber());
  }
  if (!check.ok) return html(400, helpFormPage({ lang, deskName, action: HELP_PATH, values: check.values, errors: check.errors }));
  const form = check.form;

  // A double click, a refresh or a retry: the first ticket's answer, and no second ticket.
  const fingerprint = submissionFingerprint(form);
  const earlier = await guard.earlier(fingerprint);
  if (earlier) return again(lang, earlier);

  const sourceIp = event.requestContext?.http?.sourceIp || 'unknown';
  const limits = [
    { subject: `email:${form.email}`, limit: policy.webForm.perAddressPerHour },
    { subject: `ip:${sourceIp}`, limit: policy.webForm.perIpPerHour },
  ];
  if (!(await guard.allow(limits))) {
    logger.warn('Web form throttled');
    const retryAfter = 3600 - (Math.floor(Date.now() / 1000) % 3600);
    return problemPage(429, lang, 'throttled', undefined, { 'retry-after': String(retryAfter) });
  }

  const requester = { email: form.email, ...(form.name ? { name: form.name } : {}) };
  const outcome = await openTicket(
    {
      input: { requester, subject: form.subject, body: form.message, channel: 'web' },
      actor: webActor,
      at: new Date().toISOString(),
      // The language the customer read the form in: our mails and pages for this ticket use it.
      language: lang,
      // The same submission, sent at the same moment, got there first (this number is skipped).
      claim: async (ticket) => {
        const claim = await guard.claim(fingerprint, { ticketNumber: ticket.number, ticketId: ticket.id }, DUPLICATE_WINDOW_SECONDS);
        return claim.claimed ? undefined : claim.earlier;
      },
      // Not opened: the customer may send the form again.
      release: (ticket) => guard.release(fingerprint, ticket.number),
      stored: async (ticket) => logger.info('Web form opened a ticket', { ticketId: ticket.id }),
    },
    { tickets: store, knownDepartment: (id) => departments.knownDepartment(id), lifecycle, policy },
  );
  if ('held' in outcome) return again(lang, outcome.held);
  // Random 80-bit ids do not collide in practice; if one ever did, say so rather than thank (its claim is released).
  if (!('opened' in outcome)) throw new Error('ticket id collision');
  // If its lifecycle did not start, the customer sees an error and sends again: the duplicate path starts it (a second start is a no-op).
  await sendAcknowledgement(outcome.opened);
  return thanks(lang, outcome.opened.number);
});

/**
 * The answer to a repeated submission. If the first request stopped after
 * storing its ticket (before its lifecycle started or its mail went out),
 * this one finishes the job: both steps happen once whoever runs them.
 */
async function again(lang: PageLanguage, earlier: { ticketNumber: number; ticketId?: string | undefined }): Promise<Result> {
  const ticket = earlier.ticketId ? await store.getTicket(earlier.ticketId) : undefined;
  if (ticket) {
    await lifecycle.start(ticket.id);
    await sendAcknowledgement(ticket);
  }
  return thanks(lang, earlier.ticketNumber);
}

/** The ticket is open whatever happens to the mail: a failed send is logged, and the claim released so a retry can send it. */
async function sendAcknowledgement(ticket: Ticket) {
  if (!acknowledge) return;
  try {
    await acknowledge(ticket);
  } catch (err) {
    logger.error('Web form ticket opened but not acknowledged', { ticketId: ticket.id, error: (err as Error).name });
  }
}

const thanks = (lang: PageLanguage, ticketNumber: number) => html(200, helpThanksPage({ lang, deskName, ticketNumber }));
