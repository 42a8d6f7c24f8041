import { describe, expect, it } from 'vitest';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { checkSignature, notAnObjectRequest } from '../../local/s3-cors-front.ts';

const creds = { accessKeyId: 'local', secretAccessKey: 'local' };

/** SHA-256 and HMAC from node:crypto, in the shape the SDK's signer takes. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

interface Req {
  method: string;
  protocol: string;
  hostname: string;
  port: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}
const signer = (c = creds) => new SignatureV4({ credentials: c, region: 'us-east-1', service: 's3', sha256: Sha256 as never, uriEscapePath: false });
const at = new Date('2026-12-07T12:00:00Z');

/** A request as the front receives it: the path and query as sent, headers in lower case. */
function asReceived(r: Req) {
  const qs = Object.entries(r.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: r.method, url: qs ? `${r.path}?${qs}` : r.path, headers };
}

const request = (query: Record<string, string> = {}): Req => ({
  method: 'GET',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 4318,
  path: '/helpdesk-mail/attachments/T1/m/1-file%20n%C3%A3o.html',
  query,
  headers: { host: '127.0.0.1:4318' },
});

describe('local S3 front: SigV4 check', () => {
  it('accepts a presigned URL until it expires, and nothing changed in it', async () => {
    // As the S3 presigner does: the payload is UNSIGNED-PAYLOAD, hoisted into the query.
    const r = request({ 'response-content-disposition': 'attachment; filename="a b.html"' });
    r.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    r.query['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
    const signed = asReceived((await signer().presign(r, { expiresIn: 300, signingDate: at })) as unknown as Req);
    expect(signed.url).toContain('X-Amz-Content-Sha256=UNSIGNED-PAYLOAD');
    const ok = checkSignature(signed, creds, at.getTime() + 299_000);
    expect(ok).toMatchObject({ ok: true, presigned: true });
    expect(ok.ok && ok.query.get('response-content-disposition')).toBe('attachment; filename="a b.html"');
    expect(checkSignature(signed, creds, at.getTime() + 301_000)).toEqual({ ok: false, reason: 'the link has expired' });
    expect(checkSignature({ ...signed, url: signed.url.replace('1-file', '2-file') }, creds, at.getTime())).toEqual({ ok: false, reason: 'signature does not match' });
    expect(checkSignature({ ...signed, url: signed.url.replace('attachment', 'inline') }, creds, at.getTime())).toEqual({ ok: false, reason: 'signature does not match' });
    expect(checkSignature({ ...signed, method: 'PUT' }, creds, at.getTime())).toEqual({ ok: false, reason: 'signature does not match' });
    expect(checkSignature(signed, { ...creds, secretAccessKey: 'other' }, at.getTime())).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('accepts an SDK request signed in its headers within 15 minutes, and refuses anything unsigned or forged', async () => {
    const signed = asReceived((await signer().sign(request({ 'list-type': '2', prefix: 'attachments/' }), { signingDate: at })) as unknown as Req);
    expect(checkSignature(signed, creds, at.getTime() + 60_000)).toMatchObject({ ok: true, presigned: false });
    expect(checkSignature(signed, creds, at.getTime() + 16 * 60_000)).toEqual({ ok: false, reason: 'request time too skewed' });
    expect(checkSignature({ ...signed, url: signed.url.replace('attachments', 'inbound') }, creds, at.getTime())).toEqual({ ok: false, reason: 'signature does not match' });
    expect(checkSignature({ method: 'GET', url: '/helpdesk-mail?list-type=2', headers: { host: '127.0.0.1:4318' } }, creds, at.getTime())).toEqual({ ok: false, reason: 'not signed' });
    const other = asReceived((await signer({ accessKeyId: 'someone', secretAccessKey: 'local' }).sign(request(), { signingDate: at })) as unknown as Req);
    expect(checkSignature(other, creds, at.getTime())).toEqual({ ok: false, reason: 'unknown access key' });
    expect(checkSignature({ method: 'GET', url: '/b/k?X-Amz-Signature=00&X-Amz-Algorithm=AWS4-HMAC-SHA256', headers: {} }, creds)).toEqual({ ok: false, reason: 'malformed presigned URL' });
    expect(checkSignature({ method: 'GET', url: '/b/k?%E0%A4%A=1', headers: {} }, creds)).toEqual({ ok: false, reason: 'malformed query' });
  });
});

describe('local S3 front: only single objects', () => {
  it('serves GET, PUT, HEAD and DELETE of an object key, with the signature, download and operation query only', () => {
    for (const [method, url] of [
      ['GET', '/helpdesk-mail/attachments/t/m/1-a.txt?x-id=GetObject'],
      ['PUT', '/helpdesk-mail/uploads/t/u/a.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00&x-id=PutObject'],
      ['HEAD', '/helpdesk-mail/inbound/abc'],
      ['DELETE', '/helpdesk-mail/inbound/abc?x-id=DeleteObject'],
      ['GET', '/helpdesk-mail/a/b?response-content-disposition=attachment&response-content-type=application%2Foctet-stream'],
    ]) {
      expect(notAnObjectRequest(method, url), `${method} ${url}`).toBeUndefined();
    }
  });

  it('refuses listings and every other bucket-level or sub-resource request, whatever the signature', () => {
    expect(notAnObjectRequest('GET', '/')).toMatch(/bucket-level/);
    expect(notAnObjectRequest('GET', '/helpdesk-mail')).toMatch(/bucket-level/);
    expect(notAnObjectRequest('GET', '/helpdesk-mail/')).toMatch(/bucket-level/);
    expect(notAnObjectRequest('GET', '/helpdesk-mail?list-type=2&X-Amz-Signature=00')).toMatch(/bucket-level/);
    expect(notAnObjectRequest('GET', '/helpdesk-mail/?list-type=2&prefix=attachments/')).toMatch(/bucket-level/);
    expect(notAnObjectRequest('GET', '/helpdesk-mail/key?acl')).toMatch(/sub-resource/);
    expect(notAnObjectRequest('POST', '/helpdesk-mail/key?uploads')).toMatch(/only object/);
    expect(notAnObjectRequest('POST', '/helpdesk-mail?delete')).toMatch(/only object/);
    expect(notAnObjectRequest('PUT', '/helpdesk-mail/key?tagging')).toMatch(/sub-resource/);
  });
});
