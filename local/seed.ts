import { randomBytes, randomUUID } from 'node:crypto';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
// Key shapes are the data model's, kept in one place; this pure module is the one thing local mode takes from the adapters.
import { keys } from '../functions/adapters/keys.ts';
import { setPassword, type LocalUser } from './issuer.ts';
import { verifyPassword } from './password-hash.ts';

const demoAgents = [
  { email: 'admin@helpdesk.local', name: 'Ana Admin', groups: ['admins'] },
  { email: 'l1@helpdesk.local', name: 'Lucas Level One', groups: ['agents-l1'] },
  { email: 'l2@helpdesk.local', name: 'Lia Level Two', groups: ['agents-l2'] },
  { email: 'l3@helpdesk.local', name: 'Leo Level Three', groups: ['agents-l3'] },
];

/**
 * Passwords are made per install, never written in code. The pool keeps only their hashes;
 * the text is shown in the banner and endpoints.json, and `known` (the last endpoints.json)
 * brings it back after a restart. A demo agent who chose their own password keeps it, and
 * theirs is not known (undefined).
 */
export async function makeDemoUsers(existing: LocalUser[] | undefined, known: ReadonlyMap<string, string>): Promise<{ user: LocalUser; password: string | undefined }[]> {
  return Promise.all(
    demoAgents.map(async (a) => {
      const kept = existing?.find((u) => u.email === a.email);
      if (kept) {
        const legacy = kept.password;
        if (typeof legacy === 'string') await setPassword(kept, legacy);
        const previous = legacy ?? known.get(a.email);
        return { user: kept, password: previous !== undefined && (await verifyPassword(previous, kept.passwordHash)) ? previous : undefined };
      }
      const password = `Demo-${randomBytes(9).toString('base64url')}`;
      const user: LocalUser = { email: a.email, groups: a.groups, sub: randomUUID() };
      await setPassword(user, password);
      return { user, password };
    }),
  );
}

/**
 * The demo agents' profiles, in every configured desk (the desks themselves are made by the
 * DeskConfig function at start, as a deploy makes them). Written only where none is yet, so an
 * admin's changes to a demo agent (level, desks, disabled) survive a restart. Local mode's own
 * client: a deployed desk has no demo agents, so no function does this.
 */
export async function seedDemoAgents(dynamo: DynamoDBClient, tableName: string, departments: readonly string[]): Promise<void> {
  await Promise.all(
    demoAgents.map((a) =>
      dynamo
        .send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: keys.agent(a.email).pk },
              sk: { S: keys.agent(a.email).sk },
              type: { S: 'agent' },
              email: { S: a.email },
              name: { S: a.name },
              groups: { L: a.groups.map((g) => ({ S: g })) },
              departments: { L: departments.map((d) => ({ S: d })) },
              active: { BOOL: true },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch((err: Error) => {
          if (err.name !== 'ConditionalCheckFailedException') throw err;
        }),
    ),
  );
}
