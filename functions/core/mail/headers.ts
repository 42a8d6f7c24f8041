/**
 * A normalised view of a mail's headers, shared by loop detection and threading.
 * Names are lower-case (header names are case-insensitive, RFC 5322 §1.2.2); a
 * header may repeat, so each name maps to every value in order of appearance.
 */
export type MailHeaders = Map<string, string[]>;

/** Builds a header view from name/value pairs, lower-casing names and keeping repeats. */
export function mailHeaders(entries: Iterable<readonly [string, string | readonly string[]]>): MailHeaders {
  const h: MailHeaders = new Map();
  for (const [name, value] of entries) {
    const key = name.trim().toLowerCase();
    const list = h.get(key) ?? [];
    list.push(...(typeof value === 'string' ? [value] : value));
    h.set(key, list);
  }
  return h;
}

/** The first value of a header, or undefined when absent. */
export function header(h: MailHeaders, name: string): string | undefined {
  return h.get(name.toLowerCase())?.[0];
}

/** Every value of a header (empty when absent). */
export function headerValues(h: MailHeaders, name: string): string[] {
  return h.get(name.toLowerCase()) ?? [];
}

export function hasHeader(h: MailHeaders, name: string): boolean {
  return (h.get(name.toLowerCase())?.length ?? 0) > 0;
}

/** More ids than any real thread has; bounds the lookups a hostile References header can cause. */
export const MAX_MESSAGE_IDS = 100;
/** RFC 5322 caps a line at 998 characters; no real id is longer. */
const MAX_ID_LENGTH = 998;

/**
 * The Message-IDs in an In-Reply-To or References value, lower-case and without
 * angle brackets, de-duplicated, in order.
 *
 * Real headers are messier than the RFC: folded over lines, ids without
 * brackets, old-style phrases ("Your message of ..."), commas. When any
 * bracketed id is present only bracketed ids count, so stray words and
 * addresses in a phrase are not mistaken for ids; otherwise bare tokens that
 * contain an `@` are taken. Ids are compared lower-cased everywhere: ids we
 * store are normalised the same way.
 *
 * Over {@link MAX_MESSAGE_IDS}, the first id (the thread's root) and the most
 * recent ones (the parent and its ancestors) are kept.
 */
export function parseMessageIds(value: string): string[] {
  const bracketed: string[] = [];
  const bare: string[] = [];
  let outside = '';
  let i = 0;
  // One pass: text inside <...> is an id candidate; text outside is kept for the fallback.
  while (i < value.length) {
    const open = value.indexOf('<', i);
    if (open === -1) {
      outside += ' ' + value.slice(i);
      break;
    }
    outside += ' ' + value.slice(i, open);
    const close = value.indexOf('>', open + 1);
    if (close === -1) {
      // An unclosed bracket: treat the rest as bare text.
      outside += ' ' + value.slice(open + 1);
      break;
    }
    const id = normaliseId(value.slice(open + 1, close));
    if (id) bracketed.push(id);
    i = close + 1;
  }
  if (bracketed.length === 0) {
    for (const token of outside.split(/[\s,;]+/)) {
      if (token.includes('@')) {
        const id = normaliseId(trimPunctuation(token));
        if (id) bare.push(id);
      }
    }
  }
  const ids = [...new Set(bracketed.length > 0 ? bracketed : bare)];
  if (ids.length <= MAX_MESSAGE_IDS) return ids;
  return [ids[0]!, ...ids.slice(ids.length - (MAX_MESSAGE_IDS - 1))];
}

/** Strips quotes and parentheses around a bare token, by hand: `[...]+$` regexes go quadratic. */
function trimPunctuation(token: string): string {
  const strip = (c: string) => c === '"' || c === "'" || c === '(' || c === ')';
  let start = 0;
  let end = token.length;
  while (start < end && strip(token[start]!)) start++;
  while (end > start && strip(token[end - 1]!)) end--;
  return token.slice(start, end);
}

/** Folding whitespace inside an id is an artefact of broken folding, not part of the id. */
function normaliseId(raw: string): string | undefined {
  const id = raw.replace(/\s+/g, '').toLowerCase();
  if (id.length === 0 || id.length > MAX_ID_LENGTH || id.includes('<') || id.includes('>')) return undefined;
  return id;
}

/**
 * The bare address in a mailbox such as `"Ana" <Ana@Example.com>`, lower-case.
 * The last `<...>` wins, since display names may themselves contain brackets.
 */
export function bareAddress(mailbox: string): string {
  const open = mailbox.lastIndexOf('<');
  const close = mailbox.lastIndexOf('>');
  const inner = open !== -1 && close > open ? mailbox.slice(open + 1, close) : mailbox;
  return inner.trim().toLowerCase();
}

/** Splits an address at its last `@`. `domain` is empty when there is no `@`. */
export function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  if (at === -1) return { local: address, domain: '' };
  return { local: address.slice(0, at), domain: address.slice(at + 1).replace(/\.$/, '') };
}
