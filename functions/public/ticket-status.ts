import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { acceptLanguage, browserLanguage } from '#shared/customer-page';
import { statusView } from '#app/status-view';
import { observed } from '#shared/observability';
import { configFor } from '#shared/config';
import { ticketStore } from '#adapters/ticket-store';

const config = await configFor('TicketStatus');
const { readStatusLink, showStatus } = statusView({ ...config, store: ticketStore(config.tableName) });

/** GET /status/{token}: the ticket status page, from the signed link in our mails. */
export const handler = observed(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const token = event.pathParameters?.token;
  const link = readStatusLink(token, browserLanguage(event));
  if (!link.ok) return link.response;
  return showStatus(link.ticketId, token!, acceptLanguage(event));
});
