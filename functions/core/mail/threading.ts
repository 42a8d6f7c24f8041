import { bareAddress, MAX_MESSAGE_IDS, parseMessageIds } from './headers.ts';
import { readReplyToken, tokenFromRecipient } from './reply-token.ts';
import { findSubjectTokens } from './subject-token.ts';

/**
 * Which ticket an inbound mail belongs to. The order is from the strongest
 * evidence to the weakest, and each step exists because some clients defeat
 * the one before it: Outlook and iOS Mail often drop References, some systems
 * strip plus-addresses, and a subject token can be typed by anyone, so it is
 * only trusted from people already on the ticket, by a From that passed
 * authentication.
 */
export interface InboundFacts {
  sesMessageId: string;
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  /** Envelope recipients (where a Reply-To token lands). */
  recipients: string[];
  from: string;
  cc: string[];
  subject: string;
  /**
   * The From failed authentication (see unverifiedSender): it proves nobody is
   * on a ticket, so the subject token, which trusts the From, is not used.
   */
  unverified: boolean;
}

export interface ThreadLookups {
  /** De-duplication: has this SES delivery or this RFC Message-ID been stored already? */
  seenInbound(sesMessageId: string, messageId: string | null): Promise<boolean>;
  /** Ids we stored or sent (including the ids SES returned for our mail), normalised as parseMessageIds does. */
  ticketByMessageId(ids: string[]): Promise<string | undefined>;
  /** An already-verified, lower-case token → its ticket (the id is its first 26 characters, upper-cased). */
  ticketByReplyToken(token: string): Promise<string | undefined>;
  ticketByNumber(n: number): Promise<{ id: string; requester: string; participants: string[] } | undefined>;
}

export type ThreadDecision =
  | { kind: 'duplicate' }
  | { kind: 'existing'; ticketId: string; via: 'message-id' | 'reply-token' | 'subject-token' }
  | { kind: 'new' };

/** Recipients looked at for a token; more than any honest mail has. */
const MAX_RECIPIENTS = 50;

export async function decideThread(
  f: InboundFacts,
  l: ThreadLookups,
  opts: { supportAddresses: string[]; secret: string },
): Promise<ThreadDecision> {
  // 1. The same delivery again (SES retry, SQS redelivery) or the same mail via another route.
  const messageId = f.messageId === null ? null : (parseMessageIds(f.messageId)[0] ?? null);
  if (await l.seenInbound(f.sesMessageId, messageId)) return { kind: 'duplicate' };

  // 2. Headers that point at a mail we stored or sent.
  const ids = parseMessageIds([...f.inReplyTo, ...f.references].map((id) => `<${stripBrackets(id)}>`).join(' '));
  if (ids.length > 0) {
    const ticketId = await l.ticketByMessageId(ids.slice(0, MAX_MESSAGE_IDS));
    if (ticketId) return { kind: 'existing', ticketId, via: 'message-id' };
  }

  // 3. A genuine reply token in a recipient address: only tokens with a valid MAC reach the store.
  const tried = new Set<string>();
  for (const recipient of [...f.recipients, ...f.cc].slice(0, MAX_RECIPIENTS)) {
    const token = tokenFromRecipient(recipient, opts.supportAddresses);
    if (!token || tried.has(token)) continue;
    tried.add(token);
    if (readReplyToken(token, opts.secret) === undefined) continue;
    const ticketId = await l.ticketByReplyToken(token);
    if (ticketId) return { kind: 'existing', ticketId, via: 'reply-token' };
  }

  // 4. A subject token, from the requester or a participant only: a stranger reusing it opens a new ticket,
  // and so does anyone whose From failed authentication, since the From is all this step goes by.
  const sender = f.unverified ? '' : bareAddress(f.from);
  if (sender) {
    for (const n of findSubjectTokens(f.subject)) {
      const ticket = await l.ticketByNumber(n);
      if (!ticket) continue;
      const people = [ticket.requester, ...ticket.participants].map(bareAddress);
      if (people.includes(sender)) return { kind: 'existing', ticketId: ticket.id, via: 'subject-token' };
    }
  }

  return { kind: 'new' };
}

/** Facts may carry ids with or without brackets; re-wrap them so parseMessageIds treats each as one id. */
function stripBrackets(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}
