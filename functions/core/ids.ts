import { createHash, randomBytes } from 'node:crypto';

// Crockford base32, as in ULID: ids sort by creation time and read well in URLs.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A 26-character ULID-shaped id: 48 bits of milliseconds, 80 random bits. */
export function newId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i]! % 32];
  return time + rand;
}

export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * The same id every time for the same seed: a redelivered mail maps to the
 * ticket or message it created the first time, so a conditional write turns
 * the duplicate into a no-op. The time part keeps ids sortable.
 */
export function idFromSeed(seed: string, at: number): string {
  const digest = createHash('sha256').update(seed).digest();
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[digest[i]! % 32];
  return newId(at).slice(0, 10) + rand;
}
