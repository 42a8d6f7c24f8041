import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { searchIndex } from '#adapters/search-index';
import { searchQuery } from '#core/schemas';
import { parseSearch } from '#core/search-terms';
import type { Ticket } from '#core/ticket';
import { can, visibleDepartments } from '#core/access';

const config = await configFor('Search');

const store = ticketStore(config.tableName);
const subjects = searchIndex(config.tableName, store);

/** GET /search?q=: by ticket number (`#123`), requester email, or subject words (all must match); newest first; only what the caller may see. */
export const handler = agentRoute(config, { query: searchQuery }, async ({ query, principal }) => {
  const q = parseSearch(query.q);
  let items: Ticket[];
  if (q.kind === 'number') {
    const ticket = await store.ticketByNumber(q.number);
    items = ticket && can(principal, ticket) ? [ticket] : [];
  } else if (q.kind === 'requester') {
    items = (await store.customerHistory(q.email, query.limit, undefined, visibleDepartments(principal))).items;
  } else {
    items = await subjects.searchSubjects(q, query.limit, (t) => can(principal, t));
  }
  return json(200, { items });
});
