import { config } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';

const store = ticketStore(config.tableName);

/** GET /canned-responses: ready-made replies, in English and Portuguese, for the composer. */
export const handler = agentRoute({}, async () => json(200, { items: await store.listCannedResponses() }));
