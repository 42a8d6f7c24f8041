import { configFor, runtime } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { fileKeys, mailObjects } from '#adapters/mail-objects';
import { createUploadBody, ticketIdParam } from '#core/schemas';
import { safeFilename } from '#core/parse-mail';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError } from '#core/errors';
import { can } from '#core/access';

const config = await configFor('CreateUpload');

const store = ticketStore(config.tableName);
const objects = mailObjects(config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });
const EXPIRES_SECONDS = 15 * 60;

/**
 * POST /tickets/{id}/attachments: a presigned URL to upload one file for a
 * reply or note. The browser PUTs the file straight to S3; the message then
 * names the returned key. Files never pass through the API.
 */
export const handler = agentRoute(config, { params: ticketIdParam, body: createUploadBody }, async ({ params, body, principal }) => {
  const ticket = ID_PATTERN.test(params.id) ? await store.getTicket(params.id) : undefined;
  if (!ticket || !can(principal, ticket)) throw new NotFoundError('Ticket');
  const filename = safeFilename(body.filename, 0, body.contentType);
  const key = fileKeys.upload(params.id, filename);
  const uploadUrl = await objects.presignUpload(key, body.contentType, body.size, EXPIRES_SECONDS);
  return json(201, {
    key,
    filename,
    uploadUrl,
    method: 'PUT',
    headers: { 'content-type': body.contentType },
    expiresAt: new Date(Date.now() + EXPIRES_SECONDS * 1000).toISOString(),
  });
});
