import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { buckets } from '#definitions/resources';
import { traced } from './tracing.ts';
import { encodeComponent } from '#core/text';

/**
 * Raw mail and attachments in S3. Local mode's S3 emulator needs path-style
 * addressing (runtime.s3ForcePathStyle, set there and nowhere else): the caller says which.
 */
export interface S3Options {
  readonly forcePathStyle: boolean;
}

const clients = new Map<boolean, S3Client>();
/** One client per addressing style per process. */
export function s3Client(options: S3Options): S3Client {
  let client = clients.get(options.forcePathStyle);
  if (!client) clients.set(options.forcePathStyle, (client = traced(new S3Client({ forcePathStyle: options.forcePathStyle, maxAttempts: 3 }))));
  return client;
}

/**
 * Presigns the browser's uploads. No automatic checksum: the SDK would sign the CRC32 of an
 * empty body into the URL, and S3 would then refuse the file that is sent.
 */
const presignerOf = (options: S3Options) => new S3Client({ forcePathStyle: options.forcePathStyle, requestChecksumCalculation: 'WHEN_REQUIRED' });

export class MailTooLargeError extends Error {}

/**
 * Where a ticket's files live in the mail bucket. Keys end in the
 * URI-encoded file name; a mail's files carry their position first ("2-name").
 */
const { uploads, attachments } = buckets.mail.prefixes;
/** Encoded characters of a name in a key: keys stay well under S3's 1,024 bytes whatever the name. */
const KEY_NAME_MAX = 900;

export const fileKeys = {
  upload: (ticketId: string, filename: string) => `${uploads}${ticketId}/${randomUUID()}/${encodeComponent(filename, KEY_NAME_MAX)}`,
  mailAttachment: (ticketId: string, messageId: string, position: number, filename: string) =>
    `${attachments}${ticketId}/${messageId}/${position}-${encodeComponent(filename, KEY_NAME_MAX)}`,
  /** An agent's upload for this ticket. */
  isUpload: (key: string, ticketId: string) => key.startsWith(`${uploads}${ticketId}/`) && !key.includes('..'),
  /** Any file of this ticket: an agent's upload or an attachment of its mail. */
  belongsTo: (key: string, ticketId: string) => (key.startsWith(`${uploads}${ticketId}/`) || key.startsWith(`${attachments}${ticketId}/`)) && !key.includes('..'),
  /** The file name a key was made from (its raw last segment if it is not one of ours). */
  filename(key: string): string {
    const last = key.slice(key.lastIndexOf('/') + 1);
    const encoded = key.startsWith(attachments) ? last.replace(/^\d+-/, '') : last;
    try {
      return decodeURIComponent(encoded);
    } catch {
      return encoded;
    }
  },
};

async function read(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

export function mailObjects(bucket: string, options: S3Options) {
  const s3 = s3Client(options);
  const presigner = presignerOf(options);
  return {
    /** The raw MIME (in the bucket SES named), refused before download when larger than we accept. */
    async getRaw(b: string, key: string, maxBytes: number): Promise<Buffer> {
      const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: key }));
      if ((head.ContentLength ?? 0) > maxBytes) throw new MailTooLargeError(`${head.ContentLength} bytes is over the ${maxBytes}-byte limit`);
      return read(s3, b, key);
    },

    /**
     * A short-lived URL the browser PUTs one file to. The signature covers the
     * key, type and length, so the URL cannot be reused for another file.
     */
    async presignUpload(key: string, contentType: string, size: number, expiresIn: number): Promise<string> {
      // Only headers the browser sends are signed: the bucket's default encryption (SSE-S3) covers the object,
      // so no x-amz-server-side-encryption header the dashboard would have to send (and CORS to allow).
      return getSignedUrl(presigner, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: size }), {
        expiresIn,
        signableHeaders: new Set(['content-type', 'content-length']),
      });
    },

    /**
     * A short-lived URL to download one file. Always served as a download with
     * a neutral type, so a hostile HTML or SVG attachment is never rendered.
     */
    async presignDownload(key: string, filename: string, expiresIn: number): Promise<string> {
      const safe = filename.replace(/["\\\r\n]/g, '_');
      return getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: `attachment; filename="${safe.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeComponent(safe)}`,
          ResponseContentType: 'application/octet-stream',
        }),
        { expiresIn },
      );
    },

    /** Size and type of a stored object, or undefined when there is none. */
    async describe(key: string): Promise<{ size: number; contentType: string } | undefined> {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: head.ContentLength ?? 0, contentType: head.ContentType ?? 'application/octet-stream' };
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
        throw err;
      }
    },

    get: (key: string) => read(s3, bucket, key),

    async putAttachment(key: string, content: Buffer, contentType: string) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content, ContentType: contentType, ServerSideEncryption: 'AES256' }));
    },
  };
}
