import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AdminAuditRecord } from '#core/admin';
import { DomainError } from '#core/errors';
import { conditionFailed, dynamo, transactWrite } from './dynamo.ts';
import { keys } from './keys.ts';
import type { Agent } from './agent-store.ts';
import type { CannedResponse } from './canned-responses.ts';

/** An agent's profile as the admin routes keep it: the Agent the rest of the desk reads, plus bookkeeping. */
export interface AgentProfile extends Agent {
  createdAt?: string;
  updatedAt?: string;
  /** Bumped on every admin write: two admins editing one agent at once cannot silently overwrite each other. */
  rev?: number;
}

export class ProfileChangedError extends DomainError {
  constructor() {
    super('agent_changed', 'The agent was changed by someone else meanwhile; reload and try again');
  }
}

export type AuditInput = Omit<AdminAuditRecord, 'id' | 'at'>;

const storage = ['pk', 'sk', 'type'];
const strip = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([k]) => !storage.includes(k)));

/**
 * Admin writes: agent profiles and canned responses, each changed in one
 * transaction with its audit record, so no change goes unrecorded and no
 * record describes a change that did not happen.
 */
export function adminStore(tableName: string) {
  const auditPut = (a: AuditInput, at: string) => {
    const record: AdminAuditRecord = { id: randomUUID(), at, ...a };
    return { Put: { TableName: tableName, Item: { ...keys.adminAudit(at, record.id), type: 'admin-audit', ...record }, ConditionExpression: 'attribute_not_exists(pk)' } };
  };
  const get = async (key: { pk: string; sk: string }) => (await dynamo.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  return {
    async getAgent(email: string): Promise<AgentProfile | undefined> {
      const item = await get(keys.agent(email));
      return item ? (strip(item) as unknown as AgentProfile) : undefined;
    },

    /** Writes a new profile with its audit record; false when the agent already has one. */
    async createAgent(agent: AgentProfile, audit: AuditInput): Promise<boolean> {
      const at = agent.createdAt ?? new Date().toISOString();
      try {
        await transactWrite([
          { Put: { TableName: tableName, Item: { ...keys.agent(agent.email), type: 'agent', ...agent, createdAt: at, updatedAt: at, rev: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
          auditPut(audit, at),
        ]);
        return true;
      } catch (err) {
        if (conditionFailed(err)?.some((f) => f.index === 0)) return false;
        throw err;
      }
    },

    /** Replaces a profile read as `before`; a ProfileChangedError when it changed since. */
    async updateAgent(before: AgentProfile, after: AgentProfile, audit: AuditInput): Promise<AgentProfile> {
      const at = new Date().toISOString();
      const next: AgentProfile = { ...after, updatedAt: at, rev: (before.rev ?? 0) + 1 };
      const unchanged = before.rev === undefined ? 'attribute_exists(pk) AND attribute_not_exists(rev)' : 'rev = :rev';
      try {
        await transactWrite([
          {
            Put: {
              TableName: tableName,
              Item: { ...keys.agent(after.email), type: 'agent', ...next },
              ConditionExpression: unchanged,
              ...(before.rev !== undefined && { ExpressionAttributeValues: { ':rev': before.rev } }),
            },
          },
          auditPut(audit, at),
        ]);
        return next;
      } catch (err) {
        if (conditionFailed(err)?.some((f) => f.index === 0)) throw new ProfileChangedError();
        throw err;
      }
    },

    async getCannedResponse(id: string): Promise<CannedResponse | undefined> {
      const item = await get(keys.cannedResponse(id));
      return item ? ({ id: item.id, title: item.title, body: item.body, ...(item.department && { department: item.department }) } as CannedResponse) : undefined;
    },

    /**
     * Writes a canned response with its audit record. `existed` is what the caller
     * read: the write holds only if that is still so, else it answers 'changed'.
     */
    async putCannedResponse(r: CannedResponse, existed: boolean, audit: AuditInput): Promise<'written' | 'changed'> {
      const at = new Date().toISOString();
      try {
        await transactWrite([
          {
            Put: {
              TableName: tableName,
              Item: { ...keys.cannedResponse(r.id), type: 'canned', id: r.id, title: r.title, body: r.body, department: r.department ?? null, updatedAt: at },
              ConditionExpression: existed ? 'attribute_exists(pk)' : 'attribute_not_exists(pk)',
            },
          },
          auditPut(audit, at),
        ]);
        return 'written';
      } catch (err) {
        if (conditionFailed(err)?.some((f) => f.index === 0)) return 'changed';
        throw err;
      }
    },

    /** Deletes a canned response with its audit record; false when there was none. */
    async deleteCannedResponse(id: string, audit: AuditInput): Promise<boolean> {
      try {
        await transactWrite([
          { Delete: { TableName: tableName, Key: keys.cannedResponse(id), ConditionExpression: 'attribute_exists(pk)' } },
          auditPut(audit, new Date().toISOString()),
        ]);
        return true;
      } catch (err) {
        if (conditionFailed(err)?.some((f) => f.index === 0)) return false;
        throw err;
      }
    },

    /** The audit trail, newest first, a page at a time. */
    async listAudit(limit: number, cursor?: string): Promise<{ items: AdminAuditRecord[]; nextCursor: string | null }> {
      let start: Record<string, string> | undefined;
      if (cursor) {
        try {
          const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
          if (typeof parsed.sk !== 'string' || parsed.sk.length > 200) throw new Error('bad');
          start = { ...keys.adminAudit('', ''), sk: parsed.sk };
        } catch {
          throw new DomainError('invalid_cursor', 'The cursor is not valid');
        }
      }
      const res = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.adminAudit('', '').pk },
          ScanIndexForward: false,
          Limit: limit,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      const last = res.LastEvaluatedKey as { sk?: string } | undefined;
      return {
        items: (res.Items ?? []).map((i) => strip(i) as unknown as AdminAuditRecord),
        nextCursor: last?.sk ? Buffer.from(JSON.stringify({ sk: last.sk })).toString('base64url') : null,
      };
    },
  };
}

export type AdminStore = ReturnType<typeof adminStore>;
