import { simpleParser, type AddressObject, type Attachment } from 'mailparser';
import { sanitizeMailHtml } from './sanitize-html.ts';
import { parseMessageIds } from './mail/headers.ts';
import { truncate, wellFormed } from './text.ts';

/**
 * Raw MIME → what the help desk needs of a mail. Charsets and encoded words are
 * decoded by mailparser; HTML is sanitised here, so no unsafe markup is ever
 * stored. Parsing is pure (no I/O): attachments come back as buffers for the
 * caller to store.
 */
export interface Address {
  address: string;
  name?: string;
}

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  size: number;
  contentId?: string;
  inline: boolean;
  content: Buffer;
}

export interface ParsedMail {
  /** Lower-case, without angle brackets. */
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  from: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  returnPath: string | null;
  subject: string;
  date: string | null;
  text: string;
  /** Sanitised; null when the mail had no HTML part. */
  html: string | null;
  attachments: ParsedAttachment[];
  /** Lower-case names; values as they appear, unfolded. */
  headers: Map<string, string[]>;
  language: string | undefined;
  /** A delivery status notification, and the Message-ID of the mail that bounced. */
  bounce: { originalMessageId: string | null; action?: string; status?: string; recipient?: string } | null;
}

export class UnparseableMailError extends Error {}

const MAX_ATTACHMENTS = 100;

function addresses(obj: AddressObject | AddressObject[] | undefined): Address[] {
  const list = Array.isArray(obj) ? obj : obj ? [obj] : [];
  const out: Address[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address && /^[^\s@]+@[^\s@]+$/.test(e.address)) out.push({ address: wellFormed(e.address.trim().toLowerCase()), ...(e.name ? { name: wellFormed(e.name.trim()) } : {}) });
    }
  };
  for (const o of list) visit(o.value ?? []);
  return out;
}

function headerMap(lines: readonly { key: string; line: string }[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const value = wellFormed(line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
    const k = key.toLowerCase();
    map.set(k, [...(map.get(k) ?? []), value]);
  }
  return map;
}

function bounceOf(contentType: string, attachments: Attachment[], text: string): ParsedMail['bounce'] {
  if (!/multipart\/report/i.test(contentType) && !attachments.some((a) => /message\/delivery-status/i.test(a.contentType))) return null;
  // mailparser folds a message/delivery-status part into the text body; read it from either.
  const status = attachments.find((a) => /delivery-status/i.test(a.contentType))?.content.toString('utf8') ?? text;
  const original = attachments.find((a) => /message\/rfc822|text\/rfc822-headers|message\/rfc822-headers/i.test(a.contentType))?.content.toString('utf8') ?? '';
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(status)?.[1]?.trim();
  const idLine = /^Message-ID:\s*(.+)$/im.exec(original)?.[1] ?? '';
  return {
    originalMessageId: parseMessageIds(idLine)[0] ?? null,
    action: field('Action'),
    status: field('Status'),
    recipient: field('Final-Recipient')?.replace(/^rfc822;\s*/i, ''),
  };
}

export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  let m;
  try {
    m = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, keepCidLinks: true });
  } catch (err) {
    throw new UnparseableMailError(`MIME could not be parsed: ${(err as Error).message}`);
  }
  const headers = headerMap(m.headerLines ?? []);
  const first = (name: string) => headers.get(name)?.[0];
  // Bounces often come from a bare `MAILER-DAEMON`: keep a sender even without a domain.
  const rawFrom = (Array.isArray(m.from) ? m.from[0] : m.from)?.value?.[0];
  const from =
    addresses(m.from)[0] ??
    (rawFrom?.address && /^[^\s@<>]+$/.test(rawFrom.address)
      ? { address: wellFormed(rawFrom.address.toLowerCase()), ...(rawFrom.name ? { name: wellFormed(rawFrom.name) } : {}) }
      : !rawFrom?.address && rawFrom?.name && /^[\w.-]+$/.test(rawFrom.name)
        ? { address: rawFrom.name.toLowerCase() }
        : null);
  const attachments = (m.attachments ?? []).slice(0, MAX_ATTACHMENTS);
  const contentType = first('content-type') ?? '';
  const returnPath = first('return-path');
  return {
    messageId: parseMessageIds(first('message-id') ?? '')[0] ?? null,
    inReplyTo: parseMessageIds(headers.get('in-reply-to')?.join(' ') ?? ''),
    references: parseMessageIds(headers.get('references')?.join(' ') ?? ''),
    from,
    replyTo: addresses(m.replyTo),
    to: addresses(m.to),
    cc: addresses(m.cc),
    returnPath: returnPath === undefined ? null : returnPath.replace(/[<>\s]/g, '').toLowerCase(),
    // Decoded text may hold lone surrogates (an encoded word in UTF-16): replaced here, once, for every later use.
    subject: wellFormed((m.subject ?? '').replace(/[\r\n]+/g, ' ').trim()),
    date: m.date && !Number.isNaN(m.date.getTime()) ? m.date.toISOString() : null,
    text: wellFormed((m.text ?? '').replace(/\r\n/g, '\n')),
    html: typeof m.html === 'string' && m.html.trim() ? wellFormed(sanitizeMailHtml(m.html)) : null,
    attachments: attachments
      .filter((a) => !/message\/delivery-status/i.test(a.contentType))
      .map((a, i) => ({
        filename: safeFilename(a.filename, i, a.contentType),
        contentType: a.contentType || 'application/octet-stream',
        size: a.size ?? a.content.length,
        ...(a.contentId ? { contentId: truncate(a.contentId.replace(/[<>]/g, ''), 998) } : {}),
        inline: a.contentDisposition === 'inline' || Boolean(a.related),
        content: a.content,
      })),
    headers,
    language: first('content-language')?.split(',')[0]?.trim().slice(0, 35),
    bounce: bounceOf(contentType, attachments, m.text ?? ''),
  };
}

/** A name safe to show and to use in a storage key: no paths, no control characters. */
export function safeFilename(name: string | undefined, index: number, contentType: string): string {
  // Cut by whole characters: an emoji split at the limit would break every later encoding of the name.
  const base = truncate((name ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"]/g, '').trim(), 200);
  if (base && base !== '.' && base !== '..') return base;
  const ext = contentType.split('/')[1]?.replace(/[^a-z0-9]/gi, '').slice(0, 10) || 'bin';
  return `attachment-${index + 1}.${ext}`;
}
