import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';
import { keys } from './keys.ts';

/**
 * Whether an agent's profile is disabled. Cognito's ID tokens are checked without state, so a
 * disabled agent's token would work until it expires (up to an hour); every agent route asks
 * this first. Answers are kept for a short while per process, so a busy agent costs one read
 * per half minute, and disabling takes effect everywhere within that time.
 */
const CACHE_MS = 30_000;
const cache = new Map<string, { disabled: boolean; at: number }>();
const MAX_CACHED = 1000;
/** Read once at load, as every handler's configuration; a route without a table has no profiles to read. */
const tableName = process.env.TABLE_NAME;

export const agentStatus = {
  async isDisabled(email: string, now = Date.now()): Promise<boolean> {
    const hit = cache.get(email);
    if (hit && now - hit.at < CACHE_MS) return hit.disabled;
    if (!tableName) return false;
    const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.agent(email), ProjectionExpression: 'active' }));
    // No profile (e.g. the first admin, made with the CLI) is not a disabled one.
    const disabled = res.Item?.active === false;
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(email, { disabled, at: now });
    return disabled;
  },

  /** After a change to the profile, this process asks again (local mode runs every route in one process). */
  forget(email: string): void {
    cache.delete(email);
  },
};
