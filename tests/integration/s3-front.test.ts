/**
 * S3 as the browser sees it in local mode (local/s3-cors-front.ts): attachment
 * links download and never run, nothing is read without a valid signature made
 * with this install's secret (not the public local/local), nothing is ever listed,
 * and CORS answers the dashboard's page only.
 */
import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { buckets } from '../../lib/definitions/resources.ts';
import { api, endpoints as ep, tokenFor, uniqueEmail, until } from './client.ts';

const HOSTILE = '<html><body><script>parent.document.body.innerHTML = "pwned"</script></body></html>';

async function ticketWithHtmlAttachment() {
  const from = uniqueEmail('s3front');
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ep.smtpPort, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ from, to: ep.supportAddress, subject: 'See the page', text: 'Attached.', attachments: [{ filename: 'page.html', content: HOSTILE, contentType: 'text/html' }] });
  } finally {
    transport.close();
  }
  const token = await tokenFor('admin@helpdesk.local');
  const summary = await until('the ticket', async () => (await api('GET', `/customers/${encodeURIComponent(from)}/tickets`, { token })).body.items?.[0]);
  const t = await api('GET', `/tickets/${summary.id}`, { token });
  const key: string = t.body.messages[0].mail.attachments[0].key;
  const link = await api('GET', `/tickets/${summary.id}/attachments?key=${encodeURIComponent(key)}`, { token });
  expect(link.status).toBe(200);
  return { key, url: new URL(link.body.url as string) };
}

describe('S3 front (local mode)', () => {
  it('serves an attachment link as a download with nosniff and a CSP that runs nothing', async () => {
    const { url } = await ticketWithHtmlAttachment();
    expect(url.origin).toBe(new URL(ep.services.s3!).origin);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="page\.html"/);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    expect(await res.text()).toBe(HOSTILE);
  });

  it('refuses unsigned, tampered and expired reads and unsigned listings with 403', async () => {
    const { url } = await ticketWithHtmlAttachment();
    const s3 = ep.services.s3!;
    const bucket = buckets.mail.localName;
    const unsigned = await fetch(`${url.origin}${url.pathname}`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('AccessDenied');
    for (const listing of [`${s3}/${bucket}`, `${s3}/${bucket}?list-type=2`, `${s3}/${bucket}/?list-type=2&prefix=attachments/`, `${s3}/`]) {
      const res = await fetch(listing);
      expect(res.status, listing).toBe(403);
      expect(await res.text()).not.toContain('<Key>');
    }
    // A signature that does not match what is asked (another key, or a changed signature) is refused.
    const otherKey = new URL(url);
    otherKey.pathname = `/${bucket}/inbound/${'a'.repeat(40)}`;
    expect((await fetch(otherKey)).status).toBe(403);
    const tampered = new URL(url);
    const sig = tampered.searchParams.get('X-Amz-Signature')!;
    tampered.searchParams.set('X-Amz-Signature', (sig[0] === '0' ? '1' : '0') + sig.slice(1));
    expect((await fetch(tampered)).status).toBe(403);
    // Made to look inline: the signature covers the query, so that is refused too.
    const inline = new URL(url);
    inline.searchParams.set('response-content-disposition', 'inline');
    expect((await fetch(inline)).status).toBe(403);
    // An Authorization header that is not a valid signature is no way in either.
    const forged = await fetch(`${s3}/${bucket}?list-type=2`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00', 'x-amz-date': '20260101T000000Z', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    expect(forged.status).toBe(403);
    // Expired: the link says when it was signed and for how long.
    const expired = new URL(url);
    expired.searchParams.set('X-Amz-Date', '20200101T000000Z');
    const res = await fetch(expired);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/expired/);
  });

  it('refuses a link presigned with the public local/local credentials; the install’s own secret reads', async () => {
    const { key } = await ticketWithHtmlAttachment();
    const bucket = buckets.mail.localName;
    const client = (credentials: { accessKeyId: string; secretAccessKey: string }) => new S3Client({ region: ep.region, endpoint: ep.services.s3, credentials, forcePathStyle: true, maxAttempts: 1 });
    const publicCreds = { accessKeyId: 'local', secretAccessKey: 'local' };
    expect(ep.credentials.secretAccessKey).not.toBe('local');
    const forged = await getSignedUrl(client(publicCreds), new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
    const res = await fetch(forged);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('signature does not match');
    await expect(client(publicCreds).send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    // The same request signed with the install's secret (what the handlers hold) is served.
    const own = await client(ep.credentials).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await own.Body!.transformToString()).toBe(HOSTILE);
  });

  it('refuses a listing even when it is validly signed with the install’s secret', async () => {
    await ticketWithHtmlAttachment();
    const bucket = buckets.mail.localName;
    const s3 = new S3Client({ region: ep.region, endpoint: ep.services.s3, credentials: ep.credentials, forcePathStyle: true, maxAttempts: 1 });
    await expect(s3.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'attachments/' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const presignedListing = await getSignedUrl(s3, new ListObjectsV2Command({ Bucket: bucket }), { expiresIn: 300 });
    const res = await fetch(presignedListing);
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toContain('bucket-level requests');
    expect(body).not.toContain('<Key>');
  });

  it('answers CORS for the dashboard’s origin only: a preflight from another page gets no allow-origin', async () => {
    const { url } = await ticketWithHtmlAttachment();
    const preflight = (origin: string) =>
      fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } });
    const dashboard = new URL(ep.dashboardUrl).origin;
    const ok = await preflight(dashboard);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(dashboard);
    for (const other of ['https://evil.example', 'http://127.0.0.1:1', 'null']) {
      const res = await preflight(other);
      expect(res.status, other).toBe(403);
      expect(res.headers.get('access-control-allow-origin'), other).toBeNull();
    }
    // A signed read asked from another page carries no allow-origin either, so that page cannot read the answer.
    const fromOther = await fetch(url, { headers: { origin: 'https://evil.example' } });
    expect(fromOther.status).toBe(200);
    expect(fromOther.headers.get('access-control-allow-origin')).toBeNull();
    const fromDashboard = await fetch(url, { headers: { origin: dashboard } });
    expect(fromDashboard.headers.get('access-control-allow-origin')).toBe(dashboard);
  });
});
