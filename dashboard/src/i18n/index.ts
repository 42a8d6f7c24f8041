import { en, type MessageKey } from './en.ts';
import { ptBR } from './pt-BR.ts';

/**
 * Two languages, one dictionary each. `pt-BR` is typed against the English
 * keys, and a unit test checks both have every key with the same {params}.
 */
export type { MessageKey };
export type Language = 'en' | 'pt-BR';
export const languages: readonly Language[] = ['en', 'pt-BR'];
export const dictionaries: Record<Language, Record<MessageKey, string>> = { en, 'pt-BR': ptBR };
export const languageNames: Record<Language, string> = { en: 'English', 'pt-BR': 'Português (Brasil)' };

let current: Language = 'en';

export const getLanguage = () => current;
export function setLanguage(lang: Language) {
  current = lang;
}

/** A message with its {params} filled in; an unknown param is left visible, never blank. */
export function t(key: MessageKey, params?: Record<string, string | number>, lang: Language = current): string {
  const text = dictionaries[lang][key] ?? en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A message key built from data (a status, a priority), falling back to the raw value. */
export function tr(prefix: string, value: string | number | null | undefined, lang: Language = current): string {
  if (value === null || value === undefined || value === '') return '—';
  const key = `${prefix}.${value}` as MessageKey;
  return key in dictionaries[lang] ? dictionaries[lang][key] : String(value);
}

/** Maps a BCP 47 tag to one of ours: any Portuguese reads pt-BR, any English reads en. */
export function matchLanguage(tag: string | null | undefined): Language | undefined {
  const t = (tag ?? '').trim().toLowerCase();
  if (t === 'pt' || t.startsWith('pt-') || t.startsWith('pt_')) return 'pt-BR';
  if (t === 'en' || t.startsWith('en-') || t.startsWith('en_')) return 'en';
  return undefined;
}

/** The agent's own choice first, then the browser's languages in order, then the desk's default. */
export function detectLanguage(opts: { stored?: string | null; browser?: readonly string[]; fallback?: string | null }): Language {
  const stored = matchLanguage(opts.stored);
  if (stored) return stored;
  for (const tag of opts.browser ?? []) {
    const lang = matchLanguage(tag);
    if (lang) return lang;
  }
  return matchLanguage(opts.fallback) ?? 'en';
}
