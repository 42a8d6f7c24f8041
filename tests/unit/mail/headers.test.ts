import { describe, expect, it } from 'vitest';
import { bareAddress, header, headerValues, hasHeader, mailHeaders, MAX_MESSAGE_IDS, parseMessageIds, splitAddress } from '../../../functions/core/mail/headers.ts';

describe('mailHeaders', () => {
  it('lower-cases names and keeps repeated headers in order', () => {
    const h = mailHeaders([['Received', 'a'], ['RECEIVED', 'b'], ['Subject', 'Hi'], ['X-Many', ['1', '2']]]);
    expect(headerValues(h, 'received')).toEqual(['a', 'b']);
    expect(header(h, 'SUBJECT')).toBe('Hi');
    expect(headerValues(h, 'x-many')).toEqual(['1', '2']);
    expect(hasHeader(h, 'Subject')).toBe(true);
    expect(hasHeader(h, 'x-none')).toBe(false);
    expect(header(h, 'x-none')).toBeUndefined();
    expect(headerValues(h, 'x-none')).toEqual([]);
  });
});

describe('parseMessageIds', () => {
  it('extracts bracketed ids, lower-cased, without brackets', () => {
    expect(parseMessageIds('<ABC.123@Mail.Example.com>')).toEqual(['abc.123@mail.example.com']);
    expect(parseMessageIds('<a@x> <b@x>\r\n\t<c@x>')).toEqual(['a@x', 'b@x', 'c@x']);
  });

  it('tolerates folding whitespace inside and between ids, commas and no spaces', () => {
    expect(parseMessageIds('<a@x>,<b@x><c@\r\n x>')).toEqual(['a@x', 'b@x', 'c@x']);
  });

  it('accepts ids without brackets when there are no bracketed ones', () => {
    expect(parseMessageIds('a@x b@y')).toEqual(['a@x', 'b@y']);
    expect(parseMessageIds('  "a@x",  (b@y) ')).toEqual(['a@x', 'b@y']);
  });

  it('ignores the phrase of old-style In-Reply-To values', () => {
    expect(parseMessageIds('Your message of "Tue, 1 Jan 2019" ana@example.com <id1@host>')).toEqual(['id1@host']);
  });

  it('ignores garbage: empty brackets, unclosed brackets, words without @', () => {
    expect(parseMessageIds('')).toEqual([]);
    expect(parseMessageIds('<>')).toEqual([]);
    expect(parseMessageIds('hello world')).toEqual([]);
    expect(parseMessageIds('<a@x> <unclosed@y')).toEqual(['a@x']);
    expect(parseMessageIds('<<a@x>')).toEqual([]);
    expect(parseMessageIds('>>> <<< ,,,')).toEqual([]);
  });

  it('de-duplicates case-insensitively', () => {
    expect(parseMessageIds('<A@X> <a@x> <b@x>')).toEqual(['a@x', 'b@x']);
  });

  it('caps at 100 ids, keeping the root and the most recent ones', () => {
    const value = Array.from({ length: 250 }, (_, i) => `<id${i}@x>`).join(' ');
    const ids = parseMessageIds(value);
    expect(ids).toHaveLength(MAX_MESSAGE_IDS);
    expect(ids[0]).toBe('id0@x');
    expect(ids[1]).toBe('id151@x');
    expect(ids.at(-1)).toBe('id249@x');
  });

  it('refuses absurdly long ids and completes on huge hostile values', () => {
    expect(parseMessageIds(`<${'a'.repeat(2000)}@x>`)).toEqual([]);
    // Not timed (speed is for bench/): a backtracking blow-up never finishes, and the test's timeout catches it.
    parseMessageIds('<'.repeat(200_000));
    parseMessageIds('"'.repeat(200_000) + '@x');
    parseMessageIds('<a'.repeat(100_000));
    parseMessageIds('@ '.repeat(100_000));
  });
});

describe('addresses', () => {
  it('takes the bare address from a mailbox', () => {
    expect(bareAddress('"Ana <x>" <Ana@Example.COM>')).toBe('ana@example.com');
    expect(bareAddress(' Bob@x.org ')).toBe('bob@x.org');
  });

  it('splits at the last @ and drops a trailing dot of the domain', () => {
    expect(splitAddress('"a@b"@x.org.')).toEqual({ local: '"a@b"', domain: 'x.org' });
    expect(splitAddress('nobody')).toEqual({ local: 'nobody', domain: '' });
  });
});
