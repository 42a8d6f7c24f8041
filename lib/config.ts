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
  /** Display name on outgoing mail; the mail code defaults to "Help desk". */
  readonly deskName?: string;
  /**
   * Browser origins allowed by CORS besides the dashboard's own CloudFront origin, which the
   * stack always adds (e.g. a custom domain, or `http://localhost:5173` for a dev server against
   * this stack). `[]`: the dashboard only. `['*']`: any origin (bearer tokens, no cookies).
   */
  readonly allowedOrigins: readonly string[];
}

export const contextKeys = {
  stage: 'helpdesk:stage',
  defaultLanguage: 'helpdesk:defaultLanguage',
  alarmEmail: 'helpdesk:alarmEmail',
  supportDomain: 'helpdesk:supportDomain',
  supportAddresses: 'helpdesk:supportAddresses',
  deskName: 'helpdesk:deskName',
  allowedOrigins: 'helpdesk:allowedOrigins',
} as const;

export class ConfigError extends Error {
  constructor(problems: readonly string[]) {
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

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    stage,
    defaultLanguage: language as Language,
    ...(alarmEmail !== undefined && { alarmEmail }),
    ...(supportDomain !== undefined && { supportDomain }),
    ...(supportAddresses !== undefined && { supportAddresses }),
    ...(deskName !== undefined && { deskName }),
    allowedOrigins,
  };
}

/** Read the configuration from a construct node's context (normally the App's). */
export function loadConfig(node: Node): HelpdeskConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.values(contextKeys)) raw[key] = node.tryGetContext(key);
  return parseConfig(raw);
}
