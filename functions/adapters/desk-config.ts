import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DefaultCannedResponse } from '#core/default-canned-responses';
import { dynamo as defaultClient, queryPages } from './dynamo.ts';
import { keys } from './keys.ts';
import type { Department } from './department-store.ts';

export interface DeskConfigResult {
  /** Ids written as configured (active). */
  readonly departments: string[];
  /** Ids in the table but no longer configured: now `active: false` (their tickets keep the id). */
  readonly deactivated: string[];
  /** Default canned responses placed by this run (never one placed before, even if since deleted). */
  readonly cannedAdded: string[];
}

/**
 * Makes the table's desk settings match the deployment configuration. Run at every start
 * (local mode) and by a custom resource at deploy time; idempotent.
 *
 * - Every configured department is upserted (name, kind and `restricted` follow the configuration) and active.
 * - A department in the table but not in the configuration is marked `active: false`, never
 *   deleted: its tickets keep their department id and stay in their queues, but it is no longer
 *   listed (`GET /departments`) nor accepted for new tickets or changes. Configuring it again
 *   reactivates it.
 * - Each default canned response is placed once, only where none with its id exists, and the
 *   ids placed are remembered: an admin's edits are never overwritten, and one an admin deleted
 *   does not come back at the next deploy.
 */
export async function applyDeskConfig(
  tableName: string,
  departments: readonly Department[],
  cannedResponses: readonly DefaultCannedResponse[],
  client: DynamoDBDocumentClient = defaultClient,
): Promise<DeskConfigResult> {
  const { items: existing } = await queryPages(
    { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.department('').pk }, ConsistentRead: true },
    { client },
  );

  for (const d of departments) {
    await client.send(
      new PutCommand({
        TableName: tableName,
        // `restricted` written either way, so unmarking a department in cdk.json takes effect.
        Item: { ...keys.department(d.id), type: 'department', id: d.id, name: { en: d.name.en, 'pt-BR': d.name['pt-BR'] }, kind: d.kind, active: true, restricted: d.restricted === true },
      }),
    );
  }

  const configured = new Set(departments.map((d) => d.id));
  const deactivated: string[] = [];
  for (const item of existing) {
    const id = item.id as string;
    if (configured.has(id) || item.active === false) continue;
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.department(id),
        UpdateExpression: 'SET active = :no',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':no': false },
      }),
    );
    deactivated.push(id);
  }

  const marker = await client.send(new GetCommand({ TableName: tableName, Key: keys.deskDefaults(), ConsistentRead: true }));
  const placedBefore = new Set<string>((marker.Item?.cannedResponses as Set<string> | undefined) ?? []);
  const cannedAdded: string[] = [];
  const remembered: string[] = [];
  for (const r of cannedResponses) {
    if (placedBefore.has(r.id)) continue;
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.cannedResponse(r.id), type: 'canned', id: r.id, title: { ...r.title }, body: { ...r.body } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      cannedAdded.push(r.id);
    } catch (err) {
      // One with this id exists already (seeded before the marker existed, or made by an admin): keep it.
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    }
    remembered.push(r.id);
  }
  if (remembered.length > 0) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.deskDefaults(),
        UpdateExpression: 'ADD cannedResponses :ids SET #type = :type',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':ids': new Set(remembered), ':type': 'desk-defaults' },
      }),
    );
  }

  return { departments: departments.map((d) => d.id), deactivated, cannedAdded };
}
