import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, verifyPassword } from '../../local/password-hash.ts';
import { hashStoredPasswords, type LocalUser } from '../../local/issuer.ts';

describe('local user pool password store', () => {
  it('keeps an scrypt hash, salted per password, that verifies only the right password', async () => {
    const a = await hashPassword('Choose-A-Good-1');
    const b = await hashPassword('Choose-A-Good-1');
    expect(isPasswordHash(a)).toBe(true);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toContain('Choose-A-Good-1');
    expect(a).not.toBe(b);
    expect(await verifyPassword('Choose-A-Good-1', a)).toBe(true);
    expect(await verifyPassword('Choose-A-Good-1', b)).toBe(true);
    expect(await verifyPassword('Choose-A-Good-2', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('refuses missing, malformed and unreasonable hashes instead of throwing', async () => {
    for (const stored of [undefined, '', 'Choose-A-Good-1', 'scrypt$16384$8$1$$', 'scrypt$3$8$1$c2FsdA$a2V5', 'scrypt$1073741824$8$1$c2FsdA$a2V5']) {
      expect(await verifyPassword('Choose-A-Good-1', stored), String(stored)).toBe(false);
    }
  });

  it('hashes the passwords an older users.json kept as text', async () => {
    const users: LocalUser[] = [
      { email: 'old@example.com', password: 'Old-Plain-Text-1', groups: [], sub: 's1' },
      { email: 'new@example.com', passwordHash: await hashPassword('New-Hashed-1'), groups: [], sub: 's2' },
    ];
    expect(await hashStoredPasswords(users)).toBe(true);
    expect(JSON.stringify(users)).not.toContain('Old-Plain-Text-1');
    expect(users[0]).not.toHaveProperty('password');
    expect(await verifyPassword('Old-Plain-Text-1', users[0]!.passwordHash)).toBe(true);
    expect(await hashStoredPasswords(users)).toBe(false);
  });
});
