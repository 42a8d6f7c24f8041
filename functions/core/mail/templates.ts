import { replyAboveMarker } from './quote-strip.ts';
import { splitPrefix, withSubjectToken } from './subject-token.ts';

/**
 * The texts of the mails we send, in the desk's languages. Every mail carries
 * the subject token, a marker above which the customer should write (quote
 * stripping cuts there), and a reminder to keep the token: together with the
 * Reply-To token and In-Reply-To, that is what threads the answer back.
 * Every interpolated value is escaped in HTML and flattened to one line where
 * a line break could forge content (names, subjects).
 */
export const languages = ['en', 'pt-BR'] as const;
export type Language = (typeof languages)[number];

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface AcknowledgementInput {
  language: Language;
  ticketNumber: number;
  subject: string;
  requesterName?: string;
  /** A signed link to the ticket's status page; only http(s) links are used. */
  statusUrl?: string;
}

export interface AgentReplyInput {
  language: Language;
  ticketNumber: number;
  subject: string;
  /** The agent's reply, plain text. */
  body: string;
  agentName?: string;
}

const strings = {
  en: {
    noSubject: '(no subject)',
    greeting: (name?: string) => (name ? `Hello ${name},` : 'Hello,'),
    received: (n: number, subject: string) => `We have received your message "${subject}" and opened ticket #${n}.`,
    soon: 'Our team will get back to you as soon as possible.',
    status: 'You can follow your ticket here:',
    replyHint: (n: number) =>
      `To add something, reply to this email and write above the quoted text. Please keep [#${n}] in the subject so your answer reaches this ticket.`,
    ticket: (n: number) => `Ticket #${n}`,
    team: 'The support team',
  },
  'pt-BR': {
    noSubject: '(sem assunto)',
    greeting: (name?: string) => (name ? `Olá, ${name},` : 'Olá,'),
    received: (n: number, subject: string) => `Recebemos sua mensagem "${subject}" e abrimos o chamado #${n}.`,
    soon: 'Nossa equipe responderá o mais breve possível.',
    status: 'Acompanhe seu chamado aqui:',
    replyHint: (n: number) =>
      `Para acrescentar algo, responda a este e-mail escrevendo acima do texto citado. Mantenha [#${n}] no assunto para que sua resposta chegue a este chamado.`,
    ticket: (n: number) => `Chamado #${n}`,
    team: 'Equipe de suporte',
  },
} satisfies Record<Language, unknown>;

export function acknowledgement(input: AcknowledgementInput): MailContent {
  const s = strings[input.language];
  const n = input.ticketNumber;
  const subject = oneLine(input.subject) || s.noSubject;
  const name = input.requesterName ? oneLine(input.requesterName) : undefined;
  const url = safeUrl(input.statusUrl);
  const paragraphs = [s.greeting(name), `${s.received(n, subject)}\n${s.soon}`, s.replyHint(n), s.team];
  const text = [marker(input.language), ...paragraphs.slice(0, 2), ...(url ? [`${s.status}\n${url}`] : []), ...paragraphs.slice(2)].join('\n\n');
  const html = page(input.language, replySubject(subject, n), [
    markerHtml(input.language),
    ...paragraphs.slice(0, 2).map(paragraphHtml),
    ...(url ? [`<p>${escapeHtml(s.status)}<br><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`] : []),
    ...paragraphs.slice(2).map(paragraphHtml),
  ]);
  return { subject: replySubject(subject, n), text, html };
}

export function agentReply(input: AgentReplyInput): MailContent {
  const s = strings[input.language];
  const n = input.ticketNumber;
  const subject = replySubject(oneLine(input.subject) || s.noSubject, n);
  const body = input.body.replace(/\r\n?/g, '\n').trim();
  const agent = input.agentName ? oneLine(input.agentName) : undefined;
  const closing = agent ? `${agent}\n${s.team}` : s.team;
  const footer = `${s.ticket(n)}\n${s.replyHint(n)}`;
  const text = [marker(input.language), body, closing, footer].join('\n\n');
  const html = page(input.language, subject, [
    markerHtml(input.language),
    ...body.split(/\n[ \t]*\n/).map(paragraphHtml),
    paragraphHtml(closing),
    `<p style="color:#666;font-size:12px">${escapeHtml(s.ticket(n))}<br>${escapeHtml(s.replyHint(n))}</p>`,
  ]);
  return { subject, text, html };
}

/**
 * The template language for a customer: their language when we have it (a
 * stored preference or an Accept-Language / Content-Language value such as
 * `pt_BR`, `en-US` or `pt-BR,pt;q=0.9,en;q=0.8`), else the desk's default.
 * Any Portuguese gets pt-BR, the only Portuguese we write.
 */
export function pickLanguage(customerLanguage: string | undefined, deskDefault: Language): Language {
  if (!customerLanguage) return deskDefault;
  const ranges = customerLanguage
    .slice(0, 200)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const qParam = params.find((p) => p.trim().startsWith('q='));
      const q = qParam === undefined ? 1 : Number(qParam.trim().slice(2));
      return { primary: tag.trim().toLowerCase().replace(/_/g, '-').split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranges) {
    if (r.primary === 'pt') return 'pt-BR';
    if (r.primary === 'en') return 'en';
  }
  return deskDefault;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}

/** `Re: [#12] Subject`: a reply prefix keeps the mail in the customer's thread view. */
function replySubject(subject: string, n: number): string {
  return withSubjectToken(splitPrefix(subject).prefix ? subject : `Re: ${subject}`, n);
}

function marker(language: Language): string {
  return `##- ${replyAboveMarker[language]} -##`;
}

function markerHtml(language: Language): string {
  return `<p style="color:#999;font-size:12px">${escapeHtml(marker(language))}</p>`;
}

function paragraphHtml(text: string): string {
  return `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`;
}

function page(language: Language, subject: string, blocks: string[]): string {
  return [
    '<!doctype html>',
    `<html lang="${language}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body>',
    ...blocks,
    '</body>',
    '</html>',
  ].join('\n');
}

/** Line breaks and other control characters in a name or subject could fake extra lines of the mail. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const lifecycleStrings = {
  en: {
    surveyAsk: (n: number) => `Your ticket #${n} has been resolved. How did we do? Pick a rating, then press “Send rating” on the page that opens:`,
    ratings: ['1 - Very dissatisfied', '2 - Dissatisfied', '3 - Neutral', '4 - Satisfied', '5 - Very satisfied'],
    surveyReopen: 'If the problem is not solved, just reply to this email and the ticket opens again.',
    surveySubject: (n: number) => `How did we do? Ticket #${n}`,
    autoResolved: (n: number, days: number) =>
      `We have not heard from you for ${days} days, so we have marked ticket #${n} as resolved. If you still need help, reply to this email and it opens again.`,
  },
  'pt-BR': {
    surveyAsk: (n: number) => `Seu chamado #${n} foi resolvido. Como foi o atendimento? Escolha uma nota e toque em “Enviar avaliação” na página que abrir:`,
    ratings: ['1 - Muito insatisfeito', '2 - Insatisfeito', '3 - Neutro', '4 - Satisfeito', '5 - Muito satisfeito'],
    surveyReopen: 'Se o problema não foi resolvido, responda a este e-mail e o chamado será reaberto.',
    surveySubject: (n: number) => `Como foi o atendimento? Chamado #${n}`,
    autoResolved: (n: number, days: number) =>
      `Não recebemos resposta há ${days} dias, então marcamos o chamado #${n} como resolvido. Se ainda precisar de ajuda, responda a este e-mail e ele será reaberto.`,
  },
} satisfies Record<Language, unknown>;

/** The satisfaction survey: five rating links (signed, made by the caller), each opening a page that sends that rating with one press. */
export function surveyRequest(input: { language: Language; ticketNumber: number; subject: string; requesterName?: string; ratingUrls: string[] }): MailContent {
  const s = strings[input.language];
  const l = lifecycleStrings[input.language];
  const n = input.ticketNumber;
  const urls = input.ratingUrls.map(safeUrl);
  if (urls.length !== 5 || urls.some((u) => !u)) throw new Error('a survey needs five http(s) rating links');
  const name = input.requesterName ? oneLine(input.requesterName) : undefined;
  const subject = withSubjectToken(l.surveySubject(n), n);
  const text = [
    marker(input.language),
    s.greeting(name),
    l.surveyAsk(n),
    l.ratings.map((label, i) => `${label}: ${urls[i]}`).join('\n'),
    l.surveyReopen,
    s.team,
  ].join('\n\n');
  const links = l.ratings
    .map((label, i) => `<a href="${escapeHtml(urls[i]!)}" style="display:inline-block;margin:4px;padding:8px 12px;border:1px solid #888;border-radius:6px;text-decoration:none">${escapeHtml(label)}</a>`)
    .join('\n');
  const html = page(input.language, subject, [markerHtml(input.language), paragraphHtml(s.greeting(name)), paragraphHtml(l.surveyAsk(n)), `<p>${links}</p>`, paragraphHtml(l.surveyReopen), paragraphHtml(s.team)]);
  return { subject, text, html };
}

/** Told to the customer when a ticket pending on them resolves itself. */
export function autoResolvedNotice(input: { language: Language; ticketNumber: number; subject: string; days: number }): MailContent {
  const s = strings[input.language];
  const n = input.ticketNumber;
  const subject = replySubject(oneLine(input.subject) || s.noSubject, n);
  const body = lifecycleStrings[input.language].autoResolved(n, input.days);
  const text = [marker(input.language), body, s.team].join('\n\n');
  return { subject, text, html: page(input.language, subject, [markerHtml(input.language), paragraphHtml(body), paragraphHtml(s.team)]) };
}

/**
 * To agents: a ticket breached its level budget and is now theirs (or, at
 * level 3, the admins must step in). Internal: no reply marker, no token.
 */
export function escalationNotice(input: { language: Language; ticketNumber: number; subject: string; fromLevel: number; toLevel: number | null; priority: string; ticketUrl?: string }): MailContent {
  const n = input.ticketNumber;
  const subject = oneLine(input.subject);
  const pt = input.language === 'pt-BR';
  const head = input.toLevel
    ? pt
      ? `SLA estourado: chamado #${n} passou do nível ${input.fromLevel} para o nível ${input.toLevel}`
      : `SLA breached: ticket #${n} moved from level ${input.fromLevel} to level ${input.toLevel}`
    : pt
      ? `SLA estourado no nível 3: o chamado #${n} precisa de um administrador`
      : `SLA breached at level 3: ticket #${n} needs an admin`;
  const detail = pt ? `Assunto: ${subject}\nPrioridade: ${input.priority}` : `Subject: ${subject}\nPriority: ${input.priority}`;
  const url = safeUrl(input.ticketUrl);
  const text = [head, detail, ...(url ? [url] : [])].join('\n\n');
  return { subject: head, text, html: page(input.language, head, [paragraphHtml(head), paragraphHtml(detail), ...(url ? [`<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`] : [])]) };
}
