import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, putIf } from './dynamo.ts';
import { keys, withoutStorageAttributes } from './keys.ts';
import { isActive } from '#core/admin';

export interface Agent {
  email: string;
  name: string;
  groups: string[];
  departments: string[];
  active: boolean;
}

/** Agents' desk profiles (`AGENTS` / `AGENT#<email>`): rights, level and departments come from here. */
export function agentStore(tableName: string) {
  return {
    async getAgent(email: string): Promise<Agent | undefined> {
      const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.agent(email) }));
      return res.Item ? agentOf(res.Item) : undefined;
    },

    async listAgents(): Promise<Agent[]> {
      const res = await dynamo.send(
        new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.agent('').pk } }),
      );
      return (res.Items ?? []).map(agentOf);
    },

    async putAgent(a: Agent, onlyIfNew = false) {
      const item = { ...keys.agent(a.email), type: 'agent', ...a };
      if (onlyIfNew) await putIf({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' });
      else await dynamo.send(new PutCommand({ TableName: tableName, Item: item }));
    },
  };
}

export type AgentStore = ReturnType<typeof agentStore>;

/** An agent profile as stored, with `active` in its one meaning (core/admin.ts isActive). */
function agentOf(item: Record<string, unknown>): Agent {
  const agent = withoutStorageAttributes(item) as unknown as Agent;
  return { ...agent, active: isActive(agent) };
}
