import { describe, expect, it } from 'vitest';
import { newId } from '../../../functions/core/ids.ts';
import { makeReplyToken, plusAddress, readReplyToken, tokenFromRecipient } from '../../../functions/core/mail/reply-token.ts';

const secret = 'test-secret-please-change';
const id = '01HX7Z8K9QPRSTVWXYZ0123456';

describe('makeReplyToken / readReplyToken', () => {
  it('makes a short lower-case token that is valid in a local part', () => {
    const token = makeReplyToken(id, secret);
    expect(token).toMatch(/^[0-9a-z]{26}-[0-9a-z]{10}$/);
    expect(token.startsWith(id.toLowerCase() + '-')).toBe(true);
    expect(`support+${token}`.length).toBeLessThanOrEqual(64);
  });

  it('is deterministic and round-trips', () => {
    const token = makeReplyToken(id, secret);
    expect(makeReplyToken(id, secret)).toBe(token);
    expect(readReplyToken(token, secret)).toBe(id);
    const fresh = newId();
    expect(readReplyToken(makeReplyToken(fresh, secret), secret)).toBe(fresh);
  });

  it('survives a mail system changing its case', () => {
    const token = makeReplyToken(id, secret);
    expect(readReplyToken(token.toUpperCase(), secret)).toBe(id);
  });

  it('rejects a token made with another secret', () => {
    expect(readReplyToken(makeReplyToken(id, 'other-secret'), secret)).toBeUndefined();
  });

  it('rejects a token whose id was swapped for another ticket', () => {
    const token = makeReplyToken(id, secret);
    const other = '01HX7Z8K9QPRSTVWXYZ0123457';
    expect(readReplyToken(other.toLowerCase() + token.slice(26), secret)).toBeUndefined();
  });

  it.each([
    '', 'abc', '-', `${id.toLowerCase()}-`, `${id.toLowerCase()}`, `${id.toLowerCase()}-0000000000`, `${id.toLowerCase()}_abcdefghjk`,
    `${'i'.repeat(26)}-${'0'.repeat(10)}`, `${'8'.repeat(26)}-${'0'.repeat(10)}`, ' '.repeat(37), '\u0000'.repeat(37), '💥'.repeat(20),
  ])('rejects malformed token %j', (token) => {
    expect(readReplyToken(token, secret)).toBeUndefined();
  });

  it('rejects truncated and extended tokens', () => {
    const token = makeReplyToken(id, secret);
    expect(readReplyToken(token.slice(0, -1), secret)).toBeUndefined();
    expect(readReplyToken(token + '0', secret)).toBeUndefined();
    expect(readReplyToken(' ' + token, secret)).toBeUndefined();
  });

  it('refuses bad ids and an empty secret', () => {
    expect(() => makeReplyToken('not-an-id', secret)).toThrow(TypeError);
    expect(() => makeReplyToken(id.toLowerCase(), secret)).toThrow(TypeError);
    expect(() => makeReplyToken(id, '')).toThrow(/secret/);
    expect(() => readReplyToken(makeReplyToken(id, secret), '')).toThrow(/secret/);
  });
});

describe('plusAddress / tokenFromRecipient', () => {
  const support = ['support@desk.example.com', 'Ajuda <ajuda@desk.example.com.br>'];

  it('builds a plus address and reads it back', () => {
    const token = makeReplyToken(id, secret);
    const address = plusAddress('support@desk.example.com', token);
    expect(address).toBe(`support+${token}@desk.example.com`);
    expect(tokenFromRecipient(address, support)).toBe(token);
    expect(plusAddress('Help <Support@Desk.Example.com>', 'x')).toBe('support+x@desk.example.com');
    expect(() => plusAddress('nobody', 'x')).toThrow(TypeError);
  });

  it('matches case-insensitively, with display names and quoted local parts', () => {
    expect(tokenFromRecipient('SUPPORT+ABC@DESK.EXAMPLE.COM', support)).toBe('abc');
    expect(tokenFromRecipient('"Desk" <support+abc@desk.example.com>', support)).toBe('abc');
    expect(tokenFromRecipient('"support+abc"@desk.example.com', support)).toBe('abc');
    expect(tokenFromRecipient('ajuda+t0k@desk.example.com.br', support)).toBe('t0k');
  });

  it('returns undefined for other addresses', () => {
    for (const r of [
      'support@desk.example.com', 'support+@desk.example.com', 'support+abc@evil.example.com', 'supportx+abc@desk.example.com',
      'sales+abc@desk.example.com', 'support+abc', '', '@', '+abc@desk.example.com', 'support+abc@desk.example.com.evil.org',
    ]) {
      expect(tokenFromRecipient(r, support), r).toBeUndefined();
    }
    expect(tokenFromRecipient('support+abc@desk.example.com', [])).toBeUndefined();
  });

  it('handles a support address that itself has a plus', () => {
    expect(tokenFromRecipient('help+desk+tok@x.org', ['help+desk@x.org'])).toBe('tok');
  });
});
