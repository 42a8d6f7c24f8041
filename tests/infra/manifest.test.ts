import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, loadConfig } from '../../lib/config.ts';
import {
  type DeploymentValues,
  environmentOf,
  type FunctionDefinition,
  functions,
  isBuilt,
  tableGrantsOf,
} from '../../lib/definitions/functions.ts';
import { buckets } from '../../lib/definitions/resources.ts';
import { taskLogicalIds } from '../../lib/constructs/manifest-functions.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesizeAnew, synthesized } from './synthesized.ts';
import { repoRoot } from '../../lib/paths.ts';

/**
 * The template against the function manifest (lib/definitions/functions.ts): every
 * function the manifest builds in a deployment is there with exactly the environment
 * `environmentOf` gives it, exactly the IAM statements its needs derive, and its
 * trigger; nothing else runs. Nothing here lists functions: add one to the manifest
 * and these tests cover it.
 */

type Json = Record<string, any>;
interface Synth {
  stack: HelpdeskStack;
  resources: Record<string, Json>;
  template: Template;
  options: { mail: boolean; retention: boolean };
  deskName: string;
}

/** The manifest as its declared type (its `as const` literal types leave optional fields out). */
const manifest: readonly FunctionDefinition[] = functions;

const supportDomain = 'helpdesk.example.com';
const supportAddresses = [`support@${supportDomain}`, `billing@${supportDomain}`];
/** What HelpdeskFunction puts in every environment, whatever the needs. */
const constructDefaults = { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'helpdesk', LOG_LEVEL: 'INFO' };

/** Shared per configuration with the other infra files (tests/infra/synthesized.ts); a changed manifest gets a synthesis of its own. */
function synth(context: Json, functions?: readonly FunctionDefinition[]): Synth {
  const { stack, template, config } = functions ? synthesizeAnew(context, { functions }) : synthesized(context);
  return {
    stack,
    template,
    resources: template.toJSON().Resources,
    options: { mail: config.supportDomain !== undefined, retention: config.retention.closedTicketDays !== undefined },
    deskName: config.deskName ?? 'Help desk',
  };
}

let mailOn: Synth;
let mailOff: Synth;

beforeAll(() => {
  mailOn = synth({
    [contextKeys.supportDomain]: supportDomain,
    [contextKeys.supportAddresses]: supportAddresses,
    [contextKeys.deskName]: 'Example Desk',
    [contextKeys.closedTicketRetentionDays]: 30,
  });
  mailOff = synth({ [contextKeys.supportDomain]: '' });
});

const deployments = () => [
  ['mail and retention on', mailOn],
  ['mail and retention off', mailOff],
] as const;

/** The element's logical ID as synthesised (getLogicalId would ignore an override). */
const idOf = (s: Synth, c: { node: { defaultChild?: unknown } }) => s.stack.resolve((c.node.defaultChild as CfnElement).logicalId) as string;
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const ofType = (s: Synth, type: string) => Object.entries(s.resources).filter(([, r]) => r.Type === type);

/** The function a manifest entry became, by the construct the stack keeps for it. */
function functionOf(s: Synth, name: string): { id: string; fn: Json } {
  const built = s.stack.functions.functions.get(name);
  expect(built, `${name} is built`).toBeDefined();
  const id = idOf(s, built!.fn);
  return { id, fn: s.resources[id]! };
}

/** The values the stack gives the needs, read off its own resources. */
function valuesOf(s: Synth): DeploymentValues {
  const { stack } = s;
  return {
    tableName: stack.data.table.tableName,
    mailBucket: stack.mail.bucket.bucketName,
    stateMachineArn: stack.lifecycle.arns.stateMachineArn,
    publicUrl: stack.httpApi.api.apiEndpoint,
    userPoolId: stack.auth.userPool.userPoolId,
    deskName: s.deskName,
    defaultLanguage: 'en',
    signingKey: { arn: stack.replyTokenSecret.secret.secretArn },
    ...(stack.outboundMail && {
      mail: { supportAddresses, fromAddress: supportAddresses[0]!, configurationSet: stack.outboundMail.configurationSet.configurationSetName },
    }),
    ...(s.options.retention && { closedTicketDays: 30 }),
  };
}

/** One allowed (action, resource, condition) of a role, comparable as a string. */
const grant = (s: Synth, action: string, resource: unknown, condition?: unknown) =>
  `${action} ${JSON.stringify(s.stack.resolve(resource))}${condition ? ` if ${JSON.stringify(condition)}` : ''}`;

/** Every (action, resource, condition) the function's role allows, from every policy attached to it. */
function grantsOf(s: Synth, fn: Json): string[] {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const statements = ofType(s, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
  expect(s.resources[roleId]!.Properties.Policies, 'no inline policies').toBeUndefined();
  expect(s.resources[roleId]!.Properties.ManagedPolicyArns, 'no managed policies').toBeUndefined();
  return statements.flatMap((st) => {
    expect(st.Effect).toBe('Allow');
    return asArray(st.Action as string).flatMap((a) => asArray(st.Resource).map((r) => `${a} ${JSON.stringify(r)}${st.Condition ? ` if ${JSON.stringify(st.Condition)}` : ''}`));
  });
}

/**
 * What a function may do, worked out from its manifest entry alone: the construct's own
 * (its log group, X-Ray), its trigger's (reading its queue), and each need's statements.
 */
function expectedGrants(s: Synth, definition: FunctionDefinition, logGroupArn: string): string[] {
  const { stack } = s;
  const { needs, trigger } = definition;
  const g = (action: string, resource: unknown, condition?: unknown) => grant(s, action, resource, condition);
  const out = [g('logs:CreateLogStream', logGroupArn), g('logs:PutLogEvents', logGroupArn), g('xray:PutTraceSegments', '*'), g('xray:PutTelemetryRecords', '*')];

  if (trigger.kind === 'queue') {
    const queue = trigger.queue === 'inboundMail' ? stack.mail.queue : stack.deliveryEvents!.queue;
    for (const a of ['ReceiveMessage', 'ChangeMessageVisibility', 'GetQueueUrl', 'DeleteMessage', 'GetQueueAttributes']) out.push(g(`sqs:${a}`, queue.queueArn));
  }
  const { tableArn } = stack.data.table;
  for (const t of tableGrantsOf(needs)) {
    const indexes = t.indexes === 'all' ? ['*'] : t.indexes === 'none' ? [] : t.indexes;
    const condition = t.partitions && { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...t.partitions] } };
    for (const a of t.actions) for (const r of [tableArn, ...indexes.map((i) => `${tableArn}/index/${i}`)]) out.push(g(`dynamodb:${a}`, r, condition));
  }
  const lifecycle = stack.lifecycle.arns;
  if (needs.lifecycle?.includes('start')) out.push(g('states:StartExecution', lifecycle.stateMachineArn));
  if (needs.lifecycle?.includes('wake')) out.push(g('states:SendTaskSuccess', lifecycle.stateMachineArn));
  if (needs.lifecycle?.includes('stop')) out.push(g('states:StopExecution', lifecycle.executionsArn));
  const sends = needs.mail === true && stack.outboundMail !== undefined;
  if (sends) for (const a of ['ses:SendEmail', 'ses:SendRawEmail']) for (const r of [stack.outboundMail!.identity.emailIdentityArn, stack.outboundMail!.configurationSetArn]) out.push(g(a, r));
  if (needs.signingKey || sends) out.push(g('secretsmanager:GetSecretValue', stack.replyTokenSecret.secret.secretArn));
  const objects = (action: string, prefixes: readonly (keyof typeof buckets.mail.prefixes)[] | undefined) => {
    for (const p of prefixes ?? []) out.push(g(action, stack.mail.bucket.arnForObjects(`${buckets.mail.prefixes[p]}*`)));
  };
  objects('s3:GetObject', needs.bucket?.read);
  objects('s3:PutObject', needs.bucket?.write);
  objects('s3:DeleteObject', needs.bucket?.delete);
  for (const a of needs.userPool ?? []) out.push(g(`cognito-idp:${a}`, stack.auth.userPool.userPoolArn));
  return out;
}

describe('every function the manifest builds', () => {
  it('is built exactly when its onlyWhen allows, and no other function runs but the CDK-provided deploy-time helpers', () => {
    for (const [, s] of deployments()) {
      const expected = manifest.filter((f) => isBuilt(f, s.options)).map((f) => f.name);
      expect([...s.stack.functions.functions.keys()].sort()).toEqual([...expected].sort());
      const ours = new Set(expected.map((name) => functionOf(s, name).id));
      for (const [id, r] of ofType(s, 'AWS::Lambda::Function')) {
        if (ours.has(id)) continue;
        // aws-cdk-lib's own code, run only during a deploy: the AwsCustomResource singleton (SES rule-set activation),
        // the BucketDeployment handler (the dashboard) and the Provider framework (the desk configuration).
        const cdkProvided = /^(AWS679f53fac002430cb0da5b7982bd2287|CustomCDKBucketDeployment)/.test(id) || /^AWS CDK resource provider framework/.test(r.Properties.Description ?? '');
        expect(cdkProvided, `${id}: ${r.Properties.Description ?? ''}`).toBe(true);
      }
    }
    // Both options are exercised: each deployment leaves out a function the other builds.
    expect(manifest.filter((f) => isBuilt(f, mailOn.options)).length).toBeGreaterThan(manifest.filter((f) => isBuilt(f, mailOff.options)).length);
  });

  it('runs its entry with the manifest memory and timeout (512 MB and 10 s unless it says otherwise)', () => {
    for (const [, s] of deployments()) {
      for (const definition of manifest.filter((f) => isBuilt(f, s.options))) {
        const { fn } = functionOf(s, definition.name);
        expect(fn.Properties.MemorySize, definition.name).toBe(definition.memoryMb ?? 512);
        expect(fn.Properties.Timeout, definition.name).toBe(definition.timeoutSeconds ?? 10);
      }
    }
  });

  it('has exactly the environment environmentOf gives it, plus the function construct defaults', () => {
    for (const [label, s] of deployments()) {
      const values = valuesOf(s);
      for (const definition of manifest.filter((f) => isBuilt(f, s.options))) {
        const { fn } = functionOf(s, definition.name);
        expect(fn.Properties.Environment.Variables, `${definition.name} (${label})`).toEqual(s.stack.resolve({ ...constructDefaults, ...environmentOf(definition, values) }));
      }
    }
  });

  it("has exactly the IAM statements its needs derive (and its log group's, X-Ray's and its queue's), action by action and resource by resource", () => {
    for (const [label, s] of deployments()) {
      for (const definition of manifest.filter((f) => isBuilt(f, s.options))) {
        const built = s.stack.functions.functions.get(definition.name)!;
        const { fn } = functionOf(s, definition.name);
        const actual = grantsOf(s, fn).sort();
        expect(actual, `${definition.name} (${label})`).toEqual(expectedGrants(s, definition, built.logGroup.logGroupArn).sort());
        // No statement twice (the same grant from two needs is written once).
        expect(new Set(actual).size, definition.name).toBe(actual.length);
      }
    }
  });

  it('is started by its trigger: route (with its authorizer), queue, schedule, state-machine task or deploy-time provider', () => {
    for (const [label, s] of deployments()) {
      const routes = ofType(s, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
      const integrations = new Map(ofType(s, 'AWS::ApiGatewayV2::Integration').map(([id, r]) => [id, r.Properties]));
      const [, machine] = ofType(s, 'AWS::StepFunctions::StateMachine')[0]!;
      for (const definition of manifest.filter((f) => isBuilt(f, s.options))) {
        const { id } = functionOf(s, definition.name);
        const arn = { 'Fn::GetAtt': [id, 'Arn'] };
        const what = `${definition.name} (${label})`;
        const { trigger } = definition;
        switch (trigger.kind) {
          case 'http': {
            const matching = routes.filter((r) => r.RouteKey === `${trigger.method} ${trigger.path}`);
            expect(matching, what).toHaveLength(1);
            expect(matching[0]!.AuthorizationType, what).toBe(trigger.auth === 'agent' ? 'JWT' : 'NONE');
            const integrationId = (matching[0]!.Target['Fn::Join'][1] as Json[])[1]!.Ref as string;
            expect(integrations.get(integrationId)!.IntegrationUri, what).toEqual(arn);
            break;
          }
          case 'queue': {
            const queue = trigger.queue === 'inboundMail' ? s.stack.mail.queue : s.stack.deliveryEvents!.queue;
            const mappings = ofType(s, 'AWS::Lambda::EventSourceMapping').filter(([, m]) => m.Properties.FunctionName.Ref === id);
            expect(mappings.map(([, m]) => m.Properties), what).toEqual([
              expect.objectContaining({
                EventSourceArn: { 'Fn::GetAtt': [idOf(s, queue), 'Arn'] },
                BatchSize: trigger.batchSize,
                ScalingConfig: { MaximumConcurrency: trigger.maxConcurrency },
                FunctionResponseTypes: ['ReportBatchItemFailures'],
              }),
            ]);
            break;
          }
          case 'schedule': {
            const rules = ofType(s, 'AWS::Events::Rule').filter(([, r]) => (r.Properties.Targets as Json[]).some((t) => JSON.stringify(t.Arn) === JSON.stringify(arn)));
            expect(rules, what).toHaveLength(1);
            expect(rules[0]![1].Properties.ScheduleExpression, what).toBe(`cron(${trigger.cron.minute} ${trigger.cron.hour} * * ? *)`);
            expect(rules[0]![1].Properties.Targets[0].RetryPolicy, what).toEqual({ MaximumRetryAttempts: 2 });
            break;
          }
          case 'task':
            expect(machine.Properties.DefinitionSubstitutions[trigger.substitution], what).toEqual(arn);
            break;
          case 'deploy': {
            const providers = ofType(s, 'AWS::Lambda::Function').filter(([, f]) => JSON.stringify(f.Properties.Environment?.Variables?.USER_ON_EVENT_FUNCTION_ARN) === JSON.stringify(arn));
            expect(providers, what).toHaveLength(1);
            break;
          }
        }
      }
      // No route, queue mapping or substitution the manifest does not name.
      const httpTriggers = manifest.filter((f) => f.trigger.kind === 'http' && isBuilt(f, s.options));
      expect(routes.length, label).toBe(httpTriggers.length);
      expect(Object.keys(machine.Properties.DefinitionSubstitutions).sort(), label).toEqual(
        manifest.flatMap((f) => (f.trigger.kind === 'task' ? [f.trigger.substitution] : [])).sort(),
      );
      expect(ofType(s, 'AWS::Lambda::EventSourceMapping').length, label).toBe(manifest.filter((f) => f.trigger.kind === 'queue' && isBuilt(f, s.options)).length);
    }
  });

  it("keeps the Task functions' logical IDs from before the manifest, so an upgrade updates them in place and running executions still find them", () => {
    const machine = ofType(mailOn, 'AWS::StepFunctions::StateMachine')[0]![1];
    for (const [substitution, logicalId] of Object.entries(taskLogicalIds)) {
      expect(mailOn.resources[logicalId]?.Type, substitution).toBe('AWS::Lambda::Function');
      expect(machine.Properties.DefinitionSubstitutions[substitution], substitution).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    }
  });

  it('is cdk-nag clean in both deployments (every IAM5 wildcard its needs bring has its reason)', () => {
    for (const [label, s] of deployments()) {
      const findings = [...Annotations.fromStack(s.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
      expect(findings.map((f) => `${f.id}: ${String(f.entry.data)}`), label).toEqual([]);
    }
  });
});

/**
 * The proof that the stack derives permissions from needs and from nothing else: the same
 * deployment with one need taken out of a copy of the manifest loses exactly that permission.
 * (tests/integration/manifest-needs.test.ts shows local mode failing the same way.)
 */
describe('a need removed from a copy of the manifest', () => {
  let changed: Synth;
  const withoutNeeds = (): FunctionDefinition[] =>
    manifest.map((f): FunctionDefinition => {
      // CreateUpload loses its write under uploads/; AddMessage loses waking the lifecycle.
      if (f.name === 'CreateUpload') return { ...f, needs: { ...f.needs, bucket: {} } };
      if (f.name === 'AddMessage') {
        const { lifecycle: _removed, ...rest } = f.needs;
        return { ...f, needs: rest };
      }
      return f;
    });

  beforeAll(() => {
    changed = synth(
      { [contextKeys.supportDomain]: supportDomain, [contextKeys.supportAddresses]: supportAddresses, [contextKeys.deskName]: 'Example Desk', [contextKeys.closedTicketRetentionDays]: 30 },
      withoutNeeds(),
    );
  });

  it("is no longer allowed in the synthesised IAM, while the real manifest's deployment allows it", () => {
    const uploads = (s: Synth) => grant(s, 's3:PutObject', s.stack.mail.bucket.arnForObjects(`${buckets.mail.prefixes.uploads}*`));
    const wake = (s: Synth) => grant(s, 'states:SendTaskSuccess', s.stack.lifecycle.arns.stateMachineArn);

    expect(grantsOf(mailOn, functionOf(mailOn, 'CreateUpload').fn)).toContain(uploads(mailOn));
    expect(grantsOf(changed, functionOf(changed, 'CreateUpload').fn)).not.toContain(uploads(changed));
    expect(grantsOf(changed, functionOf(changed, 'CreateUpload').fn).filter((g) => g.startsWith('s3:'))).toEqual([]);

    expect(grantsOf(mailOn, functionOf(mailOn, 'AddMessage').fn)).toContain(wake(mailOn));
    expect(grantsOf(changed, functionOf(changed, 'AddMessage').fn)).not.toContain(wake(changed));
    expect(grantsOf(changed, functionOf(changed, 'AddMessage').fn).filter((g) => g.startsWith('states:'))).toEqual([]);
  });

  it('changes nothing else: every other function keeps its statements', () => {
    for (const definition of manifest.filter((f) => isBuilt(f, mailOn.options) && f.name !== 'CreateUpload' && f.name !== 'AddMessage')) {
      const before = grantsOf(mailOn, functionOf(mailOn, definition.name).fn).length;
      expect(grantsOf(changed, functionOf(changed, definition.name).fn).length, definition.name).toBe(before);
    }
  });
});
