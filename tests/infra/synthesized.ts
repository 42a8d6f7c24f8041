/**
 * The stack as `cdk synth` builds it from cdk.json's context plus a test's overrides, with bundling
 * skipped (tests/infra/synth.test.ts bundles for real) and cdk-nag applied, its findings kept as
 * annotations so tests can list them.
 *
 * Synthesised once per configuration and shared: the infra project runs its files without isolation
 * (vitest.config.ts), so every file of a worker reuses the same templates, and aws-cdk-lib is loaded
 * and warmed once per worker instead of once per file (its first synthesis took 35 s of a busy
 * machine, the next ones 4 s). Each caller gets its own copy of the template (tests sort arrays in
 * it in place), and shares the stack's constructs, which tests only read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type HelpdeskConfig, loadConfig } from '../../lib/config.ts';
import { HelpdeskStack, type HelpdeskStackProps } from '../../lib/helpdesk-stack.ts';
import { repoRoot } from '../../lib/paths.ts';

type Json = Record<string, any>;

export interface Synthesized {
  app: App;
  stack: HelpdeskStack;
  config: HelpdeskConfig;
  template: Template;
  resources: Record<string, Json>;
  outputs: Record<string, Json>;
}

const cdkContext = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Json }).context;

/** cdk.json's context plus overrides, no bundling, nag findings as annotations: a new App each time. */
export function testApp(context: Json = {}): App {
  return new App({ context: { ...cdkContext, ...context, 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:annotationsInValidationReport': false } });
}

/** A synthesis of its own, never shared: for a changed manifest or an environment (`props`). */
export function synthesizeAnew(context: Json = {}, props: Omit<Partial<HelpdeskStackProps>, 'config'> = {}): Synthesized {
  const app = testApp(context);
  const config = loadConfig(app.node);
  const stack = new HelpdeskStack(app, 'HelpdeskTest', { ...props, config });
  Aspects.of(stack).add(new AwsSolutionsChecks());
  return withTemplate({ app, stack, config }, Template.fromStack(stack).toJSON());
}

function withTemplate(built: Pick<Synthesized, 'app' | 'stack' | 'config'>, json: Json): Synthesized {
  const template = Template.fromJSON(json, { skipCyclicalDependenciesCheck: true });
  return { ...built, template, resources: json.Resources, outputs: json.Outputs ?? {} };
}

const shared = new Map<string, Synthesized>();

/** The stack for this configuration (cdk.json's context plus `context`), synthesised once per worker; the template is the caller's own copy. */
export function synthesized(context: Json = {}): Synthesized {
  const key = JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b)));
  let s = shared.get(key);
  if (!s) shared.set(key, (s = synthesizeAnew(context)));
  return withTemplate(s, structuredClone(s.template.toJSON()));
}
