import { describe, expect, it } from 'vitest';
import {
  linkProblemPage,
  pageHeaders,
  pageLanguage,
  surveyCommentSavedPage,
  surveyRatingPage,
  surveyThanksPage,
  type PageLanguage,
  type SurveyThanksInput,
} from '../../functions/core/customer-pages.ts';

const hostileDesk = '<script>alert(1)</script>';
const thanks = (over: Partial<SurveyThanksInput> = {}) =>
  surveyThanksPage({ lang: 'en', deskName: 'Acme Support', ticketNumber: 1234, rating: 4, updated: false, commentAction: '/survey/comment', token: 'abc.def', ...over });

const ratingPage = (over: Partial<Parameters<typeof surveyRatingPage>[0]> = {}) =>
  surveyRatingPage({ lang: 'en', deskName: 'Acme Support', ticketNumber: 1234, rating: 4, current: null, action: '/survey/comment', token: 'abc.def', ...over });

const allPages = (lang: PageLanguage, deskName: string) => [
  thanks({ lang, deskName }),
  ratingPage({ lang, deskName }),
  surveyCommentSavedPage({ lang, deskName, ticketNumber: 1234 }),
  linkProblemPage({ lang, deskName, problem: 'expired' }),
  linkProblemPage({ lang, deskName, problem: 'invalid' }),
  linkProblemPage({ lang, deskName, problem: 'closed' }),
];

/** The text a reader sees: tags dropped, entities decoded. */
const text = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('page structure', () => {
  it.each(['en', 'pt-BR'] as const)('every %s page is a complete, accessible, script-free document', (lang) => {
    for (const html of allPages(lang, 'Acme Support')) {
      expect(html.startsWith('<!doctype html>\n')).toBe(true);
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).toContain('<meta charset="utf-8">');
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(html).toMatch(/<title>[^<]+ · Acme Support<\/title>/);
      expect(html.match(/<main>/g)).toHaveLength(1);
      expect(html).toMatch(/<h1>[^<]+<\/h1>/);
      expect(html).toMatch(/:focus\{outline:3px solid/);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|\son\w+=|javascript:|src=|@import|url\(/i);
      expect(html).not.toMatch(/\shref=/);
    }
  });

  it('escapes a hostile desk name everywhere', () => {
    for (const lang of ['en', 'pt-BR'] as const) {
      for (const html of allPages(lang, hostileDesk)) {
        expect(html).not.toContain('<script');
        expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      }
    }
  });

  it('flattens line breaks in the desk name', () => {
    const html = surveyCommentSavedPage({ lang: 'en', deskName: 'Acme\r\n<b>Support</b>', ticketNumber: 1 });
    expect(html).toContain('<title>Thank you, your comment has been saved · Acme &lt;b&gt;Support&lt;/b&gt;</title>');
  });
});

describe('surveyRatingPage (what a survey link opens: nothing is recorded until the button is pressed)', () => {
  it('is a form that posts the token and the rating, with the link\'s rating pre-selected and one submit button', () => {
    const html = ratingPage({ rating: 2 });
    expect(html).toContain('<form method="post" action="/survey/comment">');
    expect(html).toContain('<input type="hidden" name="token" value="abc.def">');
    const radios = [...html.matchAll(/<input type="radio" name="rating" value="(\d)"( checked)?>/g)];
    expect(radios.map((r) => r[1])).toEqual(['1', '2', '3', '4', '5']);
    expect(radios.filter((r) => r[2]).map((r) => r[1])).toEqual(['2']);
    expect(html.match(/<button type="submit">/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script|onload|onclick|http-equiv="refresh"/i);
    expect(html).toContain('<legend>Your rating, from 1 (poor) to 5 (excellent)</legend>');
  });

  it('speaks English and Portuguese, and says when a rating would replace an earlier one', () => {
    expect(text(ratingPage())).toContain('How did we do?');
    expect(text(ratingPage())).toContain('Send rating');
    expect(text(ratingPage())).not.toContain('before; sending replaces');
    expect(text(ratingPage({ current: 5 }))).toContain('You rated it 5 out of 5 before; sending replaces that rating.');
    const pt = text(ratingPage({ lang: 'pt-BR', current: 3 }));
    expect(pt).toContain('Como foi o nosso atendimento?');
    expect(pt).toContain('Enviar avaliação');
    expect(pt).toContain('chamado #1234');
    expect(pt).toContain('Você já tinha dado nota 3 de 5');
  });

  it('refuses a rating outside 1..5 and a form action that is not ours', () => {
    expect(() => ratingPage({ rating: 6 as never })).toThrow(RangeError);
    expect(() => ratingPage({ current: 0 as never })).toThrow(RangeError);
    expect(() => ratingPage({ action: 'javascript:alert(1)' })).toThrow(TypeError);
  });
});

describe('surveyThanksPage', () => {
  it('thanks for the rating, shows stars and the number, and says a later click changes it', () => {
    const html = thanks();
    expect(html).toContain('<h1>Thank you for your rating</h1>');
    expect(html).toContain('★★★★☆');
    expect(text(html)).toContain('You rated ticket #1234: 4 out of 5.');
    expect(text(html)).toMatch(/Click another rating in the email at any time; we keep the latest one/);
    expect(thanks({ rating: 1 })).toContain('★☆☆☆☆');
    expect(thanks({ rating: 5 })).toContain('★★★★★');
  });

  it('says when the rating was updated', () => {
    expect(thanks({ updated: true })).toContain('<h1>Your rating has been updated</h1>');
    expect(thanks({ lang: 'pt-BR', updated: true })).toContain('<h1>Sua avaliação foi atualizada</h1>');
  });

  it('has a POST form with the token, a labelled textarea and a submit button', () => {
    const html = thanks();
    expect(html).toContain('<form method="post" action="/survey/comment">');
    expect(html).toContain('<input type="hidden" name="token" value="abc.def">');
    const label = /<label for="([^"]+)">([^<]+)<\/label>/.exec(html);
    expect(label?.[2]).toBe('Your comment (optional)');
    expect(html).toMatch(new RegExp(`<textarea id="${label?.[1]}" name="comment" [^>]*maxlength="2000"[^>]*></textarea>`));
    const describedBy = /aria-describedby="([^"]+)"/.exec(html)?.[1];
    expect(html).toContain(`id="${describedBy}"`);
    expect(html).toMatch(/<button type="submit">Send comment<\/button>/);
    expect(html.indexOf('<form')).toBeLessThan(html.indexOf('name="token"'));
    expect(html.indexOf('</form>')).toBeGreaterThan(html.indexOf('<button'));
  });

  it('escapes a token with quotes and a hostile comment', () => {
    const html = thanks({ token: `"><script>alert(1)</script>'`, comment: '</textarea><script>alert(2)</script>' });
    expect(html).not.toContain('<script');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39;"');
    expect(html).toContain('>&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;</textarea>');
    expect(html.match(/<\/textarea>/g)).toHaveLength(1);
  });

  it('prefills an earlier comment, and leaves the textarea empty without one', () => {
    expect(thanks({ comment: 'Great & fast' })).toContain('>Great &amp; fast</textarea>');
    expect(thanks({ comment: null })).toMatch(/aria-describedby="comment-hint"><\/textarea>/);
  });

  it('escapes the form action and accepts only paths on this site or http(s) URLs', () => {
    expect(thanks({ commentAction: '/survey/comment?a=1&b="2"' })).toContain('action="/survey/comment?a=1&amp;b=&quot;2&quot;"');
    expect(thanks({ commentAction: 'https://desk.example.com/survey/comment' })).toContain('action="https://desk.example.com/survey/comment"');
    for (const bad of ['javascript:alert(1)', '//evil.example/x', '/\\evil.example', 'data:text/html,hi', 'relative/path', '']) {
      expect(() => thanks({ commentAction: bad }), bad).toThrow(TypeError);
    }
  });

  it('refuses a rating outside 1..5 and a ticket number that is not a whole number', () => {
    expect(() => thanks({ rating: 0 as never })).toThrow(RangeError);
    expect(() => thanks({ rating: 6 as never })).toThrow(RangeError);
    expect(() => thanks({ rating: 2.5 as never })).toThrow(RangeError);
    expect(() => thanks({ ticketNumber: Number.NaN })).toThrow(RangeError);
    expect(() => surveyCommentSavedPage({ lang: 'en', deskName: 'x', ticketNumber: 1.5 })).toThrow(RangeError);
  });

  it('in Brazilian Portuguese', () => {
    const html = thanks({ lang: 'pt-BR', rating: 3 });
    expect(html).toContain('<h1>Obrigado pela sua avaliação</h1>');
    expect(text(html)).toContain('Você avaliou o chamado #1234 com nota 3 de 5.');
    expect(text(html)).toContain('Mudou de ideia? Clique em outra nota no e-mail');
    expect(html).toContain('<label for="comment">Seu comentário (opcional)</label>');
    expect(html).toContain('<button type="submit">Enviar comentário</button>');
    expect(html).toContain('★★★☆☆');
    expect(text(html)).not.toMatch(/\b(Thank|rating|comment|ticket)\b/i);
  });
});

describe('surveyCommentSavedPage', () => {
  it('confirms the comment in both languages', () => {
    const en = surveyCommentSavedPage({ lang: 'en', deskName: 'Acme', ticketNumber: 77 });
    expect(en).toContain('<h1>Thank you, your comment has been saved</h1>');
    expect(text(en)).toContain('ticket #77');
    expect(en).not.toContain('<form');
    const pt = surveyCommentSavedPage({ lang: 'pt-BR', deskName: 'Acme', ticketNumber: 77 });
    expect(pt).toContain('<h1>Obrigado! Seu comentário foi registrado</h1>');
    expect(text(pt)).toContain('chamado #77');
    expect(text(pt)).toContain('Você já pode fechar esta página.');
  });
});

describe('linkProblemPage', () => {
  it('explains each problem politely in English', () => {
    const expired = text(linkProblemPage({ lang: 'en', deskName: 'Acme', problem: 'expired' }));
    expect(expired).toContain('This link has expired');
    expect(expired).toMatch(/reply to the email/);
    const invalid = text(linkProblemPage({ lang: 'en', deskName: 'Acme', problem: 'invalid' }));
    expect(invalid).toContain('This link does not work');
    expect(invalid).toMatch(/cut short or changed .* not sent by us/);
    const closed = text(linkProblemPage({ lang: 'en', deskName: 'Acme', problem: 'closed' }));
    expect(closed).toContain('The survey for this ticket has closed');
    expect(closed).toMatch(/time to rate this ticket has ended/);
  });

  it('and in Brazilian Portuguese', () => {
    const expired = text(linkProblemPage({ lang: 'pt-BR', deskName: 'Acme', problem: 'expired' }));
    expect(expired).toContain('Este link expirou');
    expect(expired).toContain('basta responder ao e-mail');
    const invalid = text(linkProblemPage({ lang: 'pt-BR', deskName: 'Acme', problem: 'invalid' }));
    expect(invalid).toContain('Este link não funciona');
    expect(invalid).toContain('não foi enviado por nós');
    const closed = text(linkProblemPage({ lang: 'pt-BR', deskName: 'Acme', problem: 'closed' }));
    expect(closed).toContain('A pesquisa deste chamado foi encerrada');
    expect(closed).toContain('O prazo para avaliar este chamado terminou');
    for (const t of [expired, invalid, closed]) expect(t).not.toMatch(/\b(the|link has|please|email)\b/i);
  });

  it('the three problems read differently', () => {
    const pages = (['expired', 'invalid', 'closed'] as const).map((problem) => linkProblemPage({ lang: 'en', deskName: 'Acme', problem }));
    expect(new Set(pages).size).toBe(3);
  });
});

describe('pageHeaders', () => {
  it('sends HTML with a strict policy', () => {
    expect(pageHeaders).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(Object.isFrozen(pageHeaders)).toBe(true);
  });
});

describe('pageLanguage', () => {
  it.each([
    ['pt', undefined, 'pt-BR'],
    ['pt-BR', undefined, 'pt-BR'],
    ['pt-PT', undefined, 'pt-BR'],
    ['pt_br', undefined, 'pt-BR'],
    ['PT-br', 'en-US', 'pt-BR'],
    ['en', 'pt-BR,pt;q=0.9', 'en'],
    ['en-GB', undefined, 'en'],
    [null, 'pt-BR,pt;q=0.9,en;q=0.8', 'pt-BR'],
    [undefined, 'en-US,en;q=0.9,pt;q=0.5', 'en'],
    [undefined, 'de-DE,de;q=0.9,pt;q=0.5', 'pt-BR'],
    [undefined, 'pt;q=0, en;q=0.4', 'en'],
    ['de', 'pt-PT', 'pt-BR'],
    ['', 'pt', 'pt-BR'],
    ['fr', 'de, es', 'en'],
    [null, undefined, 'en'],
    [undefined, '', 'en'],
    [undefined, 'garbage;;;q=x,,', 'en'],
  ] as const)('pageLanguage(%j, %j) is %s', (preferred, accept, expected) => {
    expect(pageLanguage(preferred, accept)).toBe(expected);
  });
});
