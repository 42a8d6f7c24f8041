import { z } from 'zod';
import { priorities, type Priority } from './ticket.ts';

/**
 * Labelled examples for the triage model: a ticket's text and where it ended
 * (department, and the category and priority when known). Every path that
 * trains (the schedule, the import command, the admin route, the benchmark)
 * checks its input here, so a bad line is reported with a reason and skipped,
 * never fatal.
 */
export interface TriageExample {
  subject: string;
  body: string;
  /** e.g. 'pt', 'en': only used to report figures per language. */
  language?: string;
  department: string;
  category?: string;
  priority?: Priority;
  /** How much this example counts in training (an agent's correction counts more); default 1. */
  weight?: number;
}

/** Longer text is accepted and cut: the model only reads the start of a ticket anyway. */
const KEEP_SUBJECT_CHARS = 1_000;
const KEEP_BODY_CHARS = 20_000;

const label = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'letters, digits, - and _ only, at most 40');

const exampleSchema = z
  .object({
    subject: z.string().default(''),
    body: z.string().default(''),
    language: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})?$/, 'a language tag such as pt, en or pt-br')
      .optional(),
    department: label,
    category: label.optional(),
    priority: z.enum(priorities).optional(),
    weight: z.number().positive().max(100).optional(),
  })
  .refine((e) => e.subject.trim() !== '' || e.body.trim() !== '', { message: 'subject and body are both empty', path: ['subject'] });

export type ExampleCheck = { ok: true; example: TriageExample } | { ok: false; reason: string };

/** One example, or why it cannot be one (e.g. "department: Required"). Unknown fields are ignored. */
export function checkTriageExample(raw: unknown): ExampleCheck {
  // null and undefined optional fields count as absent, as in a JSON export from another desk.
  const cleaned = raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null && v !== undefined)) : raw;
  const parsed = exampleSchema.safeParse(cleaned);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const where = first.path.length ? `${first.path.join('.')}: ` : '';
    return { ok: false, reason: `${where}${first.message}` };
  }
  const e = parsed.data;
  const example: TriageExample = {
    subject: e.subject.slice(0, KEEP_SUBJECT_CHARS),
    body: e.body.slice(0, KEEP_BODY_CHARS),
    department: e.department,
  };
  if (e.language !== undefined) example.language = e.language.slice(0, 2);
  if (e.category !== undefined) example.category = e.category;
  if (e.priority !== undefined) example.priority = e.priority;
  if (e.weight !== undefined) example.weight = e.weight;
  return { ok: true, example };
}

export interface RejectedLine {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

/** A JSON Lines file of examples: the good ones, and each bad line by number with its reason. Blank lines are skipped silently. */
export function parseTriageExamples(text: string): { examples: TriageExample[]; rejected: RejectedLine[] } {
  const examples: TriageExample[] = [];
  const rejected: RejectedLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      rejected.push({ line: i + 1, reason: `not JSON: ${(err as Error).message}` });
      continue;
    }
    const checked = checkTriageExample(raw);
    if (checked.ok) examples.push(checked.example);
    else rejected.push({ line: i + 1, reason: checked.reason });
  }
  return { examples, rejected };
}
