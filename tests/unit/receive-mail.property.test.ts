import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { receiveMail } from '../../functions/app/receive-mail.ts';
import { composeMime } from '../../functions/adapters/mailer.ts';
import { clipBytes, encodeComponent, isWellFormed, truncate, wellFormed } from '../../functions/core/text.ts';
import { body, fakes } from './receive-mail.fakes.ts';

/** Hundreds of mails through the whole inbound path: CPU-bound, so slow on a busy machine (a deadline, not a speed check). */
const PROPERTY_TIMEOUT_MS = 120_000;

/**
 * The whole inbound path (real MIME parsing, the acknowledgement composed as
 * real MIME, in-memory stores that refuse what S3 refuses) over arbitrary
 * Unicode in display names, subjects, addresses and file names: every mail
 * becomes a ticket, and nothing throws the kind of error the queue would
 * retry and then dead-letter.
 */

/** Any code point (emoji included), any code unit (lone surrogates included), or a run long enough to cross the 200-character cuts. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 120 }),
  fc.string({ unit: fc.constantFrom('😀', 'a', 'ç', '\ud800', '\udc00', '👩‍👩‍👧', '中'), minLength: 150, maxLength: 260 }),
);

/** An RFC 2047 word: UTF-8 (lone surrogates become U+FFFD on the way) or UTF-16 (they survive into the decoded text). */
const encodedWord = (s: string, utf16: boolean) =>
  utf16 ? `=?utf-16le?B?${Buffer.from(s, 'utf16le').toString('base64')}?=` : `=?utf-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;

/** RFC 2231 percent-encoding of the UTF-8 bytes, done by hand: encodeURIComponent itself throws on a lone surrogate. */
const percent = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** A local part as an SMTPUTF8 sender writes it: raw UTF-8, without what address syntax reserves. */
const localPart = (s: string) => s.replace(/[\s@<>"(),;:\\[\]\u0000-\u001f\u007f]/g, '').slice(0, 64) || 'x';

const mailParts = fc.record({
  name: anyText,
  subject: anyText,
  local: anyText,
  filename: anyText,
  utf16: fc.boolean(),
  rfc2231: fc.boolean(),
  withEnvelope: fc.boolean(),
});

function rawMail(p: { name: string; subject: string; local: string; filename: string; utf16: boolean; rfc2231: boolean }) {
  const from = `${localPart(p.local)}@example.com`;
  const disposition = p.rfc2231 ? `filename*=UTF-8''${percent(p.filename)}` : `filename="${encodedWord(p.filename, p.utf16)}"`;
  const lines = [
    `From: ${encodedWord(p.name, p.utf16)} <${from}>`,
    'To: support@desk.example',
    `Subject: ${encodedWord(p.subject, !p.utf16)}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary=XX',
    '',
    '--XX',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'corpo',
    '--XX',
    'Content-Type: application/octet-stream',
    `Content-Disposition: attachment; ${disposition}`,
    '',
    'file',
    '--XX--',
    '',
  ];
  return { raw: Buffer.from(lines.join('\r\n'), 'utf8'), from };
}

describe('the inbound path over arbitrary Unicode', () => {
  it('makes every such mail a ticket with well-formed text, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(mailParts, async (p) => {
        const { raw, from } = rawMail(p);
        const f = fakes({ raw });
        // The acknowledgement goes through the real MIME composer, as SES would receive it.
        const send = f.deps.send;
        f.deps.send = async (m) => (await composeMime(m), send(m));
        const out = await receiveMail(body({ source: p.withEnvelope ? from : '' }), f.deps);
        expect(out.result).toBe('created');
        const t = [...f.tickets.values()][0]!;
        const stored = [t.subject, t.requester.email, t.requester.name ?? '', ...f.messages.flatMap((m) => m.mail!.attachments.flatMap((a) => [a.filename, a.key]))];
        for (const s of stored) expect(isWellFormed(s)).toBe(true);
        for (const m of f.messages) for (const a of m.mail!.attachments) expect(Buffer.byteLength(a.key)).toBeLessThanOrEqual(1024);
        expect(f.quarantined).toEqual([]);
      }),
      { numRuns: 200 },
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe('core/text', () => {
  const units = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 });
  it('cuts and encodes any string without throwing, never splitting a pair', () => {
    fc.assert(
      fc.property(fc.oneof(units, fc.string({ unit: 'binary' })), fc.nat(100), (s, max) => {
        const cut = truncate(s, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(isWellFormed(cut)).toBe(true);
        expect(wellFormed(s).startsWith(cut)).toBe(true);
        const clipped = clipBytes(s, max);
        expect(Buffer.byteLength(clipped)).toBeLessThanOrEqual(max);
        expect(isWellFormed(clipped)).toBe(true);
        const encoded = encodeComponent(s, max);
        expect(encoded.length).toBeLessThanOrEqual(max);
        expect(wellFormed(s).startsWith(decodeURIComponent(encoded))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('replaces only lone surrogates', () => {
    expect(wellFormed('a\ud800b\udc00c😀')).toBe('a\ufffdb\ufffdc😀');
    expect(truncate('ab😀', 3)).toBe('ab');
    expect(encodeComponent('\ud800')).toBe('%EF%BF%BD');
  });
});

/**
 * Real mail (Zammad's fixtures, ../shared/corpora/zammad-mail, read at test
 * time): each goes through the whole inbound path and ends as a ticket, a
 * bounce or a deliberate quarantine, never as an error the queue would retry.
 */
const corpus = resolve(import.meta.dirname, '../../../shared/corpora/zammad-mail');
const boxes = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith('.box')).sort() : [];

describe.skipIf(!boxes.length)(`the inbound path over real mail${boxes.length ? '' : ' (skipped: ../shared/corpora/zammad-mail is absent)'}`, () => {
  it('ends every fixture without a retryable error', async () => {
    const outcomes = new Map<string, number>();
    for (const box of boxes) {
      const f = fakes({ raw: readFileSync(join(corpus, box)) });
      const out = await receiveMail(body({ source: 'sender@example.com' }), f.deps);
      const label = out.result === 'quarantined' ? `quarantined:${out.reason}` : out.result;
      expect(label, box).not.toBe('quarantined:processing-failed');
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    }
    expect(outcomes.get('created')).toBeGreaterThan(boxes.length / 2);
  }, PROPERTY_TIMEOUT_MS);
});
