import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, newTotpSecret, totp, totpStep, verifyTotp } from '../../local/totp.ts';

/** RFC 6238, appendix B: the seeds, and 8-digit codes at six moments for SHA-1, SHA-256 and SHA-512. */
const seeds = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const vectors: [seconds: number, sha1: string, sha256: string, sha512: string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(vectors)('at %i s gives the published codes', (seconds, sha1, sha256, sha512) => {
    const step = totpStep(seconds * 1000);
    expect(hotp(seeds.sha1, step, 8, 'sha1')).toBe(sha1);
    expect(hotp(seeds.sha256, step, 8, 'sha256')).toBe(sha256);
    expect(hotp(seeds.sha512, step, 8, 'sha512')).toBe(sha512);
  });

  it('gives 6-digit SHA-1 codes from a base32 secret: the last six digits of the RFC codes', () => {
    const secret = base32Encode(seeds.sha1);
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    for (const [seconds, sha1] of vectors) expect(totp(secret, { nowMs: seconds * 1000 })).toBe(sha1.slice(-6));
  });

  it('RFC 4226 appendix D: HOTP for counters 0..9', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, i) => hotp(seeds.sha1, i))).toEqual(expected);
  });

  it('accepts the previous, current and next step and nothing further', () => {
    const secret = base32Encode(seeds.sha1);
    const now = 1111111111_000;
    const step = totpStep(now);
    expect(verifyTotp(secret, totp(secret, { step }), now)).toBe(step);
    expect(verifyTotp(secret, totp(secret, { step: step - 1 }), now)).toBe(step - 1);
    expect(verifyTotp(secret, totp(secret, { step: step + 1 }), now)).toBe(step + 1);
    expect(verifyTotp(secret, totp(secret, { step: step - 2 }), now)).toBeUndefined();
    expect(verifyTotp(secret, totp(secret, { step: step + 2 }), now)).toBeUndefined();
    expect(verifyTotp(secret, totp(secret, { step: step - 2 }), now, 2)).toBe(step - 2);
  });

  it('refuses codes that are not six digits, and a secret that is not base32', () => {
    const secret = base32Encode(seeds.sha1);
    const code = totp(secret, { nowMs: 59_000 });
    expect(verifyTotp(secret, ` ${code}`, 59_000)).toBeUndefined();
    expect(verifyTotp(secret, code.slice(1), 59_000)).toBeUndefined();
    expect(verifyTotp(secret, `${code}0`, 59_000)).toBeUndefined();
    expect(verifyTotp(secret, 'abcdef', 59_000)).toBeUndefined();
    expect(verifyTotp('not base32!', code, 59_000)).toBeUndefined();
    expect(() => totp('1', { nowMs: 0 })).toThrow(/base32/);
  });
});

describe('base32 (RFC 4648)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('%j is %j (without padding), and back', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded)?.toString()).toBe(plain);
  });

  it('decodes what a person types: lower case, spaces, hyphens, padding', () => {
    expect(base32Decode('mzxw 6ytb-oi======')?.toString()).toBe('foobar');
    expect(base32Decode('MZXW1')).toBeUndefined();
  });

  it('a new secret is 20 random bytes, 32 base32 characters', () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(a)).toHaveLength(20);
    expect(newTotpSecret()).not.toBe(a);
  });
});

describe('the dashboard’s setup link (dashboard/src/otpauth.ts)', () => {
  it('is an otpauth://totp URI with issuer "Help desk" and the email as label', async () => {
    const { groupSecret, otpauthUri } = await import('../../dashboard/src/otpauth.ts');
    expect(otpauthUri('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'ana+x@example.com')).toBe(
      'otpauth://totp/Help%20desk:ana%2Bx%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Help%20desk&algorithm=SHA1&digits=6&period=30',
    );
    expect(groupSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toBe('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
  });
});
