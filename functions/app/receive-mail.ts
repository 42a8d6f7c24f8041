import { randomUUID } from 'node:crypto';
import { parseMail, UnparseableMailError, type ParsedMail } from '#core/parse-mail';
import { idFromSeed } from '#core/ids';
import { addCustomerMail, recordBounce, type Actor, type MailDetails, type Ticket } from '#core/ticket';
import { automationVerdict, sentByMachine } from '#core/mail/loop-detection';
import { decideThread } from '#core/mail/threading';
import { visibleText } from '#core/mail/quote-strip';
import { readReplyToken } from '#core/mail/reply-token';
import { rawMailDigest } from '#core/mail/raw-digest';
import { unverifiedSender } from '#core/mail/authentication';
import { clipBytes, truncate, wellFormed } from '#core/text';
import type { Language } from '#core/mail/templates';
import type { TicketStore } from '#adapters/ticket-store';
import type { MailIndex } from '#adapters/mail-index';
import { fileKeys, MailTooLargeError } from '#adapters/mail-objects';
import type { OutgoingMail } from '#adapters/mailer';
import type { Lifecycle } from '#adapters/lifecycle-client';
import type { Policy } from '#core/policy';
import { PoisonMessageError, readNotification, type SesNotification } from './notification.ts';
import { sendAcknowledgement } from './acknowledgement.ts';
import { openTicket, type OpenTicketDeps } from './open-ticket.ts';

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
  /** Whether triage's department exists (departmentStore's). */
  knownDepartment(id: string): Promise<boolean>;
  /** The learned triage model in use (triage-model-loader.ts); absent: the rules alone. */
  triageModel?: OpenTicketDeps['triageModel'];
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
    /** Acknowledgements per recipient domain per hour (default 100). */
    autoReplyDomainCap?: number;
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

/** How long the same raw bytes count as a redelivery: SES and SMTP retries happen within hours. */
const RAW_DUPLICATE_SECONDS = 24 * 3600;

/** Mail arrives on behalf of no agent: the audit trail names the channel. */
const mailActor: Actor = { sub: 'system:inbound-mail', email: 'mail' };

export async function receiveMail(queueBody: string, deps: ReceiveDeps): Promise<ReceiveOutcome> {
  try {
    return await receiveOnce(queueBody, deps);
  } catch (err) {
    // The same mail would fail the same way on every retry and then in the dead-letter queue: kept aside instead.
    if (!isDeterministic(err)) throw err;
    const n = (() => {
      try {
        return readNotification(queueBody);
      } catch {
        return undefined;
      }
    })();
    const e = err as Error;
    return quarantine(deps, {
      sesMessageId: n?.mail.messageId ?? `unreadable-${randomUUID()}`,
      reason: 'processing-failed',
      detail: clipBytes(`${e.name}: ${e.message}`, 500),
      ...(n ? { bucket: n.receipt.action.bucketName, key: n.receipt.action.objectKey } : {}),
    });
  }
}

/**
 * Errors that say the mail itself is the problem, not the moment: a string no
 * encoder takes, a value out of range (thrown by our own code), an item or key
 * the store refuses (a service's answer). A throttle, a timeout or a lost
 * connection is none of these and is retried.
 *
 * An error from the AWS SDK (it carries `$metadata` or `$response`) counts only
 * when the service refused the request itself: the SDK also throws SyntaxError
 * or TypeError when a response is not what it expected (a gateway's HTML 5xx),
 * and that passes.
 */
const ownCodeErrors = new Set(['URIError', 'RangeError', 'SyntaxError', 'TypeError']);
const serviceRefusals = new Set(['ValidationException', 'SerializationException', 'KeyTooLongError', 'InvalidArgument']);
export function isDeterministic(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const fromSdk = '$metadata' in err || '$response' in err;
  return serviceRefusals.has(err.name) || (!fromSdk && ownCodeErrors.has(err.name));
}

async function receiveOnce(queueBody: string, deps: ReceiveDeps): Promise<ReceiveOutcome> {
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

  // One SES delivery owns each raw mail for a day, so the same bytes delivered twice (no Message-ID to go by)
  // make one ticket, while a script that mails the same text tomorrow still opens a new one.
  if (!(await deps.index.claimInbound(`raw|${rawMailDigest(raw)}`, sesMessageId, RAW_DUPLICATE_SECONDS))) return { result: 'duplicate' };

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

  // A new ticket needs someone to answer: the From, else the envelope sender (a script's bare
  // mail has no From); a mail with neither is kept aside.
  const sender = mail.from?.address.includes('@') ? mail.from : envelopeSender(n.mail.source);
  if (!sender) return quarantine(deps, { sesMessageId, reason: 'no-sender', bucket, key });
  // Written by a machine (not a person posting through a list): recorded, and it changes no ticket.
  const automated = sentByMachine(automation);
  // Decided before the thread: a forged From must neither pick the ticket by its subject token nor bring in its CCs.
  const unverified = unverifiedSender(verdicts);

  // Tickets read while threading, kept to decide with: the ticket is read once per mail. Only strongly
  // consistent reads are kept (the reply token's); a number is looked up in an index, which may lag.
  const read = new Map<string, Ticket>();
  const decision = await decideThread(
    {
      sesMessageId,
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      recipients: n.receipt.recipients,
      from: sender.address,
      cc: mail.cc.map((c) => c.address),
      subject: mail.subject,
      unverified,
    },
    {
      // One SES delivery owns each mail (sender + Message-ID); its own retries pass, any
      // other delivery of the same mail is a duplicate. The sender is part of the key, so
      // reusing someone else's Message-ID does not silence their mail.
      seenInbound: async (ses, messageId) => (messageId ? !(await deps.index.claimInbound(`${sender.address}|${messageId}`, ses)) : false),
      ticketByMessageId: async (ids) => (await deps.index.ticketFor(ids))?.ticketId,
      ticketByReplyToken: async (token) => {
        const id = readReplyToken(token, deps.config.replyTokenSecret);
        const found = id ? await deps.store.getTicket(id) : undefined;
        if (found) read.set(found.id, found);
        return found?.id;
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
  const existing = decision.kind === 'existing' ? (read.get(decision.ticketId) ?? (await deps.store.getTicket(decision.ticketId))) : undefined;
  // A closed ticket stays closed: a late answer opens a follow-up instead. An automatic one
  // (an out-of-office) is only recorded on it: it asks nothing of anyone.
  const joins = existing && (existing.status !== 'closed' || automated) ? existing : undefined;
  const ticketId = joins ? joins.id : idFromSeed(`ticket:${sesMessageId}`, Date.parse(receivedAt));
  const details = await storeAttachments(deps, mail, ticketId, messageId, sesMessageId, { bucket, key }, verdicts, automated);
  if (unverified) details.unverified = true;
  const body = clipBytes(visibleText(mail.text).visible.trim() || mail.text.trim() || '(no text)', LIMITS.body);

  if (joins) {
    const from = { email: sender.address, ...(sender.name ? { name: sender.name } : {}) };
    const cc = mail.cc.map((c) => c.address);
    const appended = await deps.store.applyChange(
      joins.id,
      // A retry of this delivery finds its message already there and changes nothing.
      async (t) =>
        (await deps.store.hasMessage(t.id, receivedAt, messageId)) ? undefined : addCustomerMail(t, { id: messageId, from, body, at: receivedAt, mail: details, cc }, mailActor, deps.policy),
      joins,
    );
    // Woken whether this delivery or an earlier try of it made the change: a retry must not leave the wait asleep.
    // An automatic mail changes nothing the lifecycle waits on.
    if (!automated && (appended ? appended.ticket.lifecycleSeq !== joins.lifecycleSeq : true)) await deps.lifecycle.signal(joins.id);
    await deps.index.remember(mail.messageId ? [mail.messageId] : [], joins.id, 'inbound');
    return { result: 'appended', ticketId: joins.id };
  }

  // Automatic mail that answers no ticket is held with spam, out of the queues (the `spam=true` view), flagged automatic.
  const spam = verdicts.spam === 'FAIL' || automated;
  const remember = (t: Ticket) => deps.index.remember(mail.messageId ? [mail.messageId] : [], t.id, 'inbound');
  // On every try, not only the first: a retry after a failed start still starts it (a second start is a no-op).
  // Spam gets no lifecycle until an agent releases it from the spam view.
  const resume = async (t: Ticket) => {
    await remember(t);
    if (!t.spam) await deps.lifecycle.start(t.id);
  };
  let ticket = await deps.store.getTicket(ticketId);
  if (ticket) await resume(ticket);
  else {
    const outcome = await openTicket(
      {
        input: {
          requester: { email: sender.address, ...(sender.name ? { name: truncate(sender.name, 200) } : {}) },
          subject: truncate(mail.subject || '(no subject)', 250),
          body,
          channel: 'email',
          ...(automated ? { tags: ['automatic'] } : spam ? { tags: ['spam'] } : existing ? { tags: ['follow-up'] } : {}),
        },
        actor: mailActor,
        at: receivedAt,
        origin: {
          ticketId,
          ...(existing ? { followUpOf: existing.id } : {}),
          messageId,
          // A forged From must not get its CCs copied on the agents' replies; an agent can add them after checking.
          participants: unverified ? [] : mail.cc.map((c) => c.address).filter((a) => !deps.config.supportAddresses.includes(a)).slice(0, 50),
          language: mail.language ?? null,
          spam,
          mail: details,
          ...(unverified ? { unverified: true } : {}),
          ...(automated ? { automatic: true } : {}),
        },
        // Spam is kept for review, not routed; triage reads the subject as sent, before it is clipped.
        triage: spam ? false : { subject: mail.subject, body, requesterEmail: sender.address },
        stored: remember,
      },
      { tickets: deps.store, knownDepartment: (id) => deps.knownDepartment(id), lifecycle: deps.lifecycle, policy: deps.policy, ...(deps.triageModel ? { triageModel: deps.triageModel } : {}) },
    );
    if ('opened' in outcome) ticket = outcome.opened;
    else {
      // A concurrent retry of the same delivery created it first.
      ticket = (await deps.store.getTicket(ticketId))!;
      await resume(ticket);
    }
  }

  // No acknowledgement to spam, to a machine, or to an address a forger may have used (failed authentication).
  const acknowledged = !spam && !automation.automated && !unverified && (await acknowledge(deps, ticket, mail));
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

/** Kept here too for existing callers; the one implementation is in core/text.ts. */
export { clipBytes };

/** The SMTP envelope sender (SES's `mail.source`) as a sender, when it is a real address (not the null path of a bounce). */
function envelopeSender(source: string): { address: string; name?: string } | undefined {
  const address = wellFormed(source.trim().replace(/^<|>$/g, '').toLowerCase());
  return /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? { address } : undefined;
}

/** The acknowledgement of a mail: threaded under the customer's mail. */
async function acknowledge(deps: ReceiveDeps, ticket: Ticket, mail: ParsedMail): Promise<boolean> {
  return sendAcknowledgement(ticket, { inReplyTo: mail.messageId ?? undefined, references: [...mail.references, ...(mail.messageId ? [mail.messageId] : [])].slice(-20) }, deps);
}
