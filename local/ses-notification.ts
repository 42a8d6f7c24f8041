/**
 * The JSON document SES publishes to SNS when a receipt rule's S3 action has
 * stored a mail ("notificationType": "Received"), built locally from the raw
 * MIME and the SMTP envelope. Local mode's SMTP gateway publishes exactly this,
 * so the inbound consumer reads one shape in both modes.
 *
 * Shape: https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html
 * An S3-action notification has no `content` field: the mail is in the bucket
 * under `action.objectKey`.
 */
import { randomBytes } from 'node:crypto';

export type VerdictStatus = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED';
export const VERDICT_STATUSES: readonly VerdictStatus[] = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED'];

export interface Verdicts {
  spam: VerdictStatus;
  virus: VerdictStatus;
  spf: VerdictStatus;
  dkim: VerdictStatus;
  dmarc: VerdictStatus;
}

/**
 * What local mode reports when nothing says otherwise: no scanner runs, so the
 * content checks pass, and nothing authenticates a loopback sender, so SPF,
 * DKIM and DMARC are GRAY (SES's "could not be determined").
 */
export const DEFAULT_LOCAL_VERDICTS: Readonly<Verdicts> = { spam: 'PASS', virus: 'PASS', spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' };

/**
 * LOCAL-ONLY TEST HOOKS. A mail carrying one of these headers gets that verdict
 * instead of the default, so tests can exercise spam, virus and authentication
 * failures without a scanner. SES never reads them; they mean nothing in AWS.
 */
export const VERDICT_HEADERS: Readonly<Record<keyof Verdicts, string>> = {
  spam: 'x-local-spam-verdict',
  virus: 'x-local-virus-verdict',
  spf: 'x-local-spf-verdict',
  dkim: 'x-local-dkim-verdict',
  dmarc: 'x-local-dmarc-verdict',
};

export interface MailHeader {
  name: string;
  value: string;
}

export interface CommonHeaders {
  returnPath: string;
  from?: string[];
  sender?: string[];
  replyTo?: string[];
  to?: string[];
  cc?: string[];
  bcc?: string[];
  date?: string;
  messageId?: string;
  subject?: string;
}

export interface SesS3ReceivedNotification {
  notificationType: 'Received';
  mail: {
    timestamp: string;
    source: string;
    messageId: string;
    destination: string[];
    headersTruncated: boolean;
    headers: MailHeader[];
    commonHeaders: CommonHeaders;
  };
  receipt: {
    timestamp: string;
    processingTimeMillis: number;
    recipients: string[];
    spamVerdict: { status: VerdictStatus };
    virusVerdict: { status: VerdictStatus };
    spfVerdict: { status: VerdictStatus };
    dkimVerdict: { status: VerdictStatus };
    dmarcVerdict: { status: VerdictStatus };
    action: { type: 'S3'; topicArn: string; bucketName: string; objectKeyPrefix: string; objectKey: string };
  };
}

/** The Subject SES sets on the SNS message (the consumer reads only `Message`). */
export const SES_NOTIFICATION_SUBJECT = 'Amazon SES Email Receipt Notification';

/** SES caps the headers it lists in a notification at 10 KB and says so with `headersTruncated`. */
const HEADERS_LIMIT_BYTES = 10 * 1024;
/** Only this much of the mail is looked at for headers; a header block beyond it is hostile anyway. */
const HEADER_SCAN_LIMIT = 256 * 1024;
/** SNS refuses messages over 256 KB; stay clearly below it whatever the mail contains. */
const NOTIFICATION_LIMIT_BYTES = 200 * 1024;

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** A SES-style message id: 40 lowercase base32 characters (200 random bits), safe as an S3 key and a file name. */
export function newSesMessageId(): string {
  const bytes = randomBytes(40);
  let id = '';
  for (const b of bytes) id += BASE32HEX[b & 31];
  return id;
}

export function isSesMessageId(id: string): boolean {
  return /^[0-9a-v]{40}$/.test(id);
}

/** The SES message id of a Received notification as it arrives in SQS (in its SNS envelope); undefined for anything else. */
export function sesMessageIdOfSqsBody(body: string): string | undefined {
  try {
    const envelope = JSON.parse(body) as { Message?: unknown };
    const notification = JSON.parse(typeof envelope.Message === 'string' ? envelope.Message : '') as { mail?: { messageId?: unknown } };
    const id = notification.mail?.messageId;
    return typeof id === 'string' && isSesMessageId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export interface ParsedHeaders {
  headers: MailHeader[];
  /** True when the header block went past the scan limit and was cut. */
  incomplete: boolean;
}

/**
 * Splits the header block of a raw mail into fields, tolerating what real and
 * hostile senders do: bare LF line ends, a missing blank line, lines without a
 * colon (skipped), NUL and 8-bit bytes (decoded as UTF-8 with replacement).
 * Never throws. Values are unfolded and kept otherwise as written.
 */
export function parseHeaderBlock(raw: Uint8Array): ParsedHeaders {
  const limit = Math.min(raw.length, HEADER_SCAN_LIMIT);
  let end = limit;
  for (let i = 0; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    // A blank line ends the headers: LF LF or LF CR LF.
    if (raw[i + 1] === 0x0a) {
      end = i;
      break;
    }
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) {
      end = i;
      break;
    }
  }
  // A mail that starts with a blank line has no headers at all.
  if (raw[0] === 0x0a || (raw[0] === 0x0d && raw[1] === 0x0a)) end = 0;
  const incomplete = end === limit && limit < raw.length;
  const text = Buffer.from(raw.buffer, raw.byteOffset, end).toString('utf8');
  const headers: MailHeader[] = [];
  let current: MailHeader | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line === '\r') continue;
    if ((line[0] === ' ' || line[0] === '\t') && current) {
      current.value += line.replace(/\r$/, '');
      continue;
    }
    const colon = line.indexOf(':');
    // A mbox "From " line or garbage: not a header field.
    if (colon <= 0) {
      current = undefined;
      continue;
    }
    const name = line.slice(0, colon).trim();
    if (!name || /\s/.test(name)) {
      current = undefined;
      continue;
    }
    current = { name, value: line.slice(colon + 1).replace(/\r$/, '').replace(/^[ \t]+/, '') };
    headers.push(current);
  }
  return { headers, incomplete };
}

function firstHeader(headers: MailHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/**
 * Decodes RFC 2047 encoded words (`=?charset?B|Q?...?=`). A word in an unknown
 * charset or with broken encoding is left as written.
 */
export function decodeEncodedWords(value: string): string {
  // Whitespace between two adjacent encoded words is not part of the text.
  const joined = value.replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1');
  return joined.replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (word, charset: string, enc: string, text: string) => {
    try {
      const label = charset.split('*')[0]!; // RFC 2231 language suffix
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
              'latin1',
            );
      return new TextDecoder(label).decode(bytes);
    } catch {
      return word;
    }
  });
}

/**
 * Splits an address list on the commas that separate addresses, not those
 * inside quoted names, comments or angle brackets.
 */
export function splitAddressList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let depthParen = 0;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      cur += c;
      if (c === '\\' && i + 1 < value.length) cur += value[++i];
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '(') depthParen++;
    else if (c === ')' && depthParen > 0) depthParen--;
    else if (c === '<') inAngle = true;
    else if (c === '>') inAngle = false;
    else if (c === ',' && depthParen === 0 && !inAngle) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** The `commonHeaders` SES derives from the mail: address lists and subject decoded, the rest as written. */
export function commonHeadersOf(headers: MailHeader[], mailFrom: string): CommonHeaders {
  const common: CommonHeaders = { returnPath: mailFrom };
  const lists = [
    ['from', 'From'],
    ['sender', 'Sender'],
    ['replyTo', 'Reply-To'],
    ['to', 'To'],
    ['cc', 'Cc'],
    ['bcc', 'Bcc'],
  ] as const;
  for (const [key, name] of lists) {
    const v = firstHeader(headers, name);
    if (v === undefined) continue;
    const list = splitAddressList(v).map(decodeEncodedWords);
    if (list.length) common[key] = list;
  }
  const date = firstHeader(headers, 'Date');
  if (date !== undefined) common.date = date.trim();
  const messageId = firstHeader(headers, 'Message-ID');
  if (messageId !== undefined) common.messageId = messageId.trim();
  const subject = firstHeader(headers, 'Subject');
  if (subject !== undefined) common.subject = decodeEncodedWords(subject);
  return common;
}

/** Reads the local-only verdict hooks; anything absent or unrecognised keeps the default. */
export function verdictsFromHeaders(headers: MailHeader[], defaults: Readonly<Verdicts> = DEFAULT_LOCAL_VERDICTS): Verdicts {
  const verdicts: Verdicts = { ...defaults };
  for (const key of Object.keys(VERDICT_HEADERS) as (keyof Verdicts)[]) {
    const v = firstHeader(headers, VERDICT_HEADERS[key])?.trim().toUpperCase();
    if (v && (VERDICT_STATUSES as readonly string[]).includes(v)) verdicts[key] = v as VerdictStatus;
  }
  return verdicts;
}

export interface ReceivedNotificationInput {
  messageId: string;
  /** When the gateway accepted the mail (mail.timestamp). */
  receivedAt: Date;
  /** When the action ran (receipt.timestamp); defaults to now. */
  actionAt?: Date;
  /** Envelope MAIL FROM; empty for a null reverse path (bounces). */
  mailFrom: string;
  /** Envelope RCPT TO addresses the rule accepted. */
  recipients: string[];
  /** The raw MIME, as stored in S3. */
  raw: Uint8Array;
  verdicts: Verdicts;
  topicArn: string;
  bucketName: string;
  objectKeyPrefix: string;
}

function headersWithin(headers: MailHeader[], budget: number): { headers: MailHeader[]; truncated: boolean } {
  const out: MailHeader[] = [];
  let used = 0;
  for (const h of headers) {
    const size = Buffer.byteLength(h.name) + Buffer.byteLength(h.value);
    if (used + size > budget) return { headers: out, truncated: true };
    used += size;
    out.push(h);
  }
  return { headers: out, truncated: false };
}

function clipCommonHeaders(c: CommonHeaders, maxItems: number, maxChars: number): CommonHeaders {
  const clip = (s: string) => (s.length > maxChars ? s.slice(0, maxChars) : s);
  const out: CommonHeaders = { returnPath: clip(c.returnPath) };
  for (const key of ['from', 'sender', 'replyTo', 'to', 'cc', 'bcc'] as const) {
    const list = c[key];
    if (list) out[key] = list.slice(0, maxItems).map(clip);
  }
  for (const key of ['date', 'messageId', 'subject'] as const) {
    const v = c[key];
    if (v !== undefined) out[key] = clip(v);
  }
  return out;
}

/** Builds the notification SES publishes for an S3 action. Never throws on hostile mail content. */
export function buildReceivedNotification(input: ReceivedNotificationInput): SesS3ReceivedNotification {
  let parsed: ParsedHeaders;
  try {
    parsed = parseHeaderBlock(input.raw);
  } catch {
    parsed = { headers: [], incomplete: true };
  }
  let common: CommonHeaders;
  try {
    common = commonHeadersOf(parsed.headers, input.mailFrom);
  } catch {
    common = { returnPath: input.mailFrom };
  }
  const listed = headersWithin(parsed.headers, HEADERS_LIMIT_BYTES);
  const actionAt = input.actionAt ?? new Date();
  const notification: SesS3ReceivedNotification = {
    notificationType: 'Received',
    mail: {
      timestamp: input.receivedAt.toISOString(),
      source: input.mailFrom,
      messageId: input.messageId,
      destination: [...input.recipients],
      headersTruncated: listed.truncated || parsed.incomplete,
      headers: listed.headers,
      commonHeaders: common,
    },
    receipt: {
      timestamp: actionAt.toISOString(),
      processingTimeMillis: Math.max(0, actionAt.getTime() - input.receivedAt.getTime()),
      recipients: [...input.recipients],
      spamVerdict: { status: input.verdicts.spam },
      virusVerdict: { status: input.verdicts.virus },
      spfVerdict: { status: input.verdicts.spf },
      dkimVerdict: { status: input.verdicts.dkim },
      dmarcVerdict: { status: input.verdicts.dmarc },
      action: {
        type: 'S3',
        topicArn: input.topicArn,
        bucketName: input.bucketName,
        objectKeyPrefix: input.objectKeyPrefix,
        objectKey: `${input.objectKeyPrefix}${input.messageId}`,
      },
    },
  };
  // Hostile headers (thousands of recipients, NUL bytes that JSON escapes six-fold)
  // could push the document past what SNS accepts; the raw mail is in S3 either way.
  if (Buffer.byteLength(JSON.stringify(notification)) > NOTIFICATION_LIMIT_BYTES) {
    notification.mail.headers = [];
    notification.mail.headersTruncated = true;
    notification.mail.commonHeaders = clipCommonHeaders(common, 50, 998);
    if (Buffer.byteLength(JSON.stringify(notification)) > NOTIFICATION_LIMIT_BYTES) {
      notification.mail.commonHeaders = clipCommonHeaders(common, 5, 200);
    }
  }
  return notification;
}
