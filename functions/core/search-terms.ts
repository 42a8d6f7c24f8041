import { DomainError } from './errors.ts';

/**
 * Subject search, the pure part. A ticket's subject is cut into normalized
 * words when the ticket is created (one index item per word); a search query
 * is cut the same way, so "Impressão" finds "impressao" and "IMPRESSÃO".
 * Numbers are matched but not indexed: "pedido 4512" reads the index of
 * "pedido" and keeps the subjects that also hold 4512.
 */

/** Index items per ticket: a create transaction holds at most 100 items, and words share it. */
export const MAX_INDEXED_WORDS = 20;
/** Words one search may ask for. */
export const MAX_QUERY_WORDS = 5;
export const MAX_QUERY_LENGTH = 200;
/** A word shorter than this is not indexed nor searched. */
export const MIN_WORD_LENGTH = 2;
/** DynamoDB keys are bounded; no real word is this long. */
const MAX_WORD_LENGTH = 40;

/**
 * Function words (articles, pronouns, prepositions, conjunctions, auxiliaries)
 * in English and Portuguese, and mail reply prefixes: they say nothing about a
 * ticket. Dropped on both sides, so they never cost an index item nor miss a
 * match. Negations ("not", "cannot", "não", "sem") stay: "não imprime" is a
 * different problem.
 */
const STOP_WORDS = new Set([
  // English
  'about', 'after', 'all', 'am', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'been', 'before', 'but', 'by', 'can', 'could', 'did', 'do', 'does', 'for',
  'from', 'had', 'has', 'have', 'he', 'her', 'his', 'how', 'if', 'in', 'into', 'is', 'it', 'its', 'me', 'my', 'of', 'on', 'or', 'our', 'she', 'since',
  'so', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those', 'to', 'us', 'was', 'we', 'were', 'what', 'when',
  'which', 'who', 'why', 'will', 'with', 'would', 'you', 'your',
  // Portuguese (accents already removed)
  'ao', 'aos', 'apos', 'as', 'ate', 'com', 'como', 'da', 'das', 'de', 'desde', 'do', 'dos', 'ela', 'elas', 'ele', 'eles', 'em', 'essa', 'esse', 'esta',
  'estao', 'este', 'estou', 'eu', 'foi', 'isso', 'isto', 'ja', 'lhe', 'mas', 'meu', 'meus', 'minha', 'minhas', 'na', 'nas', 'no', 'nos', 'num', 'numa',
  'os', 'ou', 'para', 'pela', 'pelas', 'pelo', 'pelos', 'por', 'quando', 'que', 'se', 'seu', 'seus', 'sua', 'suas', 'sobre', 'tem', 'um', 'uma',
  'voce',
  // Reply and forward prefixes of mail subjects
  're', 'fw', 'fwd', 'enc', 'res',
]);

/** Lower case, accents removed (compatibility decomposition, combining marks dropped): "Ação" → "acao". */
export function foldWord(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

const isNumber = (word: string) => /^\p{N}+$/u.test(word);

/**
 * The distinct words of a text that count in a search, in order of first
 * appearance: letters and digits only, at least two of them, function words
 * left out.
 */
export function searchTerms(text: string): string[] {
  const out = new Set<string>();
  for (const raw of foldWord(text).split(/[^\p{L}\p{N}]+/u)) {
    const word = raw.slice(0, MAX_WORD_LENGTH);
    if (word.length >= MIN_WORD_LENGTH && !STOP_WORDS.has(word)) out.add(word);
  }
  return [...out];
}

/** The words of a subject that get an index item: its search terms but numbers, at most `max`. */
export function searchWords(text: string, max = MAX_INDEXED_WORDS): string[] {
  return searchTerms(text)
    .filter((w) => !isNumber(w))
    .slice(0, max);
}

/** Whether a subject holds every one of the (already normalized) terms. */
export function subjectMatches(subject: string, terms: readonly string[]): boolean {
  const have = new Set(searchTerms(subject));
  return terms.every((w) => have.has(w));
}

/**
 * A subject search: every term must be in the subject; `indexed` are the ones
 * whose index is read (numbers only narrow what the words find).
 */
export type SearchQuery = { kind: 'number'; number: number } | { kind: 'requester'; email: string } | { kind: 'words'; words: string[]; indexed: string[] };

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
  const words = searchTerms(text);
  if (words.length > MAX_QUERY_WORDS) throw new InvalidSearchError('too_many_words', `Search for at most ${MAX_QUERY_WORDS} words at once`);
  const indexed = words.filter((w) => !isNumber(w));
  if (indexed.length === 0) {
    throw new InvalidSearchError(
      'search_too_short',
      `Search for a word of at least ${MIN_WORD_LENGTH} letters (common words such as "the" or "de" are not searched; a number alone finds a ticket number)`,
    );
  }
  return { kind: 'words', words, indexed };
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
