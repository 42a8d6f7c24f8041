import { describe, expect, it } from 'vitest';
import { findSubjectTokens, splitPrefix, withSubjectToken } from '../../../functions/core/mail/subject-token.ts';

describe('findSubjectTokens', () => {
  it.each([
    ['[#1234] Printer', [1234]],
    ['Re: Printer [#1234]', [1234]],
    ['[Helpdesk #1234] Printer', [1234]],
    ['[Suporte #77] Impressora', [77]],
    ['[Ticket#42] x', [42]],
    ['[#1][#2] [#1]', [1, 2]],
    ['[#9999999999]', [9999999999]],
  ])('%j → %j', (subject, expected) => {
    expect(findSubjectTokens(subject)).toEqual(expected);
  });

  it.each([
    '# 1234', '#1234', '[# 1234]', '[#]', '[#12a]', '[#12345678901]', '[#-5]', '[#0]', '[ #12]',
    '[#1234', '#1234]', '(#1234)', `[${'x'.repeat(31)} #12]`, 'invoice #1234', '',
  ])('ignores %j', (subject) => {
    expect(findSubjectTokens(subject)).toEqual([]);
  });

  it('caps the number of tokens it returns', () => {
    const subject = Array.from({ length: 50 }, (_, i) => `[#${i + 1}]`).join(' ');
    expect(findSubjectTokens(subject)).toEqual([1, 2, 3, 4, 5]);
  });

  it('completes on hostile subjects', () => {
    // Not timed (speed is for bench/): a backtracking blow-up never finishes, and the test's timeout catches it.
    findSubjectTokens('[a'.repeat(100_000));
    findSubjectTokens('['.repeat(50_000) + 'x'.repeat(50_000));
    findSubjectTokens(`[${'a '.repeat(100_000)}`);
  });
});

describe('withSubjectToken', () => {
  it('puts the token after the reply and forward prefixes', () => {
    expect(withSubjectToken('Printer on fire', 12)).toBe('[#12] Printer on fire');
    expect(withSubjectToken('Re: Printer on fire', 12)).toBe('Re: [#12] Printer on fire');
    expect(withSubjectToken('AW: Drucker', 12)).toBe('AW: [#12] Drucker');
    expect(withSubjectToken('RES: Impressora', 12)).toBe('RES: [#12] Impressora');
    expect(withSubjectToken('Fwd: RE: x', 12)).toBe('Fwd: RE: [#12] x');
    expect(withSubjectToken('Re[2]: x', 12)).toBe('Re[2]: [#12] x');
    expect(withSubjectToken('Re : x', 12)).toBe('Re : [#12] x');
  });

  it('does not take words that merely start like a prefix', () => {
    expect(withSubjectToken('Reunião: amanhã', 3)).toBe('[#3] Reunião: amanhã');
    expect(withSubjectToken('Request: access', 3)).toBe('[#3] Request: access');
  });

  it('is idempotent and never duplicates a token', () => {
    for (const s of ['Help', 'Re: Help', 'Re: [#12] Help', 'Help [#12]', '[Helpdesk #12] Help', '', 'Re:']) {
      const once = withSubjectToken(s, 12);
      expect(findSubjectTokens(once)).toEqual([12]);
      expect(withSubjectToken(once, 12)).toBe(once);
    }
    expect(withSubjectToken('Help [#12]', 12)).toBe('Help [#12]');
  });

  it('drops tokens of other tickets', () => {
    expect(withSubjectToken('Re: [#99] Help', 12)).toBe('Re: [#12] Help');
    expect(withSubjectToken('[#12] Help [#99]', 12)).toBe('[#12] Help');
  });

  it('handles empty subjects and strips control characters (no header injection)', () => {
    expect(withSubjectToken('', 5)).toBe('[#5]');
    expect(withSubjectToken('Hi\r\nBcc: victim@example.com', 5)).toBe('[#5] Hi Bcc: victim@example.com');
    expect(withSubjectToken('a\u0000b\u2028c', 5)).toBe('[#5] a b c');
  });

  it('refuses numbers that are not ticket numbers', () => {
    for (const n of [0, -1, 1.5, Number.NaN, 1e10, Number.POSITIVE_INFINITY]) expect(() => withSubjectToken('x', n)).toThrow(RangeError);
  });
});

describe('splitPrefix', () => {
  it('splits the leading prefix run', () => {
    expect(splitPrefix('Re: Fwd: Hello: world')).toEqual({ prefix: 'Re: Fwd:', rest: 'Hello: world' });
    expect(splitPrefix('Hello')).toEqual({ prefix: '', rest: 'Hello' });
  });

  it('completes on long prefix runs', () => {
    // Not timed (speed is for bench/): a backtracking blow-up never finishes, and the test's timeout catches it.
    splitPrefix('Re: '.repeat(100_000) + 'x');
  });
});
