import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { pageLanguage } from '#core/customer-pages';
import { answerSurvey, readSurveyLink } from './survey-answer.ts';
import { observed } from '#shared/observability';

/** GET /survey/{token}: the one-click rating from the survey mail. */
export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const token = event.pathParameters?.token;
  const link = readSurveyLink(token, pageLanguage(null, event.headers?.['accept-language']));
  if (!link.ok) return link.response;
  return answerSurvey(link, undefined, event.headers?.['accept-language'], token!);
});
