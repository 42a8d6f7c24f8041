import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';
import { keys, withoutStorageAttributes } from './keys.ts';

export interface Department {
  id: string;
  name: { en: string; 'pt-BR': string };
  kind: 'internal' | 'external';
  /** false once removed from the deployment configuration (see adapters/desk-config.ts); absent: active. */
  active?: boolean;
  /** Seen only by its members, admins included (cdk.json); absent: not restricted. */
  restricted?: boolean;
}

const DEPARTMENT_CACHE_MS = 30_000;
let departmentCache: { at: number; ids: Set<string> } | undefined;

/** The desk's departments (`DEPARTMENTS` / `DEPT#<id>`), written at deploy by DeskConfig. */
export function departmentStore(tableName: string) {
  async function listDepartments(): Promise<Department[]> {
    const res = await dynamo.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.department('').pk } }),
    );
    // A department removed from the configuration stays in the table (its tickets keep the id) but is not offered.
    return (res.Items ?? []).filter((i) => i.active !== false).map((i) => withoutStorageAttributes(i) as unknown as Department);
  }

  return {
    listDepartments,

    /** Known departments, cached briefly: they change rarely and every create checks them. */
    async knownDepartment(id: string): Promise<boolean> {
      if (!departmentCache || departmentCache.at < Date.now() - DEPARTMENT_CACHE_MS) {
        departmentCache = { at: Date.now(), ids: new Set((await listDepartments()).map((d) => d.id)) };
      }
      return departmentCache.ids.has(id);
    },

    async putDepartment(d: Department) {
      await dynamo.send(new PutCommand({ TableName: tableName, Item: { ...keys.department(d.id), type: 'department', ...d } }));
    },
  };
}

export type DepartmentStore = ReturnType<typeof departmentStore>;
