import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { applyDeskConfig } from '../../functions/adapters/desk-config.ts';
import { keys } from '../../functions/adapters/keys.ts';
import { defaultCannedResponses } from '../../functions/core/default-canned-responses.ts';
import { defaultDepartments } from '../../lib/config.ts';

type Item = Record<string, any>;

/** Just enough of DynamoDB for applyDeskConfig: items by key, conditions it uses, ADD to a string set. */
function fakeTable() {
  const items = new Map<string, Item>();
  const id = (k: { pk: string; sk: string }) => `${k.pk}|${k.sk}`;
  const calls: string[] = [];
  const client = {
    async send(cmd: unknown) {
      if (cmd instanceof QueryCommand) {
        calls.push('Query');
        const pk = cmd.input.ExpressionAttributeValues![':pk'];
        return { Items: [...items.values()].filter((i) => i.pk === pk).map((i) => structuredClone(i)) };
      }
      if (cmd instanceof GetCommand) {
        calls.push('GetItem');
        const item = items.get(id(cmd.input.Key as { pk: string; sk: string }));
        return { Item: item && structuredClone(item) };
      }
      if (cmd instanceof PutCommand) {
        calls.push('PutItem');
        const item = cmd.input.Item as Item;
        if (cmd.input.ConditionExpression === 'attribute_not_exists(pk)' && items.has(id(item as { pk: string; sk: string }))) {
          throw Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' });
        }
        items.set(id(item as { pk: string; sk: string }), structuredClone(item));
        return {};
      }
      if (cmd instanceof UpdateCommand) {
        calls.push('UpdateItem');
        const key = cmd.input.Key as { pk: string; sk: string };
        const current = items.get(id(key));
        if (cmd.input.ConditionExpression === 'attribute_exists(pk)' && !current) {
          throw Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' });
        }
        const next: Item = current ?? { ...key };
        const values = cmd.input.ExpressionAttributeValues!;
        if (cmd.input.UpdateExpression === 'SET active = :no') next.active = values[':no'];
        else if (cmd.input.UpdateExpression?.startsWith('ADD cannedResponses :ids')) {
          next.cannedResponses = new Set([...(next.cannedResponses ?? []), ...(values[':ids'] as Set<string>)]);
          next.type = values[':type'];
        } else throw new Error(`unexpected update ${cmd.input.UpdateExpression}`);
        items.set(id(key), next);
        return {};
      }
      throw new Error(`unexpected command ${(cmd as object).constructor.name}`);
    },
  };
  return { items, calls, client: client as unknown as DynamoDBDocumentClient };
}

const departmentsIn = (items: Map<string, Item>) =>
  [...items.values()].filter((i) => i.pk === keys.department('').pk).map(({ id, kind, active, name }) => ({ id, kind, active, name }));
const cannedIn = (items: Map<string, Item>) => [...items.values()].filter((i) => i.pk === keys.cannedResponse('').pk);

describe('applyDeskConfig', () => {
  it('puts every configured department, active, and each default canned response once', async () => {
    const table = fakeTable();
    const result = await applyDeskConfig('t', defaultDepartments, defaultCannedResponses, table.client);
    expect(result).toEqual({ departments: defaultDepartments.map((d) => d.id), deactivated: [], cannedAdded: defaultCannedResponses.map((r) => r.id) });
    expect(departmentsIn(table.items)).toEqual(defaultDepartments.map((d) => ({ id: d.id, kind: d.kind, active: true, name: d.name })));
    expect(cannedIn(table.items).map((i) => i.id)).toEqual(defaultCannedResponses.map((r) => r.id));
    // Only keyed reads and writes (the IAM policy allows nothing else).
    expect(new Set(table.calls)).toEqual(new Set(['Query', 'GetItem', 'PutItem', 'UpdateItem']));
  });

  it('follows the configuration: names updated, a removed department marked inactive (kept), a returning one reactivated', async () => {
    const table = fakeTable();
    await applyDeskConfig('t', defaultDepartments, defaultCannedResponses, table.client);

    const renamed = [{ id: 'it', name: { en: 'IT service desk', 'pt-BR': 'Central de TI' }, kind: 'internal' as const }, defaultDepartments[0]!];
    const second = await applyDeskConfig('t', renamed, defaultCannedResponses, table.client);
    expect(second.deactivated.sort()).toEqual(['facilities', 'finance', 'hr']);
    const after = departmentsIn(table.items);
    expect(after).toHaveLength(defaultDepartments.length);
    expect(after.find((d) => d.id === 'it')).toMatchObject({ active: true, name: { en: 'IT service desk' } });
    expect(after.filter((d) => d.active === false).map((d) => d.id).sort()).toEqual(['facilities', 'finance', 'hr']);

    // Already inactive: not written again. Configured again: active.
    const third = await applyDeskConfig('t', [...renamed, defaultDepartments.find((d) => d.id === 'hr')!], defaultCannedResponses, table.client);
    expect(third.deactivated.sort()).toEqual([]);
    expect(departmentsIn(table.items).find((d) => d.id === 'hr')?.active).toBe(true);
  });

  it('never rewrites an edited canned response, and never brings back a deleted one', async () => {
    const table = fakeTable();
    await applyDeskConfig('t', defaultDepartments, defaultCannedResponses, table.client);
    const edited = table.items.get(`${keys.cannedResponse('closing').pk}|${keys.cannedResponse('closing').sk}`)!;
    edited.body.en = 'Our own closing text';
    table.items.delete(`${keys.cannedResponse('escalated').pk}|${keys.cannedResponse('escalated').sk}`);

    const again = await applyDeskConfig('t', defaultDepartments, defaultCannedResponses, table.client);
    expect(again.cannedAdded).toEqual([]);
    expect(table.items.get(`${keys.cannedResponse('closing').pk}|${keys.cannedResponse('closing').sk}`)!.body.en).toBe('Our own closing text');
    expect(cannedIn(table.items).map((i) => i.id)).not.toContain('escalated');

    // A default that is new in a later version is placed then.
    const newer = [...defaultCannedResponses, { id: 'new-default', title: { en: 'New', 'pt-BR': 'Nova' }, body: { en: 'Hi', 'pt-BR': 'Oi' } }];
    expect((await applyDeskConfig('t', defaultDepartments, newer, table.client)).cannedAdded).toEqual(['new-default']);
  });

  it('keeps a canned response that already has a default id (seeded before the record of defaults existed)', async () => {
    const table = fakeTable();
    const key = keys.cannedResponse('greeting-details');
    table.items.set(`${key.pk}|${key.sk}`, { ...key, type: 'canned', id: 'greeting-details', title: { en: 'Mine', 'pt-BR': 'Minha' }, body: { en: 'x', 'pt-BR': 'x' } });
    const result = await applyDeskConfig('t', defaultDepartments, defaultCannedResponses, table.client);
    expect(result.cannedAdded).not.toContain('greeting-details');
    expect(table.items.get(`${key.pk}|${key.sk}`)!.title.en).toBe('Mine');
    const marker = table.items.get(`${keys.deskDefaults().pk}|${keys.deskDefaults().sk}`)!;
    expect([...(marker.cannedResponses as Set<string>)].sort()).toEqual(defaultCannedResponses.map((r) => r.id).sort());
  });
});
