import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailed, dynamo, putIf, transactWrite } from './dynamo.ts';
import { keys } from './keys.ts';

/**
 * What keeps the public web form sane, in the table: per-hour submission
 * counters (per email address and per source IP), and short-lived claims that
 * turn a repeated submission (a double click, a refresh, a retry) into the
 * first one's answer. Every item expires (`expiresAt`, the table's TTL
 * attribute); DynamoDB deletes expired items late, so every condition also
 * compares `expiresAt` with now. Keys hold hashes, never addresses.
 */
const nowSeconds = () => Math.floor(Date.now() / 1000);
const HOUR = 3600;

export interface Earlier {
  ticketNumber: number;
  ticketId?: string | undefined;
}

export function webFormGuard(tableName: string) {
  async function expire(key: { pk: string; sk: string }, only?: { name: string; value: number }) {
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET expiresAt = :gone',
          ConditionExpression: only ? 'attribute_exists(pk) AND #only = :only' : 'attribute_exists(pk)',
          ...(only ? { ExpressionAttributeNames: { '#only': only.name } } : {}),
          // A moment ago, not 0: TTL ignores times more than five years past, and would keep the item.
          ExpressionAttributeValues: { ':gone': nowSeconds() - 1, ...(only ? { ':only': only.value } : {}) },
        }),
      );
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  return {
    /**
     * Counts one submission for each subject (e.g. `email:…`, `ip:…`) in the
     * current clock hour, all or none: false, and nothing counted, when any of
     * them already reached its limit this hour.
     */
    async allow(counts: { subject: string; limit: number }[], now = Date.now()): Promise<boolean> {
      const hour = Math.floor(now / 1000 / HOUR);
      const bySubject = new Map(counts.map((c) => [c.subject.toLowerCase(), c.limit]));
      try {
        await transactWrite(
          [...bySubject].map(([subject, limit]) => ({
            Update: {
              TableName: tableName,
              Key: keys.webFormThrottle(subject, hour),
              UpdateExpression: 'ADD #n :one SET expiresAt = :exp, #t = :type',
              ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
              ExpressionAttributeNames: { '#n': 'count', '#t': 'type' },
              ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':exp': (hour + 2) * HOUR, ':type': 'throttle' },
            },
          })),
        );
        return true;
      } catch (err) {
        if (conditionFailed(err)) return false;
        throw err;
      }
    },

    /** The ticket a submission with this fingerprint opened within its window, if any. */
    async earlier(fingerprint: string): Promise<Earlier | undefined> {
      const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.webFormSubmission(fingerprint), ConsistentRead: true }));
      if (!res.Item || Number(res.Item.expiresAt) < nowSeconds()) return undefined;
      return { ticketNumber: Number(res.Item.ticketNumber), ...(typeof res.Item.ticketId === 'string' ? { ticketId: res.Item.ticketId } : {}) };
    },

    /**
     * Claims a fingerprint for `windowSeconds` for the ticket about to be
     * opened. `{ earlier }` when a concurrent submission got there first.
     */
    async claim(fingerprint: string, ticket: { ticketNumber: number; ticketId: string }, windowSeconds: number): Promise<{ claimed: true } | { claimed: false; earlier: Earlier | undefined }> {
      const now = nowSeconds();
      const claimed = await putIf({
        TableName: tableName,
        Item: { ...keys.webFormSubmission(fingerprint), type: 'webform-submission', ticketNumber: ticket.ticketNumber, ticketId: ticket.ticketId, expiresAt: now + windowSeconds },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': now },
      });
      return claimed ? { claimed: true } : { claimed: false, earlier: await this.earlier(fingerprint) };
    },

    /**
     * Gives a claim back when the ticket could not be opened, so the customer
     * can send again: the claim is marked expired (the functions may update
     * items, never delete them).
     */
    async release(fingerprint: string, ticketNumber: number) {
      await expire(keys.webFormSubmission(fingerprint), { name: 'ticketNumber', value: ticketNumber });
    },

    /** Claims a reply from the status page once per `windowSeconds`: the same words sent twice are one reply. */
    async claimReply(ticketId: string, body: string, windowSeconds: number): Promise<boolean> {
      const now = nowSeconds();
      return putIf({
        TableName: tableName,
        Item: { ...keys.webReply(ticketId, body), type: 'webreply-claim', expiresAt: now + windowSeconds },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': now },
      });
    },

    /** Gives a reply claim back when the reply could not be saved. */
    async releaseReply(ticketId: string, body: string) {
      await expire(keys.webReply(ticketId, body));
    },

    /** A plausible next ticket number, without taking one: what a robot caught by the honeypot is shown. */
    async plausibleTicketNumber(): Promise<number> {
      const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.counter('ticket-number') }));
      return Number(res.Item?.value ?? 0) + 1;
    },
  };
}

export type WebFormGuard = ReturnType<typeof webFormGuard>;
