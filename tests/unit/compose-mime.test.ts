import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { composeMime, type OutgoingMail } from '../../functions/adapters/mailer.ts';

const base: OutgoingMail = {
  from: 'Help desk <support@desk.example>',
  to: ['ana@example.com'],
  cc: ['bia@example.com'],
  replyTo: 'support+01abc-xyz@desk.example',
  subject: 'Re: [#42] Impressora',
  text: 'Olá',
  html: '<p>Olá</p>',
  messageId: 'own-1@desk.example',
  inReplyTo: 'root@example.com',
  references: ['root@example.com', 'second@example.com'],
  automatic: 'auto-replied',
  language: 'pt-BR',
};

describe('composeMime', () => {
  it('marks automatic mail so other systems do not answer it, and threads it', async () => {
    const raw = await composeMime(base);
    const m = await simpleParser(raw);
    expect(m.headers.get('auto-submitted')).toBe('auto-replied');
    expect(m.headers.get('x-auto-response-suppress')).toBe('All');
    expect(m.headers.get('content-language')).toBe('pt-BR');
    expect(m.messageId).toBe('<own-1@desk.example>');
    expect(m.inReplyTo).toBe('<root@example.com>');
    expect(m.references).toEqual(['<root@example.com>', '<second@example.com>']);
    expect(m.replyTo?.text).toBe('support+01abc-xyz@desk.example');
    expect(m.subject).toBe('Re: [#42] Impressora');
    expect(m.cc && !Array.isArray(m.cc) ? m.cc.text : '').toBe('bia@example.com');
  });

  it("a person's reply is not marked automatic, but still suppresses auto-responses, and carries files", async () => {
    const raw = await composeMime({ ...base, automatic: false, attachments: [{ filename: 'manual.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4') }] });
    const m = await simpleParser(raw);
    expect(m.headers.has('auto-submitted')).toBe(false);
    expect(m.headers.get('x-auto-response-suppress')).toBe('All');
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['manual.pdf', 'application/pdf', '%PDF-1.4']]);
  });

  it('keeps header injection out of the subject', async () => {
    const raw = (await composeMime({ ...base, subject: 'Oi\r\nBcc: victim@example.com' })).toString();
    expect(raw).not.toMatch(/^Bcc:/m);
  });
});
