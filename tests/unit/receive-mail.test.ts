import { describe, expect, it } from 'vitest';
import type { TicketStore } from '../../functions/adapters/ticket-store.ts';
import type { MailIndex } from '../../functions/adapters/mail-index.ts';
import { MailTooLargeError } from '../../functions/adapters/mail-objects.ts';
import type { OutgoingMail } from '../../functions/adapters/mailer.ts';
import type { Ticket } from '../../functions/core/ticket.ts';
import { clipBytes, receiveMail, type ReceiveDeps } from '../../functions/email/receive-mail.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';

/**
 * The decisions of receiveMail, with in-memory stand-ins for its ports (logic
 * only; the real path runs against local mode in tests/integration/mail*.ts).
 */
function fakes(opts: { raw?: Buffer; getRaw?: () => Promise<Buffer>; autoRepliesThisHour?: number } = {}) {
  const tickets = new Map<string, Ticket>();
  const quarantined: string[] = [];
  const sent: OutgoingMail[] = [];
  const started: string[] = [];
  const signalled: string[] = [];
  const claims = new Set<string>();
  let n = 0;
  const store = {
    getTicket: async (id: string) => tickets.get(id),
    ticketByNumber: async () => undefined,
    hasMessage: async () => false,
    nextTicketNumber: async () => ++n,
    createTicket: async (t: Ticket) => {
      if (tickets.has(t.id)) return { alreadyExists: true };
      tickets.set(t.id, t);
      return { created: t };
    },
    saveTicket: async (t: Ticket) => void tickets.set(t.id, t),
    knownDepartment: async (id: string) => ['support', 'it', 'hr', 'finance', 'facilities'].includes(id),
  } as unknown as TicketStore;
  const index = {
    remember: async () => undefined,
    ticketFor: async () => undefined,
    quarantine: async (r: { reason: string }) => void quarantined.push(r.reason),
    countAutoReply: async () => (opts.autoRepliesThisHour ?? 0) + 1,
    claimOnce: async (id: string, what: string) => (claims.has(`${id}/${what}`) ? false : (claims.add(`${id}/${what}`), true)),
    releaseClaim: async (id: string, what: string) => void claims.delete(`${id}/${what}`),
    claimInbound: async () => true,
  } as unknown as MailIndex;
  const deps: ReceiveDeps = {
    store,
    index,
    getRaw: opts.getRaw ?? (async () => opts.raw ?? Buffer.from('From: ana@example.com\r\nSubject: Oi\r\nMessage-ID: <1@example.com>\r\n\r\nOlá')),
    putAttachment: async () => undefined,
    send: async (m) => (sent.push(m), { sesMessageId: `ses-${sent.length}` }),
    config: { supportAddresses: ['support@desk.example'], fromAddress: 'support@desk.example', deskName: 'Desk', replyTokenSecret: 'x'.repeat(40), defaultLanguage: 'en', autoReplyCap: 5 },
    policy: defaultPolicy,
    lifecycle: { start: async (id) => void started.push(id), signal: async (id) => void signalled.push(id) },
  };
  return { deps, tickets, quarantined, sent, started, signalled };
}

function body(overrides: { virus?: string; spam?: string; source?: string } = {}) {
  const notification = {
    notificationType: 'Received',
    mail: { timestamp: '2026-11-22T10:00:00.000Z', source: overrides.source ?? 'ana@example.com', messageId: 'ses-id-1', destination: ['support@desk.example'] },
    receipt: {
      recipients: ['support@desk.example'],
      spamVerdict: { status: overrides.spam ?? 'PASS' },
      virusVerdict: { status: overrides.virus ?? 'PASS' },
      action: { type: 'S3', bucketName: 'mail', objectKey: 'inbound/ses-id-1' },
    },
  };
  return JSON.stringify({ Type: 'Notification', Message: JSON.stringify(notification) });
}

describe('receiveMail', () => {
  it('opens a ticket and acknowledges it, with loop-safe headers', async () => {
    const f = fakes();
    const out = await receiveMail(body(), f.deps);
    expect(out).toMatchObject({ result: 'created', acknowledged: true });
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]).toMatchObject({ to: ['ana@example.com'], automatic: 'auto-replied', inReplyTo: '1@example.com' });
    expect(f.sent[0]!.replyTo).toMatch(/^support\+[a-z0-9-]+@desk\.example$/);
    expect(f.sent[0]!.subject).toContain('[#1]');
  });

  it('acknowledges once when the same delivery is processed twice', async () => {
    const f = fakes();
    await receiveMail(body(), f.deps);
    const again = await receiveMail(body(), f.deps);
    expect(again).toMatchObject({ result: 'created', acknowledged: false });
    expect(f.tickets.size).toBe(1);
    expect(f.sent).toHaveLength(1);
  });

  it('quarantines what will never succeed, and acknowledges the queue message', async () => {
    const cases: [string, ReturnType<typeof fakes>, string][] = [
      ['virus', fakes(), body({ virus: 'FAIL' })],
      ['too-large', fakes({ getRaw: async () => Promise.reject(new MailTooLargeError('big')) }), body()],
      ['missing-object', fakes({ getRaw: async () => Promise.reject(Object.assign(new Error('gone'), { name: 'NoSuchKey' })) }), body()],
      ['invalid-notification', fakes(), '{"Type":"Notification","Message":"{}"}'],
      ['invalid-notification', fakes(), 'garbage'],
      ['no-sender', fakes({ raw: Buffer.from('Subject: nobody\r\n\r\nhi') }), body()],
    ];
    for (const [reason, f, b] of cases) {
      expect(await receiveMail(b, f.deps), reason).toEqual({ result: 'quarantined', reason });
      expect(f.quarantined).toEqual([reason]);
      expect(f.tickets.size).toBe(0);
    }
  });

  it('throws on a passing failure, so the queue retries it', async () => {
    const f = fakes({ getRaw: async () => Promise.reject(Object.assign(new Error('slow down'), { name: 'SlowDown' })) });
    await expect(receiveMail(body(), f.deps)).rejects.toThrow('slow down');
    expect(f.quarantined).toEqual([]);
  });

  it('files spam and automated mail without an acknowledgement', async () => {
    const spam = fakes();
    expect(await receiveMail(body({ spam: 'FAIL' }), spam.deps)).toMatchObject({ result: 'created', acknowledged: false });
    expect([...spam.tickets.values()][0]!.spam).toBe(true);
    const robot = fakes({ raw: Buffer.from('From: ana@example.com\r\nSubject: Away\r\nAuto-Submitted: auto-replied\r\n\r\nOut') });
    expect(await receiveMail(body(), robot.deps)).toMatchObject({ result: 'created', acknowledged: false });
    const bounceSender = fakes();
    expect(await receiveMail(body({ source: '' }), bounceSender.deps)).toMatchObject({ result: 'created', acknowledged: false });
    expect([...spam.sent, ...robot.sent, ...bounceSender.sent]).toEqual([]);
  });

  it('stops acknowledging a sender past the hourly cap', async () => {
    const f = fakes({ autoRepliesThisHour: 5 });
    expect(await receiveMail(body(), f.deps)).toMatchObject({ result: 'created', acknowledged: false });
    expect(f.sent).toEqual([]);
  });

  it('gives the acknowledgement claim back when sending fails, so a retry can send', async () => {
    const f = fakes();
    let fail = true;
    const send = f.deps.send;
    f.deps.send = async (m) => (fail ? Promise.reject(new Error('ses down')) : send(m));
    await expect(receiveMail(body(), f.deps)).rejects.toThrow('ses down');
    fail = false;
    expect(await receiveMail(body(), f.deps)).toMatchObject({ result: 'created', acknowledged: true });
    expect(f.sent).toHaveLength(1);
  });
});

describe('clipBytes', () => {
  it('cuts to a byte budget without splitting a character', () => {
    expect(clipBytes('abc', 10)).toBe('abc');
    expect(clipBytes('ação', 3)).toBe('a\u00e7');
    expect(clipBytes('😀😀', 5)).toBe('😀');
    expect(clipBytes('😀😀', 3)).toBe('');
    const big = 'ç'.repeat(100_000);
    expect(Buffer.byteLength(clipBytes(big, 96_000))).toBeLessThanOrEqual(96_000);
  });
});
