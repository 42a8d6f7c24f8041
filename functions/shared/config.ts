import { functionNamed, functions, type FunctionDefinition, type FunctionName, type Needs } from '#definitions/functions';
import { metricsNamespace, serviceName } from '#definitions/metrics';

/**
 * The one place a function reads its environment. Every handler builds its
 * configuration once, at load, with its own manifest name:
 *
 *   const config = await configFor('AddMessage');
 *
 * It reads exactly the variables its manifest needs bring (environmentOf in
 * lib/definitions/functions.ts), checks them, and stops the function at load
 * naming the variable that is missing or wrong. The type follows the needs: a
 * function without a bucket has no `mailBucket`, so reading one does not compile,
 * and nothing here hands it a variable it did not declare, in AWS or locally.
 *
 * `runtime` holds the runtime's own knobs (runtimeVariables in the manifest).
 */

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Mail settings; present only when mail is on (MAIL_ENABLED=true). */
export interface MailSettings {
  /** The addresses customers write to, lower case. */
  readonly supportAddresses: string[];
  readonly fromAddress: string;
  readonly configurationSet: string | undefined;
  readonly defaultLanguage: 'en' | 'pt-BR';
  /** Mail carries signed reply tokens: the signing key comes with the mail need. */
  readonly replyTokenSecret: string;
}

/** The configuration a set of needs brings: each need adds its fields, and only those. */
export type ConfigOfNeeds<T> = { readonly functionName: string } & (T extends { readonly table: unknown } ? { readonly tableName: string } : unknown) &
  // Waking a wait needs only the token kept in the table; starting and stopping need the machine.
  (T extends { readonly lifecycle: readonly 'wake'[] } ? unknown : T extends { readonly lifecycle: readonly unknown[] } ? { readonly stateMachineArn: string } : unknown) &
  (T extends { readonly mail: true } ? { readonly mail: MailSettings | undefined } : unknown) &
  (T extends { readonly signingKey: true } ? { readonly signingKey: string } : unknown) &
  (T extends { readonly publicUrl: true } ? { readonly publicUrl: string } : unknown) &
  (T extends { readonly deskName: true } ? { readonly deskName: string } : unknown) &
  (T extends { readonly bucket: unknown } ? { readonly mailBucket: string } : unknown) &
  (T extends { readonly userPool: readonly unknown[] } ? { readonly userPoolId: string } : unknown) &
  (T extends { readonly retention: true } ? { readonly closedTicketDays: number } : unknown);

type NeedsOf<N extends FunctionName> = Extract<(typeof functions)[number], { readonly name: N }>['needs'];

/** A function's configuration, by manifest name. */
export type ConfigOf<N extends FunctionName> = ConfigOfNeeds<NeedsOf<N>>;

/** Any function's configuration, every field optional: what readConfig returns for a manifest entry known only at run time. */
export type AnyConfig = { readonly functionName: string } & Partial<{
  tableName: string;
  stateMachineArn: string;
  mail: MailSettings | undefined;
  signingKey: string;
  publicUrl: string;
  deskName: string;
  mailBucket: string;
  userPoolId: string;
  closedTicketDays: number;
}>;

/** Reads a Secrets Manager secret's string by ARN (AWS); tests pass their own. */
export type SecretReader = (arn: string) => Promise<string>;

const readSecretsManager: SecretReader = async (arn) => {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const res = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!res.SecretString) throw new ConfigError(`The signing secret ${arn} (REPLY_TOKEN_SECRET_ARN) has no string value`);
  return res.SecretString;
};

/**
 * The configuration of function `name`, from `env` (process.env by default).
 * Throws a ConfigError naming every variable that is missing or wrong.
 */
export async function configFor<N extends FunctionName>(name: N, env: Env = process.env, secrets: SecretReader = readSecretsManager): Promise<ConfigOf<N>> {
  return (await readConfig(functionNamed(name), env, secrets)) as ConfigOf<N>;
}

/** The configuration of one manifest entry (any manifest: tests pass altered copies). */
export async function readConfig(fn: FunctionDefinition, env: Env, secrets: SecretReader = readSecretsManager): Promise<AnyConfig> {
  const problems: string[] = [];
  const reader = variables(env, problems);
  const needs: Needs = fn.needs;
  const config: { -readonly [K in keyof AnyConfig]: AnyConfig[K] } = { functionName: fn.name };

  if (needs.table) config.tableName = reader.required('TABLE_NAME');
  if (needs.lifecycle?.some((a) => a !== 'wake')) config.stateMachineArn = reader.required('STATE_MACHINE_ARN');
  if (needs.publicUrl) config.publicUrl = reader.check('PUBLIC_URL', httpUrl);
  if (needs.deskName) config.deskName = reader.required('DESK_NAME');
  if (needs.bucket) config.mailBucket = reader.required('MAIL_BUCKET');
  if (needs.userPool?.length) config.userPoolId = reader.required('USER_POOL_ID');
  if (needs.retention) config.closedTicketDays = reader.check('CLOSED_TICKET_DAYS', wholeDays);

  let mail: Omit<MailSettings, 'replyTokenSecret'> | undefined;
  if (needs.mail) {
    const enabled = reader.check('MAIL_ENABLED', (v) => (v === 'true' ? true : v === 'false' ? false : fail('must be "true" or "false"')));
    if (enabled) {
      const supportAddresses = reader.check('SUPPORT_ADDRESSES', addressList);
      const fromAddress = reader.check('FROM_ADDRESS', (v) => addressList(v).length === 1 ? addressList(v)[0]! : fail('must be one plain address'));
      const defaultLanguage = reader.check('DEFAULT_LANGUAGE', (v) => (v === 'en' || v === 'pt-BR' ? v : fail('must be "en" or "pt-BR"')));
      // Optional: without it SES sends without event publishing (no bounce or complaint tracking).
      const configurationSet = reader.optional('SES_CONFIGURATION_SET');
      mail = { supportAddresses, fromAddress, defaultLanguage, configurationSet };
    }
  }
  const keyNeeded = needs.signingKey || mail !== undefined;
  const keySource = keyNeeded ? signingKeySource(reader) : undefined;

  if (problems.length > 0) throw new ConfigError(`${fn.name} cannot start: ${problems.join('; ')}`);
  const key = keySource ? await signingKey(keySource, secrets) : undefined;
  if (needs.signingKey) config.signingKey = key;
  if (needs.mail) config.mail = mail && { ...mail, replyTokenSecret: key! };
  return config;
}

/** The runtime's own knobs (runtimeVariables in the manifest); the stack sets the Powertools ones, local mode the rest. */
export interface Runtime {
  /** Local mode's `--time-scale`: SLA durations run this many times faster. 1 in AWS. */
  readonly timeScale: number;
  /** Local mode's `--policy` file, over config/policy.json. Absent in AWS. */
  readonly policyOverrides: Record<string, unknown> | undefined;
  /** S3 addressing by path: local mode's S3 emulator answers on one host:port. */
  readonly s3ForcePathStyle: boolean;
  readonly serviceName: string;
  readonly metricsNamespace: string;
}

export function readRuntime(env: Env): Runtime {
  const problems: string[] = [];
  const reader = variables(env, problems);
  const timeScale = reader.optional('TIME_SCALE');
  const overrides = reader.optional('POLICY_OVERRIDES');
  const runtime: Runtime = {
    timeScale: timeScale === undefined ? 1 : reader.check('TIME_SCALE', (v) => (Number.isFinite(Number(v)) && Number(v) >= 1 ? Number(v) : fail('must be a number of at least 1'))),
    policyOverrides: overrides === undefined ? undefined : reader.check('POLICY_OVERRIDES', jsonObject),
    s3ForcePathStyle: reader.optional('S3_FORCE_PATH_STYLE') === 'true',
    serviceName: reader.optional('POWERTOOLS_SERVICE_NAME') ?? serviceName,
    metricsNamespace: reader.optional('POWERTOOLS_METRICS_NAMESPACE') ?? metricsNamespace,
  };
  if (problems.length > 0) throw new ConfigError(`The function cannot start: ${problems.join('; ')}`);
  return runtime;
}

/** Read once per process, when the first module that needs it loads. */
export const runtime: Runtime = readRuntime(process.env);

// Reading and checking.

class Invalid extends Error {}
const fail = (why: string): never => {
  throw new Invalid(why);
};

function variables(env: Env, problems: string[]) {
  const optional = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (name: string): string => {
    const value = optional(name);
    if (value === undefined) problems.push(`${name} is missing`);
    return value ?? '';
  };
  /** A required value through its parser; a bad one is reported with the parser's reason. */
  const check = <T>(name: string, parse: (value: string) => T): T => {
    const value = optional(name);
    if (value === undefined) {
      problems.push(`${name} is missing`);
      return undefined as T;
    }
    try {
      return parse(value);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      // Values are settings, not secrets: shown so the mistake is plain (the signing key is never parsed here).
      problems.push(`${name} ${err.message}, not "${value.slice(0, 200)}"`);
      return undefined as T;
    }
  };
  return { optional, required, check };
}

type KeySource = { arn: string } | { value: string };

function signingKeySource(reader: ReturnType<typeof variables>): KeySource | undefined {
  const arn = reader.optional('REPLY_TOKEN_SECRET_ARN');
  if (arn) return { arn };
  const value = reader.optional('REPLY_TOKEN_SECRET');
  if (value) return { value };
  reader.required('REPLY_TOKEN_SECRET_ARN (or REPLY_TOKEN_SECRET locally)');
  return undefined;
}

/** In AWS a Secrets Manager secret, read once at cold start (never in the environment); locally a value made per install. */
async function signingKey(source: KeySource, secrets: SecretReader): Promise<string> {
  const secret = 'arn' in source ? await secrets(source.arn) : source.value;
  const from = 'arn' in source ? 'REPLY_TOKEN_SECRET_ARN' : 'REPLY_TOKEN_SECRET';
  if (secret.length < 32) throw new ConfigError(`The signing secret (${from}) must be at least 32 characters`);
  return secret;
}

/** Comma-separated plain addresses (no display names, no plus part), lower case. */
function addressList(value: string): string[] {
  const list = value
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  if (list.length === 0 || !list.every((a) => /^[^\s@+]+@[^\s@]+$/.test(a))) fail('must be plain addresses such as support@example.com');
  return list;
}

/** An http(s) base URL, without its trailing slash. */
function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('must be an http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('must be an http(s) URL');
  return url.href.replace(/\/+$/, '');
}

function wholeDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(days) || days < 1) fail('must be a whole number of days');
  return days;
}

function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return fail('must be JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('must be a JSON object');
  return parsed as Record<string, unknown>;
}
