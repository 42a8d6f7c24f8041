import type { TriageExample } from '#core/triage-examples';
import { putIf, queryPages } from './dynamo.ts';
import { keys, triageExamplePartition } from './keys.ts';

/**
 * Past tickets imported from another desk's history, stored beside the desk's
 * own labelled examples (the month partitions training reads,
 * triage-example-store.ts) under `IMPORT#<digest>`, with `source: 'import'`.
 * They name no requester, so erasure cannot find them: they expire instead,
 * a month after they leave the months training reads.
 */

/** Months an imported example is kept: training reads 12 (functions/app/retrain-triage.ts), and one more so no read sees an expired item. */
export const IMPORTED_EXAMPLE_MONTHS = 13;
/** Writes in flight at once. */
const PARALLEL_WRITES = 8;

export function importedTriageExamples(tableName: string) {
  return {
    /** Digests of the examples imported in these months (`yyyy-mm`): keys only. */
    async digestsOf(months: readonly string[]): Promise<Set<string>> {
      const out = new Set<string>();
      for (const month of months) {
        const { items } = await queryPages({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :import)',
          ExpressionAttributeValues: { ':pk': triageExamplePartition(month), ':import': 'IMPORT#' },
          ProjectionExpression: 'sk',
        });
        for (const item of items) out.add(String(item.sk).slice('IMPORT#'.length));
      }
      return out;
    },

    /** Stores each example once: one already under its digest this month is left as it is. Answers how many were written. */
    async put(examples: readonly { digest: string; example: TriageExample }[], at: Date): Promise<number> {
      const iso = at.toISOString();
      const expires = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + IMPORTED_EXAMPLE_MONTHS, at.getUTCDate()));
      let written = 0;
      let next = 0;
      const worker = async () => {
        while (next < examples.length) {
          const { digest, example } = examples[next++]!;
          const item = { ...keys.triageImportedExample(iso, digest), type: 'triage-example', source: 'import', digest, ...example, at: iso, expiresAt: Math.floor(expires.getTime() / 1000) };
          if (await putIf({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })) written++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, examples.length) }, worker));
      return written;
    },
  };
}

export type ImportedTriageExamples = ReturnType<typeof importedTriageExamples>;
