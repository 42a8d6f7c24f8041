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

describe.skipIf(boxes.length === 0)('zammad-mail corpus', () => {
  it.each(boxes)('%s parses and matches its expectations', async (box) => {
    const parsed = await parseMail(readFileSync(join(dir, box)));
    const exp = loadExpected(box);
    if (!exp) return;
    if (exp.from_email) expect(parsed.from?.address).toBe(exp.from_email.toLowerCase());
    if (exp.from_display_name) expect(parsed.from?.name ?? '').toBe(exp.from_display_name);
    if (typeof exp.subject === 'string') expect(parsed.subject).toBe(exp.subject.replace(/[\r\n]+/g, ' ').trim());
    const wanted = (exp.attachments ?? []).filter((a) => !a.preferences?.['content-alternative']);
    const gotNames = parsed.attachments.map((a) => a.filename);
    const gotHashes = new Set(parsed.attachments.map((a) => md5(a.content)));
    for (const a of wanted) {
      if (a.filename) expect(gotNames, `${box}: ${a.filename}`).toContain(a.filename);
      if (a.data !== undefined && typeof a.data !== 'string') expect(gotHashes.has(md5(a.data)), `${box}: data of ${a.filename}`).toBe(true);
    }
    // Whatever the mail, the stored HTML is inert.
    expect(parsed.html ?? '').not.toMatch(/<script|\son\w+\s*=|javascript:/i);
  });
});
