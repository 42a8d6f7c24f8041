import { createHash } from 'node:crypto';
import { checkTriageExample, type RejectedLine, type TriageExample } from './triage-examples.ts';
import { isWellFormed } from './text.ts';

/**
 * A history file brought from another desk (`POST /admin/triage/examples`,
 * `npm run triage:train`): JSON Lines of `{subject, body, department,
 * category?, priority?}`. Each line is checked on its own and a bad one is
 * reported by number with its reason and skipped, never failing the file.
 * Pure: the handler reads the body, the use case stores and trains.
 */

export const triageImportLimits = {
  /** The whole file, in UTF-8 bytes: above it the route answers 413 (a Lambda event carries at most 6 MB, base64 included). */
  fileBytes: 2 * 1024 * 1024,
  /** Non-blank lines a file may have: training on them (and the desk's own) must end within the API's 30 seconds. */
  lines: 1_000,
  /** One line, in UTF-8 bytes: a ticket's subject and opening message fit in far less (the model reads 6,000 characters of the body). */
  lineBytes: 64 * 1024,
  /** Rejected lines listed in the answer; the total is always given. */
  listedRejections: 100,
} as const;

/** Content types the file may come as (parameters such as charset aside). */
export const triageImportContentTypes = ['application/x-ndjson', 'application/jsonl', 'text/plain'] as const;

/** The request body of the import route, for its handler and the API document. */
export const triageImportBody = {
  types: triageImportContentTypes,
  maxBytes: triageImportLimits.fileBytes,
  description:
    `JSON Lines, one past ticket a line: {"subject", "body", "department", "category"?, "priority"?}. ` +
    `At most ${triageImportLimits.lines} lines and ${triageImportLimits.fileBytes} bytes, each line at most ${triageImportLimits.lineBytes} bytes. ` +
    'A bad line is reported by number with its reason and skipped.',
} as const;

/** True when a Content-Type header names one of the accepted types. */
export function isTriageImportContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return (triageImportContentTypes as readonly string[]).includes(type);
}

/**
 * Characters no ticket text needs and that can hide or disguise text: C0 and
 * C1 controls but tab, line feed and carriage return; bidirectional overrides
 * and isolates (text that reads otherwise than it is stored); the BOM and
 * noncharacters U+FFFE/U+FFFF; U+FFFD, which is what a file that was not
 * UTF-8 decodes to.
 */
const HOSTILE: readonly [RegExp, string][] = [
  [/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u, 'a control character'],
  [/[\u202a-\u202e\u2066-\u2069]/u, 'a bidirectional override'],
  [/[\ufeff\ufffe\uffff]/u, 'a byte-order mark or noncharacter'],
  [/\ufffd/u, 'a replacement character (the file is not valid UTF-8 there)'],
];

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why this text is refused, or undefined when it is fine. */
export function hostileUnicode(text: string): string | undefined {
  if (!isWellFormed(text)) return 'text that is not valid Unicode (a lone UTF-16 surrogate)';
  for (const [pattern, what] of HOSTILE) {
    const m = pattern.exec(text);
    if (m) return `${codePoint(m[0])}, ${what}`;
  }
  return undefined;
}

/** The digest an example is stored under: the same ticket in the same words is one example, however its line was spaced. */
export function triageExampleDigest(e: TriageExample): string {
  const canonical = JSON.stringify([e.subject, e.body, e.department, e.category ?? null, e.priority ?? null, e.language ?? null, e.weight ?? null]);
  return createHash('sha256').update(canonical, 'utf8').digest('base64url').slice(0, 32);
}

export interface ImportedLine {
  /** 1-based line number in the file. */
  line: number;
  digest: string;
  example: TriageExample;
}

export interface CheckedImport {
  /** Good lines, a repeated one (same digest) only once. */
  accepted: ImportedLine[];
  /** Every bad line, by number. */
  rejected: RejectedLine[];
  /** Good lines that repeat an earlier line of the file. */
  repeated: number;
  /** Non-blank lines read. */
  lines: number;
}

export type ImportFileProblem = { status: 413; message: string } | null;

/** A file too large to take at all (413), before any line is read. */
export function importFileProblem(text: string): ImportFileProblem {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > triageImportLimits.fileBytes) {
    return { status: 413, message: `The file is ${bytes} bytes; at most ${triageImportLimits.fileBytes} are taken at once. Split it and send the parts one after another.` };
  }
  let lines = 0;
  for (const line of text.split('\n')) if (line.trim()) lines++;
  if (lines > triageImportLimits.lines) {
    return { status: 413, message: `The file has ${lines} lines; at most ${triageImportLimits.lines} are taken at once. Split it and send the parts one after another.` };
  }
  return null;
}

/**
 * Checks every line: JSON, the fields (checkTriageExample), the department
 * among `departments` (this desk's), the length, hostile Unicode. Blank lines
 * are skipped silently; a byte-order mark at the very start is dropped.
 */
export function checkImportFile(text: string, departments: ReadonlySet<string>): CheckedImport {
  const accepted: ImportedLine[] = [];
  const rejected: RejectedLine[] = [];
  const seen = new Set<string>();
  let repeated = 0;
  let lines = 0;
  const all = (text.startsWith('\ufeff') ? text.slice(1) : text).split('\n');
  const known = [...departments].sort().join(', ');
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!.replace(/\r$/, '');
    if (!line.trim()) continue;
    lines++;
    const reject = (reason: string) => rejected.push({ line: i + 1, reason });
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > triageImportLimits.lineBytes) {
      reject(`too long: ${bytes} bytes, at most ${triageImportLimits.lineBytes}`);
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      reject(`not JSON: ${(err as Error).message}`);
      continue;
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      reject('not a JSON object');
      continue;
    }
    // The file's format names both; an empty one is fine (a ticket with no subject), a missing one is a broken export.
    const missing = (['subject', 'body'] as const).find((f) => typeof (raw as Record<string, unknown>)[f] !== 'string');
    if (missing) {
      reject(`${missing}: required, as a string`);
      continue;
    }
    // Checked once parsed, so an escaped character (\u202e, \ud800) is caught as surely as a literal one.
    const fields = raw as Record<string, unknown>;
    const hostile = ['subject', 'body', 'department', 'category'].map((f) => (typeof fields[f] === 'string' ? [f, hostileUnicode(fields[f] as string)] : [f, undefined])).find(([, p]) => p);
    if (hostile) {
      reject(`${hostile[0]}: refused: ${hostile[1]}`);
      continue;
    }
    const checked = checkTriageExample(raw);
    if (!checked.ok) {
      reject(checked.reason);
      continue;
    }
    if (!departments.has(checked.example.department)) {
      reject(`department: "${checked.example.department}" is not a department of this desk (${known || 'none configured'})`);
      continue;
    }
    const digest = triageExampleDigest(checked.example);
    if (seen.has(digest)) {
      repeated++;
      continue;
    }
    seen.add(digest);
    accepted.push({ line: i + 1, digest, example: checked.example });
  }
  return { accepted, rejected, repeated, lines };
}
