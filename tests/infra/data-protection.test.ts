import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, loadConfig } from '../../lib/config.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesized } from './synthesized.ts';
import { repoRoot } from '../../lib/paths.ts';

/**
 * Data protection in the template: raw mail expires, closed tickets are
 * purged only when configured, the erasure and the purge are the only
 * functions that delete tickets and their files (each with exactly what it
 * needs), and every bucket, queue and topic is encrypted and TLS-only.
 */
type Json = Record<string, any>;

/** Shared per configuration with the other infra files (tests/infra/synthesized.ts). */
function synth(context: Json) {
  const { stack, template, resources } = synthesized(context);
  return { stack, template, resources };
}

type Synth = ReturnType<typeof synth>;
let byDefault: Synth;
let withPurge: Synth;
let rawMailKept: Synth;

beforeAll(() => {
  byDefault = synth({});
  withPurge = synth({ [contextKeys.closedTicketRetentionDays]: 30, [contextKeys.rawMailRetentionDays]: 14, [contextKeys.supportDomain]: 'support.example.com' });
  rawMailKept = synth({ [contextKeys.rawMailRetentionDays]: 'off' });
});

const ofType = (s: Synth, type: string) => Object.entries(s.resources).filter(([, r]) => r.Type === type);
/** A logical id without CDK's hash suffix. */
const bare = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

/** A resource reference as readable text: `<MailMailBucket>/inbound/*`, `arn:<AWS::Partition>:…`. */
function named(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Json;
  if (o['Fn::GetAtt']) return `<${bare(o['Fn::GetAtt'][0])}>`;
  if (o.Ref) return `<${o.Ref.startsWith('AWS::') ? o.Ref : bare(o.Ref)}>`;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(named).join(o['Fn::Join'][0]);
  return JSON.stringify(o);
}

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Every action a function's role is allowed, each with the sorted resources it is allowed on. */
function permissions(s: Synth, functionId: string): Record<string, string[]> {
  const fn = s.resources[functionId]!;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const out: Record<string, Set<string>> = {};
  for (const [, p] of ofType(s, 'AWS::IAM::Policy')) {
    if (!p.Properties.Roles.some((r: Json) => r.Ref === roleId)) continue;
    for (const st of p.Properties.PolicyDocument.Statement) {
      expect(st.Effect).toBe('Allow');
      expect(st.Condition).toBeUndefined();
      for (const a of asArray(st.Action as string)) for (const r of asArray(st.Resource)) (out[a] ??= new Set()).add(named(r));
    }
  }
  return Object.fromEntries(Object.entries(out).map(([a, rs]) => [a, [...rs].sort()]));
}

const functionByDescription = (s: Synth, description: RegExp) => ofType(s, 'AWS::Lambda::Function').filter(([, r]) => description.test(r.Properties.Description ?? ''));

const mailObjects = ['<MailMailBucket>/attachments/*', '<MailMailBucket>/inbound/*', '<MailMailBucket>/uploads/*'];
const executions = 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:helpdesk-dev-ticket-lifecycle:*';
const readwrite = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];

describe('raw mail retention', () => {
  const mailBucket = (s: Synth) => ofType(s, 'AWS::S3::Bucket').find(([id]) => id.startsWith('MailMailBucket'))![1];

  it('expires raw MIME under inbound/ after rawMailDays (90 by default), and nothing else in the mail bucket', () => {
    expect(mailBucket(byDefault).Properties.LifecycleConfiguration).toEqual({ Rules: [{ Id: 'ExpireRawMail', Prefix: 'inbound/', ExpirationInDays: 90, Status: 'Enabled' }] });
    expect(mailBucket(withPurge).Properties.LifecycleConfiguration).toEqual({ Rules: [{ Id: 'ExpireRawMail', Prefix: 'inbound/', ExpirationInDays: 14, Status: 'Enabled' }] });
  });

  it('keeps raw mail when retention is off', () => {
    expect(mailBucket(rawMailKept).Properties.LifecycleConfiguration).toBeUndefined();
  });
});

describe('closed-ticket purge', () => {
  const purgeDescription = /^Retention: deletes tickets closed /;

  it('is not built unless closedTicketRetentionDays is set', () => {
    expect(functionByDescription(byDefault, purgeDescription)).toEqual([]);
    expect(ofType(byDefault, 'AWS::Events::Rule').filter(([id]) => id.includes('PurgeClosedTickets'))).toEqual([]);
  });

  it('runs daily from an EventBridge rule, with the days, the table and the bucket', () => {
    const [[id, fn]] = functionByDescription(withPurge, purgeDescription) as [[string, Json]];
    expect(fn.Properties.Environment.Variables).toMatchObject({ CLOSED_TICKET_DAYS: '30', TABLE_NAME: { Ref: expect.stringMatching(/^DataTable/) }, MAIL_BUCKET: { Ref: expect.stringMatching(/^MailMailBucket/) } });
    expect(fn.Properties.Timeout).toBe(300);
    withPurge.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(30 3 * * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })],
    });
    withPurge.template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [id, 'Arn'] }, Principal: 'events.amazonaws.com' });
  });

  it('may only query the table and its status index, delete items and delete objects under the three mail prefixes', () => {
    const [[id]] = functionByDescription(withPurge, purgeDescription) as [[string, Json]];
    expect(permissions(withPurge, id)).toEqual({
      'logs:CreateLogStream': ['<FunctionsPurgeClosedTicketsLogs>'],
      'logs:PutLogEvents': ['<FunctionsPurgeClosedTicketsLogs>'],
      'xray:PutTelemetryRecords': ['*'],
      'xray:PutTraceSegments': ['*'],
      'dynamodb:Query': ['<DataTable>', '<DataTable>/index/status'],
      'dynamodb:BatchWriteItem': ['<DataTable>'],
      'dynamodb:DeleteItem': ['<DataTable>'],
      's3:DeleteObject': mailObjects,
    });
  });
});

describe('requester erasure', () => {
  it('POST /admin/erasures has its own function, behind the JWT authorizer', () => {
    for (const s of [byDefault, withPurge]) {
      expect(functionByDescription(s, /^POST \/admin\/erasures$/)).toHaveLength(1);
      s.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /admin/erasures', AuthorizationType: 'JWT' });
    }
  });

  it('may read and write tickets, delete items (not through indexes), delete mail objects and stop lifecycles: nothing more', () => {
    for (const s of [byDefault, withPurge]) {
      const [[id]] = functionByDescription(s, /^POST \/admin\/erasures$/) as [[string, Json]];
      expect(permissions(s, id)).toEqual({
        'logs:CreateLogStream': ['<FunctionsEraseRequesterLogs>'],
        'logs:PutLogEvents': ['<FunctionsEraseRequesterLogs>'],
        'xray:PutTelemetryRecords': ['*'],
        'xray:PutTraceSegments': ['*'],
        ...Object.fromEntries(readwrite.map((a) => [a, ['<DataTable>', '<DataTable>/index/*']])),
        'dynamodb:BatchWriteItem': ['<DataTable>'],
        'dynamodb:DeleteItem': ['<DataTable>'],
        's3:DeleteObject': mailObjects,
        'states:StopExecution': [executions],
      });
    }
  });

  it('no other function deletes mail objects or batch-writes the table', () => {
    for (const s of [byDefault, withPurge]) {
      const allowed = new Set(
        [...functionByDescription(s, /^POST \/admin\/erasures$/), ...functionByDescription(s, /^Retention: /)].map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]),
      );
      for (const [, p] of ofType(s, 'AWS::IAM::Policy')) {
        if (p.Properties.Roles.some((r: Json) => allowed.has(r.Ref))) continue;
        for (const st of p.Properties.PolicyDocument.Statement) {
          const actions = asArray(st.Action as string);
          expect(actions).not.toContain('dynamodb:BatchWriteItem');
          if (actions.some((a) => a === 's3:DeleteObject' || a === 's3:*')) expect(asArray(st.Resource).map(named).join(' ')).not.toContain('MailMailBucket');
        }
      }
    }
  });
});

describe('encryption at rest and TLS only, over the whole template', () => {
  /** A Deny on every principal when the request is not over TLS. */
  const tlsOnly = (statements: Json[]) =>
    statements.some((st) => st.Effect === 'Deny' && (st.Principal === '*' || st.Principal?.AWS === '*') && st.Condition?.Bool?.['aws:SecureTransport'] === 'false');

  it('every bucket is encrypted and its policy refuses plain HTTP', () => {
    for (const s of [byDefault, withPurge]) {
      const buckets = ofType(s, 'AWS::S3::Bucket');
      expect(buckets.length).toBeGreaterThanOrEqual(4);
      for (const [id, b] of buckets) {
        expect(b.Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm, id).toMatch(/^(AES256|aws:kms|aws:kms:dsse)$/);
        const policies = ofType(s, 'AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket?.Ref === id);
        expect(policies.some(([, p]) => tlsOnly(p.Properties.PolicyDocument.Statement)), `${id} is not TLS-only`).toBe(true);
      }
    }
  });

  it('every queue is encrypted and its policy refuses plain HTTP', () => {
    for (const s of [byDefault, withPurge]) {
      const queues = ofType(s, 'AWS::SQS::Queue');
      expect(queues.length).toBeGreaterThanOrEqual(2);
      for (const [id, q] of queues) {
        expect(q.Properties.SqsManagedSseEnabled === true || q.Properties.KmsMasterKeyId !== undefined, `${id} is not encrypted`).toBe(true);
        const policies = ofType(s, 'AWS::SQS::QueuePolicy').filter(([, p]) => p.Properties.Queues.some((r: Json) => r.Ref === id));
        expect(policies.some(([, p]) => tlsOnly(p.Properties.PolicyDocument.Statement)), `${id} is not TLS-only`).toBe(true);
      }
    }
  });

  it('every topic is encrypted with a key and its policy refuses plain HTTP', () => {
    for (const s of [byDefault, withPurge]) {
      const topics = ofType(s, 'AWS::SNS::Topic');
      expect(topics.length).toBeGreaterThanOrEqual(1);
      for (const [id, t] of topics) {
        expect(t.Properties.KmsMasterKeyId, `${id} is not encrypted`).toBeDefined();
        const policies = ofType(s, 'AWS::SNS::TopicPolicy').filter(([, p]) => p.Properties.Topics.some((r: Json) => r.Ref === id));
        expect(policies.some(([, p]) => tlsOnly(p.Properties.PolicyDocument.Statement)), `${id} is not TLS-only`).toBe(true);
      }
    }
  });

  it('the table is encrypted, with point-in-time recovery', () => {
    for (const s of [byDefault, withPurge]) {
      for (const [, t] of ofType(s, 'AWS::DynamoDB::Table')) {
        expect(t.Properties.SSESpecification?.SSEEnabled).toBe(true);
        expect(t.Properties.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled).toBe(true);
      }
    }
  });
});

describe('cdk-nag', () => {
  it('has no unacknowledged AwsSolutions finding on what data protection adds', () => {
    for (const s of [byDefault, withPurge]) {
      const findings = [...Annotations.fromStack(s.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-')), ...Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-'))];
      const ours = findings.filter((f) => /EraseRequester|PurgeClosedTickets|MailMailBucket/.test(f.id));
      expect(ours.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 120)}`)).toEqual([]);
    }
  });
});
