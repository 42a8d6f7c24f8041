import { randomUUID } from 'node:crypto';
import { parseMail, UnparseableMailError, type ParsedMail } from '#core/parse-mail';
import { idFromSeed } from '#core/ids';
import { addCustomerMail, openTicket, recordBounce, type Actor, type MailDetails, type Ticket } from '#core/ticket';
import { automationVerdict } from '#core/mail/loop-detection';
import { decideThread } from '#core/mail/threading';
import { visibleText } from '#core/mail/quote-strip';
import { readReplyToken } from '#core/mail/reply-token';
import type { Language } from '#core/mail/templates';
import type { TicketStore } from '#adapters/ticket-store';
import type { MailIndex } from '#adapters/mail-index';
import { fileKeys, MailTooLargeError } from '#adapters/mail-objects';
import type { OutgoingMail } from '#adapters/mailer';
import type { Lifecycle } from '#adapters/lifecycle-client';
import type { Policy } from '#core/policy';
import { triageNew } from '#core/lifecycle';
import { PoisonMessageError, readNotification, type SesNotification } from './notification.ts';
import { sendAcknowledgement } from './acknowledgement.ts';

/**
 * One inbound mail, from the queue message to a ticket. Safe to run twice, or
 * ten times at once, for the same mail: ids come from the SES message id, every
 * write is conditional, and the acknowledgement is claimed before it is sent.
 *
 * Deterministic failures (a broken message, MIME we cannot parse, a mail over
 * the limit, a virus) quarantine the mail and count as done, so they never loop;
 * anything else is thrown, and the queue retries it, then dead-letters it.
 */
export interface ReceiveDeps {
  store: TicketStore;
  index: MailIndex;
  getRaw(bucket: string, key: string): Promise<Buffer>;
  putAttachment(key: string, content: Buffer, contentType: string): Promise<void>;
  send(mail: OutgoingMail): Promise<{ sesMessageId: string }>;
  config: {
    supportAddresses: string[];
    fromAddress: string;
    deskName: string;
    replyTokenSecret: string;
    defaultLanguage: Language;
    autoReplyCap: number;
    /** Where customer links point (`PUBLIC_URL`); without it the acknowledgement carries no status link. */
    publicUrl?: string | undefined;
  };
  onQuarantine?(reason: string): void;
  policy: Policy;
  /** The ticket's lifecycle: started for a new ticket, woken when a mail moves one (a reply to a pending or resolved ticket). */
  lifecycle: Pick<Lifecycle, 'start' | 'signal'>;
}

export type ReceiveOutcome =
  | { result: 'created'; ticketId: string; acknowledged: boolean }
  | { result: 'appended'; ticketId: string }
  | { result: 'bounce'; ticketId: string }
  | { result: 'duplicate' }
  | { result: 'quarantined'; reason: string };

/** Mail arrives on behalf of no agent: the audit trail names the channel. */
const mailActor: Actor = { sub: 'system:inbound-mail', email: 'mail' };

export async function receiveMail(queueBody: string, deps: ReceiveDeps): Promise<ReceiveOutcome> {
  let n: SesNotification;
  try {
    n = readNotification(queueBody);
  } catch (err) {
    if (!(err instanceof PoisonMessageError)) throw err;
    const id = `unreadable-${randomUUID()}`;
    return quarantine(deps, { sesMessageId: id, reason: 'invalid-notification', detail: err.message });
  }
  const sesMessageId = n.mail.messageId;
  const { bucketName: bucket, objectKey: key } = n.receipt.action;
  const verdicts = Object.fromEntries(
    (['spam', 'virus', 'spf', 'dkim', 'dmarc'] as const).map((v) => [v, n.receipt[`${v}Verdict`]?.status ?? 'GRAY']),
  );
  if (verdicts.virus === 'FAIL') return quarantine(deps, { sesMessageId, reason: 'virus', bucket, key });

  let raw: Buffer;
  try {
    raw = await deps.getRaw(bucket, key);
  } catch (err) {
    if (err instanceof MailTooLargeError) return quarantine(deps, { sesMessageId, reason: 'too-large', detail: err.message, bucket, key });
    if ((err as { name?: string }).name === 'NoSuchKey' || (err as { name?: string }).name === 'NotFound') {
      return quarantine(deps, { sesMessageId, reason: 'missing-object', bucket, key });
    }
    throw err;
  }
  let mail: ParsedMail;
  try {
    mail = await parseMail(raw);
  } catch (err) {
    if (err instanceof UnparseableMailError) return quarantine(deps, { sesMessageId, reason: 'unparseable', detail: err.message, bucket, key });
    throw err;
  }

  const receivedAt = new Date(Date.parse(n.mail.timestamp) || Date.now()).toISOString();
  const automation = automationVerdict({
    headers: mail.headers,
    from: mail.from?.address ?? null,
    // The envelope sender SES saw; empty is the null return path of bounces and robots.
    returnPath: n.mail.source,
    ourAddresses: deps.config.supportAddresses,
    // Not the support domain: on an internal desk, staff of that domain are the customers.
    ourDomains: [],
  });

  // A bounce belongs to the ticket of the mail that bounced, never to a new one.
  if (mail.bounce) {
    const original = mail.bounce.originalMessageId ? await deps.index.ticketFor([mail.bounce.originalMessageId]) : undefined;
    if (!original) return quarantine(deps, { sesMessageId, reason: 'orphan-bounce', bucket, key });
    if (await deps.index.claimOnce(original.ticketId, `bounce#${sesMessageId}`)) {
      await deps.store.applyChange(original.ticketId, (t) => recordBounce(t, mail.bounce!, receivedAt, mailActor));
    }
    return { result: 'bounce', ticketId: original.ticketId };
  }

  // A new ticket needs someone to answer: a mail without a usable sender is kept aside.
  if (!mail.from || !mail.from.address.includes('@')) return quarantine(deps, { sesMessageId, reason: 'no-sender', bucket, key });

  const decision = await decideThread(
    {
      sesMessageId,
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      recipients: n.receipt.recipients,
      from: mail.from.address,
      cc: mail.cc.map((c) => c.address),
      subject: mail.subject,
    },
    {
      // One SES delivery owns each mail (sender + Message-ID); its own retries pass, any
      // other delivery of the same mail is a duplicate. The sender is part of the key, so
      // reusing someone else's Message-ID does not silence their mail.
      seenInbound: async (ses, messageId) => (messageId ? !(await deps.index.claimInbound(`${mail.from!.address}|${messageId}`, ses)) : false),
      ticketByMessageId: async (ids) => (await deps.index.ticketFor(ids))?.ticketId,
      ticketByReplyToken: async (token) => {
        const id = readReplyToken(token, deps.config.replyTokenSecret);
        return id && (await deps.store.getTicket(id)) ? id : undefined;
      },
      ticketByNumber: async (num) => {
        const t = await deps.store.ticketByNumber(num);
        return t && { id: t.id, requester: t.requester.email, participants: t.participants ?? [] };
      },
    },
    { supportAddresses: deps.config.supportAddresses, secret: deps.config.replyTokenSecret },
  );
  if (decision.kind === 'duplicate') return { result: 'duplicate' };

  // Ids come from the SES delivery, so its retries land on the same items; other deliveries
  // of the same mail were turned away as duplicates by the claim above.
  const messageId = idFromSeed(`msg:${sesMessageId}`, Date.parse(receivedAt));
  const existing = decision.kind === 'existing' ? await deps.store.getTicket(decision.ticketId) : undefined;
  // A closed ticket stays closed: a late answer opens a follow-up instead.
  const ticketId = existing && existing.status !== 'closed' ? existing.id : idFromSeed(`ticket:${sesMessageId}`, Date.parse(receivedAt));
  const details = await storeAttachments(deps, mail, ticketId, messageId, sesMessageId, { bucket, key }, verdicts, automation.automated);
  const body = clipBytes(visibleText(mail.text).visible.trim() || mail.text.trim() || '(no text)', LIMITS.body);

  if (existing && existing.status !== 'closed') {
    const from = { email: mail.from.address, ...(mail.from.name ? { name: mail.from.name } : {}) };
    const cc = mail.cc.map((c) => c.address);
    const appended = await deps.store.applyChange(
      existing.id,
      // A retry of this delivery finds its message already there and changes nothing.
      async (t) =>
        (await deps.store.hasMessage(t.id, receivedAt, messageId)) ? undefined : addCustomerMail(t, { id: messageId, from, body, at: receivedAt, mail: details, cc }, mailActor, deps.policy),
      existing,
    );
    // Woken whether this delivery or an earlier try of it made the change: a retry must not leave the wait asleep.
    if (appended ? appended.ticket.lifecycleSeq !== existing.lifecycleSeq : true) await deps.lifecycle.signal(existing.id);
    await deps.index.remember(mail.messageId ? [mail.messageId] : [], existing.id, 'inbound');
    return { result: 'appended', ticketId: existing.id };
  }

  const spam = verdicts.spam === 'FAIL';
  let ticket = await deps.store.getTicket(ticketId);
  if (!ticket) {
    const number = await deps.store.nextTicketNumber();
    const opened = openTicket(
      {
        requester: { email: mail.from.address, ...(mail.from.name ? { name: mail.from.name.slice(0, 200) } : {}) },
        subject: (mail.subject || '(no subject)').slice(0, 250),
        body,
        channel: 'email',
        ...(spam ? { tags: ['spam'] } : existing ? { tags: ['follow-up'] } : {}),
      },
      number,
      mailActor,
      receivedAt,
      deps.policy,
      {
        ticketId,
        ...(existing ? { followUpOf: existing.id } : {}),
        messageId,
        participants: mail.cc.map((c) => c.address).filter((a) => !deps.config.supportAddresses.includes(a)).slice(0, 50),
        language: mail.language ?? null,
        spam,
        mail: details,
      },
      // Spam is kept for review, not routed.
      spam ? undefined : await triageNew({ subject: mail.subject, body, requesterEmail: mail.from.address }, deps.policy, (id) => deps.store.knownDepartment(id)),
    );
    const res = await deps.store.createTicket(opened.ticket, opened.message, opened.event);
    // A concurrent retry of the same delivery created it first.
    ticket = 'alreadyExists' in res ? (await deps.store.getTicket(ticketId))! : opened.ticket;
  }
  await deps.index.remember(mail.messageId ? [mail.messageId] : [], ticket.id, 'inbound');
  // On every try, not only the first: a retry after a failed start still starts it (a second start is a no-op).
  // Spam gets no lifecycle until an agent releases it from the spam view.
  if (!ticket.spam) await deps.lifecycle.start(ticket.id);

  const acknowledged = !spam && !automation.automated && (await acknowledge(deps, ticket, mail));
  return { result: 'created', ticketId: ticket.id, acknowledged };
}

async function quarantine(deps: ReceiveDeps, r: { sesMessageId: string; reason: string; detail?: string; bucket?: string; key?: string }): Promise<ReceiveOutcome> {
  await deps.index.quarantine({ ...r, at: new Date().toISOString() });
  deps.onQuarantine?.(r.reason);
  return { result: 'quarantined', reason: r.reason };
}

/** Attachments go to S3 under keys derived from the mail, so a retry rewrites the same objects. */
async function storeAttachments(
  deps: ReceiveDeps,
  mail: ParsedMail,
  ticketId: string,
  messageId: string,
  sesMessageId: string,
  raw: { bucket: string; key: string },
  verdicts: Record<string, string>,
  automated: boolean,
): Promise<MailDetails> {
  const attachments = await Promise.all(
    mail.attachments.map(async (a, i) => {
      const key = fileKeys.mailAttachment(ticketId, messageId, i + 1, a.filename);
      await deps.putAttachment(key, a.content, a.contentType);
      return { filename: a.filename, contentType: a.contentType, size: a.size, key, inline: a.inline, ...(a.contentId ? { contentId: a.contentId } : {}) };
    }),
  );
  return {
    messageId: mail.messageId,
    sesMessageId,
    fullText: clipBytes(mail.text, LIMITS.fullText),
    html: mail.html ? clipBytes(mail.html, LIMITS.html) : null,
    raw,
    truncated: Buffer.byteLength(mail.text) > LIMITS.fullText || Buffer.byteLength(mail.html ?? '') > LIMITS.html,
    attachments,
    verdicts,
    automated,
  };
}

/**
 * What one stored message may hold, in bytes: together well under DynamoDB's
 * 400 KB item limit, so a huge mail is stored (clipped, with the raw original
 * kept in S3) rather than failing every retry into the dead-letter queue.
 */
const LIMITS = { body: 64_000, fullText: 96_000, html: 128_000 };

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function clipBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(s.slice(0, mid)) <= max) lo = mid;
    else hi = mid - 1;
  }
  // Do not end on half of a surrogate pair.
  const end = /[\ud800-\udbff]/.test(s[lo - 1] ?? '') ? lo - 1 : lo;
  return s.slice(0, end);
}

/** The acknowledgement of a mail: threaded under the customer's mail. */
async function acknowledge(deps: ReceiveDeps, ticket: Ticket, mail: ParsedMail): Promise<boolean> {
  return sendAcknowledgement(ticket, { inReplyTo: mail.messageId ?? undefined, references: [...mail.references, ...(mail.messageId ? [mail.messageId] : [])].slice(-20) }, deps);
}
