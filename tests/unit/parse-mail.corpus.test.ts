import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseMail } from '../../functions/core/parse-mail.ts';

/**
 * Zammad's mail fixtures (../shared/corpora/zammad-mail, AGPL test data read at
 * test time, never copied here): every .box must parse, and sender, subject and
 * attachment names and contents must match its .yml where the .yml gives them.
 */
const dir = resolve(import.meta.dirname, '../../../shared/corpora/zammad-mail');
const boxes = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.box')).sort() : [];

interface Expected {
  from_email?: string;
  from_display_name?: string;
  subject?: string;
  attachments?: { filename?: string; data?: Uint8Array | string; preferences?: Record<string, unknown> }[];
}

function loadExpected(box: string): Expected | undefined {
  const file = join(dir, box.replace(/\.box$/, '.yml'));
  if (!existsSync(file)) return undefined;
  // Ruby's tags carry no meaning here: a tagged hash is a plain map, !binary is base64.
  const text = readFileSync(file, 'utf8').replace(/!ruby\/[\w:/]+/g, '').replace(/!binary\b/g, '!!binary');
  return parseYaml(text, { maxAliasCount: -1 }) as Expected;
}

const md5 = (b: Uint8Array | Buffer | string) => createHash('md5').update(b).digest('hex');
const squash = (s: string) => s.replace(/\s+/g, ' ').replace(/^["' ]+|["' ]+$/g, '').trim();

/**
 * Fixtures whose headers are raw 8-bit text in an undeclared charset (GBK,
 * Shift_JIS labelled ISO-2022-JP, ...). Zammad guesses the charset; we decode
 * per the standards and do not guess, so names and subjects differ. They must
 * still parse; the comparison of the affected fields is skipped.
 */
const charsetGuessing: Record<string, string> = {
  'mail015.box': 'attachment name in raw GBK bytes',
  'mail016.box': 'From and Subject in raw GB2312 bytes',
  'mail017.box': 'From in raw GB2312 bytes',
  'mail019.box': 'From in raw GB2312 bytes',
  'mail046.box': 'display name and subject in raw GB2312 bytes',
  'mail064.box': 'attachment name in decomposed Mac Roman',
  'mail073.box': 'attachment name in raw 8-bit bytes',
  'mail093.box': 'Shift_JIS bytes labelled ISO-2022-JP',
};
/** Senders Zammad derives from malformed From headers; ours read the header as written. */
const malformedFrom: Record<string, string> = {
  'mail035.box': 'quoted address used as a display name',
  'mail053.box': 'bare MAILER-DAEMON with a comment (kept as the sender mailer-daemon)',
  'mail059.box': 'unquoted comma in the display name',
  'mail065.box': 'broken encoded word',
  'mail071.box': 'display name run into the address',
  'mail076.box': 'quoted local part with a stray bracket',
  'mail087.box': 'display name run into the address',
  'mail117.box': 'an encoded word inside the address, a spoofing attempt: kept as written, not decoded into another address',
};
/** Attachments that are Zammad's own rendering (of a body part), not MIME parts of the mail. */
const zammadRendered: Record<string, string> = {
  'mail085.box': 'document.html is Zammad\'s conversion of the HTML body',
};

describe.skipIf(boxes.length === 0)('zammad-mail corpus', () => {
  it.each(boxes)('%s parses and matches its expectations', async (box) => {
    const raw = readFileSync(join(dir, box));
    const rawText = raw.toString('latin1');
    const parsed = await parseMail(raw);
    const exp = loadExpected(box);
    if (!exp) return;
    const guessing = box in charsetGuessing;
    if (exp.from_email && !guessing && !(box in malformedFrom)) expect(parsed.from?.address).toBe(exp.from_email.toLowerCase());
    if (exp.from_display_name && !guessing && !(box in malformedFrom)) {
      // Quotes and folding whitespace are presentation; a bare address may stand in for the name.
      const [ours, theirs] = [squash(parsed.from?.name ?? ''), squash(exp.from_display_name)];
      expect(theirs === ours || theirs.includes(ours) || ours.includes(theirs), `${box}: "${ours}" vs "${theirs}"`).toBe(true);
    }
    if (typeof exp.subject === 'string' && !guessing) expect(squash(parsed.subject)).toBe(squash(exp.subject));
    const wanted = (exp.attachments ?? []).filter((a) => !a.preferences?.['content-alternative']);
    const gotNames = parsed.attachments.map((a) => a.filename);
    const byHash = new Map(parsed.attachments.map((a) => [md5(a.content), a.filename]));
    for (const a of wanted) {
      const data = a.data !== undefined && typeof a.data !== 'string' ? a.data : undefined;
      if (data && !(box in zammadRendered)) expect(byHash.has(md5(data)), `${box}: data of ${a.filename}`).toBe(true);
      // Names are compared where the mail gives one; for unnamed parts Zammad invents its own
      // (image.gif, "Delivery report.txt", an attached mail's subject) and we invent ours.
      const ourName = data ? byHash.get(md5(data)) : undefined;
      const unnamedHere = ourName !== undefined && /^attachment-\d+\.\w+$/.test(ourName);
      // A name neither in the raw mail nor ours was made up by Zammad for an unnamed part.
      const named = (n: string) => rawText.includes(`name="${n}"`) || rawText.includes(`name=${n}`);
      const inventedByZammad = !named(a.filename ?? '') && !gotNames.includes(a.filename ?? '');
      if (a.filename && !unnamedHere && !inventedByZammad && !guessing) expect(gotNames, `${box}: ${a.filename}`).toContain(a.filename);
    }
    // Whatever the mail, the stored HTML is inert.
    expect(parsed.html ?? '').not.toMatch(/<script|\son\w+\s*=|javascript:/i);
  });
});
