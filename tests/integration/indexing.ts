import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const clients = new Map<string, DynamoDBClient>();

/**
 * Waits until the lifecycle's first step has indexed a ticket (search words
 * and creation counts, written once, a moment after the create).
 */
export async function waitIndexed(ep: { services: Record<string, string>; tableName: string }, ticketId: string, timeoutMs = 40_000): Promise<void> {
  const endpoint = ep.services.dynamodb!;
  let client = clients.get(endpoint);
  if (!client) clients.set(endpoint, (client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.send(new GetItemCommand({ TableName: ep.tableName, Key: { pk: { S: `TICKET#${ticketId}` }, sk: { S: 'INDEXED' } }, ConsistentRead: true }));
    if (res.Item) return;
    if (Date.now() > deadline) throw new Error(`ticket ${ticketId} was not indexed within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
