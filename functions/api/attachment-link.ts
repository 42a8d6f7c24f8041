import { configFor, runtime } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { fileKeys, mailObjects } from '#adapters/mail-objects';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError } from '#core/errors';
import { can } from '#core/access';
import { attachmentKeyQuery, ticketIdParam } from '#core/schemas';

const config = await configFor('AttachmentLink');

const objects = mailObjects(config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });
const store = ticketStore(config.tableName);
const EXPIRES_SECONDS = 5 * 60;

/**
 * GET /tickets/{id}/attachments?key=…: a five-minute download link for one
 * file of this ticket (from a customer's mail or an agent's upload).
 */
export const handler = agentRoute(config, { params: ticketIdParam, query: attachmentKeyQuery }, async ({ params, query: q, principal }) => {
  if (!ID_PATTERN.test(params.id) || !fileKeys.belongsTo(q.key, params.id)) throw new NotFoundError('Attachment');
  // A file is the ticket's: whoever may not see the ticket gets no link to it.
  const ticket = await store.getTicket(params.id);
  if (!ticket || !can(principal, ticket)) throw new NotFoundError('Attachment');
  if (!(await objects.describe(q.key))) throw new NotFoundError('Attachment');
  const filename = fileKeys.filename(q.key);
  const url = await objects.presignDownload(q.key, filename, EXPIRES_SECONDS);
  return json(200, { url, filename, expiresAt: new Date(Date.now() + EXPIRES_SECONDS * 1000).toISOString() });
});
