import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, putIf, queryPartition } from './dynamo.ts';
import { keys } from './keys.ts';

export interface CannedResponse {
  id: string;
  title: { en: string; 'pt-BR': string };
  body: { en: string; 'pt-BR': string };
  /** Offered only to the agents who see this department's tickets; null or absent: to every agent. */
  department?: string | null;
}

/** Canned responses (`CANNED` / `RESP#<id>`): defaults placed by DeskConfig, edited by admins. */
export function cannedResponses(tableName: string) {
  return {
    async listCannedResponses(): Promise<CannedResponse[]> {
      const items = await queryPartition(tableName, { pk: keys.cannedResponse('').pk });
      return items.map((i) => ({ id: i.id, title: i.title, body: i.body, ...(i.department && { department: i.department }) }) as CannedResponse);
    },

    /** Writes a canned response; `onlyIfNew` keeps one that exists (seeding never overwrites an edited reply). */
    async putCannedResponse(r: CannedResponse, onlyIfNew = false) {
      const item = { ...keys.cannedResponse(r.id), type: 'canned', id: r.id, title: r.title, body: r.body };
      if (onlyIfNew) await putIf({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' });
      else await dynamo.send(new PutCommand({ TableName: tableName, Item: item }));
    },
  };
}

export type CannedResponses = ReturnType<typeof cannedResponses>;
