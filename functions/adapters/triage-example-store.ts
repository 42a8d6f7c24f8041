import type { LabelledTicket } from '#core/triage-labels';
import { conditionFailed, onlyContention, queryPages, transactWrite } from './dynamo.ts';
import { keys, triageExamplePartition } from './keys.ts';

/**
 * The triage model's labelled examples: one item per ticket agents worked,
 * in the partition of the month the ticket was opened
 * (`TRIAGE_EXAMPLES#yyyy-mm` / ticket id), so writing it again overwrites it
 * and training reads whole months by Query. The items hold customer text: the
 * requester erasure and the retention purge delete them with the ticket
 * (erasure-store.ts, from the ticket's id and creation time).
 */
export function triageExampleStore(tableName: string) {
  return {
    /**
     * Writes the example if the ticket is still at the version it was read
     * from (a condition on the ticket item in the same transaction): a change
     * made meanwhile is never overwritten by an older state. 'stale' asks the
     * caller to read the ticket again.
     */
    async put(example: LabelledTicket): Promise<'written' | 'stale'> {
      const { ticketVersion, ...rest } = example;
      try {
        await transactWrite([
          {
            ConditionCheck: {
              TableName: tableName,
              Key: keys.ticket(example.ticketId),
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': ticketVersion },
            },
          },
          { Put: { TableName: tableName, Item: { ...keys.triageExample(example.createdAt, example.ticketId), type: 'triage-example', ticketVersion, ...rest, at: new Date().toISOString() } } },
        ]);
        return 'written';
      } catch (err) {
        if (conditionFailed(err) || onlyContention(err)) return 'stale';
        throw err;
      }
    },

    /** The examples of these months (`yyyy-mm`, newest first), at most `max`, newest months first. */
    async ofMonths(months: readonly string[], max: number): Promise<LabelledTicket[]> {
      const out: LabelledTicket[] = [];
      for (const month of months) {
        if (out.length >= max) break;
        const { items } = await queryPages({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': triageExamplePartition(month) },
          Limit: Math.min(1_000, max - out.length),
        }, { maxPages: Math.ceil((max - out.length) / 100) + 1 });
        for (const item of items) {
          if (out.length >= max) break;
          const { pk: _pk, sk: _sk, type: _type, ...example } = item;
          out.push(example as LabelledTicket);
        }
      }
      return out;
    },
  };
}

export type TriageExampleStore = ReturnType<typeof triageExampleStore>;
