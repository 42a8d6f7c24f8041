import { describe, expect, it } from 'vitest';
import { visibleText } from '../../../functions/core/mail/quote-strip.ts';
import { findSubjectTokens } from '../../../functions/core/mail/subject-token.ts';
import { acknowledgement, agentReply, escapeHtml, languages, pickLanguage } from '../../../functions/core/mail/templates.ts';

describe('acknowledgement', () => {
  it('in English: subject token, number, status link, reply-above and keep-the-token lines', () => {
    const m = acknowledgement({ language: 'en', ticketNumber: 1234, subject: 'Printer broken', requesterName: 'Ana', statusUrl: 'https://desk.example.com/t/abc?sig=1&x=2' });
    expect(m.subject).toBe('Re: [#1234] Printer broken');
    expect(m.text).toContain('Hello Ana,');
    expect(m.text).toContain('ticket #1234');
    expect(m.text).toContain('https://desk.example.com/t/abc?sig=1&x=2');
    expect(m.text).toMatch(/reply above this line/i);
    expect(m.text).toContain('keep [#1234] in the subject');
    expect(m.html).toContain('<html lang="en">');
    expect(m.html).toContain('href="https://desk.example.com/t/abc?sig=1&amp;x=2"');
    expect(m.html).toContain('[#1234]');
  });

  it('in Portuguese', () => {
    const m = acknowledgement({ language: 'pt-BR', ticketNumber: 7, subject: 'RES: Impressora' });
    expect(m.subject).toBe('RES: [#7] Impressora');
    expect(m.text).toContain('Olá,');
    expect(m.text).toContain('chamado #7');
    expect(m.text).toContain('Mantenha [#7] no assunto');
    expect(m.text).toMatch(/Digite sua resposta acima desta linha/);
    expect(m.html).toContain('<html lang="pt-BR">');
  });

  it('does not duplicate an existing token and fills in an empty subject', () => {
    expect(acknowledgement({ language: 'en', ticketNumber: 5, subject: 'Re: [#5] Hi' }).subject).toBe('Re: [#5] Hi');
    expect(acknowledgement({ language: 'en', ticketNumber: 5, subject: '  ' }).subject).toBe('Re: [#5] (no subject)');
    expect(acknowledgement({ language: 'pt-BR', ticketNumber: 5, subject: '' }).subject).toBe('Re: [#5] (sem assunto)');
  });

  it('escapes hostile names and subjects in HTML and flattens them in text', () => {
    const m = acknowledgement({ language: 'en', ticketNumber: 1, subject: '<script>alert(1)</script>\r\nBcc: x@y', requesterName: '"><img src=x onerror=alert(1)>\n\nPS: click evil.example' });
    expect(m.html).not.toMatch(/<script|<img/);
    expect(m.html).toContain('&lt;script&gt;');
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.text).toContain('Hello "><img src=x onerror=alert(1)> PS: click evil.example,');
  });

  it('drops status links that are not http(s)', () => {
    for (const statusUrl of ['javascript:alert(1)', 'data:text/html,x', 'not a url', '']) {
      const m = acknowledgement({ language: 'en', ticketNumber: 1, subject: 's', statusUrl });
      expect(m.html).not.toContain('href');
      expect(m.text).not.toContain('follow your ticket');
    }
  });

  it('a customer reply above our acknowledgement strips back to the new text', () => {
    const m = acknowledgement({ language: 'en', ticketNumber: 9, subject: 's' });
    expect(visibleText(`One more detail: it smokes.\n\n${m.text}`).visible).toBe('One more detail: it smokes.');
  });
});

describe('agentReply', () => {
  it('carries the body, the agent, the ticket line and the token', () => {
    for (const language of languages) {
      const m = agentReply({ language, ticketNumber: 42, subject: 'Printer', body: 'Please restart it.\r\n\r\nThen tell us.', agentName: 'Bia' });
      expect(m.subject).toBe('Re: [#42] Printer');
      expect(findSubjectTokens(m.subject)).toEqual([42]);
      expect(m.text).toContain('Please restart it.\n\nThen tell us.');
      expect(m.text).toContain('Bia');
      expect(m.text).toContain('[#42]');
      expect(m.html).toContain('<p>Please restart it.</p>\n<p>Then tell us.</p>');
    }
  });

  it('escapes the body in HTML', () => {
    const m = agentReply({ language: 'en', ticketNumber: 1, subject: 'x', body: 'Use <b>bold</b> & "quotes"\nnext line' });
    expect(m.html).toContain('Use &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;<br>next line');
  });
});

describe('escapeHtml', () => {
  it('escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('pickLanguage', () => {
  it.each([
    ['pt', 'pt-BR'], ['pt-BR', 'pt-BR'], ['pt_BR', 'pt-BR'], ['PT-br', 'pt-BR'], ['pt-PT', 'pt-BR'],
    ['en', 'en'], ['en-US', 'en'], ['en_GB', 'en'], ['EN', 'en'],
    ['pt-BR,pt;q=0.9,en;q=0.8', 'pt-BR'], ['de-DE,en;q=0.5', 'en'], ['en;q=0.2, pt;q=0.9', 'pt-BR'], ['pt;q=0, en', 'en'],
  ] as const)('%j → %s', (input, expected) => {
    expect(pickLanguage(input, expected === 'en' ? 'pt-BR' : 'en')).toBe(expected);
  });

  it.each([undefined, '', 'de', 'fr-FR', '*', 'garbage;;;', ';q=1', 'x'.repeat(10_000)])('falls back to the desk default for %j', (input) => {
    expect(pickLanguage(input, 'pt-BR')).toBe('pt-BR');
    expect(pickLanguage(input, 'en')).toBe('en');
  });
});
