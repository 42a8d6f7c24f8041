import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { routes } from '../lib/definitions/routes.ts';
import { HelpdeskStack } from '../lib/helpdesk-stack.ts';
import { root } from './lib.ts';

/** What the bill's fixed part and Lambda's GB-seconds depend on, read from the stack itself. */
export interface StackInventory {
  alarms: number;
  kmsKeys: number;
  secrets: number;
  dashboards: number;
  /** Lambda polls each SQS event source with 5 pollers from the start, busy or not. */
  sqsEventSources: number;
  /** Memory per function, by the names the meter uses (route names, InboundMail, …). */
  memoryMb: Record<string, number>;
}

/**
 * Synthesises the stack as `cdk deploy` would with mail and alarms on (bundling skipped:
 * only the template is read), so the estimate follows the stack when it changes.
 */
export function stackInventory(): StackInventory {
  const { context } = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({
    context: {
      ...context,
      'helpdesk:supportDomain': 'support.example.com',
      'helpdesk:alarmEmail': 'ops@example.com',
      'aws:cdk:bundling-stacks': [],
    },
  });
  const stack = new HelpdeskStack(app, 'CostInventory', { config: loadConfig(app.node) });
  const resources = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>);
  const count = (type: string) => resources.filter((r) => r.Type === type).length;
  const memoryMb: Record<string, number> = {};
  const named: [RegExp, string][] = [
    [/^Inbound mail:/, 'InboundMail'],
    [/^SES delivery events/, 'DeliveryEvents'],
  ];
  for (const r of resources.filter((x) => x.Type === 'AWS::Lambda::Function')) {
    const description = String(r.Properties?.Description ?? '');
    const memory = Number(r.Properties?.MemorySize ?? 128);
    const route = routes.find((x) => description === `${x.method} ${x.path}`);
    const name = route?.name ?? named.find(([re]) => re.test(description))?.[1];
    if (name) memoryMb[name] = memory;
  }
  return {
    alarms: count('AWS::CloudWatch::Alarm'),
    kmsKeys: count('AWS::KMS::Key'),
    secrets: count('AWS::SecretsManager::Secret'),
    dashboards: count('AWS::CloudWatch::Dashboard'),
    sqsEventSources: resources.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping').length,
    memoryMb,
  };
}
