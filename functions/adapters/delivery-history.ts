import { createHash } from 'node:crypto';
import { BatchGetCommand, UpdateCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';
import { normaliseEmail } from '#core/ticket';
import { recipientWarnings, type DeliveryRecord, type RecipientWarning } from '#core/recipient-warnings';

/**
 * Bounces and complaints per recipient address (see core/recipient-warnings.ts),
 * one item per address. The key holds a hash, never the address: whoever asks
 * already knows the address, and an erased requester leaves nothing readable.
 * Items expire a year after the latest event (`expiresAt`, the table's TTL).
 */
const digest = (email: string) => createHash('sha256').update(normaliseEmail(email)).digest('base64url');
const key = (email: string) => ({ pk: `RECIPIENT#${digest(email)}`, sk: 'DELIVERY' });
const KEEP_SECONDS = 365 * 86_400;
const BATCH_GET_ATTEMPTS = 5;

export function deliveryHistory(tableName: string) {
  return {
    /** Records an event for an address; an older event than the one kept changes nothing, so redelivery is harmless. */
    async record(email: string, event: { kind: 'bounce'; at: string; bounceType: 'permanent' | 'transient' | 'undetermined' } | { kind: 'complaint'; at: string }) {
      const value = event.kind === 'bounce' ? { at: event.at, bounceType: event.bounceType } : { at: event.at };
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(email),
            UpdateExpression: 'SET #e = :v, #t = :type, expiresAt = :exp',
            ConditionExpression: 'attribute_not_exists(#e) OR #e.#at < :at',
            ExpressionAttributeNames: { '#e': event.kind, '#t': 'type', '#at': 'at' },
            ExpressionAttributeValues: { ':v': value, ':at': event.at, ':type': 'recipient-delivery', ':exp': Math.floor(Date.parse(event.at) / 1000 || Date.now() / 1000) + KEEP_SECONDS },
          }),
        );
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      }
    },

    /** Warnings for these addresses (at most 100): one BatchGetItem. */
    async warningsFor(addresses: string[]): Promise<RecipientWarning[]> {
      const unique = [...new Set(addresses.map(normaliseEmail))].slice(0, 100);
      if (unique.length === 0) return [];
      const byDigest = new Map(unique.map((a) => [digest(a), a]));
      const records = new Map<string, DeliveryRecord>();
      let pending: Record<string, unknown>[] | undefined = unique.map(key);
      for (let attempt = 1; pending?.length; attempt++) {
        if (attempt > BATCH_GET_ATTEMPTS) throw new Error('BatchGetItem left keys unprocessed');
        if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
        const res: BatchGetCommandOutput = await dynamo.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }));
        for (const item of res.Responses?.[tableName] ?? []) {
          const address = byDigest.get(String(item.pk).slice('RECIPIENT#'.length));
          if (!address || Number(item.expiresAt) < Date.now() / 1000) continue;
          records.set(address, { ...(item.bounce ? { bounce: item.bounce } : {}), ...(item.complaint ? { complaint: item.complaint } : {}) } as DeliveryRecord);
        }
        pending = res.UnprocessedKeys?.[tableName]?.Keys;
      }
      return recipientWarnings(unique, records);
    },
  };
}

export type DeliveryHistory = ReturnType<typeof deliveryHistory>;
