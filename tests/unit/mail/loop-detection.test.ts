import { describe, expect, it } from 'vitest';
import { mailHeaders } from '../../../functions/core/mail/headers.ts';
import { autoReplyBreaker, automationVerdict, sentByMachine, type AutomationInput } from '../../../functions/core/mail/loop-detection.ts';

function verdict(headers: [string, string][] = [], over: Partial<AutomationInput> = {}) {
  return automationVerdict({
    headers: mailHeaders(headers),
    from: 'Ana <ana@customer.example>',
    returnPath: '<ana@customer.example>',
    ourAddresses: ['support@desk.example.com', 'Help Desk <help@desk.example.com>'],
    ourDomains: ['desk.example.com'],
    ...over,
  });
}

describe('automationVerdict', () => {
  it('treats an ordinary mail as human', () => {
    expect(verdict()).toEqual({ automated: false, reasons: [] });
  });

  it.each([
    ['auto-replied', 'auto-submitted:auto-replied'],
    ['auto-generated', 'auto-submitted:auto-generated'],
    ['Auto-Replied; owner-email="x@y"', 'auto-submitted:auto-replied'],
    ['auto-notified', 'auto-submitted:auto-notified'],
    ['', 'auto-submitted:empty'],
  ])('Auto-Submitted: %j is automated', (value, reason) => {
    expect(verdict([['Auto-Submitted', value]])).toEqual({ automated: true, reasons: [reason] });
  });

  it.each(['no', 'No', ' NO ', 'no; comment=x', 'no (a person wrote this)'])('Auto-Submitted: %j counts as human', (value) => {
    expect(verdict([['Auto-Submitted', value]]).automated).toBe(false);
  });

  it.each(['bulk', 'junk', 'list', 'auto_reply', 'BULK', ' List '])('Precedence: %j is automated', (value) => {
    const v = verdict([['Precedence', value]]);
    expect(v.automated).toBe(true);
    expect(v.reasons[0]).toMatch(/^precedence:/);
  });

  it.each(['first-class', 'normal', ''])('Precedence: %j is human', (value) => {
    expect(verdict([['Precedence', value]]).automated).toBe(false);
  });

  it.each(['X-Autoreply', 'X-Autorespond', 'X-Auto-Response-Suppress', 'X-Loop', 'x-loop', 'List-Id', 'List-Unsubscribe'])(
    'the presence of %s is automated, whatever its value',
    (name) => {
      for (const value of ['yes', '', 'All', 'support@desk.example.com']) {
        const v = verdict([[name, value]]);
        expect(v).toEqual({ automated: true, reasons: [name.toLowerCase()] });
      }
    },
  );

  it.each([
    ['MAILER-DAEMON@mx.example.org', 'from:mailer-daemon'],
    ['Mail Delivery System <Mailer-Daemon@mx.example.org>', 'from:mailer-daemon'],
    ['postmaster@example.org', 'from:postmaster'],
    ['MAILER-DAEMON', 'from:mailer-daemon'],
  ])('From %j is automated', (from, reason) => {
    expect(verdict([], { from }).reasons).toEqual([reason]);
  });

  it('flags MAILER-DAEMON in the Return-Path', () => {
    expect(verdict([], { returnPath: '<MAILER-DAEMON@mx.example.org>' }).reasons).toEqual(['return-path:mailer-daemon']);
  });

  it.each(['<>', ' < > ', ''])('a null return path %j is automated', (returnPath) => {
    expect(verdict([], { returnPath }).reasons).toEqual(['null-return-path']);
  });

  it('reads the Return-Path header when the envelope sender is unknown', () => {
    expect(verdict([['Return-Path', '<>']], { returnPath: null }).reasons).toEqual(['null-return-path']);
    expect(verdict([], { returnPath: null }).automated).toBe(false);
  });

  it.each([
    'support@desk.example.com',
    'SUPPORT@Desk.Example.Com',
    'Support <support+01hx-abc@desk.example.com>',
    'help@desk.example.com',
    'noreply@desk.example.com',
    'bounces@mail.desk.example.com',
    'support@desk.example.com.',
  ])('mail from our own address or domain (%s) is automated', (from) => {
    expect(verdict([], { from }).reasons).toEqual(['from:own-address']);
  });

  it('does not confuse look-alike domains with ours', () => {
    expect(verdict([], { from: 'support@evildesk.example.com' }).automated).toBe(false);
    expect(verdict([], { from: 'support@desk.example.com.evil.org' }).automated).toBe(false);
    expect(verdict([], { from: 'support@desk.example.com', ourDomains: [] , ourAddresses: ['help@desk.example.com'] }).automated).toBe(false);
  });

  it('collects every reason', () => {
    const v = verdict([['Auto-Submitted', 'auto-replied'], ['X-Loop', 'x'], ['Precedence', 'bulk']], { returnPath: '<>' });
    expect(v.reasons).toEqual(['auto-submitted:auto-replied', 'precedence:bulk', 'x-loop', 'null-return-path']);
  });

  it('survives hostile values', () => {
    // Not timed (speed is for bench/): a backtracking blow-up never finishes, and the test's timeout catches it.
    verdict([['Auto-Submitted', '('.repeat(100_000)], ['Precedence', '('.repeat(100_000) + ')']], { from: '<'.repeat(100_000), returnPath: '@'.repeat(100_000) });
  });
});

describe('sentByMachine', () => {
  it('is true for machine mail, false for a person posting through a list', () => {
    const verdict = (headers: [string, string][], returnPath: string | null = 'ana@example.com') =>
      automationVerdict({ headers: mailHeaders(headers), from: 'ana@example.com', returnPath, ourAddresses: ['support@desk.example'], ourDomains: [] });
    expect(sentByMachine(verdict([['Auto-Submitted', 'auto-replied']]))).toBe(true);
    expect(sentByMachine(verdict([['X-Autoreply', 'yes']]))).toBe(true);
    expect(sentByMachine(verdict([['Precedence', 'bulk']]))).toBe(true);
    expect(sentByMachine(verdict([], ''))).toBe(true);
    expect(sentByMachine(verdict([['List-Id', '<team.example.com>'], ['List-Unsubscribe', '<mailto:x@example.com>'], ['Precedence', 'list']]))).toBe(false);
    expect(sentByMachine(verdict([['List-Id', '<team.example.com>'], ['Auto-Submitted', 'auto-generated']]))).toBe(true);
    expect(sentByMachine(verdict([]))).toBe(false);
  });
});

describe('autoReplyBreaker', () => {
  it('lets through up to the cap per hour', () => {
    expect(autoReplyBreaker(0)).toBe(true);
    expect(autoReplyBreaker(4)).toBe(true);
    expect(autoReplyBreaker(5)).toBe(false);
    expect(autoReplyBreaker(50)).toBe(false);
    expect(autoReplyBreaker(1, 1)).toBe(false);
    expect(autoReplyBreaker(9, 10)).toBe(true);
  });

  it('fails closed on nonsense counts', () => {
    expect(autoReplyBreaker(Number.NaN)).toBe(false);
    expect(autoReplyBreaker(-1)).toBe(false);
    expect(autoReplyBreaker(Number.POSITIVE_INFINITY)).toBe(false);
    expect(autoReplyBreaker(0, Number.NaN)).toBe(false);
  });
});
