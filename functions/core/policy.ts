import { z } from 'zod';
import { brazilCalendar, validateCalendar, type Calendar } from './business-hours.ts';
import { defaultTriageRules, triageRulesSchema, type TriageRules } from './triage.ts';
import { defaultDecisionPolicy, type DecisionPolicy } from './triage-decision.ts';
import type { Priority } from './ticket.ts';

/**
 * How tickets move: SLA targets, level budgets, the business calendar, the
 * pending and survey windows, and the triage rules. One typed object, read
 * from config/policy.json over these defaults, validated at synth and at start-up.
 */
export interface Policy {
  /** Per priority, in business minutes of the ticket's clock. */
  sla: Record<Priority, { firstResponseMinutes: number; resolutionMinutes: number }>;
  /** How long each level may hold a ticket before it escalates, in business minutes. */
  levelBudgetMinutes: { 1: number; 2: number; 3: number };
  calendar: Calendar;
  /** Priorities whose clocks run 24×7 instead of on the calendar. */
  alwaysOpenPriorities: Priority[];
  /** A ticket pending on the customer this long is resolved automatically. */
  pendingAutoResolveDays: number;
  /** Delay between resolution and the survey; a customer reply in it reopens the ticket. */
  surveyDelayHours: number;
  /** How long the survey links stay valid and the ticket waits for an answer. */
  surveyWindowDays: number;
  /** Departments whose new tickets are assigned in turn among their active agents of the ticket's level. */
  roundRobin: string[];
  triage: TriageRules;
  /**
   * The learned triage model beside the rules (triage-decision.ts): with fewer
   * labelled tickets than `minExamples` behind it the rules alone decide; it
   * routes when its department confidence reaches `threshold` (absent: the
   * threshold the model measured on held-out tickets); rules as sure as
   * `rulesWinAt` win.
   */
  triageModel: DecisionPolicy;
  /** The public web form's throttle: submissions per clock hour, per email address and per source IP (an office shares one). */
  webForm: { perAddressPerHour: number; perIpPerHour: number };
  /**
   * Acknowledgements per clock hour, per recipient address (two robots cannot
   * ping-pong) and per recipient domain (a forger cannot aim the desk at a domain).
   */
  acknowledgements: { perAddressPerHour: number; perDomainPerHour: number };
  /**
   * Seconds each function keeps an agent's rights (active, groups, departments) and the restricted
   * departments before reading them again: a demoted or disabled agent loses their powers within
   * this time everywhere, at once in the function that made the change. 0 reads them at every request.
   */
  accessCacheSeconds: number;
}

/** Common practice, as the product documentation tables it. */
export const defaultPolicy: Policy = {
  sla: {
    urgent: { firstResponseMinutes: 15, resolutionMinutes: 4 * 60 },
    high: { firstResponseMinutes: 60, resolutionMinutes: 8 * 60 },
    normal: { firstResponseMinutes: 4 * 60, resolutionMinutes: 24 * 60 },
    low: { firstResponseMinutes: 8 * 60, resolutionMinutes: 72 * 60 },
  },
  levelBudgetMinutes: { 1: 60, 2: 4 * 60, 3: 8 * 60 },
  calendar: brazilCalendar,
  alwaysOpenPriorities: ['urgent'],
  pendingAutoResolveDays: 7,
  surveyDelayHours: 24,
  surveyWindowDays: 7,
  roundRobin: [],
  triage: defaultTriageRules,
  triageModel: defaultDecisionPolicy,
  webForm: { perAddressPerHour: 5, perIpPerHour: 30 },
  acknowledgements: { perAddressPerHour: 5, perDomainPerHour: 100 },
  accessCacheSeconds: 30,
};

const priority = z.enum(['urgent', 'high', 'normal', 'low']);
const minutes = z.number().positive().max(365 * 24 * 60);
const target = z.strictObject({ firstResponseMinutes: minutes, resolutionMinutes: minutes });
const hhmm = z.string().regex(/^\d\d:\d\d$/);
const calendarSchema = z
  .strictObject({
    timezone: z.string().min(1).max(64),
    week: z.strictObject(
      Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, z.array(z.tuple([hhmm, hhmm])).max(8).optional()])),
    ),
    holidays: z.array(z.string().max(10)).max(500),
  })
  .superRefine((cal, ctx) => {
    for (const problem of validateCalendar(cal as Calendar)) ctx.addIssue({ code: 'custom', message: problem });
  });

/** What config/policy.json may hold: any subset; what it leaves out keeps the default. */
export const policyOverridesSchema = z.strictObject({
  sla: z.strictObject({ urgent: target, high: target, normal: target, low: target }).partial().optional(),
  levelBudgetMinutes: z.strictObject({ 1: minutes, 2: minutes, 3: minutes }).partial().optional(),
  calendar: calendarSchema.optional(),
  alwaysOpenPriorities: z.array(priority).max(4).optional(),
  pendingAutoResolveDays: z.number().positive().max(365).optional(),
  surveyDelayHours: z.number().positive().max(24 * 30).optional(),
  surveyWindowDays: z.number().positive().max(90).optional(),
  roundRobin: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/)).max(100).optional(),
  triage: triageRulesSchema.optional(),
  triageModel: z
    .strictObject({
      minExamples: z.number().int().min(2).max(1_000_000),
      threshold: z.number().min(0.3).max(0.99),
      rulesWinAt: z.number().min(0).max(1),
    })
    .partial()
    .optional(),
  webForm: z
    .strictObject({ perAddressPerHour: z.number().int().min(1).max(10_000), perIpPerHour: z.number().int().min(1).max(100_000) })
    .partial()
    .optional(),
  acknowledgements: z
    .strictObject({ perAddressPerHour: z.number().int().min(1).max(1_000), perDomainPerHour: z.number().int().min(1).max(100_000) })
    .partial()
    .optional(),
  accessCacheSeconds: z.number().int().min(0).max(300).optional(),
});

/** A policy file that cannot be used; its message names every problem. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

/**
 * Reads a policy file's contents over the defaults. Throws one error that
 * names every problem, so a bad edit fails `cdk synth` and start-up, not a ticket.
 */
export function parsePolicy(raw: unknown, source = 'config/policy.json'): Policy {
  const parsed = policyOverridesSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new PolicyError(`${source} is not a valid policy:\n${problems}`);
  }
  const o = parsed.data;
  return {
    ...defaultPolicy,
    ...(o as Partial<Policy>),
    sla: { ...defaultPolicy.sla, ...o.sla },
    levelBudgetMinutes: { ...defaultPolicy.levelBudgetMinutes, ...o.levelBudgetMinutes },
    calendar: (o.calendar as Calendar | undefined) ?? defaultPolicy.calendar,
    triage: o.triage ?? defaultPolicy.triage,
    triageModel: { ...defaultPolicy.triageModel, ...o.triageModel },
    webForm: { ...defaultPolicy.webForm, ...o.webForm },
    acknowledgements: { ...defaultPolicy.acknowledgements, ...o.acknowledgements },
  };
}

/**
 * Local mode's `--time-scale N`: every SLA duration is N times shorter, so an
 * SLA hour passes in a second at 3600. Clocks run 24×7 then: a business-hours
 * calendar would otherwise hold a scaled ticket until Monday. Deadlines stay
 * real instants, so the API, pauses and restarts stay consistent with the timers.
 */
export function scalePolicy(policy: Policy, n: number): Policy {
  if (!(n >= 1)) throw new Error(`A time scale must be at least 1, not ${n}`);
  if (n === 1) return policy;
  const scaled = (minutes: number) => minutes / n;
  return {
    ...policy,
    sla: Object.fromEntries(
      Object.entries(policy.sla).map(([p, t]) => [p, { firstResponseMinutes: scaled(t.firstResponseMinutes), resolutionMinutes: scaled(t.resolutionMinutes) }]),
    ) as Policy['sla'],
    levelBudgetMinutes: { 1: scaled(policy.levelBudgetMinutes[1]), 2: scaled(policy.levelBudgetMinutes[2]), 3: scaled(policy.levelBudgetMinutes[3]) },
    alwaysOpenPriorities: ['urgent', 'high', 'normal', 'low'],
    pendingAutoResolveDays: policy.pendingAutoResolveDays / n,
    surveyDelayHours: policy.surveyDelayHours / n,
    surveyWindowDays: policy.surveyWindowDays / n,
  };
}
