import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brazilCalendar, easterSunday, isOpen, validateCalendar, type Calendar } from '../../functions/core/business-hours.ts';
import { defaultPolicy, parsePolicy } from '../../functions/core/policy.ts';

const shipped = parsePolicy(JSON.parse(readFileSync(new URL('../../config/policy.json', import.meta.url), 'utf8')));
const noon = (date: string) => `${date}T12:00:00-03:00`;
const days = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

describe('config/policy.json as shipped', () => {
  it('spells out the built-in SLA targets, level budgets and windows', () => {
    const { calendar, triage, ...rest } = shipped;
    const { calendar: _c, triage: _t, ...defaults } = defaultPolicy;
    expect(rest).toEqual(defaults);
    expect(triage).toBe(defaultPolicy.triage);
    expect(calendar.timezone).toBe(brazilCalendar.timezone);
    expect(calendar.week).toEqual(brazilCalendar.week);
  });

  it('closes exactly the days the built-in calendar closes, 2025–2030, with Easter-relative holidays', () => {
    const differ = days('2025-01-01', '2030-12-31').filter((d) => isOpen(noon(d), shipped.calendar) !== isOpen(noon(d), brazilCalendar));
    expect(differ).toEqual([]);
    expect(shipped.calendar.holidays.filter((h) => h.startsWith('easter'))).toEqual(['easter-48', 'easter-47', 'easter-2', 'easter+60']);
  });

  it('keeps closing Carnival, Good Friday and Corpus Christi after 2030, where the built-in dated list ends', () => {
    for (const year of [2031, 2040]) {
      const easter = Date.parse(`${easterSunday(year)}T00:00:00Z`);
      for (const offset of [-48, -47, -2, 60]) {
        const date = new Date(easter + offset * 86_400_000).toISOString().slice(0, 10);
        expect(isOpen(noon(date), shipped.calendar), `${year} easter${offset}`).toBe(false);
      }
    }
  });
});

describe('Easter-relative holidays', () => {
  const uk: Calendar = {
    timezone: 'Europe/London',
    week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
    holidays: ['easter-2', 'easter+1'],
  };

  it('close Good Friday and Easter Monday every year', () => {
    // Easter 2026: 5 April; 2027: 28 March.
    expect(isOpen('2026-04-03T10:00:00+01:00', uk)).toBe(false);
    expect(isOpen('2026-04-06T10:00:00+01:00', uk)).toBe(false);
    expect(isOpen('2026-04-07T10:00:00+01:00', uk)).toBe(true);
    expect(isOpen('2027-03-26T10:00:00Z', uk)).toBe(false);
    expect(isOpen('2027-03-29T10:00:00+01:00', uk)).toBe(false);
  });

  it('cross New Year when the offset is large', () => {
    // easter+300 of 2026 (5 April) is 30 January 2027, a Saturday; use a weekday: easter+298 = 28 January 2027 (Thursday).
    const far: Calendar = { ...uk, holidays: ['easter+298'] };
    expect(isOpen('2027-01-28T10:00:00Z', far)).toBe(false);
    expect(isOpen('2027-01-27T10:00:00Z', far)).toBe(true);
  });

  it('are validated with the other holidays', () => {
    expect(validateCalendar({ ...uk, holidays: ['easter', 'easter+0', 'easter-366'] })).toEqual([]);
    for (const bad of ['easter+367', 'Easter-2', 'easter 2', 'easter+', 'pascoa-2']) {
      expect(validateCalendar({ ...uk, holidays: [bad] }).join()).toContain(`holiday "${bad}" is not a valid`);
    }
    expect(() => parsePolicy({ calendar: { ...uk, holidays: ['easter+400'] } })).toThrow(/calendar: holiday "easter\+400"/);
  });
});
