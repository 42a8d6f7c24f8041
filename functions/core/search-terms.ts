import { DomainError } from './errors.ts';

/**
 * Subject search, the pure part. A ticket's subject is cut into normalized
 * words when the ticket is created (one index item per word); a search query
 * is cut the same way, so "Impressão" finds "impressao" and "IMPRESSÃO".
 */

/** Index items per ticket: a create transaction holds at most 100 items, and words share it. */
export const MAX_INDEXED_WORDS = 20;
/** Words one search may ask for (each is one Query). */
export const MAX_QUERY_WORDS = 5;
export const MAX_QUERY_LENGTH = 200;
/** A word shorter than this is not indexed nor searched. */
export const MIN_WORD_LENGTH = 2;
/** DynamoDB keys are bounded; no real word is this long. */
const MAX_WORD_LENGTH = 40;

/**
 * Words so common that they say nothing about a ticket (English and Portuguese).
 * Dropped on both sides, so they never cost an index item nor miss a match.
 * Negations ("not", "não", "nao") stay: "não imprime" is a different problem.
 */
const STOP_WORDS = new Set([
  // English
  'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'its', 'me', 'my', 'of', 'on', 'or', 'our', 'so', 'the', 'to', 'we', 'with',
  // Portuguese (accents already removed)
  'ao', 'aos', 'as', 'com', 'da', 'das', 'de', 'do', 'dos', 'em', 'na', 'nas', 'no', 'nos', 'os', 'ou', 'para', 'pela', 'pelo', 'por', 'que', 'se', 'um', 'uma',
  // Reply and forward prefixes of mail subjects
  're', 'fw', 'fwd', 'enc', 'res',
]);

/** Lower case, accents removed (compatibility decomposition, combining marks dropped): "Ação" → "acao". */
export function foldWord(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/**
 * The distinct searchable words of a text, in order of first appearance:
 * letters and digits only, at least two of them, common words left out,
 * at most `max`.
 */
export function searchWords(text: string, max = MAX_INDEXED_WORDS): string[] {
  const out: string[] = [];
  for (const raw of foldWord(text).split(/[^\p{L}\p{N}]+/u)) {
    if (out.length >= max) break;
    const word = raw.slice(0, MAX_WORD_LENGTH);
    if (word.length < MIN_WORD_LENGTH || STOP_WORDS.has(word) || out.includes(word)) continue;
    out.push(word);
  }
  return out;
}

/** Whether a subject holds every one of the (already normalized) words. */
export function subjectMatches(subject: string, words: readonly string[]): boolean {
  const have = new Set(searchWords(subject, Number.POSITIVE_INFINITY));
  return words.every((w) => have.has(w));
}

export type SearchQuery = { kind: 'number'; number: number } | { kind: 'requester'; email: string } | { kind: 'words'; words: string[] };

export class InvalidSearchError extends DomainError {}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

/**
 * What a search box's text asks for: `#123` or `123` is a ticket number, text
 * with an `@` a requester's address, anything else subject words (all of them
 * must match). Unclear input is an InvalidSearchError (a 400), never an empty
 * answer that looks like "nothing found".
 */
export function parseSearch(q: string): SearchQuery {
  const text = q.trim();
  if (text.length === 0) throw new InvalidSearchError('search_empty', 'Type a ticket number, an email address or words from the subject');
  if (text.length > MAX_QUERY_LENGTH) throw new InvalidSearchError('search_too_long', `A search is at most ${MAX_QUERY_LENGTH} characters`);
  const number = /^#\s*(\d+)$|^(\d+)$/.exec(text);
  if (number) {
    const n = Number(number[1] ?? number[2]);
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidSearchError('invalid_ticket_number', 'That is not a ticket number');
    return { kind: 'number', number: n };
  }
  if (text.includes('@')) {
    const email = text.toLowerCase();
    if (!EMAIL.test(email) || email.length > 254) throw new InvalidSearchError('invalid_email', 'Search by requester needs one whole email address, such as maria@example.com');
    return { kind: 'requester', email };
  }
  const words = searchWords(text, Number.POSITIVE_INFINITY);
  if (words.length === 0) {
    throw new InvalidSearchError('search_too_short', `Search for words of at least ${MIN_WORD_LENGTH} letters (common words such as "the" or "de" are not searched)`);
  }
  if (words.length > MAX_QUERY_WORDS) throw new InvalidSearchError('too_many_words', `Search for at most ${MAX_QUERY_WORDS} words at once`);
  return { kind: 'words', words };
}

/** What a word's index item carries: enough to check every word without reading the ticket. */
export interface IndexedSubject {
  id: string;
  subject: string;
  createdAt: string;
}

/**
 * The tickets that hold every word, newest first, from each word's newest
 * index entries. An entry from any word's list counts once its own subject is
 * checked for all the words, so a ticket is found even when a very common word
 * cut off its list before reaching it: the answer is exact whenever one of the
 * words' lists was read to its end.
 */
export function matchIndexed(lists: readonly (readonly IndexedSubject[])[], words: readonly string[], limit: number): string[] {
  const seen = new Map<string, IndexedSubject>();
  for (const list of lists) for (const item of list) if (!seen.has(item.id)) seen.set(item.id, item);
  return [...seen.values()]
    .filter((item) => subjectMatches(item.subject, words))
    .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
    .slice(0, limit)
    .map((item) => item.id);
}
