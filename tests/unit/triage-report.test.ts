import { describe, expect, it } from 'vitest';
import { buildTriageReport, triageOpeningCounts, triageReviewCounts, weekOf, weeksOf } from '../../functions/core/triage-report.ts';
import { buildReport, changeCounts, creationCounts, visibleCounters, type ReportCounters } from '../../functions/core/report.ts';
import { openTicket, updateTicket, type Actor, type Ticket, type TriageOutcome } from '../../functions/core/ticket.ts';
import { applyTriage, autoResolve } from '../../functions/core/lifecycle.ts';
import { defaultPolicy, type Policy } from '../../functions/core/policy.ts';
import { RuleViolationError } from '../../functions/core/errors.ts';

const policy: Policy = { ...defaultPolicy, alwaysOpenPriorities: ['urgent', 'high', 'normal', 'low'] };
const actor: Actor = { sub: 'sub-1', email: 'l1@helpdesk.local' };
// A Wednesday: its week starts on Monday 2026-03-02.
const created = '2026-03-04T12:00:00.000Z';
const later = '2026-03-05T09:00:00.000Z';

function outcome(o: Partial<TriageOutcome> = {}): TriageOutcome {
  return { category: 'access', department: 'it', priority: 'normal', impact: 'low', urgency: 'low', confidence: 0.9, signals: [], dispatch: false, decidedBy: 'model', ...o };
}

function open(triaged?: TriageOutcome, preset: Record<string, unknown> = {}): Ticket {
  return openTicket({ requester: { email: 'ana@example.com' }, subject: 'Senha', body: 'Não entro', channel: 'email', ...preset }, 1, actor, created, policy, undefined, triaged).ticket;
}

const patch = (t: Ticket, p: Parameters<typeof updateTicket>[1], at = later) => updateTicket(t, p, actor, at, policy).ticket;
const triageOnly = (before: Ticket, after: Ticket) => changeCounts(before, after).filter((c) => c.report === 'triage');

describe('weeks', () => {
  it('a week is named by its Monday, in UTC', () => {
    expect(weekOf('2026-03-02T00:00:00.000Z')).toBe('2026-03-02');
    expect(weekOf('2026-03-08T23:59:59.999Z')).toBe('2026-03-02');
    expect(weekOf('2026-03-09')).toBe('2026-03-09');
    expect(weekOf('2026-03-01')).toBe('2026-02-23');
  });

  it('a range touches the weeks of its first to its last day', () => {
    expect(weeksOf({ from: '2026-03-04', to: '2026-03-16' })).toEqual(['2026-03-02', '2026-03-09', '2026-03-16']);
  });
});

describe('counters at opening (indexing)', () => {
  it('counts a routed ticket under the department and who decided', () => {
    expect(triageOpeningCounts(open(outcome()))).toEqual([{ report: 'triage', week: '2026-03-02', department: 'it', add: { triaged: 1, model: 1 } }]);
    expect(triageOpeningCounts(open(outcome({ decidedBy: 'rules' })))[0]!.add).toEqual({ triaged: 1, rules: 1 });
    // Written before the model existed: the rules'.
    expect(triageOpeningCounts(open(outcome({ decidedBy: undefined })))[0]!.add).toEqual({ triaged: 1, rules: 1 });
  });

  it('counts a ticket left to dispatch under no department', () => {
    expect(triageOpeningCounts(open(outcome({ dispatch: true, decidedBy: 'nobody' })))).toEqual([{ report: 'triage', week: '2026-03-02', department: null, add: { triaged: 1, dispatch: 1 } }]);
  });

  it('counts nothing when triage did not choose the department, did not run, or it is spam', () => {
    expect(triageOpeningCounts(open(outcome(), { department: 'billing' }))).toEqual([]);
    expect(triageOpeningCounts(open())).toEqual([]);
    expect(triageOpeningCounts({ ...open(outcome()), spam: true })).toEqual([]);
  });

  it('goes with the creation counts, once, and never with an erasure’s', () => {
    const t = open(outcome());
    expect(creationCounts(t).filter((c) => c.report === 'triage')).toHaveLength(1);
    expect(creationCounts(t, -1).filter((c) => c.report === 'triage')).toHaveLength(0);
  });
});

describe('verdicts', () => {
  it('an agent moving a routed ticket corrects triage, once per ticket', () => {
    const t = open(outcome());
    const moved = patch(t, { department: 'billing' });
    expect(moved.triage?.review).toEqual({ verdict: 'corrected', at: later });
    expect(triageOnly(t, moved)).toEqual([{ report: 'triage', week: '2026-03-02', department: 'it', add: { corrected: 1 } }]);
    const again = patch(moved, { department: 'sales' });
    const back = patch(again, { department: 'it' });
    expect(triageOnly(moved, again)).toEqual([]);
    expect(triageOnly(again, back)).toEqual([]);
    // Resolved afterwards: still one correction, no confirmation.
    expect(triageOnly(back, patch(back, { status: 'resolved' }))).toEqual([]);
  });

  it('sending a routed ticket back to dispatch is a correction', () => {
    const t = open(outcome());
    expect(triageOnly(t, patch(t, { department: null }))[0]!.add).toEqual({ corrected: 1 });
  });

  it('resolving in triage’s department confirms it, once, whoever resolves', () => {
    const t = open(outcome());
    const resolved = patch(t, { status: 'resolved' });
    expect(triageOnly(t, resolved)).toEqual([{ report: 'triage', week: '2026-03-02', department: 'it', add: { confirmed: 1 } }]);
    const reopened = patch(resolved, { status: 'open' });
    expect(triageOnly(reopened, patch(reopened, { status: 'resolved' }))).toEqual([]);
    // The lifecycle's automatic resolution counts the same.
    const pending = patch(t, { status: 'pending' });
    const auto = autoResolve(pending, later, policy).ticket;
    expect(triageOnly(pending, auto)[0]!.add).toEqual({ confirmed: 1 });
  });

  it('a confirmation that an agent later undoes becomes a correction: the counts move', () => {
    const resolved = patch(open(outcome()), { status: 'resolved' });
    const reopened = patch(resolved, { status: 'open' });
    const moved = patch(reopened, { department: 'billing' });
    expect(triageOnly(reopened, moved)).toEqual([{ report: 'triage', week: '2026-03-02', department: 'it', add: { corrected: 1, confirmed: -1 } }]);
  });

  it('routing a dispatch ticket as suggested confirms the suggestion; elsewhere corrects it', () => {
    const t = open(outcome({ dispatch: true, decidedBy: 'nobody' }));
    expect(t.department).toBeNull();
    const asSuggested = patch(t, { department: 'it' });
    expect(triageOnly(t, asSuggested)).toEqual([{ report: 'triage', week: '2026-03-02', department: null, add: { confirmed: 1 } }]);
    expect(triageOnly(t, patch(t, { department: 'billing' }))[0]!.add).toEqual({ corrected: 1 });
    // No suggestion at all: whatever the agent chose corrects it.
    const none = open(outcome({ dispatch: true, department: null, decidedBy: 'nobody' }));
    expect(triageOnly(none, patch(none, { department: 'it' }))[0]!.add).toEqual({ corrected: 1 });
  });

  it('triage placing a ticket (the lifecycle’s applyTriage) is no verdict', () => {
    const untriaged = open();
    const triaged = applyTriage(untriaged, outcome(), later, policy).ticket;
    expect(triaged.department).toBe('it');
    expect(triaged.triage?.review).toBeUndefined();
    expect(triageOnly(untriaged, triaged)).toEqual([]);
  });

  it('other changes leave the verdict alone', () => {
    const t = open(outcome());
    const noted = patch(t, { priority: 'high', tags: ['x'] });
    expect(noted.triage?.review).toBeUndefined();
    expect(triageOnly(t, noted)).toEqual([]);
  });

  it('tickets whose department an agent chose count no verdict', () => {
    const t = open(outcome(), { department: 'billing' });
    expect(triageOnly(t, patch(t, { department: 'sales' }))).toEqual([]);
  });
});

describe('accepting triage’s suggestion (PATCH acceptTriage)', () => {
  it('on a routed ticket records the confirmation as a new version, once', () => {
    const t = open(outcome());
    const r = updateTicket(t, { acceptTriage: true }, actor, later, policy);
    expect(r.ticket.version).toBe(t.version + 1);
    expect(r.event?.changes.map((c) => c.field)).toContain('triage.review');
    expect(r.ticket.department).toBe('it');
    expect(triageOnly(t, r.ticket)[0]!.add).toEqual({ confirmed: 1 });
    // Accepting again changes nothing.
    expect(updateTicket(r.ticket, { acceptTriage: true }, actor, later, policy).changes).toEqual([]);
  });

  it('routes a dispatch ticket where triage suggested', () => {
    const t = open(outcome({ dispatch: true, decidedBy: 'nobody' }));
    const r = updateTicket(t, { acceptTriage: true }, actor, later, policy).ticket;
    expect(r.department).toBe('it');
    expect(r.triage?.review?.verdict).toBe('confirmed');
    expect(triageOnly(t, r)[0]).toMatchObject({ department: null, add: { confirmed: 1 } });
  });

  it('refuses when triage suggested nothing', () => {
    expect(() => updateTicket(open(outcome({ dispatch: true, department: null })), { acceptTriage: true }, actor, later, policy)).toThrow(RuleViolationError);
    expect(() => updateTicket(open(), { acceptTriage: true }, actor, later, policy)).toThrow(RuleViolationError);
  });

  it('after a correction, accepting routes back but the correction stays', () => {
    const moved = patch(open(outcome()), { department: 'billing' });
    const r = updateTicket(moved, { acceptTriage: true }, actor, later, policy).ticket;
    expect(r.department).toBe('it');
    expect(r.triage?.review?.verdict).toBe('corrected');
    expect(triageOnly(moved, r)).toEqual([]);
  });
});

describe('the triage report', () => {
  const range = { from: '2026-03-02', to: '2026-03-15' };
  const rows = [
    // Shards of one week and department are summed.
    { week: '2026-03-02', department: 'it', triaged: 3, model: 2, rules: 1, confirmed: 2 },
    { week: '2026-03-02', department: 'it', triaged: 1, model: 1, corrected: 1 },
    { week: '2026-03-02', department: null, triaged: 2, dispatch: 2, confirmed: 1, corrected: 1 },
    { week: '2026-03-09', department: 'billing', triaged: 2, rules: 2, corrected: 1, confirmed: 1 },
    // Outside the range's weeks.
    { week: '2026-02-23', department: 'it', triaged: 9, rules: 9 },
  ];

  it('gives per week and department the counts, accuracy and unrouted share', () => {
    const r = buildTriageReport(range, rows);
    expect(r.weeks).toEqual(['2026-03-02', '2026-03-09']);
    expect(r.rows.map((x) => [x.week, x.department, x.triaged, x.accuracy])).toEqual([
      ['2026-03-02', 'it', 4, 0.667],
      ['2026-03-02', null, 2, 0.5],
      ['2026-03-09', 'billing', 2, 0.5],
    ]);
    expect(r.total).toEqual({ triaged: 8, rules: 3, model: 3, dispatch: 2, confirmed: 4, corrected: 3, accuracy: 0.571, dispatchShare: 0.25, correctedShare: 0.429 });
    expect(r.departments.map((d) => d.department)).toEqual(['billing', 'it', null]);
    expect(r.perWeek.map((w) => [w.week, w.triaged, w.dispatchShare])).toEqual([
      ['2026-03-02', 6, 0.333],
      ['2026-03-09', 2, 0],
    ]);
  });

  it('says nothing rather than 0 % when nothing was reviewed or triaged', () => {
    const r = buildTriageReport(range, []);
    expect(r.rows).toEqual([]);
    expect(r.total).toMatchObject({ triaged: 0, accuracy: null, dispatchShare: null, correctedShare: null });
  });

  it('is part of the report, and only departments the caller may count reach it', () => {
    const counters: ReportCounters = { volume: [], subjects: [], sla: [], backlog: [], csat: [], triage: rows };
    const onlyIt = visibleCounters(counters, (d) => d === 'it');
    const report = buildReport(range, onlyIt);
    expect(report.triage.departments.map((d) => d.department)).toEqual(['it']);
    expect(report.triage.total.triaged).toBe(4);
  });
});
