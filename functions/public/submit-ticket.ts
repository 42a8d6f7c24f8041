import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 as Result } from 'aws-lambda';
import { configFor, type MailSettings } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { ticketStore } from '#adapters/ticket-store';
import { departmentStore } from '#adapters/department-store';
import { webFormGuard } from '#adapters/web-form-guard';
import { triageModelFor } from '#app/triage-model-in-use';
import { checkHelpForm, readForm } from '#core/customer-forms';
import { helpFormPage, helpThanksPage } from '#core/customer-pages';
import { answerRobot, submitHelpForm, type HelpFormDeps } from '#app/submit-help-form';
import { acceptLanguage, browserLanguage, formProblemStatus, HELP_PATH, html, problemPages } from '#shared/customer-page';
import { observed } from '#shared/observability';

const config = await configFor('SubmitTicket');
const { deskName } = config;
const problemPage = problemPages(deskName);
const departments = departmentStore(config.tableName);
const deps: HelpFormDeps = {
  tickets: ticketStore(config.tableName),
  knownDepartment: (id) => departments.knownDepartment(id),
  triageModel: triageModelFor(config),
  lifecycle: lifecycleFor(config),
  guard: webFormGuard(config.tableName),
  // Mail is off until the stack is given a support domain: tickets then open without an acknowledgement.
  acknowledge: config.mail ? await loadAcknowledgement(config.mail) : undefined,
  policy,
};

async function loadAcknowledgement(mail: MailSettings) {
  const [{ mailIndex }, { mailer }, { sendAcknowledgement }] = await Promise.all([import('#adapters/mail-index'), import('#adapters/mailer'), import('#app/acknowledgement')]);
  const settings = { ...mail, deskName, publicUrl: config.publicUrl, autoReplyCap: policy.acknowledgements.perAddressPerHour, autoReplyDomainCap: policy.acknowledgements.perDomainPerHour };
  const ackDeps = { index: mailIndex(config.tableName), send: mailer(undefined, mail.configurationSet).send, config: settings };
  return (ticket: Parameters<typeof sendAcknowledgement>[0]) => sendAcknowledgement(ticket, { references: [] }, ackDeps);
}

/** POST /help: the web form (functions/app/submit-help-form.ts); every answer is a page, in the language the form was shown in. */
export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<Result> => {
  const raw = readForm(event.body, event.isBase64Encoded, event.headers?.['content-type']);
  if (!raw.ok) return problemPage(formProblemStatus[raw.problem], browserLanguage(event), raw.problem, HELP_PATH);
  const check = checkHelpForm(raw.fields, config.mail?.supportAddresses ?? []);
  const lang = (check.ok ? check.form.lang : check.lang) ?? browserLanguage(event);
  if (!check.honeypot && !check.ok) return html(400, helpFormPage({ lang, deskName, action: HELP_PATH, values: check.values, errors: check.errors }));
  const sourceIp = event.requestContext?.http?.sourceIp || 'unknown';
  const outcome = check.ok && !check.honeypot ? await submitHelpForm({ form: check.form, sourceIp, language: check.form.lang ?? (browserNamesOne(event) ? lang : undefined), now: new Date() }, deps) : await answerRobot(deps);
  if ('throttled' in outcome) return problemPage(429, lang, 'throttled', undefined, { 'retry-after': String(outcome.throttled.retryAfterSeconds) });
  return html(200, helpThanksPage({ lang, deskName, ticketNumber: outcome.ticketNumber }));
});

/** An Accept-Language naming a language (`*`, what fetch sends by default, names none). */
const browserNamesOne = (event: APIGatewayProxyEventV2) => /[a-z]/i.test(acceptLanguage(event) ?? '');
