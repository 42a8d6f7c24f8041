import { randomBytes, randomUUID } from 'node:crypto';
import type { Agent, Department, TicketStore } from '../functions/adapters/ticket-store.ts';
import type { LocalUser } from './issuer.ts';

/** Demo desks: internal ones beside external customer support. */
export const demoDepartments: Department[] = [
  { id: 'support', name: { en: 'Customer support', 'pt-BR': 'Suporte ao cliente' }, kind: 'external' },
  { id: 'it', name: { en: 'IT', 'pt-BR': 'TI' }, kind: 'internal' },
  { id: 'hr', name: { en: 'Human resources', 'pt-BR': 'Recursos humanos' }, kind: 'internal' },
  { id: 'finance', name: { en: 'Finance', 'pt-BR': 'Financeiro' }, kind: 'internal' },
  { id: 'facilities', name: { en: 'Facilities', 'pt-BR': 'Infraestrutura predial' }, kind: 'internal' },
];

const demoAgents = [
  { email: 'admin@helpdesk.local', name: 'Ana Admin', groups: ['admins'] },
  { email: 'l1@helpdesk.local', name: 'Lucas Level One', groups: ['agents-l1'] },
  { email: 'l2@helpdesk.local', name: 'Lia Level Two', groups: ['agents-l2'] },
  { email: 'l3@helpdesk.local', name: 'Leo Level Three', groups: ['agents-l3'] },
];

/** Passwords are made per install, never written in code; they live in the local data folder. */
export function makeDemoUsers(existing: LocalUser[] | undefined): LocalUser[] {
  return demoAgents.map((a) => {
    const kept = existing?.find((u) => u.email === a.email);
    return kept ?? { email: a.email, groups: a.groups, sub: randomUUID(), password: `Demo-${randomBytes(9).toString('base64url')}` };
  });
}

export async function seed(store: TicketStore): Promise<void> {
  await Promise.all(demoDepartments.map((d) => store.putDepartment(d)));
  const agents: Agent[] = demoAgents.map((a) => ({ ...a, departments: demoDepartments.map((d) => d.id), active: true }));
  await Promise.all(agents.map((a) => store.putAgent(a)));
}
