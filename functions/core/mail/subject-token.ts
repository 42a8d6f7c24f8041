/**
 * The ticket number in a subject line, e.g. `Re: [#1234] Printer on fire`.
 * It is the last-resort thread key for clients that drop References and strip
 * plus-addresses, and it tells the customer which ticket a mail is about.
 *
 * Accepted forms (decided here, documented for support staff):
 * - `[#1234]`: the form we write;
 * - `[Tag #1234]` or `[Tag#1234]`: a short desk tag (letters, digits, space,
 *   `.`, `_`, `-`, at most 30 characters) before the `#`, as some desks write.
 * Not accepted: `[# 1234]`, `#1234` without brackets, or more than 10 digits.
 * The bare `#1234` form is too common in ordinary prose ("invoice #1234").
 *
 * A token alone proves nothing: anyone can type it. Threading accepts it only
 * from the ticket's requester or a participant (see threading.ts).
 */
const TOKEN = /\[(?:[\p{L}\p{N}_.-][\p{L}\p{N} _.-]{0,29})?#(\d{1,10})\]/gu;
/** More than any honest subject carries; bounds the lookups one subject can cause. */
const MAX_TOKENS = 5;

/** Ticket numbers in a subject, in order of appearance, without repeats. */
export function findSubjectTokens(subject: string): number[] {
  const found: number[] = [];
  for (const m of subject.matchAll(TOKEN)) {
    const n = Number(m[1]);
    if (n > 0 && !found.includes(n)) found.push(n);
    if (found.length === MAX_TOKENS) break;
  }
  return found;
}

/** Reply and forward prefixes in the languages our customers use (Re, AW, RES, Fwd, ENC, WG, SV, ...). */
const PREFIX = /(?:re|aw|res|fwd|fw|tr|wg|enc|sv|vs|antw|rif|odp|r)(?:\s*\[\d{1,4}\])?\s*:\s*/iy;

/**
 * Puts `[#number]` into a subject. Idempotent; removes tokens of other tickets
 * (a mail about this ticket must not thread onto another one); keeps reply and
 * forward prefixes in front, so `Re: Help` becomes `Re: [#12] Help` and mail
 * clients still see a reply. Control characters become spaces, which also
 * keeps the result safe as a header value.
 */
export function withSubjectToken(subject: string, number: number): string {
  if (!Number.isSafeInteger(number) || number <= 0 || number > 9_999_999_999) {
    throw new RangeError(`Not a ticket number: ${number}`);
  }
  let hasOwn = false;
  const cleaned = collapse(
    subject.replace(TOKEN, (token, digits: string) => {
      if (Number(digits) !== number) return ' ';
      hasOwn = true;
      return token;
    }),
  );
  if (hasOwn) return cleaned;
  const { prefix, rest } = splitPrefix(cleaned);
  return collapse(`${prefix} [#${number}] ${rest}`);
}

/** The leading run of reply/forward prefixes, verbatim, and the rest of the subject. */
export function splitPrefix(subject: string): { prefix: string; rest: string } {
  let end = 0;
  PREFIX.lastIndex = 0;
  while (PREFIX.exec(subject)) end = PREFIX.lastIndex;
  return { prefix: subject.slice(0, end).trim(), rest: subject.slice(end).trim() };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;

function collapse(s: string): string {
  return s.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}
