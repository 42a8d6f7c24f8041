import type { TicketStore } from '../../functions/adapters/ticket-store.ts';
import type { MailIndex, QuarantineRecord } from '../../functions/adapters/mail-index.ts';
import type { OutgoingMail } from '../../functions/adapters/mailer.ts';
import type { Message, Ticket } from '../../functions/core/ticket.ts';
import type { ReceiveDeps } from '../../functions/app/receive-mail.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';

/**
 * In-memory stand-ins for receiveMail's ports (logic only; the real path runs
 * against local mode in tests/integration/mail*.ts). The index remembers
 * Message-IDs and claims like the DynamoDB one, so threading and
 * de-duplication behave as they do for real.
 */
export function fakes(opts: { raw?: Buffer; getRaw?: () => Promise<Buffer>; autoRepliesThisHour?: number; domainCap?: number } = {}) {
  const tickets = new Map<string, Ticket>();
  const messages: Message[] = [];
  const quarantined: string[] = [];
  const quarantine: QuarantineRecord[] = [];
  const sent: OutgoingMail[] = [];
  const started: string[] = [];
  const signalled: string[] = [];
  /** Every read of a ticket item, in order: `get <id>` (by key), `number <n>` (the number index). */
  const reads: string[] = [];
  const claims = new Set<string>();
  const inbound = new Map<string, string>();
  const ids = new Map<string, string>();
  const autoReplies = new Map<string, number>();
  let n = 0;
  const store = {
    getTicket: async (id: string) => (reads.push(`get ${id}`), tickets.get(id)),
    ticketByNumber: async (num: number) => (reads.push(`number ${num}`), [...tickets.values()].find((t) => t.number === num)),
    hasMessage: async (_id: string, _at: string, messageId: string) => messages.some((m) => m.id === messageId),
    nextTicketNumber: async () => ++n,
    createTicket: async (t: Ticket, m: Message) => {
      if (tickets.has(t.id)) return { alreadyExists: true };
      tickets.set(t.id, t);
      messages.push(m);
      return { created: t };
    },
    // As the DynamoDB store: the ticket the caller passes is its first try's, else it reads it.
    applyChange: async (id: string, change: (t: Ticket) => Promise<{ ticket: Ticket; message?: Message } | undefined>, current?: Ticket) => {
      const next = await change(current ?? (reads.push(`get ${id}`), tickets.get(id)!));
      if (next) {
        tickets.set(id, next.ticket);
        if (next.message) messages.push(next.message);
      }
      return next;
    },
  } as unknown as TicketStore;
  const index = {
    remember: async (list: string[], ticketId: string) => void list.forEach((i) => ids.set(i.toLowerCase(), ticketId)),
    ticketFor: async (list: string[]) => {
      const hit = list.map((i) => ids.get(i.toLowerCase())).find(Boolean);
      return hit ? { ticketId: hit, origin: 'inbound' } : undefined;
    },
    quarantine: async (r: QuarantineRecord) => void (quarantined.push(r.reason), quarantine.push(r)),
    countAutoReply: async (key: string) => {
      const count = (autoReplies.get(key) ?? (key.startsWith('@') ? 0 : (opts.autoRepliesThisHour ?? 0))) + 1;
      autoReplies.set(key, count);
      return count;
    },
    claimOnce: async (id: string, what: string) => (claims.has(`${id}/${what}`) ? false : (claims.add(`${id}/${what}`), true)),
    releaseClaim: async (id: string, what: string) => void claims.delete(`${id}/${what}`),
    claimInbound: async (key: string, ses: string) => {
      const owner = inbound.get(key.toLowerCase());
      if (owner && owner !== ses) return false;
      inbound.set(key.toLowerCase(), ses);
      return true;
    },
  } as unknown as MailIndex;
  const deps: ReceiveDeps = {
    store,
    knownDepartment: async (id: string) => ['support', 'it', 'hr', 'finance', 'facilities'].includes(id),
    index,
    getRaw: opts.getRaw ?? (async () => opts.raw ?? Buffer.from('From: ana@example.com\r\nSubject: Oi\r\nMessage-ID: <1@example.com>\r\n\r\nOlá')),
    putAttachment: async (key) => {
      // What S3 refuses: a key over 1,024 bytes.
      if (Buffer.byteLength(key) > 1024) throw Object.assign(new Error('Your key is too long'), { name: 'KeyTooLongError' });
    },
    send: async (m) => (sent.push(m), { sesMessageId: `ses-${sent.length}` }),
    config: {
      supportAddresses: ['support@desk.example'],
      fromAddress: 'support@desk.example',
      deskName: 'Desk',
      replyTokenSecret: 'x'.repeat(40),
      defaultLanguage: 'en',
      autoReplyCap: 5,
      ...(opts.domainCap !== undefined ? { autoReplyDomainCap: opts.domainCap } : {}),
    },
    policy: defaultPolicy,
    lifecycle: { start: async (id) => void started.push(id), signal: async (id) => void signalled.push(id) },
  };
  return { deps, tickets, messages, quarantined, quarantine, sent, started, signalled, reads };
}

/** The SQS body SES's S3 action produces for one mail. */
export function body(
  overrides: { virus?: string; spam?: string; spf?: string; dkim?: string; dmarc?: string; source?: string; sesId?: string; timestamp?: string; recipients?: string[] } = {},
) {
  const sesId = overrides.sesId ?? 'ses-id-1';
  const verdict = (v: string | undefined) => (v ? { status: v } : undefined);
  const notification = {
    notificationType: 'Received',
    mail: { timestamp: overrides.timestamp ?? '2026-11-22T10:00:00.000Z', source: overrides.source ?? 'ana@example.com', messageId: sesId, destination: ['support@desk.example'] },
    receipt: {
      recipients: overrides.recipients ?? ['support@desk.example'],
      spamVerdict: { status: overrides.spam ?? 'PASS' },
      virusVerdict: { status: overrides.virus ?? 'PASS' },
      spfVerdict: verdict(overrides.spf),
      dkimVerdict: verdict(overrides.dkim),
      dmarcVerdict: verdict(overrides.dmarc),
      action: { type: 'S3', bucketName: 'mail', objectKey: `inbound/${sesId}` },
    },
  };
  return JSON.stringify({ Type: 'Notification', Message: JSON.stringify(notification) });
}
