import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { pageLanguage } from '#core/customer-pages';
import { answerSurvey, problem, readCommentForm, readSurveyLink } from './survey-answer.ts';
import { observed } from '#shared/observability';

/** POST /survey/comment: the optional comment, sent from the thank-you page with the signed token. */
export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const accept = event.headers?.['accept-language'];
  const lang = pageLanguage(null, accept);
  const form = readCommentForm(event);
  if (!form) return problem(400, lang, 'invalid');
  const link = readSurveyLink(form.token, lang);
  if (!link.ok) return link.response;
  return answerSurvey(link, form.comment, accept, form.token);
});
