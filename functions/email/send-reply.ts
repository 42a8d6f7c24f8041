import { idFromSeed } from '#core/ids';
import { agentReply, pickLanguage, type Language } from '#core/mail/templates';
import { makeReplyToken, plusAddress } from '#core/mail/reply-token';
import type { Message, Ticket } from '#core/ticket';
import type { MailIndex } from '#adapters/mail-index';
import type { OutgoingMail } from '#adapters/mailer';

export interface ReplyDeps {
  index: MailIndex;
  send(mail: OutgoingMail): Promise<{ sesMessageId: string }>;
  getObject(key: string): Promise<Buffer>;
  config: { fromAddress: string; deskName: string; replyTokenSecret: string; defaultLanguage: Language; supportAddresses: string[] };
}

/**
 * Mails an agent's public reply to the requester, with the participants on CC.
 * Only `reply` messages are ever passed here: notes never leave the desk. The
 * mail threads in the customer's client (In-Reply-To/References), carries the
 * ticket token in Reply-To and subject, and its ids are remembered so the
 * customer's answer finds the ticket even if their client drops the token.
 */
export async function sendAgentReply(ticket: Ticket, message: Message, deps: ReplyDeps): Promise<{ sesMessageId: string }> {
  if (message.kind !== 'reply' || !message.public) throw new Error('only public replies are mailed');
  const language = pickLanguage(ticket.language ?? undefined, deps.config.defaultLanguage);
  const content = agentReply({ language, ticketNumber: ticket.number, subject: ticket.subject, body: message.body });
  const domain = deps.config.fromAddress.split('@')[1]!;
  const ownId = `${idFromSeed(`reply:${message.id}`, Date.parse(message.createdAt))}@${domain}`.toLowerCase();
  const thread = ticket.mailThread ?? [];
  const ours = new Set(deps.config.supportAddresses);
  const { sesMessageId } = await deps.send({
    from: `${deps.config.deskName} <${deps.config.fromAddress}>`,
    to: [ticket.requester.email],
    cc: (ticket.participants ?? []).filter((p) => !ours.has(p) && p !== ticket.requester.email),
    replyTo: plusAddress(deps.config.fromAddress, makeReplyToken(ticket.id, deps.config.replyTokenSecret)),
    subject: content.subject,
    text: content.text,
    html: content.html,
    messageId: ownId,
    inReplyTo: thread[thread.length - 1],
    references: thread,
    // A person wrote this: it is not an automatic reply.
    automatic: false,
    language,
    attachments: await Promise.all(
      (message.attachments ?? []).map(async (a) => ({ filename: a.filename, contentType: a.contentType, content: await deps.getObject(a.key) })),
    ),
  });
  await deps.index.remember([ownId, `${sesMessageId}@email.amazonses.com`], ticket.id, 'outbound');
  return { sesMessageId };
}
