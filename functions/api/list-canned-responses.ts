import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { cannedResponses } from '#adapters/canned-responses';
import { mayUseCanned } from '#core/access';

const config = await configFor('ListCannedResponses');

const store = cannedResponses(config.tableName);

/** GET /canned-responses: ready-made replies, in English and Portuguese, for the composer; a department's only to those who see it. */
export const handler = agentRoute(config, {}, async ({ principal }) =>
  json(200, { items: (await store.listCannedResponses()).filter((r) => mayUseCanned(principal, r)) }),
);
