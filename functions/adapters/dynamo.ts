import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One client per process, created at load time so warm invocations reuse its
 * connections. The endpoint comes from AWS_ENDPOINT_URL_DYNAMODB in local mode.
 */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
  marshallOptions: { removeUndefinedValues: true },
});

/** True when a transaction failed only because one of its conditions did not hold. */
export function conditionFailed(err: unknown): { index: number; item?: Record<string, unknown> }[] | undefined {
  const e = err as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] };
  if (e?.name === 'ConditionalCheckFailedException') return [{ index: 0 }];
  if (e?.name !== 'TransactionCanceledException' || !e.CancellationReasons) return undefined;
  const failed = e.CancellationReasons.flatMap((r, index) => (r.Code === 'ConditionalCheckFailed' ? [{ index, item: r.Item }] : []));
  const others = e.CancellationReasons.some((r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed');
  return failed.length > 0 && !others ? failed : undefined;
}
