import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The forms customers post from our pages (the web form that opens a ticket,
 * the reply box of the status page): reading the raw request body and
 * validating it. Browsers send `application/x-www-form-urlencoded`; API
 * Gateway may hand it over base64-encoded. Anything else, anything too big,
 * anything that is not UTF-8 is refused before it is parsed.
 *
 * Validation returns field errors as codes (the pages word them in the
 * customer's language) together with the values as typed, so a form can be
 * shown again with nothing lost.
 */
export const formLimits = {
  /** A whole form request, in bytes. */
  requestBytes: 32 * 1024,
  name: 200,
  email: 254,
  subject: 250,
  /** Characters: with URL encoding, even accented text stays well under requestBytes. */
  message: 5000,
  /** A survey comment, in characters once its line ends are normalised and its ends trimmed. */
  comment: 2000,
} as const;

export type FormProblem = 'too_large' | 'unsupported_type' | 'bad_form';
export type FieldError = 'required' | 'too_long' | 'invalid_email' | 'our_address' | 'invalid';

export type RawForm = { ok: true; fields: Record<string, string> } | { ok: false; problem: FormProblem };

/** The body of a form POST as named fields (the first value of each), or what is wrong with it. */
export function readForm(body: string | undefined | null, isBase64Encoded: boolean | undefined, contentType: string | undefined): RawForm {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return { ok: false, problem: 'unsupported_type' };
  const raw = body ?? '';
  // Measured before decoding: base64 is a third longer than the bytes it carries.
  if (raw.length > (isBase64Encoded ? Math.ceil((formLimits.requestBytes * 4) / 3) + 4 : formLimits.requestBytes * 4)) return { ok: false, problem: 'too_large' };
  const bytes = isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > formLimits.requestBytes) return { ok: false, problem: 'too_large' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'bad_form' };
  }
  // URL-encoded text is printable ASCII; raw control bytes mean this is not a form.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { ok: false, problem: 'bad_form' };
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const [name, value] of new URLSearchParams(text)) {
    if (++count > 50) return { ok: false, problem: 'bad_form' };
    if (!(name in fields)) fields[name] = value;
  }
  return { ok: true, fields: { ...fields } };
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g;
/** One line: control characters and runs of white space become one space. */
const flat = (s: string) => s.replace(/\r\n?|\n/g, ' ').replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
/** Several lines: CRLF becomes LF; other control characters (bar tab) go. */
const lines = (s: string) => s.replace(/\r\n?/g, '\n').replace(CONTROLS, '').trim();

const oneLine = (max: number) => z.string().max(max * 4).transform(flat).pipe(z.string().max(max));
const multiLine = (max: number) => z.string().max(max * 4).transform(lines).pipe(z.string().min(1).max(max));

export const helpFormSchema = z.strictObject({
  name: oneLine(formLimits.name).optional(),
  email: z
    .string()
    .max(formLimits.email * 4)
    .transform((s) => flat(s).toLowerCase())
    .pipe(z.string().min(1).max(formLimits.email))
    .pipe(z.email()),
  subject: oneLine(formLimits.subject).pipe(z.string().min(1)),
  message: multiLine(formLimits.message),
  /** The honeypot: people never see it, so it stays empty. */
  website: z.string().max(2000).optional(),
  /** The language the form was shown in: the ticket's language. */
  lang: z.enum(['en', 'pt-BR']).optional(),
});

export type HelpFormField = 'name' | 'email' | 'subject' | 'message';
export const helpFormFields: readonly HelpFormField[] = ['name', 'email', 'subject', 'message'];
export type HelpFormValues = Record<HelpFormField, string>;

export interface HelpForm {
  name?: string;
  email: string;
  subject: string;
  message: string;
  lang?: 'en' | 'pt-BR';
}

export type HelpFormCheck =
  | { ok: true; honeypot: boolean; form: HelpForm }
  | { ok: false; honeypot: boolean; errors: Partial<Record<HelpFormField | 'form', FieldError>>; values: HelpFormValues; lang?: 'en' | 'pt-BR' };

/**
 * Validates the web form. A filled honeypot is reported as such whatever else
 * is wrong, so the caller can answer a robot exactly as it answers a person.
 */
export function checkHelpForm(fields: Record<string, string>, supportAddresses: readonly string[] = []): HelpFormCheck {
  const honeypot = (fields.website ?? '').trim() !== '';
  const values = Object.fromEntries(helpFormFields.map((f) => [f, (fields[f] ?? '').slice(0, formLimits.message * 2)])) as HelpFormValues;
  const lang = fields.lang === 'en' || fields.lang === 'pt-BR' ? fields.lang : undefined;
  const parsed = helpFormSchema.safeParse(fields);
  const errors = parsed.success ? {} : fieldErrors(parsed.error.issues, helpFormFields);
  if (parsed.success && isOurAddress(parsed.data.email, supportAddresses)) errors.email = 'our_address';
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, honeypot, errors, values, ...(lang ? { lang } : {}) };
  const { name, email, subject, message } = parsed.data;
  return { ok: true, honeypot, form: { ...(name ? { name } : {}), email, subject, message, ...(lang ? { lang } : {}) } };
}

export const statusReplySchema = z.strictObject({
  token: z.string().min(1).max(1000),
  message: multiLine(formLimits.message),
});

export type StatusReplyCheck =
  | { ok: true; token: string; message: string }
  | { ok: false; token: string | undefined; error: FieldError; message: string };

/** Validates the status page's reply box. Without a token there is no ticket to show the error on. */
export function checkStatusReply(fields: Record<string, string>): StatusReplyCheck {
  const parsed = statusReplySchema.safeParse(fields);
  if (parsed.success) return { ok: true, ...parsed.data };
  const token = typeof fields.token === 'string' && fields.token.length > 0 && fields.token.length <= 1000 ? fields.token : undefined;
  const errors = fieldErrors(parsed.error.issues, ['token', 'message']);
  const error = errors.message ?? (errors.token ? 'invalid' : errors.form ?? 'invalid');
  return { ok: false, token, error, message: (fields.message ?? '').slice(0, formLimits.message * 2) };
}

/** The signed link's token in a customer page's path (GET /status/{token}, /survey/{token}). */
export const linkTokenParams = z.strictObject({ token: z.string() });

/**
 * The survey form (POST /survey/comment): the signed token, the rating when the
 * rating page sent it, and the comment box's text when it has one. Fields it does not
 * name are ignored, as they always were.
 */
export const surveyFormSchema = z.object({
  token: z.string().min(1),
  rating: z.enum(['1', '2', '3', '4', '5']).optional(),
  comment: z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(formLimits.comment))
    .optional()
    .describe(`At most ${formLimits.comment} characters, line ends normalised and the ends trimmed`),
});

export interface SurveyForm {
  token: string;
  rating?: 1 | 2 | 3 | 4 | 5;
  comment?: string;
}

/** Reads the survey form; undefined when it is not one (the page answers a 400). */
export function checkSurveyForm(fields: Record<string, string>): SurveyForm | undefined {
  const parsed = surveyFormSchema.safeParse(fields);
  if (!parsed.success) return undefined;
  const { token, rating, comment } = parsed.data;
  // Sent with a rating, an empty comment box means no comment, not "erase the one I gave".
  const withComment = comment !== undefined && (rating === undefined || comment !== '');
  return { token, ...(rating !== undefined ? { rating: Number(rating) as SurveyForm['rating'] } : {}), ...(withComment ? { comment } : {}) };
}

function fieldErrors<F extends string>(issues: z.ZodError['issues'], known: readonly F[]): Partial<Record<F | 'form', FieldError>> {
  const errors: Partial<Record<F | 'form', FieldError>> = {};
  for (const issue of issues) {
    const field = issue.path[0];
    const key = (typeof field === 'string' && (known as readonly string[]).includes(field) ? field : 'form') as F | 'form';
    if (errors[key]) continue;
    errors[key] =
      // Form values are always strings: a wrong type can only be a missing field.
      issue.code === 'too_small' || issue.code === 'invalid_type'
        ? 'required'
        : issue.code === 'too_big'
          ? 'too_long'
          : issue.code === 'invalid_format' && key === 'email'
            ? 'invalid_email'
            : 'invalid';
  }
  return errors;
}

/** Our own address (or a plus-address of it): a ticket for it would mail the desk itself. */
export function isOurAddress(email: string, supportAddresses: readonly string[]): boolean {
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const base = `${local.split('+')[0]}@${domain}`;
  return supportAddresses.some((a) => a.toLowerCase() === email.toLowerCase() || a.toLowerCase() === base);
}

/**
 * What makes two web submissions the same request: the same person asking the
 * same thing in the same words (white space aside). Hashed: the key holds no
 * personal data.
 */
export function submissionFingerprint(form: Pick<HelpForm, 'email' | 'subject' | 'message'>): string {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  return createHash('sha256').update(JSON.stringify([form.email.toLowerCase(), norm(form.subject), norm(form.message)])).digest('base64url');
}
