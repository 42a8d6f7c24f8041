import { idFromSeed } from '#core/ids';
import { agentReply, pickLanguage, type Language } from '#core/mail/templates';
import { makeReplyToken, plusAddress } from '#core/mail/reply-token';
import type { Message, Ticket } from '#core/ticket';
import type { MailIndex } from '#adapters/mail-index';
import type { OutgoingMail } from '#adapters/mailer';

export interface TicketMailDeps {
  index: MailIndex;
  send(mail: OutgoingMail): Promise<{ sesMessageId: string }>;
  config: { fromAddress: string; deskName: string; replyTokenSecret: string };
}

export interface ReplyDeps extends TicketMailDeps {
  getObject(key: string): Promise<Buffer>;
  config: TicketMailDeps['config'] & { defaultLanguage: Language; supportAddresses: string[] };
}

/**
 * Sends one mail of a ticket's conversation from the desk: From the desk,
 * Reply-To carrying the signed ticket token, our own Message-ID (made from
 * `seed`), and remembers that id and the one SES assigns, so whatever the
 * customer's client keeps, their answer finds the ticket.
 */
export async function sendOnTicket(
  ticket: Ticket,
  seed: string,
  at: number,
  mail: Omit<OutgoingMail, 'from' | 'replyTo' | 'messageId'>,
  deps: TicketMailDeps,
): Promise<{ sesMessageId: string }> {
  const { fromAddress, deskName, replyTokenSecret } = deps.config;
  const ownId = `${idFromSeed(seed, at)}@${fromAddress.split('@')[1]!}`.toLowerCase();
  const { sesMessageId } = await deps.send({
    ...mail,
    from: `${deskName} <${fromAddress}>`,
    replyTo: plusAddress(fromAddress, makeReplyToken(ticket.id, replyTokenSecret)),
    messageId: ownId,
  });
  await deps.index.remember([ownId, `${sesMessageId}@email.amazonses.com`], ticket.id, 'outbound');
  return { sesMessageId };
}

/**
 * Mails an agent's public reply to the requester, with the participants on CC.
 * Only `reply` messages are ever passed here: notes never leave the desk. The
 * mail threads in the customer's client (In-Reply-To/References).
 */
export async function sendAgentReply(ticket: Ticket, message: Message, deps: ReplyDeps): Promise<{ sesMessageId: string }> {
  if (message.kind !== 'reply' || !message.public) throw new Error('only public replies are mailed');
  const language = pickLanguage(ticket.language ?? undefined, deps.config.defaultLanguage);
  const content = agentReply({ language, ticketNumber: ticket.number, subject: ticket.subject, body: message.body });
  const thread = ticket.mailThread ?? [];
  const ours = new Set(deps.config.supportAddresses);
  return sendOnTicket(
    ticket,
    `reply:${message.id}`,
    Date.parse(message.createdAt),
    {
      to: [ticket.requester.email],
      cc: (ticket.participants ?? []).filter((p) => !ours.has(p) && p !== ticket.requester.email),
      subject: content.subject,
      text: content.text,
      html: content.html,
      inReplyTo: thread[thread.length - 1],
      references: thread,
      // A person wrote this: it is not an automatic reply.
      automatic: false,
      language,
      attachments: await Promise.all(
        (message.attachments ?? []).map(async (a) => ({ filename: a.filename, contentType: a.contentType, content: await deps.getObject(a.key) })),
      ),
    },
    deps,
  );
}
