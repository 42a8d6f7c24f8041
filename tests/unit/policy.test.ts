import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { defaultPolicy, parsePolicy, policyOverridesSchema, scalePolicy, type Policy } from '../../functions/core/policy.ts';
import { brazilCalendar, type Calendar } from '../../functions/core/business-hours.ts';
import { defaultTriageRules } from '../../functions/core/triage.ts';
import { priorities } from '../../functions/core/ticket.ts';

/** The message parsePolicy throws for `raw`, or fails the test. */
function problemsWith(raw: unknown, source?: string): string {
  try {
    parsePolicy(raw, source);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return (err as Error).message;
  }
  throw new Error('expected parsePolicy to throw');
}

/** The problem lines ("  - path: message") of a parsePolicy error. */
const lines = (message: string) => message.split('\n').filter((l) => l.startsWith('  - '));

describe('defaultPolicy', () => {
  it('matches the product table of SLA targets, in minutes', () => {
    expect(defaultPolicy.sla).toEqual({
      urgent: { firstResponseMinutes: 15, resolutionMinutes: 4 * 60 },
      high: { firstResponseMinutes: 60, resolutionMinutes: 8 * 60 },
      normal: { firstResponseMinutes: 4 * 60, resolutionMinutes: 24 * 60 },
      low: { firstResponseMinutes: 8 * 60, resolutionMinutes: 72 * 60 },
    });
  });

  it('runs urgent 24×7 and the rest on the São Paulo business calendar', () => {
    expect(defaultPolicy.alwaysOpenPriorities).toEqual(['urgent']);
    expect(defaultPolicy.calendar).toBe(brazilCalendar);
  });

  it('has the documented level budgets, windows and switches', () => {
    expect(defaultPolicy).toMatchObject({
      levelBudgetMinutes: { 1: 60, 2: 240, 3: 480 },
      pendingAutoResolveDays: 7,
      surveyDelayHours: 24,
      surveyWindowDays: 7,
      roundRobin: [],
    });
    expect(defaultPolicy.triage).toBe(defaultTriageRules);
  });

  it('is itself a valid set of overrides', () => {
    const { calendar, triage, ...rest } = defaultPolicy;
    expect(policyOverridesSchema.safeParse({ ...rest, calendar, triage }).success).toBe(true);
  });
});

describe('parsePolicy', () => {
  it('an empty file means the defaults', () => {
    expect(parsePolicy({})).toEqual(defaultPolicy);
  });

  it('merges a partial SLA table over the defaults', () => {
    const p = parsePolicy({ sla: { high: { firstResponseMinutes: 30, resolutionMinutes: 300 } } });
    expect(p.sla.high).toEqual({ firstResponseMinutes: 30, resolutionMinutes: 300 });
    expect(p.sla.urgent).toEqual(defaultPolicy.sla.urgent);
    expect(p.sla.normal).toEqual(defaultPolicy.sla.normal);
    expect(p.sla.low).toEqual(defaultPolicy.sla.low);
    expect({ ...p, sla: defaultPolicy.sla }).toEqual(defaultPolicy);
    // The default object is not touched.
    expect(defaultPolicy.sla.high).toEqual({ firstResponseMinutes: 60, resolutionMinutes: 480 });
  });

  it('merges a partial level-budget table (JSON keys are strings)', () => {
    const p = parsePolicy(JSON.parse('{ "levelBudgetMinutes": { "2": 120 } }'));
    expect(p.levelBudgetMinutes).toEqual({ 1: 60, 2: 120, 3: 480 });
  });

  it('replaces scalar settings, the calendar and the triage rules wholesale', () => {
    const calendar: Calendar = { timezone: 'Europe/Lisbon', week: { mon: [['08:00', '12:00'], ['13:00', '17:00']] }, holidays: ['12-25', '2026-06-13'] };
    const triage = { ...defaultTriageRules, vipDomains: ['bigcorp.com'] };
    const p = parsePolicy({ calendar, triage, alwaysOpenPriorities: ['urgent', 'high'], pendingAutoResolveDays: 3, surveyDelayHours: 2, surveyWindowDays: 14, roundRobin: ['it'] });
    expect(p.calendar).toEqual(calendar);
    expect(p.triage.vipDomains).toEqual(['bigcorp.com']);
    expect(p).toMatchObject({ alwaysOpenPriorities: ['urgent', 'high'], pendingAutoResolveDays: 3, surveyDelayHours: 2, surveyWindowDays: 14, roundRobin: ['it'] });
    expect(p.sla).toEqual(defaultPolicy.sla);
  });

  it('rejects unknown keys at every depth, naming each', () => {
    const message = problemsWith({ foo: 1, sla: { critical: { firstResponseMinutes: 1, resolutionMinutes: 2 }, high: { firstResponseMinutes: 1, resolutionMinutes: 2, extra: 3 } }, levelBudgetMinutes: { 4: 10 } });
    expect(message).toMatch(/^config\/policy\.json is not a valid policy:\n/);
    expect(message).toMatch(/- \(root\): .*"foo"/);
    expect(message).toMatch(/- sla: .*"critical"/);
    expect(message).toMatch(/- sla\.high: .*"extra"/);
    expect(message).toMatch(/- levelBudgetMinutes: .*"4"/);
    expect(lines(message)).toHaveLength(4);
  });

  it('rejects out-of-range and mistyped values with their paths', () => {
    const message = problemsWith({
      sla: { urgent: { firstResponseMinutes: 0, resolutionMinutes: 240 } },
      levelBudgetMinutes: { 1: -5 },
      alwaysOpenPriorities: ['critical'],
      pendingAutoResolveDays: 400,
      surveyWindowDays: '7',
      roundRobin: 'yes',
    });
    for (const path of ['sla.urgent.firstResponseMinutes', 'levelBudgetMinutes.1', 'alwaysOpenPriorities.0', 'pendingAutoResolveDays', 'surveyWindowDays', 'roundRobin']) {
      expect(message).toContain(`  - ${path}: `);
    }
    expect(lines(message)).toHaveLength(6);
  });

  it('rejects something that is not an object at all', () => {
    expect(problemsWith(null)).toMatch(/- \(root\): /);
    expect(problemsWith([])).toMatch(/- \(root\): /);
    expect(problemsWith('{}')).toMatch(/- \(root\): /);
  });

  it('a bad calendar and a bad triage regex give one error naming every problem with its path', () => {
    const message = problemsWith(
      {
        calendar: { timezone: 'Mars/Olympus_Mons', week: { mon: [['09:00', '18:00']], tue: [['18:00', '09:00']] }, holidays: [] },
        triage: { ...defaultTriageRules, categories: [{ category: 'x', department: 'y', keywords: ['abc'], patterns: ['(a+)+$', '('] }] },
      },
      'my-policy.json',
    );
    expect(message).toMatch(/^my-policy\.json is not a valid policy:\n/);
    expect(message).toMatch(/- calendar: unknown timezone "Mars\/Olympus_Mons"/);
    expect(message).toMatch(/- calendar: tue window 1: end 09:00 is not after start 18:00/);
    expect(message).toMatch(/- triage\.categories\.0\.patterns\.0: nested or alternated repetition in \/\(a\+\)\+\$\//);
    expect(message).toMatch(/- triage\.categories\.0\.patterns\.1: invalid regex \/\(\//);
    expect(lines(message)).toHaveLength(4);
  });

  it('rejects malformed calendar fields and holidays', () => {
    const message = problemsWith({ calendar: { timezone: 'America/Sao_Paulo', week: { mon: [['9:00', '18:00']], funday: [] }, holidays: ['2026-02-30'] } });
    expect(message).toContain('  - calendar.week.mon.0.0: ');
    expect(message).toMatch(/- calendar\.week: .*"funday"/);
    const holiday = problemsWith({ calendar: { timezone: 'America/Sao_Paulo', week: { mon: [['09:00', '18:00']] }, holidays: ['2026-02-30'] } });
    expect(holiday).toMatch(/- calendar: holiday "2026-02-30" is not a valid/);
  });

  it('config/policy.json as shipped parses, and its values win over the defaults', () => {
    const raw = JSON.parse(readFileSync(new URL('../../config/policy.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const p = parsePolicy(raw);
    for (const [key, value] of Object.entries(raw)) {
      if (key === 'levelBudgetMinutes' || key === 'sla') expect(p[key as keyof Policy]).toMatchObject(value as object);
      else if (key !== 'calendar' && key !== 'triage') expect(p[key as keyof Policy]).toEqual(value);
    }
    expect(Object.keys(p).sort()).toEqual(Object.keys(defaultPolicy).sort());
  });
});

describe('the web form throttle in the policy', () => {
  it('defaults to 5 an hour per address and 30 per source IP, so an office behind one IP is not blocked', () => {
    expect(defaultPolicy.webForm).toEqual({ perAddressPerHour: 5, perIpPerHour: 30 });
    expect(parsePolicy({}).webForm).toEqual(defaultPolicy.webForm);
  });

  it('takes either limit alone, the other keeping its default', () => {
    expect(parsePolicy({ webForm: { perIpPerHour: 200 } }).webForm).toEqual({ perAddressPerHour: 5, perIpPerHour: 200 });
    expect(parsePolicy({ webForm: { perAddressPerHour: 2 } }).webForm).toEqual({ perAddressPerHour: 2, perIpPerHour: 30 });
  });

  it('refuses a limit that is not a positive whole number, or an unknown key, naming the path', () => {
    const message = problemsWith({ webForm: { perIpPerHour: 0, perAddressPerHour: 2.5, perDay: 9 } }, 'config/policy.json');
    expect(message).toContain('config/policy.json is not a valid policy');
    expect(lines(message).join('\n')).toMatch(/webForm\.perIpPerHour/);
    expect(lines(message).join('\n')).toMatch(/webForm\.perAddressPerHour/);
    expect(lines(message).join('\n')).toMatch(/webForm.*perDay/);
    expect(() => parsePolicy({ webForm: { perIpPerHour: '50' } })).toThrow(/webForm\.perIpPerHour/);
  });

  it('is not scaled by local mode\'s time scale (it counts per clock hour)', () => {
    expect(scalePolicy(parsePolicy({ webForm: { perIpPerHour: 50 } }), 3600).webForm).toEqual({ perAddressPerHour: 5, perIpPerHour: 50 });
  });
});

describe('the acknowledgement caps in the policy', () => {
  it('default to 5 an hour per address and 100 per domain, either set alone', () => {
    expect(parsePolicy({}).acknowledgements).toEqual({ perAddressPerHour: 5, perDomainPerHour: 100 });
    expect(parsePolicy({ acknowledgements: { perDomainPerHour: 20 } }).acknowledgements).toEqual({ perAddressPerHour: 5, perDomainPerHour: 20 });
  });

  it('refuses a cap that is not a positive whole number, naming the path', () => {
    expect(() => parsePolicy({ acknowledgements: { perDomainPerHour: 0 } })).toThrow(/acknowledgements\.perDomainPerHour/);
    expect(() => parsePolicy({ acknowledgements: { perAddressPerHour: 1.5 } })).toThrow(/acknowledgements\.perAddressPerHour/);
  });
});

describe('scalePolicy', () => {
  it('divides every duration by the scale and runs every priority 24×7', () => {
    const p = scalePolicy(defaultPolicy, 3600);
    for (const priority of priorities) {
      expect(p.sla[priority].firstResponseMinutes).toBeCloseTo(defaultPolicy.sla[priority].firstResponseMinutes / 3600, 12);
      expect(p.sla[priority].resolutionMinutes).toBeCloseTo(defaultPolicy.sla[priority].resolutionMinutes / 3600, 12);
    }
    expect(p.levelBudgetMinutes).toEqual({ 1: 60 / 3600, 2: 240 / 3600, 3: 480 / 3600 });
    expect(p.pendingAutoResolveDays).toBe(7 / 3600);
    expect(p.surveyDelayHours).toBe(24 / 3600);
    expect(p.surveyWindowDays).toBe(7 / 3600);
    expect([...p.alwaysOpenPriorities].sort()).toEqual([...priorities].sort());
    // What is not a duration stays as it was.
    expect(p.calendar).toBe(defaultPolicy.calendar);
    expect(p.triage).toBe(defaultPolicy.triage);
    expect(p.roundRobin).toBe(defaultPolicy.roundRobin);
    // The input is not mutated.
    expect(defaultPolicy.sla.urgent.firstResponseMinutes).toBe(15);
    expect(defaultPolicy.alwaysOpenPriorities).toEqual(['urgent']);
  });

  it('an SLA hour passes in a second at 3600', () => {
    const p = scalePolicy(defaultPolicy, 3600);
    expect(p.sla.high.firstResponseMinutes * 60).toBeCloseTo(1, 12);
    expect(p.levelBudgetMinutes[1] * 60).toBeCloseTo(1, 12);
  });

  it('scales a parsed custom policy too', () => {
    const custom = parsePolicy({ sla: { low: { firstResponseMinutes: 100, resolutionMinutes: 1000 } }, levelBudgetMinutes: { 3: 50 } });
    const p = scalePolicy(custom, 10);
    expect(p.sla.low).toEqual({ firstResponseMinutes: 10, resolutionMinutes: 100 });
    expect(p.levelBudgetMinutes[3]).toBe(5);
  });

  it('a scale of 1 is the identity', () => {
    expect(scalePolicy(defaultPolicy, 1)).toBe(defaultPolicy);
  });

  it('refuses a scale below 1, or not a number', () => {
    for (const n of [0.5, 0, -1, Number.NaN]) expect(() => scalePolicy(defaultPolicy, n)).toThrow(/at least 1/);
  });
});
