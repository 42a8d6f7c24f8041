import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ProfileRights } from '#core/access';
import { isActive } from '#core/admin';
import { dynamo, queryPages } from './dynamo.ts';
import { keys } from './keys.ts';

/**
 * The caller's authorization view: their profile's active flag, groups and departments, and
 * the desk's restricted departments. Cognito's ID tokens are checked without state, so a
 * demoted or disabled agent's token would keep its powers until it expires (up to an hour);
 * every agent route reads this instead. Answers are kept for a short while per function (the
 * policy's accessCacheSeconds, 30 by default), so a busy agent costs one read per half minute,
 * and a change takes effect everywhere within that time (at once in the function that made it:
 * see forget). Local mode runs each function in its own worker, so it behaves the same.
 */
export interface AccessReader {
  /** undefined: no profile (e.g. the first admin, made with the CLI). */
  profile(email: string): Promise<ProfileRights | undefined>;
  /** Every department marked restricted, active or not (an inactive one's tickets remain). */
  restricted(): Promise<string[]>;
}

export const ACCESS_CACHE_MS = 30_000;
const MAX_CACHED = 1000;

export function accessCache(reader: AccessReader, clock: () => number = Date.now, ttlMs = ACCESS_CACHE_MS) {
  const profiles = new Map<string, { profile: ProfileRights | undefined; at: number }>();
  let restricted: { ids: string[]; at: number } | undefined;
  return {
    async profile(email: string): Promise<ProfileRights | undefined> {
      const now = clock();
      const hit = profiles.get(email);
      if (hit && now - hit.at < ttlMs) return hit.profile;
      const profile = await reader.profile(email);
      profiles.delete(email);
      if (profiles.size >= MAX_CACHED) profiles.delete(profiles.keys().next().value!);
      profiles.set(email, { profile, at: now });
      return profile;
    },

    async restricted(): Promise<string[]> {
      const now = clock();
      if (restricted && now - restricted.at < ttlMs) return restricted.ids;
      restricted = { ids: await reader.restricted(), at: now };
      return restricted.ids;
    },

    /** After a change to the profile, this function asks again at once; the others within the cache's lifetime. */
    forget(email: string): void {
      profiles.delete(email);
    },
  };
}

/** The profiles and departments in this table, read as they are now. */
function tableReader(tableName: string): AccessReader {
  return {
    async profile(email) {
      const res = await dynamo.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.agent(email),
          ProjectionExpression: '#a, #g, #d',
          ExpressionAttributeNames: { '#a': 'active', '#g': 'groups', '#d': 'departments' },
        }),
      );
      if (!res.Item) return undefined;
      return { active: isActive(res.Item as { active?: boolean }), groups: (res.Item.groups as string[]) ?? [], departments: (res.Item.departments as string[]) ?? [] };
    },
    async restricted() {
      const { items } = await queryPages({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.department('').pk },
        ProjectionExpression: '#i, #r',
        ExpressionAttributeNames: { '#i': 'id', '#r': 'restricted' },
      });
      return items.filter((i) => i.restricted === true).map((i) => i.id as string);
    },
  };
}

const caches = new Map<string, ReturnType<typeof accessCache>>();

/**
 * The access view of the agents in this table: one cache per table per function, so the admin
 * route that changes a profile and its own next check share it. The first call sets how long
 * answers are kept (agentRoute, from the policy, at load); later calls (an admin route's
 * forget) get the same cache.
 */
export function agentStatus(tableName: string, ttlMs = ACCESS_CACHE_MS): ReturnType<typeof accessCache> {
  let cache = caches.get(tableName);
  if (!cache) caches.set(tableName, (cache = accessCache(tableReader(tableName), Date.now, ttlMs)));
  return cache;
}
