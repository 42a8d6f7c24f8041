/**
 * Business-time arithmetic for SLA deadlines. A calendar says when the desk is
 * open in its own wall time (timezone, weekly windows, holidays); everything
 * here takes and returns UTC ISO instants, so callers never handle zones.
 *
 * Wall time → instant rule, which matters only around DST changes: a window
 * edge maps to the first instant whose wall clock reads that time or later.
 * So a window in the skipped spring hour has no open time, a window across it
 * opens when the clock jumps, and a window across the repeated autumn hour
 * lasts the extra hour.
 *
 * Deterministic and pure: no clock reads, and the only state is a cache of
 * Intl formatters.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface Calendar {
  /** IANA zone, e.g. 'America/Sao_Paulo'. */
  timezone: string;
  /** Opening windows per weekday as ["HH:MM", "HH:MM"] pairs, local time, end exclusive, sorted, non-overlapping; a missing or empty day is closed. "24:00" is allowed as an end. */
  week: Partial<Record<Weekday, [string, string][]>>;
  /**
   * Closed days, local dates: 'MM-DD' recurs every year, 'YYYY-MM-DD' is one date, and
   * 'easter', 'easter-2', 'easter+60' (days from Western Easter Sunday) move with Easter every year.
   */
  holidays: string[];
}

/** The clock that never stops (used for urgent tickets by default). */
export const ALWAYS_OPEN = '24x7' as const;
export type Clock = Calendar | typeof ALWAYS_OPEN;

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Indexed like Date#getUTCDay, so a day number maps straight to its windows. */
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/**
 * Holidays could in theory close every open day; searching this far without
 * open time means the calendar is broken, and throwing beats looping forever.
 */
const MAX_CLOSED_DAYS = 2 * 366;

// ---------------------------------------------------------------------------
// Easter and the default calendar

/** Easter Sunday of a Gregorian year as 'YYYY-MM-DD' (anonymous Gregorian algorithm, a.k.a. Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(Date.UTC(year, month - 1, day));
}

const ymd = (utcMs: number) => new Date(utcMs).toISOString().slice(0, 10);
const plusDays = (date: string, days: number) => ymd(Date.parse(`${date}T00:00:00Z`) + days * DAY);

/**
 * Carnival Monday and Tuesday and Corpus Christi are legally optional days
 * ("ponto facultativo") and Good Friday is a religious holiday, but nearly
 * every business in Brazil closes on them, so customers expect no answer and
 * the SLA clock should not run. They move with Easter, hence listed per year.
 */
function movableBrazilianHolidays(fromYear: number, toYear: number): string[] {
  const days: string[] = [];
  for (let year = fromYear; year <= toYear; year++) {
    const easter = easterSunday(year);
    days.push(plusDays(easter, -48), plusDays(easter, -47), plusDays(easter, -2), plusDays(easter, 60));
  }
  return days;
}

const nineToSix: [string, string][] = [['09:00', '18:00']];

/** The default desk: São Paulo, Monday to Friday 09:00–18:00, Brazil's national holidays. */
export const brazilCalendar: Calendar = {
  timezone: 'America/Sao_Paulo',
  week: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix },
  holidays: [
    '01-01', // Confraternização Universal
    '04-21', // Tiradentes
    '05-01', // Dia do Trabalho
    '09-07', // Independência
    '10-12', // Nossa Senhora Aparecida
    '11-02', // Finados
    '11-15', // Proclamação da República
    '11-20', // Consciência Negra (national since 2024)
    '12-25', // Natal
    ...movableBrazilianHolidays(2025, 2030),
  ],
};

// ---------------------------------------------------------------------------
// Time zones: wall time is represented as "local ms", a UTC timestamp whose
// UTC fields read as the zone's wall clock.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in ms (wall = instant + offset). */
function offsetAt(zone: string, instant: number): number {
  // Intl resolves to whole seconds; compare against the instant at that resolution.
  const s = Math.floor(instant / 1000) * 1000;
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  for (const { type, value } of formatter(zone).formatToParts(s)) {
    if (type === 'year') year = Number(value);
    else if (type === 'month') month = Number(value);
    else if (type === 'day') day = Number(value);
    else if (type === 'hour') hour = Number(value);
    else if (type === 'minute') minute = Number(value);
    else if (type === 'second') second = Number(value);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) - s;
}

const wallTime = (zone: string, instant: number) => instant + offsetAt(zone, instant);
const localDay = (zone: string, instant: number) => Math.floor(wallTime(zone, instant) / DAY);

/**
 * The first instant whose wall clock in `zone` reads `local` or later. Offsets
 * a day either side bracket any single transition, so the answer is one of the
 * two readings; when neither fits, `local` is in a skipped gap and the answer
 * is the transition itself, found by bisection.
 */
function localToUtc(zone: string, local: number): number {
  const before = offsetAt(zone, local - DAY);
  const after = offsetAt(zone, local + DAY);
  if (before === after) return local - before;
  const fits = [local - before, local - after].filter((t) => wallTime(zone, t) === local);
  if (fits.length > 0) return Math.min(...fits); // the earlier reading of a repeated hour
  // Gap: offset is `before` at lo and `after` at hi; find the first second on `after`.
  let lo = local - after;
  let hi = local - before;
  while (hi - lo > 1000) {
    const mid = lo + Math.max(1000, Math.floor((hi - lo) / 2000) * 1000);
    if (offsetAt(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------
// Calendars

interface Compiled {
  zone: string;
  /** Per getUTCDay index, windows as [startMinute, endMinute] pairs. */
  week: [number, number][][];
  yearly: Set<string>;
  dated: Set<string>;
  /** Days from Easter Sunday ('easter-2' is -2). */
  easter: Set<number>;
}

/** 'easter', 'easter+N' or 'easter-N': a day that moves with Easter, N up to a year either way. */
const EASTER_HOLIDAY = /^easter(?:([+-])(\d{1,3}))?$/;

function easterOffset(text: string): number | undefined {
  const m = EASTER_HOLIDAY.exec(text);
  if (!m) return undefined;
  const n = m[2] === undefined ? 0 : Number(m[2]) * (m[1] === '-' ? -1 : 1);
  return Math.abs(n) <= 366 ? n : undefined;
}

const easterCache = new Map<number, number>();
/** Days from the Easter Sunday of `year` to the UTC day `day` (days since the epoch). */
function daysFromEaster(year: number, day: number): number {
  let easter = easterCache.get(year);
  if (easter === undefined) {
    easter = Date.parse(`${easterSunday(year)}T00:00:00Z`) / DAY;
    easterCache.set(year, easter);
  }
  return day - easter;
}

/** Minutes since midnight for "HH:MM"; "24:00" only where an end is expected. */
function parseClock(text: unknown, isEnd: boolean): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (isEnd && text === '24:00') return 24 * 60;
  const m = /^(\d\d):(\d\d)$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h <= 23 && min <= 59 ? h * 60 + min : undefined;
}

function isHoliday(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  if (easterOffset(text) !== undefined) return true;
  const m = /^(?:(\d{4})-)?(\d\d)-(\d\d)$/.exec(text);
  if (!m) return false;
  // A leap year accepts 02-29 as a recurring date.
  const year = m[1] === undefined ? 2000 : Number(m[1]);
  const date = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === year && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}

function isKnownZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Human-readable problems with a calendar; [] when it is fine. */
export function validateCalendar(cal: Calendar): string[] {
  const problems: string[] = [];
  if (!isKnownZone(cal.timezone)) problems.push(`unknown timezone "${String(cal.timezone)}" (expected an IANA zone such as "America/Sao_Paulo")`);

  let openMinutes = 0;
  for (const [day, windows] of Object.entries(cal.week ?? {}) as [string, unknown][]) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      problems.push(`unknown weekday "${day}" (use mon, tue, wed, thu, fri, sat, sun)`);
      continue;
    }
    if (windows === undefined) continue;
    if (!Array.isArray(windows)) {
      problems.push(`${day}: expected a list of ["HH:MM", "HH:MM"] windows`);
      continue;
    }
    let previousEnd = -1;
    windows.forEach((w: unknown, i) => {
      const label = `${day} window ${i + 1}`;
      if (!Array.isArray(w) || w.length !== 2) {
        problems.push(`${label}: expected ["HH:MM", "HH:MM"]`);
        return;
      }
      const start = parseClock(w[0], false);
      const end = parseClock(w[1], true);
      if (start === undefined) problems.push(`${label}: bad start time "${String(w[0])}" (expected HH:MM from 00:00 to 23:59)`);
      if (end === undefined) problems.push(`${label}: bad end time "${String(w[1])}" (expected HH:MM from 00:01 to 24:00)`);
      if (start === undefined || end === undefined) return;
      if (end <= start) {
        problems.push(`${label}: end ${String(w[1])} is not after start ${String(w[0])}`);
        return;
      }
      if (start < previousEnd) problems.push(`${label}: starts at ${String(w[0])}, before the previous window ends (windows must be sorted and must not overlap)`);
      previousEnd = Math.max(previousEnd, end);
      openMinutes += end - start;
    });
  }

  if (!Array.isArray(cal.holidays)) problems.push(`holidays: expected a list of 'MM-DD' or 'YYYY-MM-DD' dates (or 'easter±N')`);
  else {
    for (const h of cal.holidays as unknown[]) {
      // Wording kept as it was before 'easter±N' existed (tests and docs quote it); the README lists all three forms.
      if (!isHoliday(h)) problems.push(`holiday "${String(h)}" is not a valid 'MM-DD' or 'YYYY-MM-DD' date`);
    }
  }

  if (openMinutes === 0) problems.push('the week has no open time: at least one weekday needs an opening window');
  return problems;
}

function compile(cal: Calendar): Compiled {
  const problems = validateCalendar(cal);
  if (problems.length > 0) throw new Error(`Invalid business-hours calendar: ${problems.join('; ')}`);
  return {
    zone: cal.timezone,
    week: WEEKDAYS.map((d) => (cal.week[d] ?? []).map(([s, e]): [number, number] => [parseClock(s, false)!, parseClock(e, true)!])),
    yearly: new Set(cal.holidays.filter((h) => /^\d\d-\d\d$/.test(h))),
    dated: new Set(cal.holidays.filter((h) => /^\d{4}-\d\d-\d\d$/.test(h))),
    easter: new Set(cal.holidays.map(easterOffset).filter((n): n is number => n !== undefined)),
  };
}

/** Open intervals of one local day as UTC [start, end) pairs, sorted; holidays and skipped hours leave none. */
function dayIntervals(c: Compiled, day: number): [number, number][] {
  const base = day * DAY;
  const date = ymd(base);
  if (c.dated.has(date) || c.yearly.has(date.slice(5))) return [];
  if (c.easter.size > 0) {
    // An offset can cross New Year (easter+300, easter-120): try the neighbouring years' Easters too.
    const year = new Date(base).getUTCFullYear();
    for (const y of [year - 1, year, year + 1]) if (c.easter.has(daysFromEaster(y, day))) return [];
  }
  const windows = c.week[new Date(base).getUTCDay()] ?? [];
  if (windows.length === 0) return [];
  // Most days have no transition near them: one offset serves every window.
  const o = offsetAt(c.zone, base - DAY);
  const steady = o === offsetAt(c.zone, base + 2 * DAY);
  const toUtc = (minute: number) => (steady ? base + minute * MINUTE - o : localToUtc(c.zone, base + minute * MINUTE));
  const out: [number, number][] = [];
  for (const [s, e] of windows) {
    const start = toUtc(s);
    const end = toUtc(e);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/** Open intervals ending after `t`, in order, one local day at a time (never minute by minute). */
function* intervalsAfter(c: Compiled, t: number): Generator<[number, number]> {
  let closedDays = 0;
  // Starting a day early covers zones whose clocks go back across midnight.
  for (let day = localDay(c.zone, t) - 1; ; day++) {
    const intervals = dayIntervals(c, day);
    if (intervals.length === 0 && ++closedDays > MAX_CLOSED_DAYS) {
      throw new Error(`business-hours calendar has no open time in the ${MAX_CLOSED_DAYS} days after ${new Date(t).toISOString()}`);
    }
    if (intervals.length > 0) closedDays = 0;
    for (const interval of intervals) if (interval[1] > t) yield interval;
  }
}

/** Timestamps must carry their zone: a bare local time would depend on the server's TZ. */
function instant(iso: string): number {
  const t = typeof iso === 'string' && /^\d{4}-\d\d-\d\dT.*(?:Z|[+-]\d\d:?\d\d)$/i.test(iso) ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) throw new RangeError(`not an ISO timestamp with a zone designator: ${String(iso)}`);
  return t;
}

function calendarOf(clock: Clock): Compiled | undefined {
  if (clock === ALWAYS_OPEN) return undefined;
  if (typeof clock !== 'object' || clock === null) throw new TypeError(`unknown clock: ${String(clock)}`);
  return compile(clock);
}

// ---------------------------------------------------------------------------
// The API

/**
 * The instant `minutes` of open time after `startIso`, as a UTC ISO string.
 * Counting starts at the next opening when `startIso` is closed, and a total
 * that runs out exactly at closing time ends there (not at the next opening).
 * 0 minutes returns `startIso` unchanged; results are rounded to the ms.
 */
export function addBusinessMinutes(startIso: string, minutes: number, clock: Clock): string {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`business minutes must be a finite number >= 0, got ${minutes}`);
  const t = instant(startIso);
  const c = calendarOf(clock);
  if (minutes === 0) return startIso;
  let remaining = Math.round(minutes * MINUTE);
  if (!c) return new Date(t + remaining).toISOString();
  for (const [start, end] of intervalsAfter(c, t)) {
    const from = Math.max(start, t);
    if (remaining <= end - from) return new Date(from + remaining).toISOString();
    remaining -= end - from;
  }
  throw new Error('unreachable: intervalsAfter never ends');
}

/** Minutes of open time in [fromIso, toIso); 0 when toIso <= fromIso. Fractional, ms precision. */
export function businessMinutesBetween(fromIso: string, toIso: string, clock: Clock): number {
  const from = instant(fromIso);
  const to = instant(toIso);
  const c = calendarOf(clock);
  if (to <= from) return 0;
  if (!c) return (to - from) / MINUTE;
  let total = 0;
  // A day either side covers zones whose clocks cross midnight at a DST change.
  for (let day = localDay(c.zone, from) - 1, last = localDay(c.zone, to) + 1; day <= last; day++) {
    for (const [start, end] of dayIntervals(c, day)) {
      const overlap = Math.min(end, to) - Math.max(start, from);
      if (overlap > 0) total += overlap;
    }
  }
  return total / MINUTE;
}

/** Whether the clock is running at `iso`. */
export function isOpen(iso: string, clock: Clock): boolean {
  const t = instant(iso);
  const c = calendarOf(clock);
  if (!c) return true;
  const day = localDay(c.zone, t);
  for (let d = day - 1; d <= day + 1; d++) for (const [start, end] of dayIntervals(c, d)) if (start <= t && t < end) return true;
  return false;
}

/** `iso` itself when open, otherwise the UTC ISO instant of the next opening. */
export function nextOpening(iso: string, clock: Clock): string {
  const t = instant(iso);
  const c = calendarOf(clock);
  if (!c) return iso;
  for (const [start] of intervalsAfter(c, t)) return start <= t ? iso : new Date(start).toISOString();
  throw new Error('unreachable: intervalsAfter never ends');
}
