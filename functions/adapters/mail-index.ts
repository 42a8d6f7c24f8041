import { BatchGetCommand, PutCommand, UpdateCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamo, putIf } from './dynamo.ts';
import { keys } from './keys.ts';

/**
 * What the mail channel remembers besides tickets: which ticket every
 * Message-ID we received or sent belongs to (threading), mail we refused to
 * process (quarantine), how many automatic replies went to each sender
 * (the loop breaker), and which acknowledgements were sent (exactly once).
 */

/** The mail-index keys of these Message-IDs, once each, in the order given (empty ids left out). */
export function messageIdKeys(ids: string[]): { pk: string; sk: string }[] {
  return [...new Map(ids.filter(Boolean).map((id) => keys.messageId(id)).map((k) => [k.pk, k] as const)).values()];
}

export interface QuarantineRecord {
  sesMessageId: string;
  reason: string;
  detail?: string;
  bucket?: string;
  key?: string;
  at: string;
}

const HOUR = 3600;

export function mailIndex(tableName: string) {
  return {
    /** Remembers ids (received or sent) as belonging to a ticket. Re-recording is harmless. */
    async remember(ids: string[], ticketId: string, origin: 'inbound' | 'outbound') {
      await Promise.all(
        messageIdKeys(ids).map((key) => dynamo.send(new PutCommand({ TableName: tableName, Item: { ...key, type: 'message-id', ticketId, origin } }))),
      );
    },

    /** The ticket of the first id (in the order given) that we know. */
    async ticketFor(ids: string[]): Promise<{ ticketId: string; origin: string } | undefined> {
      const wanted = messageIdKeys(ids).slice(0, 100);
      if (!wanted.length) return undefined;
      const found = new Map<string, { ticketId: string; origin: string }>();
      let request: Record<string, { Keys: Record<string, string>[] }> | undefined = { [tableName]: { Keys: wanted } };
      for (let round = 0; request && round < 5; round++) {
        const res: BatchGetCommandOutput = await dynamo.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[tableName] ?? []) found.set(item.pk as string, { ticketId: item.ticketId as string, origin: item.origin as string });
        request = res.UnprocessedKeys?.[tableName]?.Keys?.length ? (res.UnprocessedKeys as typeof request) : undefined;
      }
      for (const k of wanted) if (found.has(k.pk)) return found.get(k.pk);
      return undefined;
    },

    /**
     * Makes one SES delivery the owner of a mail for `ttlSeconds` (30 days by
     * default). True for the owner (first come, and its retries); false for any
     * other delivery of the same mail while the claim lasts.
     */
    async claimInbound(mailKey: string, sesMessageId: string, ttlSeconds = 30 * 24 * HOUR): Promise<boolean> {
      const now = Math.floor(Date.now() / 1000);
      return putIf({
        TableName: tableName,
        Item: { ...keys.inboundClaim(mailKey), type: 'inbound-claim', sesMessageId, expiresAt: now + ttlSeconds },
        // An expired claim counts as gone: DynamoDB's TTL deletes items only eventually.
        ConditionExpression: 'attribute_not_exists(pk) OR sesMessageId = :me OR expiresAt < :now',
        ExpressionAttributeValues: { ':me': sesMessageId, ':now': now },
      });
    },

    /** Keeps a refused mail's record once; the raw MIME stays in S3 for a person to look at. */
    async quarantine(r: QuarantineRecord) {
      await putIf({ TableName: tableName, Item: { ...keys.quarantine(r.sesMessageId), type: 'quarantine', ...r }, ConditionExpression: 'attribute_not_exists(pk)' });
    },

    /** Counts one automatic reply to a sender in the current hour and returns the hour's total. */
    async countAutoReply(email: string, now = Date.now()): Promise<number> {
      const hour = Math.floor(now / 1000 / HOUR);
      const res = await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.autoReplyCount(email, hour),
          UpdateExpression: 'ADD #n :one SET expiresAt = :exp',
          ExpressionAttributeNames: { '#n': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':exp': (hour + 2) * HOUR },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(res.Attributes?.count ?? 1);
    },

    /** Claims the right to send one kind of mail for a ticket once; false if already claimed. */
    async claimOnce(ticketId: string, what: string): Promise<boolean> {
      return putIf({
        TableName: tableName,
        Item: { ...keys.sentClaim(ticketId, what), type: 'sent-claim', at: new Date().toISOString() },
        // A claim given back (released) may be taken again.
        ConditionExpression: 'attribute_not_exists(pk) OR released = :yes',
        ExpressionAttributeValues: { ':yes': true },
      });
    },

    /**
     * Gives a claim back when the send failed, so a retry can send. Marked, not
     * deleted: no function that sends mail may delete items.
     */
    async releaseClaim(ticketId: string, what: string) {
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.sentClaim(ticketId, what),
          UpdateExpression: 'SET released = :yes',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':yes': true },
        }),
      ).catch((err: unknown) => {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      });
    },
  };
}

export type MailIndex = ReturnType<typeof mailIndex>;
