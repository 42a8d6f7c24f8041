import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type BatchGetCommandOutput,
  type PutCommandInput,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { traced } from './tracing.ts';

/**
 * One client per process, created at load time so warm invocations reuse its
 * connections. The endpoint comes from AWS_ENDPOINT_URL_DYNAMODB in local mode.
 */
export const dynamo = DynamoDBDocumentClient.from(traced(new DynamoDBClient({ maxAttempts: 3 })), {
  marshallOptions: { removeUndefinedValues: true },
});

/** True when a transaction failed only because one of its conditions did not hold. */
export function conditionFailed(err: unknown): { index: number; item?: Record<string, unknown> }[] | undefined {
  const e = err as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] };
  if (e?.name === 'ConditionalCheckFailedException') return [{ index: 0 }];
  if (e?.name !== 'TransactionCanceledException' || !e.CancellationReasons) return undefined;
  const failed = e.CancellationReasons.flatMap((r, index) => (r.Code === 'ConditionalCheckFailed' ? [{ index, item: r.Item }] : []));
  const others = e.CancellationReasons.some((r) => r.Code && !['None', 'ConditionalCheckFailed', 'TransactionConflict'].includes(r.Code));
  return failed.length > 0 && !others ? failed : undefined;
}

/**
 * A PutItem whose condition failing is an ordinary answer, not an error:
 * true when the item was written, false when the condition did not hold.
 */
export async function putIf(input: PutCommandInput & { ConditionExpression: string }): Promise<boolean> {
  try {
    await dynamo.send(new PutCommand(input));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

const TRANSACTION_ATTEMPTS = 5;

/** True when a transaction was cancelled only because other transactions held its items. */
export function onlyContention(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  const codes = (e?.CancellationReasons ?? []).map((r) => r.Code);
  return e?.name === 'TransactionCanceledException' && codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/**
 * TransactWriteItems, retried when DynamoDB cancels it only because another
 * transaction was touching the same item at that instant. The conditions are
 * re-checked on each attempt, so a retry can never overwrite a newer write;
 * a real condition failure is returned to the caller at once.
 */
export async function transactWrite(items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (err) {
      if (!onlyContention(err) || attempt >= TRANSACTION_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 5 * 2 ** attempt * Math.random()));
    }
  }
}

const BATCH_GET_ATTEMPTS = 5;

/**
 * BatchGetItem of at most 100 keys of one table, asking again (with back-off) for the keys
 * DynamoDB leaves unprocessed; throws if some are still left after a few rounds.
 */
export async function batchGetAll(tableName: string, keys: Record<string, unknown>[], { consistentRead = false } = {}): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let pending: Record<string, unknown>[] | undefined = keys;
  for (let attempt = 1; pending?.length; attempt++) {
    if (attempt > BATCH_GET_ATTEMPTS) throw new Error('BatchGetItem left keys unprocessed');
    if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
    const res: BatchGetCommandOutput = await dynamo.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ...(consistentRead && { ConsistentRead: true }) } } }));
    items.push(...(res.Responses?.[tableName] ?? []));
    pending = res.UnprocessedKeys?.[tableName]?.Keys;
  }
  return items;
}

/**
 * A Query read page after page, in order: every page, or the first `maxPages`. `complete` says
 * whether the last page was reached (callers that stop early pick up where they left off later).
 */
export async function queryPages(
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  { maxPages = Infinity, client = dynamo }: { maxPages?: number; client?: DynamoDBDocumentClient } = {},
): Promise<{ items: Record<string, any>[]; complete: boolean }> {
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  let pages = 0;
  do {
    const res = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
    pages++;
  } while (start && pages < maxPages);
  return { items, complete: !start };
}

/** Every item of one partition of the table (optionally a sort-key range), page by page. */
export async function queryPartition(tableName: string, q: { pk: string; between?: [string, string] }): Promise<Record<string, any>[]> {
  const { items } = await queryPages({
    TableName: tableName,
    KeyConditionExpression: q.between ? 'pk = :pk AND sk BETWEEN :a AND :b' : 'pk = :pk',
    ExpressionAttributeValues: q.between ? { ':pk': q.pk, ':a': q.between[0], ':b': q.between[1] } : { ':pk': q.pk },
  });
  return items;
}
