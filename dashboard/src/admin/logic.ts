/**
 * The admin area's rules, kept free of the DOM so unit tests can read them:
 * what the forms send (only what changed), when an erasure may be sent, and
 * the admin routes' refusals in plain words. The API is the judge; these only
 * spare the admin a round trip and explain its answers.
 */
import { t } from '../i18n/index.ts';

export type AgentLevel = 1 | 2 | 3;
export const ADMIN_GROUP = 'admins';

/** An agent as the admin routes answer with it (GET /admin/agents/{email} adds `status` and `enabled`). */
export interface AgentView {
  email: string;
  name: string;
  level: AgentLevel | null;
  admin: boolean;
  departments: string[];
  groups: string[];
  active: boolean;
  /** Cognito's UserStatus: FORCE_CHANGE_PASSWORD (invited, first sign-in pending), CONFIRMED, MISSING… */
  status?: string;
  enabled?: boolean;
}

export interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  changes?: Record<string, [unknown, unknown]>;
}

export interface ErasureResult {
  erasureId: string;
  at: string;
  pseudonym: string;
  tickets: number;
  ticketIds: string[];
  closedTickets: number;
  remaining: number;
  nothingLeft: boolean;
}

export const isAdmin = (groups: readonly string[]) => groups.includes(ADMIN_GROUP);

/** The level an agent's groups give: the highest; null for an admin with no level. */
export function levelOf(groups: readonly string[]): AgentLevel | null {
  for (const l of [3, 2, 1] as const) if (groups.includes(`agents-l${l}`)) return l;
  return null;
}

/** A row of GET /agents (groups, not level) as the team table shows it. */
export function agentFromList(a: { email: string; name?: string; groups?: string[]; departments?: string[]; active?: boolean }): AgentView {
  const groups = a.groups ?? [];
  return { email: a.email, name: a.name ?? '', level: levelOf(groups), admin: isAdmin(groups), departments: a.departments ?? [], groups, active: a.active !== false };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const normaliseEmail = (s: string) => s.trim().toLowerCase();
export const isEmail = (s: string) => EMAIL.test(s.trim()) && s.trim().length <= 254;

export interface AgentForm {
  email: string;
  name: string;
  level: string;
  admin: boolean;
  departments: string[];
}

export type FieldErrors = Partial<Record<'email' | 'name' | 'level', string>>;

/** POST /admin/agents' body from the invite form, or what to fix first. */
export function inviteBody(f: AgentForm): { ok: true; body: { email: string; name: string; level: AgentLevel; admin: boolean; departments: string[] } } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!isEmail(f.email)) errors.email = t('admin.invalid.email');
  const name = f.name.trim();
  if (!name || name.length > 200) errors.name = t('admin.invalid.name');
  const level = Number(f.level);
  if (level !== 1 && level !== 2 && level !== 3) errors.level = t('admin.invalid.level');
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, body: { email: normaliseEmail(f.email), name, level: level as AgentLevel, admin: f.admin, departments: [...new Set(f.departments)] } };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * PATCH /admin/agents/{email}'s body: only the fields the admin changed
 * (level and admin go together when either changed, as the API sets groups from both).
 * null when nothing changed; errors when the form cannot be sent.
 */
export function agentPatch(
  before: AgentView,
  f: Omit<AgentForm, 'email'>,
): { ok: true; body: { name?: string; level?: AgentLevel; admin?: boolean; departments?: string[] } | null } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const name = f.name.trim();
  if (!name || name.length > 200) errors.name = t('admin.invalid.name');
  const level = f.level === '' ? null : Number(f.level);
  if (level !== null && level !== 1 && level !== 2 && level !== 3) errors.level = t('admin.invalid.level');
  // Everyone keeps a level or admin rights (the API's level_required).
  if (level === null && !f.admin) errors.level = t('admin.invalid.level');
  if (Object.keys(errors).length) return { ok: false, errors };
  const body: { name?: string; level?: AgentLevel; admin?: boolean; departments?: string[] } = {};
  if (name !== before.name) body.name = name;
  if (level !== before.level && level !== null) body.level = level as AgentLevel;
  if (f.admin !== before.admin) body.admin = f.admin;
  const departments = [...new Set(f.departments)];
  if (!sameSet(departments, before.departments)) body.departments = departments;
  return { ok: true, body: Object.keys(body).length ? body : null };
}

/** An erasure may be sent once the address is valid, typed the same twice, and the admin has confirmed. */
export function erasureReady(first: string, second: string, confirmed: boolean): { ready: boolean; mismatch: boolean; invalid: boolean } {
  const a = normaliseEmail(first);
  const b = normaliseEmail(second);
  const invalid = a !== '' && !isEmail(a);
  const mismatch = b !== '' && a !== b;
  return { ready: a !== '' && !invalid && a === b && confirmed, mismatch, invalid };
}

export const CANNED_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A canned response's id from its English title: "Password reset!" → "password-reset". */
export function cannedIdFrom(title: string): string {
  return title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

export interface CannedForm {
  id: string;
  titleEn: string;
  titlePt: string;
  bodyEn: string;
  bodyPt: string;
}

export type CannedErrors = Partial<Record<keyof CannedForm, string>>;

/** PUT /admin/canned-responses/{id}'s id and body, or what to fix first. */
export function cannedBody(
  f: CannedForm,
): { ok: true; id: string; body: { title: { en: string; 'pt-BR': string }; body: { en: string; 'pt-BR': string } } } | { ok: false; errors: CannedErrors } {
  const errors: CannedErrors = {};
  const id = f.id.trim().toLowerCase();
  if (!CANNED_ID.test(id)) errors.id = t('admin.invalid.cannedId');
  for (const [k, max] of [
    ['titleEn', 200],
    ['titlePt', 200],
    ['bodyEn', 10_000],
    ['bodyPt', 10_000],
  ] as const) {
    const v = f[k].trim();
    if (!v) errors[k] = t('admin.invalid.required');
    else if (v.length > max) errors[k] = t('admin.invalid.tooLong', { max });
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, id, body: { title: { en: f.titleEn.trim(), 'pt-BR': f.titlePt.trim() }, body: { en: f.bodyEn.trim(), 'pt-BR': f.bodyPt.trim() } } };
}

/** The admin routes' refusals in plain words; undefined leaves the general wording (network, session…) to the caller. */
export function adminErrorText(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { status?: unknown; code?: unknown; message?: unknown; details?: unknown };
  const status = typeof e.status === 'number' ? e.status : 0;
  const code = typeof e.code === 'string' ? e.code : '';
  switch (code) {
    case 'agent_exists':
      return t('admin.error.agentExists');
    case 'cannot_disable_self':
      return t('admin.error.cannotDisableSelf');
    case 'cannot_demote_self':
      return t('admin.error.cannotDemoteSelf');
    case 'level_required':
      return t('admin.error.levelRequired');
    case 'canned_response_changed':
      return t('admin.error.cannedChanged');
    case 'unknown_department': {
      const unknown = (e.details as { unknown?: unknown } | undefined)?.unknown;
      const list = Array.isArray(unknown) ? unknown.filter((x): x is string => typeof x === 'string').join(', ') : '';
      return t('admin.error.unknownDepartment', { departments: list || '?' });
    }
  }
  if (status === 403) return t('admin.error.forbidden');
  if (status === 404) return t('admin.error.notFound');
  if (status === 400) {
    const details = Array.isArray(e.details) ? e.details : [];
    const parts = details
      .map((d) => (d && typeof d === 'object' ? (d as { path?: unknown; message?: unknown }) : {}))
      .filter((d) => typeof d.message === 'string')
      .map((d) => (typeof d.path === 'string' && d.path ? `${fieldName(d.path)}: ${String(d.message)}` : String(d.message)));
    if (parts.length) return t('admin.error.invalid', { details: parts.join('; ') });
    if (code === 'invalid_cursor') return t('admin.error.cursor');
    return t('admin.error.invalid', { details: typeof e.message === 'string' ? e.message : '' });
  }
  return undefined;
}

/** A body field's path ("title.pt-BR") in the admin's words where we have them. */
function fieldName(path: string): string {
  const known: Record<string, string> = {
    email: t('admin.field.email'),
    name: t('admin.field.name'),
    level: t('admin.field.level'),
    departments: t('admin.field.departments'),
    reason: t('admin.field.reason'),
    id: t('admin.field.id'),
  };
  return known[path] ?? path;
}

/** One audit record's changes as "field: before → after" lines (arrays joined, objects shortened). */
export function auditChangeLines(r: AuditRecord): string[] {
  if (!r.changes) return [];
  return Object.entries(r.changes).map(([field, [before, after]]) => {
    const b = show(before);
    const a = show(after);
    return b === '—' ? `${field}: ${a}` : `${field}: ${b} → ${a}`;
  });
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : '—';
  if (typeof v === 'object') {
    const s = JSON.stringify(v);
    return s.length > 120 ? `${s.slice(0, 117)}…` : s;
  }
  return String(v);
}

/** The next audit page added to those already shown, without repeating a record. */
export function appendAudit(shown: readonly AuditRecord[], next: readonly AuditRecord[]): AuditRecord[] {
  const seen = new Set(shown.map((r) => r.id));
  return [...shown, ...next.filter((r) => !seen.has(r.id))];
}

/** The team in a stable order: active first, then by name (or address). */
export function sortTeam(agents: readonly AgentView[]): AgentView[] {
  return [...agents].sort((a, b) => Number(!a.active) - Number(!b.active) || (a.name || a.email).localeCompare(b.name || b.email) || a.email.localeCompare(b.email));
}
