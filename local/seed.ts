import { randomBytes, randomUUID } from 'node:crypto';
import { applyDeskConfig } from '../functions/adapters/desk-config.ts';
import type { Agent, TicketStore } from '../functions/adapters/ticket-store.ts';
import { defaultCannedResponses } from '../functions/core/default-canned-responses.ts';
import { table } from '../lib/definitions/resources.ts';
import { readDeployConfig } from './deploy-config.ts';
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
 * The desks come from cdk.json (`helpdesk:departments`, read as synth reads it) and are applied
 * exactly as a deploy applies them; the demo agents work in every configured desk.
 */
export async function seed(store: TicketStore, tableName: string = table.localName): Promise<void> {
  const { departments } = readDeployConfig();
  await applyDeskConfig(tableName, departments, defaultCannedResponses);
  const agents: Agent[] = demoAgents.map((a) => ({ ...a, departments: departments.map((d) => d.id), active: true }));
  // Only agents not there yet: an admin's changes to a demo agent (level, desks, disabled) survive a restart.
  await Promise.all(agents.map((a) => store.putAgent(a, true)));
}
