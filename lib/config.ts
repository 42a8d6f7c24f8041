import type { Node } from 'constructs';

/**
 * Deployment configuration, read once from CDK context (cdk.json or `-c key=value`).
 * Keys are flat and prefixed so each can be overridden from the command line.
 */
export const languages = ['en', 'pt-BR'] as const;
export type Language = (typeof languages)[number];

export interface HelpdeskConfig {
  /** Short stage name (e.g. `dev`, `prod`): part of the stack name and a tag. */
  readonly stage: string;
  /** Language of customer-facing mail when a ticket has none of its own. */
  readonly defaultLanguage: Language;
  /** Where alarms go; no subscription when absent. */
  readonly alarmEmail?: string;
  /**
   * The domain customers write to (e.g. `support.example.com`). Without it the stack has no
   * SES receipt rule set and no sending identity: mail is off (an info annotation says so).
   */
  readonly supportDomain?: string;
  /**
   * Addresses at `supportDomain` that open tickets; `support@<supportDomain>` by default.
   * Set only when `supportDomain` is. Plus-addressed forms (`support+token@…`) match too.
   */
  readonly supportAddresses?: readonly string[];
  /** Display name on outgoing mail and the customer pages; the stack gives functions "Help desk" when unset (DESK_NAME). */
  readonly deskName?: string;
  /**
   * Browser origins allowed by CORS besides the dashboard's own CloudFront origin, which the
   * stack always adds (e.g. a custom domain, or `http://localhost:5173` for a dev server against
   * this stack). `[]`: the dashboard only. `['*']`: any origin (bearer tokens, no cookies).
   */
  readonly allowedOrigins: readonly string[];
  /**
   * A Route 53 public hosted zone that holds `supportDomain` (the domain itself or a parent).
   * When set, the stack creates the MX and DKIM records there; otherwise it outputs them.
   */
  readonly hostedZone?: { readonly id: string; readonly name: string };
  /** The desks tickets are routed to: internal (IT, HR…) and external (customer support). */
  readonly departments: readonly DepartmentConfig[];
  /** How long data is kept. `undefined`: kept until erased by hand. */
  readonly retention: RetentionConfig;
}

export interface DepartmentConfig {
  /** Lowercase id used in tickets, queues and the policy's roundRobin (`it`, `support`). */
  readonly id: string;
  readonly name: { readonly en: string; readonly 'pt-BR': string };
  readonly kind: 'internal' | 'external';
  /**
   * A confidential desk (HR, finance): its tickets never appear, not even as a count, to anyone
   * outside it, admins included; an admin who must see them adds themselves, which the admin
   * audit records. Default false.
   */
  readonly restricted?: boolean;
}

export interface RetentionConfig {
  /** Days after closing when a ticket and everything under it is deleted (report counts stay). */
  readonly closedTicketDays?: number;
  /** Days raw inbound MIME is kept in S3 (the ticket keeps the parsed mail and attachments). */
  readonly rawMailDays?: number;
}

/** The desks a fresh install has; `helpdesk:departments` replaces the whole list. */
export const defaultDepartments: readonly DepartmentConfig[] = [
  { id: 'support', name: { en: 'Customer support', 'pt-BR': 'Suporte ao cliente' }, kind: 'external' },
  { id: 'it', name: { en: 'IT', 'pt-BR': 'TI' }, kind: 'internal' },
  { id: 'hr', name: { en: 'Human resources', 'pt-BR': 'Recursos humanos' }, kind: 'internal' },
  { id: 'finance', name: { en: 'Finance', 'pt-BR': 'Financeiro' }, kind: 'internal' },
  { id: 'facilities', name: { en: 'Facilities', 'pt-BR': 'Infraestrutura predial' }, kind: 'internal' },
];

/** Raw MIME is only needed to re-process or investigate a mail; 90 days unless configured. */
export const defaultRawMailDays = 90;

export const contextKeys = {
  stage: 'helpdesk:stage',
  defaultLanguage: 'helpdesk:defaultLanguage',
  alarmEmail: 'helpdesk:alarmEmail',
  supportDomain: 'helpdesk:supportDomain',
  supportAddresses: 'helpdesk:supportAddresses',
  deskName: 'helpdesk:deskName',
  allowedOrigins: 'helpdesk:allowedOrigins',
  hostedZoneId: 'helpdesk:hostedZoneId',
  hostedZoneName: 'helpdesk:hostedZoneName',
  departments: 'helpdesk:departments',
  closedTicketRetentionDays: 'helpdesk:closedTicketRetentionDays',
  rawMailRetentionDays: 'helpdesk:rawMailRetentionDays',
} as const;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid helpdesk configuration (CDK context):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const STAGE = /^[a-z][a-z0-9-]{0,15}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;
/**
 * A plain local part: no `+` (the desk adds `+<token>` itself for replies) and nothing that
 * needs quoting. The domain part is checked against the support domain separately.
 */
const LOCAL_PART = /^[a-z0-9!#$%&'*/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*/=?^_`{|}~-]+)*$/;
/** SES accepts at most 100 recipients in one receipt rule. */
const MAX_SUPPORT_ADDRESSES = 100;
/** Goes into a From header as a display name: printable, no quotes, brackets or line breaks. */
const DESK_NAME = /^[^\p{Cc}"<>\\]{1,64}$/u;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const DEPARTMENT_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const DEPARTMENT_NAME = /^[^\p{Cc}<>]{1,80}$/u;
const MAX_DEPARTMENTS = 50;
const MAX_RETENTION_DAYS = 10 * 365;

/** An array in cdk.json, or a comma-separated string from `-c`. */
function optionalList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
  const text = optionalString(value);
  return text === undefined ? undefined : text.split(',').map((v) => v.trim()).filter(Boolean);
}

/** Empty strings count as unset, so `-c helpdesk:alarmEmail=` clears a value from cdk.json. */
function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value.trim() : String(value);
}

/** Validate raw context values; every problem is reported at once. */
export function parseConfig(raw: Readonly<Record<string, unknown>>): HelpdeskConfig {
  const problems: string[] = [];

  const stage = optionalString(raw[contextKeys.stage]) ?? 'dev';
  if (!STAGE.test(stage)) {
    problems.push(`${contextKeys.stage} must match ${STAGE} (lowercase, starts with a letter, ≤ 16 chars); got ${JSON.stringify(stage)}`);
  }

  const language = optionalString(raw[contextKeys.defaultLanguage]) ?? 'en';
  if (!(languages as readonly string[]).includes(language)) {
    problems.push(`${contextKeys.defaultLanguage} must be one of ${languages.join(', ')}; got ${JSON.stringify(language)}`);
  }

  const alarmEmail = optionalString(raw[contextKeys.alarmEmail]);
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    problems.push(`${contextKeys.alarmEmail} must be an email address; got ${JSON.stringify(alarmEmail)}`);
  }

  const supportDomain = optionalString(raw[contextKeys.supportDomain])?.toLowerCase();
  if (supportDomain !== undefined && !DOMAIN.test(supportDomain)) {
    problems.push(`${contextKeys.supportDomain} must be a domain name such as support.example.com; got ${JSON.stringify(supportDomain)}`);
  }

  const rawAddresses = optionalList(raw[contextKeys.supportAddresses]);
  let supportAddresses: string[] | undefined;
  if (supportDomain === undefined) {
    if (rawAddresses !== undefined && rawAddresses.length > 0) {
      problems.push(`${contextKeys.supportAddresses} needs ${contextKeys.supportDomain}: the addresses must belong to the support domain`);
    }
  } else {
    supportAddresses = rawAddresses === undefined || rawAddresses.length === 0 ? [`support@${supportDomain}`] : rawAddresses.map((a) => a.toLowerCase());
    const bad = supportAddresses.filter((a) => {
      const at = a.lastIndexOf('@');
      return at < 1 || !LOCAL_PART.test(a.slice(0, at)) || a.slice(at + 1) !== supportDomain;
    });
    if (bad.length > 0) {
      problems.push(
        `${contextKeys.supportAddresses} must be plain addresses at ${supportDomain} (no "+label", which the desk adds for reply tokens), ` +
          `such as support@${supportDomain}; not ${bad.map((a) => JSON.stringify(a)).join(', ')}`,
      );
    }
    const duplicates = supportAddresses.filter((a, i) => supportAddresses!.indexOf(a) !== i);
    if (duplicates.length > 0) problems.push(`${contextKeys.supportAddresses} lists ${[...new Set(duplicates)].join(', ')} more than once`);
    if (supportAddresses.length > MAX_SUPPORT_ADDRESSES) {
      problems.push(`${contextKeys.supportAddresses} has ${supportAddresses.length} addresses; an SES receipt rule takes at most ${MAX_SUPPORT_ADDRESSES}`);
    }
  }

  const deskName = optionalString(raw[contextKeys.deskName]);
  if (deskName !== undefined && !DESK_NAME.test(deskName)) {
    problems.push(`${contextKeys.deskName} must be 1–64 characters without quotes, angle brackets, backslashes or line breaks; got ${JSON.stringify(deskName)}`);
  }

  // An array in cdk.json, or a comma-separated string from `-c`.
  const rawOrigins = raw[contextKeys.allowedOrigins];
  // By default only the dashboard's own origin may call the API from a browser.
  let allowedOrigins: string[] = [];
  if (Array.isArray(rawOrigins)) {
    allowedOrigins = rawOrigins.map((o) => String(o).trim());
  } else if (optionalString(rawOrigins) !== undefined) {
    allowedOrigins = optionalString(rawOrigins)!.split(',').map((o) => o.trim()).filter(Boolean);
  }
  const badOrigins = allowedOrigins.filter((o) => o !== '*' && !ORIGIN.test(o));
  if (badOrigins.length > 0 || (allowedOrigins.includes('*') && allowedOrigins.length > 1)) {
    problems.push(
      `${contextKeys.allowedOrigins} must be ["*"], [] (the dashboard only) or a list of origins like https://desk.example.com; got ${JSON.stringify(rawOrigins)}`,
    );
  }

  const hostedZoneId = optionalString(raw[contextKeys.hostedZoneId]);
  const hostedZoneName = optionalString(raw[contextKeys.hostedZoneName])?.toLowerCase().replace(/\.$/, '');
  let hostedZone: { id: string; name: string } | undefined;
  if (hostedZoneId !== undefined || hostedZoneName !== undefined) {
    if (hostedZoneId === undefined || hostedZoneName === undefined) {
      problems.push(`${contextKeys.hostedZoneId} and ${contextKeys.hostedZoneName} go together: set both (e.g. Z0123456789ABC and example.com) or neither`);
    } else if (!HOSTED_ZONE_ID.test(hostedZoneId)) {
      problems.push(`${contextKeys.hostedZoneId} must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ; got ${JSON.stringify(hostedZoneId)}`);
    } else if (!DOMAIN.test(hostedZoneName)) {
      problems.push(`${contextKeys.hostedZoneName} must be a domain name such as example.com; got ${JSON.stringify(hostedZoneName)}`);
    } else if (supportDomain === undefined) {
      problems.push(`${contextKeys.hostedZoneId} needs ${contextKeys.supportDomain}: the zone is where the support domain's mail records go`);
    } else if (supportDomain !== hostedZoneName && !supportDomain.endsWith(`.${hostedZoneName}`)) {
      problems.push(`${contextKeys.supportDomain} (${supportDomain}) is not inside the hosted zone ${hostedZoneName}`);
    } else {
      hostedZone = { id: hostedZoneId, name: hostedZoneName };
    }
  }

  const departments = parseDepartments(raw[contextKeys.departments], problems);

  const retentionDays = (key: string, fallback: number | undefined): number | undefined => {
    const value = raw[key];
    if (value === undefined || value === null || value === '') return fallback;
    // `-c key=off` (or 0) keeps data until erased by hand.
    if (value === 'off' || value === 0 || value === '0') return undefined;
    const days = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
      problems.push(`${key} must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or "off"; got ${JSON.stringify(value)}`);
      return undefined;
    }
    return days;
  };
  const closedTicketDays = retentionDays(contextKeys.closedTicketRetentionDays, undefined);
  const rawMailDays = retentionDays(contextKeys.rawMailRetentionDays, defaultRawMailDays);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    stage,
    defaultLanguage: language as Language,
    ...(alarmEmail !== undefined && { alarmEmail }),
    ...(supportDomain !== undefined && { supportDomain }),
    ...(supportAddresses !== undefined && { supportAddresses }),
    ...(deskName !== undefined && { deskName }),
    allowedOrigins,
    ...(hostedZone !== undefined && { hostedZone }),
    departments,
    retention: { ...(closedTicketDays !== undefined && { closedTicketDays }), ...(rawMailDays !== undefined && { rawMailDays }) },
  };
}

/** A JSON array in cdk.json (or a JSON string from `-c`); absent or empty keeps the defaults. */
function parseDepartments(value: unknown, problems: string[]): DepartmentConfig[] {
  const key = contextKeys.departments;
  let list: unknown = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return [...defaultDepartments];
    try {
      list = JSON.parse(value);
    } catch {
      problems.push(`${key} must be a JSON array of {"id", "name": {"en", "pt-BR"}, "kind", "restricted"?}; its text is not JSON`);
      return [];
    }
  }
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) return [...defaultDepartments];
  if (!Array.isArray(list)) {
    problems.push(`${key} must be an array of departments; got ${JSON.stringify(list)}`);
    return [];
  }
  if (list.length > MAX_DEPARTMENTS) problems.push(`${key} has ${list.length} departments; at most ${MAX_DEPARTMENTS}`);
  const out: DepartmentConfig[] = [];
  list.forEach((entry: unknown, i) => {
    const d = entry as { id?: unknown; name?: { en?: unknown; 'pt-BR'?: unknown } | unknown; kind?: unknown; restricted?: unknown } | null;
    const name = (d?.name ?? {}) as { en?: unknown; 'pt-BR'?: unknown };
    const where = `${key}[${i}]`;
    const bad: string[] = [];
    if (typeof d?.id !== 'string' || !DEPARTMENT_ID.test(d.id)) bad.push(`"id" must match ${DEPARTMENT_ID} (e.g. "it")`);
    for (const lang of languages) {
      if (typeof name[lang] !== 'string' || !DEPARTMENT_NAME.test(name[lang] as string)) bad.push(`"name.${lang}" must be 1–80 characters without angle brackets`);
    }
    if (d?.kind !== 'internal' && d?.kind !== 'external') bad.push('"kind" must be "internal" or "external"');
    if (d?.restricted !== undefined && typeof d.restricted !== 'boolean') bad.push('"restricted" must be true or false');
    if (d !== null && typeof d === 'object') {
      const extra = Object.keys(d).filter((k) => !['id', 'name', 'kind', 'restricted'].includes(k));
      if (extra.length > 0) bad.push(`unknown keys ${extra.join(', ')}`);
    }
    if (bad.length > 0) problems.push(`${where}: ${bad.join('; ')}`);
    else
      out.push({
        id: d!.id as string,
        name: { en: name.en as string, 'pt-BR': name['pt-BR'] as string },
        kind: d!.kind as 'internal' | 'external',
        ...(d!.restricted === true && { restricted: true }),
      });
  });
  const ids = out.map((d) => d.id);
  const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (repeated.length > 0) problems.push(`${key} lists the id ${repeated.join(', ')} more than once`);
  return out;
}

/** Read the configuration from a construct node's context (normally the App's). */
export function loadConfig(node: Node): HelpdeskConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.values(contextKeys)) raw[key] = node.tryGetContext(key);
  return parseConfig(raw);
}
