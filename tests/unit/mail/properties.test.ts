import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailHeaders, parseMessageIds } from '../../../functions/core/mail/headers.ts';
import { automationVerdict } from '../../../functions/core/mail/loop-detection.ts';
import { visibleText } from '../../../functions/core/mail/quote-strip.ts';
import { makeReplyToken, readReplyToken } from '../../../functions/core/mail/reply-token.ts';
import { findSubjectTokens, withSubjectToken } from '../../../functions/core/mail/subject-token.ts';

const secret = 'property-secret';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TOKEN_ALPHABET = ALPHABET.toLowerCase() + '-';
const validId = fc.array(fc.constantFrom(...ALPHABET), { minLength: 26, maxLength: 26 }).map((c) => c.join(''));
/** Strings built from the pieces mail parsers trip on, as well as arbitrary ones. */
const mailish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .array(fc.constantFrom('>', ' ', '\n', '\r\n', 'On ', 'wrote:', 'From: x', 'Sent: y', '-- ', '__', '-----Original Message-----', 'Sent from my iPhone', '<', '@', '[#', ']', '12', 'Em ', 'escreveu:', '-Ana', '*'), { maxLength: 60 })
    .map((parts) => parts.join('')),
);

describe('never throws on arbitrary input', () => {
  it('visibleText', () => {
    fc.assert(
      fc.property(mailish, (s) => {
        const r = visibleText(s);
        expect(typeof r.visible).toBe('string');
        // Nothing is invented: every visible line comes from the input.
        const input = new Set(s.replace(/\r\n?/g, '\n').split('\n'));
        for (const line of r.visible.split('\n')) if (line.trim()) expect(input.has(line) || [...input].some((l) => l.includes(line.trim()))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('parseMessageIds', () => {
    fc.assert(
      fc.property(mailish, (s) => {
        const ids = parseMessageIds(s);
        expect(ids.length).toBeLessThanOrEqual(100);
        for (const id of ids) expect(id).toMatch(/^[^\s<>A-Z]+$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('findSubjectTokens and withSubjectToken', () => {
    fc.assert(
      fc.property(mailish, fc.integer({ min: 1, max: 9_999_999_999 }), (s, n) => {
        for (const t of findSubjectTokens(s)) expect(Number.isSafeInteger(t) && t > 0).toBe(true);
        const tokened = withSubjectToken(s, n);
        expect(findSubjectTokens(tokened)).toContain(n);
        expect(withSubjectToken(tokened, n)).toBe(tokened);
        expect(tokened).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 1000 },
    );
  });

  it('readReplyToken', () => {
    fc.assert(fc.property(mailish, (s) => {
      expect(readReplyToken(s, secret)).toBeUndefined();
    }), { numRuns: 1000 });
  });

  it('automationVerdict', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(mailish, mailish), { maxLength: 8 }), fc.option(mailish), fc.option(mailish), mailish, (pairs, from, returnPath, domain) => {
        const v = automationVerdict({ headers: mailHeaders(pairs), from, returnPath, ourAddresses: [domain], ourDomains: [domain] });
        expect(v.automated).toBe(v.reasons.length > 0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('reply tokens', () => {
  it('round-trip for any valid id', () => {
    fc.assert(
      fc.property(validId, fc.string({ minLength: 1, maxLength: 64 }), (id, key) => {
        const token = makeReplyToken(id, key);
        expect(token).toMatch(/^[0-9a-z]{26}-[0-9a-z]{10}$/);
        expect(readReplyToken(token, key)).toBe(id);
      }),
      { numRuns: 500 },
    );
  });

  it('reject any single-character change (tokens are case-insensitive, so a case flip is not a change)', () => {
    fc.assert(
      fc.property(validId, fc.nat(), fc.oneof(fc.constantFrom(...TOKEN_ALPHABET), fc.string({ minLength: 1, maxLength: 1 })), (id, at, replacement) => {
        const token = makeReplyToken(id, secret);
        const i = at % token.length;
        fc.pre(replacement.toLowerCase() !== token[i]);
        const changed = token.slice(0, i) + replacement + token.slice(i + 1);
        expect(readReplyToken(changed, secret)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('reject deletions and insertions', () => {
    fc.assert(
      fc.property(validId, fc.nat(), fc.constantFrom(...TOKEN_ALPHABET), (id, at, extra) => {
        const token = makeReplyToken(id, secret);
        const i = at % token.length;
        expect(readReplyToken(token.slice(0, i) + token.slice(i + 1), secret)).toBeUndefined();
        expect(readReplyToken(token.slice(0, i) + extra + token.slice(i), secret)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
