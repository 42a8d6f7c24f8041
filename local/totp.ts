import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Time-based one-time passwords as authenticator apps make them (RFC 6238 over
 * RFC 4226's HOTP): HMAC-SHA-1 of the 30-second step count, 6 digits, and a
 * secret shared as base32 (RFC 4648, no padding), which is what Cognito's
 * AssociateSoftwareToken hands out. Local mode's user pool checks sign-in codes
 * with it; tests compute the codes an agent's phone would show.
 */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Decodes base32, ignoring case, spaces, hyphens and padding (as people type a secret); undefined for anything else. */
export function base32Decode(text: string): Buffer | undefined {
  const clean = text.toUpperCase().replace(/[\s-]/g, '').replace(/=+$/, '');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) return undefined;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommended length) in base32, 32 characters. */
export const newTotpSecret = () => base32Encode(randomBytes(20));

/** RFC 4226 HOTP: the counter as 8 big-endian bytes, HMAC, dynamic truncation, `digits` decimal digits. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step (RFC 6238's T) for a moment in milliseconds since the epoch. */
export const totpStep = (nowMs: number) => Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);

/** The code a base32 secret gives at a moment (ms since the epoch), or at an explicit step. */
export function totp(secret: string, at: { nowMs?: number; step?: number } = {}): string {
  const key = base32Decode(secret);
  if (!key || key.length === 0) throw new Error('the TOTP secret is not base32');
  return hotp(key, at.step ?? totpStep(at.nowMs ?? Date.now()));
}

/**
 * Checks a code against the steps within `window` of now (1: the previous,
 * current and next 30 s, for clocks a little apart and slow typing). Returns the
 * step that matched, so a caller can refuse the same code twice, or undefined.
 */
export function verifyTotp(secret: string, code: string, nowMs: number, window = 1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const key = base32Decode(secret);
  if (!key || key.length === 0) return undefined;
  const current = totpStep(nowMs);
  const given = Buffer.from(code);
  let matched: number | undefined;
  // Every candidate is compared, in constant time, whichever matches.
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    if (timingSafeEqual(Buffer.from(hotp(key, step)), given) && matched === undefined) matched = step;
  }
  return matched;
}
