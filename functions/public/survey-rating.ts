import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { pageLanguage } from '#core/customer-pages';
import { surveyAnswers } from '#app/survey-answer';
import { observed } from '#shared/observability';
import { configFor } from '#shared/config';
import { lifecycleFor } from '#shared/lifecycle';
import { ticketStore } from '#adapters/ticket-store';

const config = await configFor('SurveyRating');
const { readSurveyLink, showSurvey } = surveyAnswers({ ...config, store: ticketStore(config.tableName), lifecycle: lifecycleFor(config) });

/**
 * GET /survey/{token}: the link of one rating in the survey mail. It shows that
 * rating pre-selected with a button that sends it (POST /survey/comment), and
 * records nothing itself: mail scanners open every link, a person presses.
 */
export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const token = event.pathParameters?.token;
  const link = readSurveyLink(token, pageLanguage(null, event.headers?.['accept-language']));
  if (!link.ok) return link.response;
  return showSurvey(link, event.headers?.['accept-language'], token!);
});
