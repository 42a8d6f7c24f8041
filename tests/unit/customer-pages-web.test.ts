import { describe, expect, it } from 'vitest';
import {
  customerProblemPage,
  helpFormPage,
  helpThanksPage,
  statusPage,
  statusUrl,
  STATUS_LINK_DAYS,
  STATUS_PAGE_LIMITS,
  type CustomerProblem,
  type PageLanguage,
  type StatusPageInput,
} from '../../functions/core/customer-pages.ts';
import { checkHelpForm, checkStatusReply, formLimits, isOurAddress, readForm, submissionFingerprint } from '../../functions/core/customer-forms.ts';
import { addCustomerMessage, openTicket, updateTicket, type Actor, type Ticket } from '../../functions/core/ticket.ts';
import { verifyLink } from '../../functions/core/signed-link.ts';
import { RuleViolationError } from '../../functions/core/errors.ts';
import { defaultPolicy, type Policy } from '../../functions/core/policy.ts';
import { sendAcknowledgement, type AcknowledgementDeps } from '../../functions/app/acknowledgement.ts';
import type { OutgoingMail } from '../../functions/adapters/mailer.ts';

const desk = 'Acme Support';
const hostile = `<script>alert("x")</script>&'`;
const escapedHostile = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;';
const FORM = 'application/x-www-form-urlencoded';
const problems: CustomerProblem[] = ['too_large', 'unsupported_type', 'bad_form', 'throttled', 'ticket_closed', 'not_found'];

const status = (over: Partial<StatusPageInput> = {}) =>
  statusPage({
    lang: 'en',
    deskName: desk,
    ticketNumber: 321,
    subject: 'Printer on fire',
    status: 'open',
    messages: [
      { from: 'team', body: 'Please unplug it.', at: '2026-03-02T13:00:00.000Z' },
      { from: 'you', body: 'It is smoking.\nSend help.', at: '2026-03-02T12:00:00.000Z' },
    ],
    token: 'tok.en',
    replyAction: '/status/reply',
    timeZone: 'America/Sao_Paulo',
    ...over,
  });

const everyPage = (lang: PageLanguage, deskName = desk) => [
  helpFormPage({ lang, deskName, action: '/help' }),
  helpFormPage({ lang, deskName, action: '/help', values: { email: 'x' }, errors: { email: 'invalid_email', subject: 'required', form: 'invalid' } }),
  helpThanksPage({ lang, deskName, ticketNumber: 77 }),
  ...problems.map((problem) => customerProblemPage({ lang, deskName, problem })),
  status({ lang, deskName }),
  status({ lang, deskName, status: 'closed' }),
];

/** Every form control has an id, and a <label for> naming it. */
function unlabelled(html: string): string[] {
  const ids = [...html.matchAll(/<(?:input|textarea|select)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"/g)].map((m) => m[1]!);
  const controls = [...html.matchAll(/<(?:input|textarea|select)\b(?![^>]*type="hidden")[^>]*>/g)].length;
  const labels = new Set([...html.matchAll(/<label for="([^"]+)">/g)].map((m) => m[1]!));
  return [...ids.filter((id) => !labels.has(id)), ...(ids.length === controls ? [] : ['(control without id)'])];
}

describe('customer pages: structure', () => {
  it.each(['en', 'pt-BR'] as const)('every %s page is a complete, script-free document with labelled controls and visible focus', (lang) => {
    for (const html of everyPage(lang)) {
      expect(html.startsWith('<!doctype html>\n')).toBe(true);
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html.match(/<main>/g)).toHaveLength(1);
      expect(html).toMatch(/<h1>[^<]+<\/h1>/);
      expect(html).toMatch(/input:focus\{outline:3px solid/);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|\son\w+=|javascript:|src=|@import|url\(/i);
      expect(unlabelled(html)).toEqual([]);
    }
  });

  it('escapes a hostile desk name everywhere', () => {
    for (const html of everyPage('en', hostile)) {
      expect(html).not.toContain('<script');
      expect(html).toContain(escapedHostile);
    }
  });
});

describe('the web form', () => {
  it('has labelled fields with limits, autocomplete, a hidden language and a POST to the action', () => {
    const html = helpFormPage({ lang: 'en', deskName: desk, action: '/help' });
    expect(html).toContain('<form method="post" action="/help">');
    expect(html).toContain('<input type="hidden" name="lang" value="en">');
    expect(html).toMatch(/<label for="name">Your name<\/label>/);
    expect(html).toMatch(/<input type="text" id="name" name="name" maxlength="200" aria-describedby="name-hint" autocomplete="name" value="">/);
    expect(html).toMatch(/<input type="email" id="email" name="email" maxlength="254" aria-describedby="email-hint" required autocomplete="email" value="">/);
    expect(html).toMatch(/<input type="text" id="subject" name="subject" maxlength="250"[^>]* required/);
    expect(html).toMatch(/<textarea id="message" name="message" maxlength="5000" aria-describedby="message-hint" required rows="8"><\/textarea>/);
    expect(html).toContain('<button type="submit">Send request</button>');
  });

  it('hides the honeypot from people and from assistive technology', () => {
    const html = helpFormPage({ lang: 'en', deskName: desk, action: '/help' });
    expect(html).toMatch(/<div class="hp" aria-hidden="true">\n<label for="website">[^<]+<\/label>\n<input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value="">/);
    expect(html).toMatch(/\.hp\{position:absolute;left:-10000px/);
  });

  it('offers the other language', () => {
    expect(helpFormPage({ lang: 'en', deskName: desk, action: '/help' })).toContain('<a href="/help?lang=pt-BR" hreflang="pt-BR" lang="pt-BR">Português</a>');
    expect(helpFormPage({ lang: 'pt-BR', deskName: desk, action: '/help' })).toContain('<a href="/help?lang=en" hreflang="en" lang="en">English</a>');
  });

  it('shows each error next to its field and in a summary, keeps the values, escaped', () => {
    const html = helpFormPage({
      lang: 'en',
      deskName: desk,
      action: '/help',
      values: { name: hostile, email: 'not-an-address', subject: '', message: `line 1\n${hostile}` },
      errors: { email: 'invalid_email', subject: 'required', message: 'too_long' },
    });
    expect(html).not.toContain('<script');
    expect(html).toContain(`value="${escapedHostile}"`);
    expect(html).toContain(`>line 1\n${escapedHostile}</textarea>`);
    expect(html).toMatch(/id="email" [^>]*aria-describedby="email-hint email-error"[^>]* aria-invalid="true"/);
    expect(html).toContain('<p id="email-error" class="error">Please enter an email address such as maria@example.com.</p>');
    expect(html).toContain('<p id="subject-error" class="error">Please fill this in.</p>');
    expect(html).toContain('Please keep this to 5,000 characters or fewer.');
    expect(html).toContain('<a href="#email">');
    expect(html).not.toMatch(/id="name" [^>]*aria-invalid/);
  });

  it('speaks Brazilian Portuguese', () => {
    const html = helpFormPage({ lang: 'pt-BR', deskName: desk, action: '/help', errors: { email: 'required', message: 'too_long' } });
    expect(html).toContain('<h1>Fale com o suporte</h1>');
    expect(html).toContain('Seu e-mail (obrigatório)');
    expect(html).toContain('Preencha este campo.');
    expect(html).toContain('Use no máximo 5.000 caracteres.');
    expect(html).toContain('<input type="hidden" name="lang" value="pt-BR">');
  });

  it('accepts only a path on this site or an http(s) URL as the action', () => {
    expect(() => helpFormPage({ lang: 'en', deskName: desk, action: 'javascript:alert(1)' })).toThrow(TypeError);
    expect(() => helpFormPage({ lang: 'en', deskName: desk, action: '//evil.example/help' })).toThrow(TypeError);
  });

  it('thanks with the ticket number, in both languages', () => {
    expect(helpThanksPage({ lang: 'en', deskName: desk, ticketNumber: 1234 })).toContain('Your ticket number is #1234.');
    expect(helpThanksPage({ lang: 'pt-BR', deskName: desk, ticketNumber: 1234 })).toContain('O número do seu chamado é #1234.');
    expect(() => helpThanksPage({ lang: 'en', deskName: desk, ticketNumber: 1.5 })).toThrow(RangeError);
  });

  it('explains every problem differently, with a way back when there is one', () => {
    for (const lang of ['en', 'pt-BR'] as const) {
      const titles = problems.map((problem) => customerProblemPage({ lang, deskName: desk, problem }).match(/<h1>([^<]+)<\/h1>/)![1]);
      // Two problems are the same to the reader (we could not read the request): five titles.
      expect(new Set(titles).size).toBe(5);
    }
    expect(customerProblemPage({ lang: 'en', deskName: desk, problem: 'throttled' })).toContain('in the last hour');
    expect(customerProblemPage({ lang: 'en', deskName: desk, problem: 'ticket_closed' })).toContain('reply to our last email');
    expect(customerProblemPage({ lang: 'en', deskName: desk, problem: 'too_large', helpUrl: '/help' })).toContain('<a href="/help">Open the contact form</a>');
  });
});

describe('the status page', () => {
  it('shows the number, subject and status in words, and the conversation oldest first', () => {
    const html = status();
    expect(html).toContain('<h1>Ticket #321</h1>');
    expect(html).toContain('<dt>Subject</dt><dd>Printer on fire</dd>');
    expect(html).toContain('<dt>Status</dt><dd><strong>In progress</strong></dd>');
    expect(html.indexOf('It is smoking.')).toBeLessThan(html.indexOf('Please unplug it.'));
    expect(html).toContain('<div class="body">It is smoking.<br>\nSend help.</div>');
    expect(html).toContain('<li class="team">');
    expect(html).toContain('<strong>Support team</strong>');
    expect(html).toContain('<strong>You</strong> wrote on <time datetime="2026-03-02T12:00:00.000Z">Mar 2, 2026, 9:00 AM</time>');
  });

  it('words every status, in both languages', () => {
    const words = (lang: PageLanguage) =>
      (['new', 'open', 'pending', 'on_hold', 'resolved', 'closed'] as const).map((s) => status({ lang, status: s }).match(/<dt>(?:Status|Situação)<\/dt><dd><strong>([^<]+)</)![1]);
    expect(words('en')).toEqual(['Received: waiting for our team', 'In progress', 'Waiting for your reply', 'On hold', 'Resolved', 'Closed']);
    expect(new Set(words('pt-BR')).size).toBe(6);
    expect(words('pt-BR')[2]).toBe('Aguardando sua resposta');
  });

  it('escapes every value: subject, bodies, names, token', () => {
    const html = status({ subject: hostile, token: `a"b<c`, messages: [{ from: 'participant', name: hostile, body: hostile, at: '2026-03-02T12:00:00.000Z' }] });
    expect(html).not.toContain('<script');
    expect(html.split(escapedHostile).length - 1).toBeGreaterThanOrEqual(3);
    expect(html).toContain('<input type="hidden" name="token" value="a&quot;b&lt;c">');
  });

  it('has a labelled reply box that posts the token, and keeps a reply shown again with its error', () => {
    const html = status({ reply: 'half <b>written</b>', replyError: 'too_long' });
    expect(html).toContain('<form method="post" action="/status/reply">');
    expect(html).toContain('<label for="reply">Your message</label>');
    expect(html).toMatch(/<textarea id="reply" name="message" rows="6" maxlength="5000" required aria-describedby="reply-hint reply-error" aria-invalid="true">half &lt;b&gt;written&lt;\/b&gt;<\/textarea>/);
    expect(html).toContain('<p id="reply-error" class="error">Please keep this to 5,000 characters or fewer.</p>');
  });

  it('a resolved ticket invites a reply; a closed one has no reply box and says to reply by mail', () => {
    expect(status({ status: 'resolved' })).toContain('we will reopen the ticket');
    const closed = status({ status: 'closed' });
    expect(closed).not.toContain('<form');
    expect(closed).toContain('reply to our last email: that opens a follow-up ticket');
    expect(status({ lang: 'pt-BR', status: 'closed' })).toContain('responda ao nosso último e-mail');
  });

  it('says when there is nothing yet', () => {
    expect(status({ messages: [] })).toContain('There are no messages yet.');
  });

  it('stays small: the newest messages that fit, long bodies shortened, and says so', () => {
    const many = Array.from({ length: STATUS_PAGE_LIMITS.messages + 5 }, (_, i) => ({
      from: 'you' as const,
      body: `message ${i}`,
      at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    }));
    const html = status({ messages: many });
    expect(html).toContain('5 earlier messages are not shown here');
    expect(html).not.toContain('>message 4<');
    expect(html).toContain('>message 5<');
    expect(html).toContain(`>message ${STATUS_PAGE_LIMITS.messages + 4}<`);

    const long = status({ messages: [{ from: 'you', body: 'x'.repeat(STATUS_PAGE_LIMITS.bodyChars + 10), at: '2026-01-01T00:00:00.000Z' }] });
    expect(long).toContain('Shortened here');
    expect(long).not.toContain('x'.repeat(STATUS_PAGE_LIMITS.bodyChars + 1));

    const huge = status({ messages: Array.from({ length: 80 }, (_, i) => ({ from: 'you' as const, body: 'y'.repeat(STATUS_PAGE_LIMITS.bodyChars), at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() })) });
    expect(huge.length).toBeLessThan(STATUS_PAGE_LIMITS.totalChars + 50_000);
    expect(huge).toMatch(/\d+ earlier messages are not shown/);
  });
});

describe('statusUrl', () => {
  const secret = 's'.repeat(40);
  it('is the public URL, /status/, and a status token valid for 90 days', () => {
    const now = 1_800_000_000;
    const url = statusUrl('https://api.example.com/', 'TICKET1', secret, now);
    expect(url).toMatch(/^https:\/\/api\.example\.com\/status\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const token = url.split('/status/')[1]!;
    const check = verifyLink(token, 'status', secret, now + STATUS_LINK_DAYS * 86_400);
    expect(check).toMatchObject({ ok: true, claims: { ticketId: 'TICKET1', purpose: 'status' } });
    expect(verifyLink(token, 'status', secret, now + STATUS_LINK_DAYS * 86_400 + 1)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLink(token, 'survey', secret, now)).toEqual({ ok: false, reason: 'wrong_purpose' });
  });
});

describe('readForm', () => {
  it('reads a URL-encoded form, plain or base64, taking the first value of a repeated field', () => {
    const body = 'email=ana%40example.com&subject=Ol%C3%A1&subject=again&message=a+b';
    expect(readForm(body, false, FORM)).toEqual({ ok: true, fields: { email: 'ana@example.com', subject: 'Olá', message: 'a b' } });
    expect(readForm(Buffer.from(body).toString('base64'), true, `${FORM}; charset=UTF-8`)).toEqual(readForm(body, false, FORM));
    expect(readForm(undefined, false, FORM)).toEqual({ ok: true, fields: {} });
  });

  it('refuses another content type, a body over 32 KB, bytes that are not UTF-8, and raw control bytes', () => {
    expect(readForm('{"email":"x"}', false, 'application/json')).toEqual({ ok: false, problem: 'unsupported_type' });
    expect(readForm('a=b', false, undefined)).toEqual({ ok: false, problem: 'unsupported_type' });
    expect(readForm('a=b', false, 'multipart/form-data; boundary=x')).toEqual({ ok: false, problem: 'unsupported_type' });
    expect(readForm(`message=${'a'.repeat(formLimits.requestBytes)}`, false, FORM)).toEqual({ ok: false, problem: 'too_large' });
    expect(readForm(Buffer.alloc(formLimits.requestBytes + 1, 97).toString('base64'), true, FORM)).toEqual({ ok: false, problem: 'too_large' });
    expect(readForm(Buffer.from([0x61, 0x3d, 0xff, 0xfe]).toString('base64'), true, FORM)).toEqual({ ok: false, problem: 'bad_form' });
    expect(readForm('a=b\u0000c', false, FORM)).toEqual({ ok: false, problem: 'bad_form' });
    expect(readForm(Array.from({ length: 60 }, (_, i) => `f${i}=1`).join('&'), false, FORM)).toEqual({ ok: false, problem: 'bad_form' });
  });

  it('keeps a field named __proto__ a plain field', () => {
    const r = readForm('__proto__=x&email=a%40b.co', false, FORM);
    expect(r.ok && Object.getPrototypeOf(r.fields)).toBe(Object.prototype);
    expect(r.ok && r.fields.email).toBe('a@b.co');
  });
});

describe('checkHelpForm', () => {
  const valid = { name: ' Ana  Souza ', email: ' Ana@Example.COM ', subject: ' VPN\r\nfora ', message: '\r\nLinha 1\r\nLinha 2\u0007\n', lang: 'pt-BR' };

  it('accepts a filled form: one-line name and subject, lower-case email, message with its line breaks', () => {
    expect(checkHelpForm(valid)).toEqual({
      ok: true,
      honeypot: false,
      form: { name: 'Ana Souza', email: 'ana@example.com', subject: 'VPN fora', message: 'Linha 1\nLinha 2', lang: 'pt-BR' },
    });
    expect(checkHelpForm({ ...valid, name: '', website: '' })).toMatchObject({ ok: true, form: { email: 'ana@example.com' } });
    expect((checkHelpForm({ ...valid, name: '' }) as { form: object }).form).not.toHaveProperty('name');
  });

  it('names each problem by field and keeps the values as typed', () => {
    const r = checkHelpForm({ email: 'nope', subject: '   ', message: 'x'.repeat(formLimits.message + 1), name: 'n'.repeat(201) });
    expect(r).toMatchObject({ ok: false, honeypot: false, errors: { email: 'invalid_email', subject: 'required', message: 'too_long', name: 'too_long' } });
    expect(!r.ok && r.values.email).toBe('nope');
    expect(checkHelpForm({})).toMatchObject({ ok: false, errors: { email: 'required', subject: 'required', message: 'required' } });
  });

  it('refuses our own address, plus-addresses included', () => {
    expect(checkHelpForm({ ...valid, email: 'Support+x@Helpdesk.local' }, ['support@helpdesk.local'])).toMatchObject({ ok: false, errors: { email: 'our_address' } });
    expect(isOurAddress('someone@helpdesk.local', ['support@helpdesk.local'])).toBe(false);
  });

  it('refuses unknown fields and unknown languages as a form-level problem', () => {
    expect(checkHelpForm({ ...valid, admin: 'true' })).toMatchObject({ ok: false, errors: { form: 'invalid' } });
    expect(checkHelpForm({ ...valid, lang: 'fr' })).toMatchObject({ ok: false, errors: { form: 'invalid' } });
  });

  it('reports a filled honeypot whatever else is wrong', () => {
    expect(checkHelpForm({ ...valid, website: 'http://spam.example' })).toMatchObject({ ok: true, honeypot: true });
    expect(checkHelpForm({ website: 'x' })).toMatchObject({ ok: false, honeypot: true });
  });
});

describe('checkStatusReply', () => {
  it('accepts a token and a message', () => {
    expect(checkStatusReply({ token: 't.k', message: ' Still broken\r\n' })).toEqual({ ok: true, token: 't.k', message: 'Still broken' });
  });
  it('names the problem and keeps the token and text', () => {
    expect(checkStatusReply({ token: 't.k', message: '  ' })).toEqual({ ok: false, token: 't.k', error: 'required', message: '  ' });
    expect(checkStatusReply({ token: 't.k', message: 'x'.repeat(formLimits.message + 1) })).toMatchObject({ ok: false, token: 't.k', error: 'too_long' });
    expect(checkStatusReply({ message: 'hi' })).toMatchObject({ ok: false, token: undefined });
    expect(checkStatusReply({ token: 't.k', message: 'hi', extra: '1' })).toMatchObject({ ok: false, token: 't.k', error: 'invalid' });
  });
});

describe('submissionFingerprint', () => {
  it('is the same for the same request, whatever the case and white space, and differs otherwise', () => {
    const a = submissionFingerprint({ email: 'ana@example.com', subject: 'VPN fora', message: 'Não conecta.\nDesde ontem.' });
    expect(submissionFingerprint({ email: 'ANA@example.com', subject: ' vpn  fora', message: 'não conecta. desde ontem.' })).toBe(a);
    expect(submissionFingerprint({ email: 'bia@example.com', subject: 'VPN fora', message: 'Não conecta.\nDesde ontem.' })).not.toBe(a);
    expect(submissionFingerprint({ email: 'ana@example.com', subject: 'VPN fora', message: 'Não conecta.' })).not.toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('addCustomerMessage', () => {
  const allDay: Policy = { ...defaultPolicy, alwaysOpenPriorities: ['urgent', 'high', 'normal', 'low'] };
  const agent: Actor = { sub: 'sub-1', email: 'l1@helpdesk.local' };
  const page: Actor = { sub: 'system:status-page', email: 'web' };
  const t0 = '2026-03-02T12:00:00.000Z';
  const open = () => openTicket({ requester: { email: 'ana@example.com', name: 'Ana' }, subject: 'Help', body: 'Please', channel: 'web' }, 7, page, t0, allDay).ticket;
  const to = (t: Ticket, s: Ticket['status'], at: string) => updateTicket(t, { status: s }, agent, at, allDay).ticket;

  it('adds a public customer message by the requester, and a new version with its event', () => {
    const t = open();
    const r = addCustomerMessage(t, { body: 'More details', at: '2026-03-02T12:10:00.000Z' }, page, allDay);
    expect(r.message).toMatchObject({ ticketId: t.id, kind: 'customer', public: true, body: 'More details', author: { type: 'customer', email: 'ana@example.com', name: 'Ana' }, createdAt: '2026-03-02T12:10:00.000Z' });
    expect(r.ticket).toMatchObject({ status: 'new', version: 2, updatedAt: '2026-03-02T12:10:00.000Z' });
    expect(r.ticket.lifecycleSeq).toBe(t.lifecycleSeq);
    expect(r.event).toMatchObject({ ticketId: t.id, version: 2, actor: page, action: 'message.added' });
    expect(r.event.changes[0]).toMatchObject({ field: 'messages', after: { id: r.message.id, kind: 'customer' } });
  });

  it('brings a pending ticket back to work, resuming its clocks with the time that was left', () => {
    const pending = to(to(open(), 'open', '2026-03-02T12:05:00.000Z'), 'pending', '2026-03-02T13:00:00.000Z');
    expect(pending.slaPausedAt).toBe('2026-03-02T13:00:00.000Z');
    const r = addCustomerMessage(pending, { body: 'Here it is', at: '2026-03-02T15:00:00.000Z' }, page, allDay);
    expect(r.ticket).toMatchObject({ status: 'open', slaPausedAt: null, slaPauses: [{ from: '2026-03-02T13:00:00.000Z', to: '2026-03-02T15:00:00.000Z' }] });
    // Two paused hours move the resolution deadline by two hours.
    expect(Date.parse(r.ticket.resolutionDueAt) - Date.parse(pending.resolutionDueAt)).toBe(2 * 3600_000);
    expect(r.ticket.lifecycleSeq).toBeGreaterThan(pending.lifecycleSeq);
    expect(r.event.changes).toContainEqual({ field: 'status', before: 'pending', after: 'open' });
  });

  it('reopens a resolved ticket with a fresh level budget', () => {
    const resolved = to(to(open(), 'open', '2026-03-02T12:05:00.000Z'), 'resolved', '2026-03-02T13:00:00.000Z');
    const r = addCustomerMessage(resolved, { body: 'Broken again', at: '2026-03-02T14:00:00.000Z' }, page, allDay);
    expect(r.ticket).toMatchObject({ status: 'open', resolvedAt: null, survey: null });
    expect(Date.parse(r.ticket.levelDueAt!)).toBeGreaterThan(Date.parse('2026-03-02T14:00:00.000Z'));
    expect(r.ticket.lifecycleSeq).toBeGreaterThan(resolved.lifecycleSeq);
  });

  it('refuses a closed ticket', () => {
    const closed = to(to(open(), 'resolved', '2026-03-02T13:00:00.000Z'), 'closed', '2026-03-02T14:00:00.000Z');
    expect(() => addCustomerMessage(closed, { body: 'Hello?', at: '2026-03-02T15:00:00.000Z' }, page, allDay)).toThrow(RuleViolationError);
  });
});

describe('the acknowledgement', () => {
  const secret = 'k'.repeat(40);
  const ticket = openTicket({ requester: { email: 'ana@example.com', name: 'Ana' }, subject: 'VPN', body: 'Down', channel: 'web' }, 9, { sub: 'system:web-form', email: 'web' }, '2026-03-02T12:00:00.000Z', defaultPolicy).ticket;
  function deps(publicUrl?: string) {
    const sent: OutgoingMail[] = [];
    const claims = new Set<string>();
    const d: AcknowledgementDeps = {
      index: {
        claimOnce: async (id: string, what: string) => (claims.has(`${id}${what}`) ? false : (claims.add(`${id}${what}`), true)),
        releaseClaim: async () => undefined,
        countAutoReply: async () => 1,
        remember: async () => undefined,
      } as unknown as AcknowledgementDeps['index'],
      send: async (m) => (sent.push(m), { sesMessageId: 'ses-1' }),
      config: { fromAddress: 'support@desk.example', deskName: 'Desk', replyTokenSecret: secret, defaultLanguage: 'en', autoReplyCap: 5, ...(publicUrl ? { publicUrl } : {}) },
    };
    return { d, sent };
  }

  it('carries the signed status link when the desk has a public URL, once per ticket', async () => {
    const { d, sent } = deps('https://desk.example');
    expect(await sendAcknowledgement(ticket, { references: [] }, d)).toBe(true);
    expect(await sendAcknowledgement(ticket, { references: [] }, d)).toBe(false);
    expect(sent).toHaveLength(1);
    const link = /https:\/\/desk\.example\/status\/(\S+)/.exec(sent[0]!.text)!;
    expect(verifyLink(link[1]!, 'status', secret, Math.floor(Date.now() / 1000))).toMatchObject({ ok: true, claims: { ticketId: ticket.id } });
    expect(sent[0]!.html).toContain(`href="${link[0]}"`);
    expect(sent[0]!.subject).toContain('[#9]');
  });

  it('has no link without one', async () => {
    const { d, sent } = deps();
    await sendAcknowledgement(ticket, { references: [] }, d);
    expect(sent[0]!.text).not.toContain('/status/');
  });
});
