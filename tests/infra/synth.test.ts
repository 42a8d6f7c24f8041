import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type FunctionDefinition, functions, isBuilt } from '../../lib/definitions/functions.ts';
import { runGroup } from '../process-groups.ts';

/** The manifest functions `cdk synth` builds here: mail on, retention as in cdk.json (off). */
const built = (functions as readonly FunctionDefinition[]).filter((f) => isBuilt(f, { mail: true, retention: false }));

const root = resolve(import.meta.dirname, '../..');

/**
 * The one infra test that bundles the handlers for real (esbuild, through the CDK CLI): the others
 * synthesise with bundling skipped ('aws:cdk:bundling-stacks': []) and inspect templates only.
 */
describe('npx cdk synth', () => {
  let out: string | undefined;
  const running = new AbortController();
  // The synth's process group and the cloud assembly go even when the test fails or times out.
  afterEach(async () => {
    running.abort();
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  it('synthesises offline with cdk-nag applied and bundles every handler with esbuild, no Docker (mail on)', async () => {
    out = await mkdtemp(join(tmpdir(), 'cdk-out-'));
    // No AWS credentials or Docker in this environment: a synth that needed either would fail here.
    const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', CDK_DOCKER: 'false-docker-is-not-used' };
    const { code, stdout, stderr } = await runGroup('npx', ['cdk', 'synth', '--quiet', '-c', 'helpdesk:supportDomain=helpdesk.example.com', '--output', out], { cwd: root, env, signal: running.signal }, 'npx cdk synth');
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(`${stdout}${stderr}`).not.toMatch(/AwsSolutions-\w+.*(Error|Warning)/);
    const template = JSON.parse(await readFile(join(out, 'Helpdesk-dev.template.json'), 'utf8'));
    const lambdas = Object.values(template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::Lambda::Function');
    // The manifest's, the provider that activates the SES receipt rule set, the BucketDeployment handler that copies the
    // dashboard build (one function for both of its deployments), and the desk configuration's provider framework.
    expect(lambdas).toHaveLength(built.length + 3);
    // Each bundle is an ES module exporting the handler.
    // Function bundles are folders; the state machine definition is a single-file asset.
    const assets = (await readdir(out, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name.startsWith('asset.')).map((d) => d.name);
    let bundles = 0;
    for (const a of assets) {
      const files = await readdir(join(out, a));
      if (!files.includes('index.mjs')) continue;
      bundles++;
      expect(await readFile(join(out, a, 'index.mjs'), 'utf8')).toMatch(/export\s*\{[^}]*handler/);
    }
    // One per manifest function (the providers and the BucketDeployment handler ship aws-cdk-lib's prebuilt code).
    expect(bundles).toBe(built.length);
    // esbuild runs once per function: on a busy 2-core machine that alone can pass the project's 180 s.
  }, 900_000);
});
