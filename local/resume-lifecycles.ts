import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
// Key shapes are the data model's, kept in one place; this pure module is the one thing local mode takes from the adapters.
import { partitions } from '../functions/adapters/keys.ts';

/** Ticket statuses whose lifecycle is still running (closed and spam tickets have none). */
const running = ['new', 'open', 'pending', 'on_hold', 'resolved'] as const;

/**
 * Executions live in memory in local Step Functions; the state they need lives on the tickets.
 * After a restart every ticket not yet closed starts again (one execution per ticket, named after
 * it, as the functions start it), and its first step finds its place on the ticket. Read from the
 * status index with local mode's own clients: no function's code or environment is borrowed.
 */
export async function resumeLifecycles(o: {
  dynamo: DynamoDBClient;
  tableName: string;
  sfnUrl: string;
  stateMachineArn: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Promise<number> {
  const sfn = new SFNClient({ region: o.region, credentials: o.credentials, endpoint: o.sfnUrl });
  let count = 0;
  for (const status of running) {
    let cursor: Record<string, any> | undefined;
    do {
      const page = await o.dynamo.send(
        new QueryCommand({
          TableName: o.tableName,
          IndexName: 'status',
          KeyConditionExpression: 'statusPk = :s',
          ExpressionAttributeValues: { ':s': { S: partitions.status(status) } },
          ProjectionExpression: 'id',
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      const ids = (page.Items ?? []).flatMap((i) => (i.id?.S ? [i.id.S] : []));
      await Promise.all(
        ids.map((ticketId) =>
          sfn.send(new StartExecutionCommand({ stateMachineArn: o.stateMachineArn, name: ticketId, input: JSON.stringify({ ticketId }) })).catch((err: Error) => {
            if (err.name !== 'ExecutionAlreadyExists') throw err;
          }),
        ),
      );
      count += ids.length;
      cursor = page.LastEvaluatedKey;
    } while (cursor);
  }
  return count;
}
