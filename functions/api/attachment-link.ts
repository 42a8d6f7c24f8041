import { z } from 'zod';
import { agentRoute, HttpError, json } from '#shared/http';
import { mailObjects } from '#adapters/mail-objects';
import { ID_PATTERN } from '#core/ids';
import { NotFoundError } from '#core/errors';

const bucket = process.env.MAIL_BUCKET;
const objects = bucket ? mailObjects(bucket, 0) : undefined;
const EXPIRES_SECONDS = 5 * 60;

const query = z.strictObject({ key: z.string().min(1).max(1024) });

/**
 * GET /tickets/{id}/attachments?key=…: a five-minute download link for one
 * file of this ticket (from a customer's mail or an agent's upload).
 */
export const handler = agentRoute({ params: z.strictObject({ id: z.string().max(64) }), query }, async ({ params, query: q }) => {
  if (!objects) throw new HttpError(503, 'attachments_unavailable', 'File attachments are not configured');
  const owned = [`attachments/${params.id}/`, `uploads/${params.id}/`].some((prefix) => q.key.startsWith(prefix)) && !q.key.includes('..');
  if (!ID_PATTERN.test(params.id) || !owned) throw new NotFoundError('Attachment');
  if (!(await objects.describe(q.key))) throw new NotFoundError('Attachment');
  // Keys end in the encoded file name; a mail's files carry their position first ("2-name").
  const last = q.key.slice(q.key.lastIndexOf('/') + 1);
  const encoded = q.key.startsWith('attachments/') ? last.replace(/^\d+-/, '') : last;
  let filename = encoded;
  try {
    filename = decodeURIComponent(encoded);
  } catch {
    // Not one of our keys' encodings: serve it under the raw name.
  }
  const url = await objects.presignDownload(q.key, filename, EXPIRES_SECONDS);
  return json(200, { url, filename, expiresAt: new Date(Date.now() + EXPIRES_SECONDS * 1000).toISOString() });
});
