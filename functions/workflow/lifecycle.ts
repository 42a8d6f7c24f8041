import { z } from 'zod';
import { logger } from '#shared/logger';
import { policy } from '#shared/policy';
import { configFor, type MailSettings } from '#shared/config';
import { ticketStore } from '#adapters/ticket-store';
import { agentStore } from '#adapters/agent-store';
import { departmentStore } from '#adapters/department-store';
import { reportCounters } from '#adapters/report-store';
import { turns } from '#adapters/turns';
import { agentStatus } from '#adapters/agent-status';
import { breachRecipients } from '#core/access';
import { isActive } from '#core/admin';
import { signLink } from '#core/signed-link';
import { mayMailAutomatically } from '#core/mail/authentication';
import { autoResolvedNotice, escalationNotice, pickLanguage, surveyRequest } from '#core/mail/templates';
import { applyTriage, assign, autoResolve, triageNew, breachLevel, close, levelGroup, needsClosing, plan, roundRobinPick, surveyDue, type LifecycleChange, type Phase, type Plan } from '#core/lifecycle';
import type { Level, Ticket } from '#core/ticket';
import { changeCounts } from '#core/report';
import { NotFoundError } from '#core/errors';
import { metrics, MetricUnit, observed } from '#shared/observability';
import { metricNames } from '#definitions/metrics';

const config = await configFor('Lifecycle');
const store = ticketStore(config.tableName);
const agentProfiles = agentStore(config.tableName);
const departments = departmentStore(config.tableName);
const turn = turns(config.tableName);
// Breach mail goes only to agents who may see the ticket: restricted departments are re-read as often as the agent routes re-read them.
const access = agentStatus(config.tableName, policy.accessCacheSeconds * 1000);
/** Where customer links point: the public routes of the HTTP API. */
const { publicUrl } = config;
// Mail is off until the stack is given a support domain: the lifecycle still runs, silently.
const mail = config.mail ? await loadMail(config.mail) : undefined;

async function loadMail(settings: MailSettings) {
  const [{ mailIndex }, { mailer }, { sendOnTicket }] = await Promise.all([import('#adapters/mail-index'), import('#adapters/mailer'), import('#app/send-reply')]);
  const mailConfig = { ...settings, deskName: config.deskName };
  const outbound = mailer(undefined, mailConfig.configurationSet);
  return { mailConfig, outbound, sendOnTicket, deps: { index: mailIndex(config.tableName), send: outbound.send, config: mailConfig } };
}

const lifecycleEvent = z.discriminatedUnion('action', [
  z.object({ action: z.enum(['triage', 'plan']), ticketId: z.string().min(1).max(64) }),
  z.object({ action: z.enum(['level-timeout', 'pending-timeout', 'survey-due', 'survey-timeout']), ticketId: z.string().min(1).max(64), seq: z.number().int().nonnegative() }),
]);

/** A lifecycle change with the report counters it moves (an automatic resolution's SLA), written with it. */
const withCounters = (before: Ticket, change: LifecycleChange) => ({ ...change, counters: reportCounters(changeCounts(before, change.ticket)) });

/** Each timer belongs to one phase; it acts only if the ticket is still where the timer left it. */
const timers: Record<string, { phase: Phase; act: (t: Ticket, now: string) => LifecycleChange }> = {
  'level-timeout': { phase: 'working', act: (t, now) => breachLevel(t, now, policy) },
  'pending-timeout': { phase: 'pending', act: (t, now) => autoResolve(t, now, policy) },
  'survey-due': { phase: 'resolved', act: (t, now) => surveyDue(t, now, policy) },
  'survey-timeout': { phase: 'surveying', act: (t, now) => close(t, now, policy) },
};

/**
 * Every Lambda step of the ticket lifecycle. It changes the ticket (through
 * the same conditional writes as the API), sends what the change calls for,
 * and answers with the plan: the phase the ticket is in and how long to wait.
 */
export const handler = observed(async (event: unknown): Promise<Plan> => {
  const input = lifecycleEvent.parse(event);
  const now = new Date().toISOString();
  if (input.action === 'triage') await triageTicket(input.ticketId, now);
  if ('seq' in input) {
    const timer = timers[input.action]!;
    // A timer for an older state of the ticket (it moved on while the timer ran) changes nothing.
    const done = await store
      .applyChange(input.ticketId, (t) => ((t.lifecycleSeq ?? 0) === input.seq && plan(t, policy, now).phase === timer.phase ? withCounters(t, timer.act(t, now)) : undefined))
      // Gone (erased) while the timer ran: the plan below ends the execution.
      .catch((err: unknown) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
    if (done) await announce(done);
  }
  let ticket = await store.getTicket(input.ticketId);
  // Erased (data protection) or never written: nothing left to time.
  if (!ticket) return { ticketId: input.ticketId, phase: 'done', seq: 0, timeoutSeconds: 1 };
  if (needsClosing(ticket)) ticket = (await store.applyChange(ticket.id, (t) => (needsClosing(t) ? close(t, now, policy) : undefined)))?.ticket ?? ticket;
  return plan(ticket, policy, now);
});

/**
 * Triage normally happens as the ticket is opened (the API and mail answer
 * with a triaged ticket); this step covers tickets opened without it, and
 * does what needs the agent list: round-robin assignment.
 */
async function triageTicket(ticketId: string, now: string) {
  let current = await store.getTicket(ticketId);
  if (!current) return;
  // The first step of the ticket's one execution, whatever the channel: one count per ticket (spam included).
  metrics.addMetric(metricNames.ticketCreated, MetricUnit.Count, 1);
  if (current.spam) return;
  if (!current.triage) {
    const thread = await store.getThread(ticketId);
    const result = await triageNew({ subject: current.subject, body: thread?.messages[0]?.body ?? '', requesterEmail: current.requester.email }, policy, (id) => departments.knownDepartment(id));
    // Undefined: another step triaged it first; read what it wrote.
    current = (await store.applyChange(ticketId, (t) => (t.triage ? undefined : applyTriage(t, result, now, policy))))?.ticket ?? (await store.getTicket(ticketId))!;
    if (result.dispatch) metrics.addMetric(metricNames.triageDispatched, MetricUnit.Count, 1);
  }
  // Search words and creation counts, once, with the category triage settled on.
  await store.indexNewTicket(current);
  if (current.assignee || !current.department || !policy.roundRobin.includes(current.department)) return;
  const assignee = await nextAgent(current.department, current.level);
  if (assignee) await store.applyChange(ticketId, (t) => (t.assignee ? undefined : assign(t, assignee, now, policy)));
}

async function nextAgent(department: string, level: Level): Promise<string | null> {
  const candidates = (await agentProfiles.listAgents()).filter((a) => isActive(a) && a.departments.includes(department) && a.groups.includes(levelGroup(level)));
  if (candidates.length === 0) return null;
  return roundRobinPick(
    candidates.map((a) => a.email),
    await turn.nextTurn(`${department}#${level}`),
  );
}

/** What a lifecycle change tells people. A failed mail is logged, never undoes the change. */
async function announce(change: LifecycleChange) {
  const notice = change.notify;
  if (notice && (notice.kind === 'level-breached' || notice.kind === 'level3-breached')) metrics.addMetric(metricNames.slaBreached, MetricUnit.Count, 1);
  if (!notice || !mail) return;
  const { mailConfig, outbound, sendOnTicket, deps } = mail;
  const t = change.ticket;
  try {
    if (notice.kind === 'level-breached' || notice.kind === 'level3-breached') {
      const [agents, restricted] = await Promise.all([agentProfiles.listAgents(), access.restricted()]);
      const toLevel = notice.kind === 'level-breached' ? notice.toLevel : null;
      const to = breachRecipients(agents, t, toLevel, restricted);
      if (to.length === 0) return logger.warn('No agent to tell about an SLA breach', { ticketId: t.id });
      const content = escalationNotice({
        language: mailConfig.defaultLanguage,
        ticketNumber: t.number,
        subject: t.subject,
        fromLevel: notice.kind === 'level-breached' ? notice.fromLevel : 3,
        toLevel,
        priority: t.priority,
      });
      await outbound.send({
        from: `${mailConfig.deskName} <${mailConfig.fromAddress}>`,
        to: to.slice(0, 50),
        // Internal: an agent's answer must not reach the support address and become a ticket;
        // no receipt rule takes no-reply@, so an answer bounces back to the agent instead.
        replyTo: `no-reply@${mailConfig.fromAddress.split('@')[1]}`,
        messageId: `sla-${t.id}-${t.version}@${mailConfig.fromAddress.split('@')[1]}`,
        automatic: 'auto-generated',
        ...content,
      });
      return;
    }
    // The requester's address failed authentication: the desk writes to it only through an agent.
    if (!mayMailAutomatically(t)) return;
    const language = pickLanguage(t.language ?? undefined, mailConfig.defaultLanguage);
    const thread = t.mailThread ?? [];
    const threading = { inReplyTo: thread[thread.length - 1], references: thread };
    if (notice.kind === 'auto-resolved') {
      const content = autoResolvedNotice({ language, ticketNumber: t.number, subject: t.subject, days: policy.pendingAutoResolveDays });
      await sendOnTicket(t, `auto-resolved:${t.version}`, Date.parse(t.updatedAt), { to: [t.requester.email], ...content, ...threading, automatic: 'auto-generated', language }, deps);
    } else if (notice.kind === 'survey') {
      const exp = Math.floor(Date.parse(t.survey!.expiresAt) / 1000);
      const ratingUrls = [1, 2, 3, 4, 5].map((r) => `${publicUrl}/survey/${signLink({ purpose: 'survey', ticketId: t.id, exp, data: { r: String(r) } }, mailConfig.replyTokenSecret)}`);
      const content = surveyRequest({ language, ticketNumber: t.number, subject: t.subject, ...(t.requester.name ? { requesterName: t.requester.name } : {}), ratingUrls });
      await sendOnTicket(t, `survey:${t.id}`, Date.parse(t.updatedAt), { to: [t.requester.email], ...content, ...threading, automatic: 'auto-generated', language }, deps);
      metrics.addMetric(metricNames.surveySent, MetricUnit.Count, 1);
    }
  } catch (err) {
    metrics.addMetric(metricNames.lifecycleMailFailed, MetricUnit.Count, 1);
    logger.error('A lifecycle mail was not sent', { ticketId: t.id, notice: notice.kind, error: (err as Error).name });
  }
}

