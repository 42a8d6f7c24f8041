import type { Language } from './i18n/index.ts';

/** Dates, ages and sizes in the agent's language, through Intl (no dictionary needed). */
export function formatDateTime(iso: string | null | undefined, lang: Language): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatDate(iso: string | null | undefined, lang: Language): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(d);
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 hours ago", "há 3 horas": the largest whole unit; under a minute is "now". */
export function relativeAge(iso: string | null | undefined, now: number, lang: Language): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return '—';
  const diff = then - now;
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' });
  for (const [unit, ms] of units) {
    if (Math.abs(diff) >= ms) return rtf.format(Math.trunc(diff / ms), unit);
  }
  return rtf.format(0, 'second');
}

export function formatBytes(n: number, lang: Language): string {
  const nf = (v: number, digits: number) => new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(v);
  if (n < 1024) return `${nf(n, 0)} B`;
  if (n < 1024 * 1024) return `${nf(n / 1024, 0)} KB`;
  return `${nf(n / (1024 * 1024), 1)} MB`;
}

export function formatNumber(n: number, lang: Language, digits = 0): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
}

export function formatPercent(fraction: number, lang: Language): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

/**
 * YYYY-MM-DD of the UTC day, as the reports API takes it: its counters are
 * kept per UTC day, so a local date would drop today's tickets in the evening
 * west of UTC.
 */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
