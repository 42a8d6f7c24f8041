import { configFor, runtime, type MailSettings } from '#shared/config';
import { policy } from '#shared/policy';
import { lifecycleFor } from '#shared/lifecycle';
import { logger } from '#shared/logger';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { addMessageBody, ticketIdParam } from '#core/schemas';
import { mailObjects } from '#adapters/mail-objects';
import type { Message, Ticket } from '#core/ticket';
import { addMessage, type AddMessageDeps } from '#app/add-message';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError } from '#core/errors';
import { actorOf } from '#shared/auth';
import { deliveryHistory } from '#adapters/delivery-history';

const config = await configFor('AddMessage');
const lifecycle = lifecycleFor(config);

const store = ticketStore(config.tableName);
const history = deliveryHistory(config.tableName);
const objects = mailObjects(config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });
// Mail is off until the stack is given a support domain: replies are then kept, not mailed.
const replyMailer = config.mail ? await loadReplyMailer(config.mail) : undefined;
const deps: AddMessageDeps = {
  tickets: store,
  lifecycle,
  describe: (key) => objects.describe(key),
  warningsFor: (recipients) => history.warningsFor(recipients),
  ...(replyMailer ? { sendReply: replyMailer } : {}),
  onMailFailed: (ticketId, err) => logger.error('Reply saved but not mailed', { ticketId, error: err.name }),
  policy,
};

async function loadReplyMailer(mail: MailSettings) {
  const [{ mailIndex }, { mailer }, { sendAgentReply }] = await Promise.all([import('#adapters/mail-index'), import('#adapters/mailer'), import('#app/send-reply')]);
  const deps = { index: mailIndex(config.tableName), send: mailer(undefined, mail.configurationSet).send, getObject: objects.get, config: { ...mail, deskName: config.deskName } };
  return (ticket: Ticket, message: Message) => sendAgentReply(ticket, message, deps);
}

/** POST /tickets/{id}/messages: a public reply (mailed to the customer) or an internal note (never mailed). */
export const handler = agentRoute(config, { params: ticketIdParam, body: addMessageBody }, async ({ params, body, principal }) => {
  if (!ID_PATTERN.test(params.id)) throw new NotFoundError('Ticket');
  const request = { ticketId: params.id, kind: body.kind, body: body.body, attachments: body.attachments, principal, actor: actorOf(principal), at: new Date().toISOString() };
  const { ticket, message, mail, warnings } = await addMessage(request, deps);
  return json(201, { message, ticket, mail, warnings }, { location: `/tickets/${ticket.id}`, etag: `"${ticket.version}"` });
});
