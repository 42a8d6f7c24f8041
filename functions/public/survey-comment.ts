import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { pageLanguage } from '#core/customer-pages';
import { readSurveyForm, surveyAnswers } from '#app/survey-answer';
import { observed } from '#shared/observability';
import { configFor } from '#shared/config';
import { lifecycleFor } from '#shared/lifecycle';
import { ticketStore } from '#adapters/ticket-store';

const config = await configFor('SurveyComment');
const { answerSurvey, problem, readSurveyLink } = surveyAnswers({ ...config, store: ticketStore(config.tableName), lifecycle: lifecycleFor(config) });

/**
 * POST /survey/comment: the survey form, with the signed token. From the page a
 * survey link opens it carries the rating (and maybe a comment); from the
 * thank-you page, the comment alone. The only way a rating is recorded.
 */
export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const accept = event.headers?.['accept-language'];
  const lang = pageLanguage(null, accept);
  const form = readSurveyForm(event);
  if (!form) return problem(400, lang, 'invalid');
  const link = readSurveyLink(form.token, lang);
  if (!link.ok) return link.response;
  return answerSurvey(link, { ...(form.rating ? { rating: form.rating } : {}), ...(form.comment !== undefined ? { comment: form.comment } : {}) }, accept, form.token);
});
