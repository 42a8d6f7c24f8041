/**
 * The local SES-inbound stand-in against a real fauxqs (S3, SNS, SQS) started
 * here, provisioned like local mode: mail in over SMTP, raw MIME out in the
 * bucket, the SES notification out through SNS into the inbound queue.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest, createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FauxqsServer } from 'fauxqs';
import { buckets, queues, topics } from '../../lib/definitions/resources.ts';
import { freePort, LOCAL_MAX_OBJECT_BYTES, localCredentials, REGION, startMessaging } from '../../local/services.ts';
import { startSmtpGateway, type SmtpGateway, type SmtpGatewayOptions } from '../../local/smtp-gateway.ts';
import type { SesS3ReceivedNotification } from '../../local/ses-notification.ts';

const SUPPORT = 'support@helpdesk.local';
const PREFIX = 'inbound/';
// What local mode runs with: the largest object its S3 emulator stores.
const MAX_BYTES = LOCAL_MAX_OBJECT_BYTES;
const bucket = buckets.mail.localName;

let fauxqs: FauxqsServer;
let endpoint: string;
let s3: S3Client;
let sns: SNSClient;
let sqs: SQSClient;
let queueUrl: string;
let topicArn: string;
let gateway: SmtpGateway;
let spoolDir: string;
const cleanup: (() => Promise<unknown>)[] = [];

const clientConfig = (url: string) => ({ endpoint: url, region: REGION, credentials: localCredentials });
const s3For = (url: string, maxAttempts = 3) => new S3Client({ ...clientConfig(url), forcePathStyle: true, maxAttempts });

function gatewayOptions(over: Partial<SmtpGatewayOptions> = {}): SmtpGatewayOptions {
  return { port: 0, supportAddresses: [SUPPORT], maxBytes: MAX_BYTES, spoolDir, s3, sns, bucket, prefix: PREFIX, topicArn, ...over };
}

async function tempDir(name: string) {
  const dir = await mkdtemp(join(tmpdir(), `helpdesk-${name}-`));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

beforeAll(async () => {
  fauxqs = (await startMessaging(0)).server;
  endpoint = `http://127.0.0.1:${fauxqs.port}`;
  s3 = s3For(endpoint);
  sns = new SNSClient(clientConfig(endpoint));
  sqs = new SQSClient(clientConfig(endpoint));
  queueUrl = fauxqs.inspectQueue(queues.inboundMail.localName)!.url;
  topicArn = fauxqs.createTopic(topics.inboundMail.localName, { region: REGION }).topicArn;
  spoolDir = await tempDir('spool');
  gateway = await startSmtpGateway(gatewayOptions());
});

afterAll(async () => {
  await gateway?.stop();
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  for (const c of [s3, sns, sqs]) c?.destroy();
  await fauxqs?.stop();
});

/** Notifications already taken off the inbound queue, by SES message id. */
const seen = new Map<string, { envelope: Record<string, unknown>; notification: SesS3ReceivedNotification }>();

async function notificationFor(messageId: string, waitMs = 30_000) {
  const deadline = Date.now() + waitMs;
  while (!seen.has(messageId) && Date.now() < deadline) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of res.Messages ?? []) {
      const envelope = JSON.parse(m.Body!) as Record<string, unknown>;
      const notification = JSON.parse(envelope.Message as string) as SesS3ReceivedNotification;
      seen.set(notification.mail.messageId, { envelope, notification });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  const got = seen.get(messageId);
  if (!got) throw new Error(`no notification for ${messageId} within ${waitMs} ms`);
  return got;
}

async function objectBytes(key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function objectKeys(): Promise<string[]> {
  const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: PREFIX }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

function transport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

async function send(port: number, mail: { from: string; to: string[]; raw: string | Buffer }) {
  const t = transport(port);
  try {
    return await t.sendMail({ envelope: { from: mail.from, to: mail.to }, raw: mail.raw });
  } finally {
    t.close();
  }
}

const idFrom = (response: string) => {
  const m = /^250 Ok ([0-9a-v]{40})$/.exec(response);
  if (!m) throw new Error(`unexpected reply: ${response}`);
  return m[1]!;
};

/** A bare SMTP client over a socket, for bytes nodemailer would normalise. */
async function rawSmtp(port: number) {
  const sock: Socket = connect(port, '127.0.0.1');
  let buf = '';
  let lines: string[] = [];
  const replies: string[] = [];
  let notify: (() => void) | undefined;
  sock.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    let i: number;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      lines.push(line);
      if (/^\d{3}( |$)/.test(line)) {
        replies.push(lines.join('\n'));
        lines = [];
        notify?.();
      }
    }
  });
  await new Promise<void>((ok, fail) => sock.once('connect', ok).once('error', fail));
  const reply = async () => {
    while (!replies.length) await new Promise<void>((r) => (notify = r));
    return replies.shift()!;
  };
  return {
    reply,
    async command(line: string | Buffer) {
      sock.write(line);
      return reply();
    },
    close: () => new Promise<void>((r) => sock.end(r)),
  };
}

async function until(probe: () => boolean | Promise<boolean>, what: string, waitMs = 30_000) {
  const deadline = Date.now() + waitMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function spoolFiles(dir: string) {
  return (await readdir(dir)).filter((n) => !n.startsWith('failed')).sort();
}

describe('SMTP gateway (SES inbound stand-in)', () => {
  it('stores the raw mail in S3 byte for byte and publishes the SES S3-action notification', async () => {
    const raw = [
      'From: "Ana Souza" <ana@example.com>',
      'To: Help Desk <support@helpdesk.local>, "Last, First" <other@example.org>',
      'Cc: carol@example.net',
      'Subject: =?UTF-8?B?SW1wcmVzc29yYSBuw6NvIGxpZ2E=?=',
      'Date: Tue, 03 Mar 2026 10:00:00 +0000',
      'Message-ID: <abc123@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Olá, a impressora não liga.',
      '',
    ].join('\r\n');
    const info = await send(gateway.port, { from: 'ana@example.com', to: [SUPPORT], raw });
    const id = idFrom(info.response);

    expect(await objectBytes(`${PREFIX}${id}`)).toEqual(Buffer.from(raw));

    const { envelope, notification: n } = await notificationFor(id);
    expect(envelope.Type).toBe('Notification');
    expect(envelope.TopicArn).toBe(topicArn);
    expect(envelope.Subject).toBe('Amazon SES Email Receipt Notification');
    expect(n.notificationType).toBe('Received');
    expect(n).not.toHaveProperty('content');
    expect(n.mail).toMatchObject({ source: 'ana@example.com', messageId: id, destination: [SUPPORT], headersTruncated: false });
    expect(n.mail.headers[0]).toEqual({ name: 'From', value: '"Ana Souza" <ana@example.com>' });
    expect(n.mail.headers.find((h) => h.name === 'Subject')?.value).toBe('=?UTF-8?B?SW1wcmVzc29yYSBuw6NvIGxpZ2E=?=');
    expect(n.mail.commonHeaders).toEqual({
      returnPath: 'ana@example.com',
      from: ['"Ana Souza" <ana@example.com>'],
      to: ['Help Desk <support@helpdesk.local>', '"Last, First" <other@example.org>'],
      cc: ['carol@example.net'],
      date: 'Tue, 03 Mar 2026 10:00:00 +0000',
      messageId: '<abc123@example.com>',
      subject: 'Impressora não liga',
    });
    expect(n.receipt).toMatchObject({
      recipients: [SUPPORT],
      spamVerdict: { status: 'PASS' },
      virusVerdict: { status: 'PASS' },
      spfVerdict: { status: 'GRAY' },
      dkimVerdict: { status: 'GRAY' },
      dmarcVerdict: { status: 'GRAY' },
      action: { type: 'S3', topicArn, bucketName: bucket, objectKeyPrefix: PREFIX, objectKey: `${PREFIX}${id}` },
    });
    expect(Date.parse(n.mail.timestamp)).toBeLessThanOrEqual(Date.parse(n.receipt.timestamp));
    expect(n.receipt.processingTimeMillis).toBeGreaterThanOrEqual(0);
    // In S3 and SNS, and still spooled: the emulators keep them in memory only. Settled, it leaves.
    expect(await spoolFiles(spoolDir)).toEqual(expect.arrayContaining([`${id}.eml`, `${id}.json`]));
    expect(gateway.spooled()).toContain(id);
    await gateway.settle(id);
    expect(await spoolFiles(spoolDir)).not.toContain(`${id}.json`);
    expect(await spoolFiles(spoolDir)).not.toContain(`${id}.eml`);
    expect(gateway.spooled()).not.toContain(id);
  });

  it('lets tests force verdicts with the X-Local-*-Verdict headers', async () => {
    const raw = [
      'From: spammer@example.com',
      'To: support@helpdesk.local',
      'Subject: win',
      'X-Local-Spam-Verdict: FAIL',
      'X-Local-Virus-Verdict: fail',
      'X-Local-Spf-Verdict: PASS',
      'X-Local-Dkim-Verdict: PROCESSING_FAILED',
      'X-Local-Dmarc-Verdict: nonsense',
      '',
      'body',
      '',
    ].join('\r\n');
    const id = idFrom((await send(gateway.port, { from: 'spammer@example.com', to: [SUPPORT], raw })).response);
    const { notification: n } = await notificationFor(id);
    expect(n.receipt.spamVerdict.status).toBe('FAIL');
    expect(n.receipt.virusVerdict.status).toBe('FAIL');
    expect(n.receipt.spfVerdict.status).toBe('PASS');
    expect(n.receipt.dkimVerdict.status).toBe('PROCESSING_FAILED');
    expect(n.receipt.dmarcVerdict.status).toBe('GRAY');
  });

  it('accepts plus-addressed and differently cased support addresses', async () => {
    const to = ['support+tkt-42.ab9@helpdesk.local', 'SUPPORT@HelpDesk.Local', 'Support+X@HELPDESK.LOCAL'];
    const raw = 'From: a@example.com\r\nTo: support+tkt-42.ab9@helpdesk.local\r\nSubject: re\r\n\r\nreply\r\n';
    const info = await send(gateway.port, { from: 'a@example.com', to, raw });
    // nodemailer lower-cases the domain part itself; the local part keeps its case.
    const expected = ['support+tkt-42.ab9@helpdesk.local', 'SUPPORT@helpdesk.local', 'Support+X@helpdesk.local'];
    expect(info.accepted).toEqual(expected);
    expect(info.rejected).toEqual([]);
    const { notification: n } = await notificationFor(idFrom(info.response));
    expect(n.mail.destination).toEqual(expected);
    expect(n.receipt.recipients).toEqual(expected);
    // And an upper-case domain straight over SMTP.
    const smtp = await rawSmtp(gateway.port);
    await smtp.reply();
    await smtp.command('EHLO test.example\r\n');
    await smtp.command('MAIL FROM:<a@example.com>\r\n');
    expect(await smtp.command('RCPT TO:<Support+Y@HELPDESK.LOCAL>\r\n')).toMatch(/^250 /);
    expect(await smtp.command('RCPT TO:<support+y@helpdesk.localhost>\r\n')).toMatch(/^550 .*relay not permitted/i);
    await smtp.command('QUIT\r\n');
    await smtp.close();
  });

  it('refuses other domains (550, relay not permitted) and unknown mailboxes, and stores nothing', async () => {
    const before = await objectKeys();
    const raw = 'From: a@example.com\r\nTo: x@example.org\r\nSubject: relay?\r\n\r\nbody\r\n';
    for (const to of ['someone@example.org', 'support@helpdesk.local.evil.com', 'supportx@helpdesk.local', 'sales@helpdesk.local']) {
      const err = (await send(gateway.port, { from: 'a@example.com', to: [to], raw }).catch((e: unknown) => e)) as { responseCode?: number; response?: string };
      expect(err.responseCode, to).toBe(550);
      if (to.endsWith('example.org')) expect(err.response).toMatch(/relay not permitted/i);
    }
    // A mixed envelope: only the support address is a recipient.
    const info = await send(gateway.port, { from: 'a@example.com', to: ['x@example.org', SUPPORT], raw });
    expect(info.rejected).toEqual(['x@example.org']);
    const id = idFrom(info.response);
    expect((await notificationFor(id)).notification.mail.destination).toEqual([SUPPORT]);
    expect(await objectKeys()).toEqual([...before, `${PREFIX}${id}`].sort());
  });

  it('advertises SIZE and refuses mail over the limit with 552, storing nothing', async () => {
    const smtp = await rawSmtp(gateway.port);
    const greeting = await smtp.reply();
    expect(greeting).toMatch(/^220 .*Help desk/);
    const ehlo = await smtp.command('EHLO test.example\r\n');
    expect(ehlo).toMatch(new RegExp(`^250[- ]SIZE ${MAX_BYTES}$`, 'm'));
    expect(ehlo).not.toMatch(/STARTTLS|AUTH/);
    // A declared size over the limit is refused at MAIL FROM.
    expect(await smtp.command(`MAIL FROM:<a@example.com> SIZE=${MAX_BYTES + 1}\r\n`)).toMatch(/^552 /);
    await smtp.close();

    // An undeclared one at the end of DATA: a small limit keeps the test quick.
    const small = await startSmtpGateway(gatewayOptions({ maxBytes: 64 * 1024, spoolDir: await tempDir('spool-small') }));
    cleanup.push(() => small.stop());
    const before = await objectKeys();
    const s = await rawSmtp(small.port);
    await s.reply();
    await s.command('EHLO test.example\r\n');
    expect(await s.command('MAIL FROM:<a@example.com>\r\n')).toMatch(/^250 /);
    expect(await s.command(`RCPT TO:<${SUPPORT}>\r\n`)).toMatch(/^250 /);
    expect(await s.command('DATA\r\n')).toMatch(/^354 /);
    const line = `${'x'.repeat(76)}\r\n`;
    expect(await s.command(`Subject: big\r\n\r\n${line.repeat(Math.ceil((80 * 1024) / line.length))}.\r\n`)).toMatch(/^552 /);
    // The session goes on: a small mail right after is accepted.
    expect(await s.command('MAIL FROM:<a@example.com>\r\n')).toMatch(/^250 /);
    expect(await s.command(`RCPT TO:<${SUPPORT}>\r\n`)).toMatch(/^250 /);
    expect(await s.command('DATA\r\n')).toMatch(/^354 /);
    const ok = await s.command('Subject: small\r\n\r\nfine\r\n.\r\n');
    await s.close();
    const id = idFrom(ok);
    await small.drain();
    expect(await objectKeys()).toEqual([...before, `${PREFIX}${id}`].sort());

    // The limit is exact: a mail of exactly maxBytes passes, one byte more does not.
    const sized = (n: number) => {
      const head = 'Subject: exact\r\n\r\n';
      return head + 'y'.repeat(n - head.length - 2) + '\r\n';
    };
    const exact = await send(small.port, { from: 'a@example.com', to: [SUPPORT], raw: sized(64 * 1024) });
    const exactId = idFrom(exact.response);
    expect((await objectBytes(`${PREFIX}${exactId}`)).length).toBe(64 * 1024);
    const over = (await send(small.port, { from: 'a@example.com', to: [SUPPORT], raw: sized(64 * 1024 + 1) }).catch((e: unknown) => e)) as { responseCode?: number };
    expect(over.responseCode).toBe(552);
    await notificationFor(exactId);
    before.push(`${PREFIX}${exactId}`);

    // nodemailer sees the same limit.
    const err = (await send(small.port, { from: 'a@example.com', to: [SUPPORT], raw: `Subject: big\r\n\r\n${line.repeat(2000)}` }).catch((e: unknown) => e)) as { responseCode?: number };
    expect(err.responseCode).toBe(552);
    expect(await objectKeys()).toEqual([...before, `${PREFIX}${id}`].sort());
  });

  it('refuses a mail one byte over what the local S3 stores at the end of DATA with 552, and stores one of exactly that size', async () => {
    const before = await objectKeys();
    const spooledBefore = await spoolFiles(spoolDir);
    const smtp = await rawSmtp(gateway.port);
    await smtp.reply();
    await smtp.command('EHLO test.example\r\n');
    await smtp.command('MAIL FROM:<a@example.com>\r\n');
    await smtp.command(`RCPT TO:<${SUPPORT}>\r\n`);
    expect(await smtp.command('DATA\r\n')).toMatch(/^354 /);
    const head = 'Subject: huge\r\n\r\n';
    const body = Buffer.alloc(MAX_BYTES + 1 - head.length - 2, 'z');
    expect(await smtp.command(Buffer.concat([Buffer.from(head), body, Buffer.from('\r\n.\r\n')]))).toMatch(/^552 /);
    expect(await objectKeys()).toEqual(before);
    expect(await spoolFiles(spoolDir)).toEqual(spooledBefore);
    // The advertised size is one the store takes: such a mail reaches S3 and SNS, nothing is left to retry.
    await smtp.command('MAIL FROM:<a@example.com>\r\n');
    await smtp.command(`RCPT TO:<${SUPPORT}>\r\n`);
    expect(await smtp.command('DATA\r\n')).toMatch(/^354 /);
    const exact = Buffer.concat([Buffer.from(head), body.subarray(1), Buffer.from('\r\n')]);
    expect(exact.length).toBe(MAX_BYTES);
    const id = idFrom(await smtp.command(Buffer.concat([exact, Buffer.from('.\r\n')])));
    await smtp.close();
    await gateway.drain();
    expect((await objectBytes(`${PREFIX}${id}`)).equals(exact)).toBe(true);
    await notificationFor(id);
    await gateway.settle(id);
  });

  it('accepts and delivers hostile mail: bare LF, NUL, 8-bit bytes, 5000-byte lines, no headers, null sender', async () => {
    const mails: Buffer[] = [
      Buffer.concat([
        Buffer.from('From: x@example.com\nSubject: bare LF\nX-Null: a\u0000b\r\nTo: support@helpdesk.local\n\n'),
        Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a]),
        Buffer.from(`${'A'.repeat(5000)}\r\n`),
      ]),
      Buffer.from('no headers at all, just text\r\n'),
      Buffer.from('\r\nstarts with a blank line\r\n'),
      Buffer.from(`Subject: ${'S'.repeat(3000)}\r\nbroken header line without colon\r\n: empty name\r\n\tcontinuation with nothing before\r\n\r\nbody\r\n`),
      Buffer.concat([Buffer.from('Subject: =?x-unknown?B?AAAA?= =?utf-8?Q?bad=ZZ?=\r\nFrom: '), Buffer.from([0xe9, 0xe8]), Buffer.from(' <\u0000@x>\r\n\r\n')]),
    ];
    for (const [i, raw] of mails.entries()) {
      const smtp = await rawSmtp(gateway.port);
      await smtp.reply();
      await smtp.command('EHLO hostile.example\r\n');
      expect(await smtp.command('MAIL FROM:<>\r\n')).toMatch(/^250 /);
      expect(await smtp.command(`RCPT TO:<${SUPPORT}>\r\n`)).toMatch(/^250 /);
      expect(await smtp.command('DATA\r\n')).toMatch(/^354 /);
      const reply = await smtp.command(Buffer.concat([raw, Buffer.from('.\r\n')]));
      expect(await smtp.command('QUIT\r\n')).toMatch(/^221 /);
      await smtp.close();
      const id = idFrom(reply);
      expect(await objectBytes(`${PREFIX}${id}`), `mail ${i}`).toEqual(raw);
      const { notification: n } = await notificationFor(id);
      if (i === 0) {
        expect(n.mail.commonHeaders.subject).toBe('bare LF');
        expect(n.mail.headers.map((h) => h.name)).toEqual(['From', 'Subject', 'X-Null', 'To']);
      }
      if (i === 1 || i === 2) expect(n.mail.headers).toEqual([]);
      if (i === 3) expect(n.mail.commonHeaders.subject).toHaveLength(3000);
      expect(n.mail.source).toBe('');
      expect(n.mail.commonHeaders.returnPath).toBe('');
      expect(n.receipt.action.objectKey).toBe(`${PREFIX}${id}`);
    }
    // The gateway is still up and well.
    const info = await send(gateway.port, { from: 'a@example.com', to: [SUPPORT], raw: 'Subject: after\r\n\r\nok\r\n' });
    await notificationFor(idFrom(info.response));
  });

  it('keeps the notification under the SNS limit when the headers are huge (headersTruncated)', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => `"R\u0000${i}" <r${i}@example.com>`).join(',\r\n ');
    const extra = Array.from({ length: 400 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(60)}`).join('\r\n');
    const raw = `From: a@example.com\r\nTo: ${many}\r\nSubject: big headers\r\n${extra}\r\n\r\nbody\r\n`;
    const id = idFrom((await send(gateway.port, { from: 'a@example.com', to: [SUPPORT], raw })).response);
    const { envelope, notification: n } = await notificationFor(id);
    expect(Buffer.byteLength(envelope.Message as string)).toBeLessThan(256 * 1024);
    expect(n.mail.headersTruncated).toBe(true);
    expect(n.mail.commonHeaders.subject).toBe('big headers');
    expect(n.mail.commonHeaders.to!.length).toBeGreaterThan(0);
    expect(await objectBytes(`${PREFIX}${id}`)).toEqual(Buffer.from(raw));
  });

  it('drops a mail whose client disconnects mid-DATA, and still stops', async () => {
    const dir = await tempDir('spool-cut');
    const gw = await startSmtpGateway(gatewayOptions({ spoolDir: dir }));
    const before = await objectKeys();
    const sock = connect(gw.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', r));
    sock.write(`EHLO cut.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<${SUPPORT}>\r\nDATA\r\nSubject: cut\r\n\r\npartial`);
    await new Promise((r) => setTimeout(r, 200));
    sock.destroy();
    await new Promise((r) => setTimeout(r, 100));
    // The cut transaction does not hold stop() up: it resolves (a hang would meet the test's timeout).
    await gw.stop();
    expect(await spoolFiles(dir)).toEqual([]);
    expect(await objectKeys()).toEqual(before);
  });

  it('answers 250 when S3 is down, keeps the mail in the spool, and delivers it after a restart', async () => {
    const dir = await tempDir('spool-down');
    const deadS3 = s3For(`http://127.0.0.1:${await freePort()}`, 1);
    const logs: string[] = [];
    const down = await startSmtpGateway(gatewayOptions({ spoolDir: dir, s3: deadS3, log: (l) => logs.push(l) }));
    const raw = 'From: a@example.com\r\nTo: support@helpdesk.local\r\nSubject: kept safe\r\n\r\nplease do not lose me\r\n';
    let id: string;
    try {
      id = idFrom((await send(down.port, { from: 'a@example.com', to: [SUPPORT], raw })).response);
      expect(await spoolFiles(dir)).toEqual([`${id}.eml`, `${id}.json`]);
      expect(await readFile(join(dir, `${id}.eml`), 'utf8')).toBe(raw);
      expect(JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8'))).toMatchObject({ messageId: id, mailFrom: 'a@example.com', rcptTo: [SUPPORT] });
      expect(logs.some((l) => l.includes(`delivery of ${id} failed`))).toBe(true);
      expect(logs.join('\n')).not.toContain('please do not lose me');
    } finally {
      await down.stop();
      deadS3.destroy();
    }
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${PREFIX}${id}` }))).rejects.toThrow();
    expect(await spoolFiles(dir)).toEqual([`${id}.eml`, `${id}.json`]);

    const up = await startSmtpGateway(gatewayOptions({ spoolDir: dir }));
    try {
      await up.drain();
      expect(await objectBytes(`${PREFIX}${id}`)).toEqual(Buffer.from(raw));
      const { notification: n } = await notificationFor(id);
      expect(n.mail.messageId).toBe(id);
      expect(n.mail.commonHeaders.subject).toBe('kept safe');
      expect(n.mail.destination).toEqual([SUPPORT]);
      // Kept until the consumer is done with it.
      expect(await spoolFiles(dir)).toEqual([`${id}.eml`, `${id}.json`]);
      await up.settle(id);
      expect(await spoolFiles(dir)).toEqual([]);
    } finally {
      await up.stop();
    }
  });

  it('retries in the background until S3 comes back, without a restart', async () => {
    const dir = await tempDir('spool-retry');
    // S3 through a port that refuses connections until a proxy to fauxqs opens on it.
    const proxyPort = await freePort();
    const flakyS3 = s3For(`http://127.0.0.1:${proxyPort}`, 1);
    const gw = await startSmtpGateway(gatewayOptions({ spoolDir: dir, s3: flakyS3 }));
    let proxy: Server | undefined;
    const sockets = new Set<Socket>();
    try {
      const raw = 'Subject: later\r\n\r\nbody\r\n';
      const id = idFrom((await send(gw.port, { from: 'a@example.com', to: [SUPPORT], raw })).response);
      expect(await spoolFiles(dir)).toHaveLength(2);
      proxy = createServer((c) => {
        const up = connect(fauxqs.port, '127.0.0.1');
        sockets.add(c).add(up);
        c.pipe(up).pipe(c);
        c.on('error', () => up.destroy());
        up.on('error', () => c.destroy());
      });
      await new Promise<void>((r) => proxy!.listen(proxyPort, '127.0.0.1', r));
      await gw.drain();
      expect(await objectBytes(`${PREFIX}${id}`)).toEqual(Buffer.from(raw));
      await notificationFor(id);
      await gw.settle(id);
      expect(await spoolFiles(dir)).toEqual([]);
    } finally {
      await gw.stop();
      flakyS3.destroy();
      for (const sock of sockets) sock.destroy();
      if (proxy) await new Promise((r) => proxy!.close(r));
    }
  });
  it('never lets one stuck mail hold up the others, and moves aside mail the store refuses for good', async () => {
    const dir = await tempDir('spool-stuck');
    // Three mails answered 250 while S3 was down: they are left in the spool for the next start.
    const deadS3 = s3For(`http://127.0.0.1:${await freePort()}`, 1);
    const down = await startSmtpGateway(gatewayOptions({ spoolDir: dir, s3: deadS3, maxBytes: 64 * 1024 }));
    const sendOne = async (subject: string, size = 0) => idFrom((await send(down.port, { from: 'a@example.com', to: [SUPPORT], raw: `Subject: ${subject}\r\n\r\n${'b'.repeat(size)}ok\r\n` })).response);
    const stuck = await sendOne('stuck');
    const fine = await sendOne('fine');
    const tooBig = await sendOne('too big for the next run', 40 * 1024);
    await down.stop();
    deadS3.destroy();

    // S3 through a front that fails the first mail's object (503, then 413) and passes everything else to fauxqs.
    let stuckAnswer = 503;
    let stuckTries = 0;
    const front = createHttpServer((req, res) => {
      if (req.url?.includes(stuck)) {
        stuckTries++;
        req.resume();
        return void res.writeHead(stuckAnswer, { 'content-type': 'application/xml' }).end('<Error><Code>Refused</Code><Message>refused</Message></Error>');
      }
      const up = httpRequest({ host: '127.0.0.1', port: fauxqs.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => (front.closeAllConnections(), front.close(r))));
    const frontS3 = s3For(`http://127.0.0.1:${(front.address() as { port: number }).port}`, 1);
    const logs: string[] = [];
    // The next run takes smaller mail than the one that spooled them.
    const up = await startSmtpGateway(gatewayOptions({ spoolDir: dir, s3: frontS3, maxBytes: 32 * 1024, log: (l) => logs.push(l) }));
    try {
      // The mail behind the stuck one is delivered while the stuck one keeps failing.
      const { notification } = await notificationFor(fine);
      expect(notification.mail.commonHeaders.subject).toBe('fine');
      await until(() => stuckTries >= 2, 'a second try of the stuck mail');
      expect(up.spooled()).toContain(stuck);
      // Bigger than this run takes: moved aside at once, never sent.
      expect(await readdir(join(dir, 'failed'))).toEqual(expect.arrayContaining([`${tooBig}.eml`, `${tooBig}.json`]));
      expect(up.spooled()).not.toContain(tooBig);
      // Refused for good (4xx): moved aside too, not retried forever.
      stuckAnswer = 413;
      await until(async () => !up.spooled().includes(stuck), 'the stuck mail to be moved aside');
      expect(await readdir(join(dir, 'failed'))).toEqual(expect.arrayContaining([`${stuck}.eml`, `${stuck}.json`]));
      const tries = stuckTries;
      await up.drain();
      expect(stuckTries).toBe(tries);
      expect(logs.some((l) => l.includes(stuck) && l.includes('cannot be delivered'))).toBe(true);
      await up.settle(fine);
      expect(await spoolFiles(dir)).toEqual([]);
    } finally {
      await up.stop();
      frontS3.destroy();
    }
  });
});
