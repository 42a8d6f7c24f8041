import { escapeHtml, pickLanguage } from './mail/templates.ts';
import { signLink } from './signed-link.ts';
import { formLimits, type FieldError, type HelpFormField, type HelpFormValues } from './customer-forms.ts';
import type { Status } from './ticket.ts';

/**
 * The small pages a customer sees: after clicking a link in our mail, the
 * survey's thank-you page with a comment form, the comment-saved page, the
 * ticket status page with its reply box, and a polite page for a link that is
 * expired, damaged or past its survey window; and the web form that opens a
 * ticket, its thank-you page and the pages for a request we cannot take.
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

export interface SurveyRatingInput {
  lang: PageLanguage;
  deskName: string;
  ticketNumber: number;
  /** The rating the clicked link carries: pre-selected, one press sends it. */
  rating: Rating;
  /** The rating already recorded, if any, so the customer sees what a send would change. */
  current: Rating | null;
  /** The form's POST URL: a same-origin path (`/survey/comment`) or an http(s) URL. */
  action: string;
  /** The signed survey link token, sent back with the rating. */
  token: string;
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

/** The longest comment the survey form accepts (surveyFormSchema). */
export const COMMENT_MAX_LENGTH = formLimits.comment;

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
    rateTitle: 'How did we do?',
    rateIntro: (n: string) => `Your rating of ${n}. Check the one you chose and send it.`,
    rateLegend: 'Your rating, from 1 (poor) to 5 (excellent)',
    rateOption: (r: number) => `${r} out of 5`,
    rateCurrent: (r: number) => `You rated it ${r} out of 5 before; sending replaces that rating.`,
    rateSend: 'Send rating',
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
    rateTitle: 'Como foi o nosso atendimento?',
    rateIntro: (n: string) => `Sua avaliação do ${n}. Confira a nota escolhida e envie.`,
    rateLegend: 'Sua nota, de 1 (ruim) a 5 (excelente)',
    rateOption: (r: number) => `${r} de 5`,
    rateCurrent: (r: number) => `Você já tinha dado nota ${r} de 5; ao enviar, a nova nota substitui a anterior.`,
    rateSend: 'Enviar avaliação',
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

/**
 * What a survey link opens: the rating it carries, pre-selected, and one
 * button that sends it. Opening the link records nothing (mail scanners
 * follow every link); only the person's press does, with no script needed.
 */
export function surveyRatingPage(p: SurveyRatingInput): string {
  const s = strings[p.lang];
  for (const r of [p.rating, p.current ?? 1]) if (!Number.isInteger(r) || r < 1 || r > 5) throw new RangeError('A rating is a whole number from 1 to 5');
  const action = formAction(p.action);
  const ticket = s.ticket(ticketNumber(p.ticketNumber));
  const options = ([1, 2, 3, 4, 5] as const).map(
    (r) =>
      `<label class="choice"><input type="radio" name="rating" value="${r}"${r === p.rating ? ' checked' : ''}> ${escapeHtml(s.rateOption(r))} <span aria-hidden="true">${'★'.repeat(r)}</span></label>`,
  );
  return page(p.lang, p.deskName, s.rateTitle, [
    `<p>${escapeHtml(s.rateIntro(ticket))}</p>`,
    ...(p.current ? [`<p class="note">${escapeHtml(s.rateCurrent(p.current))}</p>`] : []),
    `<form method="post" action="${escapeHtml(action)}">`,
    `<input type="hidden" name="token" value="${escapeHtml(p.token)}">`,
    '<fieldset>',
    `<legend>${escapeHtml(s.rateLegend)}</legend>`,
    ...options,
    '</fieldset>',
    `<button type="submit">${escapeHtml(s.rateSend)}</button>`,
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

// ---------------------------------------------------------------------------
// The web form that opens a ticket, and the ticket status page.

/** How long the status link in our mails works. */
export const STATUS_LINK_DAYS = 90;

/**
 * The signed link to a ticket's status page, `<publicUrl>/status/<token>`,
 * valid for STATUS_LINK_DAYS. Whoever holds it may read the public
 * conversation and reply, as the requester.
 */
export function statusUrl(publicUrl: string, ticketId: string, secret: string, nowSeconds: number): string {
  const token = signLink({ purpose: 'status', ticketId, exp: Math.floor(nowSeconds) + STATUS_LINK_DAYS * 86_400 }, secret);
  return `${publicUrl.replace(/\/+$/, '')}/status/${token}`;
}

export interface HelpFormPageInput {
  lang: PageLanguage;
  deskName: string;
  /** The form's POST URL: a path on this site (`/help`) or an http(s) URL. */
  action: string;
  /** What the customer typed, shown again after an error. */
  values?: Partial<HelpFormValues>;
  errors?: Partial<Record<HelpFormField | 'form', FieldError>>;
}

export interface HelpThanksInput {
  lang: PageLanguage;
  deskName: string;
  ticketNumber: number;
}

export type CustomerProblem = 'too_large' | 'unsupported_type' | 'bad_form' | 'throttled' | 'ticket_closed' | 'not_found';

export interface CustomerProblemInput {
  lang: PageLanguage;
  deskName: string;
  problem: CustomerProblem;
  /** Where to start again (the web form), when there is one. */
  helpUrl?: string;
}

export interface StatusMessage {
  /** `you`: the requester; `participant`: someone else on the conversation; `team`: a public reply of ours. */
  from: 'you' | 'participant' | 'team';
  /** A participant's name or address. */
  name?: string;
  /** Plain text. */
  body: string;
  /** ISO instant. */
  at: string;
}

export interface StatusPageInput {
  lang: PageLanguage;
  deskName: string;
  ticketNumber: number;
  subject: string;
  status: Status;
  /** The public conversation only: never internal notes. Any order; shown oldest first. */
  messages: StatusMessage[];
  /** The signed status token, sent back with a reply. */
  token: string;
  /** The reply form's POST URL: a path on this site (`/status/reply`) or an http(s) URL. */
  replyAction: string;
  /** IANA time zone for the dates shown (the desk's calendar). */
  timeZone?: string;
  /** A reply the customer typed, shown again after an error. */
  reply?: string;
  replyError?: FieldError;
}

/** The most messages, characters per message, and characters in all, that one status page shows. */
export const STATUS_PAGE_LIMITS = { messages: 100, bodyChars: 20_000, totalChars: 1_000_000 } as const;

const webStrings = {
  en: {
    formTitle: 'Contact support',
    formIntro: 'Tell us what you need and we will answer by email. Fields marked “required” must be filled in.',
    otherLanguage: 'Português',
    name: 'Your name',
    nameHint: `Optional. Up to ${formLimits.name} characters.`,
    email: 'Your email address (required)',
    emailHint: 'We send our answers here.',
    subject: 'Subject (required)',
    subjectHint: `A few words about the problem, up to ${formLimits.subject} characters.`,
    message: 'How can we help? (required)',
    messageHint: `Up to ${formLimits.message.toLocaleString('en')} characters.`,
    honeypot: 'Leave this field empty',
    send: 'Send request',
    summaryTitle: 'Please check the form',
    errors: {
      required: 'Please fill this in.',
      too_long: (max: number) => `Please keep this to ${max.toLocaleString('en')} characters or fewer.`,
      invalid_email: 'Please enter an email address such as maria@example.com.',
      our_address: 'Please enter your own email address: this one is ours.',
      invalid: 'This does not look right; please check it.',
    },
    formError: 'The form did not arrive as it was sent. Please check it and send it again.',
    thanksTitle: 'Thank you, we have received your request',
    thanksNumber: (n: string) => `Your ticket number is #${n}.`,
    thanksText: 'We will answer by email. Our confirmation email has a link where you can follow your ticket and add to it. If it does not arrive in a few minutes, please check your spam folder.',
    ticketTitle: (n: string) => `Ticket #${n}`,
    subjectLabel: 'Subject',
    statusLabel: 'Status',
    statuses: {
      new: 'Received: waiting for our team',
      open: 'In progress',
      pending: 'Waiting for your reply',
      on_hold: 'On hold',
      resolved: 'Resolved',
      closed: 'Closed',
    } satisfies Record<Status, string>,
    conversation: 'Conversation',
    noMessages: 'There are no messages yet.',
    earlierHidden: (n: number) => `${n} earlier ${n === 1 ? 'message is' : 'messages are'} not shown here; you will find them in your email.`,
    shortened: '(Shortened here: the full text is in your email.)',
    you: 'You',
    team: 'Support team',
    wrote: 'wrote on',
    replyTitle: 'Add a reply',
    replyLabel: 'Your message',
    replyHint: `Up to ${formLimits.message.toLocaleString('en')} characters. Our team will see it at once.`,
    resolvedHint: 'Is the problem back, or not solved after all? Reply here and we will reopen the ticket.',
    sendReply: 'Send reply',
    closedText: 'This ticket is closed, so it takes no more replies here. If you need more help, reply to our last email: that opens a follow-up ticket.',
    tooLargeTitle: 'That was too much text',
    tooLargeText: `The form can carry up to ${formLimits.message.toLocaleString('en')} characters of text. Please go back, shorten your message and send it again.`,
    unsupportedTitle: 'We could not read that request',
    unsupportedText: 'This address only takes the form on our pages. Please go back and send the form again.',
    badFormTitle: 'We could not read that request',
    badFormText: 'The form did not arrive as it was sent. Please go back and send it again.',
    throttledTitle: 'Too many requests',
    throttledText: 'We have received several requests from you in the last hour, so we are not taking more through this form right now. Please try again in an hour, or reply to one of our emails.',
    closedTitle: 'This ticket is closed',
    notFoundTitle: 'We could not find this ticket',
    notFoundText: 'The ticket this link belongs to no longer exists. If you still need help, please write to us again.',
    startAgain: 'Open the contact form',
  },
  'pt-BR': {
    formTitle: 'Fale com o suporte',
    formIntro: 'Conte do que você precisa e responderemos por e-mail. Os campos marcados como “obrigatório” devem ser preenchidos.',
    otherLanguage: 'English',
    name: 'Seu nome',
    nameHint: `Opcional. Até ${formLimits.name} caracteres.`,
    email: 'Seu e-mail (obrigatório)',
    emailHint: 'Enviaremos nossas respostas para este endereço.',
    subject: 'Assunto (obrigatório)',
    subjectHint: `Algumas palavras sobre o problema, até ${formLimits.subject} caracteres.`,
    message: 'Como podemos ajudar? (obrigatório)',
    messageHint: `Até ${formLimits.message.toLocaleString('pt-BR')} caracteres.`,
    honeypot: 'Deixe este campo em branco',
    send: 'Enviar solicitação',
    summaryTitle: 'Confira o formulário',
    errors: {
      required: 'Preencha este campo.',
      too_long: (max: number) => `Use no máximo ${max.toLocaleString('pt-BR')} caracteres.`,
      invalid_email: 'Informe um e-mail como maria@exemplo.com.br.',
      our_address: 'Informe o seu próprio e-mail: este endereço é nosso.',
      invalid: 'Este valor não parece correto; confira, por favor.',
    },
    formError: 'O formulário não chegou como foi enviado. Confira os dados e envie novamente.',
    thanksTitle: 'Obrigado! Recebemos sua solicitação',
    thanksNumber: (n: string) => `O número do seu chamado é #${n}.`,
    thanksText: 'Responderemos por e-mail. Nosso e-mail de confirmação traz um link para você acompanhar o chamado e complementá-lo. Se ele não chegar em alguns minutos, confira a pasta de spam.',
    ticketTitle: (n: string) => `Chamado #${n}`,
    subjectLabel: 'Assunto',
    statusLabel: 'Situação',
    statuses: {
      new: 'Recebido: aguardando nossa equipe',
      open: 'Em andamento',
      pending: 'Aguardando sua resposta',
      on_hold: 'Em espera',
      resolved: 'Resolvido',
      closed: 'Encerrado',
    } satisfies Record<Status, string>,
    conversation: 'Conversa',
    noMessages: 'Ainda não há mensagens.',
    earlierHidden: (n: number) => (n === 1 ? '1 mensagem anterior não aparece aqui; ela está no seu e-mail.' : `${n} mensagens anteriores não aparecem aqui; elas estão no seu e-mail.`),
    shortened: '(Texto encurtado aqui: a versão completa está no seu e-mail.)',
    you: 'Você',
    team: 'Equipe de suporte',
    wrote: 'escreveu em',
    replyTitle: 'Responder',
    replyLabel: 'Sua mensagem',
    replyHint: `Até ${formLimits.message.toLocaleString('pt-BR')} caracteres. Nossa equipe verá na hora.`,
    resolvedHint: 'O problema voltou ou não foi resolvido? Responda aqui e reabriremos o chamado.',
    sendReply: 'Enviar resposta',
    closedText: 'Este chamado foi encerrado e não recebe mais respostas por aqui. Se precisar de mais ajuda, responda ao nosso último e-mail: isso abre um novo chamado de continuação.',
    tooLargeTitle: 'O texto ficou grande demais',
    tooLargeText: `O formulário aceita até ${formLimits.message.toLocaleString('pt-BR')} caracteres de texto. Volte, encurte sua mensagem e envie novamente.`,
    unsupportedTitle: 'Não conseguimos ler esta solicitação',
    unsupportedText: 'Este endereço só aceita o formulário das nossas páginas. Volte e envie o formulário novamente.',
    badFormTitle: 'Não conseguimos ler esta solicitação',
    badFormText: 'O formulário não chegou como foi enviado. Volte e envie novamente.',
    throttledTitle: 'Solicitações demais',
    throttledText: 'Recebemos várias solicitações suas na última hora, por isso não estamos aceitando outras por este formulário agora. Tente novamente daqui a uma hora ou responda a um dos nossos e-mails.',
    closedTitle: 'Este chamado foi encerrado',
    notFoundTitle: 'Não encontramos este chamado',
    notFoundText: 'O chamado deste link não existe mais. Se ainda precisar de ajuda, escreva para nós novamente.',
    startAgain: 'Abrir o formulário de contato',
  },
} satisfies Record<PageLanguage, unknown>;

const fieldLimits: Record<HelpFormField | 'message', number> = { name: formLimits.name, email: formLimits.email, subject: formLimits.subject, message: formLimits.message };

function errorText(lang: PageLanguage, error: FieldError, max: number): string {
  const e = webStrings[lang].errors;
  return error === 'too_long' ? e.too_long(max) : e[error];
}

/** The web form that opens a ticket: labelled fields with hints and limits, errors next to their fields, and a honeypot. */
export function helpFormPage(p: HelpFormPageInput): string {
  const s = webStrings[p.lang];
  const action = formAction(p.action);
  const values = p.values ?? {};
  const errors = p.errors ?? {};
  const other: PageLanguage = p.lang === 'en' ? 'pt-BR' : 'en';
  const fields: { name: HelpFormField; label: string; hint: string; type: 'text' | 'email' | 'textarea'; required: boolean; autocomplete?: string }[] = [
    { name: 'name', label: s.name, hint: s.nameHint, type: 'text', required: false, autocomplete: 'name' },
    { name: 'email', label: s.email, hint: s.emailHint, type: 'email', required: true, autocomplete: 'email' },
    { name: 'subject', label: s.subject, hint: s.subjectHint, type: 'text', required: true, autocomplete: 'off' },
    { name: 'message', label: s.message, hint: s.messageHint, type: 'textarea', required: true },
  ];
  const wrong = fields.filter((f) => errors[f.name]);
  const blocks: string[] = [];
  if (wrong.length || errors.form) {
    blocks.push(
      '<div class="summary" id="problems">',
      `<h2>${escapeHtml(s.summaryTitle)}</h2>`,
      ...(errors.form ? [`<p>${escapeHtml(s.formError)}</p>`] : []),
      ...(wrong.length ? ['<ul>', ...wrong.map((f) => `<li><a href="#${f.name}">${escapeHtml(`${f.label}: ${errorText(p.lang, errors[f.name]!, fieldLimits[f.name])}`)}</a></li>`), '</ul>'] : []),
      '</div>',
    );
  }
  blocks.push(`<p class="note">${escapeHtml(s.formIntro)}</p>`, `<form method="post" action="${escapeHtml(action)}">`, `<input type="hidden" name="lang" value="${p.lang}">`);
  for (const f of fields) {
    const error = errors[f.name];
    const describedBy = [`${f.name}-hint`, ...(error ? [`${f.name}-error`] : [])].join(' ');
    const common = `id="${f.name}" name="${f.name}" maxlength="${fieldLimits[f.name]}" aria-describedby="${describedBy}"${f.required ? ' required' : ''}${error ? ' aria-invalid="true"' : ''}`;
    const value = escapeHtml(values[f.name] ?? '');
    blocks.push(
      '<div class="field">',
      `<label for="${f.name}">${escapeHtml(f.label)}</label>`,
      `<p id="${f.name}-hint" class="note">${escapeHtml(f.hint)}</p>`,
      ...(error ? [`<p id="${f.name}-error" class="error">${escapeHtml(errorText(p.lang, error, fieldLimits[f.name]))}</p>`] : []),
      f.type === 'textarea'
        ? `<textarea ${common} rows="8">${value}</textarea>`
        : `<input type="${f.type}" ${common} autocomplete="${f.autocomplete}" value="${value}">`,
      '</div>',
    );
  }
  blocks.push(
    // People never see or reach this field; robots that fill every field give themselves away.
    '<div class="hp" aria-hidden="true">',
    `<label for="website">${escapeHtml(s.honeypot)}</label>`,
    '<input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value="">',
    '</div>',
    `<button type="submit">${escapeHtml(s.send)}</button>`,
    '</form>',
  );
  const switcher = `<p class="lang"><a href="${escapeHtml(`${action}?lang=${other}`)}" hreflang="${other}" lang="${other}">${escapeHtml(s.otherLanguage)}</a></p>`;
  return page(p.lang, p.deskName, s.formTitle, blocks, [switcher]);
}

/** After the web form: the ticket number, and what happens next. */
export function helpThanksPage(p: HelpThanksInput): string {
  const s = webStrings[p.lang];
  return page(p.lang, p.deskName, s.thanksTitle, [`<p><strong>${escapeHtml(s.thanksNumber(ticketNumber(p.ticketNumber)))}</strong></p>`, `<p>${escapeHtml(s.thanksText)}</p>`]);
}

/** A request we cannot take (too big, not a form, too many, a closed or missing ticket), said plainly. */
export function customerProblemPage(p: CustomerProblemInput): string {
  const s = webStrings[p.lang];
  const texts: Record<CustomerProblem, [title: string, text: string]> = {
    too_large: [s.tooLargeTitle, s.tooLargeText],
    unsupported_type: [s.unsupportedTitle, s.unsupportedText],
    bad_form: [s.badFormTitle, s.badFormText],
    throttled: [s.throttledTitle, s.throttledText],
    ticket_closed: [s.closedTitle, s.closedText],
    not_found: [s.notFoundTitle, s.notFoundText],
  };
  const [title, text] = texts[p.problem];
  const blocks = [`<p>${escapeHtml(text)}</p>`];
  if (p.helpUrl !== undefined) blocks.push(`<p><a href="${escapeHtml(formAction(p.helpUrl))}">${escapeHtml(s.startAgain)}</a></p>`);
  return page(p.lang, p.deskName, title, blocks);
}

/**
 * The ticket status page: number, subject, status in words, the public
 * conversation (oldest first, newest last; text only, escaped, line breaks
 * kept), and a reply box unless the ticket is closed.
 */
export function statusPage(p: StatusPageInput): string {
  const s = webStrings[p.lang];
  const n = ticketNumber(p.ticketNumber);
  const action = formAction(p.replyAction);
  const when = dateFormatter(p.lang, p.timeZone);
  const sorted = [...p.messages].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  // The newest messages that fit: a page stays small whatever the ticket holds.
  const shown: StatusMessage[] = [];
  let budget: number = STATUS_PAGE_LIMITS.totalChars;
  for (let i = sorted.length - 1; i >= 0 && shown.length < STATUS_PAGE_LIMITS.messages; i--) {
    const size = Math.min(sorted[i]!.body.length, STATUS_PAGE_LIMITS.bodyChars);
    if (size > budget && shown.length > 0) break;
    budget -= size;
    shown.unshift(sorted[i]!);
  }
  const hidden = sorted.length - shown.length;

  const blocks = [
    '<dl>',
    `<dt>${escapeHtml(s.subjectLabel)}</dt><dd>${escapeHtml(oneLine(p.subject))}</dd>`,
    `<dt>${escapeHtml(s.statusLabel)}</dt><dd><strong>${escapeHtml(s.statuses[p.status] ?? p.status)}</strong></dd>`,
    '</dl>',
    `<h2>${escapeHtml(s.conversation)}</h2>`,
  ];
  if (hidden > 0) blocks.push(`<p class="note">${escapeHtml(s.earlierHidden(hidden))}</p>`);
  if (shown.length === 0) blocks.push(`<p class="note">${escapeHtml(s.noMessages)}</p>`);
  else {
    blocks.push('<ol class="conversation">');
    for (const m of shown) {
      const who = m.from === 'team' ? s.team : m.from === 'you' ? s.you : oneLine(m.name ?? '') || s.you;
      const clipped = m.body.length > STATUS_PAGE_LIMITS.bodyChars;
      const body = (clipped ? m.body.slice(0, STATUS_PAGE_LIMITS.bodyChars) : m.body).replace(/\r\n?/g, '\n').trim();
      blocks.push(
        `<li class="${m.from === 'team' ? 'team' : 'customer'}">`,
        `<p class="who"><strong>${escapeHtml(who)}</strong> ${escapeHtml(s.wrote)} <time datetime="${escapeHtml(m.at)}">${escapeHtml(when(m.at))}</time></p>`,
        `<div class="body">${escapeHtml(body).replace(/\n/g, '<br>\n')}</div>`,
        ...(clipped ? [`<p class="note">${escapeHtml(s.shortened)}</p>`] : []),
        '</li>',
      );
    }
    blocks.push('</ol>');
  }

  if (p.status === 'closed') {
    blocks.push(`<p class="note">${escapeHtml(s.closedText)}</p>`);
  } else {
    const error = p.replyError;
    const describedBy = ['reply-hint', ...(error ? ['reply-error'] : [])].join(' ');
    blocks.push(
      `<form method="post" action="${escapeHtml(action)}">`,
      `<h2>${escapeHtml(s.replyTitle)}</h2>`,
      ...(p.status === 'resolved' ? [`<p class="note">${escapeHtml(s.resolvedHint)}</p>`] : []),
      `<input type="hidden" name="token" value="${escapeHtml(p.token)}">`,
      `<label for="reply">${escapeHtml(s.replyLabel)}</label>`,
      `<p id="reply-hint" class="note">${escapeHtml(s.replyHint)}</p>`,
      ...(error ? [`<p id="reply-error" class="error">${escapeHtml(errorText(p.lang, error, formLimits.message))}</p>`] : []),
      `<textarea id="reply" name="message" rows="6" maxlength="${formLimits.message}" required aria-describedby="${describedBy}"${error ? ' aria-invalid="true"' : ''}>${escapeHtml(p.reply ?? '')}</textarea>`,
      `<button type="submit">${escapeHtml(s.sendReply)}</button>`,
      '</form>',
    );
  }
  return page(p.lang, p.deskName, s.ticketTitle(n), blocks);
}

function dateFormatter(lang: PageLanguage, timeZone: string | undefined): (iso: string) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: timeZone ?? 'UTC' });
  } catch {
    format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  }
  return (iso) => {
    const t = Date.parse(iso);
    return Number.isFinite(t) ? format.format(t) : '';
  };
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
  'fieldset{margin:0;padding:.5rem 1rem;border:1px solid #6b7079;border-radius:4px}',
  'legend{font-weight:600;padding:0 .25rem}',
  '.choice{font-weight:400;padding:.3rem 0}',
  '.choice span{color:#b35c00}',
  'input[type=radio]{width:1.1rem;height:1.1rem;vertical-align:-.15rem}',
  '.note{color:#4a4f57;font-size:.95rem}',
  'label{display:block;font-weight:600}',
  '#comment-hint,#reply-hint{margin:.25rem 0 .5rem}',
  'textarea{box-sizing:border-box;display:block;width:100%;min-height:8rem;padding:.5rem;font:inherit;border:1px solid #6b7079;border-radius:4px}',
  'button{margin-top:.75rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#1a56b0;border:0;border-radius:4px;cursor:pointer}',
  'button:hover{background:#144a99}',
  'input[type=text],input[type=email]{box-sizing:border-box;display:block;width:100%;padding:.5rem;font:inherit;border:1px solid #6b7079;border-radius:4px}',
  '.field{margin:0 0 1rem}',
  '.field .note{margin:.1rem 0 .35rem}',
  '.error{margin:.1rem 0 .35rem;color:#a4161a;font-weight:600}',
  '[aria-invalid=true]{border:2px solid #a4161a}',
  '.summary{margin:0 0 1rem;padding:.75rem 1rem;border:2px solid #a4161a;border-radius:4px}',
  '.summary h2{margin:0 0 .25rem}',
  '.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}',
  '.lang{margin:0 0 .5rem;font-size:.9rem;text-align:right}',
  'a{color:#1a56b0}',
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}',
  'dt{font-weight:600}',
  'dd{margin:0;overflow-wrap:anywhere}',
  '.conversation{list-style:none;margin:0;padding:0}',
  '.conversation li{margin:0 0 .75rem;padding:.6rem .8rem;border-left:4px solid #6b7079;background:#f8f9fa;border-radius:4px}',
  '.conversation li.team{border-left-color:#1a56b0;background:#eef3fb}',
  '.who{margin:0 0 .25rem;font-size:.9rem;color:#4a4f57}',
  '.who strong{color:#1d1f23}',
  '.body{overflow-wrap:anywhere}',
  'a:focus,button:focus,textarea:focus,input:focus{outline:3px solid #1a56b0;outline-offset:2px}',
  'button:focus{outline-color:#0b2e63}',
].join('');

function page(lang: PageLanguage, deskName: string, title: string, blocks: string[], top: string[] = []): string {
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
    ...top,
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
