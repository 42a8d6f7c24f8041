import { acknowledgement, pickLanguage, type Language } from '#core/mail/templates';
import { autoReplyBreaker } from '#core/mail/loop-detection';
import { mayMailAutomatically } from '#core/mail/authentication';
import { splitAddress } from '#core/mail/headers';
import { statusUrl } from '#core/customer-pages';
import type { Ticket } from '#core/ticket';
import { sendOnTicket, type TicketMailDeps } from './send-reply.ts';

/**
 * The acknowledgement a customer gets when a ticket opens, from any channel
 * the customer used (mail, the web form). Kept apart from receive-mail.ts so
 * the web form's function does not bundle the mail parser.
 */
export interface AcknowledgementDeps extends TicketMailDeps {
  config: TicketMailDeps['config'] & {
    defaultLanguage: Language;
    autoReplyCap: number;
    /** Acknowledgements per recipient domain per hour; default {@link DEFAULT_DOMAIN_CAP}. */
    autoReplyDomainCap?: number;
    /** Where customer links point (`PUBLIC_URL`); without it the acknowledgement carries no status link. */
    publicUrl?: string | undefined;
  };
}

/**
 * Acknowledgements one recipient domain may get in an hour when the config does
 * not say (it does: config/policy.json `acknowledgements.perDomainPerHour`). A
 * forger writing in the names of many addresses at one domain makes the desk
 * mail that domain at most this often.
 */
export const DEFAULT_DOMAIN_CAP = 100;

/**
 * One acknowledgement per ticket (mail or web form), capped per sender and per
 * sender's domain per hour so two robots cannot ping-pong and a forger cannot
 * aim the desk at a domain, with the signed link to the ticket's status page
 * when the desk has a public URL. Never to an unverified sender.
 */
export async function sendAcknowledgement(ticket: Ticket, thread: { inReplyTo?: string | undefined; references: string[] }, deps: AcknowledgementDeps): Promise<boolean> {
  if (!mayMailAutomatically(ticket)) return false;
  if (!(await deps.index.claimOnce(ticket.id, 'ack'))) return false;
  const sent = await deps.index.countAutoReply(ticket.requester.email);
  if (!autoReplyBreaker(sent - 1, deps.config.autoReplyCap)) return false;
  // Counted under `@domain`, beside the per-address counts.
  const toDomain = await deps.index.countAutoReply(`@${splitAddress(ticket.requester.email).domain}`);
  if (!autoReplyBreaker(toDomain - 1, deps.config.autoReplyDomainCap ?? DEFAULT_DOMAIN_CAP)) return false;
  const language = pickLanguage(ticket.language ?? undefined, deps.config.defaultLanguage);
  const publicUrl = deps.config.publicUrl;
  const link = publicUrl ? statusUrl(publicUrl, ticket.id, deps.config.replyTokenSecret, Date.now() / 1000) : undefined;
  const content = acknowledgement({ language, ticketNumber: ticket.number, subject: ticket.subject, requesterName: ticket.requester.name, ...(link ? { statusUrl: link } : {}) });
  try {
    await sendOnTicket(
      ticket,
      `ack:${ticket.id}`,
      Date.now(),
      {
        to: [ticket.requester.email],
        subject: content.subject,
        text: content.text,
        html: content.html,
        inReplyTo: thread.inReplyTo,
        references: thread.references,
        automatic: 'auto-replied',
        language,
      },
      deps,
    );
    return true;
  } catch (err) {
    await deps.index.releaseClaim(ticket.id, 'ack');
    throw err;
  }
}
