import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring links for customers: the satisfaction survey now, the
 * ticket status page later. Whoever holds the link may use it, so it carries
 * an HMAC over everything it claims (purpose, ticket, expiry, extra data) and
 * a stranger can neither forge one nor turn one link into another: the
 * purpose is inside the signed payload, so a status link is never a survey
 * link.
 *
 * Shape: `<base64url JSON payload>.<base64url HMAC-SHA256>`, no padding, all
 * URL-safe; a survey link with a ULID ticket id and a rating is about 150
 * characters. The MAC covers the payload exactly as encoded, and the
 * signature is compared as text, so there is one valid spelling per token:
 * base64url's unused low bits in a last character cannot be flipped.
 *
 * Expiry: `exp` is the last valid second. A link verifies while
 * `now <= exp` and is expired from `exp + 1` on.
 *
 * The expiry is trusted only after the signature: verifyLink checks, in
 * order, size and shape (malformed), signature (bad_signature), payload
 * (malformed), purpose (wrong_purpose), expiry (expired). The payload is
 * parsed only once it is known to be ours.
 */
export type LinkPurpose = 'survey' | 'status';

export interface LinkClaims {
  purpose: LinkPurpose;
  ticketId: string;
  /** Seconds since epoch: the last second at which the link is valid. */
  exp: number;
  /** Extra short string fields, e.g. `{ r: '4' }`. */
  data?: Record<string, string>;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_purpose' };

/** Tokens longer than this are refused unread; signLink never makes one. */
export const MAX_TOKEN_LENGTH = 1000;
/** The shortest secret accepted: 32 characters. */
export const MIN_SECRET_LENGTH = 32;

const PURPOSES: readonly LinkPurpose[] = ['survey', 'status'];
/** Domain separation: a MAC made for another purpose with the same secret never validates here. */
const CONTEXT = 'helpdesk/signed-link/v1\n';
/** 32 bytes of HMAC-SHA256 in unpadded base64url. */
const SIGNATURE_CHARS = 43;
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
const MAX_TICKET_ID_LENGTH = 128;

/** The payload as serialised: short keys keep the link short. */
interface Payload {
  p: LinkPurpose;
  t: string;
  e: number;
  d?: Record<string, string>;
}

export function signLink(claims: LinkClaims, secret: string): string {
  checkSecret(secret);
  checkClaims(claims);
  const payload: Payload = { p: claims.purpose, t: claims.ticketId, e: claims.exp };
  if (claims.data !== undefined) payload.d = { ...claims.data };
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const token = `${encoded}.${mac(encoded, secret)}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new RangeError(`A signed link must be at most ${MAX_TOKEN_LENGTH} characters; shorten its data`);
  return token;
}

export function verifyLink(token: string, purpose: LinkPurpose, secret: string, nowSeconds: number): LinkCheck {
  checkSecret(secret);
  if (!PURPOSES.includes(purpose)) throw new TypeError('Unknown link purpose');
  if (!Number.isFinite(nowSeconds)) throw new TypeError('nowSeconds must be a finite number');
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) return fail('malformed');

  const dot = token.indexOf('.');
  const encoded = token.slice(0, dot);
  const expected = Buffer.from(mac(encoded, secret), 'ascii');
  const given = Buffer.from(token.slice(dot + 1), 'ascii');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return fail('bad_signature');

  const claims = readPayload(encoded);
  if (!claims) return fail('malformed');
  if (claims.purpose !== purpose) return fail('wrong_purpose');
  if (nowSeconds > claims.exp) return fail('expired');
  return { ok: true, claims };
}

function fail(reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_purpose'): LinkCheck {
  return { ok: false, reason };
}

function mac(encodedPayload: string, secret: string): string {
  const sig = createHmac('sha256', secret).update(CONTEXT + encodedPayload).digest('base64url');
  // Node writes base64url unpadded; the length is fixed by SHA-256.
  if (sig.length !== SIGNATURE_CHARS) throw new Error('Unexpected signature length');
  return sig;
}

function checkSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`The signed-link secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
}

function checkClaims(claims: LinkClaims): void {
  if (!PURPOSES.includes(claims.purpose)) throw new TypeError('Unknown link purpose');
  if (!validTicketId(claims.ticketId)) throw new TypeError('A signed link needs a ticket id');
  if (!validExp(claims.exp)) throw new TypeError('A signed link needs exp as whole seconds since epoch');
  if (claims.data !== undefined && !validData(claims.data)) throw new TypeError('Signed link data must map names to strings');
}

/** The claims in a payload we signed, or undefined when it is not exactly the shape signLink writes. */
function readPayload(encoded: string): LinkClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const key of Object.keys(value)) if (!['p', 't', 'e', 'd'].includes(key)) return undefined;
  const { p, t, e, d } = value;
  if (typeof p !== 'string' || !(PURPOSES as readonly string[]).includes(p)) return undefined;
  if (!validTicketId(t) || !validExp(e)) return undefined;
  if (d !== undefined && !validData(d)) return undefined;
  const claims: LinkClaims = { purpose: p as LinkPurpose, ticketId: t, exp: e };
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  if (d !== undefined) claims.data = Object.fromEntries(Object.entries(d));
  return claims;
}

function validTicketId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_TICKET_ID_LENGTH;
}

function validExp(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function validData(v: unknown): v is Record<string, string> {
  return isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
