import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, loadConfig } from '../../lib/config.ts';
import { type FunctionDefinition, functionNamed, functions as manifest, inboundMailTimeoutSeconds, isBuilt, tableGrantsOf } from '../../lib/definitions/functions.ts';
import { queues, table as tableDefinition } from '../../lib/definitions/resources.ts';
import { agentGroups, routes } from '../../lib/definitions/routes.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesized } from './synthesized.ts';
import { functionsDir, repoRoot } from '../../lib/paths.ts';

type Json = Record<string, any>;
type Resources = Record<string, Json>;

let stack: HelpdeskStack;
let template: Template;
let resources: Resources;

/** The same stack without a support domain: mail is off. */
let mailOff: { stack: HelpdeskStack; template: Template; resources: Resources };

const supportDomain = 'helpdesk.example.com';
const supportAddresses = [`support@${supportDomain}`, `billing@${supportDomain}`];
/** Set with mail on (so the tests see who is told it), unset with mail off (as in cdk.json). */
const deskName = 'Example Desk';
/** Description of the inbound-mail function (its manifest entry). */
const inboundDescription = functionNamed('InboundMail').description;
/** The lifecycle state machine's fixed name (helpdesk-<stage>-ticket-lifecycle, stage "dev" from cdk.json). */
const stateMachineName = 'helpdesk-dev-ticket-lifecycle';
/** Logical id prefix of the AwsCustomResource provider singleton. */
const providerIdPrefix = 'AWS679f53fac002430cb0da5b7982bd2287';
/** Logical id prefix of the CDK-provided BucketDeployment function (the dashboard's deployment, lib/constructs/dashboard-hosting.ts). */
const bucketDeploymentIdPrefix = 'CustomCDKBucketDeployment';

/**
 * Same context as `cdk synth` (feature flags, config) with two test-only changes: bundling is
 * skipped (fast, no esbuild), and error annotations stay annotations instead of failing
 * synthesis, so the cdk-nag tests below can list every finding.
 */
/** Shared per configuration with the other infra files (tests/infra/synthesized.ts). */
function synthStack(context: Json) {
  const { stack: built, template: tmpl, resources: res } = synthesized(context);
  return { stack: built, template: tmpl, resources: res };
}

beforeAll(() => {
  ({ stack, template, resources } = synthStack({
    [contextKeys.supportDomain]: supportDomain,
    [contextKeys.supportAddresses]: supportAddresses,
    [contextKeys.deskName]: deskName,
  }));
  mailOff = synthStack({ [contextKeys.supportDomain]: '' });
  for (const built of [stack, mailOff.stack]) {
    for (const [name, fn] of built.functions.functions) manifestNames.set(built.resolve((fn.fn.node.defaultChild as CfnElement).logicalId) as string, name);
  }
});

const ofType = (type: string): [string, Json][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/**
 * Name a policy resource by what it points at, not by its hashed logical id. The stack has
 * several buckets (mail, its access logs, the dashboard's site and logs), so a bucket is also
 * named by its logical id without the hash: `<AWS::S3::Bucket MailMailBucket.Arn>`.
 */
function describeResource(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  const named = (id: string) => {
    const type = resources[id]?.Type as string | undefined;
    if (type === undefined) return id;
    return type === 'AWS::S3::Bucket' ? `${type} ${id.replace(/[0-9A-F]{8}$/, '')}` : type;
  };
  if (v['Fn::GetAtt']) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return `<${named(id)}.${attr}>`;
  }
  if (v.Ref) return `<${named(v.Ref as string)}>`;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(describeResource).join(v['Fn::Join'][0]);
  // CDK's bootstrap asset bucket: cdk-<qualifier>-assets-${AWS::AccountId}-${AWS::Region}.
  if (typeof v['Fn::Sub'] === 'string') return (v['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, '<$1>');
  return JSON.stringify(v);
}

/** Logical ids of what the tests look up by construct rather than by type (the same in both synths). */
/** As synthesised: getLogicalId would ignore an override (the lifecycle's Task functions keep theirs). */
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
/** The mail bucket (SES writes inbound/, agents and mail files live under uploads/ and attachments/). */
const mailBucketId = () => logicalId(stack.mail.bucket);

/** Logical id of a manifest function's Lambda → its manifest name (the same ids in both synths). */
const manifestNames = new Map<string, string>();

/** The manifest entry a Lambda was built from; undefined for the CDK-provided ones. */
const manifestOf = (fnId: string): FunctionDefinition | undefined => {
  const name = manifestNames.get(fnId);
  return name === undefined ? undefined : functionNamed(name);
};

/** A function's name for the tests: its manifest name, or the CDK-provided helper it is (rule-set activation, dashboard deployment, desk-config provider). */
function functionName(fnId: string, fn: Json): string {
  const name = manifestNames.get(fnId);
  if (name !== undefined) return name;
  const description = (fn.Properties.Description ?? '') as string;
  if (description.startsWith('AWS CDK resource provider framework - onEvent') && description.includes('DeskConfig')) return 'DeskConfigProvider';
  if (fnId.startsWith(providerIdPrefix)) return 'ActivateReceiptRuleSet';
  if (fnId.startsWith(bucketDeploymentIdPrefix)) return 'BucketDeployment';
  return fnId;
}

/** Every function with mail on: the manifest's (retention is off here), and the CDK-provided helpers. */
const allFunctionNames = () =>
  [...manifest.filter((f) => isBuilt(f, { mail: true, retention: false })).map((f) => f.name), 'ActivateReceiptRuleSet', 'BucketDeployment', 'DeskConfigProvider'].sort();

/** A function's resource by its test name (see functionName). */
function functionByName(name: string, res: Resources = resources): Json {
  const found = Object.entries(res).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && functionName(id, r) === name);
  expect(found, name).toHaveLength(1);
  return found[0]![1];
}

/** Function logical id → the statements of every policy attached to its role. */
function functionPolicies(res: Resources = resources): Map<string, { routeName: string; statements: Json[] }> {
  const ofType = (type: string) => Object.entries(res).filter(([, r]) => r.Type === type);
  const out = new Map<string, { routeName: string; statements: Json[] }>();
  for (const [fnId, fn] of ofType('AWS::Lambda::Function')) {
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    const inline = (res[roleId]!.Properties.Policies ?? []) as Json[];
    statements.push(...inline.flatMap((p) => p.PolicyDocument.Statement as Json[]));
    out.set(fnId, { routeName: functionName(fnId, fn), statements });
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

  it('has a public client (no secret, no OAuth) signing in with USER_PASSWORD_AUTH (the dashboard) or SRP, with short-lived tokens', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      // Never ADMIN_USER_PASSWORD_AUTH or CUSTOM_AUTH: the flows a browser client needs and nothing else.
      ExplicitAuthFlows: Match.arrayEquals(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      AllowedOAuthFlowsUserPoolClient: false,
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
  it('every manifest entry has a handler file', () => {
    for (const fn of manifest) expect(existsSync(join(functionsDir, fn.entry)), fn.entry).toBe(true);
  });

  it('has one Lambda per manifest function built with mail on, the rule-set activation provider, the dashboard deployment and the desk-config provider, nothing else', () => {
    const names = ofType('AWS::Lambda::Function').map(([id, fn]) => functionName(id, fn));
    expect(names.sort()).toEqual(allFunctionNames());
  });

  it('every manifest Lambda is nodejs22.x on arm64, traced, with the pinned defaults (its environment and size: tests/infra/manifest.test.ts)', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([id]) => manifestOf(id) !== undefined);
    expect(fns).toHaveLength(stack.functions.functions.size);
    for (const [, fn] of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'helpdesk', LOG_LEVEL: 'INFO' } },
      });
      // Its own log group, with retention.
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(resources[logGroupId]!.Properties.RetentionInDays).toBeGreaterThan(0);
    }
    // Every function has a role of its own: the routes and every other function named in allFunctionNames.
    const roles = new Set(ofType('AWS::Lambda::Function').map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0] as string));
    expect(roles.size).toBe(allFunctionNames().length);
    expect(roles.size).toBe(ofType('AWS::Lambda::Function').length);
  });

  it('every function has its own log group with retention', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const logGroupId = fn.Properties.LoggingConfig?.LogGroup?.Ref as string;
      expect(resources[logGroupId]?.Properties.RetentionInDays, id).toBeGreaterThan(0);
    }
  });

  it('every function may write only to its own log group', () => {
    for (const [fnId, { routeName, statements }] of functionPolicies()) {
      const logGroupId = resources[fnId]!.Properties.LoggingConfig.LogGroup.Ref as string;
      const logs = statements.filter((s) => asArray(s.Action as string | string[]).some((a) => a.startsWith('logs:')));
      expect(logs, routeName).toHaveLength(1);
      expect(asArray(logs[0]!.Action as string[]).sort(), routeName).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(logs[0]!.Resource, routeName).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    }
  });

  it('no role uses a managed policy', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  /** The S3 action groups CDK's BucketDeployment grants: read of its asset bucket; read, write and delete (prune) of the site bucket. */
  const deploymentActionGroups = ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'];

  it("no function policy has Action '*' or Resource '*' except actions without resource-level permissions; action groups only for the dashboard deployment", () => {
    for (const { routeName, statements } of functionPolicies().values()) {
      for (const s of statements) {
        const actions = asArray(s.Action as string | string[]);
        const res = asArray(s.Resource as unknown);
        expect(s.Effect, routeName).toBe('Allow');
        expect(actions, routeName).not.toContain('*');
        // No wildcard in an action name (s3:Get*, dynamodb:*…) except the groups BucketDeployment grants itself.
        const groups = actions.filter((a) => a.includes('*'));
        const allowedGroups = routeName === 'BucketDeployment' ? deploymentActionGroups : [];
        expect(groups.filter((g) => !allowedGroups.includes(g)), routeName).toEqual([]);
        if (!res.includes('*')) continue;
        // X-Ray trace writes, and (for the activation provider alone) SetActiveReceiptRuleSet.
        const allowed = (a: string) => a.startsWith('xray:') || (routeName === 'ActivateReceiptRuleSet' && a === 'ses:SetActiveReceiptRuleSet');
        expect(actions.every(allowed), `${routeName}: ${actions}`).toBe(true);
      }
    }
  });

  it('the dashboard deployment may read the CDK asset bucket, write and delete in the site bucket only, and invalidate this distribution only', () => {
    const fn = functionByName('BucketDeployment');
    const { statements } = [...functionPolicies().values()].find((p) => p.routeName === 'BucketDeployment')!;
    // Where its own code and the build come from: the bootstrap asset bucket, cdk-<qualifier>-assets-<account>-<region>.
    const assetBucket = describeResource(fn.Properties.Code.S3Bucket);
    expect(assetBucket).toMatch(/^cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>$/);
    const assetBucketArn = `arn:<AWS::Partition>:s3:::${assetBucket}`;
    const site = describeResource({ 'Fn::GetAtt': [logicalId(stack.dashboard.bucket), 'Arn'] });
    expect(site).toBe('<AWS::S3::Bucket DashboardSite.Arn>');
    const distribution = describeResource({ Ref: logicalId(stack.dashboard.distribution) });
    const summary = statements
      .map((s) => ({ actions: asArray(s.Action as string | string[]).slice().sort(), resources: asArray(s.Resource as unknown).map(describeResource).sort() }))
      .sort((a, b) => a.actions.join().localeCompare(b.actions.join()));
    expect(summary).toEqual([
      { actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'], resources: [`arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/${distribution}`] },
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: ['<AWS::Logs::LogGroup.Arn>'] },
      {
        actions: [
          's3:Abort*',
          's3:DeleteObject*',
          's3:GetBucket*',
          's3:GetObject*',
          's3:List*',
          's3:PutObject',
          's3:PutObjectLegalHold',
          's3:PutObjectRetention',
          's3:PutObjectTagging',
          's3:PutObjectVersionTagging',
        ],
        resources: [site, `${site}/*`],
      },
      { actions: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'], resources: [assetBucketArn, `${assetBucketArn}/*`] },
    ]);
    // Never the mail bucket, its access logs or the dashboard's log bucket.
    for (const other of [stack.mail.bucket, stack.mail.accessLogsBucket, stack.dashboard.logBucket]) {
      expect(JSON.stringify(statements)).not.toContain(logicalId(other));
    }
  });

  it('no function may Scan, drop the table or use PartiQL, and only the functions whose manifest needs say so may delete', () => {
    const never = ['dynamodb:Scan', 'dynamodb:DeleteTable', 'dynamodb:PartiQLSelect'];
    for (const [fnId, { routeName, statements }] of functionPolicies()) {
      const actions = statements.flatMap((s) => asArray(s.Action as string | string[]));
      expect(actions.filter((a) => never.includes(a)), routeName).toEqual([]);
      const definition = manifestOf(fnId);
      const mayDelete = definition !== undefined && tableGrantsOf(definition.needs).some((g) => g.actions.includes('DeleteItem') || g.actions.includes('BatchWriteItem'));
      if (!mayDelete) expect(actions.filter((a) => a === 'dynamodb:BatchWriteItem' || a === 'dynamodb:DeleteItem'), routeName).toEqual([]);
    }
  });

  it('manifest functions reach only the services their needs name; S3 only objects of the mail bucket, by prefix', () => {
    for (const [fnId, { routeName, statements }] of functionPolicies()) {
      if (manifestOf(fnId) === undefined) continue;
      const actions = statements.flatMap((s) => asArray(s.Action as string | string[]));
      expect(actions.filter((a) => !/^(dynamodb|logs|xray|states|ses|secretsmanager|s3|cognito-idp|sqs):/.test(a)), routeName).toEqual([]);
      const s3Resources = statements.filter((s) => asArray(s.Action as string | string[]).some((a) => a.startsWith('s3:'))).flatMap((s) => asArray(s.Resource as unknown).map(describeResource));
      for (const r of s3Resources) expect(r, routeName).toMatch(/^<AWS::S3::Bucket MailMailBucket\.Arn>\/(uploads|attachments|inbound|models\/triage)\/\*$/);
    }
  });

  it('IAM statements per function (review any change here)', () => {
    const summary: Record<string, string[]> = {};
    for (const { routeName, statements } of functionPolicies().values()) {
      summary[routeName] = statements
        .map((s) => {
          const actions = asArray(s.Action as string | string[]).slice().sort().join(',');
          const res = asArray(s.Resource as unknown).map(describeResource).sort().join(' ');
          // Conditions narrow a grant (e.g. dynamodb:LeadingKeys): a change to one shows up here too.
          return `${s.Effect} ${actions} on ${res}${s.Condition ? ` when ${JSON.stringify(s.Condition)}` : ''}`;
        })
        .sort();
    }
    expect(Object.keys(summary).sort()).toEqual(allFunctionNames());
    expect(summary).toMatchSnapshot();
  });
});

describe('who drives the ticket lifecycle', () => {
  const machineArn = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${stateMachineName}`;
  const executionsArn = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName}:*`;

  it('the ARN given to the functions names the state machine itself', () => {
    const [[, machine]] = ofType('AWS::StepFunctions::StateMachine') as [[string, Json]];
    expect(machine.Properties.StateMachineName).toBe(stateMachineName);
  });

  it('only the functions whose needs name the lifecycle may touch it, on this machine and its executions only; no other is told its ARN', () => {
    for (const [fnId, { routeName, statements }] of functionPolicies()) {
      const definition = manifestOf(fnId);
      const granted = statements
        .filter((st) => asArray(st.Action as string | string[]).some((a) => a.startsWith('states:')))
        .flatMap((st) => asArray(st.Resource as unknown).map(describeResource));
      for (const r of granted) expect([machineArn, executionsArn], routeName).toContain(r);
      const drives = (definition?.needs.lifecycle?.length ?? 0) > 0;
      if (!drives) expect(granted, routeName).toEqual([]);
      // Told its ARN only through the lifecycle need (which functions get it: environmentOf, checked in manifest.test.ts).
      const vars = (resources[fnId]!.Properties.Environment?.Variables ?? {}) as Json;
      if (vars.STATE_MACHINE_ARN !== undefined) expect([routeName, describeResource(vars.STATE_MACHINE_ARN)]).toEqual([routeName, machineArn]);
      if (!drives) expect(vars.STATE_MACHINE_ARN, routeName).toBeUndefined();
    }
  });
});

describe('customer pages', () => {
  it('the web form page needs nothing but its logs: no table, no secret, no mail', () => {
    const form = [...functionPolicies().values()].find((p) => p.routeName === 'HelpForm')!;
    expect(form.statements.flatMap((st) => asArray(st.Action as string | string[])).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
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
    const withRedrive = ofType('AWS::SQS::Queue').filter(([id, q]) => q.Properties.RedrivePolicy && id === logicalId(stack.mail.queue));
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
    const mail = resources[mailBucketId()]!;
    expect(mail.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logicalId(stack.mail.accessLogsBucket) });
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

  it("mail bucket CORS: one rule, for the dashboard's presigned uploads and downloads, from the API's origins", () => {
    const mail = resources[mailBucketId()]!;
    const [, api] = ofType('AWS::ApiGatewayV2::Api')[0]!;
    // The URL's signature is the permission; CORS only lets the dashboard's page send it (cdk.json's allowedOrigins is []: the dashboard alone).
    expect(mail.Properties.CorsConfiguration.CorsRules).toEqual([
      {
        AllowedOrigins: api.Properties.CorsConfiguration.AllowOrigins,
        AllowedMethods: ['PUT', 'GET', 'HEAD'],
        AllowedHeaders: ['content-type'],
        ExposedHeaders: ['ETag'],
        MaxAge: 3600,
      },
    ]);
    // No other bucket takes cross-origin requests (the site is served by CloudFront).
    expect(ofType('AWS::S3::Bucket').filter(([, b]) => b.Properties.CorsConfiguration).map(([id]) => id)).toEqual([mailBucketId()]);
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

/** The identity and the configuration set: nothing else may be sent through. */
const sendResources = [
  'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:configuration-set/<AWS::SES::ConfigurationSet>',
  'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/<AWS::SES::EmailIdentity>',
];

describe('sending', () => {
  it('every function that may send mail sends only through the identity and the configuration set; with mail off none may', () => {
    const sends = (res: Resources) => [...functionPolicies(res).values()].flatMap(({ routeName, statements }) =>
      statements.filter((st) => asArray(st.Action as string[]).some((a) => a.startsWith('ses:Send'))).map((st) => ({ routeName, st })));
    expect(sends(resources).length).toBeGreaterThan(0);
    for (const { routeName, st } of sends(resources)) {
      expect(asArray(st.Action as string[]).sort(), routeName).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(asArray(st.Resource as unknown).map(describeResource).sort(), routeName).toEqual(sendResources);
    }
    expect(sends(mailOff.resources)).toEqual([]);
  });
});

describe('inbound mail (SES → S3 + SNS → SQS → Lambda)', () => {
  const inboundFunction = (res: Resources = resources) =>
    Object.entries(res).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === inboundDescription)!;

  it('has one receipt rule set with one rule: the support addresses, scanned, TLS only, stored under inbound/ and notified', () => {
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    template.resourceCountIs('AWS::SES::ReceiptRule', 1);
    const [ruleSetId] = ofType('AWS::SES::ReceiptRuleSet')[0]!;
    const [topicId] = ofType('AWS::SNS::Topic')[0]!;
    const bucketId = mailBucketId();
    const [, rule] = ofType('AWS::SES::ReceiptRule')[0]!;
    expect(rule.Properties.RuleSetName).toEqual({ Ref: ruleSetId });
    expect(rule.Properties.Rule).toEqual({
      Name: expect.any(String) as unknown,
      Enabled: true,
      // An address matches its plus-addressed forms in SES; the bare domain is deliberately absent.
      Recipients: supportAddresses,
      ScanEnabled: true,
      TlsPolicy: 'Require',
      Actions: [{ S3Action: { BucketName: { Ref: bucketId }, ObjectKeyPrefix: 'inbound/', TopicArn: { Ref: topicId } } }],
    });
    // The SNS-only action bounces mail over 150 KB.
    expect(JSON.stringify(rule.Properties.Rule.Actions)).not.toContain('SNSAction');
    // SES checks its permissions when the rule is created: the policies must exist first.
    const bucketPolicyId = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)![0];
    const topicPolicyId = ofType('AWS::SNS::TopicPolicy')[0]![0];
    expect(ofType('AWS::SES::ReceiptRule')[0]![1].DependsOn).toEqual(expect.arrayContaining([bucketPolicyId, topicPolicyId]));
  });

  const ruleArnPattern = /^:receipt-rule-set\/[\w.-]+:receipt-rule\/[\w.-]+$/;
  const sesStatement = (doc: Json) => (doc.Statement as Json[]).find((st) => st.Principal?.Service === 'ses.amazonaws.com');

  it('the mail bucket lets SES put objects under inbound/ only, for this account and this rule', () => {
    const bucketId = mailBucketId();
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)!;
    const st = sesStatement(policy.Properties.PolicyDocument)!;
    expect(st).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject' });
    expect(describeResource(st.Resource)).toBe('<AWS::S3::Bucket MailMailBucket.Arn>/inbound/*');
    expect(st.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    const sourceArn = st.Condition.StringEquals['aws:SourceArn']['Fn::Join'][1] as unknown[];
    expect(String(sourceArn.at(-1))).toMatch(ruleArnPattern);
  });

  it('the topic lets SES publish for this account and this rule; its key lets SES encrypt', () => {
    const [, policy] = ofType('AWS::SNS::TopicPolicy')[0]!;
    const st = sesStatement(policy.Properties.PolicyDocument)!;
    expect(st).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish' });
    expect(st.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(String((st.Condition.StringEquals['aws:SourceArn']['Fn::Join'][1] as unknown[]).at(-1))).toMatch(ruleArnPattern);
    const [, key] = ofType('AWS::KMS::Key')[0]!;
    const keySt = sesStatement(key.Properties.KeyPolicy)!;
    expect(asArray(keySt.Action as string[])).toEqual(expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Decrypt']));
  });

  it('a custom resource activates the rule set (SetActiveReceiptRuleSet) and deactivates it on delete', () => {
    const [crId, cr] = ofType('Custom::SesActiveReceiptRuleSet')[0]!;
    const [ruleSetId, ruleSet] = ofType('AWS::SES::ReceiptRuleSet')[0]!;
    const ruleSetName = ruleSet.Properties.RuleSetName as string;
    for (const phase of ['Create', 'Update']) {
      expect(JSON.parse(cr.Properties[phase] as string), phase).toMatchObject({
        service: 'SES',
        action: 'SetActiveReceiptRuleSet',
        parameters: { RuleSetName: ruleSetName },
      });
    }
    const onDelete = JSON.parse(cr.Properties.Delete as string) as Json;
    expect(onDelete).toMatchObject({ service: 'SES', action: 'SetActiveReceiptRuleSet' });
    expect(onDelete.parameters?.RuleSetName).toBeUndefined();
    // Activated only once its rule exists; removed (deactivated) before the rule set is deleted.
    const [ruleId] = ofType('AWS::SES::ReceiptRule')[0]!;
    expect(resources[crId]!.DependsOn).toEqual(expect.arrayContaining([ruleId]));
    expect(ruleSetId).toBeDefined();

    // Its provider may call that one action and write its own log group; no managed policy.
    const provider = [...functionPolicies().values()].find((p) => p.routeName === 'ActivateReceiptRuleSet')!;
    const actions = provider.statements.flatMap((st) => asArray(st.Action as string | string[])).sort();
    expect(actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'ses:SetActiveReceiptRuleSet']);
  });

  it('the inbound function is nodejs22.x on arm64, 1024 MB, traced, with the timeout its queue is sized for', () => {
    const [, fn] = inboundFunction();
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 1024, TracingConfig: { Mode: 'Active' } });
    expect(fn.Properties.Timeout).toBe(inboundMailTimeoutSeconds);
  });

  it('reads the queue in batches of 10, reporting partial batch failures, with bounded concurrency', () => {
    const [fnId] = inboundFunction();
    const queueId = logicalId(stack.mail.queue);
    // One mapping each: inbound mail, and SES delivery events (tests/infra/delivery-events.test.ts).
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: Match.anyValue() },
    });
  });

  it("the queue's visibility timeout is at least 6× the function timeout; the DLQ takes a mail after ≥ 5 receives", () => {
    const [, fn] = inboundFunction();
    const [, queue] = ofType('AWS::SQS::Queue').find(([, q]) => q.Properties.RedrivePolicy)!;
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (fn.Properties.Timeout as number));
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
  });

});

describe('outbound mail', () => {
  it('has a domain identity with Easy DKIM, sending through a configuration set with reputation metrics', () => {
    template.resourceCountIs('AWS::SES::EmailIdentity', 1);
    const [configSetId] = ofType('AWS::SES::ConfigurationSet')[0]!;
    const [, identity] = ofType('AWS::SES::EmailIdentity')[0]!;
    expect(identity.Properties.EmailIdentity).toBe(supportDomain);
    expect(identity.Properties.DkimAttributes?.SigningEnabled ?? true).toBe(true);
    expect(identity.Properties.DkimSigningAttributes).toBeUndefined();
    expect(identity.Properties.ConfigurationSetAttributes).toEqual({ ConfigurationSetName: { Ref: configSetId } });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { ReputationOptions: { ReputationMetricsEnabled: true } });
  });

});

describe('reply-token secret', () => {
  it('is generated by Secrets Manager: 48 characters without punctuation', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
  });

  it('no function environment holds a secret value: only the ARN, read at cold start', () => {
    const [secretId] = ofType('AWS::SecretsManager::Secret')[0]!;
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const vars = (fn.Properties.Environment?.Variables ?? {}) as Json;
      expect(vars.REPLY_TOKEN_SECRET, id).toBeUndefined();
      expect(JSON.stringify(vars), id).not.toMatch(/resolve:secretsmanager|SecretString/i);
      for (const [name, value] of Object.entries(vars)) {
        if (JSON.stringify(value).includes(secretId)) expect(name, id).toBe('REPLY_TOKEN_SECRET_ARN');
      }
    }
  });

  const secretReaders = (res: Resources) =>
    [...functionPolicies(res).values()].filter((p) => p.statements.some((st) => asArray(st.Action as string[]).some((a) => a.startsWith('secretsmanager:'))));

  it('whoever may read it (the functions whose needs are the signing key or, mail on, sending) may call GetSecretValue on it alone', () => {
    for (const res of [resources, mailOff.resources]) {
      const readers = secretReaders(res);
      expect(readers.length).toBeGreaterThan(0);
      for (const r of readers) {
        const statements = r.statements.filter((st) => asArray(st.Action as string[]).some((a) => a.startsWith('secretsmanager:')));
        expect(statements.flatMap((st) => asArray(st.Action as string[])), r.routeName).toEqual(['secretsmanager:GetSecretValue']);
        expect(statements.flatMap((st) => asArray(st.Resource as unknown).map(describeResource)), r.routeName).toEqual(['<AWS::SecretsManager::Secret>']);
      }
    }
  });
});

describe('mail off (no support domain)', () => {
  const offOfType = (type: string) => Object.entries(mailOff.resources).filter(([, r]) => r.Type === type);

  it('has no receipt rule set, activation, identity or configuration set', () => {
    for (const type of ['AWS::SES::ReceiptRuleSet', 'AWS::SES::ReceiptRule', 'Custom::SesActiveReceiptRuleSet', 'AWS::SES::EmailIdentity', 'AWS::SES::ConfigurationSet']) {
      expect(offOfType(type), type).toEqual([]);
    }
  });

  it('still has the queue consumer, and says why mail is off', () => {
    const inbound = offOfType('AWS::Lambda::Function').filter(([, f]) => f.Properties.Description === inboundDescription);
    expect(inbound).toHaveLength(1);
    expect(offOfType('AWS::Lambda::EventSourceMapping')).toHaveLength(1);
    expect(inbound[0]![1].Properties.Environment.Variables.MAIL_ENABLED).toBe('false');
    const info = Annotations.fromStack(mailOff.stack).findInfo('*', Match.stringLikeRegexp('Mail is off'));
    expect(info).toHaveLength(1);
    expect(String(info[0]!.entry.data)).toContain(contextKeys.supportDomain);
  });

  it('is cdk-nag clean too', () => {
    const findings = [
      ...Annotations.fromStack(mailOff.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(mailOff.stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data)}`)).toEqual([]);
  });
});

describe('outputs', () => {
  it('exports what the dashboard and operators need', () => {
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName']) template.hasOutput(name, {});
  });

  it('lists the DNS records to create: three DKIM CNAMEs and the MX for SES inbound', () => {
    const outputs = template.toJSON().Outputs as Json;
    const [identityId] = ofType('AWS::SES::EmailIdentity')[0]!;
    for (const i of [1, 2, 3]) {
      expect(outputs[`DnsDkimRecord${i}`].Value).toEqual({
        'Fn::Join': [
          '',
          [{ 'Fn::GetAtt': [identityId, `DkimDNSTokenName${i}`] }, ' CNAME ', { 'Fn::GetAtt': [identityId, `DkimDNSTokenValue${i}`] }],
        ],
      });
    }
    expect(outputs.DnsMxRecord.Value).toEqual({
      'Fn::Join': ['', [`${supportDomain} MX 10 inbound-smtp.`, { Ref: 'AWS::Region' }, '.amazonaws.com']],
    });
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
