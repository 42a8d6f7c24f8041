import { createHmac, timingSafeEqual } from 'node:crypto';
import { ID_PATTERN } from '../ids.ts';
import { bareAddress, splitAddress } from './headers.ts';

/**
 * The reply token in our Reply-To address, `support+<token>@desk.example.com`.
 * It threads replies from clients that drop In-Reply-To and References, and,
 * unlike a subject token, it cannot be forged: it carries an HMAC of the ticket
 * id, so a stranger cannot make a mail land on someone else's ticket by
 * guessing ids.
 *
 * Shape: `<ticket id, lower-case>-<10 chars of MAC>`, 37 characters, all in
 * lower-case Crockford base32 plus one hyphen. Mail systems often lower-case
 * local parts, so the token is lower-case to begin with and read
 * case-insensitively; a hyphen is valid anywhere in a dot-atom local part.
 * 50 bits of MAC make a blind forgery a one-in-10^15 guess.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const MAC_CHARS = 10;
const TOKEN = /^[0-9a-hjkmnp-tv-z]{26}-[0-9a-hjkmnp-tv-z]{10}$/;
/** Domain separation: a MAC made for another purpose with the same secret never validates here. */
const CONTEXT = 'helpdesk/reply-token/v1\n';

export function makeReplyToken(ticketId: string, secret: string): string {
  if (!ID_PATTERN.test(ticketId)) throw new TypeError('Not a ticket id');
  return `${ticketId.toLowerCase()}-${mac(ticketId, secret)}`;
}

/** The ticket id in a genuine token, or undefined for anything tampered, truncated or malformed. */
export function readReplyToken(token: string, secret: string): string | undefined {
  if (token.length !== 26 + 1 + MAC_CHARS) return undefined;
  const t = token.toLowerCase();
  if (!TOKEN.test(t)) return undefined;
  // TOKEN admits exactly the lower-cased alphabet of ID_PATTERN, so this is a well-formed id.
  const ticketId = t.slice(0, 26).toUpperCase();
  const expected = Buffer.from(mac(ticketId, secret), 'ascii');
  const given = Buffer.from(t.slice(27), 'ascii');
  return timingSafeEqual(expected, given) ? ticketId : undefined;
}

/** `support@desk.example.com` + token → `support+token@desk.example.com`. */
export function plusAddress(address: string, token: string): string {
  const { local, domain } = splitAddress(bareAddress(address));
  if (!local || !domain) throw new TypeError('Not an address');
  return `${local}+${token}@${domain}`;
}

/**
 * The plus tag of a recipient addressed to one of our support addresses, or
 * undefined. Matching is case-insensitive on both parts; the tag is returned
 * lower-case and is unverified (pass it to readReplyToken).
 */
export function tokenFromRecipient(recipient: string, supportAddresses: string[]): string | undefined {
  const r = splitAddress(stripQuotes(bareAddress(recipient)));
  if (!r.domain) return undefined;
  for (const support of supportAddresses) {
    const s = splitAddress(bareAddress(support));
    if (!s.local || s.domain !== r.domain) continue;
    if (r.local.startsWith(s.local + '+')) {
      const tag = r.local.slice(s.local.length + 1);
      if (tag) return tag;
    }
  }
  return undefined;
}

/** `"support+tok"@domain` is legal (a quoted local part); unquote it. */
function stripQuotes(address: string): string {
  const { local, domain } = splitAddress(address);
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) return `${local.slice(1, -1)}@${domain}`;
  return address;
}

function mac(ticketId: string, secret: string): string {
  if (!secret) throw new TypeError('The reply token secret is empty');
  const digest = createHmac('sha256', secret).update(CONTEXT + ticketId.toUpperCase()).digest();
  return base32(digest, MAC_CHARS);
}

/** The first `chars` base32 characters of `bytes`, most significant bits first. */
function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === chars) break;
  }
  return out;
}
