import { describe, expect, it } from 'vitest';
import { BODY_WINDOW, detectLanguage as detectWith, languageDetector, languageSample, MIN_MARGIN, SAMPLE_CHARS, type LanguageDetector } from '../../functions/core/language.ts';
import { isWellFormed } from '../../functions/core/text.ts';
import { labelledTickets, languageAccuracy } from '../../bench/language-accuracy.ts';

const detect = await languageDetector();
const detectLanguage = (subject: string, body: string, d: LanguageDetector = detect) => detectWith(subject, body, d);

describe('detectLanguage', () => {
  it('loads the detector once, on first use', async () => {
    expect(await languageDetector()).toBe(detect);
  });

  it('reads Portuguese and English tickets, Portuguese as the pt-BR the desk writes', () => {
    const pt = detectLanguage('Não consigo acessar minha conta', 'Olá, desde ontem não consigo entrar no sistema. A senha foi trocada e continua dando erro. Podem ajudar?');
    expect(pt.language).toBe('pt-BR');
    expect(pt.confidence).toBeGreaterThanOrEqual(MIN_MARGIN);
    const en = detectLanguage('Cannot log in to my account', 'Hello, since yesterday I cannot sign in. I changed my password and it still fails. Can you help?');
    expect(en.language).toBe('en');
  });

  it('names other languages by their ISO 639-1 code', () => {
    expect(detectLanguage('Problema con mi factura', 'Hola, necesito ayuda con la factura de este mes, el importe no es correcto. Gracias.').language).toBe('es');
    expect(detectLanguage('Problème de connexion', "Bonjour, je n'arrive plus à me connecter à mon compte depuis hier soir. Merci de votre aide.").language).toBe('fr');
  });

  it('answers undefined for too little text, so the desk default applies', () => {
    for (const [subject, body] of [
      ['', ''],
      ['Help', ''],
      ['Ajuda', 'Obrigado'],
      ['ok', 'ok'],
      ['#1234', 'ERR_500 v5.11.0 https://example.com/a/b/c user@example.com'],
      ['', '<name>\n<acc_num>'],
    ]) {
      expect(detectLanguage(subject!, body!)).toEqual({ language: undefined, confidence: 0 });
    }
  });

  it('answers undefined for a text half in one language, half in another', () => {
    const mixed = detectLanguage('Login', 'Hello, não consigo entrar, the password is wrong, preciso de ajuda');
    expect(mixed.language).toBeUndefined();
    expect(mixed.confidence).toBeLessThan(MIN_MARGIN);
  });

  it('reads what the customer wrote, not the quoted history, signature, links or codes', () => {
    const body = [
      'Bom dia, a impressora do escritório parou de funcionar depois da atualização.',
      '',
      '-- ',
      'Best regards, the whole IT department of a company that signs in English',
      '',
      'On Mon, 7 Dec 2026 at 10:00, Help Desk <help@example.com> wrote:',
      '> Thank you for your message. We have opened ticket #1234 and will answer you soon.',
      '> Please type your reply above this line and keep the number in the subject.',
    ].join('\n');
    const sample = languageSample('Re: [#1234] Printer', body);
    expect(sample).not.toMatch(/Thank you|regards|example\.com|1234/);
    expect(detectLanguage('Re: [#1234] Printer', body).language).toBe('pt-BR');
  });

  it('takes hostile Unicode without throwing: lone surrogates, NUL, control and bidi characters, emoji, other scripts', () => {
    const nasty = ['\ud800'.repeat(50), '\u0000\u0001\u202e\u2066', '😀'.repeat(200), '\u0301'.repeat(500), 'Ω≈ç√∫'.repeat(100), '\ufeff'.repeat(100)];
    for (const s of nasty) {
      const r = detectLanguage(s, s);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      expect(isWellFormed(languageSample(s, s))).toBe(true);
    }
    // A Portuguese text cut inside an emoji's surrogate pair still reads as Portuguese.
    const cut = detectLanguage('😀'.repeat(300), `${'😀'.repeat(10)} Meu pedido não chegou e já se passaram duas semanas desde a compra.`);
    expect(cut.language === undefined || cut.language === 'pt-BR').toBe(true);
    expect(detectLanguage('Πρόβλημα σύνδεσης', 'Γεια σας, δεν μπορώ να συνδεθώ στον λογαριασμό μου από χθες.').language).toBe('el');
    // Close neighbours (Russian and Ukrainian score within a few per cent) are unsure, not guessed.
    expect(detectLanguage('Проблема со входом', 'Здравствуйте, я не могу войти в свою учетную запись со вчерашнего дня.').language).toBeUndefined();
  });

  it('does bounded work on a huge body: the detector gets at most SAMPLE_CHARS characters, read from the first BODY_WINDOW', () => {
    const seen: number[] = [];
    const counting = (text: string) => {
      seen.push(text.length);
      return { language: 'pt', getScores: () => ({ pt: 0.8, es: 0.5 }) };
    };
    const huge = 'Preciso de ajuda com a fatura deste mês. '.repeat(250_000); // about 10 MB
    expect(detectLanguage('Fatura', huge, counting).language).toBe('pt-BR');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeLessThanOrEqual(SAMPLE_CHARS);
    // What lies past the window is never read: an English tail does not change the answer.
    const tail = 'x'.repeat(BODY_WINDOW) + ' This part is English and very long. '.repeat(10_000);
    expect(languageSample('', `Olá ${tail}`)).not.toContain('English');
    // One line of 10 MB with no spaces (no word to find): still one bounded call.
    expect(languageSample('', 'a'.repeat(10_000_000)).length).toBeLessThanOrEqual(SAMPLE_CHARS);
  });
});

describe('the labelled corpus (../shared/corpora/labelled-tickets, read at test time, never copied)', () => {
  const tickets = labelledTickets();
  if (!tickets) console.log('language corpus test skipped: ../shared/corpora/labelled-tickets/tickets.jsonl is absent');

  it.skipIf(!tickets)('detects the language of at least 98 % of the tickets, in each language', () => {
    const result = languageAccuracy(tickets!, detect);
    for (const lang of ['en', 'pt'] as const) {
      const r = result[lang]!;
      expect(r.total).toBeGreaterThan(0);
      expect(r.right / r.total, `${lang}: ${r.right}/${r.total} right, ${r.unsure} unsure, wrong: ${r.wrong.join(' | ')}`).toBeGreaterThanOrEqual(0.98);
    }
  });
});
