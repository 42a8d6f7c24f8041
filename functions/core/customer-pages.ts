import { escapeHtml, pickLanguage } from './mail/templates.ts';

/**
 * The small pages a customer sees after clicking a link in our mail: the
 * survey's thank-you page with a comment form, the comment-saved page, and a
 * polite page for a link that is expired, damaged or past its survey window.
 * English and Brazilian Portuguese.
 *
 * Each page is one self-contained document: no script, no external asset,
 * only an inline <style>, so pageHeaders can send a CSP that allows nothing
 * else. Every dynamic value is HTML-escaped. Pages read on a phone
 * (viewport meta, fluid width), have a <main> landmark, labelled form
 * controls and visible focus outlines.
 */
export type PageLanguage = 'en' | 'pt-BR';

export type Rating = 1 | 2 | 3 | 4 | 5;

export interface SurveyThanksInput {
  lang: PageLanguage;
  deskName: string;
  ticketNumber: number;
  rating: Rating;
  /** True when this click replaced an earlier rating. */
  updated: boolean;
  /** The form's POST URL: a same-origin path (`/survey/comment`) or an http(s) URL. */
  commentAction: string;
  /** The signed survey link token, sent back with the comment. */
  token: string;
  /** A comment already given, to prefill the form. */
  comment?: string | null;
}

export interface CommentSavedInput {
  lang: PageLanguage;
  deskName: string;
  ticketNumber: number;
}

export type LinkProblem = 'expired' | 'invalid' | 'closed';

export interface LinkProblemInput {
  lang: PageLanguage;
  deskName: string;
  problem: LinkProblem;
}

/** The longest comment the form accepts. */
export const COMMENT_MAX_LENGTH = 2000;

/**
 * Headers for every page here. The CSP allows inline styles and posting forms
 * to our own origin, nothing else: no script, images, fonts, frames or
 * <base>. No referrer, because the URL carries the signed token; no caching,
 * because the page shows one customer's ticket.
 */
export const pageHeaders: Record<string, string> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

/**
 * The page language: the ticket's language first (`pt`, `pt-BR`, `pt-PT`,
 * `pt_BR` → pt-BR; any English → en), then the browser's Accept-Language,
 * else English.
 */
export function pageLanguage(preferred: string | null | undefined, acceptLanguage?: string): PageLanguage {
  const primary = (preferred ?? '').trim().toLowerCase().replace(/_/g, '-').split('-')[0];
  if (primary === 'pt') return 'pt-BR';
  if (primary === 'en') return 'en';
  return pickLanguage(acceptLanguage || undefined, 'en');
}

const strings = {
  en: {
    ticket: (n: string) => `ticket #${n}`,
    thanks: 'Thank you for your rating',
    updatedTitle: 'Your rating has been updated',
    rated: (n: string, r: number) => `You rated ${n}: ${r} out of 5.`,
    changeNote: 'Changed your mind? Click another rating in the email at any time; we keep the latest one.',
    commentHeading: 'Anything else you would like to tell us?',
    commentLabel: 'Your comment (optional)',
    commentHint: `Up to 2,000 characters. Only our support team will read it.`,
    send: 'Send comment',
    savedTitle: 'Thank you, your comment has been saved',
    savedText: (n: string) => `We have added your comment to the rating of ${n}. Our team will read it.`,
    closeHint: 'You can close this page now.',
    expiredTitle: 'This link has expired',
    expiredText: 'For your security, the links in our emails only work for a limited time. If you still need help, simply reply to the email you received and we will pick it up from there.',
    invalidTitle: 'This link does not work',
    invalidText: 'The link may have been cut short or changed when it was copied, or it was not sent by us. Please try clicking it again in the original email, or reply to that email instead.',
    closedTitle: 'The survey for this ticket has closed',
    closedText: 'The time to rate this ticket has ended, so we can no longer record answers. Thank you all the same! If you need more help, simply reply to the email you received.',
    sorry: 'We are sorry for the inconvenience.',
  },
  'pt-BR': {
    ticket: (n: string) => `chamado #${n}`,
    thanks: 'Obrigado pela sua avaliação',
    updatedTitle: 'Sua avaliação foi atualizada',
    rated: (n: string, r: number) => `Você avaliou o ${n} com nota ${r} de 5.`,
    changeNote: 'Mudou de ideia? Clique em outra nota no e-mail quando quiser; vale sempre a mais recente.',
    commentHeading: 'Quer nos contar mais alguma coisa?',
    commentLabel: 'Seu comentário (opcional)',
    commentHint: 'Até 2.000 caracteres. Somente nossa equipe de suporte vai lê-lo.',
    send: 'Enviar comentário',
    savedTitle: 'Obrigado! Seu comentário foi registrado',
    savedText: (n: string) => `Incluímos seu comentário na avaliação do ${n}. Nossa equipe vai lê-lo.`,
    closeHint: 'Você já pode fechar esta página.',
    expiredTitle: 'Este link expirou',
    expiredText: 'Por segurança, os links dos nossos e-mails funcionam apenas por tempo limitado. Se ainda precisar de ajuda, basta responder ao e-mail que você recebeu e daremos continuidade por lá.',
    invalidTitle: 'Este link não funciona',
    invalidText: 'O link pode ter sido cortado ou alterado ao ser copiado, ou não foi enviado por nós. Tente clicar nele novamente no e-mail original ou, se preferir, responda a esse e-mail.',
    closedTitle: 'A pesquisa deste chamado foi encerrada',
    closedText: 'O prazo para avaliar este chamado terminou e não podemos mais registrar respostas. Agradecemos mesmo assim! Se precisar de mais ajuda, basta responder ao e-mail que você recebeu.',
    sorry: 'Pedimos desculpas pelo transtorno.',
  },
} satisfies Record<PageLanguage, unknown>;

export function surveyThanksPage(p: SurveyThanksInput): string {
  const s = strings[p.lang];
  if (!Number.isInteger(p.rating) || p.rating < 1 || p.rating > 5) throw new RangeError('A rating is a whole number from 1 to 5');
  const action = formAction(p.commentAction);
  const ticket = s.ticket(ticketNumber(p.ticketNumber));
  const title = p.updated ? s.updatedTitle : s.thanks;
  const stars = '★'.repeat(p.rating) + '☆'.repeat(5 - p.rating);
  return page(p.lang, p.deskName, title, [
    `<p class="stars" aria-hidden="true">${stars}</p>`,
    `<p>${escapeHtml(s.rated(ticket, p.rating))}</p>`,
    `<p class="note">${escapeHtml(s.changeNote)}</p>`,
    `<form method="post" action="${escapeHtml(action)}">`,
    `<h2>${escapeHtml(s.commentHeading)}</h2>`,
    `<input type="hidden" name="token" value="${escapeHtml(p.token)}">`,
    `<label for="comment">${escapeHtml(s.commentLabel)}</label>`,
    `<p id="comment-hint" class="note">${escapeHtml(s.commentHint)}</p>`,
    `<textarea id="comment" name="comment" rows="5" maxlength="${COMMENT_MAX_LENGTH}" aria-describedby="comment-hint">${escapeHtml(p.comment ?? '')}</textarea>`,
    `<button type="submit">${escapeHtml(s.send)}</button>`,
    '</form>',
  ]);
}

export function surveyCommentSavedPage(p: CommentSavedInput): string {
  const s = strings[p.lang];
  const ticket = s.ticket(ticketNumber(p.ticketNumber));
  return page(p.lang, p.deskName, s.savedTitle, [`<p>${escapeHtml(s.savedText(ticket))}</p>`, `<p class="note">${escapeHtml(s.closeHint)}</p>`]);
}

export function linkProblemPage(p: LinkProblemInput): string {
  const s = strings[p.lang];
  const texts: Record<LinkProblem, [title: string, text: string]> = {
    expired: [s.expiredTitle, s.expiredText],
    invalid: [s.invalidTitle, s.invalidText],
    closed: [s.closedTitle, s.closedText],
  };
  const [title, text] = texts[p.problem];
  const blocks = [`<p>${escapeHtml(text)}</p>`];
  if (p.problem !== 'closed') blocks.push(`<p class="note">${escapeHtml(s.sorry)}</p>`);
  return page(p.lang, p.deskName, title, blocks);
}

/** Readable on a phone, high contrast, with a visible focus outline on every control. */
const STYLE = [
  ':root{color-scheme:light}',
  'body{margin:0;padding:1rem;background:#f4f5f7;color:#1d1f23;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
  'main{box-sizing:border-box;max-width:36rem;margin:1rem auto;padding:1.25rem 1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}',
  '.desk{margin:0 0 .5rem;color:#4a4f57;font-size:.9rem}',
  'h1{margin:0 0 1rem;font-size:1.4rem;line-height:1.25}',
  'h2{margin:1.5rem 0 .5rem;font-size:1.1rem}',
  '.stars{margin:0;font-size:2rem;letter-spacing:.15em;color:#b35c00}',
  '.note{color:#4a4f57;font-size:.95rem}',
  'label{display:block;font-weight:600}',
  '#comment-hint{margin:.25rem 0 .5rem}',
  'textarea{box-sizing:border-box;display:block;width:100%;min-height:8rem;padding:.5rem;font:inherit;border:1px solid #6b7079;border-radius:4px}',
  'button{margin-top:.75rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#1a56b0;border:0;border-radius:4px;cursor:pointer}',
  'button:hover{background:#144a99}',
  'a:focus,button:focus,textarea:focus{outline:3px solid #1a56b0;outline-offset:2px}',
  'button:focus{outline-color:#0b2e63}',
].join('');

function page(lang: PageLanguage, deskName: string, title: string, blocks: string[]): string {
  const desk = oneLine(deskName);
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(desk ? `${title} · ${desk}` : title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...(desk ? [`<p class="desk">${escapeHtml(desk)}</p>`] : []),
    `<h1>${escapeHtml(title)}</h1>`,
    ...blocks,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** `#12`, never anything but digits. */
function ticketNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('A ticket number is a whole number');
  return String(n);
}

/**
 * The form's action: a same-origin path or an http(s) URL. Anything else
 * (`javascript:`, `//evil.example`, `/\evil.example`) is a programming error.
 */
function formAction(action: string): string {
  if (/^\/(?![/\\])/.test(action)) return action;
  try {
    const u = new URL(action);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
  } catch {
    // fall through
  }
  throw new TypeError('The comment form action must be a path on this site or an http(s) URL');
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}
