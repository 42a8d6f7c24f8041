/**
 * Safe handling of text from outside (mail headers, file names, API input).
 * JavaScript strings are UTF-16: cutting one by `.slice` can split an emoji's
 * surrogate pair, and decoders (an RFC 2047 word in UTF-16) can produce a lone
 * surrogate. Such a string throws `URIError` in `encodeURIComponent`, so it
 * must never reach one. Every cut and every encoding of outside text goes
 * through these helpers.
 */

const REPLACEMENT = '\ufffd';
/** A high surrogate with no low one after it, or a low one with no high one before it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** True when the string has no lone surrogate (it can be encoded as UTF-8 as it is). */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** The string with every lone surrogate replaced by U+FFFD (what a UTF-8 encoder writes for it). */
export function wellFormed(s: string): string {
  return isWellFormed(s) ? s : s.replace(LONE_SURROGATES, REPLACEMENT);
}

/** At most `max` UTF-16 code units, never ending on half of a surrogate pair; lone surrogates replaced. */
export function truncate(s: string, max: number): string {
  const clean = wellFormed(s);
  if (clean.length <= max) return clean;
  const end = max > 0 && isHighSurrogate(clean.charCodeAt(max - 1)) ? max - 1 : max;
  return clean.slice(0, Math.max(0, end));
}

/** At most `max` UTF-8 bytes without splitting a character; lone surrogates replaced. */
export function clipBytes(s: string, max: number): string {
  const clean = wellFormed(s);
  if (Buffer.byteLength(clean) <= max) return clean;
  let lo = 0;
  let hi = clean.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(clean.slice(0, mid)) <= max) lo = mid;
    else hi = mid - 1;
  }
  return truncate(clean, lo);
}

/**
 * `encodeURIComponent` that never throws, with the encoded result at most
 * `maxEncoded` characters: the text is cut (whole characters only) before it
 * is encoded, so a long name of emoji cannot outgrow an S3 key.
 */
export function encodeComponent(s: string, maxEncoded = Infinity): string {
  const clean = wellFormed(s);
  const full = encodeURIComponent(clean);
  if (full.length <= maxEncoded) return full;
  let out = '';
  for (const ch of clean) {
    const part = encodeURIComponent(ch);
    if (out.length + part.length > maxEncoded) break;
    out += part;
  }
  return out;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** True when every string (keys included) in a parsed JSON value is well formed; walked without recursion, whatever the nesting. */
export function jsonWellFormed(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return false;
    } else if (Array.isArray(v)) {
      // One at a time: spreading a long array into push() would overflow the call stack.
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (!isWellFormed(k)) return false;
        stack.push(child);
      }
    }
  }
  return true;
}
