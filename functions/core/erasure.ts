import { createHash } from 'node:crypto';
import { z } from 'zod';
import { email } from './schemas.ts';
import { searchWords } from './search-terms.ts';
import { creationCounts, type ReportCount } from './report.ts';
import { normaliseEmail, type Actor, type AuditEvent, type Ticket } from './ticket.ts';

/**
 * Erasing one requester's personal data (GDPR art. 17, LGPD art. 18), the
 * pure part: which items of a ticket are rewritten without personal data,
 * which are deleted, and what the ticket owns elsewhere (search and mail index
 * items, files in S3). The adapter (functions/adapters/erasure-store.ts) runs
 * the plan; the retention purge deletes a ticket with the same footprint.
 *
 * What stays is what counts: ids, numbers, timestamps, status, priority,
 * category, department, level, SLA breaches, the survey rating and every
 * report counter. The requester becomes a stable pseudonym, so the ticket
 * still counts and the same person's tickets still group together, but the
 * address cannot be read back.
 */

/** POST /admin/erasures */
export const erasureBody = z.strictObject({
  email,
  /** Why (a ticket reference, "customer request of 2026-11-20"): kept on the erasure record. */
  reason: z.string().trim().min(1).max(500).optional(),
});
export type ErasureRequest = z.infer<typeof erasureBody>;

/** What erased text reads as. */
export const ERASED = '[erased]';
/** The subject report's line that erased tickets are counted under, so its totals stay. */
export const ERASED_SUBJECT_LINE = '(erased)';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The hash kept on the erasure record instead of the address (`sha256:<hex>` of the normalised address). */
export const addressHash = (address: string) => `sha256:${sha256(normaliseEmail(address))}`;
/** The stable stand-in for an erased address: `.invalid` can never receive mail (RFC 2606). */
export const pseudonymFor = (address: string) => `erased-${sha256(normaliseEmail(address)).slice(0, 12)}@invalid`;
export const isPseudonym = (address: string) => /^erased-[0-9a-f]{12}@invalid$/.test(address);

export type Item = Record<string, unknown> & { pk: string; sk: string };
export type ItemKey = { pk: string; sk: string };

/** Key prefixes of the mail bucket (lib/definitions/resources.ts). */
export interface MailPrefixes {
  inbound: string;
  attachments: string;
  uploads: string;
}

/** What a ticket owns outside its own partition. Found from what the ticket holds, never by scanning. */
export interface Footprint {
  /** Subject search: one item per word (`SEARCH#word`, `createdAt#ticketId`). */
  searchWords: string[];
  createdAt: string;
  /** Message-IDs of its mail (`MSGID#…`/`SESID#…` items), deleted only while they still point at this ticket. */
  messageIds: string[];
  /** Inbound de-duplication claims, by their `sender|Message-ID` key (`INBOUND#<hash>`). */
  inboundClaims: string[];
  /** Raw mail and files in the mail bucket. */
  objects: { bucket: string; key: string }[];
}

/** The items of a ticket's partition, by what happens to them in an erasure. */
type Kind = 'ticket' | 'message' | 'event' | 'keep' | 'delete';
function kindOf(item: Item): Kind {
  if (item.sk === 'TICKET') return 'ticket';
  if (item.sk.startsWith('MSG#')) return 'message';
  if (item.sk.startsWith('EVT#')) return 'event';
  // The indexing marker (so the ticket is never indexed or counted again) and send claims (kinds of mail, no content).
  if (item.sk === 'INDEXED' || item.sk.startsWith('SENT#')) return 'keep';
  // The workflow's task token, web-reply claims (a hash of a body), and anything else.
  return 'delete';
}

interface StoredMessage {
  kind?: string;
  author?: { type?: string; email?: string; name?: string };
  attachments?: { key?: string }[];
  mail?: { messageId?: string | null; raw?: { bucket?: string; key?: string }; attachments?: { key?: string }[] } | null;
}

/** Every message of a ticket: the opening one (on the ticket item) and the rest. */
function messagesOf(ticketItem: Item, items: Item[]): StoredMessage[] {
  const opening = ticketItem.openingMessage as StoredMessage | undefined;
  return [...(opening ? [opening] : []), ...(items.filter((i) => kindOf(i) === 'message') as StoredMessage[])];
}

const safeKey = (key: unknown, prefixes: string[]): key is string =>
  typeof key === 'string' && key.length > 0 && !key.includes('..') && prefixes.some((p) => key.startsWith(p));

/**
 * What a ticket owns outside its partition, from the ticket item and its
 * partition's items as stored (before any erasure: the subject gives the
 * search words, the messages their Message-IDs and files).
 */
export function ticketFootprint(ticketItem: Item, items: Item[], mailBucket: string, prefixes: MailPrefixes): Footprint {
  const ticket = ticketItem as unknown as Ticket;
  const messages = messagesOf(ticketItem, items);
  const messageIds = new Set<string>((ticket.mailThread ?? []).filter(Boolean));
  const inboundClaims = new Set<string>();
  const objects = new Map<string, { bucket: string; key: string }>();
  const filePrefixes = [prefixes.attachments, prefixes.uploads];
  for (const m of messages) {
    const mail = m.mail;
    if (mail?.messageId) {
      messageIds.add(mail.messageId);
      if (m.author?.type === 'customer' && m.author.email) inboundClaims.add(`${m.author.email}|${mail.messageId}`);
    }
    if (mail?.raw && mail.raw.bucket === mailBucket && safeKey(mail.raw.key, [prefixes.inbound])) objects.set(mail.raw.key, { bucket: mailBucket, key: mail.raw.key });
    for (const a of [...(mail?.attachments ?? []), ...(m.attachments ?? [])]) {
      if (safeKey(a.key, filePrefixes)) objects.set(a.key, { bucket: mailBucket, key: a.key });
    }
  }
  return {
    searchWords: typeof ticket.subject === 'string' ? searchWords(ticket.subject) : [],
    createdAt: ticket.createdAt,
    messageIds: [...messageIds],
    inboundClaims: [...inboundClaims],
    objects: [...objects.values()],
  };
}

/** What is known of the person: every address and name to take out, and the subject. */
interface Secrets {
  emails: Map<string, string>;
  names: Set<string>;
  subject: string;
}

const TEXT_KEYS = new Set(['body', 'fullText', 'text', 'html', 'comment', 'subject', 'name', 'filename']);

/**
 * A value with every trace of the person taken out: known addresses become
 * their pseudonyms, free text becomes `[erased]`, file lists are emptied.
 * Field changes in audit events are scrubbed by the same rules.
 */
function scrub(value: unknown, s: Secrets, key?: string): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && TEXT_KEYS.has(key)) return value === '' ? value : ERASED;
    const lower = value.trim().toLowerCase();
    const pseudonym = s.emails.get(lower);
    if (pseudonym) return pseudonym;
    if ([...s.emails.keys()].some((e) => lower.includes(e))) return ERASED;
    if (s.names.has(lower)) return ERASED;
    if (s.subject && (lower === s.subject || (s.subject.length >= 8 && lower.includes(s.subject)))) return ERASED;
    return value;
  }
  if (Array.isArray(value)) {
    if (key === 'attachments' || key === 'mailThread') return [];
    // Triage signals name the requester's domain, and the model's words come from the customer's text;
    // the rest are the policy's own labels.
    if (key === 'signals') return value.filter((v) => typeof v !== 'string' || !/^(domain|vip|model:words)[:=]/.test(v));
    if (key === 'words') return [];
    return value.map((v) => scrub(v, s));
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    // An audit event's field change: the field names what before and after hold.
    if (typeof o.field === 'string' && 'after' in o) {
      const field = o.field;
      return { ...o, before: scrub(o.before, s, field), after: scrub(o.after, s, field) };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === 'html' && typeof v === 'string') out[k] = null;
      else out[k] = scrub(v, s, k);
    }
    return out;
  }
  return value;
}

/** A message as it stays: who wrote it (an agent, or a pseudonym) and when; no words, no files. */
function eraseMessage(m: Record<string, unknown>, s: Secrets): Record<string, unknown> {
  const out = scrub(m, s) as Record<string, unknown>;
  delete out.attachments;
  const author = m.author as StoredMessage['author'];
  if (author?.type === 'customer') out.author = { type: 'customer', email: s.emails.get(normaliseEmail(author.email ?? '')) ?? ERASED };
  out.body = ERASED;
  if (out.mail && typeof out.mail === 'object') out.mail = { ...(out.mail as object), messageId: null, fullText: ERASED, html: null, attachments: [] };
  out.erased = true;
  return out;
}

export interface ErasurePlan {
  ticketId: string;
  /** The ticket's requester is already a pseudonym: nothing is left to erase. */
  alreadyErased: boolean;
  /** The ticket item as it will be stored (index keys are recomputed by the store). */
  ticket: Record<string, unknown> & Ticket;
  /** The version read: the final write holds only if the ticket is still at it. */
  expectedVersion: number;
  /** The `requester.erased` audit event (no personal data); null when already erased. */
  event: AuditEvent | null;
  /** Messages and events, rewritten without personal data (whole items). */
  rewrites: Item[];
  /** Partition items deleted (task token, web-reply claims). */
  deletes: ItemKey[];
  footprint: Footprint;
  /** The subject report's count moves to the erased line: the totals stay. */
  counters: ReportCount[];
  /** It was not closed: it closes now and its lifecycle is stopped. */
  closes: boolean;
}

/**
 * The plan that erases one requester's personal data from one of their
 * tickets, from the ticket item and its partition's items as stored.
 * Idempotent: a ticket whose requester is already a pseudonym comes back
 * `alreadyErased` with nothing to do.
 */
export function planErasure(input: { ticketItem: Item; items: Item[]; actor: Actor; now: string; mailBucket: string; prefixes: MailPrefixes }): ErasurePlan {
  const { ticketItem, items, actor, now } = input;
  const ticket = ticketItem as unknown as Ticket;
  const requester = normaliseEmail(ticket.requester.email);
  const others = items.filter((i) => i.sk !== 'TICKET');
  const footprint = ticketFootprint(ticketItem, others, input.mailBucket, input.prefixes);
  const base = { ticketId: ticket.id, expectedVersion: ticket.version, footprint };
  if (isPseudonym(requester)) {
    return { ...base, alreadyErased: true, ticket: ticketItem as unknown as ErasurePlan['ticket'], event: null, rewrites: [], deletes: [], counters: [], closes: false, footprint: { ...footprint, searchWords: [] } };
  }

  const messages = messagesOf(ticketItem, others);
  const addresses = new Set([requester, ...(ticket.participants ?? []).map(normaliseEmail)]);
  const names = new Set<string>();
  if (ticket.requester.name) names.add(ticket.requester.name.trim().toLowerCase());
  for (const m of messages) {
    if (m.author?.type !== 'customer') continue;
    if (m.author.email) addresses.add(normaliseEmail(m.author.email));
    if (m.author.name) names.add(m.author.name.trim().toLowerCase());
  }
  const secrets: Secrets = {
    emails: new Map([...addresses].filter(Boolean).map((a) => [a, pseudonymFor(a)])),
    names,
    subject: String(ticket.subject ?? '').trim().toLowerCase(),
  };
  const pseudonym = pseudonymFor(requester);

  // The ticket: everything scrubbed, then the fields that say who and what set plainly.
  const { openingMessage, createdEvent, ...rest } = ticketItem;
  const next = scrub(rest, secrets) as Record<string, unknown> & Ticket;
  next.subject = ERASED;
  next.requester = { email: pseudonym };
  next.participants = (ticket.participants ?? []).map((p) => secrets.emails.get(normaliseEmail(p)) ?? ERASED);
  next.mailThread = [];
  if (ticket.survey) next.survey = { ...ticket.survey, comment: null };
  const closes = ticket.status !== 'closed';
  const changes: AuditEvent['changes'] = [{ field: 'requester', before: null, after: { email: pseudonym } }];
  if (closes) {
    next.status = 'closed';
    next.closedAt = now;
    next.dueAt = null;
    next.levelDueAt = null;
    next.slaPausedAt = null;
    next.lifecycleSeq = (ticket.lifecycleSeq ?? 0) + 1;
    changes.push({ field: 'status', before: ticket.status, after: 'closed' });
  }
  next.updatedAt = now;
  next.version = ticket.version + 1;
  (next as Record<string, unknown>).erasedAt = now;
  if (openingMessage && typeof openingMessage === 'object') (next as Record<string, unknown>).openingMessage = eraseMessage(openingMessage as Record<string, unknown>, secrets);
  if (createdEvent && typeof createdEvent === 'object') (next as Record<string, unknown>).createdEvent = scrub(createdEvent, secrets);

  const event: AuditEvent = { ticketId: ticket.id, version: next.version, at: now, actor: { sub: actor.sub, email: actor.email }, action: 'requester.erased', changes };

  const rewrites: Item[] = [];
  const deletes: ItemKey[] = [];
  for (const item of others) {
    const kind = kindOf(item);
    if (kind === 'message') rewrites.push(eraseMessage(item, secrets) as Item);
    else if (kind === 'event') rewrites.push(scrub(item, secrets) as Item);
    else if (kind === 'delete') deletes.push({ pk: item.pk, sk: item.sk });
  }

  // Counted in the subject report once indexed (spam is counted only once released): the count moves, the total stays.
  const indexed = others.find((i) => i.sk === 'INDEXED');
  // Under the department it was counted in (the marker says; one from before departments names none).
  const countedIn = { department: indexed && 'department' in indexed ? (indexed.department as string | null) : undefined };
  const counters: ReportCount[] = indexed
    ? creationCounts({ ...ticket, spam: false }, 1, countedIn).flatMap((c) =>
        c.report === 'subjects' && c.subject !== ERASED_SUBJECT_LINE
          ? [
              { ...c, by: -1 as const },
              { ...c, subject: ERASED_SUBJECT_LINE, by: 1 as const },
            ]
          : [],
      )
    : [];

  return { ...base, alreadyErased: false, ticket: next, event, rewrites, deletes, counters, closes };
}

export interface ErasureSummary {
  tickets: number;
  closedTickets: number;
  rewritten: number;
  deleted: number;
  objects: number;
}

/**
 * The erasure record: who asked, when, why, how much; the address only as a
 * hash. A reason that quotes the address gets the pseudonym in its place.
 */
export function erasureRecord(input: { erasureId: string; at: string; actor: Actor; address: string; reason?: string | undefined; ticketIds: string[]; summary: ErasureSummary }) {
  const address = normaliseEmail(input.address);
  const pseudonym = pseudonymFor(address);
  const reason = input.reason?.split(new RegExp(address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi')).join(pseudonym);
  return {
    erasureId: input.erasureId,
    at: input.at,
    requestedBy: { sub: input.actor.sub, email: input.actor.email },
    ...(reason !== undefined && { reason }),
    addressHash: addressHash(address),
    pseudonym,
    ticketIds: input.ticketIds,
    ...input.summary,
  };
}

/** A ticket closed before `cutoff` (ISO time) is due for the retention purge. */
export function purgeDue(ticket: Pick<Ticket, 'status' | 'closedAt'>, cutoff: string): boolean {
  return ticket.status === 'closed' && typeof ticket.closedAt === 'string' && ticket.closedAt < cutoff;
}

/** The retention cutoff: `days` before `now`. */
export function retentionCutoff(now: number, days: number): string {
  return new Date(now - days * 86_400_000).toISOString();
}
