import { normaliseEmail } from './ticket.ts';

/**
 * What the desk remembers about mail to one address: its latest bounce and its
 * latest complaint, from SES's delivery events of the mail we sent, whatever
 * ticket it was on. Kept by address (hashed in the table), so a second ticket
 * from an address that bounced warns too.
 */
export interface DeliveryRecord {
  bounce?: { at: string; bounceType: 'permanent' | 'transient' | 'undetermined' };
  complaint?: { at: string };
}

/**
 * A warning for the agent about to write to an address: it bounced (`type` is
 * the bounce's kind) or its owner marked our mail as spam (`type: 'complaint'`).
 */
export interface RecipientWarning {
  code: 'recipient_bounced' | 'recipient_complained';
  address: string;
  at: string;
  type: 'permanent' | 'transient' | 'undetermined' | 'complaint';
}

/** The addresses a public reply on the ticket goes to: the requester and the participants. */
export function replyRecipients(ticket: { requester: { email: string }; participants?: string[] }): string[] {
  return [...new Set([ticket.requester.email, ...(ticket.participants ?? [])].map(normaliseEmail))];
}

/** Warnings for the given addresses, in their order: a complaint before a bounce for the same address. */
export function recipientWarnings(addresses: string[], records: Map<string, DeliveryRecord>): RecipientWarning[] {
  return addresses.flatMap((address) => {
    const r = records.get(normaliseEmail(address));
    const out: RecipientWarning[] = [];
    if (r?.complaint) out.push({ code: 'recipient_complained', address, at: r.complaint.at, type: 'complaint' });
    if (r?.bounce) out.push({ code: 'recipient_bounced', address, at: r.bounce.at, type: r.bounce.bounceType });
    return out;
  });
}
