import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applyTriage,
  assign,
  autoResolve,
  breachLevel,
  close,
  levelGroup,
  lifecycleActor,
  needsClosing,
  plan,
  recordRating,
  roundRobinPick,
  surveyDue,
  surveyEligible,
  triageNew,
} from '../../functions/core/lifecycle.ts';
import {
  addAgentMessage,
  addCustomerMail,
  openTicket,
  updateTicket,
  type Actor,
  type MailDetails,
  type NewTicketInput,
  type Ticket,
} from '../../functions/core/ticket.ts';
import { defaultPolicy, type Policy } from '../../functions/core/policy.ts';
import { RuleViolationError } from '../../functions/core/errors.ts';
import { deadlinesFor, levelDeadline, resumeDeadline } from '../../functions/core/sla.ts';
import { addBusinessMinutes, ALWAYS_OPEN, brazilCalendar, businessMinutesBetween } from '../../functions/core/business-hours.ts';
import type { TriageResult } from '../../functions/core/triage.ts';

// ---------------------------------------------------------------------------
// Fixtures: fixed instants only, nothing reads the clock.

/** Every clock 24×7: plain arithmetic for the tests that are not about calendars. */
const allDay: Policy = { ...defaultPolicy, alwaysOpenPriorities: ['urgent', 'high', 'normal', 'low'] };
/** The shipped default: São Paulo business hours, urgent 24×7. */
const biz: Policy = defaultPolicy;

const agent: Actor = { sub: 'sub-agent', email: 'l1@helpdesk.local' };
const customer: Actor = { sub: 'mail', email: 'mail' };

const T0 = '2026-03-02T12:00:00.000Z'; // a Monday
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** T0 plus a number of hours (fractions allowed). */
const at = (hours: number, from = T0) => new Date(Date.parse(from) + hours * HOUR).toISOString();
/** A São Paulo wall time (UTC-3 all year since 2019) as a UTC ISO instant. */
const sp = (local: string) => new Date(`${local}-03:00`).toISOString();
const seconds = (fromIso: string, toIso: string) => (Date.parse(toIso) - Date.parse(fromIso)) / 1000;

function open(policy: Policy = allDay, now = T0, extra: Partial<NewTicketInput> = {}): Ticket {
  return openTicket({ requester: { email: 'ana@example.com', name: 'Ana' }, subject: 'Help', body: 'Please', channel: 'web', ...extra }, 7, agent, now, policy).ticket;
}

const mailDetails: MailDetails = {
  messageId: null,
  sesMessageId: 'ses-1',
  fullText: 'text',
  html: null,
  raw: { bucket: 'raw', key: 'k' },
  truncated: false,
  attachments: [],
  verdicts: {},
  automated: false,
};
const customerMail = (t: Ticket, now: string, policy: Policy = allDay) =>
  addCustomerMail(t, { id: `msg-${now}`, from: { email: 'ana@example.com' }, body: 'Any news?', at: now, mail: mailDetails, cc: [] }, customer, policy);
const reply = (t: Ticket, now: string, policy: Policy = allDay) => addAgentMessage(t, { kind: 'reply', body: 'On it' }, agent, now, policy).ticket;
const patch = (t: Ticket, p: Parameters<typeof updateTicket>[1], now: string, policy: Policy = allDay) => {
  const r = updateTicket(t, p, agent, now, policy);
  if (!r.event) throw new Error('expected a change');
  return r;
};

/** A ticket answered once and resolved at `resolvedAt`. */
function resolvedTicket(resolvedAt = at(2), policy: Policy = allDay): Ticket {
  return patch(reply(open(policy), at(0.5), policy), { status: 'resolved' }, resolvedAt, policy).ticket;
}

/** Resolved, then its survey sent at `sentAt`. */
function surveyedTicket(sentAt = at(26)): Ticket {
  return surveyDue(resolvedTicket(), sentAt, allDay).ticket;
}

function thrown(fn: () => unknown): RuleViolationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RuleViolationError);
    return err as RuleViolationError;
  }
  throw new Error('expected a RuleViolationError');
}

const MAX_WAIT_SECONDS = 300 * 24 * 3600;

// ---------------------------------------------------------------------------

describe('plan', () => {
  it('new, open and on_hold tickets are working, waiting until the level deadline', () => {
    const t = open();
    expect(plan(t, allDay, at(0.25))).toEqual({ ticketId: t.id, phase: 'working', seq: 1, timeoutSeconds: 45 * 60 });
    const opened = reply(t, at(0.25));
    expect(opened.status).toBe('open');
    expect(plan(opened, allDay, at(0.5))).toMatchObject({ phase: 'working', timeoutSeconds: 30 * 60 });
    const held = patch(opened, { status: 'on_hold' }, at(0.5)).ticket;
    expect(plan(held, allDay, at(0.5))).toMatchObject({ phase: 'working', seq: held.lifecycleSeq, timeoutSeconds: seconds(at(0.5), held.levelDueAt!) });
  });

  it('pending waits until pendingAutoResolveDays after the pause', () => {
    const t = patch(open(), { status: 'pending' }, at(1)).ticket;
    expect(t.slaPausedAt).toBe(at(1));
    expect(plan(t, allDay, at(1))).toMatchObject({ phase: 'pending', seq: t.lifecycleSeq, timeoutSeconds: 7 * 86400 });
    expect(plan(t, allDay, at(25))).toMatchObject({ phase: 'pending', timeoutSeconds: 6 * 86400 });
  });

  it('resolved without a survey waits surveyDelayHours after resolution (the reopen window)', () => {
    const t = resolvedTicket(at(2));
    expect(plan(t, allDay, at(2))).toMatchObject({ phase: 'resolved', timeoutSeconds: 24 * 3600 });
    expect(plan(t, allDay, at(20))).toMatchObject({ phase: 'resolved', timeoutSeconds: 6 * 3600 });
  });

  it('resolved with an unanswered survey is surveying until the survey expires', () => {
    const t = surveyedTicket(at(26));
    expect(t.survey?.expiresAt).toBe(at(26 + 7 * 24));
    expect(plan(t, allDay, at(26))).toMatchObject({ phase: 'surveying', seq: t.lifecycleSeq, timeoutSeconds: 7 * 86400 });
  });

  it('a rated survey, a closed ticket and a spam ticket are done', () => {
    const rated = recordRating(surveyedTicket(), 5, null, at(30), allDay).ticket;
    expect(plan(rated, allDay, at(30))).toMatchObject({ phase: 'done', timeoutSeconds: 1 });
    const closed = close(resolvedTicket(), at(30), allDay).ticket;
    expect(plan(closed, allDay, at(30))).toMatchObject({ phase: 'done', timeoutSeconds: 1 });
    const spam = patch(open(), { spam: true }, at(0.1)).ticket;
    expect(plan(spam, allDay, at(0.1))).toMatchObject({ phase: 'done', timeoutSeconds: 1 });
  });

  it('a deadline already passed waits 1 second, never 0 or less', () => {
    const t = open();
    expect(plan(t, allDay, at(5)).timeoutSeconds).toBe(1);
    expect(plan(t, allDay, t.levelDueAt!).timeoutSeconds).toBe(1);
    const surveyed = surveyedTicket();
    expect(plan(surveyed, allDay, at(1000)).timeoutSeconds).toBe(1);
  });

  it('rounds a fractional wait up to a whole second', () => {
    const t = open();
    const p = plan(t, allDay, new Date(Date.parse(t.levelDueAt!) - 1500).toISOString());
    expect(p.timeoutSeconds).toBe(2);
    expect(plan(t, allDay, new Date(Date.parse(t.levelDueAt!) - 1).toISOString()).timeoutSeconds).toBe(1);
  });

  it('caps a very long wait at what Step Functions accepts', () => {
    const patient: Policy = { ...allDay, pendingAutoResolveDays: 365 };
    const t = patch(open(patient), { status: 'pending' }, at(1), patient).ticket;
    expect(plan(t, patient, at(1)).timeoutSeconds).toBe(MAX_WAIT_SECONDS);
    const far = { ...open(), levelDueAt: '2030-01-01T00:00:00.000Z' };
    expect(plan(far, allDay, T0).timeoutSeconds).toBe(MAX_WAIT_SECONDS);
  });

  it('always answers an integer in [1, cap], whatever the instant', () => {
    const tickets = [open(biz), patch(open(), { status: 'pending' }, at(1)).ticket, resolvedTicket(), surveyedTicket()];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2035-01-01T00:00:00Z') }), fc.integer({ min: 0, max: 3 }), (ms, i) => {
        const p = plan(tickets[i]!, biz, new Date(ms).toISOString());
        return Number.isInteger(p.timeoutSeconds) && p.timeoutSeconds >= 1 && p.timeoutSeconds <= MAX_WAIT_SECONDS;
      }),
    );
  });

  it('works on a ticket written before lifecycleSeq existed', () => {
    const legacy = { ...open() } as Partial<Ticket>;
    delete legacy.lifecycleSeq;
    expect(plan(legacy as Ticket, allDay, T0).seq).toBe(0);
  });
});

describe('needsClosing', () => {
  it('is true only for a resolved ticket whose survey has a rating', () => {
    const surveyed = surveyedTicket();
    expect(needsClosing(resolvedTicket())).toBe(false);
    expect(needsClosing(surveyed)).toBe(false);
    const rated = recordRating(surveyed, 3, null, at(30), allDay).ticket;
    expect(needsClosing(rated)).toBe(true);
    expect(needsClosing(close(rated, at(31), allDay).ticket)).toBe(false);
    expect(needsClosing(open())).toBe(false);
  });
});

describe('breachLevel', () => {
  // Low priority on the São Paulo calendar: 72 business hours to resolve, far beyond the level budgets.
  const monday9 = sp('2026-03-09T09:00');

  it('level 1 → 2: records the breach, lets the assignee go, starts the level-2 budget from now', () => {
    const t0 = open(biz, monday9, { priority: 'low' });
    expect(t0.levelDueAt).toBe(sp('2026-03-09T10:00'));
    const t = assign(t0, 'l1@helpdesk.local', sp('2026-03-09T09:05'), biz).ticket;
    const now = t.levelDueAt!;
    const { ticket, event, notify } = breachLevel(t, now, biz);
    expect(ticket).toMatchObject({ level: 2, assignee: null, breaches: [{ level: 1, at: now }], levelDueAt: sp('2026-03-09T14:00'), version: t.version + 1, updatedAt: now });
    expect(ticket.lifecycleSeq).toBe(t.lifecycleSeq + 1);
    expect(notify).toEqual({ kind: 'level-breached', fromLevel: 1, toLevel: 2 });
    expect(event).toMatchObject({ ticketId: t.id, action: 'sla.breached', version: ticket.version, at: now, actor: lifecycleActor });
    expect(event.changes).toEqual(
      expect.arrayContaining([
        { field: 'breaches', before: null, after: { level: 1, at: now, dueAt: t.levelDueAt } },
        { field: 'level', before: 1, after: 2 },
        { field: 'assignee', before: 'l1@helpdesk.local', after: null },
        { field: 'levelDueAt', before: t.levelDueAt, after: ticket.levelDueAt },
      ]),
    );
    // The input is not mutated.
    expect(t).toMatchObject({ level: 1, assignee: 'l1@helpdesk.local', breaches: [] });
  });

  it('level 2 → 3, then level 3 stays at 3 with a fresh level-3 budget and an admin alert', () => {
    const l2 = breachLevel(open(biz, monday9, { priority: 'low' }), sp('2026-03-09T10:00'), biz).ticket;
    const r3 = breachLevel(l2, l2.levelDueAt!, biz);
    expect(r3.notify).toEqual({ kind: 'level-breached', fromLevel: 2, toLevel: 3 });
    expect(r3.ticket.level).toBe(3);
    // 8 business hours from Monday 14:00: 4 on Monday, 4 on Tuesday morning.
    expect(r3.ticket.levelDueAt).toBe(sp('2026-03-10T13:00'));
    expect(r3.ticket.breaches.map((b) => b.level)).toEqual([1, 2]);
    expect(r3.ticket.lifecycleSeq).toBe(l2.lifecycleSeq + 1);

    const l3 = r3.ticket;
    const again = breachLevel(l3, l3.levelDueAt!, biz);
    expect(again.notify).toEqual({ kind: 'level3-breached' });
    expect(again.ticket.level).toBe(3);
    expect(again.ticket.levelDueAt).toBe(sp('2026-03-11T12:00'));
    expect(again.ticket.breaches.map((b) => b.level)).toEqual([1, 2, 3]);
    expect(again.ticket.lifecycleSeq).toBe(l3.lifecycleSeq + 1);
    expect(again.ticket.version).toBe(l3.version + 1);
    expect(again.event).toMatchObject({ action: 'sla.breached', version: l3.version + 1 });
    expect(again.event.changes).toContainEqual({ field: 'levelDueAt', before: l3.levelDueAt, after: again.ticket.levelDueAt });
    expect(again.event.changes.some((c) => c.field === 'level')).toBe(false);
    // The next plan waits one level-3 budget, not a loop of alerts.
    expect(plan(again.ticket, biz, l3.levelDueAt!)).toMatchObject({ phase: 'working', seq: again.ticket.lifecycleSeq, timeoutSeconds: seconds(l3.levelDueAt!, again.ticket.levelDueAt!) });
  });

  it('levels 1 and 2 never hold the ticket past its resolution deadline; level 3 gets its whole budget', () => {
    // Urgent runs 24×7: resolution in 4 h, level 1 in 1 h, level 2 would be 4 h but is capped at resolution.
    const t = open(biz, T0, { priority: 'urgent' });
    expect(t.levelDueAt).toBe(at(1));
    const l2 = breachLevel(t, at(1), biz).ticket;
    expect(l2.levelDueAt).toBe(t.resolutionDueAt);
    const l3 = breachLevel(l2, at(4), biz).ticket;
    expect(l3.levelDueAt).toBe(at(12));
    // At level 3 with the resolution long past, the budget still restarts.
    expect(breachLevel(l3, at(12), biz).ticket.levelDueAt).toBe(at(20));
  });

  it('level 2 after the resolution deadline gets its whole own budget', () => {
    const t = open(allDay, T0, { priority: 'urgent' });
    const late = breachLevel(t, at(6), allDay).ticket;
    expect(late.levelDueAt).toBe(at(10));
  });

  it('keeps at most the last 20 breaches', () => {
    let t = breachLevel(breachLevel(open(), at(1), allDay).ticket, at(5), allDay).ticket;
    for (let i = 0; i < 25; i++) t = breachLevel(t, t.levelDueAt!, allDay).ticket;
    expect(t.breaches).toHaveLength(20);
    // Level 3 from +5 h, due +13 h; each breach restarts its 8 h: the 25th comes at +13 h + 24 × 8 h.
    expect(t.breaches.at(-1)!.at).toBe(at(13 + 24 * 8));
    expect(t.breaches.every((b) => b.level === 3)).toBe(true);
  });
});

describe('assign', () => {
  it('sets the assignee as the lifecycle, without waking the wait', () => {
    const t = open();
    const { ticket, event, notify } = assign(t, 'l1@helpdesk.local', at(0.1), allDay);
    expect(ticket).toMatchObject({ assignee: 'l1@helpdesk.local', version: 2, lifecycleSeq: t.lifecycleSeq, levelDueAt: t.levelDueAt });
    expect(event).toMatchObject({ action: 'ticket.updated', actor: lifecycleActor, changes: [{ field: 'assignee', before: null, after: 'l1@helpdesk.local' }] });
    expect(notify).toBeUndefined();
  });
});

describe('autoResolve', () => {
  it('resolves a pending ticket, resumes the clocks and tells the customer', () => {
    const pending = patch(reply(open(), at(0.5)), { status: 'pending' }, at(1)).ticket;
    const now = at(1 + 7 * 24);
    const { ticket, event, notify } = autoResolve(pending, now, allDay);
    expect(ticket).toMatchObject({ status: 'resolved', resolvedAt: now, slaPausedAt: null, dueAt: null, version: pending.version + 1 });
    expect(ticket.lifecycleSeq).toBe(pending.lifecycleSeq + 1);
    expect(notify).toEqual({ kind: 'auto-resolved' });
    expect(event).toMatchObject({ action: 'ticket.auto_resolved', actor: lifecycleActor });
    expect(event.changes).toContainEqual({ field: 'status', before: 'pending', after: 'resolved' });
    expect(event.changes).toContainEqual({ field: 'resolvedAt', before: null, after: now });
    expect(plan(ticket, allDay, now)).toMatchObject({ phase: 'resolved', timeoutSeconds: 24 * 3600 });
  });
});

describe('close', () => {
  it('closes a resolved ticket with closedAt, no notice, and the plan is done', () => {
    const t = resolvedTicket();
    const { ticket, event, notify } = close(t, at(30), allDay);
    expect(ticket).toMatchObject({ status: 'closed', closedAt: at(30), version: t.version + 1, lifecycleSeq: t.lifecycleSeq + 1 });
    expect(event).toMatchObject({ action: 'ticket.closed', actor: lifecycleActor });
    expect(event.changes).toContainEqual({ field: 'status', before: 'resolved', after: 'closed' });
    expect(notify).toBeUndefined();
    expect(plan(ticket, allDay, at(30)).phase).toBe('done');
  });
});

describe('surveyEligible and surveyDue', () => {
  it('sends a survey to a real conversation: window from now, notice, new seq', () => {
    const t = resolvedTicket();
    expect(surveyEligible(t)).toBe(true);
    const now = at(26);
    const { ticket, event, notify } = surveyDue(t, now, allDay);
    expect(ticket.status).toBe('resolved');
    expect(ticket.survey).toEqual({ sentAt: now, expiresAt: new Date(Date.parse(now) + 7 * DAY).toISOString(), rating: null, ratedAt: null, comment: null });
    expect(notify).toEqual({ kind: 'survey' });
    expect(event).toMatchObject({ action: 'survey.sent', actor: lifecycleActor, version: t.version + 1 });
    expect(event.changes).toContainEqual({ field: 'survey', before: null, after: { sentAt: now, expiresAt: ticket.survey!.expiresAt } });
    expect(ticket.lifecycleSeq).toBe(t.lifecycleSeq + 1);
  });

  it('uses the policy survey window', () => {
    const short: Policy = { ...allDay, surveyWindowDays: 2 };
    expect(surveyDue(resolvedTicket(), at(26), short).ticket.survey!.expiresAt).toBe(at(26 + 48));
  });

  it('closes spam, merged and never-answered tickets without a survey', () => {
    const neverAnswered = patch(open(), { status: 'resolved' }, at(2)).ticket;
    const spam = { ...resolvedTicket(), spam: true };
    const merged = { ...resolvedTicket(), mergedInto: 'other-ticket' };
    for (const t of [neverAnswered, spam, merged]) {
      expect(surveyEligible(t)).toBe(false);
      const r = surveyDue(t, at(26), allDay);
      expect(r.ticket).toMatchObject({ status: 'closed', closedAt: at(26), survey: null });
      expect(r.event.action).toBe('ticket.closed');
      expect(r.notify).toBeUndefined();
    }
    // mergedInto null is not merged.
    expect(surveyEligible({ ...resolvedTicket(), mergedInto: null })).toBe(true);
  });
});

describe('recordRating', () => {
  it('records a first rating and comment', () => {
    const t = surveyedTicket();
    const r = recordRating(t, 4, 'Quick, thanks', at(30), allDay);
    expect(r.previous).toBeNull();
    expect(r.ticket.survey).toMatchObject({ rating: 4, ratedAt: at(30), comment: 'Quick, thanks', sentAt: t.survey!.sentAt, expiresAt: t.survey!.expiresAt });
    expect(r.event).toMatchObject({ action: 'survey.rated', version: t.version + 1, actor: lifecycleActor });
    expect(r.event.changes).toContainEqual({ field: 'survey', before: { rating: null }, after: { rating: 4, comment: 'updated' } });
    expect(r.ticket.lifecycleSeq).toBe(t.lifecycleSeq + 1);
    expect(r.notify).toBeUndefined();
    expect(needsClosing(r.ticket)).toBe(true);
  });

  it('a later, different rating replaces the first and says what it was; an omitted comment is kept', () => {
    const first = recordRating(surveyedTicket(), 4, 'Quick, thanks', at(30), allDay).ticket;
    const second = recordRating(first, 2, undefined, at(31), allDay);
    expect(second.previous).toBe(4);
    expect(second.ticket.survey).toMatchObject({ rating: 2, ratedAt: at(31), comment: 'Quick, thanks' });
    expect(second.event.changes).toContainEqual({ field: 'survey', before: { rating: 4 }, after: { rating: 2, comment: undefined } });
    const third = recordRating(second.ticket, 1, 'Actually it broke again', at(32), allDay);
    expect(third.previous).toBe(2);
    expect(third.ticket.survey!.comment).toBe('Actually it broke again');
    const cleared = recordRating(third.ticket, 1, null, at(33), allDay);
    expect(cleared.ticket.survey!.comment).toBeNull();
  });

  it('accepts a rating up to the last instant of the window, and refuses one after it', () => {
    const t = surveyedTicket();
    const expiresAt = t.survey!.expiresAt;
    expect(recordRating(t, 5, null, expiresAt, allDay).ticket.survey!.rating).toBe(5);
    const late = new Date(Date.parse(expiresAt) + 1).toISOString();
    const err = thrown(() => recordRating(t, 5, null, late, allDay));
    expect(err.code).toBe('survey_closed');
  });

  it('refuses a ticket that has no survey', () => {
    expect(thrown(() => recordRating(resolvedTicket(), 5, null, at(30), allDay)).code).toBe('no_survey');
    expect(thrown(() => recordRating(open(), 5, null, at(30), allDay)).code).toBe('no_survey');
  });

  it('still works on a ticket that closed (e.g. on the survey timeout) within the window', () => {
    const rated = recordRating(surveyedTicket(), 5, null, at(30), allDay).ticket;
    const closed = close(rated, at(30.001), allDay).ticket;
    const r = recordRating(closed, 3, 'changed my mind', at(40), allDay);
    expect(r.previous).toBe(5);
    expect(r.ticket).toMatchObject({ status: 'closed', closedAt: closed.closedAt, survey: { rating: 3, comment: 'changed my mind' } });
    expect(needsClosing(r.ticket)).toBe(false);
  });
});

describe('applyTriage', () => {
  const result = (over: Partial<TriageResult> = {}): TriageResult => ({
    category: 'access',
    department: 'it',
    priority: 'high',
    impact: 'medium',
    urgency: 'high',
    confidence: 0.9,
    signals: ['keyword:senha'],
    dispatch: false,
    ...over,
  });

  it('fills category, department and priority of an untriaged ticket, and recomputes its deadlines', () => {
    const t = open();
    const now = at(0.01);
    const { ticket, event } = applyTriage(t, result(), now, allDay);
    expect(ticket).toMatchObject({ category: 'access', department: 'it', priority: 'high', version: 2 });
    expect(ticket.triage).toEqual({ at: now, category: 'access', department: 'it', priority: 'high', confidence: 0.9, signals: ['keyword:senha'], dispatch: false });
    expect(ticket.firstResponseDueAt).toBe(deadlinesFor('high', T0, allDay).firstResponseDueAt);
    expect(ticket.resolutionDueAt).toBe(at(8));
    expect(event).toMatchObject({ action: 'ticket.triaged', actor: lifecycleActor });
    expect(event.changes.map((c) => c.field)).toEqual(expect.arrayContaining(['category', 'department', 'priority', 'triage', 'firstResponseDueAt', 'resolutionDueAt']));
  });

  it('keeps what the agent set by hand (presetByAgent)', () => {
    const t = open(allDay, T0, { priority: 'low', category: 'billing' });
    expect(t.presetByAgent).toEqual(['priority', 'category']);
    const { ticket, event } = applyTriage(t, result({ priority: 'urgent' }), at(0.01), allDay);
    expect(ticket).toMatchObject({ priority: 'low', category: 'billing', department: 'it' });
    expect(ticket.firstResponseDueAt).toBe(t.firstResponseDueAt);
    expect(event.changes.map((c) => c.field).sort()).toEqual(['department', 'triage']);

    const withDept = open(allDay, T0, { department: 'finance' });
    expect(applyTriage(withDept, result(), at(0.01), allDay).ticket).toMatchObject({ department: 'finance', category: 'access', priority: 'high' });
  });

  it('a dispatch result leaves the department empty for a person to route', () => {
    const { ticket } = applyTriage(open(), result({ dispatch: true, confidence: 0.3 }), at(0.01), allDay);
    expect(ticket.department).toBeNull();
    expect(ticket.category).toBe('access');
    expect(ticket.triage).toMatchObject({ dispatch: true, department: 'it' });
  });

  it('a result with nothing to say records only the triage', () => {
    const { ticket, event } = applyTriage(open(), result({ category: null, department: null, priority: 'normal', dispatch: true, confidence: 0, signals: [] }), at(0.01), allDay);
    expect(ticket).toMatchObject({ category: null, department: null, priority: 'normal' });
    expect(event.changes.map((c) => c.field)).toEqual(['triage']);
  });
});

describe('triageNew', () => {
  const input = { subject: 'Esqueci minha senha', body: 'Não consigo fazer login', requesterEmail: 'ana@example.com' };

  it('keeps a department the desk knows', async () => {
    const asked: string[] = [];
    const r = await triageNew(input, allDay, async (id) => (asked.push(id), true));
    expect(r).toMatchObject({ category: 'access', department: 'it', dispatch: false });
    expect(asked).toEqual(['it']);
  });

  it('drops a department the desk does not know and sends the ticket to dispatch', async () => {
    const r = await triageNew(input, allDay, async () => false);
    expect(r).toMatchObject({ category: 'access', department: null, dispatch: true });
  });

  it('does not ask about a department when triage names none', async () => {
    let asked = false;
    const r = await triageNew({ subject: 'Olá', body: 'tudo bem?', requesterEmail: 'ana@example.com' }, allDay, async () => ((asked = true), true));
    expect(r).toMatchObject({ department: null, dispatch: true });
    expect(asked).toBe(false);
  });
});

describe('roundRobinPick', () => {
  it('rotates fairly over the sorted candidates', () => {
    const candidates = ['carla@x', 'ana@x', 'bruno@x'];
    expect([0, 1, 2, 3, 4, 5].map((turn) => roundRobinPick(candidates, turn))).toEqual(['ana@x', 'bruno@x', 'carla@x', 'ana@x', 'bruno@x', 'carla@x']);
    expect(candidates).toEqual(['carla@x', 'ana@x', 'bruno@x']);
    const counts = new Map<string, number>();
    for (let turn = 100; turn < 100 + 300; turn++) {
      const pick = roundRobinPick(candidates, turn)!;
      counts.set(pick, (counts.get(pick) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([100, 100, 100]);
  });

  it('returns null without candidates', () => {
    expect(roundRobinPick([], 0)).toBeNull();
    expect(roundRobinPick([], 12345)).toBeNull();
  });

  it('is safe with negative and huge turns', () => {
    const c = ['a', 'b', 'c'];
    expect(roundRobinPick(c, -1)).toBe('c');
    expect(roundRobinPick(c, -3)).toBe('a');
    expect(roundRobinPick(c, -4)).toBe('c');
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 10 }), fc.oneof(fc.integer(), fc.integer({ min: 2 ** 40, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(-Number.MAX_SAFE_INTEGER, 1e20, -1e20)), (list, turn) => {
        const pick = roundRobinPick(list, turn);
        return pick !== null && pick !== undefined && list.includes(pick);
      }),
    );
  });
});

describe('levelGroup', () => {
  it('names the Cognito group of each level', () => {
    expect([1, 2, 3].map((l) => levelGroup(l as 1 | 2 | 3))).toEqual(['agents-l1', 'agents-l2', 'agents-l3']);
  });
});

// ---------------------------------------------------------------------------
// The clock rules (settleClocks), through the ticket operations that use them.

describe('clock rules: pending pauses, leaving pending resumes', () => {
  it('pending pauses: slaPausedAt set, no due time, the wait becomes the pending window', () => {
    const t = open();
    const r = patch(t, { status: 'pending' }, at(0.5));
    expect(r.ticket).toMatchObject({ status: 'pending', slaPausedAt: at(0.5), dueAt: null });
    expect(r.changes).toContainEqual({ field: 'slaPausedAt', before: null, after: at(0.5) });
    // Deadlines themselves do not move until the clocks resume.
    expect(r.ticket).toMatchObject({ firstResponseDueAt: t.firstResponseDueAt, resolutionDueAt: t.resolutionDueAt, levelDueAt: t.levelDueAt });
  });

  it('business hours: paused Friday 17:00, resumed Monday 10:00 by the customer, keeps the business time that was left', () => {
    // Normal priority, opened Friday 16:30 in São Paulo.
    const t = open(biz, sp('2026-03-06T16:30'));
    expect(t).toMatchObject({
      firstResponseDueAt: sp('2026-03-09T11:30'), // 1.5 h Friday + 2.5 h Monday
      resolutionDueAt: sp('2026-03-11T13:30'), // 1.5 + 9 + 9 + 4.5 h
      levelDueAt: sp('2026-03-06T17:30'),
    });
    const paused = patch(t, { status: 'pending' }, sp('2026-03-06T17:00'), biz).ticket;
    const resumedAt = sp('2026-03-09T10:00');
    const r = customerMail(paused, resumedAt, biz);
    expect(r.ticket).toMatchObject({
      status: 'open',
      slaPausedAt: null,
      firstResponseDueAt: sp('2026-03-09T13:30'), // 3.5 h were left
      levelDueAt: sp('2026-03-09T10:30'), // 30 min were left
      resolutionDueAt: sp('2026-03-11T15:30'), // 23.5 h were left
      dueAt: sp('2026-03-09T13:30'),
    });
    for (const field of ['firstResponseDueAt', 'resolutionDueAt', 'levelDueAt'] as const) {
      expect(businessMinutesBetween(resumedAt, r.ticket[field]!, brazilCalendar)).toBeCloseTo(businessMinutesBetween(sp('2026-03-06T17:00'), t[field]!, brazilCalendar), 6);
    }
    expect(r.event.action).toBe('mail.received');
    expect(r.event.changes).toContainEqual({ field: 'status', before: 'pending', after: 'open' });
    expect(r.event.changes).toContainEqual({ field: 'slaPausedAt', before: sp('2026-03-06T17:00'), after: null });
    expect(r.ticket.lifecycleSeq).toBe(paused.lifecycleSeq + 1);
  });

  it('an answered ticket keeps its first-response deadline on resume; only resolution and level shift', () => {
    const answered = reply(open(biz, sp('2026-03-06T16:30')), sp('2026-03-06T16:40'), biz);
    const paused = patch(answered, { status: 'pending' }, sp('2026-03-06T17:00'), biz).ticket;
    const r = customerMail(paused, sp('2026-03-09T10:00'), biz);
    expect(r.ticket.firstResponseDueAt).toBe(answered.firstResponseDueAt);
    expect(r.ticket.resolutionDueAt).toBe(sp('2026-03-11T15:30'));
    expect(r.ticket.dueAt).toBe(r.ticket.resolutionDueAt);
  });

  it('24×7 (urgent): every deadline shifts by exactly the paused time', () => {
    const t = open(biz, T0, { priority: 'urgent' });
    expect(t).toMatchObject({ firstResponseDueAt: at(0.25), levelDueAt: at(1), resolutionDueAt: at(4) });
    const paused = patch(t, { status: 'pending' }, at(1 / 6), biz).ticket;
    const r = customerMail(paused, at(3), biz);
    const shift = 3 * HOUR - 10 * MIN;
    for (const field of ['firstResponseDueAt', 'resolutionDueAt', 'levelDueAt'] as const) {
      expect(Date.parse(r.ticket[field]!) - Date.parse(t[field]!)).toBe(shift);
    }
    expect(resumeDeadline(t.resolutionDueAt, at(1 / 6), at(3), ALWAYS_OPEN)).toBe(r.ticket.resolutionDueAt);
  });

  it('a deadline already passed when the ticket was paused stays passed', () => {
    const t = open();
    // Pending at +5 h with no answer: first response (+4 h) and level (+1 h) were already missed.
    const paused = patch(t, { status: 'pending' }, at(5)).ticket;
    const r = customerMail(paused, at(10));
    expect(r.ticket.firstResponseDueAt).toBe(t.firstResponseDueAt);
    expect(r.ticket.levelDueAt).toBe(t.levelDueAt);
    expect(r.ticket.resolutionDueAt).toBe(at(29)); // 19 h were left at +5 h
    expect(r.ticket.dueAt).toBe(t.firstResponseDueAt);
  });

  it('an agent taking the ticket off pending resumes the clocks too', () => {
    const paused = patch(open(), { status: 'pending' }, at(0.5)).ticket;
    const r = patch(paused, { status: 'on_hold' }, at(2.5));
    expect(r.ticket).toMatchObject({ slaPausedAt: null, levelDueAt: at(3), resolutionDueAt: at(26), firstResponseDueAt: at(6) });
  });
});

describe('clock rules: reopen', () => {
  it('a customer mail on a resolved ticket reopens it at its level, clears resolution and survey, and restarts the level budget', () => {
    const escalated = patch(reply(open(), at(0.5)), { level: 2 }, at(0.75)).ticket;
    const resolved = patch(escalated, { status: 'resolved' }, at(2)).ticket;
    const surveyed = surveyDue(resolved, at(26), allDay).ticket;
    const now = at(30);
    const r = customerMail(surveyed, now);
    expect(r.ticket).toMatchObject({ status: 'open', level: 2, resolvedAt: null, survey: null, levelDueAt: at(34), dueAt: escalated.resolutionDueAt });
    expect(r.ticket.levelDueAt).toBe(levelDeadline(2, 'normal', now, r.ticket.resolutionDueAt, allDay));
    expect(r.event.changes).toEqual(expect.arrayContaining([
      { field: 'status', before: 'resolved', after: 'open' },
      { field: 'resolvedAt', before: at(2), after: null },
      { field: 'survey', before: surveyed.survey, after: null },
    ]));
    expect(r.ticket.lifecycleSeq).toBe(surveyed.lifecycleSeq + 1);
    expect(plan(r.ticket, allDay, now)).toMatchObject({ phase: 'working', timeoutSeconds: 4 * 3600 });
  });

  it('a reopen within the reopen window (no survey yet) also restarts the level budget', () => {
    const resolved = resolvedTicket(at(2));
    const r = customerMail(resolved, at(3));
    expect(r.ticket).toMatchObject({ status: 'open', level: 1, resolvedAt: null, survey: null, levelDueAt: at(4) });
  });
});

describe('clock rules: level changes by hand', () => {
  it('escalation gives ticket.escalated, clears the assignee and starts the new level budget', () => {
    const t = patch(reply(open(), at(0.1)), { assignee: 'l1@helpdesk.local' }, at(0.2)).ticket;
    const r = patch(t, { level: 2 }, at(0.5));
    expect(r.event).toMatchObject({ action: 'ticket.escalated', actor: agent });
    expect(r.ticket).toMatchObject({ level: 2, assignee: null, levelDueAt: at(4.5) });
    expect(r.changes).toContainEqual({ field: 'assignee', before: 'l1@helpdesk.local', after: null });
    expect(r.ticket.lifecycleSeq).toBe(t.lifecycleSeq + 1);
  });

  it('escalation with an assignee given keeps that assignee (normalised)', () => {
    const t = patch(open(), { assignee: 'l1@helpdesk.local' }, at(0.2)).ticket;
    const r = patch(t, { level: 3, assignee: ' L3@Helpdesk.local ' }, at(0.5));
    expect(r.event.action).toBe('ticket.escalated');
    expect(r.ticket).toMatchObject({ level: 3, assignee: 'l3@helpdesk.local', levelDueAt: at(8.5) });
  });

  it('handing back down is an update, not an escalation', () => {
    const l2 = patch(open(), { level: 2 }, at(0.5)).ticket;
    const r = patch(l2, { level: 1 }, at(1));
    expect(r.event.action).toBe('ticket.updated');
    expect(r.ticket.levelDueAt).toBe(at(2));
  });

  it('refuses to change the level of a resolved or closed ticket', () => {
    const resolved = resolvedTicket();
    expect(thrown(() => updateTicket(resolved, { level: 2 }, agent, at(3), allDay)).code).toBe('ticket_finished');
    const closed = close(resolved, at(30), allDay).ticket;
    expect(() => updateTicket(closed, { level: 2 }, agent, at(31), allDay)).toThrow(RuleViolationError);
  });
});

describe('clock rules: lifecycleSeq moves only when the plan changes', () => {
  it('a first agent reply (new → open) does not wake the lifecycle', () => {
    const t = open();
    const r = addAgentMessage(t, { kind: 'reply', body: 'On it' }, agent, at(0.1), allDay);
    expect(r.ticket.status).toBe('open');
    expect(r.ticket.lifecycleSeq).toBe(t.lifecycleSeq);
    expect(r.ticket.version).toBe(t.version + 1);
  });

  it('notes, tags, category and assignee do not either', () => {
    let t = open();
    const seq = t.lifecycleSeq;
    t = addAgentMessage(t, { kind: 'note', body: 'x' }, agent, at(0.1), allDay).ticket;
    t = patch(t, { tags: ['vpn'], category: 'network', assignee: 'a@x' }, at(0.2)).ticket;
    expect(t.lifecycleSeq).toBe(seq);
  });

  it('pending, resolve, a level change and a priority change do', () => {
    const t = reply(open(), at(0.1));
    const s = t.lifecycleSeq;
    expect(patch(t, { status: 'pending' }, at(0.2)).ticket.lifecycleSeq).toBe(s + 1);
    expect(patch(t, { status: 'resolved' }, at(0.2)).ticket.lifecycleSeq).toBe(s + 1);
    expect(patch(t, { level: 2 }, at(0.2)).ticket.lifecycleSeq).toBe(s + 1);
    const urgent = patch(t, { priority: 'urgent' }, at(0.2));
    expect(urgent.ticket.levelDueAt).not.toBe(t.levelDueAt);
    expect(urgent.ticket.lifecycleSeq).toBe(s + 1);
    expect(patch(t, { spam: true }, at(0.2)).ticket.lifecycleSeq).toBe(s + 1);
  });

  it('a priority change recomputes the deadlines from creation on the new clock', () => {
    const t = open(biz, sp('2026-03-06T16:30'));
    const r = patch(t, { priority: 'urgent' }, sp('2026-03-06T16:45'), biz);
    // Urgent runs 24×7: 15 min / 4 h from creation; the level budget restarts now.
    expect(r.ticket).toMatchObject({ firstResponseDueAt: sp('2026-03-06T16:45'), resolutionDueAt: sp('2026-03-06T20:30'), levelDueAt: sp('2026-03-06T17:45') });
  });
});

// ---------------------------------------------------------------------------
// Faults these tests found, now fixed: a budget set while paused counts from the pause, and a
// new priority's deadlines keep the credit of every earlier pause (ticket.slaPauses).

describe('clock rules across pauses', () => {
  // Paused at +0.5 h, escalated at +10.5 h, resumed at +20.5 h → level 2 (4 h) ends 4 h after resume.
  it('escalating a pending ticket gives the new level its own budget once the clocks resume, not budget + paused time', () => {
    const paused = patch(reply(open(), at(0.1)), { status: 'pending' }, at(0.5)).ticket;
    const escalated = patch(paused, { level: 2 }, at(10.5)).ticket;
    const resumed = customerMail(escalated, at(20.5)).ticket;
    expect(resumed.levelDueAt).toBe(at(24.5));
  });

  it('changing the priority of a pending ticket restarts the level budget without the paused time', () => {
    const paused = patch(reply(open(), at(0.1)), { status: 'pending' }, at(0.5)).ticket;
    const changed = patch(paused, { priority: 'low' }, at(10.5)).ticket;
    const resumed = customerMail(changed, at(20.5)).ticket;
    expect(resumed.levelDueAt).toBe(at(21.5));
  });

  // A ticket pending 48 h has its (unanswered) first response due at +52 h; lowering it to "low"
  // keeps the 48 h of credit (+56 h), rather than counting the wait against the SLA (+8 h).
  it('a priority change after a pause keeps the credit for the time spent pending', () => {
    const paused = patch(open(), { status: 'pending' }, at(1)).ticket;
    const resumed = customerMail(paused, at(49)).ticket;
    expect(resumed.firstResponseDueAt).toBe(at(52));
    const low = patch(resumed, { priority: 'low' }, at(50)).ticket;
    expect(low.firstResponseDueAt).toBe(at(56));
    expect(low.resolutionDueAt).toBe(at(120));
  });
});

// ---------------------------------------------------------------------------

describe('resumeDeadline (property)', () => {
  const y2026 = Date.parse('2026-01-01T00:00:00.000Z');
  const y2029 = Date.parse('2029-01-01T00:00:00.000Z');

  it('keeps the business time left at the pause, on the São Paulo calendar', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: y2026, max: y2029 }),
        fc.integer({ min: 1, max: 30 * DAY }),
        fc.integer({ min: 0, max: 30 * DAY }),
        (pausedMs, dueAfter, pauseLength) => {
          const pausedAt = new Date(pausedMs).toISOString();
          const oldDue = new Date(pausedMs + dueAfter).toISOString();
          const now = new Date(pausedMs + pauseLength).toISOString();
          const newDue = resumeDeadline(oldDue, pausedAt, now, brazilCalendar);
          const left = businessMinutesBetween(pausedAt, oldDue, brazilCalendar);
          expect(Math.abs(businessMinutesBetween(now, newDue, brazilCalendar) - left)).toBeLessThanOrEqual(1e-6);
          expect(newDue >= now).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves a deadline at or before the pause unchanged', () => {
    fc.assert(
      fc.property(fc.integer({ min: y2026, max: y2029 }), fc.integer({ min: 0, max: 30 * DAY }), fc.integer({ min: 0, max: 30 * DAY }), (pausedMs, before, pauseLength) => {
        const oldDue = new Date(pausedMs - before).toISOString();
        expect(resumeDeadline(oldDue, new Date(pausedMs).toISOString(), new Date(pausedMs + pauseLength).toISOString(), brazilCalendar)).toBe(oldDue);
      }),
      { numRuns: 100 },
    );
  });

  it('on ALWAYS_OPEN shifts by exactly the pause', () => {
    fc.assert(
      fc.property(fc.integer({ min: y2026, max: y2029 }), fc.integer({ min: 1, max: 30 * DAY }), fc.integer({ min: 0, max: 30 * DAY }), (pausedMs, dueAfter, pauseLength) => {
        const newDue = resumeDeadline(new Date(pausedMs + dueAfter).toISOString(), new Date(pausedMs).toISOString(), new Date(pausedMs + pauseLength).toISOString(), ALWAYS_OPEN);
        expect(Date.parse(newDue)).toBe(pausedMs + dueAfter + pauseLength);
      }),
      { numRuns: 100 },
    );
  });

  it('matches addBusinessMinutes from the resume instant', () => {
    const pausedAt = sp('2026-03-06T17:00');
    const oldDue = sp('2026-03-09T11:30');
    expect(resumeDeadline(oldDue, pausedAt, sp('2026-03-09T10:00'), brazilCalendar)).toBe(addBusinessMinutes(sp('2026-03-09T10:00'), 210, brazilCalendar));
  });
});
