import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, dynamo } from './dynamo.ts';
import { keys, recipientDigestOf } from './keys.ts';
import { normaliseEmail } from '#core/ticket';
import { recipientWarnings, type DeliveryRecord, type RecipientWarning } from '#core/recipient-warnings';

/**
 * Bounces and complaints per recipient address (see core/recipient-warnings.ts),
 * one item per address. The key holds a hash, never the address: whoever asks
 * already knows the address, and an erased requester leaves nothing readable.
 * Items expire a year after the latest event (`expiresAt`, the table's TTL).
 */
const KEEP_SECONDS = 365 * 86_400;

export function deliveryHistory(tableName: string) {
  return {
    /** Records an event for an address; an older event than the one kept changes nothing, so redelivery is harmless. */
    async record(email: string, event: { kind: 'bounce'; at: string; bounceType: 'permanent' | 'transient' | 'undetermined' } | { kind: 'complaint'; at: string }) {
      const value = event.kind === 'bounce' ? { at: event.at, bounceType: event.bounceType } : { at: event.at };
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.recipientDelivery(email),
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
      const byDigest = new Map(unique.map((a) => [recipientDigestOf(keys.recipientDelivery(a).pk), a]));
      const records = new Map<string, DeliveryRecord>();
      for (const item of await batchGetAll(tableName, unique.map(keys.recipientDelivery))) {
        const address = byDigest.get(recipientDigestOf(String(item.pk)));
        if (!address || Number(item.expiresAt) < Date.now() / 1000) continue;
        records.set(address, { ...(item.bounce ? { bounce: item.bounce } : {}), ...(item.complaint ? { complaint: item.complaint } : {}) } as DeliveryRecord);
      }
      return recipientWarnings(unique, records);
    },
  };
}

export type DeliveryHistory = ReturnType<typeof deliveryHistory>;
