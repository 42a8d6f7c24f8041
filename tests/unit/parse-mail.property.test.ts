import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseMail, UnparseableMailError } from '../../functions/core/parse-mail.ts';

/** Whatever bytes arrive, parsing ends in a ParsedMail or an UnparseableMailError, and HTML is inert. */
async function parsesOrRefuses(raw: Buffer) {
  try {
    const m = await parseMail(raw);
    expect(typeof m.text).toBe('string');
    expect(m.html ?? '').not.toMatch(/<script|\son\w+\s*=\s*["']?[^"'\s>]|javascript:/i);
  } catch (err) {
    expect(err).toBeInstanceOf(UnparseableMailError);
  }
}

const headerName = fc.constantFrom('From', 'To', 'Cc', 'Subject', 'Message-ID', 'In-Reply-To', 'References', 'Content-Type', 'Content-Transfer-Encoding', 'Content-Disposition', 'Return-Path', 'X-Weird');
const nasty = fc.constantFrom(
  '=?utf-8?B?', '=?iso-8859-1?Q?=E9?=', 'multipart/mixed; boundary="', 'text/html', 'base64', 'quoted-printable', '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>', '\u0000', '\r\n\r\n', '--', '"', '<', '>', '@', ';', '=\r\n', 'ÿþ', '\ud800',
);
const piece = fc.oneof(fc.string({ maxLength: 40 }), nasty);

describe('parseMail on hostile input', () => {
  it('never throws anything but UnparseableMailError on random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => parsesOrRefuses(Buffer.from(bytes))), { numRuns: 200 });
  });

  it('never throws anything but UnparseableMailError on broken MIME built from hostile pieces', async () => {
    const mail = fc
      .tuple(fc.array(fc.tuple(headerName, fc.array(piece, { maxLength: 4 })), { maxLength: 12 }), fc.array(piece, { maxLength: 20 }))
      .map(([headers, body]) => Buffer.from(`${headers.map(([n, v]) => `${n}: ${v.join('')}`).join('\r\n')}\r\n\r\n${body.join('')}`));
    await fc.assert(fc.asyncProperty(mail, parsesOrRefuses), { numRuns: 300 });
  });

  it('keeps a multipart HTML mail inert whatever its markup', async () => {
    const html = fc.array(fc.oneof(nasty, fc.constantFrom('<p>', '</p>', '<div style="x">', '<svg onload=1>', '<iframe src=//x>', '<a href=JaVaScRiPt:1>', '<form>')), { maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(html, async (parts) => {
        const raw = ['From: a@b.co', 'Subject: x', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '', parts.join('')].join('\r\n');
        await parsesOrRefuses(Buffer.from(raw));
      }),
      { numRuns: 200 },
    );
  });
});
