import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords of the local user pool are kept as scrypt hashes, never as text:
 * `scrypt$<N>$<r>$<p>$<salt>$<key>` (salt and key base64url). The cost is read
 * back from the stored value, so raising it later keeps older hashes working.
 */
const COST = { N: 16_384, r: 8, p: 1 };
const KEY_BYTES = 32;

const derive = (password: string, salt: Buffer, o: ScryptOptions & { N: number; r: number; p: number }, keyBytes: number) =>
  new Promise<Buffer>((ok, fail) =>
    // 128·N·r bytes of memory: allow what the cost needs, with room.
    scrypt(password.normalize('NFC'), salt, keyBytes, { ...o, maxmem: 256 * o.N * o.r }, (err, key) => (err ? fail(err) : ok(key))),
  );

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST, KEY_BYTES);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export const isPasswordHash = (value: unknown): value is string => typeof value === 'string' && /^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/.test(value);

/** Whether `password` is the one hashed in `stored`; false for a missing or malformed hash, after the same work. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parts = isPasswordHash(stored) ? stored.split('$') : undefined;
  const [N, r, p] = parts ? parts.slice(1, 4).map(Number) : [COST.N, COST.r, COST.p];
  // A cost outside what this module writes is refused rather than computed (memory, time).
  const sane = parts && N! >= 1024 && N! <= 1_048_576 && (N! & (N! - 1)) === 0 && r! >= 1 && r! <= 32 && p! >= 1 && p! <= 16;
  const salt = sane ? Buffer.from(parts[4]!, 'base64url') : randomBytes(16);
  const expected = sane ? Buffer.from(parts[5]!, 'base64url') : randomBytes(KEY_BYTES);
  const key = await derive(password, salt, sane ? { N: N!, r: r!, p: p! } : COST, expected.length || KEY_BYTES);
  return Boolean(sane) && key.length === expected.length && timingSafeEqual(key, expected);
}
