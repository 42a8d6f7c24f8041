/**
 * Local stand-in for SES inbound: an SMTP server on loopback that does what a
 * receipt rule with an S3 action does in AWS. It accepts mail for the support
 * addresses (and their plus-addressed forms), stores the raw MIME in the mail
 * bucket under `<prefix><messageId>`, and publishes the notification SES would
 * publish to the SNS topic, which fans out to the inbound queue.
 *
 * A mail answered with 250 is never lost: before the 250 it is written to a
 * spool directory on disk (fsync, atomic rename). It leaves the spool only when
 * the inbound-mail handler has finished with it (a ticket, a reply or a
 * quarantine: local mode calls `settle` once the poller has deleted its SQS
 * message), because the emulators hold queue and bucket in memory only. When
 * S3 or SNS fails the client still gets its 250 and delivery is retried in the
 * background, each mail on its own back-off; whatever is still spooled at the
 * next start is delivered again. Delivery is at least once; the consumer
 * de-duplicates on the SES message id, which a spooled mail keeps for good.
 * A mail that can never be delivered (the store refuses it for good) is moved
 * to `<spool>/failed/` for a person to look at, never retried forever.
 *
 * Local differences from SES, on purpose:
 * - the object in S3 is the mail exactly as received (SES prepends Return-Path,
 *   Received and X-SES-* headers);
 * - verdicts default to PASS for spam and virus and GRAY for SPF, DKIM and
 *   DMARC; the X-Local-*-Verdict headers (see ses-notification.ts) override them.
 */
import { access, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { buildReceivedNotification, newSesMessageId, parseHeaderBlock, SES_NOTIFICATION_SUBJECT, verdictsFromHeaders, DEFAULT_LOCAL_VERDICTS, type Verdicts } from './ses-notification.ts';

export interface SmtpGatewayOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback only: the gateway has no authentication and no TLS. */
  host?: '127.0.0.1';
  /** The addresses mail is accepted for, e.g. support@helpdesk.local; `support+anything@` is accepted too. */
  supportAddresses: string[];
  /**
   * Largest mail accepted, in bytes: what the mail store takes (SES: 40 MB; local mode: what
   * its S3 emulator takes in one request). Advertised with SIZE; bigger mail gets 552.
   */
  maxBytes: number;
  /** Where accepted mail waits until S3 and SNS have it. Created if missing. */
  spoolDir: string;
  s3: S3Client;
  sns: SNSClient;
  bucket: string;
  /** Object key prefix, e.g. 'inbound/'. */
  prefix: string;
  topicArn: string;
  /** One line per event. Never given addresses, subjects or bodies. */
  log?: (line: string) => void;
}

export interface SmtpGateway {
  /** The port actually listened on. */
  port: number;
  /** Stops accepting mail, finishes transactions in progress and stops retrying; spooled mail stays for the next start. */
  stop(): Promise<void>;
  /** Resolves once every accepted mail has reached S3 and SNS; rejects if the gateway stops first. */
  drain(): Promise<void>;
  /** The consumer has finished with this mail (SES message id): it leaves the spool. Unknown ids are ignored. */
  settle(messageId: string): Promise<void>;
  /** SES message ids still in the spool: not yet delivered, or delivered and not yet settled. */
  spooled(): string[];
}

interface SpoolEnvelope {
  version: 1;
  messageId: string;
  mailFrom: string;
  rcptTo: string[];
  receivedAt: string;
  verdicts: Verdicts;
  size: number;
}

interface SupportAddress {
  local: string;
  domain: string;
}

const INLINE_TIMEOUT_MS = 10_000;
const RETRY_TIMEOUT_MS = 30_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * A refusal that retrying cannot change: the store answered 4xx (too large, bad request,
 * no such bucket), except for throttling and timeouts. Network errors and 5xx are passing.
 */
function isPermanent(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

function splitAddress(address: string): SupportAddress | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  return { local: address.slice(0, at).toLowerCase(), domain: address.slice(at + 1).toLowerCase() };
}

export type RecipientCheck = 'accept' | 'other-domain' | 'unknown-mailbox';

/**
 * Whether a RCPT TO address is one of ours: same domain as a support address
 * and the same local part, or that local part with a `+tag` (case-insensitive).
 */
export function checkRecipient(address: string, supportAddresses: readonly string[]): RecipientCheck {
  const rcpt = splitAddress(address);
  const ours = supportAddresses.map(splitAddress).filter((a): a is SupportAddress => !!a);
  if (!rcpt || !ours.some((s) => s.domain === rcpt.domain)) return 'other-domain';
  const match = ours.some((s) => s.domain === rcpt.domain && (rcpt.local === s.local || rcpt.local.startsWith(`${s.local}+`)));
  return match ? 'accept' : 'unknown-mailbox';
}

/** Writes a file so that it is either absent or complete and on disk: temp file, fsync, rename. */
async function writeDurably(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/** Makes renames in a directory durable (no-op where directories cannot be opened, e.g. Windows). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Best effort.
  }
}

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export async function startSmtpGateway(opts: SmtpGatewayOptions): Promise<SmtpGateway> {
  const log = opts.log ?? (() => {});
  const host = opts.host ?? '127.0.0.1';
  if (!opts.supportAddresses.length || opts.supportAddresses.some((a) => !splitAddress(a))) {
    throw new Error('startSmtpGateway needs at least one support address of the form local@domain');
  }
  if (!Number.isInteger(opts.maxBytes) || opts.maxBytes <= 0) throw new Error('startSmtpGateway: maxBytes must be a positive integer');
  const spoolDir = opts.spoolDir;
  await mkdir(spoolDir, { recursive: true, mode: 0o700 });

  const emlPath = (id: string) => join(spoolDir, `${id}.eml`);
  const jsonPath = (id: string) => join(spoolDir, `${id}.json`);

  /** Mails answered 250 and not yet in S3 + SNS, each with its own back-off. */
  const pending = new Map<string, { attempts: number; nextAt: number }>();
  /** Mails in S3 + SNS whose processing is not yet known to be over; they stay spooled until `settle`. */
  const delivered = new Set<string>();
  /** Ids a delivery attempt is working on right now. */
  const busy = new Set<string>();
  /** DATA handlers in progress, awaited on stop. */
  const transactions = new Set<Promise<unknown>>();
  let waiters: (() => void)[] = [];
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryAt = Infinity;
  const passes = new Set<Promise<void>>();

  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };

  // Recover the spool: complete entries (.json present) are re-delivered; anything
  // else was never answered 250 (or was already delivered) and is removed.
  for (const name of await readdir(spoolDir)) {
    const full = join(spoolDir, name);
    const m = /^([0-9a-v]{40})\.(eml|json)$/.exec(name);
    if (m && m[2] === 'json') {
      try {
        await access(emlPath(m[1]!));
        pending.set(m[1]!, { attempts: 0, nextAt: 0 });
      } catch {
        log(`spool: ${name} has no raw mail next to it; removed`);
        await unlink(full).catch(() => {});
      }
    }
  }
  for (const name of await readdir(spoolDir)) {
    const m = /^([0-9a-v]{40})\.eml$/.exec(name);
    if (name.endsWith('.tmp') || (m && !pending.has(m[1]!))) await unlink(join(spoolDir, name)).catch(() => {});
  }
  if (pending.size) log(`spool: ${pending.size} mail(s) left from an earlier run, delivering them again`);

  async function moveAside(id: string, why: string) {
    const dead = join(spoolDir, 'failed');
    await mkdir(dead, { recursive: true, mode: 0o700 });
    for (const p of [jsonPath(id), emlPath(id)]) await rename(p, join(dead, p.slice(spoolDir.length + 1))).catch(() => {});
    pending.delete(id);
    delivered.delete(id);
    log(`spool: ${id} cannot be delivered (${why}); moved to ${dead}`);
    wake();
  }

  /** S3 first, then SNS, then out of the spool. Throws when a service fails; the mail stays spooled. */
  async function deliver(id: string, timeoutMs: number, cached?: { envelope: SpoolEnvelope; raw: Buffer }) {
    let envelope: SpoolEnvelope;
    let raw: Buffer;
    if (cached) {
      ({ envelope, raw } = cached);
    } else {
      try {
        envelope = JSON.parse(await readFile(jsonPath(id), 'utf8')) as SpoolEnvelope;
        raw = await readFile(emlPath(id));
        if (envelope.messageId !== id || !Array.isArray(envelope.rcptTo)) throw new Error('envelope does not match its file');
      } catch (err) {
        // Settled meanwhile: nothing to do.
        if (!pending.has(id)) return;
        // Written atomically, so this is damage from outside; keep the files for a person to look at.
        await moveAside(id, describe(err));
        return;
      }
      // Spooled by a run that took bigger mail than the store does now.
      if (raw.length > opts.maxBytes) {
        await moveAside(id, `${raw.length} bytes is over the ${opts.maxBytes}-byte limit`);
        return;
      }
    }
    const signal = AbortSignal.timeout(timeoutMs);
    await opts.s3.send(new PutObjectCommand({ Bucket: opts.bucket, Key: `${opts.prefix}${id}`, Body: raw, ContentLength: raw.length }), { abortSignal: signal });
    const notification = buildReceivedNotification({
      messageId: id,
      receivedAt: new Date(envelope.receivedAt),
      mailFrom: envelope.mailFrom,
      recipients: envelope.rcptTo,
      raw,
      verdicts: envelope.verdicts,
      topicArn: opts.topicArn,
      bucketName: opts.bucket,
      objectKeyPrefix: opts.prefix,
    });
    await opts.sns.send(new PublishCommand({ TopicArn: opts.topicArn, Subject: SES_NOTIFICATION_SUBJECT, Message: JSON.stringify(notification) }), { abortSignal: signal });
    // Still spooled until settled: the queue and bucket it is in now do not survive a stop.
    if (pending.delete(id)) delivered.add(id);
    log(`delivered ${id} to s3://${opts.bucket}/${opts.prefix}${id} and SNS`);
    wake();
  }

  /** Delivery failed: a permanent refusal moves the mail aside; otherwise it waits its own back-off. */
  async function failed(id: string, err: unknown) {
    const entry = pending.get(id);
    if (!entry) return;
    if (isPermanent(err)) return moveAside(id, describe(err));
    entry.attempts++;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** (entry.attempts - 1), MAX_RETRY_MS);
    entry.nextAt = Date.now() + delay;
    log(`delivery of ${id} failed (${describe(err)}); kept in the spool, retrying in ${Math.round(delay / 100) / 10} s`);
    scheduleRetry();
  }

  /** One timer, for the earliest entry due; a pass delivers every entry due and moves past failures. */
  function scheduleRetry() {
    if (stopped) return;
    let due = Infinity;
    for (const [id, e] of pending) if (!busy.has(id)) due = Math.min(due, e.nextAt);
    if (due === Infinity || (retryTimer && retryAt <= due)) return;
    clearTimeout(retryTimer);
    retryAt = due;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      retryAt = Infinity;
      const pass = retryPass().finally(() => {
        passes.delete(pass);
        scheduleRetry();
      });
      passes.add(pass);
    }, Math.max(0, due - Date.now()));
    retryTimer.unref();
  }

  async function retryPass() {
    for (const [id, entry] of [...pending]) {
      if (stopped) return;
      if (busy.has(id) || !pending.has(id) || entry.nextAt > Date.now()) continue;
      busy.add(id);
      try {
        await deliver(id, RETRY_TIMEOUT_MS);
      } catch (err) {
        // This mail only: the others are tried in this same pass.
        await failed(id, err);
      } finally {
        busy.delete(id);
      }
    }
  }

  /** Reads DATA into memory, up to maxBytes; past that it keeps reading but drops the bytes. */
  function readMessage(stream: SMTPServerDataStream): Promise<{ raw: Buffer; oversized: boolean }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let oversized = false;
      stream.on('data', (chunk: Buffer) => {
        if (oversized) return;
        size += chunk.length;
        if (size > opts.maxBytes) {
          oversized = true;
          chunks.length = 0;
          return;
        }
        chunks.push(chunk);
      });
      stream.once('error', reject);
      stream.once('end', () => resolve({ raw: oversized || stream.sizeExceeded ? Buffer.alloc(0) : Buffer.concat(chunks, size), oversized: oversized || stream.sizeExceeded }));
    });
  }

  async function acceptMessage(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const { raw, oversized } = await readMessage(stream);
    if (oversized) throw new SmtpReplyError(552, `5.3.4 Message too big: the limit is ${opts.maxBytes} bytes`);
    const receivedAt = new Date();
    const messageId = newSesMessageId();
    let verdicts: Verdicts;
    try {
      verdicts = verdictsFromHeaders(parseHeaderBlock(raw).headers);
    } catch {
      verdicts = { ...DEFAULT_LOCAL_VERDICTS };
    }
    const envelope: SpoolEnvelope = {
      version: 1,
      messageId,
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
      receivedAt: receivedAt.toISOString(),
      verdicts,
      size: raw.length,
    };
    busy.add(messageId);
    try {
      try {
        await writeDurably(emlPath(messageId), raw);
        await writeDurably(jsonPath(messageId), JSON.stringify(envelope));
        await syncDir(spoolDir);
      } catch (err) {
        await unlink(jsonPath(messageId)).catch(() => {});
        await unlink(emlPath(messageId)).catch(() => {});
        log(`spool write failed (${describe(err)}); mail refused with 451`);
        throw new SmtpReplyError(451, '4.3.0 Local spool unavailable, try again later');
      }
      pending.set(messageId, { attempts: 0, nextAt: 0 });
      log(`accepted ${messageId} (${raw.length} bytes, ${envelope.rcptTo.length} recipient(s))`);
      try {
        await deliver(messageId, INLINE_TIMEOUT_MS, { envelope, raw });
      } catch (err) {
        await failed(messageId, err);
      }
    } finally {
      busy.delete(messageId);
      scheduleRetry();
    }
    return messageId;
  }

  const supportDomain = splitAddress(opts.supportAddresses[0]!)!.domain;
  const server = new SMTPServer({
    name: supportDomain,
    banner: 'Help desk local inbound mail (stand-in for SES receiving)',
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: opts.maxBytes,
    rejectOversized: true,
    maxClients: 50,
    maxRecipients: 100,
    closeTimeout: 2_000,
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const verdict = checkRecipient(address.address, opts.supportAddresses);
      if (verdict === 'accept') return callback();
      callback(
        verdict === 'other-domain'
          ? new SmtpReplyError(550, '5.7.1 Relay not permitted: this server only accepts mail for the help desk')
          : new SmtpReplyError(550, '5.1.1 No such mailbox at the help desk'),
      );
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const tx = acceptMessage(stream, session).then(
        (id) => callback(null, `Ok ${id}`),
        (err: unknown) => {
          if (err instanceof SmtpReplyError) return callback(err);
          log(`transaction failed (${describe(err)})`);
          callback(new SmtpReplyError(451, '4.3.0 Temporary local failure, try again later'));
        },
      );
      transactions.add(tx);
      void tx.finally(() => transactions.delete(tx));
    },
  });
  server.on('error', (err: Error) => log(`smtp: ${describe(err)}`));

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.server.listen(opts.port, host, () => {
      server.server.off('error', onError);
      resolve((server.server.address() as { port: number }).port);
    });
  });
  log(`listening on ${host}:${port} for ${opts.supportAddresses.length} support address(es)`);
  scheduleRetry();

  return {
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...transactions]);
      await Promise.allSettled([...passes]);
      const left = pending.size + delivered.size;
      if (left) log(`stopped with ${left} mail(s) in the spool; they are delivered again on the next start`);
      wake();
    },
    async settle(messageId: string) {
      if (!pending.has(messageId) && !delivered.has(messageId)) return;
      pending.delete(messageId);
      delivered.delete(messageId);
      // The .json goes first: an .eml without one is removed on start, never re-sent.
      await unlink(jsonPath(messageId)).catch(() => {});
      await unlink(emlPath(messageId)).catch(() => {});
      wake();
    },
    spooled: () => [...pending.keys(), ...delivered],
    async drain() {
      if (pending.size && !stopped) {
        // Do not wait out a long back-off: try now.
        for (const e of pending.values()) e.nextAt = 0;
        scheduleRetry();
      }
      while (pending.size) {
        if (stopped) throw new Error(`the SMTP gateway stopped with ${pending.size} mail(s) still in the spool`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}
