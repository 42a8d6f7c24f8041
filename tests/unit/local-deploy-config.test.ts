/**
 * Local mode's deployment configuration (local/deploy-config.ts): cdk.json's context through the
 * stack's own parser, with DEFAULT_LANGUAGE from the environment over the context's language, and a
 * bad value named by the variable that set it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config.ts';
import { readDeployConfig } from '../../local/deploy-config.ts';

let dir: string;
let cdkJson: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-config-'));
  cdkJson = join(dir, 'cdk.json');
  await writeFile(cdkJson, JSON.stringify({ context: { 'helpdesk:defaultLanguage': 'pt-BR' } }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('local mode deployment configuration', () => {
  it("takes cdk.json's language, and DEFAULT_LANGUAGE over it", () => {
    expect(readDeployConfig(cdkJson, {}).defaultLanguage).toBe('pt-BR');
    expect(readDeployConfig(cdkJson, { DEFAULT_LANGUAGE: '' }).defaultLanguage).toBe('pt-BR');
    expect(readDeployConfig(cdkJson, { DEFAULT_LANGUAGE: 'en' }).defaultLanguage).toBe('en');
  });

  it('refuses a bad DEFAULT_LANGUAGE with the rule the stack applies, naming the variable and the key', () => {
    let error: unknown;
    try {
      readDeployConfig(cdkJson, { DEFAULT_LANGUAGE: 'fr' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['DEFAULT_LANGUAGE (helpdesk:defaultLanguage must be one of en, pt-BR; got "fr")']);
  });

  it("names only the key for a bad value in cdk.json itself", async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ context: { 'helpdesk:defaultLanguage': 'de' } }));
    expect(() => readDeployConfig(bad, {})).toThrow(/- helpdesk:defaultLanguage must be one of en, pt-BR; got "de"/);
  });
});
