import type { Policy } from './policy.ts';
import { settleClocks, triageRecord, type Actor, type AuditEvent, type FieldChange, type Level, type Ticket, type TriageOutcome } from './ticket.ts';
import { triage } from './triage.ts';
import { decideTriage, type LearnedTriage } from './triage-decision.ts';
import { predictTriage, type PreparedTriageModel } from './triage-model.ts';
import { RuleViolationError } from './errors.ts';
import { levelDeadline } from './sla.ts';
import { mayMailAutomatically } from './mail/authentication.ts';

/**
 * The ticket lifecycle's decisions, free of AWS: the state machine
 * (state-machines/ticket-lifecycle.asl.json) only times waits and calls these
 * through the lifecycle Lambda. The ticket item stays the source of truth, so
 * an execution started again after a restart finds its place from the ticket.
 */

export type Phase = 'working' | 'pending' | 'resolved' | 'surveying' | 'done';

/** What the state machine needs to choose its next wait. */
export interface Plan {
  ticketId: string;
  phase: Phase;
  /** The ticket's lifecycleSeq when planned: a timer for an older value is stale. */
  seq: number;
  /** How long the wait may last; Step Functions needs a whole number of at least 1. */
  timeoutSeconds: number;
}

/** Who the audit trail names for what the lifecycle does on its own. */
export const lifecycleActor: Actor = { sub: 'lifecycle', email: 'lifecycle' };

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Step Functions waits up to a year; a longer wait would fail the execution. */
const MAX_WAIT_SECONDS = 300 * 24 * 3600;

const secondsUntil = (iso: string, now: string) => Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil((Date.parse(iso) - Date.parse(now)) / 1000)));
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export function plan(ticket: Ticket, policy: Policy, now: string): Plan {
  const base = { ticketId: ticket.id, seq: ticket.lifecycleSeq ?? 0 };
  if (ticket.spam || ticket.status === 'closed') return { ...base, phase: 'done', timeoutSeconds: 1 };
  if (ticket.status === 'pending') {
    return { ...base, phase: 'pending', timeoutSeconds: secondsUntil(plus(ticket.slaPausedAt ?? now, policy.pendingAutoResolveDays * DAY), now) };
  }
  if (ticket.status === 'resolved') {
    const survey = ticket.survey;
    if (!survey) return { ...base, phase: 'resolved', timeoutSeconds: secondsUntil(plus(ticket.resolvedAt ?? now, policy.surveyDelayHours * HOUR), now) };
    // Answered: the plan step closes it before planning again (see needsClosing).
    if (survey.rating !== null) return { ...base, phase: 'done', timeoutSeconds: 1 };
    return { ...base, phase: 'surveying', timeoutSeconds: secondsUntil(survey.expiresAt, now) };
  }
  return { ...base, phase: 'working', timeoutSeconds: secondsUntil(ticket.levelDueAt ?? now, now) };
}

/** A resolved ticket whose survey has been answered closes: nothing is left to wait for. */
export function needsClosing(ticket: Ticket): boolean {
  return ticket.status === 'resolved' && ticket.survey?.rating != null;
}

/** A change made by the lifecycle, with its audit event and what to tell whom. */
export interface LifecycleChange {
  ticket: Ticket;
  event: AuditEvent;
  notify?: Notice;
}

export type Notice =
  | { kind: 'level-breached'; toLevel: Level; fromLevel: Level }
  | { kind: 'level3-breached' }
  | { kind: 'auto-resolved' }
  | { kind: 'survey' };

/** Runs the clock rules over a change, versions it and writes its audit event. */
function finish(before: Ticket, next: Ticket, now: string, policy: Policy, action: AuditEvent['action'], extra: FieldChange[], notify?: Notice): LifecycleChange {
  const changes = [...extra, ...settleClocks(before, next, now, policy)];
  next.updatedAt = now;
  next.version = before.version + 1;
  const event: AuditEvent = { ticketId: before.id, version: next.version, at: now, actor: lifecycleActor, action, changes };
  return { ticket: next, event, ...(notify ? { notify } : {}) };
}

/**
 * Applies triage to a new ticket. What an agent set by hand when recording it
 * stays; triage fills the rest. A ticket too unclear to route keeps no
 * department, which puts it in the level-1 dispatch queue for a person.
 */
export function applyTriage(ticket: Ticket, result: TriageOutcome, now: string, policy: Policy): LifecycleChange {
  const next: Ticket = { ...ticket };
  const extra: FieldChange[] = [];
  const set = <K extends keyof Ticket>(field: K, value: Ticket[K]) => {
    if (JSON.stringify(next[field]) === JSON.stringify(value)) return;
    extra.push({ field, before: next[field], after: value });
    next[field] = value;
  };
  const preset = new Set(ticket.presetByAgent ?? []);
  if (!preset.has('category') && result.category) set('category', result.category);
  if (!preset.has('department') && !result.dispatch && result.department) set('department', result.department);
  if (!preset.has('priority')) set('priority', result.priority);
  set('triage', triageRecord(result, now));
  return finish(ticket, next, now, policy, 'ticket.triaged', extra);
}

/** Round-robin: the ticket goes to the agent whose turn it is. */
export function assign(ticket: Ticket, assignee: string, now: string, policy: Policy): LifecycleChange {
  return finish(ticket, { ...ticket, assignee }, now, policy, 'ticket.updated', [{ field: 'assignee', before: ticket.assignee, after: assignee }]);
}

/**
 * A level's budget ran out: an SLA breach. Levels 1 and 2 hand the ticket up,
 * unassigned, to the next level's queue. Level 3 has nobody above it: the
 * admins are alerted and level 3 gets a fresh budget, so the next alert comes
 * one budget later rather than in a loop.
 */
export function breachLevel(ticket: Ticket, now: string, policy: Policy): LifecycleChange {
  const next: Ticket = { ...ticket, breaches: [...(ticket.breaches ?? []), { level: ticket.level, at: now }].slice(-20) };
  const extra: FieldChange[] = [{ field: 'breaches', before: null, after: { level: ticket.level, at: now, dueAt: ticket.levelDueAt } }];
  if (ticket.level < 3) {
    const toLevel = (ticket.level + 1) as Level;
    next.level = toLevel;
    extra.push({ field: 'level', before: ticket.level, after: toLevel });
    if (ticket.assignee) {
      next.assignee = null;
      extra.push({ field: 'assignee', before: ticket.assignee, after: null });
    }
    return finish(ticket, next, now, policy, 'sla.breached', extra, { kind: 'level-breached', fromLevel: ticket.level, toLevel });
  }
  // Nobody above level 3: it starts its budget again (settleClocks does that only on a level change).
  next.levelDueAt = levelDeadline(3, ticket.priority, now, ticket.resolutionDueAt, policy);
  extra.push({ field: 'levelDueAt', before: ticket.levelDueAt, after: next.levelDueAt });
  const result = finish(ticket, next, now, policy, 'sla.breached', extra, { kind: 'level3-breached' });
  // A fresh budget is something new to wait on, though no watched field moved.
  result.ticket.lifecycleSeq = (ticket.lifecycleSeq ?? 0) + 1;
  return result;
}

/** Pending too long: resolved on the customer's silence, and they are told. */
export function autoResolve(ticket: Ticket, now: string, policy: Policy): LifecycleChange {
  const next: Ticket = { ...ticket, status: 'resolved' };
  return finish(ticket, next, now, policy, 'ticket.auto_resolved', [{ field: 'status', before: ticket.status, after: 'resolved' }], { kind: 'auto-resolved' });
}

/**
 * Who gets a survey: a real customer conversation. Spam, merged tickets,
 * tickets no agent ever answered in public and tickets from an unverified
 * sender (the survey is an automatic mail) are closed without one.
 */
export function surveyEligible(ticket: Ticket): boolean {
  return !ticket.spam && !ticket.mergedInto && Boolean(ticket.firstRespondedAt) && mayMailAutomatically(ticket);
}

/** The survey is due: sent when eligible, otherwise the ticket simply closes. */
export function surveyDue(ticket: Ticket, now: string, policy: Policy): LifecycleChange {
  if (!surveyEligible(ticket)) return close(ticket, now, policy);
  const survey = { sentAt: now, expiresAt: plus(now, policy.surveyWindowDays * DAY), rating: null, ratedAt: null, comment: null };
  const next: Ticket = { ...ticket, survey };
  return finish(ticket, next, now, policy, 'survey.sent', [{ field: 'survey', before: null, after: { sentAt: now, expiresAt: survey.expiresAt } }], { kind: 'survey' });
}

export function close(ticket: Ticket, now: string, policy: Policy): LifecycleChange {
  const next: Ticket = { ...ticket, status: 'closed' };
  return finish(ticket, next, now, policy, 'ticket.closed', [{ field: 'status', before: ticket.status, after: 'closed' }]);
}

export type Rating = 1 | 2 | 3 | 4 | 5;

/**
 * The customer's rating, from a survey link. One rating per ticket: a later
 * click within the window replaces it (and says so), even once the ticket has closed.
 */
export function recordRating(ticket: Ticket, rating: Rating, comment: string | null | undefined, now: string, policy: Policy): LifecycleChange & { previous: Rating | null } {
  const survey = ticket.survey;
  if (!survey) throw new RuleViolationError('no_survey', 'This ticket has no survey');
  if (Date.parse(now) > Date.parse(survey.expiresAt)) throw new RuleViolationError('survey_closed', 'The survey window for this ticket has ended');
  const nextSurvey = { ...survey, rating, ratedAt: now, comment: comment === undefined ? survey.comment : comment };
  const next: Ticket = { ...ticket, survey: nextSurvey };
  const extra = [{ field: 'survey', before: { rating: survey.rating }, after: { rating, comment: nextSurvey.comment !== survey.comment ? 'updated' : undefined } }];
  return { ...finish(ticket, next, now, policy, 'survey.rated', extra), previous: survey.rating };
}

/**
 * Triage for a ticket about to be opened. A department the rules name but the
 * desk does not have (yet) is dropped: the ticket then goes to dispatch.
 */
export async function triageNew(
  input: { subject: string; body: string; requesterEmail: string },
  policy: Policy,
  knownDepartment: (id: string) => Promise<boolean>,
  model?: TriageModelInUse | null,
): Promise<TriageOutcome> {
  const rules = triage(input, policy.triage);
  let learned: LearnedTriage | null = null;
  if (model) {
    try {
      const prediction = predictTriage(model.prepared, { subject: input.subject, body: input.body });
      learned = { examples: model.prepared.model.examples, recommendedThreshold: model.prepared.model.metrics?.recommendedThreshold ?? null, prediction };
    } catch (err) {
      // A model that cannot predict never fails a ticket: the rules decide, and the caller logs it.
      model.failed?.(err);
    }
  }
  const decided = decideTriage(rules, learned, policy.triageModel);
  const result: TriageOutcome = learned && model ? { ...decided, modelVersion: model.version } : decided;
  if (result.department && !(await knownDepartment(result.department))) return { ...result, department: null, dispatch: true };
  return result;
}

/** The learned model a triage may consult (functions/app/triage-model-loader.ts loads it). */
export interface TriageModelInUse {
  prepared: PreparedTriageModel;
  version: string;
  /** Told when the model throws on a ticket (it is then left out of that decision). */
  failed?(err: unknown): void;
}

/** Next agent in turn among those who can take the ticket; `turn` is an ever-growing counter. */
export function roundRobinPick(candidates: string[], turn: number): string | null {
  if (candidates.length === 0) return null;
  if (!Number.isSafeInteger(turn)) turn = 0;
  const sorted = [...candidates].sort();
  return sorted[((turn % sorted.length) + sorted.length) % sorted.length]!;
}

/** The Cognito group that makes an agent work at a level. */
export const levelGroup = (level: Level) => `agents-l${level}`;
