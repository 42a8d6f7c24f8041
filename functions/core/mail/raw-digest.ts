import { createHash } from 'node:crypto';

/**
 * A digest of a mail as its sender wrote it, to recognise the same mail
 * delivered twice when it has no Message-ID to go by. Trace fields that each
 * delivery adds on the way (Received, Return-Path, SES's X-SES-* and
 * authentication results, Delivered-To) are left out, so two deliveries of
 * the same bytes agree; everything else, body included, counts.
 */
const traceFields = /^(received|return-path|received-spf|authentication-results|arc-[a-z-]+|x-ses-[a-z0-9-]+|delivered-to|x-original-to)$/i;

export function rawMailDigest(raw: Uint8Array): string {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const { end, bodyStart } = headerBlock(buf);
  const hash = createHash('sha256');
  let kept = true;
  let start = 0;
  // Header lines, unfolded by following their continuation lines: a trace field's continuations go with it.
  while (start < end) {
    let nl = buf.indexOf(0x0a, start);
    if (nl === -1 || nl > end) nl = end;
    const line = buf.subarray(start, nl);
    const continuation = line[0] === 0x20 || line[0] === 0x09;
    if (!continuation) {
      const colon = line.indexOf(0x3a);
      const name = colon > 0 ? line.subarray(0, colon).toString('latin1').trim() : '';
      kept = !traceFields.test(name);
    }
    if (kept) hash.update(stripCr(line)).update('\n');
    start = nl + 1;
  }
  hash.update('\n').update(buf.subarray(bodyStart));
  return hash.digest('hex');
}

/** Where the header block ends and the body starts (after the blank line); no blank line: all headers. */
function headerBlock(buf: Buffer): { end: number; bodyStart: number } {
  if (buf[0] === 0x0a) return { end: 0, bodyStart: 1 };
  if (buf[0] === 0x0d && buf[1] === 0x0a) return { end: 0, bodyStart: 2 };
  const lf = buf.indexOf('\n\n');
  const crlf = buf.indexOf('\n\r\n');
  if (lf === -1 && crlf === -1) return { end: buf.length, bodyStart: buf.length };
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf + 1, bodyStart: crlf + 3 };
  return { end: lf + 1, bodyStart: lf + 2 };
}

function stripCr(line: Buffer): Buffer {
  return line.length && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}
