import { bareAddress, header, headerValues, hasHeader, splitAddress, type MailHeaders } from './headers.ts';

/**
 * Decides whether a mail was sent by a machine, so that we never answer it
 * automatically. Auto-replying to an auto-reply is how mail loops start: two
 * robots acknowledging each other's acknowledgements forever. The signals are
 * those of RFC 3834 plus the vendor headers seen in practice. A mail judged
 * automated still becomes (or joins) a ticket; it only gets no acknowledgement.
 */
export interface AutomationInput {
  headers: MailHeaders;
  /** The From mailbox, bare or with a display name. */
  from: string | null;
  /**
   * The Return-Path (envelope sender). `<>` or empty means a null return path,
   * which RFC 5321 reserves for bounces and other automatic mail. `null` means
   * unknown: the Return-Path header is consulted instead, if present.
   */
  returnPath: string | null;
  /** The desk's own addresses, e.g. `support@desk.example.com`. */
  ourAddresses: string[];
  /**
   * Domains only the desk sends from (subdomains included). Do not list a
   * company's main domain here if its staff write to the desk as customers.
   */
  ourDomains: string[];
}

export interface AutomationVerdict {
  automated: boolean;
  /** Machine-readable reasons, for the audit trail and metrics. */
  reasons: string[];
}

const bulkPrecedence = new Set(['bulk', 'junk', 'list', 'auto_reply', 'auto-reply']);
/** Any presence of these marks an automatic sender, whatever the value. */
const presenceHeaders = ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress', 'x-loop'];
/** Any presence of these marks a mailing list, which must never get an acknowledgement. */
const listHeaders = ['list-id', 'list-unsubscribe'];
const robotLocalParts = new Set(['mailer-daemon', 'postmaster']);

export function automationVerdict(input: AutomationInput): AutomationVerdict {
  const { headers } = input;
  const reasons: string[] = [];

  // RFC 3834: any value but "no" (parameters after ";" ignored) is automatic.
  for (const value of headerValues(headers, 'auto-submitted')) {
    const keyword = firstToken(value);
    if (keyword !== 'no') {
      reasons.push(`auto-submitted:${keyword || 'empty'}`);
      break;
    }
  }
  for (const value of headerValues(headers, 'precedence')) {
    const keyword = firstToken(value);
    if (bulkPrecedence.has(keyword)) {
      reasons.push(`precedence:${keyword}`);
      break;
    }
  }
  for (const name of [...presenceHeaders, ...listHeaders]) {
    if (hasHeader(headers, name)) reasons.push(name);
  }

  const from = input.from === null ? null : bareAddress(input.from);
  const returnPathRaw = input.returnPath ?? header(headers, 'return-path') ?? null;
  if (returnPathRaw !== null && isNullPath(returnPathRaw)) reasons.push('null-return-path');
  const returnPath = returnPathRaw === null || isNullPath(returnPathRaw) ? null : bareAddress(returnPathRaw);

  for (const [role, address] of [['from', from], ['return-path', returnPath]] as const) {
    if (!address) continue;
    const local = splitAddress(address).local;
    if (robotLocalParts.has(local)) reasons.push(`${role}:${local}`);
  }

  if (from && isOurs(from, input.ourAddresses, input.ourDomains)) reasons.push('from:own-address');

  return { automated: reasons.length > 0, reasons };
}

/** Reasons that only say a mail came through a mailing list, which people post to as well. */
const listReasons = new Set(['list-id', 'list-unsubscribe', 'precedence:list']);

/**
 * Whether a machine wrote the mail (an out-of-office, a notification, a
 * bounce), not merely a list that relays what people write: such mail is
 * recorded and changes no ticket. Any automated mail, list mail included,
 * still gets no acknowledgement.
 */
export function sentByMachine(verdict: AutomationVerdict): boolean {
  return verdict.reasons.some((r) => !listReasons.has(r));
}

/**
 * The per-sender breaker: true when one more automatic reply may be sent to a
 * sender who already got `sentInLastHour` of them. Fails closed on nonsense
 * counts, since a broken counter must not open the gate to a loop.
 */
export function autoReplyBreaker(sentInLastHour: number, cap = 5): boolean {
  if (!Number.isFinite(sentInLastHour) || sentInLastHour < 0 || !Number.isFinite(cap)) return false;
  return sentInLastHour < cap;
}

/** "auto-replied; owner-email=..." → "auto-replied"; comments and case ignored. */
function firstToken(value: string): string {
  // Keywords are short; bounding the input keeps the comment regex linear on hostile values.
  value = value.slice(0, 200);
  const semicolon = value.indexOf(';');
  const head = semicolon === -1 ? value : value.slice(0, semicolon);
  return head.replace(/\([^)]*\)/g, ' ').trim().toLowerCase();
}

function isNullPath(value: string): boolean {
  return value.replace(/\s+/g, '') === '<>' || value.trim() === '';
}

/** Our address, plus-addressed variants of it (`support+abc@...`), or any address in one of our domains. */
function isOurs(address: string, ourAddresses: string[], ourDomains: string[]): boolean {
  const { local, domain } = splitAddress(address);
  if (!domain) return false;
  const base = stripPlus(local);
  for (const ours of ourAddresses) {
    const o = splitAddress(bareAddress(ours));
    if (o.domain === domain && (o.local === local || stripPlus(o.local) === base)) return true;
  }
  for (const d of ourDomains) {
    const ourDomain = d.trim().toLowerCase().replace(/\.$/, '');
    if (ourDomain && (domain === ourDomain || domain.endsWith('.' + ourDomain))) return true;
  }
  return false;
}

function stripPlus(local: string): string {
  const plus = local.indexOf('+');
  return plus === -1 ? local : local.slice(0, plus);
}
