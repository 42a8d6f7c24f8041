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
  /** The domain customers write to (e.g. `support.example.com`); mail wiring needs it. */
  readonly supportDomain?: string;
  /** Browser origins allowed by CORS; `['*']` until the dashboard has a known origin. */
  readonly allowedOrigins: readonly string[];
}

export const contextKeys = {
  stage: 'helpdesk:stage',
  defaultLanguage: 'helpdesk:defaultLanguage',
  alarmEmail: 'helpdesk:alarmEmail',
  supportDomain: 'helpdesk:supportDomain',
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

  // An array in cdk.json, or a comma-separated string from `-c`.
  const rawOrigins = raw[contextKeys.allowedOrigins];
  let allowedOrigins: string[] = ['*'];
  if (Array.isArray(rawOrigins)) {
    allowedOrigins = rawOrigins.map((o) => String(o).trim());
  } else if (optionalString(rawOrigins) !== undefined) {
    allowedOrigins = optionalString(rawOrigins)!.split(',').map((o) => o.trim()).filter(Boolean);
  }
  const badOrigins = allowedOrigins.filter((o) => o !== '*' && !ORIGIN.test(o));
  if (allowedOrigins.length === 0 || badOrigins.length > 0 || (allowedOrigins.includes('*') && allowedOrigins.length > 1)) {
    problems.push(`${contextKeys.allowedOrigins} must be ["*"] or a list of origins like https://desk.example.com; got ${JSON.stringify(rawOrigins)}`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    stage,
    defaultLanguage: language as Language,
    ...(alarmEmail !== undefined && { alarmEmail }),
    ...(supportDomain !== undefined && { supportDomain }),
    allowedOrigins,
  };
}

/** Read the configuration from a construct node's context (normally the App's). */
export function loadConfig(node: Node): HelpdeskConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.values(contextKeys)) raw[key] = node.tryGetContext(key);
  return parseConfig(raw);
}
