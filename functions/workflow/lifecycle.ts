import { z } from 'zod';
import { policy } from '#shared/policy';
import { configFor, type MailSettings } from '#shared/config';
import { ticketStore } from '#adapters/ticket-store';
import { agentStore } from '#adapters/agent-store';
import { departmentStore } from '#adapters/department-store';
import { turns } from '#adapters/turns';
import { agentStatus } from '#adapters/agent-status';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { lifecycleStep, type LifecycleDeps } from '#app/lifecycle-step';

const config = await configFor('Lifecycle');
const agents = agentStore(config.tableName);
// Breach mail goes only to agents who may see the ticket: restricted departments are re-read as often as the agent routes re-read them.
const access = agentStatus(config.tableName, policy.accessCacheSeconds * 1000);
const deps: LifecycleDeps = {
  tickets: ticketStore(config.tableName),
  knownDepartment: departmentStore(config.tableName).knownDepartment,
  listAgents: () => agents.listAgents(),
  nextTurn: turns(config.tableName).nextTurn,
  restricted: () => access.restricted(),
  // Mail is off until the stack is given a support domain: the lifecycle still runs, silently.
  mail: config.mail ? await loadMail(config.mail) : undefined,
  count: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1),
  policy,
};

async function loadMail(settings: MailSettings) {
  const [{ mailIndex }, { mailer }] = await Promise.all([import('#adapters/mail-index'), import('#adapters/mailer')]);
  const send = mailer(undefined, settings.configurationSet).send;
  return { index: mailIndex(config.tableName), send, config: { ...settings, deskName: config.deskName }, publicUrl: config.publicUrl };
}

const lifecycleEvent = z.discriminatedUnion('action', [
  z.object({ action: z.enum(['triage', 'plan']), ticketId: z.string().min(1).max(64) }),
  z.object({ action: z.enum(['level-timeout', 'pending-timeout', 'survey-due', 'survey-timeout']), ticketId: z.string().min(1).max(64), seq: z.number().int().nonnegative() }),
]);

/** Every Lambda step of the ticket lifecycle (functions/app/lifecycle-step.ts): it answers with the plan, the phase and how long to wait. */
export const handler = observed(async (event: unknown) => lifecycleStep(lifecycleEvent.parse(event), new Date().toISOString(), deps));
