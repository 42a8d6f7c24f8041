import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, loadConfig } from '../../lib/config.ts';
import { HelpdeskFunction } from '../../lib/constructs/helpdesk-function.ts';
import { BOUNCE_RATE_THRESHOLD, COMPLAINT_RATE_THRESHOLD } from '../../lib/constructs/monitoring.ts';
import { deliveryMetricNames, metricNames, metricsNamespace, serviceName } from '../../lib/definitions/metrics.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesized } from './synthesized.ts';
import { functionsDir, repoRoot } from '../../lib/paths.ts';

/**
 * Observability in the template: every function traced and configured for
 * Powertools, every dead-letter queue and function alarmed, the named alarms
 * with their thresholds, all notifying one encrypted, TLS-only topic that is
 * mailed only when an alarm e-mail is configured, and the dashboard.
 */
type Json = Record<string, any>;
type Resources = Record<string, Json>;
interface Synth {
  stack: HelpdeskStack;
  resources: Resources;
}

const alarmEmail = 'ops@example.com';
let mailOn: Synth;
let mailOff: Synth;

/** Shared per configuration with the other infra files (tests/infra/synthesized.ts). */
function synth(context: Json): Synth {
  const { stack, resources } = synthesized(context);
  return { stack, resources };
}

beforeAll(() => {
  // Everything on: mail, the alarm e-mail and the retention purge (a scheduled function).
  mailOn = synth({ [contextKeys.supportDomain]: 'support.example.com', [contextKeys.alarmEmail]: alarmEmail, [contextKeys.closedTicketRetentionDays]: 365 });
  mailOff = synth({ [contextKeys.supportDomain]: '', [contextKeys.alarmEmail]: '' });
});

const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } } | CfnElement) =>
  // As synthesised: getLogicalId would ignore an override (the lifecycle's Task functions keep theirs).
  stack.resolve((('node' in c && c.node.defaultChild ? c.node.defaultChild : c) as CfnElement).logicalId) as string;
const ofType = (res: Resources, type: string) => Object.entries(res).filter(([, r]) => r.Type === type);
const alarms = (res: Resources): Json[] => ofType(res, 'AWS::CloudWatch::Alarm').map(([id, r]): Json => ({ id, ...(r.Properties as Json) }));
const alarmTopicId = (s: Synth) => logicalId(s.stack, s.stack.monitoring.topic);
/** The alarm on one plain metric (not metric math), found by namespace, name and dimensions. */
const alarmOn = (s: Synth, namespace: string, metricName: string, dimensions?: Json[]) =>
  alarms(s.resources).filter((a) => a.Namespace === namespace && a.MetricName === metricName && (dimensions === undefined || JSON.stringify(a.Dimensions) === JSON.stringify(dimensions)));

describe('functions', () => {
  it('every HelpdeskFunction has active X-Ray tracing and the Powertools settings (service name the alarms use, INFO logs, no event logging)', () => {
    for (const s of [mailOn, mailOff]) {
      const fns = s.stack.node.findAll().filter((c): c is HelpdeskFunction => c instanceof HelpdeskFunction);
      expect(fns.length).toBeGreaterThan(20);
      if (s === mailOn) expect(fns.map((f) => f.node.path)).toEqual(expect.arrayContaining([expect.stringMatching(/DeliveryEvents/), expect.stringMatching(/Retention|Purge/i)]));
      for (const fn of fns) {
        const props = s.resources[logicalId(s.stack, fn.fn)]!.Properties as Json;
        expect(props.TracingConfig, fn.node.path).toEqual({ Mode: 'Active' });
        const vars = props.Environment.Variables as Json;
        expect(vars.POWERTOOLS_SERVICE_NAME, fn.node.path).toBe(serviceName);
        expect(vars.LOG_LEVEL ?? vars.POWERTOOLS_LOG_LEVEL, fn.node.path).toBe('INFO');
        // Nothing that logs events, turns metrics or tracing off, or switches on dev mode in AWS.
        for (const off of ['POWERTOOLS_LOGGER_LOG_EVENT', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_TRACE_ENABLED', 'POWERTOOLS_DEV', 'POWERTOOLS_TRACER_CAPTURE_RESPONSE']) {
          expect(vars[off], `${fn.node.path} ${off}`).toBeUndefined();
        }
      }
    }
  });

  it('every Lambda function in the template is an HelpdeskFunction (traced), or a CDK-provided deploy-time helper', () => {
    for (const s of [mailOn, mailOff]) {
      const ours = new Set(s.stack.node.findAll().filter((c): c is HelpdeskFunction => c instanceof HelpdeskFunction).map((f) => logicalId(s.stack, f.fn)));
      const others = ofType(s.resources, 'AWS::Lambda::Function').filter(([id]) => !ours.has(id));
      for (const [id, r] of others) {
        // The AwsCustomResource provider singleton, the BucketDeployment handler and a custom resource
        // Provider's framework function: aws-cdk-lib's own code, run only during a deploy.
        const cdkProvided = /^(AWS679f53fac002430cb0da5b7982bd2287|CustomCDKBucketDeployment)/.test(id) || /^AWS CDK resource provider framework/.test(r.Properties.Description ?? '');
        expect(cdkProvided, `${id}: ${r.Properties.Description ?? ''}`).toBe(true);
      }
    }
  });

  it('every HelpdeskFunction has an Errors alarm (≥ 1 in 5 minutes) that notifies the alarm topic', () => {
    for (const s of [mailOn, mailOff]) {
      for (const fn of s.stack.node.findAll().filter((c): c is HelpdeskFunction => c instanceof HelpdeskFunction)) {
        const found = alarmOn(s, 'AWS/Lambda', 'Errors', [{ Name: 'FunctionName', Value: { Ref: logicalId(s.stack, fn.fn) } }]);
        expect(found, fn.node.path).toHaveLength(1);
        expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Sum', Period: 300 });
      }
    }
  });
});

describe('dead-letter queues', () => {
  /** Queues the template uses as a dead-letter queue: a queue's redrive target, a function's, a subscription's or an EventBridge target's DLQ. */
  function deadLetterQueueIds(res: Resources): Set<string> {
    const ids = new Set<string>();
    const add = (arn: unknown) => {
      const getAtt = (arn as Json | undefined)?.['Fn::GetAtt'];
      if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && res[getAtt[0]]?.Type === 'AWS::SQS::Queue') ids.add(getAtt[0]);
    };
    for (const [, r] of Object.entries(res)) {
      if (r.Type === 'AWS::SQS::Queue') add(r.Properties?.RedrivePolicy?.deadLetterTargetArn);
      if (r.Type === 'AWS::Lambda::Function') add(r.Properties?.DeadLetterConfig?.TargetArn);
      if (r.Type === 'AWS::SNS::Subscription') add(r.Properties?.RedrivePolicy?.deadLetterTargetArn);
      if (r.Type === 'AWS::Events::Rule') for (const t of r.Properties?.Targets ?? []) add(t.DeadLetterConfig?.Arn);
    }
    return ids;
  }

  it('every dead-letter queue has an alarm on ApproximateNumberOfMessagesVisible > 0 that notifies the alarm topic', () => {
    for (const s of [mailOn, mailOff]) {
      const dlqs = deadLetterQueueIds(s.resources);
      expect(dlqs.size).toBeGreaterThanOrEqual(1);
      for (const id of dlqs) {
        const found = alarmOn(s, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }]);
        expect(found, id).toHaveLength(1);
        expect(found[0]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
        expect(found[0]!.AlarmActions).toEqual([{ Ref: alarmTopicId(s) }]);
      }
    }
  });
});

describe('named alarms', () => {
  it('SlaBreached and MailQuarantined alarm on the custom metrics (namespace Helpdesk, dimension service) at ≥ 1', () => {
    for (const s of [mailOn, mailOff]) {
      for (const name of [metricNames.slaBreached, metricNames.mailQuarantined]) {
        const found = alarmOn(s, metricsNamespace, name, [{ Name: 'service', Value: serviceName }]);
        expect(found, name).toHaveLength(1);
        expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Sum' });
        expect(found[0]!.AlarmDescription.length, name).toBeGreaterThan(80);
      }
    }
  });

  it('the state machine: ExecutionsFailed and ExecutionsTimedOut ≥ 1 (Aborted is closing by hand: dashboard only)', () => {
    for (const s of [mailOn, mailOff]) {
      const sm = logicalId(s.stack, s.stack.lifecycle.stateMachine);
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        const found = alarmOn(s, 'AWS/States', metric, [{ Name: 'StateMachineArn', Value: { Ref: sm } }]);
        expect(found, metric).toHaveLength(1);
        expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      }
      expect(alarmOn(s, 'AWS/States', 'ExecutionsAborted')).toHaveLength(0);
    }
  });

  it('the HTTP API: 5xx ≥ 1 (agent routes answer their own failures with a 500 that Lambda does not count as an error)', () => {
    const found = alarmOn(mailOn, 'AWS/ApiGateway', '5xx');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('with mail on: SES Reputation.BounceRate > 5% and Reputation.ComplaintRate > 0.1% (account and configuration set), and the delivery-event counts', () => {
    const configurationSet = logicalId(mailOn.stack, mailOn.stack.outboundMail!.configurationSet);
    for (const [metricName, threshold] of [
      ['Reputation.BounceRate', BOUNCE_RATE_THRESHOLD],
      ['Reputation.ComplaintRate', COMPLAINT_RATE_THRESHOLD],
    ] as const) {
      const found = alarms(mailOn.resources).filter((a) => JSON.stringify(a.Metrics ?? []).includes(`"MetricName":"${metricName}"`));
      expect(found, metricName).toHaveLength(1);
      expect(found[0]).toMatchObject({ Threshold: threshold, ComparisonOperator: 'GreaterThanThreshold' });
      const stats = (found[0]!.Metrics as Json[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
      expect(stats).toContainEqual({ Namespace: 'AWS/SES', MetricName: metricName });
      expect(stats).toContainEqual({ Namespace: 'AWS/SES', MetricName: metricName, Dimensions: [{ Name: 'ses:configuration-set', Value: { Ref: configurationSet } }] });
    }
    expect(alarmOn(mailOn, metricsNamespace, deliveryMetricNames.complained)[0]).toMatchObject({ Threshold: 1 });
    expect(alarmOn(mailOn, metricsNamespace, deliveryMetricNames.bounced)[0]).toMatchObject({ Threshold: 10 });
    // Mail off: no SES alarms.
    expect(alarms(mailOff.resources).filter((a) => JSON.stringify(a).includes('AWS/SES'))).toHaveLength(0);
    expect(alarmOn(mailOff, metricsNamespace, deliveryMetricNames.bounced)).toHaveLength(0);
  });

  it('every alarm notifies the alarm topic (alarm and OK), says what to do, and is named helpdesk-<stage>-…', () => {
    for (const s of [mailOn, mailOff]) {
      const all = alarms(s.resources);
      expect(all.length).toBeGreaterThan(25);
      for (const a of all) {
        expect(a.AlarmActions, a.id).toEqual([{ Ref: alarmTopicId(s) }]);
        expect(a.OKActions, a.id).toEqual([{ Ref: alarmTopicId(s) }]);
        expect(a.AlarmName, a.id).toMatch(/^helpdesk-dev-/);
        expect(a.AlarmDescription.length, a.id).toBeGreaterThan(80);
      }
      expect(new Set(all.map((a) => a.AlarmName)).size).toBe(all.length);
    }
  });

  it('every custom metric an alarm watches is emitted by a function (an alarm on a metric nobody emits never fires)', () => {
    // The function sources that emit metrics: handlers call addMetric, use cases the metric counter they are given (count).
    const emitters = listFiles(functionsDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .filter((text) => text.includes('addMetric(') || /\bcount\(/.test(text));
    const keyOf = (name: string) =>
      Object.entries(metricNames).find(([, v]) => v === name)?.[0] ?? Object.entries(deliveryMetricNames).find(([, v]) => v === name)?.[0];
    const watched = new Set(
      alarms(mailOn.resources)
        .filter((a) => a.Namespace === metricsNamespace)
        .map((a) => a.MetricName as string),
    );
    expect([...watched].sort()).toEqual([deliveryMetricNames.bounced, deliveryMetricNames.complained, metricNames.mailQuarantined, metricNames.slaBreached].sort());
    for (const name of watched) {
      const key = keyOf(name)!;
      // Named through the shared constant (or as the literal) in a file that emits metrics.
      const emitted = emitters.some((text) => new RegExp(`\\b(metricNames|deliveryMetricNames)\\.${key}\\b`).test(text) || text.includes(`'${name}'`));
      expect(emitted, name).toBe(true);
    }
  });
});

describe('alarm topic', () => {
  it('is encrypted with a customer managed key that CloudWatch may use, and refuses non-TLS publishing', () => {
    for (const s of [mailOn, mailOff]) {
      const topic = s.resources[alarmTopicId(s)]!;
      const keyId = logicalId(s.stack, s.stack.monitoring.key);
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      const key = s.resources[keyId]!.Properties;
      expect(key.EnableKeyRotation).toBe(true);
      expect(key.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Decrypt']) }),
      );
      const policies = ofType(s.resources, 'AWS::SNS::TopicPolicy').filter(([, r]) => JSON.stringify(r.Properties.Topics) === JSON.stringify([{ Ref: alarmTopicId(s) }]));
      expect(policies).toHaveLength(1);
      const statements = policies[0]![1].Properties.PolicyDocument.Statement as Json[];
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }));
    }
  });

  it('mails config.alarmEmail when it is set, and has no subscription without it', () => {
    const subs = (s: Synth) => ofType(s.resources, 'AWS::SNS::Subscription').filter(([, r]) => JSON.stringify(r.Properties.TopicArn) === JSON.stringify({ Ref: alarmTopicId(s) }));
    expect(subs(mailOn).map(([, r]) => r.Properties)).toEqual([expect.objectContaining({ Protocol: 'email', Endpoint: alarmEmail })]);
    expect(subs(mailOff)).toHaveLength(0);
  });
});

describe('dashboard', () => {
  const body = (s: Synth) => {
    const [, d] = ofType(s.resources, 'AWS::CloudWatch::Dashboard')[0]!;
    return { name: d.Properties.DashboardName, text: JSON.stringify(d.Properties.DashboardBody) };
  };

  it('exists with the API, Lambda, lifecycle, ticket, SLA, mail, SES and DLQ widgets; its URL is an output', () => {
    expect(ofType(mailOn.resources, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
    const { name, text } = body(mailOn);
    expect(name).toBe('helpdesk-dev');
    for (const title of [
      'API requests, 4xx and 5xx',
      'API latency',
      'Lambda errors',
      'Lambda duration (p95)',
      'Ticket lifecycle executions',
      'Tickets created and SLA breaches',
      'Mail received',
      'Mail sent (SES): sends, bounces, complaints',
      'SES reputation',
      'Dead-letter queues',
    ]) {
      expect(text, title).toContain(title);
    }
    for (const metric of [metricNames.ticketCreated, metricNames.slaBreached, metricNames.mailQuarantined, 'Mail_created', 'Reputation.BounceRate', 'ApproximateNumberOfMessagesVisible', 'ExecutionsAborted']) {
      expect(text, metric).toContain(metric);
    }
    // No SES widgets when mail is off.
    expect(body(mailOff).text).not.toContain('AWS/SES');
    const outputs = Template.fromStack(mailOn.stack).toJSON().Outputs as Json;
    expect(JSON.stringify(outputs.CloudWatchDashboardUrl.Value)).toContain('#dashboards:name=helpdesk-dev');
  });
});

describe('cdk-nag', () => {
  it('leaves no AwsSolutions finding on the monitoring resources', () => {
    for (const s of [mailOn, mailOff]) {
      const findings = [
        ...Annotations.fromStack(s.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
        ...Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ].filter((f) => f.id.includes('/Monitoring/'));
      expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 120)}`)).toEqual([]);
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
