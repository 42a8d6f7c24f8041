import { logger } from '#shared/logger';
import { metricNames } from '#definitions/metrics';
import { reportCounters } from '#adapters/report-store';
import type { TicketStore } from '#adapters/ticket-store';
import type { Agent } from '#adapters/agent-store';
import { breachRecipients } from '#core/access';
import { isActive } from '#core/admin';
import { signLink } from '#core/signed-link';
import { mayMailAutomatically } from '#core/mail/authentication';
import { autoResolvedNotice, escalationNotice, pickLanguage, surveyRequest, type Language } from '#core/mail/templates';
import { applyTriage, assign, autoResolve, triageNew, breachLevel, close, levelGroup, needsClosing, plan, roundRobinPick, surveyDue, type LifecycleChange, type Phase, type Plan } from '#core/lifecycle';
import type { Level, Ticket } from '#core/ticket';
import type { Policy } from '#core/policy';
import { changeCounts } from '#core/report';
import { NotFoundError } from '#core/errors';
import { sendOnTicket, type TicketMailDeps } from './send-reply.ts';

/**
 * One Lambda step of the ticket lifecycle: triage a new ticket, act on a
 * timer (an SLA breach, an automatic resolution, the survey, the closing),
 * then plan: the phase the ticket is in and how long the state machine waits.
 * Changes go through the same conditional writes as the API; what a change
 * calls for is mailed, and a failed mail never undoes it.
 */
export type LifecycleStep =
  | { action: 'triage' | 'plan'; ticketId: string }
  | { action: 'level-timeout' | 'pending-timeout' | 'survey-due' | 'survey-timeout'; ticketId: string; seq: number };

export interface LifecycleDeps {
  tickets: Pick<TicketStore, 'getTicket' | 'getThread' | 'applyChange' | 'indexNewTicket'>;
  /** Whether a department exists: triage routes only to one that does. */
  knownDepartment(id: string): Promise<boolean>;
  listAgents(): Promise<Agent[]>;
  /** The next round-robin turn for a name (`<department>#<level>`). */
  nextTurn(name: string): Promise<number>;
  /** The restricted departments: breach mail goes only to agents who may see the ticket. */
  restricted(): Promise<string[]>;
  /** Absent when mail is off: the lifecycle then runs silently. */
  mail?: TicketMailDeps & { config: { defaultLanguage: Language }; publicUrl: string } | undefined;
  /** Adds to a metric (lib/definitions/metrics.ts). */
  count(metric: string): void;
  policy: Policy;
}

/** Each timer belongs to one phase; it acts only if the ticket is still where the timer left it. */
const timers: Record<string, { phase: Phase; act: (t: Ticket, now: string, policy: Policy) => LifecycleChange }> = {
  'level-timeout': { phase: 'working', act: breachLevel },
  'pending-timeout': { phase: 'pending', act: autoResolve },
  'survey-due': { phase: 'resolved', act: surveyDue },
  'survey-timeout': { phase: 'surveying', act: close },
};

/** A lifecycle change with the report counters it moves (an automatic resolution's SLA), written with it. */
const withCounters = (before: Ticket, change: LifecycleChange) => ({ ...change, counters: reportCounters(changeCounts(before, change.ticket)) });

export async function lifecycleStep(step: LifecycleStep, now: string, deps: LifecycleDeps): Promise<Plan> {
  const { tickets, policy } = deps;
  if (step.action === 'triage') await triageTicket(step.ticketId, now, deps);
  if ('seq' in step) {
    const timer = timers[step.action]!;
    // A timer for an older state of the ticket (it moved on while the timer ran) changes nothing.
    const done = await tickets
      .applyChange(step.ticketId, (t) => ((t.lifecycleSeq ?? 0) === step.seq && plan(t, policy, now).phase === timer.phase ? withCounters(t, timer.act(t, now, policy)) : undefined))
      // Gone (erased) while the timer ran: the plan below ends the execution.
      .catch((err: unknown) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
    if (done) await announce(done, deps);
  }
  let ticket = await tickets.getTicket(step.ticketId);
  // Erased (data protection) or never written: nothing left to time.
  if (!ticket) return { ticketId: step.ticketId, phase: 'done', seq: 0, timeoutSeconds: 1 };
  if (needsClosing(ticket)) ticket = (await tickets.applyChange(ticket.id, (t) => (needsClosing(t) ? close(t, now, policy) : undefined)))?.ticket ?? ticket;
  return plan(ticket, policy, now);
}

/**
 * Triage normally happens as the ticket is opened (the API and mail answer
 * with a triaged ticket); this step covers tickets opened without it, and
 * does what needs the agent list: round-robin assignment.
 */
async function triageTicket(ticketId: string, now: string, deps: LifecycleDeps) {
  const { tickets, policy } = deps;
  let current = await tickets.getTicket(ticketId);
  if (!current) return;
  // The first step of the ticket's one execution, whatever the channel: one count per ticket (spam included).
  deps.count(metricNames.ticketCreated);
  if (current.spam) return;
  if (!current.triage) {
    const thread = await tickets.getThread(ticketId);
    const result = await triageNew({ subject: current.subject, body: thread?.messages[0]?.body ?? '', requesterEmail: current.requester.email }, policy, (id) => deps.knownDepartment(id));
    // Undefined: another step triaged it first; read what it wrote.
    current = (await tickets.applyChange(ticketId, (t) => (t.triage ? undefined : applyTriage(t, result, now, policy))))?.ticket ?? (await tickets.getTicket(ticketId))!;
    if (result.dispatch) deps.count(metricNames.triageDispatched);
  }
  // Search words and creation counts, once, with the category triage settled on.
  await tickets.indexNewTicket(current);
  if (current.assignee || !current.department || !policy.roundRobin.includes(current.department)) return;
  const assignee = await nextAgent(current.department, current.level, deps);
  if (assignee) await tickets.applyChange(ticketId, (t) => (t.assignee ? undefined : assign(t, assignee, now, policy)));
}

async function nextAgent(department: string, level: Level, deps: LifecycleDeps): Promise<string | null> {
  const candidates = (await deps.listAgents()).filter((a) => isActive(a) && a.departments.includes(department) && a.groups.includes(levelGroup(level)));
  if (candidates.length === 0) return null;
  return roundRobinPick(
    candidates.map((a) => a.email),
    await deps.nextTurn(`${department}#${level}`),
  );
}

/** What a lifecycle change tells people. A failed mail is logged, never undoes the change. */
async function announce(change: LifecycleChange, deps: LifecycleDeps) {
  const notice = change.notify;
  if (notice && (notice.kind === 'level-breached' || notice.kind === 'level3-breached')) deps.count(metricNames.slaBreached);
  const { mail, policy } = deps;
  if (!notice || !mail) return;
  const mailConfig = mail.config;
  const t = change.ticket;
  try {
    if (notice.kind === 'level-breached' || notice.kind === 'level3-breached') {
      const [agents, restricted] = await Promise.all([deps.listAgents(), deps.restricted()]);
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
      await mail.send({
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
      await sendOnTicket(t, `auto-resolved:${t.version}`, Date.parse(t.updatedAt), { to: [t.requester.email], ...content, ...threading, automatic: 'auto-generated', language }, mail);
    } else if (notice.kind === 'survey') {
      const exp = Math.floor(Date.parse(t.survey!.expiresAt) / 1000);
      const ratingUrls = [1, 2, 3, 4, 5].map((r) => `${mail.publicUrl}/survey/${signLink({ purpose: 'survey', ticketId: t.id, exp, data: { r: String(r) } }, mailConfig.replyTokenSecret)}`);
      const content = surveyRequest({ language, ticketNumber: t.number, subject: t.subject, ...(t.requester.name ? { requesterName: t.requester.name } : {}), ratingUrls });
      await sendOnTicket(t, `survey:${t.id}`, Date.parse(t.updatedAt), { to: [t.requester.email], ...content, ...threading, automatic: 'auto-generated', language }, mail);
      deps.count(metricNames.surveySent);
    }
  } catch (err) {
    deps.count(metricNames.lifecycleMailFailed);
    logger.error('A lifecycle mail was not sent', { ticketId: t.id, notice: notice.kind, error: (err as Error).name });
  }
}
