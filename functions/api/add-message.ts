import { configFor, runtime, type MailSettings } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { logger } from '#shared/logger';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { addMessageBody, limits, ticketIdParam } from '#core/schemas';
import { fileKeys, mailObjects } from '#adapters/mail-objects';
import { addAgentMessage, type Message, type Ticket } from '#core/ticket';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError, RuleViolationError } from '#core/errors';
import { can } from '#core/access';
import { actorOf } from '#shared/auth';
import { deliveryHistory } from '#adapters/delivery-history';
import { replyRecipients } from '#core/recipient-warnings';

const config = await configFor('AddMessage');
const lifecycle = lifecycleFor(config);

const store = ticketStore(config.tableName);
const history = deliveryHistory(config.tableName);
const objects = mailObjects(config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });
// Mail is off until the stack is given a support domain: replies are then kept, not mailed.
const replyMailer = config.mail ? await loadReplyMailer(config.mail) : undefined;

/** Uploaded files must be this ticket's, and must really have been uploaded. */
async function resolveUploads(ticketId: string, uploads: { key: string }[]) {
  return Promise.all(
    [...new Set(uploads.map((u) => u.key))].map(async (key) => {
      if (!fileKeys.isUpload(key, ticketId)) throw new RuleViolationError('foreign_attachment', 'An attachment must be uploaded for this ticket');
      const found = await objects.describe(key);
      if (!found) throw new RuleViolationError('attachment_missing', 'An attachment was not uploaded (or its link expired before the upload)');
      if (found.size > limits.attachmentBytes) throw new RuleViolationError('attachment_too_large', 'An attachment is larger than 10 MB');
      return { filename: fileKeys.filename(key), contentType: found.contentType, size: found.size, key };
    }),
  );
}

async function loadReplyMailer(mail: MailSettings) {
  const [{ mailIndex }, { mailer }, { sendAgentReply }] = await Promise.all([import('#adapters/mail-index'), import('#adapters/mailer'), import('#app/send-reply')]);
  const deps = { index: mailIndex(config.tableName), send: mailer(undefined, mail.configurationSet).send, getObject: objects.get, config: { ...mail, deskName: config.deskName } };
  return (ticket: Ticket, message: Message) => sendAgentReply(ticket, message, deps);
}

/**
 * POST /tickets/{id}/messages: a public reply (mailed to the customer) or an
 * internal note (never mailed). Adding a message commutes with other writes:
 * once the ticket's state is settled (a first reply opens it), store.applyChange
 * bumps the version without a version condition, so a burst of replies, notes
 * and edits never answers one of them with a 409.
 */
export const handler = agentRoute(config, { params: ticketIdParam, body: addMessageBody }, async ({ params, body, principal }) => {
  if (!ID_PATTERN.test(params.id)) throw new NotFoundError('Ticket');
  const attachments = body.attachments?.length ? await resolveUploads(params.id, body.attachments) : undefined;
  let seqBefore = 0;
  const { ticket, message } = (await store.applyChange(params.id, (current) => {
    // A ticket the caller may not see (or no longer may: it was moved meanwhile) does not exist for them.
    if (!can(principal, current)) throw new NotFoundError('Ticket');
    seqBefore = current.lifecycleSeq;
    return addAgentMessage(current, { kind: body.kind, body: body.body, attachments }, actorOf(principal), new Date().toISOString(), policy);
  }))!;
  if (ticket.lifecycleSeq !== seqBefore) await lifecycle.signal(ticket.id);
  // A public reply to an address that bounced or complained before goes out, and says so. Read before
  // the send: this reply's own bounce can be recorded within milliseconds and is not a "before".
  const warnings = message.kind === 'reply' ? await history.warningsFor(replyRecipients(ticket)) : [];
  // The reply is saved whatever happens to the mail; the agent sees whether it went out.
  let mail: { status: 'sent'; sesMessageId: string } | { status: 'failed' } | { status: 'not-mailed' } = { status: 'not-mailed' };
  if (message.kind === 'reply' && !ticket.spam && replyMailer) {
    try {
      mail = { status: 'sent', ...(await replyMailer(ticket, message)) };
    } catch (err) {
      logger.error('Reply saved but not mailed', { ticketId: ticket.id, error: (err as Error).name });
      mail = { status: 'failed' };
    }
  }
  return json(201, { message, ticket, mail, warnings }, { location: `/tickets/${ticket.id}`, etag: `"${ticket.version}"` });
});
