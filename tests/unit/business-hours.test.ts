import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addBusinessMinutes,
  ALWAYS_OPEN,
  brazilCalendar,
  businessMinutesBetween,
  easterSunday,
  isOpen,
  nextOpening,
  validateCalendar,
  type Calendar,
  type Weekday,
} from '../../functions/core/business-hours.ts';

// São Paulo has had no DST since 2019: local time is UTC-3 throughout 2025–2030.
const sp = (local: string) => new Date(`${local}-03:00`).toISOString();

const weekdays = (windows: [string, string][]): Calendar['week'] => ({ mon: windows, tue: windows, wed: windows, thu: windows, fri: windows });
const allWeek = (windows: [string, string][]): Calendar['week'] =>
  Object.fromEntries((['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Weekday[]).map((d) => [d, windows]));

const newYork: Calendar = { timezone: 'America/New_York', week: weekdays([['09:00', '17:00']]), holidays: [] };
const lunchBreak: Calendar = { timezone: 'UTC', week: weekdays([['08:00', '12:00'], ['13:00', '17:00']]), holidays: [] };
const sunday = (window: [string, string]): Calendar => ({ timezone: 'America/New_York', week: { sun: [window] }, holidays: [] });

describe('easterSunday', () => {
  it('matches known Easter dates, including the earliest and latest possible', () => {
    expect(easterSunday(2000)).toBe('2000-04-23');
    expect(easterSunday(2008)).toBe('2008-03-23');
    expect(easterSunday(2019)).toBe('2019-04-21');
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(easterSunday(2030)).toBe('2030-04-21');
    expect(easterSunday(2038)).toBe('2038-04-25');
    expect(easterSunday(1943)).toBe('1943-04-25');
    expect(easterSunday(2285)).toBe('2285-03-22');
  });
});

describe('brazilCalendar', () => {
  it('is valid and lists the movable holidays for 2025–2030', () => {
    expect(validateCalendar(brazilCalendar)).toEqual([]);
    // Carnival Monday and Tuesday, Good Friday, Corpus Christi.
    expect(brazilCalendar.holidays).toEqual(expect.arrayContaining(['2026-02-16', '2026-02-17', '2026-04-03', '2026-06-04']));
    expect(brazilCalendar.holidays).toEqual(expect.arrayContaining(['2025-03-03', '2025-03-04', '2025-04-18', '2025-06-19']));
    expect(brazilCalendar.holidays.filter((h) => h.length === 10)).toHaveLength(6 * 4);
    expect(brazilCalendar.holidays).toContain('04-21');
  });

  it('is closed on Carnival 2026 and open on Ash Wednesday', () => {
    expect(isOpen(sp('2026-02-16T12:00'), brazilCalendar)).toBe(false);
    expect(isOpen(sp('2026-02-17T12:00'), brazilCalendar)).toBe(false);
    expect(isOpen(sp('2026-02-18T12:00'), brazilCalendar)).toBe(true);
  });
});

describe('addBusinessMinutes on a calendar', () => {
  it('carries over the weekend: Friday 17:30 + 60 min is Monday 09:30', () => {
    expect(addBusinessMinutes(sp('2026-03-06T17:30'), 60, brazilCalendar)).toBe(sp('2026-03-09T09:30'));
  });

  it('ends at closing time when the minutes run out exactly then', () => {
    expect(addBusinessMinutes(sp('2026-03-06T17:00'), 60, brazilCalendar)).toBe(sp('2026-03-06T18:00'));
  });

  it('skips Good Friday (one-off) and Tiradentes (recurring)', () => {
    expect(addBusinessMinutes(sp('2026-04-02T17:00'), 120, brazilCalendar)).toBe(sp('2026-04-06T10:00'));
    expect(addBusinessMinutes(sp('2026-04-20T17:00'), 120, brazilCalendar)).toBe(sp('2026-04-22T10:00'));
  });

  it('recurs MM-DD holidays every year and keeps YYYY-MM-DD to its year', () => {
    expect(isOpen(sp('2027-04-21T12:00'), brazilCalendar)).toBe(false); // a Wednesday
    expect(isOpen(sp('2027-04-22T12:00'), brazilCalendar)).toBe(true);
    const oneOff: Calendar = { ...brazilCalendar, holidays: ['2026-03-10'] };
    expect(isOpen(sp('2026-03-10T12:00'), oneOff)).toBe(false);
    expect(isOpen(sp('2027-03-10T12:00'), oneOff)).toBe(true);
  });

  it('starts counting at the next opening from before opening, after closing, a holiday or a weekend', () => {
    expect(addBusinessMinutes(sp('2026-03-09T07:00'), 30, brazilCalendar)).toBe(sp('2026-03-09T09:30'));
    expect(addBusinessMinutes(sp('2026-03-09T20:00'), 30, brazilCalendar)).toBe(sp('2026-03-10T09:30'));
    expect(addBusinessMinutes(sp('2026-04-21T10:00'), 30, brazilCalendar)).toBe(sp('2026-04-22T09:30'));
    expect(addBusinessMinutes(sp('2026-03-07T12:00'), 30, brazilCalendar)).toBe(sp('2026-03-09T09:30'));
  });

  it('returns the start unchanged for 0 minutes, even when closed', () => {
    expect(addBusinessMinutes('2026-03-07T15:00:00Z', 0, brazilCalendar)).toBe('2026-03-07T15:00:00Z');
  });

  it('accepts fractional minutes', () => {
    expect(addBusinessMinutes(sp('2026-03-09T09:00'), 0.5, brazilCalendar)).toBe(sp('2026-03-09T09:00:30'));
  });

  it('adds 72 business hours across nights and a weekend', () => {
    expect(addBusinessMinutes(sp('2026-03-02T09:00'), 72 * 60, brazilCalendar)).toBe(sp('2026-03-11T18:00'));
  });

  it('handles lunch-break style split windows', () => {
    expect(addBusinessMinutes('2026-03-09T11:30:00Z', 60, lunchBreak)).toBe('2026-03-09T13:30:00.000Z');
    expect(addBusinessMinutes('2026-03-09T16:30:00Z', 60, lunchBreak)).toBe('2026-03-10T08:30:00.000Z');
    expect(businessMinutesBetween('2026-03-09T11:00:00Z', '2026-03-09T14:00:00Z', lunchBreak)).toBe(120);
    expect(isOpen('2026-03-09T12:30:00Z', lunchBreak)).toBe(false);
    expect(nextOpening('2026-03-09T12:30:00Z', lunchBreak)).toBe('2026-03-09T13:00:00.000Z');
  });

  it('runs across touching windows', () => {
    const touching: Calendar = { timezone: 'UTC', week: weekdays([['08:00', '12:00'], ['12:00', '17:00']]), holidays: [] };
    expect(validateCalendar(touching)).toEqual([]);
    expect(addBusinessMinutes('2026-03-09T11:30:00Z', 60, touching)).toBe('2026-03-09T12:30:00.000Z');
  });

  it('rejects negative or non-finite minutes and timestamps without a zone', () => {
    expect(() => addBusinessMinutes('2026-03-09T10:00:00Z', -1, brazilCalendar)).toThrow(RangeError);
    expect(() => addBusinessMinutes('2026-03-09T10:00:00Z', Number.NaN, brazilCalendar)).toThrow(RangeError);
    expect(() => addBusinessMinutes('2026-03-09T10:00:00', 5, brazilCalendar)).toThrow(RangeError);
    expect(() => isOpen('yesterday', brazilCalendar)).toThrow(RangeError);
  });
});

describe('ALWAYS_OPEN', () => {
  it('is plain arithmetic', () => {
    const s = '2026-03-07T15:00:00.000Z';
    for (const m of [1, 90, 1.5, 72 * 60, 10_000]) {
      expect(addBusinessMinutes(s, m, ALWAYS_OPEN)).toBe(new Date(Date.parse(s) + m * 60_000).toISOString());
    }
    expect(businessMinutesBetween(s, '2026-03-09T15:00:00.000Z', ALWAYS_OPEN)).toBe(2 * 24 * 60);
    expect(businessMinutesBetween('2026-03-09T15:00:00.000Z', s, ALWAYS_OPEN)).toBe(0);
    expect(isOpen(s, ALWAYS_OPEN)).toBe(true);
    expect(nextOpening(s, ALWAYS_OPEN)).toBe(s);
  });
});

describe('businessMinutesBetween', () => {
  it('counts only open time across a weekend', () => {
    // Friday 12:00–18:00 plus Monday 09:00–12:00.
    expect(businessMinutesBetween(sp('2026-03-06T12:00'), sp('2026-03-09T12:00'), brazilCalendar)).toBe(9 * 60);
  });

  it('is 0 when to is not after from', () => {
    expect(businessMinutesBetween(sp('2026-03-09T12:00'), sp('2026-03-06T12:00'), brazilCalendar)).toBe(0);
    expect(businessMinutesBetween(sp('2026-03-09T12:00'), sp('2026-03-09T12:00'), brazilCalendar)).toBe(0);
  });

  it('spans whole months, holidays excluded', () => {
    // March 2026: 22 weekdays, no holidays. April 2026: 22 weekdays less Good Friday and Tiradentes.
    expect(businessMinutesBetween(sp('2026-03-01T00:00'), sp('2026-04-01T00:00'), brazilCalendar)).toBe(22 * 9 * 60);
    expect(businessMinutesBetween(sp('2026-04-01T00:00'), sp('2026-05-01T00:00'), brazilCalendar)).toBe(20 * 9 * 60);
  });

  it('has ms precision', () => {
    expect(businessMinutesBetween(sp('2026-03-09T09:00'), sp('2026-03-09T09:00:00.006'), brazilCalendar)).toBeCloseTo(0.0001, 12);
  });
});

describe('isOpen and nextOpening', () => {
  it('treats opening as open and closing as closed', () => {
    expect(isOpen(sp('2026-03-09T09:00'), brazilCalendar)).toBe(true);
    expect(isOpen(sp('2026-03-09T08:59:59.999'), brazilCalendar)).toBe(false);
    expect(isOpen(sp('2026-03-09T17:59:59.999'), brazilCalendar)).toBe(true);
    expect(isOpen(sp('2026-03-09T18:00'), brazilCalendar)).toBe(false);
  });

  it('returns the input itself when open, else the next opening', () => {
    expect(nextOpening('2026-03-09T13:00:00+00:00', brazilCalendar)).toBe('2026-03-09T13:00:00+00:00');
    expect(nextOpening(sp('2026-03-06T18:00'), brazilCalendar)).toBe(sp('2026-03-09T09:00'));
    expect(nextOpening(sp('2026-12-24T19:00'), brazilCalendar)).toBe(sp('2026-12-28T09:00'));
  });
});

describe('time zones with DST (America/New_York)', () => {
  it('adds across the March change', () => {
    // Friday 16:00 EST + 2 h: one hour Friday, one Monday, now on EDT.
    expect(addBusinessMinutes('2026-03-06T21:00:00Z', 120, newYork)).toBe('2026-03-09T14:00:00.000Z');
    expect(businessMinutesBetween('2026-03-06T14:00:00Z', '2026-03-09T21:00:00Z', newYork)).toBe(16 * 60);
  });

  it('adds across the November change', () => {
    expect(addBusinessMinutes('2026-10-30T20:00:00Z', 120, newYork)).toBe('2026-11-02T15:00:00.000Z');
  });

  it('gives no open time to a window inside the skipped hour', () => {
    const gap = sunday(['02:00', '03:00']);
    expect(businessMinutesBetween('2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z', gap)).toBe(0);
    expect(isOpen('2026-03-08T06:59:59Z', gap)).toBe(false);
    expect(isOpen('2026-03-08T07:00:00Z', gap)).toBe(false);
    expect(nextOpening('2026-03-08T06:00:00Z', gap)).toBe('2026-03-15T06:00:00.000Z');
    // The Sunday before, 02:00 EST exists.
    expect(nextOpening('2026-03-01T06:00:00Z', gap)).toBe('2026-03-01T07:00:00.000Z');
  });

  it('opens a window that starts in the skipped hour when the clock jumps', () => {
    const from = sunday(['02:30', '04:00']);
    expect(nextOpening('2026-03-08T05:00:00Z', from)).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
    expect(businessMinutesBetween('2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z', from)).toBe(60);
    const across = sunday(['01:30', '03:30']);
    expect(addBusinessMinutes('2026-03-08T06:30:00Z', 60, across)).toBe('2026-03-08T07:30:00.000Z');
  });

  it('counts the repeated hour twice in November', () => {
    const repeated = sunday(['01:00', '02:00']);
    expect(businessMinutesBetween('2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', repeated)).toBe(120);
    expect(isOpen('2026-11-01T06:30:00Z', repeated)).toBe(true); // 01:30 EST, the second time round
    expect(addBusinessMinutes('2026-11-01T05:00:00Z', 120, repeated)).toBe('2026-11-01T07:00:00.000Z');
  });

  it('makes an always-open local calendar equal to elapsed time across both changes', () => {
    const always = { timezone: 'America/New_York', week: allWeek([['00:00', '24:00']]), holidays: [] };
    expect(businessMinutesBetween('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', always)).toBe(31 * 24 * 60);
    expect(businessMinutesBetween('2026-10-15T00:00:00Z', '2026-11-15T00:00:00Z', always)).toBe(31 * 24 * 60);
    expect(addBusinessMinutes('2026-03-07T12:00:00Z', 48 * 60, always)).toBe('2026-03-09T12:00:00.000Z');
    expect(addBusinessMinutes('2026-10-31T12:00:00Z', 48 * 60, always)).toBe('2026-11-02T12:00:00.000Z');
  });

  it('copes with old São Paulo DST, whose clocks changed at midnight', () => {
    const always = { timezone: 'America/Sao_Paulo', week: allWeek([['00:00', '24:00']]), holidays: [] };
    expect(businessMinutesBetween('2018-11-01T00:00:00Z', '2018-11-10T00:00:00Z', always)).toBe(9 * 24 * 60);
    expect(businessMinutesBetween('2019-02-10T00:00:00Z', '2019-02-24T00:00:00Z', always)).toBe(14 * 24 * 60);
    // Monday 2018-11-05 09:00 was UTC-2.
    expect(nextOpening('2018-11-05T10:00:00Z', brazilCalendar)).toBe('2018-11-05T11:00:00.000Z');
  });
});

describe('validateCalendar', () => {
  const ok = weekdays([['09:00', '18:00']]);

  it('reports an unknown timezone', () => {
    expect(validateCalendar({ timezone: 'Mars/Olympus_Mons', week: ok, holidays: [] })).toEqual([expect.stringContaining('unknown timezone "Mars/Olympus_Mons"')]);
  });

  it('reports bad HH:MM, 24:00 as a start, end not after start and overlaps', () => {
    const problems = validateCalendar({
      timezone: 'UTC',
      week: { mon: [['9:00', '18:00']], tue: [['09:00', '25:00']], wed: [['24:00', '24:00']], thu: [['18:00', '09:00']], fri: [['09:00', '12:00'], ['11:00', '18:00']], sat: [['10:00', '14:00']] },
      holidays: [],
    });
    expect(problems).toEqual([
      expect.stringContaining('mon window 1: bad start time "9:00"'),
      expect.stringContaining('tue window 1: bad end time "25:00"'),
      expect.stringContaining('wed window 1: bad start time "24:00"'),
      'thu window 1: end 09:00 is not after start 18:00',
      expect.stringContaining('fri window 2: starts at 11:00, before the previous window ends'),
    ]);
  });

  it('reports bad holiday formats and accepts 02-29', () => {
    expect(validateCalendar({ timezone: 'UTC', week: ok, holidays: ['2026-02-30', '13-01', 'Xmas', '02-29', '2028-02-29'] })).toEqual([
      `holiday "2026-02-30" is not a valid 'MM-DD' or 'YYYY-MM-DD' date`,
      `holiday "13-01" is not a valid 'MM-DD' or 'YYYY-MM-DD' date`,
      `holiday "Xmas" is not a valid 'MM-DD' or 'YYYY-MM-DD' date`,
    ]);
  });

  it('reports unknown weekdays', () => {
    const week = { monday: [['09:00', '18:00']], tue: [['09:00', '18:00']] } as unknown as Calendar['week'];
    expect(validateCalendar({ timezone: 'UTC', week, holidays: [] })).toEqual([expect.stringContaining('unknown weekday "monday"')]);
  });

  it('reports a week with no open time, and the arithmetic refuses it instead of looping', () => {
    const closed: Calendar = { timezone: 'UTC', week: { mon: [] }, holidays: [] };
    expect(validateCalendar(closed)).toEqual([expect.stringContaining('no open time')]);
    expect(() => addBusinessMinutes('2026-03-09T10:00:00Z', 60, closed)).toThrow(/no open time/);
    expect(() => nextOpening('2026-03-09T10:00:00Z', closed)).toThrow(/no open time/);
  });

  it('throws rather than loops when holidays close every open day', () => {
    const everyDay = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(5, 10));
    const shut: Calendar = { timezone: 'UTC', week: ok, holidays: everyDay };
    expect(validateCalendar(shut)).toEqual([]);
    expect(() => addBusinessMinutes('2026-03-09T10:00:00Z', 60, shut)).toThrow(/no open time in the \d+ days/);
    expect(businessMinutesBetween('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', shut)).toBe(0);
  });
});

describe('properties', () => {
  const start = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) - 1 }).map((t) => new Date(t).toISOString());
  // Millisecond-granular minutes: the ISO result cannot carry finer time.
  const minutes = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 * 60_000 }).map((ms) => ms / 60_000));
  // Windows around 01:00–03:00 on Sundays cross both DST changes.
  const newYorkBusy: Calendar = {
    timezone: 'America/New_York',
    week: { ...weekdays([['08:00', '12:00'], ['13:00', '17:30']]), sat: [['22:00', '24:00']], sun: [['00:30', '03:30']] },
    holidays: ['07-04', '12-25', '2026-11-26'],
  };

  for (const [name, cal] of [['brazilCalendar', brazilCalendar], ['a New York calendar', newYorkBusy]] as const) {
    it(`businessMinutesBetween(s, addBusinessMinutes(s, m)) = m on ${name}`, () => {
      fc.assert(
        fc.property(start, minutes, (s, m) => {
          const end = addBusinessMinutes(s, m, cal);
          expect(Math.abs(businessMinutesBetween(s, end, cal) - m)).toBeLessThan(1e-6);
          expect(end >= s || m === 0).toBe(true);
        }),
      );
    });

    it(`nextOpening is open and has no business time before it on ${name}`, () => {
      fc.assert(
        fc.property(start, (s) => {
          const next = nextOpening(s, cal);
          expect(isOpen(next, cal)).toBe(true);
          expect(businessMinutesBetween(s, next, cal)).toBe(0);
        }),
      );
    });
  }
});
