import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, loadConfig } from '../../lib/config.ts';
import { deliveryEventsTimeoutSeconds } from '../../lib/definitions/functions.ts';
import { queues } from '../../lib/definitions/resources.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesized } from './synthesized.ts';
import { repoRoot } from '../../lib/paths.ts';

/**
 * SES delivery events in the template (lib/constructs/delivery-events.ts): the
 * configuration set's event destination → KMS-encrypted SNS topic → SQS (+DLQ)
 * → the delivery-events function; none of it with mail off.
 */
type Json = Record<string, any>;

/** Shared per configuration with the other infra files (tests/infra/synthesized.ts). */
function synth(context: Json) {
  const { stack, template, resources } = synthesized(context);
  return { stack, template, resources };
}

let stack: HelpdeskStack;
let template: Template;
let resources: Record<string, Json>;
const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

beforeAll(() => {
  ({ stack, template, resources } = synth({ [contextKeys.supportDomain]: 'helpdesk.example.com' }));
});

const events = () => stack.deliveryEvents!;

describe('event destination', () => {
  it('sends bounce, complaint, delivery delay and reject events of the configuration set to the topic', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: idOf(stack.outboundMail!.configurationSet) },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'deliveryDelay', 'reject'],
        SnsDestination: { TopicARN: { Ref: idOf(events().topic) } },
      },
    });
  });

  it('lets only SES, for this account and configuration set, publish to the topic, over TLS', () => {
    const [policy] = Object.values(resources).filter((r) => r.Type === 'AWS::SNS::TopicPolicy' && asArray(r.Properties.Topics).some((t: Json) => t.Ref === idOf(events().topic)));
    const statements = policy!.Properties.PolicyDocument.Statement as Json[];
    expect(statements.find((s) => s.Effect === 'Deny')).toMatchObject({ Action: 'sns:Publish', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const allow = statements.find((s) => s.Effect === 'Allow')!;
    expect(allow).toMatchObject({ Action: 'sns:Publish', Principal: { Service: 'ses.amazonaws.com' } });
    expect(allow.Condition.StringEquals['AWS:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    const sourceArn = allow.Condition.StringEquals['AWS:SourceArn']['Fn::Join'][1] as unknown[];
    expect(sourceArn.slice(-2)).toEqual([':configuration-set/', { Ref: idOf(stack.outboundMail!.configurationSet) }]);
  });
});

describe('topic', () => {
  it('is encrypted with a rotated customer managed key that SES may use, for this account only', () => {
    const topic = resources[idOf(events().topic)]!;
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [idOf(events().topicKey), 'Arn'] });
    const key = resources[idOf(events().topicKey)]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const ses = (key.Properties.KeyPolicy.Statement as Json[]).find((s) => s.Principal?.Service === 'ses.amazonaws.com');
    expect(ses).toMatchObject({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  it('is subscribed by the queue with the SNS envelope kept (raw delivery off)', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: { Ref: idOf(events().topic) },
      Endpoint: { 'Fn::GetAtt': [idOf(events().queue), 'Arn'] },
    });
    const sub = Object.values(resources).find((r) => r.Type === 'AWS::SNS::Subscription' && r.Properties.TopicArn?.Ref === idOf(events().topic))!;
    expect(sub.Properties.RawMessageDelivery ?? false).toBe(false);
  });
});

describe('queue and dead-letter queue', () => {
  it('encrypts both, redrives after five receives, and waits 6× the function timeout', () => {
    const queue = resources[idOf(events().queue)]!.Properties;
    const dlq = resources[idOf(events().deadLetterQueue)]!.Properties;
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(dlq.SqsManagedSseEnabled).toBe(true);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [idOf(events().deadLetterQueue), 'Arn'] }, maxReceiveCount: queues.deliveryEvents.maxReceiveCount });
    expect(queues.deliveryEvents.maxReceiveCount).toBe(5);
    expect(queue.VisibilityTimeout).toBe(6 * deliveryEventsTimeoutSeconds);
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('refuses every request without TLS, on both queues', () => {
    for (const q of [events().queue, events().deadLetterQueue]) {
      const policy = Object.values(resources).find((r) => r.Type === 'AWS::SQS::QueuePolicy' && asArray(r.Properties.Queues).some((x: Json) => x.Ref === idOf(q)))!;
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

// The delivery-events function itself (its queue mapping, environment and exact statements) is checked
// against its manifest entry in tests/infra/manifest.test.ts, like every function.

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the delivery-events resources', () => {
    const findings = [...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    expect(findings.filter((f) => f.id.includes('/DeliveryEvents/')).map((f) => `${f.id}: ${String(f.entry.data).slice(0, 120)}`)).toEqual([]);
  });
});

describe('with mail off', () => {
  it('builds no event destination, topic, queue or function for delivery events', () => {
    const off = synth({ [contextKeys.supportDomain]: '' });
    expect(off.stack.deliveryEvents).toBeUndefined();
    off.template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 0);
    expect(Object.keys(off.resources).filter((id) => id.startsWith('DeliveryEvents'))).toEqual([]);
    expect(off.stack.functions.functions.has('DeliveryEvents')).toBe(false);
  });
});
