import { z } from 'zod';
import { channels, priorities, statuses, levels } from './ticket.ts';

/**
 * Input schemas with size limits. Objects are strict: an unknown key is an
 * error, so a typo such as `priorty` never passes silently.
 */
const text = (max: number) => z.string().trim().min(1).max(max);
export const email = z.string().trim().toLowerCase().max(254).pipe(z.email());
export const slug = z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'letters, digits, - and _ only, at most 40');
const tag = z.string().trim().toLowerCase().regex(/^[\p{L}\p{N}][\p{L}\p{N}_.:-]{0,39}$/u, 'a word of at most 40 characters');

export const limits = {
  subject: 250,
  body: 64_000,
  tags: 20,
  /** Bytes of JSON a request may carry; above this is a 413. */
  requestBytes: 128 * 1024,
  /** Per file, and files per message: a reply stays well under SES's 40 MB. */
  attachmentBytes: 10 * 1024 * 1024,
  attachmentsPerMessage: 10,
} as const;

export const createTicketBody = z.strictObject({
  requester: z.strictObject({ email, name: text(200).optional() }),
  subject: text(limits.subject),
  body: text(limits.body),
  channel: z.enum(channels),
  priority: z.enum(priorities).optional(),
  category: slug.optional(),
  department: slug.optional(),
  tags: z.array(tag).max(limits.tags).optional(),
});

export const updateTicketBody = z
  .strictObject({
    version: z.number().int().positive().optional(),
    status: z.enum(statuses).optional(),
    priority: z.enum(priorities).optional(),
    /** Escalate by hand (or hand back): 1, 2 or 3. */
    level: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
    category: slug.nullable().optional(),
    department: slug.nullable().optional(),
    assignee: email.nullable().optional(),
    tags: z.array(tag).max(limits.tags).optional(),
    /** false releases a ticket from the spam view; true sends it there. */
    spam: z.boolean().optional(),
    /** Who else is copied on replies: the whole list, as the agent leaves it (adding or removing people). */
    participants: z.array(email).max(50).optional(),
    /** Accept triage's suggestion: a dispatch ticket goes to the suggested department, and the verdict counts in the triage report. */
    acceptTriage: z.literal(true).optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'version'), { message: 'Nothing to change' });

export const addMessageBody = z.strictObject({
  kind: z.enum(['reply', 'note']),
  body: text(limits.body),
  /** Files uploaded first through POST /tickets/{id}/attachments. */
  attachments: z
    .array(z.strictObject({ key: z.string().min(1).max(1024) }))
    .max(limits.attachmentsPerMessage)
    .optional(),
});

export const createUploadBody = z.strictObject({
  filename: text(200),
  contentType: z
    .string()
    .trim()
    .toLowerCase()
    .max(100)
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, 'a MIME type such as application/pdf'),
  size: z.number().int().min(1).max(limits.attachmentBytes),
});

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(200)
    .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(item).min(1).max(10));

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(8192).optional(),
};

export const listTicketsQuery = z.strictObject({
  ...pageQuery,
  department: slug.optional(),
  level: z.coerce.number().pipe(z.union(levels.map((l) => z.literal(l)))).optional(),
  status: csv(z.enum(statuses)).optional(),
  /** An agent's email, or `none` for the unassigned pool. */
  assignee: z.union([z.literal('none'), email]).optional(),
  requester: email.optional(),
  /** `true`: the spam view (mail marked as spam on arrival), whatever its status. */
  spam: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type ListTicketsQuery = z.infer<typeof listTicketsQuery>;

export const historyQuery = z.strictObject(pageQuery);

export const ticketIdParam = z.strictObject({ id: z.string().max(64) });
/** GET /tickets/{id}/attachments: the file's key, as the ticket lists it. */
export const attachmentKeyQuery = z.strictObject({ key: z.string().min(1).max(1024) });
export const emailParam = z.strictObject({ email });

/** GET /search: `q` is a ticket number (`#123`), a requester's email, or subject words (see search-terms.ts). */
export const searchQuery = z.strictObject({
  q: z.string().max(200, 'at most 200 characters'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-11-22');

/** GET /reports: a range of days (both included; the last 30 by default), as JSON or CSV. */
export const reportQuery = z.strictObject({
  from: day.optional(),
  to: day.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
