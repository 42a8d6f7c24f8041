import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextKeys, type HelpdeskConfig, parseConfig } from '../lib/config.ts';
import { repoRoot } from '../lib/paths.ts';

/**
 * The deployment configuration as `cdk synth` would read it from cdk.json's context, through
 * the same parser: local mode honours the same departments and retention settings as a
 * deployed desk, and a bad value stops `npm start` with the same message naming the key.
 * (`-c` overrides exist only for the CDK CLI; locally, edit cdk.json, or point HELPDESK_CDK_JSON at
 * another cdk.json, as tests do for a desk with a restricted department.)
 */
export function readDeployConfig(cdkJsonPath: string = process.env.HELPDESK_CDK_JSON || join(repoRoot, 'cdk.json')): HelpdeskConfig {
  const cdkJson = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> };
  const context = cdkJson.context ?? {};
  const raw: Record<string, unknown> = {};
  for (const key of Object.values(contextKeys)) raw[key] = context[key];
  return parseConfig(raw);
}
