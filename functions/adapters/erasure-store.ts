import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DeleteCommand, PutCommand, type BatchWriteCommandOutput, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { conditionFailed, dynamo, queryPages, transactWrite } from './dynamo.ts';
import { keys, partitions, ticketIndexKeys } from './keys.ts';
import { messageIdKeys } from './mail-index.ts';
import { s3Client, type S3Options } from './mail-objects.ts';
import { reportCounters } from './report-store.ts';
import { buckets } from '#definitions/resources';
import { newId } from '#core/ids';
import { priorities, priorityRank, normaliseEmail, type Actor, type Ticket } from '#core/ticket';
import { erasureRecord, planErasure, purgeDue, ticketFootprint, type ErasureSummary, type Footprint, type Item, type ItemKey } from '#core/erasure';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Runs erasure plans (functions/core/erasure.ts) and the retention purge
 * against the table and the mail bucket. Every ticket is found through a key
 * or an index (the requester's history, the closed-status index), never a
 * Scan. Order makes both safe to repeat: what the ticket owns elsewhere goes
 * first, the ticket item last, in a write that holds only if the ticket is
 * still at the version read; a retry, or a second request, redoes nothing.
 */

/** How many times one ticket's erasure is replanned when the ticket changes under it. */
const ERASE_ATTEMPTS = 5;
const BATCH_WRITE_ATTEMPTS = 8;
/** Tickets erased at once within one request. */
const PARALLEL_TICKETS = 4;
/** Pages of the closed-status index one purge run reads per priority. */
const PURGE_PAGES_PER_PRIORITY = 20;

// The partitions other adapters keep per address (mail-index.ts's auto-reply counts, web-form-guard.ts's
// throttles by `email:<address>`, delivery-history.ts): the hour and the sort key play no part.
const perAddressPartitions = (email: string) => [keys.autoReplyCount(email, 0).pk, keys.webFormThrottle(`email:${email}`, 0).pk, keys.recipientDelivery(email).pk];

export interface TicketErasure {
  ticketId: string;
  outcome: 'erased' | 'already-erased' | 'gone';
  closed: boolean;
  rewritten: number;
  deleted: number;
  objects: number;
}

export interface RequesterErasure {
  erasureId: string;
  at: string;
  pseudonym: string;
  addressHash: string;
  /** Tickets this request erased. */
  tickets: number;
  ticketIds: string[];
  closedTickets: number;
  items: { rewritten: number; deleted: number; objects: number };
  /** Tickets found but not reached within this request's time budget: ask again. */
  remaining: number;
  /** Nothing of this address was left to erase. */
  nothingLeft: boolean;
}

export function erasureStore(tableName: string, mailBucket: string, s3Options: S3Options) {
  const s3 = s3Client(s3Options);
  const prefixes = buckets.mail.prefixes;

  const queryAll = async (input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>, maxPages = Infinity) => {
    const { items, complete } = await queryPages({ ...input, TableName: tableName }, { maxPages });
    return { items: items as Item[], complete };
  };

  /** Deletes keys in batches of 25, retrying what DynamoDB leaves unprocessed. */
  async function batchWrite(requests: ({ DeleteRequest: { Key: ItemKey } } | { PutRequest: { Item: Item } })[]) {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: typeof requests | undefined = requests.slice(i, i + 25);
      for (let attempt = 1; pending?.length; attempt++) {
        if (attempt > BATCH_WRITE_ATTEMPTS) throw new Error('BatchWriteItem left items unprocessed');
        if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
        const res: BatchWriteCommandOutput = await dynamo.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = res.UnprocessedItems?.[tableName] as typeof requests | undefined;
      }
    }
  }
  const deleteKeys = (ks: ItemKey[]) => batchWrite(ks.map((Key) => ({ DeleteRequest: { Key } })));

  /** Deletes an item only while `attr` still holds `value` (an index item of this ticket, not a reused one). */
  async function deleteIf(key: ItemKey, condition: string, values: Record<string, unknown>, names?: Record<string, string>): Promise<boolean> {
    try {
      await dynamo.send(new DeleteCommand({ TableName: tableName, Key: key, ConditionExpression: condition, ExpressionAttributeValues: values, ...(names && { ExpressionAttributeNames: names }) }));
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  /** A ticket's partition: the ticket item and everything under it (strongly consistent). */
  async function ticketItems(ticketId: string): Promise<{ ticketItem: Item | undefined; items: Item[] }> {
    const { items } = await queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.ticket(ticketId).pk }, ConsistentRead: true });
    return { ticketItem: items.find((i) => i.sk === 'TICKET'), items: items.filter((i) => i.sk !== 'TICKET') };
  }

  /**
   * Deletes what a ticket owns outside its partition: files in S3, search
   * entries, mail-index entries that still point at it, inbound claims, its
   * labelled example for the triage model (it holds the customer's text).
   * Deleting what is already gone is a no-op, so this is safe to repeat.
   */
  async function deleteFootprint(ticketId: string, fp: Footprint): Promise<{ deleted: number; objects: number }> {
    for (const o of fp.objects) await s3.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: o.key }));
    const search = fp.searchWords.map((w) => keys.searchWord(w, fp.createdAt, ticketId));
    const claims = fp.inboundClaims.map((k) => keys.inboundClaim(k));
    const example = typeof fp.createdAt === 'string' ? [keys.triageExample(fp.createdAt, ticketId)] : [];
    await deleteKeys([...search, ...claims, ...example]);
    const unlinked = await Promise.all(messageIdKeys(fp.messageIds).map((key) => deleteIf(key, 'ticketId = :t', { ':t': ticketId })));
    return { deleted: search.length + claims.length + example.length + unlinked.filter(Boolean).length, objects: fp.objects.length };
  }

  /**
   * Erases one ticket's personal data (see planErasure), replanning when the
   * ticket changed under it. `beforeCommit` runs once the ticket will close
   * (its lifecycle is stopped first, so no mail goes out to an erased address).
   */
  async function eraseTicket(ticketId: string, actor: Actor, beforeCommit: (ticketId: string) => Promise<void>): Promise<TicketErasure> {
    for (let attempt = 1; ; attempt++) {
      const { ticketItem, items } = await ticketItems(ticketId);
      if (!ticketItem) return { ticketId, outcome: 'gone', closed: false, rewritten: 0, deleted: 0, objects: 0 };
      const plan = planErasure({ ticketItem, items, actor, now: new Date().toISOString(), mailBucket, prefixes });
      if (plan.alreadyErased || !plan.event) return { ticketId, outcome: 'already-erased', closed: false, rewritten: 0, deleted: 0, objects: 0 };

      const outside = await deleteFootprint(ticketId, plan.footprint);
      await batchWrite([...plan.rewrites.map((Item) => ({ PutRequest: { Item } })), ...plan.deletes.map((Key) => ({ DeleteRequest: { Key } }))]);
      if (plan.closes) await beforeCommit(ticketId);

      const ticket = plan.ticket as Ticket;
      const tx: TransactItem[] = [
        {
          Put: {
            TableName: tableName,
            Item: { ...plan.ticket, ...keys.ticket(ticketId), type: 'ticket', ...ticketIndexKeys(ticket) },
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': plan.expectedVersion },
          },
        },
        { Put: { TableName: tableName, Item: { ...keys.event(ticketId, plan.event.version), type: 'event', ...plan.event }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ...reportCounters(plan.counters).map(
          (c): TransactItem => ({
            Update: { TableName: tableName, Key: c.key, UpdateExpression: 'ADD #c :n', ExpressionAttributeNames: { '#c': 'count' }, ExpressionAttributeValues: { ':n': c.add.count } },
          }),
        ),
      ];
      try {
        await transactWrite(tx);
      } catch (err) {
        // The ticket changed since it was read (a message, a rating): plan again from what it is now.
        if (conditionFailed(err) && attempt < ERASE_ATTEMPTS) continue;
        throw err;
      }
      // A subject line no other ticket shares is left at zero: remove it, so the words are gone too.
      for (const c of reportCounters(plan.counters.filter((c) => c.report === 'subjects' && c.by < 0))) {
        await deleteIf(c.key, '#c <= :zero', { ':zero': 0 }, { '#c': 'count' });
      }
      return { ticketId, outcome: 'erased', closed: plan.closes, rewritten: plan.rewrites.length + 1, deleted: outside.deleted + plan.deletes.length, objects: outside.objects };
    }
  }

  /** Ids of every ticket the address requested, through the history index (ids only). */
  async function requesterTicketIds(email: string): Promise<string[]> {
    const { items } = await queryAll({
      IndexName: 'history',
      KeyConditionExpression: 'historyPk = :h',
      ExpressionAttributeValues: { ':h': partitions.history(email) },
      ProjectionExpression: 'id',
    });
    return [...new Set(items.map((i) => String(i.id)))];
  }

  /** Items kept per address rather than per ticket: auto-reply counts, web-form throttles and bounce history (they hold the address or its hash). */
  async function deleteRequesterItems(email: string): Promise<number> {
    const found = await Promise.all(
      perAddressPartitions(email).map(async (pk) => {
        const { items } = await queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'pk, sk' });
        return items.map((i) => ({ pk: i.pk, sk: i.sk }));
      }),
    );
    await deleteKeys(found.flat());
    return found.flat().length;
  }

  return {
    ticketItems,
    deleteFootprint,
    eraseTicket,
    requesterTicketIds,

    /**
     * Erases everything one requester left, ticket by ticket, within
     * `budgetMs` (tickets not reached are counted in `remaining`: ask
     * again), then keeps the erasure record (pk ERASURE, sk time#id).
     */
    async eraseRequester(input: { email: string; reason?: string | undefined; actor: Actor; budgetMs: number; stopLifecycle: (ticketId: string) => Promise<void> }): Promise<RequesterErasure> {
      const started = Date.now();
      const email = normaliseEmail(input.email);
      const ids = await requesterTicketIds(email);
      const results: TicketErasure[] = [];
      let next = 0;
      const worker = async () => {
        while (next < ids.length && Date.now() - started < input.budgetMs) {
          const id = ids[next++]!;
          results.push(await eraseTicket(id, input.actor, input.stopLifecycle));
        }
      };
      await Promise.all(Array.from({ length: PARALLEL_TICKETS }, worker));
      const requesterItems = await deleteRequesterItems(email);

      const erased = results.filter((r) => r.outcome === 'erased');
      const summary: ErasureSummary = {
        tickets: erased.length,
        closedTickets: erased.filter((r) => r.closed).length,
        rewritten: erased.reduce((n, r) => n + r.rewritten, 0),
        deleted: erased.reduce((n, r) => n + r.deleted, 0) + requesterItems,
        objects: erased.reduce((n, r) => n + r.objects, 0),
      };
      const at = new Date().toISOString();
      const erasureId = newId(Date.parse(at));
      const record = erasureRecord({ erasureId, at, actor: input.actor, address: email, reason: input.reason, ticketIds: erased.map((r) => r.ticketId), summary });
      await dynamo.send(
        new PutCommand({ TableName: tableName, Item: { ...keys.erasure(at, erasureId), type: 'erasure', ...record }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      const remaining = ids.length - results.length;
      return {
        erasureId,
        at,
        pseudonym: record.pseudonym,
        addressHash: record.addressHash,
        tickets: summary.tickets,
        ticketIds: record.ticketIds,
        closedTickets: summary.closedTickets,
        items: { rewritten: summary.rewritten, deleted: summary.deleted, objects: summary.objects },
        remaining,
        nothingLeft: summary.tickets === 0 && requesterItems === 0 && remaining === 0,
      };
    },

    /**
     * Ids of tickets closed before `cutoff`, oldest first per priority, at most
     * `limit`. Closed tickets have no due time, so in the status index they
     * sort by priority and then by id, which starts with the creation time:
     * one key range per priority (created before the cutoff) with a filter on
     * the closing time. Bounded: a few pages per priority a run.
     */
    async closedBefore(cutoff: string, limit: number): Promise<string[]> {
      const createdBefore = newId(Date.parse(cutoff)).slice(0, 10);
      const ids: string[] = [];
      for (const p of priorities) {
        if (ids.length >= limit) break;
        const { items } = await queryAll(
          {
            IndexName: 'status',
            KeyConditionExpression: 'statusPk = :s AND rankSk BETWEEN :a AND :b',
            FilterExpression: 'closedAt < :cutoff',
            ExpressionAttributeValues: { ':s': partitions.status('closed'), ':a': `${priorityRank[p]}#9999#`, ':b': `${priorityRank[p]}#9999#${createdBefore}`, ':cutoff': cutoff },
            ProjectionExpression: 'id',
            Limit: 100,
          },
          PURGE_PAGES_PER_PRIORITY,
        );
        ids.push(...items.map((i) => String(i.id)));
      }
      return [...new Set(ids)].slice(0, limit);
    },

    /**
     * Deletes a ticket closed before `cutoff` with everything it owns; report
     * counters stay. The ticket item goes last, only if unchanged since read,
     * so an interrupted purge is finished by the next run.
     */
    async purgeTicket(ticketId: string, cutoff: string): Promise<'purged' | 'kept' | 'gone'> {
      const { ticketItem, items } = await ticketItems(ticketId);
      if (!ticketItem) {
        await deleteKeys(items.map((i) => ({ pk: i.pk, sk: i.sk })));
        return 'gone';
      }
      const ticket = ticketItem as unknown as Ticket;
      if (!purgeDue(ticket, cutoff)) return 'kept';
      await deleteFootprint(ticketId, ticketFootprint(ticketItem, items, mailBucket, prefixes));
      await deleteKeys(items.map((i) => ({ pk: i.pk, sk: i.sk })));
      const done = await deleteIf(keys.ticket(ticketId), '#v = :v', { ':v': ticket.version }, { '#v': 'version' });
      return done ? 'purged' : 'kept';
    },
  };
}

export type ErasureStore = ReturnType<typeof erasureStore>;
