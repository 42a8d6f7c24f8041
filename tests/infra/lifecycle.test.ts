import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, loadConfig } from '../../lib/config.ts';
import { lifecycleDefinitionFile } from '../../lib/constructs/ticket-lifecycle.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesized } from './synthesized.ts';
import { repoRoot } from '../../lib/paths.ts';

type Json = Record<string, any>;
let resources: Record<string, Json>;
let assetHash: string;

beforeAll(() => {
  const { app, stack, resources: synthesised } = synthesized({ [contextKeys.supportDomain]: 'helpdesk.example.com' });
  resources = synthesised;
  const asset = stack.node.findAll().find((c) => c instanceof Asset && c.node.path.includes('Lifecycle/StateMachine')) as Asset;
  assetHash = asset.assetHash;
  // The staged copy is byte for byte the committed file.
  expect(readFileSync(join(app.outdir, asset.assetPath), 'utf8')).toBe(readFileSync(lifecycleDefinitionFile, 'utf8'));
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Evaluates the Fn::Join / Fn::GetAtt of a DefinitionString back to text, naming what the tokens point at. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}>`;
  if (v.Ref) return `<${v.Ref}>`;
  throw new Error(`unexpected token ${JSON.stringify(v)}`);
}

describe('ticket lifecycle state machine', () => {
  it('the committed definition passes asl-validator', async () => {
    const { default: validate } = await import('asl-validator');
    const result = await validate(JSON.parse(readFileSync(lifecycleDefinitionFile, 'utf8')));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is the definition file, uploaded as is, with exactly its placeholders substituted by the two function ARNs', () => {
    const [[, machine]] = ofType('AWS::StepFunctions::StateMachine') as [[string, Json]];
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const idOf = (description: RegExp) => functions.find(([, fn]) => description.test(fn.Properties.Description ?? ''))![0];
    expect(machine.Properties.DefinitionSubstitutions).toEqual({
      LifecycleFunctionArn: { 'Fn::GetAtt': [idOf(/^Ticket lifecycle steps/), 'Arn'] },
      AwaitSignalFunctionArn: { 'Fn::GetAtt': [idOf(/^Ticket lifecycle waits/), 'Arn'] },
    });
    const text = readFileSync(lifecycleDefinitionFile, 'utf8');
    const placeholders = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual(Object.keys(machine.Properties.DefinitionSubstitutions).sort());
    // The definition is the file itself, shipped as an asset: its hash names the object.
    const key = machine.Properties.DefinitionS3Location.Key as string;
    expect(key).toBe(`${assetHash}.json`);
  });

  it('is Standard, traced, and logs at level ALL', () => {
    const [[, machine]] = ofType('AWS::StepFunctions::StateMachine') as [[string, Json]];
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.Properties.LoggingConfiguration.Level).toBe('ALL');
  });

  it('its role may invoke only the two lifecycle functions', () => {
    const [[, machine]] = ofType('AWS::StepFunctions::StateMachine') as [[string, Json]];
    const roleId = machine.Properties.RoleArn['Fn::GetAtt'][0];
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    const invoke = statements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]!.Resource.map(render).sort()).toHaveLength(2);
  });
});
