import { newId } from './ids.ts';
import { clockFor, deadlinesFor, levelDeadline, resumeDeadline } from './sla.ts';
import type { Policy } from './policy.ts';
import type { TriageResult } from './triage.ts';
import { settleTriageReview, triagePlacement } from './triage-report.ts';
import { RuleViolationError } from './errors.ts';

export const statuses = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed'] as const;
export type Status = (typeof statuses)[number];
/** Statuses that still need work: the default queue view. */
export const activeStatuses: readonly Status[] = ['new', 'open', 'pending', 'on_hold'];

export const priorities = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof priorities)[number];
/** Sort rank: urgent first. */
export const priorityRank: Record<Priority, number> = { urgent: 1, high: 2, normal: 3, low: 4 };

export const channels = ['email', 'web', 'phone', 'walk_in', 'chat', 'other'] as const;
export type Channel = (typeof channels)[number];

export const levels = [1, 2, 3] as const;
export type Level = (typeof levels)[number];

/**
 * Legal status changes. `closed` is terminal; a ticket closes only once resolved,
 * so nothing is closed without a resolution being recorded first.
 */
const transitions: Record<Status, readonly Status[]> = {
  new: ['open', 'pending', 'on_hold', 'resolved'],
  open: ['pending', 'on_hold', 'resolved'],
  pending: ['open', 'on_hold', 'resolved'],
  on_hold: ['open', 'pending', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

export function allowedTransitions(from: Status): readonly Status[] {
  return transitions[from];
}

export interface Person {
  email: string;
  name?: string;
}

export interface Actor {
  sub: string;
  email: string;
}

export interface Ticket {
  id: string;
  number: number;
  subject: string;
  status: Status;
  priority: Priority;
  level: Level;
  department: string | null;
  category: string | null;
  tags: string[];
  assignee: string | null;
  requester: Person;
  /** Others on the conversation (CC'd on mail); they may reply to it. */
  participants: string[];
  channel: Channel;
  /** The customer's language when known (from their mail), for what we send them. */
  language: string | null;
  /** Marked as spam on arrival: kept for review, never acknowledged. */
  spam: boolean;
  /**
   * Opened by a mail that failed authentication (DMARC, or both SPF and DKIM):
   * the sender may not be who the From says, so the desk sends that address no
   * automatic mail. An agent's reply still goes out.
   */
  unverified?: boolean;
  /** Opened by an automatic mail (an out-of-office, a notification) that answered no ticket: held in the spam view, out of the queues. */
  automatic?: boolean;
  /** Message-IDs of the mail conversation, oldest first (capped), for In-Reply-To/References. */
  mailThread: string[];
  /** The closed ticket this one continues, when a customer answered it after it closed. */
  followUpOf: string | null;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  firstResponseDueAt: string;
  resolutionDueAt: string;
  firstRespondedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  /** The deadline the queue sorts on: first response until answered, then resolution. */
  dueAt: string | null;
  /** When the current level's budget runs out; the lifecycle escalates then. */
  levelDueAt: string | null;
  /** Set while pending on the customer: every SLA clock is paused since then. */
  slaPausedAt: string | null;
  /** Past pauses (latest 50), so deadlines recomputed later (a new priority) keep their credit. */
  slaPauses: { from: string; to: string }[];
  /** One entry per level budget that ran out. */
  breaches: { level: Level; at: string }[];
  /** What triage decided, kept for the audit and the dispatch queue; null until triaged. */
  triage: TriageRecord | null;
  survey: SurveyState | null;
  /** Fields the agent who recorded the ticket set by hand: triage leaves them alone. */
  presetByAgent: ('priority' | 'category' | 'department')[];
  /** Set when merged into another ticket (no survey then). */
  mergedInto?: string | null;
  /**
   * Bumped by every change that alters the lifecycle's plan (phase, level,
   * level deadline, survey): a timer that fires for an older value knows the
   * ticket moved on, and the API wakes the wait only when it changes.
   */
  lifecycleSeq: number;
  version: number;
}

export interface TriageRecord {
  at: string;
  category: string | null;
  department: string | null;
  priority: Priority;
  confidence: number;
  signals: string[];
  /** Too unsure to route: waits in the level-1 dispatch queue for a person. */
  dispatch: boolean;
  /**
   * Who decided (triage-decision.ts): the rules, the learned model, or nobody
   * (dispatch, with the model's guess as the suggestion). Absent on records
   * written before the model existed: read those as the rules'.
   */
  decidedBy?: 'rules' | 'model' | 'nobody';
  /** Who set the priority. */
  priorityBy?: 'rules' | 'model';
  /** The words that weighed most for the department (at most {@link TRIAGE_WORDS_KEPT}). */
  words?: string[];
  /** The model version consulted; absent when no model was in use (the rules alone). */
  modelVersion?: string;
  /** The confidence the model's department had to reach to route. */
  threshold?: number;
  /** What agents made of it, once per ticket (core/triage-report.ts): the triage report counts it. */
  review?: { verdict: 'confirmed' | 'corrected'; at: string };
}

/** Words kept on a triage record: enough to say why, bounded on the item. */
export const TRIAGE_WORDS_KEPT = 10;

/** What triage hands to the record: the rules' result, and when the model took part, its decision's extra fields. */
export type TriageOutcome = TriageResult & Partial<Pick<TriageRecord, 'decidedBy' | 'priorityBy' | 'words' | 'modelVersion' | 'threshold'>>;

export interface SurveyState {
  sentAt: string;
  /** The last moment a rating is accepted. */
  expiresAt: string;
  rating: 1 | 2 | 3 | 4 | 5 | null;
  ratedAt: string | null;
  comment: string | null;
}

export type MessageKind = 'customer' | 'reply' | 'note';

export interface Message {
  id: string;
  ticketId: string;
  kind: MessageKind;
  /** Notes are internal: never shown or mailed to a customer. */
  public: boolean;
  body: string;
  author: { type: 'agent' | 'customer'; email: string; name?: string };
  createdAt: string;
  /** Present on messages that arrived by mail. */
  mail?: MailDetails;
  /** Files an agent attached (stored in S3). */
  attachments?: { filename: string; contentType: string; size: number; key: string }[];
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface AuditEvent {
  ticketId: string;
  /** The ticket version this event produced: one event per version. */
  version: number;
  at: string;
  actor: Actor;
  action:
    | 'ticket.created'
    | 'ticket.updated'
    | 'message.added'
    | 'mail.received'
    | 'mail.bounced'
    | 'mail.complained'
    | 'ticket.triaged'
    | 'ticket.escalated'
    | 'sla.breached'
    | 'ticket.auto_resolved'
    | 'ticket.closed'
    | 'survey.sent'
    | 'survey.rated'
    /** A requester's personal data was erased from the ticket (GDPR/LGPD); the counts stay. */
    | 'requester.erased';
  changes: FieldChange[];
}

export interface NewTicketInput {
  requester: Person;
  subject: string;
  body: string;
  channel: Channel;
  priority?: Priority;
  category?: string;
  department?: string;
  tags?: string[];
}

/** What a mail brings beyond the basics: its own ids, so redeliveries collapse, and its extras. */
export interface MailOrigin {
  ticketId: string;
  followUpOf?: string;
  messageId: string;
  participants: string[];
  language: string | null;
  spam: boolean;
  mail: MailDetails;
  /** The sender failed authentication (see Ticket.unverified). */
  unverified?: boolean;
  /** The mail was automatic (see Ticket.automatic). */
  automatic?: boolean;
}

/** Mail-specific facts recorded on a message. */
export interface MailDetails {
  messageId: string | null;
  sesMessageId: string;
  /** The full original text, quotes included; `body` holds only the new part. */
  fullText: string;
  html: string | null;
  /** Where the raw MIME is kept: the original, whole, whatever was clipped here. */
  raw: { bucket: string; key: string };
  /** True when fullText or html were clipped to fit a stored message. */
  truncated: boolean;
  attachments: { filename: string; contentType: string; size: number; key: string; inline: boolean; contentId?: string }[];
  verdicts: Record<string, string>;
  /** Sent by a machine (out-of-office, notification): shown as automatic, and it changes nothing on the ticket. */
  automated: boolean;
  /** The sender failed authentication (see Ticket.unverified): on a ticket it joins, it brings in no one. */
  unverified?: boolean;
}

/** Builds a ticket, its first message and its creation event. */
export function openTicket(input: NewTicketInput, number: number, actor: Actor, now: string, policy: Policy, origin?: MailOrigin, triaged?: TriageOutcome) {
  const id = origin?.ticketId ?? newId(Date.parse(now));
  // Triage fills what the agent recording the ticket left open; a ticket too unclear to route keeps no department.
  const priority = input.priority ?? triaged?.priority ?? 'normal';
  const deadlines = deadlinesFor(priority, now, policy);
  const ticket: Ticket = {
    id,
    number,
    subject: input.subject,
    status: 'new',
    priority,
    level: 1,
    department: input.department ?? (triaged && !triaged.dispatch ? triaged.department : null) ?? null,
    category: input.category ?? triaged?.category ?? null,
    tags: normaliseTags(input.tags ?? []),
    assignee: null,
    requester: { ...input.requester, email: normaliseEmail(input.requester.email) },
    participants: origin?.participants ?? [],
    channel: input.channel,
    language: origin?.language ?? null,
    spam: origin?.spam ?? false,
    ...(origin?.unverified ? { unverified: true } : {}),
    ...(origin?.automatic ? { automatic: true } : {}),
    mailThread: origin?.mail.messageId ? [origin.mail.messageId] : [],
    followUpOf: origin?.followUpOf ?? null,
    createdAt: now,
    updatedAt: now,
    createdBy: actor.email,
    ...deadlines,
    firstRespondedAt: null,
    resolvedAt: null,
    closedAt: null,
    dueAt: deadlines.firstResponseDueAt,
    levelDueAt: levelDeadline(1, priority, now, deadlines.resolutionDueAt, policy),
    slaPausedAt: null,
    slaPauses: [],
    breaches: [],
    triage: triaged ? triageRecord(triaged, now) : null,
    survey: null,
    presetByAgent: (['priority', 'category', 'department'] as const).filter((f) => input[f] !== undefined),
    lifecycleSeq: 1,
    version: 1,
  };
  // Recorded by an agent on the customer's behalf: the customer's words, written down.
  const message: Message = {
    id: origin?.messageId ?? newId(Date.parse(now)),
    ticketId: id,
    kind: 'customer',
    public: true,
    body: input.body,
    author: { type: 'customer', email: ticket.requester.email, ...(ticket.requester.name ? { name: ticket.requester.name } : {}) },
    createdAt: now,
    ...(origin ? { mail: origin.mail } : {}),
  };
  const event: AuditEvent = {
    ticketId: id,
    version: 1,
    at: now,
    actor,
    action: 'ticket.created',
    changes: (['subject', 'status', 'priority', 'level', 'department', 'category', 'tags', 'requester', 'channel', 'followUpOf'] as const).map(
      (field) => ({ field, before: null, after: ticket[field] }),
    ),
  };
  return { ticket, message, event };
}

export interface TicketPatch {
  status?: Status;
  priority?: Priority;
  /** Escalation by hand (or handing back): the ticket joins that level's queue. */
  level?: Level;
  category?: string | null;
  department?: string | null;
  assignee?: string | null;
  tags?: string[];
  spam?: boolean;
  /** The people copied on replies besides the requester, as an agent sets them (added or removed). */
  participants?: string[];
  /** The agent accepts triage's suggestion: a dispatch ticket goes where triage suggested; the verdict is recorded. */
  acceptTriage?: boolean;
}

/**
 * Applies an agent's change. Returns the next ticket and what changed, or
 * `changes: []` when the patch changes nothing (no new version is written).
 */
export function updateTicket(ticket: Ticket, patch: TicketPatch, actor: Actor, now: string, policy: Policy) {
  const next: Ticket = { ...ticket };
  const changes: FieldChange[] = [];
  if (ticket.status === 'closed' && Object.keys(patch).some((k) => k !== 'status')) {
    throw new RuleViolationError('ticket_closed', 'A closed ticket cannot be changed');
  }
  const set = <K extends keyof Ticket>(field: K, value: Ticket[K]) => {
    if (JSON.stringify(next[field]) === JSON.stringify(value)) return;
    changes.push({ field, before: next[field], after: value });
    next[field] = value;
  };

  if (patch.status !== undefined && patch.status !== ticket.status) {
    if (!transitions[ticket.status].includes(patch.status)) {
      throw new RuleViolationError(
        'illegal_transition',
        `A ${ticket.status} ticket cannot become ${patch.status}`,
        { from: ticket.status, to: patch.status, allowed: transitions[ticket.status] },
      );
    }
    set('status', patch.status);
  }
  if (patch.priority !== undefined && patch.priority !== ticket.priority) set('priority', patch.priority);
  if (patch.level !== undefined && patch.level !== ticket.level) {
    if (ticket.status === 'resolved' || ticket.status === 'closed') {
      throw new RuleViolationError('ticket_finished', `A ${ticket.status} ticket stays at its level; reopen it first`);
    }
    set('level', patch.level);
    // A new level takes the ticket from its queue: whoever held it at the old level lets go.
    if (patch.assignee === undefined) set('assignee', null);
  }
  if (patch.category !== undefined) set('category', patch.category);
  if (patch.department !== undefined) set('department', patch.department);
  if (patch.assignee !== undefined) set('assignee', patch.assignee === null ? null : normaliseEmail(patch.assignee));
  if (patch.tags !== undefined) set('tags', normaliseTags(patch.tags));
  if (patch.spam !== undefined) set('spam', patch.spam);
  if (patch.participants !== undefined) set('participants', participantList(patch.participants, ticket.requester.email));
  if (patch.acceptTriage) {
    const p = triagePlacement(ticket);
    const target = p ? (p.placed ?? p.suggested) : null;
    if (!target) throw new RuleViolationError('no_triage_suggestion', 'Triage suggested no department for this ticket');
    if (patch.department === undefined) set('department', target);
    settleTriageReview(ticket, next, now, true);
    if (JSON.stringify(next.triage?.review) !== JSON.stringify(ticket.triage?.review)) changes.push({ field: 'triage.review', before: ticket.triage?.review ?? null, after: next.triage?.review ?? null });
  }

  if (changes.length === 0) return { ticket, changes };
  changes.push(...settleClocks(ticket, next, now, policy));
  next.updatedAt = now;
  next.version = ticket.version + 1;
  const escalated = next.level > ticket.level;
  const event: AuditEvent = { ticketId: ticket.id, version: next.version, at: now, actor, action: escalated ? 'ticket.escalated' : 'ticket.updated', changes };
  return { ticket: next, changes, event };
}

export interface NewMessageInput {
  kind: 'reply' | 'note';
  body: string;
  attachments?: Message['attachments'];
}

/** An agent's public reply or internal note, and its effect on the ticket. */
export function addAgentMessage(ticket: Ticket, input: NewMessageInput, actor: Actor, now: string, policy: Policy) {
  if (ticket.status === 'closed' && input.kind === 'reply') {
    throw new RuleViolationError('ticket_closed', 'A closed ticket cannot be replied to; open a follow-up ticket instead');
  }
  const message: Message = {
    id: newId(Date.parse(now)),
    ticketId: ticket.id,
    kind: input.kind,
    public: input.kind === 'reply',
    body: input.body,
    author: { type: 'agent', email: actor.email },
    createdAt: now,
    ...(input.attachments?.length ? { attachments: input.attachments } : {}),
  };
  const next: Ticket = { ...ticket, updatedAt: now, version: ticket.version + 1 };
  const changes: FieldChange[] = [{ field: 'messages', before: null, after: { id: message.id, kind: message.kind } }];
  if (input.kind === 'reply') {
    // An agent answering a new ticket has taken it up.
    if (ticket.status === 'new') {
      next.status = 'open';
      changes.push({ field: 'status', before: 'new', after: 'open' });
    }
    if (!ticket.firstRespondedAt) {
      next.firstRespondedAt = now;
      changes.push({ field: 'firstRespondedAt', before: null, after: now });
    }
  }
  changes.push(...settleClocks(ticket, next, now, policy));
  const event: AuditEvent = { ticketId: ticket.id, version: next.version, at: now, actor, action: 'message.added', changes };
  return { ticket: next, message, event };
}

/**
 * A customer's (or participant's) mail joins the ticket. Waiting on the
 * customer, or resolved, means their answer brings it back to work.
 */
export function addCustomerMail(ticket: Ticket, input: { id: string; from: Person; body: string; at: string; mail: MailDetails; cc: string[] }, actor: Actor, policy: Policy) {
  const message: Message = {
    id: input.id,
    ticketId: ticket.id,
    kind: 'customer',
    public: true,
    body: input.body,
    author: { type: 'customer', email: normaliseEmail(input.from.email), ...(input.from.name ? { name: input.from.name } : {}) },
    createdAt: input.at,
    mail: input.mail,
  };
  // An automatic reply (out-of-office, a notification) joins the conversation and moves nothing:
  // no status, clock, participant or thread change, so the lifecycle has nothing to wake for.
  if (input.mail.automated) {
    const next: Ticket = { ...ticket, updatedAt: input.at, version: ticket.version + 1 };
    const after = { id: message.id, kind: 'customer', from: message.author.email, automatic: true };
    const event: AuditEvent = { ticketId: ticket.id, version: next.version, at: input.at, actor, action: 'mail.received', changes: [{ field: 'messages', before: null, after }] };
    return { ticket: next, message, event };
  }
  const { next, changes } = customerSpoke(ticket, message);
  // Who is on the ticket is decided by the people already on it (or an agent): the requester or a
  // participant brings in whom they CC. Anyone else's mail (a forward to the reply address) joins
  // the conversation, but neither they nor their CCs are copied on later replies. A From that failed
  // authentication may be anyone's, so it counts as no one on the ticket.
  const known = new Set([ticket.requester.email, ...ticket.participants]);
  const vouched = known.has(message.author.email) && !input.mail.unverified;
  const added = vouched ? [...new Set(input.cc.map(normaliseEmail))].filter((e) => !known.has(e)) : [];
  if (added.length) {
    next.participants = [...ticket.participants, ...added].slice(0, MAX_PARTICIPANTS);
    changes.push({ field: 'participants', before: ticket.participants, after: next.participants });
  }
  if (input.mail.messageId) next.mailThread = threadWith(ticket.mailThread ?? [], input.mail.messageId);
  changes.push(...settleClocks(ticket, next, input.at, policy));
  const event: AuditEvent = { ticketId: ticket.id, version: next.version, at: input.at, actor, action: 'mail.received', changes };
  return { ticket: next, message, event };
}

/**
 * The requester's message from the ticket status page (the signed link in our
 * mail): the same effects as their mail — waiting on them, or resolved, brings
 * the ticket back to work. A closed ticket takes no more messages: a reply by
 * mail opens a follow-up instead.
 */
export function addCustomerMessage(ticket: Ticket, input: { body: string; at: string }, actor: Actor, policy: Policy) {
  if (ticket.status === 'closed') {
    throw new RuleViolationError('ticket_closed', 'A closed ticket takes no more messages; a reply by mail opens a follow-up ticket');
  }
  const message: Message = {
    id: newId(Date.parse(input.at)),
    ticketId: ticket.id,
    kind: 'customer',
    public: true,
    body: input.body,
    author: { type: 'customer', email: ticket.requester.email, ...(ticket.requester.name ? { name: ticket.requester.name } : {}) },
    createdAt: input.at,
  };
  const { next, changes } = customerSpoke(ticket, message);
  changes.push(...settleClocks(ticket, next, input.at, policy));
  const event: AuditEvent = { ticketId: ticket.id, version: next.version, at: input.at, actor, action: 'message.added', changes };
  return { ticket: next, message, event };
}

/**
 * What a customer's message does to the ticket, whatever the channel: a new
 * version, and a ticket waiting on them (pending) or resolved goes back to work.
 */
function customerSpoke(ticket: Ticket, message: Message): { next: Ticket; changes: FieldChange[] } {
  const next: Ticket = { ...ticket, updatedAt: message.createdAt, version: ticket.version + 1 };
  const changes: FieldChange[] = [{ field: 'messages', before: null, after: { id: message.id, kind: 'customer', from: message.author.email } }];
  if (ticket.status === 'pending' || ticket.status === 'resolved') {
    next.status = 'open';
    changes.push({ field: 'status', before: ticket.status, after: 'open' });
  }
  return { next, changes };
}

/**
 * A delivery failure report (bounce) for mail we sent: recorded on the trail, status unchanged.
 * From a bounce mail (DSN) or from SES event publishing, which also says whether it is
 * permanent or transient.
 */
export function recordBounce(
  ticket: Ticket,
  bounce: { recipient?: string; status?: string | null; action?: string | null; bounceType?: 'permanent' | 'transient' | 'undetermined'; diagnostic?: string | null; sesMessageId?: string },
  at: string,
  actor: Actor,
) {
  const next: Ticket = { ...ticket, updatedAt: at, version: ticket.version + 1 };
  const after: Record<string, unknown> = { recipient: bounce.recipient ?? null, status: bounce.status ?? null, action: bounce.action ?? null };
  if (bounce.bounceType !== undefined) after.bounceType = bounce.bounceType;
  if (bounce.diagnostic != null) after.diagnostic = bounce.diagnostic;
  if (bounce.sesMessageId !== undefined) after.sesMessageId = bounce.sesMessageId;
  const event: AuditEvent = { ticketId: ticket.id, version: next.version, at, actor, action: 'mail.bounced', changes: [{ field: 'delivery', before: null, after }] };
  return { ticket: next, event };
}

/** A recipient marked mail we sent as spam (SES complaint): recorded on the trail, status unchanged. */
export function recordComplaint(ticket: Ticket, complaint: { recipient: string; feedbackType: string | null; sesMessageId: string }, at: string, actor: Actor) {
  const next: Ticket = { ...ticket, updatedAt: at, version: ticket.version + 1 };
  const event: AuditEvent = {
    ticketId: ticket.id,
    version: next.version,
    at,
    actor,
    action: 'mail.complained',
    changes: [{ field: 'delivery', before: null, after: { recipient: complaint.recipient, feedbackType: complaint.feedbackType, sesMessageId: complaint.sesMessageId } }],
  };
  return { ticket: next, event };
}

const MAX_PARTICIPANTS = 50;
const MAX_THREAD_IDS = 20;

/** Keeps the first id (the thread's root) and the most recent ones. */
export function threadWith(thread: string[], id: string): string[] {
  if (thread.includes(id)) return thread;
  const all = [...thread, id];
  return all.length <= MAX_THREAD_IDS ? all : [all[0]!, ...all.slice(-(MAX_THREAD_IDS - 1))];
}

export function triageRecord(r: TriageOutcome, at: string): TriageRecord {
  const record: TriageRecord = { at, category: r.category, department: r.department, priority: r.priority, confidence: r.confidence, signals: r.signals.slice(0, 20), dispatch: r.dispatch };
  if (r.decidedBy) record.decidedBy = r.decidedBy;
  if (r.priorityBy) record.priorityBy = r.priorityBy;
  if (r.words) record.words = r.words.slice(0, TRIAGE_WORDS_KEPT).map((w) => w.slice(0, 40));
  if (r.modelVersion) record.modelVersion = r.modelVersion;
  if (r.threshold !== undefined) record.threshold = r.threshold;
  return record;
}

/** Which deadline the queue should sort on now. Finished and paused tickets have none. */
function currentDue(t: Ticket): string | null {
  if (t.status === 'resolved' || t.status === 'closed' || t.status === 'pending') return null;
  return t.firstRespondedAt ? t.resolutionDueAt : t.firstResponseDueAt;
}

const isActive = (s: Status) => s !== 'pending' && s !== 'resolved' && s !== 'closed';
/** The lifecycle's view of a status: new, open and on hold all wait on an agent. */
const phaseOf = (t: Ticket) => (t.spam ? 'spam' : isActive(t.status) ? 'working' : t.status);

/**
 * The clock rules every change goes through, so no path can forget one:
 * pending pauses the SLA clocks and leaving pending resumes them with the time
 * that was left; a new level, or a reopened ticket, starts that level's budget;
 * a new priority recomputes the deadlines on its own clock. Returns the
 * deadline changes for the audit trail, and bumps `lifecycleSeq` when the
 * lifecycle has something new to wait on.
 */
export function settleClocks(before: Ticket, next: Ticket, now: string, policy: Policy): FieldChange[] {
  const changes: FieldChange[] = [];
  const set = <K extends keyof Ticket>(field: K, value: Ticket[K]) => {
    if (JSON.stringify(next[field]) === JSON.stringify(value)) return;
    changes.push({ field, before: next[field], after: value });
    next[field] = value;
  };
  const clock = clockFor(next.priority, policy);
  // A budget set while paused counts from the pause: resuming shifts it by the paused time.
  const clockNow = () => next.slaPausedAt ?? now;

  if (next.priority !== before.priority) {
    // The new targets from the start, with credit for every pause so far.
    let { firstResponseDueAt, resolutionDueAt } = deadlinesFor(next.priority, next.createdAt, policy);
    for (const p of next.slaPauses ?? []) {
      firstResponseDueAt = resumeDeadline(firstResponseDueAt, p.from, p.to, clock);
      resolutionDueAt = resumeDeadline(resolutionDueAt, p.from, p.to, clock);
    }
    set('firstResponseDueAt', firstResponseDueAt);
    set('resolutionDueAt', resolutionDueAt);
    set('levelDueAt', levelDeadline(next.level, next.priority, clockNow(), resolutionDueAt, policy));
  }
  if (next.status !== before.status) {
    if (next.status === 'pending') set('slaPausedAt', now);
    if (before.status === 'pending' && before.slaPausedAt) {
      const paused = before.slaPausedAt;
      if (!next.firstRespondedAt) set('firstResponseDueAt', resumeDeadline(next.firstResponseDueAt, paused, now, clock));
      set('resolutionDueAt', resumeDeadline(next.resolutionDueAt, paused, now, clock));
      if (next.levelDueAt) set('levelDueAt', resumeDeadline(next.levelDueAt, paused, now, clock));
      set('slaPausedAt', null);
      next.slaPauses = [...(next.slaPauses ?? []), { from: paused, to: now }].slice(-50);
    }
    if (next.status === 'resolved') set('resolvedAt', now);
    if (next.status === 'closed') set('closedAt', now);
    // Reopened: back at the level where it was, with that level's budget afresh.
    if (before.status === 'resolved' && isActive(next.status)) {
      set('resolvedAt', null);
      set('survey', null);
      set('levelDueAt', levelDeadline(next.level, next.priority, now, next.resolutionDueAt, policy));
    }
  }
  if (next.level !== before.level) set('levelDueAt', levelDeadline(next.level, next.priority, clockNow(), next.resolutionDueAt, policy));
  set('dueAt', currentDue(next));

  // Only what changes the lifecycle's plan wakes it: a first reply (new → open) does not.
  const moved =
    phaseOf(before) !== phaseOf(next) || before.level !== next.level || before.levelDueAt !== next.levelDueAt || JSON.stringify(before.survey) !== JSON.stringify(next.survey);
  if (moved) next.lifecycleSeq = (before.lifecycleSeq ?? 0) + 1;
  // Not a clock, but a rule every change must meet too: what agents made of triage's decision.
  settleTriageReview(before, next, now);
  return changes;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Participants as stored: normalised, each once, never the requester (always mailed), at most 50. */
export function participantList(emails: string[], requester: string): string[] {
  const me = normaliseEmail(requester);
  return [...new Set(emails.map(normaliseEmail))].filter((e) => e && e !== me).slice(0, MAX_PARTICIPANTS);
}

export function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()))].sort();
}
