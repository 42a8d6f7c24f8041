import { createHash } from 'node:crypto';
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';
import type { Scope } from '#core/access';
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
  /** A caller's view (see core/access.ts): only items whose attribute is one of, or none of, these. */
  within?: Within;
  limit: number;
  cursor?: string;
}

export interface Within {
  attr: string;
  /** Values allowed; null stands for an attribute that is NULL. */
  anyOf?: (string | null)[];
  /** Values refused (an item whose attribute is NULL passes). */
  noneOf?: string[];
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
  const state = decodeCursor(q.cursor, q);

  const reads = await Promise.all(
    q.partitions.map(async (partition) => {
      const start = state[partition];
      if (start === 0) return { partition, items: [] as T[], exhausted: true, scannedTo: undefined };
      return readPartition<T>(q, partition, start);
    }),
  );

  // Items past a partition's scan frontier may still be unseen there, so stop at the lowest frontier.
  // Code-unit order, as DynamoDB orders the (ASCII) sort keys; localeCompare would not.
  const ascending = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const cmp = (a: string, b: string) => (q.descending ? ascending(b, a) : ascending(a, b));
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
  return { items: merged.map((m) => m.item), nextCursor: done ? null : encodeCursor(q, next) };
}

async function readPartition<T>(q: PagedQuery, partition: string, start: Key | undefined) {
  const items: T[] = [];
  let exclusiveStartKey: Key | undefined = start;
  let scannedTo: Key | undefined;
  const filterEntries = Object.entries(q.filters ?? {});
  const within = withinExpression(q.within);
  for (let page = 0; page < MAX_PAGES_PER_PARTITION; page++) {
    const input: QueryCommandInput = {
      TableName: q.tableName,
      IndexName: q.indexName,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': q.partitionAttr },
      ExpressionAttributeValues: { ':p': partition },
      ScanIndexForward: !q.descending,
      // Read a little more than one page when filtering, since some items will be dropped.
      Limit: filterEntries.length || within ? Math.max(q.limit * 2, 50) : q.limit,
      ExclusiveStartKey: exclusiveStartKey,
    };
    if (filterEntries.length || within) {
      // A null filter means "attribute is NULL": equality does not apply to the NULL type.
      input.FilterExpression = [
        ...filterEntries.map(([, value], i) => (value === null ? `attribute_type(#f${i}, :f${i})` : `#f${i} = :f${i}`)),
        ...(within ? [within.expression] : []),
      ].join(' AND ');
      if (within) {
        Object.assign(input.ExpressionAttributeNames!, within.names);
        Object.assign(input.ExpressionAttributeValues!, within.values);
      }
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

/** The filter expression of a `within`, with its own placeholders (#w, :w…). */
export function withinExpression(w: Within | undefined) {
  if (!w) return undefined;
  const names = { '#w': w.attr };
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  if (w.anyOf) {
    const listed = w.anyOf.filter((v): v is string => v !== null);
    const alternatives = [];
    if (listed.length) {
      listed.forEach((v, i) => (values[`:wa${i}`] = v));
      alternatives.push(`#w IN (${listed.map((_, i) => `:wa${i}`).join(', ')})`);
    }
    if (w.anyOf.includes(null)) {
      values[':wnull'] = 'NULL';
      alternatives.push('attribute_type(#w, :wnull)');
    }
    parts.push(alternatives.length ? `(${alternatives.join(' OR ')})` : 'attribute_exists(#w) AND attribute_not_exists(#w)');
  }
  if (w.noneOf?.length) {
    w.noneOf.forEach((v, i) => (values[`:wn${i}`] = v));
    parts.push(`NOT (#w IN (${w.noneOf.map((_, i) => `:wn${i}`).join(', ')}))`);
  }
  if (parts.length === 0) return undefined;
  return { expression: parts.join(' AND '), names, values };
}

function pick(item: Record<string, unknown>, attrs: string[]): Key {
  return Object.fromEntries(attrs.map((a) => [a, String(item[a])]));
}

/** A short fingerprint of the partitions a query reads, so a cursor only fits its own query. */
function planHash(q: PagedQuery): string {
  return createHash('sha256').update(`${q.indexName}\n${q.partitions.join('\n')}`).digest('base64url').slice(0, 12);
}

/**
 * Compact on purpose: an entry per partition, in the query's order, holding
 * only what is not derivable (table keys and sort value; the partition value is
 * the partition itself). 0 marks an exhausted partition, null an unread one.
 */
function encodeCursor(q: PagedQuery, state: CursorState): string {
  const s = q.partitions.map((p) => {
    const k = state[p];
    if (k === 0) return 0;
    return k ? [k.pk, k.sk, k[q.sortAttr]] : null;
  });
  return Buffer.from(JSON.stringify({ h: planHash(q), s })).toString('base64url');
}

// DynamoDB's limits on key values, in bytes: beyond them a query is a ValidationException.
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;
const validKeyPart = (v: unknown, maxBytes: number): v is string => typeof v === 'string' && v.length > 0 && Buffer.byteLength(v, 'utf8') <= maxBytes;

/**
 * A cursor is client input: it must come from this very query (same index and
 * partitions) and hold keys DynamoDB can take. Anything else is a 400, never a
 * DynamoDB ValidationException turned into a 500.
 */
function decodeCursor(cursor: string | undefined, q: PagedQuery): CursorState {
  if (!cursor) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const c = parsed as { h?: unknown; s?: unknown };
  if (!c || typeof c !== 'object' || c.h !== planHash(q) || !Array.isArray(c.s) || c.s.length !== q.partitions.length) {
    throw new InvalidCursorError();
  }
  const state: CursorState = {};
  c.s.forEach((entry: unknown, i) => {
    const partition = q.partitions[i]!;
    if (entry === null) return;
    if (entry === 0) {
      state[partition] = 0;
      return;
    }
    if (!Array.isArray(entry) || entry.length !== 3) throw new InvalidCursorError();
    const [pk, sk, sortValue] = entry as unknown[];
    if (!validKeyPart(pk, MAX_PK_BYTES) || !validKeyPart(sk, MAX_SK_BYTES) || !validKeyPart(sortValue, MAX_SK_BYTES)) throw new InvalidCursorError();
    state[partition] = { pk, sk, [q.partitionAttr]: partition, [q.sortAttr]: sortValue };
  });
  return state;
}

/** A caller's scope as a query filter on the ticket's department; 'nothing' when they see none. */
export function departmentsWithin(scope: Scope | undefined): Within | undefined | 'nothing' {
  if (!scope) return undefined;
  if (scope.all) return scope.except.length ? { attr: 'department', noneOf: scope.except } : undefined;
  const anyOf = [...scope.departments, ...(scope.dispatch ? [null] : [])];
  return anyOf.length ? { attr: 'department', anyOf } : 'nothing';
}
