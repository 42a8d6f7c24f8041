import { config } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { searchQuery } from '#core/schemas';
import { parseSearch } from '#core/search-terms';
import type { Ticket } from '#core/ticket';

const store = ticketStore(config.tableName);

/** GET /search?q=: by ticket number (`#123`), requester email, or subject words (all must match); newest first. */
export const handler = agentRoute({ query: searchQuery }, async ({ query }) => {
  const q = parseSearch(query.q);
  let items: Ticket[];
  if (q.kind === 'number') {
    const ticket = await store.ticketByNumber(q.number);
    items = ticket ? [ticket] : [];
  } else if (q.kind === 'requester') {
    items = (await store.customerHistory(q.email, query.limit)).items;
  } else {
    items = await store.searchSubjects(q, query.limit);
  }
  return json(200, { items });
});
