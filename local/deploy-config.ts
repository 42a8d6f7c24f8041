import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, contextKeys, type HelpdeskConfig, parseConfig } from '../lib/config.ts';
import { repoRoot } from '../lib/paths.ts';

/** Settings local mode takes from its environment over cdk.json's context: each is checked by the stack's own rule for its key. */
export const environmentSettings = { DEFAULT_LANGUAGE: contextKeys.defaultLanguage } as const;

/**
 * The deployment configuration as `cdk synth` would read it from cdk.json's context, through
 * the same parser: local mode honours the same departments, retention and language settings as a
 * deployed desk, and a bad value stops `npm start` with the same message naming the key (and the
 * environment variable, for one set there: `DEFAULT_LANGUAGE` sets the language of a local run).
 * (`-c` overrides exist only for the CDK CLI; locally, edit cdk.json, or point HELPDESK_CDK_JSON at
 * another cdk.json, as tests do for a desk with a restricted department.)
 */
export function readDeployConfig(
  cdkJsonPath: string = process.env.HELPDESK_CDK_JSON || join(repoRoot, 'cdk.json'),
  env: NodeJS.ProcessEnv = process.env,
): HelpdeskConfig {
  const cdkJson = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> };
  const context = cdkJson.context ?? {};
  const raw: Record<string, unknown> = {};
  for (const key of Object.values(contextKeys)) raw[key] = context[key];
  const fromEnvironment = Object.entries(environmentSettings).filter(([variable]) => env[variable] !== undefined && env[variable] !== '');
  for (const [variable, key] of fromEnvironment) raw[key] = env[variable];
  try {
    return parseConfig(raw);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // A problem with a value from the environment names the variable that set it, not only the key.
    throw new ConfigError(e.problems.map((p) => fromEnvironment.reduce((line, [variable, key]) => (line.startsWith(`${key} `) ? `${variable} (${line})` : line), p)));
  }
}
