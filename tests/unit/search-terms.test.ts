import { describe, expect, it } from 'vitest';
import { foldWord, InvalidSearchError, matchIndexed, MAX_INDEXED_WORDS, parseSearch, searchTerms, searchWords, subjectMatches } from '../../functions/core/search-terms.ts';

describe('searchWords', () => {
  it('folds case and accents, splits on anything but letters and digits', () => {
    expect(searchTerms('Impressão NÃO funciona — ERRO 404!')).toEqual(['impressao', 'nao', 'funciona', 'erro', '404']);
    expect(foldWord('Ação Çedilha ÉÈÊ')).toBe('acao cedilha eee');
  });

  it('keeps a word once, drops one-letter words and common words in both languages', () => {
    expect(searchWords('The VPN is down and the VPN is slow')).toEqual(['vpn', 'down', 'slow']);
    expect(searchWords('Não consigo acessar o sistema de pedidos')).toEqual(['nao', 'consigo', 'acessar', 'sistema', 'pedidos']);
    expect(searchWords('a e i o u x')).toEqual([]);
    expect(searchWords('Laptop cannot reach the VPN since this morning')).toEqual(['laptop', 'cannot', 'reach', 'vpn', 'morning']);
    expect(searchWords('Como faço para acessar o sistema sem VPN?')).toEqual(['faco', 'acessar', 'sistema', 'sem', 'vpn']);
  });

  it('indexes no numbers: they only narrow what the words find', () => {
    expect(searchWords('Pedido 4512 atrasado desde 2026')).toEqual(['pedido', 'atrasado']);
    expect(searchTerms('Pedido 4512 atrasado desde 2026')).toEqual(['pedido', '4512', 'atrasado', '2026']);
    expect(searchWords('Windows 11 w10 x86')).toEqual(['windows', 'w10', 'x86']);
  });

  it('treats composed and decomposed accents alike', () => {
    expect(searchWords('cafe\u0301')).toEqual(searchWords('café'));
  });

  it(`indexes at most ${MAX_INDEXED_WORDS} words, the first ones`, () => {
    const subject = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const words = searchWords(subject);
    expect(words).toHaveLength(MAX_INDEXED_WORDS);
    expect(words[0]).toBe('word0');
    expect(words.at(-1)).toBe('word19');
  });

  it('leaves reply prefixes out, splits [#123] tags and e-mail addresses into words', () => {
    expect(searchWords('Re: Fwd: [#123] e-mail ana@example.org')).toEqual(['mail', 'ana', 'example', 'org']);
  });
});

describe('parseSearch', () => {
  it('reads #123 and 123 as ticket numbers', () => {
    expect(parseSearch('#123')).toEqual({ kind: 'number', number: 123 });
    expect(parseSearch(' 42 ')).toEqual({ kind: 'number', number: 42 });
    expect(parseSearch('# 7')).toEqual({ kind: 'number', number: 7 });
  });

  it('refuses numbers that cannot be ticket numbers', () => {
    expect(() => parseSearch('#0')).toThrow(InvalidSearchError);
    expect(() => parseSearch('99999999999999999999')).toThrow(/not a ticket number/);
  });

  it('reads text with an @ as a requester, in lower case', () => {
    expect(parseSearch('Maria@Example.com')).toEqual({ kind: 'requester', email: 'maria@example.com' });
    expect(() => parseSearch('maria@')).toThrow(InvalidSearchError);
    expect(() => parseSearch('vpn from maria@example.com')).toThrow(/one whole email address/);
  });

  it('reads anything else as subject words, all required', () => {
    expect(parseSearch('Impressora NÃO imprime')).toEqual({ kind: 'words', words: ['impressora', 'nao', 'imprime'], indexed: ['impressora', 'nao', 'imprime'] });
    // A number is matched on the subjects the words find, not read from an index of its own.
    expect(parseSearch('erro 404')).toEqual({ kind: 'words', words: ['erro', '404'], indexed: ['erro'] });
  });

  it('refuses empty, too short, too many words and too long', () => {
    for (const [q, code] of [
      ['', 'search_empty'],
      ['   ', 'search_empty'],
      ['a', 'search_too_short'],
      ['the de', 'search_too_short'],
      ['404 500', 'search_too_short'],
      ['one two three four five six', 'too_many_words'],
      ['x'.repeat(201), 'search_too_long'],
    ] as const) {
      let caught: unknown;
      try {
        parseSearch(q);
      } catch (err) {
        caught = err;
      }
      expect(caught, q).toBeInstanceOf(InvalidSearchError);
      expect((caught as InvalidSearchError).code, q).toBe(code);
    }
    // Five distinct words are fine; repeated and common words do not count.
    expect(parseSearch('one two three four five five the').kind).toBe('words');
  });
});

describe('subject matching', () => {
  it('requires every word, whatever the case and accents', () => {
    expect(subjectMatches('Impressão não funciona', ['impressao', 'funciona'])).toBe(true);
    expect(subjectMatches('Impressão não funciona', ['impressao', 'scanner'])).toBe(false);
    // Whole words only.
    expect(subjectMatches('Impressora', ['impressao'])).toBe(false);
  });

  const item = (id: string, subject: string, createdAt: string) => ({ id, subject, createdAt });

  it('intersects the words: newest first, each ticket once, at most limit', () => {
    const vpn = [item('c', 'VPN down again', '2026-03-03'), item('b', 'VPN down', '2026-03-02'), item('x', 'VPN slow', '2026-03-01')];
    const down = [item('c', 'VPN down again', '2026-03-03'), item('y', 'Site down', '2026-03-02'), item('b', 'VPN down', '2026-03-02')];
    expect(matchIndexed([vpn, down], ['vpn', 'down'], 10)).toEqual(['c', 'b']);
    expect(matchIndexed([vpn, down], ['vpn', 'down'], 1)).toEqual(['c']);
  });

  it('matches numbers on the subjects the words found', () => {
    const pedido = [item('a', 'Pedido 4512 atrasado', '2026-03-02'), item('b', 'Pedido 77 atrasado', '2026-03-01')];
    expect(matchIndexed([pedido], ['pedido', '4512'], 10)).toEqual(['a']);
  });

  it('finds a ticket that a common word cut off, from the rarer word\'s list', () => {
    // "vpn" read only its newest entries: ticket "old" is not in them, but "kerberos" lists it.
    const vpn = [item('n1', 'VPN slow', '2026-03-05'), item('n2', 'VPN down', '2026-03-04')];
    const kerberos = [item('old', 'VPN kerberos error', '2026-01-01')];
    expect(matchIndexed([vpn, kerberos], ['vpn', 'kerberos'], 10)).toEqual(['old']);
  });
});
