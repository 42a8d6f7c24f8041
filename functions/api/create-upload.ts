import { config } from '#shared/config';
import { agentRoute, HttpError, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { fileKeys, mailObjects } from '#adapters/mail-objects';
import { createUploadBody, ticketIdParam } from '#core/schemas';
import { safeFilename } from '#core/parse-mail';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError } from '#core/errors';
import { can } from '#core/access';

const store = ticketStore(config.tableName);
const bucket = process.env.MAIL_BUCKET;
const objects = bucket ? mailObjects(bucket) : undefined;
const EXPIRES_SECONDS = 15 * 60;

/**
 * POST /tickets/{id}/attachments: a presigned URL to upload one file for a
 * reply or note. The browser PUTs the file straight to S3; the message then
 * names the returned key. Files never pass through the API.
 */
export const handler = agentRoute({ params: ticketIdParam, body: createUploadBody }, async ({ params, body, principal }) => {
  if (!objects) throw new HttpError(503, 'uploads_unavailable', 'File uploads are not configured');
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
