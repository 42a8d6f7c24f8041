import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';
import { keys } from './keys.ts';
import type { TicketStore } from './ticket-store.ts';
import type { Ticket } from '#core/ticket';
import { matchIndexed, type IndexedSubject } from '#core/search-terms';

/** Newest index entries read per word of a subject search. */
const SEARCH_READ_PER_WORD = 200;

/**
 * Subject search over the `SEARCH#<word>` items the lifecycle's first step writes
 * (ticket-store.ts indexNewTicket); the tickets found are read through the ticket store.
 */
export function searchIndex(tableName: string, tickets: Pick<TicketStore, 'getTickets'>) {
  return {
    /**
     * Tickets whose subject holds every term (already normalized), newest
     * first: each indexed word's newest index entries (one Query each), matched
     * on the subjects they carry, then the tickets themselves, so what is
     * shown is their current state, not the one indexed.
     */
    async searchSubjects(q: { words: string[]; indexed: string[] }, limit: number, visible?: (t: Ticket) => boolean): Promise<Ticket[]> {
      const lists = await Promise.all(
        q.indexed.map(async (word) => {
          const res = await dynamo.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.searchWord(word, '', '').pk },
              ScanIndexForward: false,
              Limit: SEARCH_READ_PER_WORD,
              ProjectionExpression: 'id, subject, createdAt',
            }),
          );
          return (res.Items ?? []) as IndexedSubject[];
        }),
      );
      if (lists.some((l) => l.length === 0)) return [];
      if (!visible) return tickets.getTickets(matchIndexed(lists, q.words, limit));
      // Only what the caller may see, from as many matches as one batch read holds.
      return (await tickets.getTickets(matchIndexed(lists, q.words, 100))).filter(visible).slice(0, limit);
    },
  };
}

export type SearchIndex = ReturnType<typeof searchIndex>;
