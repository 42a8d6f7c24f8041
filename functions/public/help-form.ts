import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { helpFormPage } from '#core/customer-pages';
import { browserLanguage, HELP_PATH, html } from '#shared/customer-page';
import { observed } from '#shared/observability';
import { configFor } from '#shared/config';

const { deskName } = await configFor('HelpForm');

/**
 * GET /help: the web form that opens a ticket, a channel beside mail. In the
 * browser's language, or the one chosen with `?lang=en|pt-BR`.
 */
export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const chosen = event.queryStringParameters?.lang;
  const lang = browserLanguage(event, chosen === 'en' || chosen === 'pt-BR' ? chosen : null);
  return html(200, helpFormPage({ lang, deskName, action: HELP_PATH }), { 'content-language': lang });
});
