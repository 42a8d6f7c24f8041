import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * Raw mail and attachments in S3. Local mode's S3 emulator needs path-style
 * addressing; S3_FORCE_PATH_STYLE is set there and nowhere else.
 */
export const s3 = new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true', maxAttempts: 3 });

export class MailTooLargeError extends Error {}

export function mailObjects(bucket: string, maxBytes: number) {
  return {
    /** The raw MIME, refused before download when it is larger than we accept. */
    async getRaw(b: string, key: string): Promise<Buffer> {
      const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: key }));
      if ((head.ContentLength ?? 0) > maxBytes) throw new MailTooLargeError(`${head.ContentLength} bytes is over the ${maxBytes}-byte limit`);
      const res = await s3.send(new GetObjectCommand({ Bucket: b, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },

    /**
     * A short-lived URL the browser PUTs one file to. The signature covers the
     * key, type and length, so the URL cannot be reused for another file.
     */
    async presignUpload(key: string, contentType: string, size: number, expiresIn: number): Promise<string> {
      return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: size, ServerSideEncryption: 'AES256' }), {
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
          ResponseContentDisposition: `attachment; filename="${safe.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(safe)}`,
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

    async get(key: string): Promise<Buffer> {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },

    async putAttachment(key: string, content: Buffer, contentType: string) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content, ContentType: contentType, ServerSideEncryption: 'AES256' }));
    },
  };
}
