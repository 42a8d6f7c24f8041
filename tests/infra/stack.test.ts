import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { queues, table as tableDefinition } from '../../lib/definitions/resources.ts';
import { agentGroups, routes } from '../../lib/definitions/routes.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { functionsDir, repoRoot } from '../../lib/paths.ts';

type Json = Record<string, any>;
type Resources = Record<string, Json>;

let stack: HelpdeskStack;
let template: Template;
let resources: Resources;

/**
 * Same context as `cdk synth` (feature flags, config) with two test-only changes: bundling is
 * skipped (fast, no esbuild), and error annotations stay annotations instead of failing
 * synthesis, so the cdk-nag tests below can list every finding.
 */
function testApp(): App {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Json };
  return new App({
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:annotationsInValidationReport': false,
    },
  });
}

beforeAll(() => {
  const app = testApp();
  stack = new HelpdeskStack(app, 'HelpdeskTest', { config: loadConfig(app.node) });
  Aspects.of(stack).add(new AwsSolutionsChecks());
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
});

const ofType = (type: string): [string, Json][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Name a policy resource by what it points at, not by its hashed logical id. */
function describeResource(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if (v['Fn::GetAtt']) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return `<${resources[id]?.Type ?? id}.${attr}>`;
  }
  if (v.Ref) return `<${resources[v.Ref]?.Type ?? v.Ref}>`;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(describeResource).join(v['Fn::Join'][0]);
  return JSON.stringify(v);
}

/** Function logical id → the statements of every policy attached to its role. */
function functionPolicies(): Map<string, { routeName: string; statements: Json[] }> {
  const out = new Map<string, { routeName: string; statements: Json[] }>();
  for (const [fnId, fn] of ofType('AWS::Lambda::Function')) {
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    const inline = (resources[roleId]!.Properties.Policies ?? []) as Json[];
    statements.push(...inline.flatMap((p) => p.PolicyDocument.Statement as Json[]));
    const route = routes.find((r) => fn.Properties.Description === `${r.method} ${r.path}`);
    out.set(fnId, { routeName: route?.name ?? fnId, statements });
  }
  return out;
}

describe('data', () => {
  it('is one on-demand table with PITR, TTL, AWS-managed encryption and deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
        // SSEEnabled without a key: the AWS managed key aws/dynamodb.
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('has every GSI from the definitions, string keys, projection ALL', () => {
    const [, tbl] = ofType('AWS::DynamoDB::Table')[0]!;
    const gsis = tbl.Properties.GlobalSecondaryIndexes as Json[];
    expect(gsis.map((g) => g.IndexName).sort()).toEqual(tableDefinition.indexes.map((i) => i.indexName).sort());
    for (const index of tableDefinition.indexes) {
      const gsi = gsis.find((g) => g.IndexName === index.indexName)!;
      expect(gsi.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ]);
      expect(gsi.Projection).toEqual({ ProjectionType: 'ALL' });
    }
    const attributeTypes = new Set((tbl.Properties.AttributeDefinitions as Json[]).map((a) => a.AttributeType));
    expect([...attributeTypes]).toEqual(['S']);
  });
});

describe('auth', () => {
  it('has an admin-only user pool with email sign-in, strong passwords, TOTP and threat protection', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: Match.anyValue(),
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    const [, pool] = ofType('AWS::Cognito::UserPool')[0]!;
    expect(pool.Properties.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
  });

  it('has the four agent groups', () => {
    const names = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName as string);
    expect(names.sort()).toEqual([...agentGroups].sort());
    expect(names).toEqual(expect.arrayContaining(['admins', 'agents-l1', 'agents-l2', 'agents-l3']));
  });

  it('has a public SRP client with short-lived tokens', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayEquals(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
    const [, client] = ofType('AWS::Cognito::UserPoolClient')[0]!;
    expect(client.Properties.IdTokenValidity).toBeLessThanOrEqual(60);
    expect(client.Properties.AccessTokenValidity).toBeLessThanOrEqual(60);
  });
});

describe('functions', () => {
  it('every route-table entry has a handler file', () => {
    for (const route of routes) expect(existsSync(join(functionsDir, route.entry)), route.entry).toBe(true);
  });

  it('has one Lambda per route, nodejs22.x on arm64 with the pinned defaults', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(routes.length);
    for (const [, fn] of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: {
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: 'helpdesk',
            LOG_LEVEL: 'INFO',
            TABLE_NAME: { Ref: ofType('AWS::DynamoDB::Table')[0]![0] },
          },
        },
      });
      // Its own log group, with retention.
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(resources[logGroupId]!.Properties.RetentionInDays).toBeGreaterThan(0);
    }
    const roles = new Set(fns.map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0] as string));
    expect(roles.size).toBe(routes.length);
  });

  it('no role uses a managed policy', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("no function policy has Action '*' or Resource '*' except X-Ray, which has no resource-level permissions", () => {
    for (const { routeName, statements } of functionPolicies().values()) {
      for (const s of statements) {
        const actions = asArray(s.Action as string | string[]);
        const res = asArray(s.Resource as unknown);
        expect(actions, routeName).not.toContain('*');
        expect(actions.filter((a) => a.endsWith(':*')), routeName).toEqual([]);
        if (res.includes('*')) expect(actions.every((a) => a.startsWith('xray:')), `${routeName}: ${actions}`).toBe(true);
      }
    }
  });

  it('read-only routes cannot write the table, and no function may Scan or delete', () => {
    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];
    const never = ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable'];
    for (const { routeName, statements } of functionPolicies().values()) {
      const route = routes.find((r) => r.name === routeName)!;
      const actions = statements.flatMap((s) => asArray(s.Action as string | string[]));
      expect(actions.filter((a) => never.includes(a)), routeName).toEqual([]);
      if (route.table === 'read') expect(actions.filter((a) => writes.includes(a)), routeName).toEqual([]);
      else expect(actions, routeName).toEqual(expect.arrayContaining(writes));
    }
  });

  it('IAM statements per function (review any change here)', () => {
    const summary: Record<string, string[]> = {};
    for (const { routeName, statements } of functionPolicies().values()) {
      summary[routeName] = statements
        .map((s) => {
          const actions = asArray(s.Action as string | string[]).slice().sort().join(',');
          const res = asArray(s.Resource as unknown).map(describeResource).sort().join(' ');
          return `${s.Effect} ${actions} on ${res}`;
        })
        .sort();
    }
    expect(Object.keys(summary).sort()).toEqual(routes.map((r) => r.name).sort());
    expect(summary).toMatchSnapshot();
  });
});

describe('http api', () => {
  it('has one route per route-table entry; agent routes use the Cognito JWT authorizer', () => {
    const apiRoutes = ofType('AWS::ApiGatewayV2::Route');
    expect(apiRoutes).toHaveLength(routes.length);
    const [authorizerId] = ofType('AWS::ApiGatewayV2::Authorizer')[0]!;
    for (const route of routes) {
      const found = apiRoutes.find(([, r]) => r.Properties.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      const [id, r] = found!;
      if (route.auth === 'agent') {
        expect(r.Properties.AuthorizationType).toBe('JWT');
        expect(r.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
        // APIG4 is never acknowledged on an agent route.
        const suppressed = (resources[id]!.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Json[];
        expect(suppressed.map((s) => s.id)).not.toContain('AwsSolutions-APIG4');
      } else {
        expect(r.Properties.AuthorizationType).toBe('NONE');
      }
    }
  });

  it('the authorizer trusts the user pool issuer and the app client', () => {
    const poolId = ofType('AWS::Cognito::UserPool')[0]![0];
    const clientId = ofType('AWS::Cognito::UserPoolClient')[0]![0];
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: poolId }]],
        },
      },
    });
  });

  it('default stage is throttled and access-logged', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
    const [, stage] = ofType('AWS::ApiGatewayV2::Stage')[0]!;
    // Paths can carry an email address; the access log records the route template instead.
    expect(stage.Properties.AccessLogSettings.Format).not.toContain('$context.path');
  });

  it('CORS allows the headers the dashboard sends and exposes ETag', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowHeaders: Match.arrayWith(['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key']),
        ExposeHeaders: ['ETag'],
        AllowCredentials: false,
      }),
    });
  });
});

describe('inbound mail resources', () => {
  it('queue has a DLQ with maxReceiveCount ≥ 5 and visibility ≥ 180 s; DLQ keeps 14 days', () => {
    const withRedrive = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy);
    expect(withRedrive).toHaveLength(1);
    const [, queue] = withRedrive[0]!;
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(queues.inboundMail.maxReceiveCount);
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(180);
    const dlqId = queue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
    expect(resources[dlqId]!.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    for (const [, q] of ofType('AWS::SQS::Queue')) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('topic is KMS-encrypted and delivers to the queue in the SNS envelope', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs' });
    const [, sub] = ofType('AWS::SNS::Subscription')[0]!;
    expect(sub.Properties.RawMessageDelivery ?? false).toBe(false);
  });

  it('mail bucket blocks public access, is encrypted and logs access', () => {
    const [, mail] = ofType('AWS::S3::Bucket').find(([, b]) => b.Properties.LoggingConfiguration)!;
    expect(mail.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(mail.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
  });

  const denyInsecure = {
    Effect: 'Deny',
    Action: Match.anyValue(),
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
  const hasTlsOnly = (doc: Json) =>
    (doc.Statement as Json[]).some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');

  it('every bucket, queue and topic has a TLS-only policy', () => {
    for (const [id] of ofType('AWS::S3::Bucket')) {
      const policy = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === id);
      expect(policy && hasTlsOnly(policy[1].Properties.PolicyDocument), `bucket ${id}`).toBe(true);
    }
    for (const [id] of ofType('AWS::SQS::Queue')) {
      const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => (p.Properties.Queues as Json[]).some((q) => q.Ref === id));
      expect(policy && hasTlsOnly(policy[1].Properties.PolicyDocument), `queue ${id}`).toBe(true);
    }
    for (const [id] of ofType('AWS::SNS::Topic')) {
      const policy = ofType('AWS::SNS::TopicPolicy').find(([, p]) => (p.Properties.Topics as Json[]).some((t) => t.Ref === id));
      expect(policy && hasTlsOnly(policy[1].Properties.PolicyDocument), `topic ${id}`).toBe(true);
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(denyInsecure)]) },
    });
  });
});

describe('outputs', () => {
  it('exports what the dashboard and operators need', () => {
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName']) template.hasOutput(name, {});
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unsuppressed errors', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data)}`)).toEqual([]);
  });

  it('has no unsuppressed warnings', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(warnings.map((w) => `${w.id}: ${String(w.entry.data)}`)).toEqual([]);
  });

  it('acknowledges nothing at stack level (every suppression sits on its resource)', () => {
    const stackMeta = stack.templateOptions.metadata as Json | undefined;
    expect(stackMeta?.cdk_nag).toBeUndefined();
  });
});
