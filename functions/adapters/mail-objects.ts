import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

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

    async putAttachment(key: string, content: Buffer, contentType: string) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content, ContentType: contentType, ServerSideEncryption: 'AES256' }));
    },
  };
}
