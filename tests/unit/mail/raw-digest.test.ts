import { describe, expect, it } from 'vitest';
import { rawMailDigest } from '../../../functions/core/mail/raw-digest.ts';

const mail = (lines: string[], body = 'Olá\r\n') => Buffer.from([...lines, '', body].join('\r\n'));
const base = ['From: ana@example.com', 'To: support@desk.example', 'Subject: teste'];

describe('rawMailDigest', () => {
  it('is the same for two deliveries of the same mail, whatever trace fields each added', () => {
    const first = rawMailDigest(mail(base));
    const relayed = mail([
      'Return-Path: <ana@example.com>',
      'Received: from mx.example.com (mx.example.com [192.0.2.1])',
      '\tby inbound-smtp.us-east-1.amazonaws.com; Mon, 07 Dec 2026 10:00:00 +0000',
      'X-SES-Spam-Verdict: PASS',
      'Authentication-Results: amazonses.com; spf=pass',
      ...base,
    ]);
    expect(rawMailDigest(relayed)).toBe(first);
    // Bare LF line ends (a script) hash like CRLF.
    expect(rawMailDigest(Buffer.from(`${base.join('\n')}\n\nOlá\r\n`))).toBe(first);
  });

  it('differs when anything the sender wrote differs', () => {
    const first = rawMailDigest(mail(base));
    expect(rawMailDigest(mail(base, 'Olá!\r\n'))).not.toBe(first);
    expect(rawMailDigest(mail([...base, 'Date: Mon, 07 Dec 2026 10:00:01 +0000']))).not.toBe(first);
    expect(rawMailDigest(mail(base.map((l) => l.replace('teste', 'Teste'))))).not.toBe(first);
  });

  it('takes a mail with no header block or no body', () => {
    expect(rawMailDigest(Buffer.from('\r\njust a body'))).toMatch(/^[0-9a-f]{64}$/);
    expect(rawMailDigest(Buffer.from('Subject: no body'))).toMatch(/^[0-9a-f]{64}$/);
    expect(rawMailDigest(Buffer.alloc(0))).toMatch(/^[0-9a-f]{64}$/);
  });
});
