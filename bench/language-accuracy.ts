import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { detectLanguage, type LanguageDetector } from '../functions/core/language.ts';

/**
 * How right the language detection is on labelled tickets: the development
 * corpus beside the project (../shared/corpora/labelled-tickets, CC BY-NC 4.0,
 * read where it lies, never copied into the project). Used by bench/language.ts
 * and tests/unit/language.test.ts; bench/triage can print the same figures by
 * calling languageAccuracy on its own split (with `await languageDetector()`).
 */
export interface LabelledTicket {
  subject: string;
  body: string;
  /** The corpus labels: `en` or `pt`. */
  language: string;
}

export const labelledCorpus = resolve(import.meta.dirname, '../../shared/corpora/labelled-tickets/tickets.jsonl');

/** The corpus tickets, or undefined when the corpus is not beside the project. */
export function labelledTickets(file = labelledCorpus): LabelledTicket[] | undefined {
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const t = JSON.parse(line) as { subject?: string | null; body?: string | null; language: string };
      // Some tickets have no subject: the body alone is what the customer wrote.
      return { subject: t.subject ?? '', body: t.body ?? '', language: t.language };
    });
}

export interface LanguageScore {
  total: number;
  right: number;
  /** Detection answered undefined (the desk default would apply). */
  unsure: number;
  /** What was answered instead, and the subject (or the start of the body). */
  wrong: string[];
}

/** Per corpus language: right means the tag's primary subtag is the label (pt-BR for pt). */
export function languageAccuracy(tickets: LabelledTicket[], detect: LanguageDetector): Record<string, LanguageScore> {
  const scores: Record<string, LanguageScore> = {};
  for (const t of tickets) {
    const s = (scores[t.language] ??= { total: 0, right: 0, unsure: 0, wrong: [] });
    s.total++;
    const { language } = detectLanguage(t.subject, t.body, detect);
    if (language?.split('-')[0] === t.language) s.right++;
    else {
      if (language === undefined) s.unsure++;
      s.wrong.push(`${language ?? 'unsure'}: ${(t.subject || t.body).slice(0, 60)}`);
    }
  }
  return scores;
}

/**
 * Accuracy on short texts: windows of `chars` characters from each ticket's
 * body, the length of a one-line mail. Answers counted apart when unsure.
 */
export function shortTextAccuracy(tickets: LabelledTicket[], chars: number, detect: LanguageDetector): { samples: number; right: number; unsure: number } {
  let samples = 0;
  let right = 0;
  let unsure = 0;
  for (const t of tickets) {
    for (let at = 0; at + chars <= Math.min(t.body.length, 600 + chars); at += 97) {
      samples++;
      const { language } = detectLanguage('', t.body.slice(at, at + chars), detect);
      if (language === undefined) unsure++;
      else if (language.split('-')[0] === t.language) right++;
    }
  }
  return { samples, right, unsure };
}
