import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';
import { DomainError } from '#core/errors';

/**
 * Cursor-paginated reads over one or more index partitions, merged in sort-key
 * order. A queue view such as "IT, any level, any active status" spans several
 * partitions; each is read with a Query (never a Scan) and the results are
 * merged like a k-way merge sort. The cursor remembers where each partition
 * stopped, so pages never skip or repeat an item.
 */
export interface PagedQuery {
  tableName: string;
  indexName: string;
  partitionAttr: string;
  sortAttr: string;
  partitions: string[];
  /** Newest-first views read backwards. */
  descending?: boolean;
  /** Residual equality filters on non-key attributes (applied by DynamoDB, still a Query). */
  filters?: Record<string, string | number | null>;
  limit: number;
  cursor?: string;
}

type Key = Record<string, string>;
/** Per partition: where to resume, or 0 once it is exhausted. */
type CursorState = Record<string, Key | 0>;

export class InvalidCursorError extends DomainError {
  constructor() {
    super('invalid_cursor', 'The cursor is not valid for this query');
  }
}

// Bounds one page's work when filters discard most of what a partition holds.
const MAX_PAGES_PER_PARTITION = 4;

export async function pagedQuery<T extends Record<string, unknown>>(q: PagedQuery) {
  const keyAttrs = ['pk', 'sk', q.partitionAttr, q.sortAttr];
  const state = decodeCursor(q.cursor, q, keyAttrs);

  const reads = await Promise.all(
    q.partitions.map(async (partition) => {
      const start = state[partition];
      if (start === 0) return { partition, items: [] as T[], exhausted: true, scannedTo: undefined };
      return readPartition<T>(q, partition, start);
    }),
  );

  // Items past a partition's scan frontier may still be unseen there, so stop at the lowest frontier.
  const cmp = (a: string, b: string) => (q.descending ? b.localeCompare(a) : a.localeCompare(b));
  const frontiers = reads.filter((r) => !r.exhausted && r.scannedTo).map((r) => r.scannedTo![q.sortAttr]!);
  const bound = frontiers.sort(cmp)[0];
  const merged = reads
    .flatMap((r) => r.items.map((item) => ({ partition: r.partition, item })))
    .filter(({ item }) => bound === undefined || cmp(item[q.sortAttr] as string, bound) <= 0)
    .sort((a, b) => cmp(a.item[q.sortAttr] as string, b.item[q.sortAttr] as string))
    .slice(0, q.limit);

  const next: CursorState = {};
  for (const r of reads) {
    const taken = merged.filter((m) => m.partition === r.partition);
    if (taken.length === r.items.length) {
      // Everything it matched went out: resume after what it scanned, or never again.
      next[r.partition] = r.exhausted ? 0 : (r.scannedTo ?? state[r.partition] ?? 0);
    } else if (taken.length > 0) {
      next[r.partition] = pick(taken[taken.length - 1]!.item, keyAttrs);
    } else if (state[r.partition] !== undefined) {
      next[r.partition] = state[r.partition]!;
    }
  }
  const done = q.partitions.every((p) => next[p] === 0);
  return { items: merged.map((m) => m.item), nextCursor: done ? null : encodeCursor(q.indexName, next) };
}

async function readPartition<T>(q: PagedQuery, partition: string, start: Key | undefined) {
  const items: T[] = [];
  let exclusiveStartKey: Key | undefined = start;
  let scannedTo: Key | undefined;
  const filterEntries = Object.entries(q.filters ?? {});
  for (let page = 0; page < MAX_PAGES_PER_PARTITION; page++) {
    const input: QueryCommandInput = {
      TableName: q.tableName,
      IndexName: q.indexName,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': q.partitionAttr },
      ExpressionAttributeValues: { ':p': partition },
      ScanIndexForward: !q.descending,
      // Read a little more than one page when filtering, since some items will be dropped.
      Limit: filterEntries.length ? Math.max(q.limit * 2, 50) : q.limit,
      ExclusiveStartKey: exclusiveStartKey,
    };
    if (filterEntries.length) {
      // A null filter means "attribute is NULL": equality does not apply to the NULL type.
      input.FilterExpression = filterEntries
        .map(([, value], i) => (value === null ? `attribute_type(#f${i}, :f${i})` : `#f${i} = :f${i}`))
        .join(' AND ');
      filterEntries.forEach(([name, value], i) => {
        input.ExpressionAttributeNames![`#f${i}`] = name;
        input.ExpressionAttributeValues![`:f${i}`] = value === null ? 'NULL' : value;
      });
    }
    const res = await dynamo.send(new QueryCommand(input));
    items.push(...((res.Items ?? []) as T[]));
    scannedTo = res.LastEvaluatedKey as Key | undefined;
    if (!scannedTo) return { partition, items, exhausted: true, scannedTo: undefined };
    if (items.length >= q.limit) break;
    exclusiveStartKey = scannedTo;
  }
  return { partition, items, exhausted: false, scannedTo };
}

function pick(item: Record<string, unknown>, attrs: string[]): Key {
  return Object.fromEntries(attrs.map((a) => [a, String(item[a])]));
}

function encodeCursor(index: string, state: CursorState): string {
  return Buffer.from(JSON.stringify({ i: index, s: state })).toString('base64url');
}

/**
 * A cursor is client input: it must name this index, only this query's
 * partitions, and keys that belong to them. Anything else is a 400, never a
 * DynamoDB ValidationException turned into a 500.
 */
function decodeCursor(cursor: string | undefined, q: PagedQuery, keyAttrs: string[]): CursorState {
  if (!cursor) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const c = parsed as { i?: unknown; s?: unknown };
  if (!c || typeof c !== 'object' || c.i !== q.indexName || !c.s || typeof c.s !== 'object') throw new InvalidCursorError();
  const state: CursorState = {};
  for (const [partition, key] of Object.entries(c.s as Record<string, unknown>)) {
    if (!q.partitions.includes(partition)) throw new InvalidCursorError();
    if (key === 0) {
      state[partition] = 0;
      continue;
    }
    if (!key || typeof key !== 'object') throw new InvalidCursorError();
    const k = key as Record<string, unknown>;
    const valid =
      Object.keys(k).length === keyAttrs.length &&
      keyAttrs.every((a) => typeof k[a] === 'string' && (k[a] as string).length > 0 && (k[a] as string).length <= 1024) &&
      k[q.partitionAttr] === partition;
    if (!valid) throw new InvalidCursorError();
    state[partition] = k as Key;
  }
  return state;
}
