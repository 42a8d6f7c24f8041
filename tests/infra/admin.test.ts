import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, loadConfig } from '../../lib/config.ts';
import { type FunctionDefinition, functions } from '../../lib/definitions/functions.ts';
import { routes } from '../../lib/definitions/routes.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesized } from './synthesized.ts';
import { functionsDir, repoRoot } from '../../lib/paths.ts';

type Json = Record<string, any>;

/** Exactly the user-pool calls each function's manifest needs name; no other function may make any. */
const expectedUserPoolCalls: Record<string, string[]> = Object.fromEntries(
  (functions as readonly FunctionDefinition[]).filter((f) => f.needs.userPool?.length).map((f) => [f.name, f.needs.userPool!.map((a) => `cognito-idp:${a}`).sort()]),
);
const adminRoutes = routes.filter((r) => r.name.startsWith('Admin'));

let stack: HelpdeskStack;
let resources: Record<string, Json>;

beforeAll(() => {
  ({ stack, resources } = synthesized({ [contextKeys.supportDomain]: 'helpdesk.example.com' }));
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Route name (from the description "METHOD /path") or logical id → every statement on the function's role. */
function statementsByFunction(): Map<string, { fn: Json; statements: Json[] }> {
  const out = new Map<string, { fn: Json; statements: Json[] }>();
  for (const [fnId, fn] of ofType('AWS::Lambda::Function')) {
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    statements.push(...((resources[roleId]!.Properties.Policies ?? []) as Json[]).flatMap((p) => p.PolicyDocument.Statement as Json[]));
    const route = routes.find((r) => fn.Properties.Description === `${r.method} ${r.path}`);
    out.set(route?.name ?? fnId, { fn, statements });
  }
  return out;
}

describe('admin routes', () => {
  it('are agent routes behind the JWT authorizer, each with a handler that only admins pass', () => {
    expect(adminRoutes.map((r) => r.name).sort()).toEqual(
      [
        'AdminAudit',
        'AdminDeleteCannedResponse',
        'AdminDisableAgent',
        'AdminEnableAgent',
        'AdminGetAgent',
        'AdminImportTriageExamples',
        'AdminInviteAgent',
        'AdminPutCannedResponse',
        'AdminRetrainTriage',
        'AdminUpdateAgent',
      ],
    );
    for (const r of adminRoutes) {
      expect(r.auth, r.name).toBe('agent');
      expect(r.path, r.name).toMatch(/^\/admin\//);
      expect(readFileSync(join(functionsDir, r.entry), 'utf8'), r.name).toMatch(/export const handler = adminRoute\(/);
      const route = ofType('AWS::ApiGatewayV2::Route').find(([, x]) => x.Properties.RouteKey === `${r.method} ${r.path}`);
      expect(route, r.name).toBeDefined();
      expect(route![1].Properties.AuthorizationType, r.name).toBe('JWT');
    }
  });

  it('only the admin functions hold cognito-idp actions: exactly the calls each makes, on the user pool only', () => {
    const poolArn = { 'Fn::GetAtt': [logicalId(stack.auth.userPool), 'Arn'] };
    const found: Record<string, string[]> = {};
    for (const [name, { statements }] of statementsByFunction()) {
      const cognito = statements.filter((s) => asArray(s.Action as string | string[]).some((a) => a.startsWith('cognito-idp:')));
      if (cognito.length === 0) continue;
      for (const s of cognito) {
        expect(s.Effect, name).toBe('Allow');
        expect(s.Condition, name).toBeUndefined();
        expect(asArray(s.Action as string | string[]).every((a) => a.startsWith('cognito-idp:')), `${name}: cognito statements hold nothing else`).toBe(true);
        expect(asArray(s.Resource), name).toEqual([poolArn]);
      }
      found[name] = cognito.flatMap((s) => asArray(s.Action as string | string[])).sort();
    }
    expect(found).toEqual(expectedUserPoolCalls);
  });

  it('tells exactly the functions that call the user pool which pool it is', () => {
    const poolRef = { Ref: logicalId(stack.auth.userPool) };
    const withPoolId = [...statementsByFunction()]
      .filter(([, { fn }]) => fn.Properties.Environment?.Variables?.USER_POOL_ID !== undefined)
      .map(([name, { fn }]) => {
        expect(fn.Properties.Environment.Variables.USER_POOL_ID, name).toEqual(poolRef);
        return name;
      });
    expect(withPoolId.sort()).toEqual(Object.keys(expectedUserPoolCalls).sort());
  });

  it('deleting a canned response may delete items of the table itself, not of its indexes', () => {
    const { statements } = statementsByFunction().get('AdminDeleteCannedResponse')!;
    const deletes = statements.filter((s) => asArray(s.Action as string | string[]).includes('dynamodb:DeleteItem'));
    expect(deletes).toHaveLength(1);
    expect(asArray(deletes[0]!.Action)).toEqual(['dynamodb:DeleteItem']);
    expect(asArray(deletes[0]!.Resource)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.data.table), 'Arn'] }]);
    // The other admin functions delete nothing.
    for (const r of adminRoutes.filter((x) => x.name !== 'AdminDeleteCannedResponse')) {
      const { statements: others } = statementsByFunction().get(r.name)!;
      expect(others.flatMap((s) => asArray(s.Action as string | string[])), r.name).not.toContain('dynamodb:DeleteItem');
    }
  });

  it('leaves no cdk-nag finding on the admin functions', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].filter((f) => /\/Admin[A-Za-z]+\//.test(f.id));
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 120)}`)).toEqual([]);
  });
});
