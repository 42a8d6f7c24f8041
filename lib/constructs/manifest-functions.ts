import { Duration, Stack } from 'aws-cdk-lib';
import type { CfnTable, ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  type DeploymentValues,
  environmentOf,
  type FunctionDefinition,
  isBuilt,
  type MailPrefix,
  type Needs,
  tableGrantsOf,
  type Trigger,
} from '../definitions/functions.ts';
import { buckets } from '../definitions/resources.ts';
import { HelpdeskFunction } from './helpdesk-function.ts';
import type { HelpdeskHttpApi } from './http-api.ts';
import type { OutboundMail } from './outbound-mail.ts';
import type { ReplyTokenSecret } from './reply-token-secret.ts';
import { grantLifecycle, type lifecycleArns, type TaskSubstitution } from './ticket-lifecycle.ts';

type QueueName = Extract<Trigger, { kind: 'queue' }>['queue'];

/** What the needs of the manifest's functions are granted on. */
export interface ManifestResources {
  readonly table: ITable;
  readonly bucket: IBucket;
  readonly userPool: IUserPool;
  readonly secret: ReplyTokenSecret;
  /** Absent when mail is off: the mail need then brings no permission. */
  readonly outbound?: OutboundMail;
  /** The lifecycle's ARNs, fixed up front (the machine is built after the functions it runs). */
  readonly lifecycle: ReturnType<typeof lifecycleArns>;
  readonly httpApi: HelpdeskHttpApi;
  /** The queues `queue` triggers read; a queue absent here (delivery events with mail off) fails the synth if a built function reads it. */
  readonly queues: Partial<Record<QueueName, IQueue>>;
}

export interface ManifestFunctionsProps {
  /** The function manifest (lib/definitions/functions.ts), or a test's copy of it. */
  readonly manifest: readonly FunctionDefinition[];
  /** Which `onlyWhen` functions are built. */
  readonly options: { readonly mail: boolean; readonly retention: boolean };
  /** The values the needs' environment variables take (environmentOf). */
  readonly values: DeploymentValues;
  readonly resources: ManifestResources;
}

/**
 * Every function of the manifest, built the one way (HelpdeskFunction) with the
 * environment, IAM statements and trigger its entry derives; nothing here names
 * a function. HTTP routes, queue event sources and schedules are wired here;
 * `tasks` and `deploy` are handed to the state machine and the desk-config
 * custom resource, which are built after.
 */
/**
 * The logical IDs the Task functions had before the manifest, under the Lifecycle construct.
 * A running execution keeps the definition it started with, which names these functions' ARNs:
 * replacing them on upgrade would fail every open ticket's lifecycle at its next step. So they
 * keep their IDs and are updated in place (every other function holds no such reference).
 */
export const taskLogicalIds: Readonly<Record<TaskSubstitution, string>> = {
  LifecycleFunctionArn: 'LifecycleFunctionEB2ECF20',
  AwaitSignalFunctionArn: 'LifecycleAwaitSignalFunction4393A6ED',
};

export class ManifestFunctions extends Construct {
  /** Manifest name → its function, for the functions built in this deployment. */
  readonly functions = new Map<string, HelpdeskFunction>();
  /** The state machine's Task functions, by their substitution. */
  readonly tasks: Partial<Record<TaskSubstitution, HelpdeskFunction>> = {};
  /** The custom-resource functions (`deploy` triggers). */
  readonly deploy: HelpdeskFunction[] = [];

  private readonly tableId: string;
  private readonly bucketId: string;

  constructor(scope: Construct, id: string, private readonly props: ManifestFunctionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.tableId = stack.getLogicalId(props.resources.table.node.defaultChild as CfnTable);
    this.bucketId = stack.getLogicalId(props.resources.bucket.node.defaultChild as CfnBucket);

    for (const definition of props.manifest) {
      if (!isBuilt(definition, props.options)) continue;
      const fn = new HelpdeskFunction(this, definition.name, {
        entry: definition.entry,
        description: descriptionOf(definition),
        environment: environmentOf(definition, props.values),
        ...(definition.memoryMb !== undefined && { memorySize: definition.memoryMb }),
        ...(definition.timeoutSeconds !== undefined && { timeout: Duration.seconds(definition.timeoutSeconds) }),
      });
      this.grantNeeds(fn, definition.needs);
      this.trigger(definition, fn);
      this.functions.set(definition.name, fn);
    }
  }

  /** The IAM statements a function's needs derive, each with the cdk-nag IAM5 reason of its wildcard, if it has one. */
  private grantNeeds(fn: HelpdeskFunction, needs: Needs): void {
    const { resources } = this.props;
    const { role } = fn;

    // Explicit actions rather than grantRead*Data, which would also allow Scan: no function may scan the table.
    for (const grant of tableGrantsOf(needs)) {
      const { tableArn } = resources.table;
      const indexes = grant.indexes === 'all' ? [`${tableArn}/index/*`] : grant.indexes === 'none' ? [] : grant.indexes.map((name) => `${tableArn}/index/${name}`);
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: grant.actions.map((a) => `dynamodb:${a}`),
          resources: [tableArn, ...indexes],
          ...(grant.partitions && { conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...grant.partitions] } } }),
        }),
      );
      if (grant.indexes === 'all') {
        NagSuppressions.addResourceSuppressions(
          role,
          [
            {
              id: 'AwsSolutions-IAM5',
              reason:
                'Query on the GSIs of this one table: the grant scopes the index ARN to <table>/index/*; ' +
                'every index is projected ALL and readable by design.',
              appliesTo: [`Resource::<${this.tableId}.Arn>/index/*`],
            },
          ],
          true,
        );
      }
    }

    if (needs.lifecycle?.length) grantLifecycle(role, resources.lifecycle, needs.lifecycle);

    // Mail carries signed reply tokens: sending brings the key too, but only when mail is on (as environmentOf).
    const mailOn = needs.mail === true && resources.outbound !== undefined;
    if (mailOn) resources.outbound!.grantSend(role);
    if (needs.signingKey || mailOn) resources.secret.grantGetValue(role);

    if (needs.bucket) {
      const objects = (prefixes: readonly MailPrefix[] | undefined) => (prefixes ?? []).map((p) => buckets.mail.prefixes[p]);
      const perAction: [string, string[]][] = [
        // HeadObject is authorised by s3:GetObject. One object action per statement, on prefixes only
        // (grantRead/grantPut would add bucket-level and ACL actions).
        ['s3:GetObject', objects(needs.bucket.read)],
        ['s3:PutObject', objects(needs.bucket.write)],
        ['s3:DeleteObject', objects(needs.bucket.delete)],
      ];
      const wildcards = new Set<string>();
      for (const [action, prefixes] of perAction) {
        if (prefixes.length === 0) continue;
        role.addToPrincipalPolicy(new PolicyStatement({ actions: [action], resources: prefixes.map((p) => resources.bucket.arnForObjects(`${p}*`)) }));
        for (const p of prefixes) wildcards.add(`Resource::<${this.bucketId}.Arn>/${p}*`);
      }
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Objects of the mail bucket are keyed per mail and per file (inbound/<SES message id>, attachments/<ticket>/<message>/<name>, ' +
              'uploads/<ticket>/<random>/<name>): the grant covers the prefixes this function needs, each for the one object action it makes.',
            appliesTo: [...wildcards],
          },
        ],
        true,
      );
    }

    // The user pool's admin API: exactly the calls the function makes, on this pool only.
    if (needs.userPool?.length) {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: needs.userPool.map((a) => `cognito-idp:${a}`), resources: [resources.userPool.userPoolArn] }));
    }
  }

  /** Wires what starts the function. */
  private trigger(definition: FunctionDefinition, fn: HelpdeskFunction): void {
    const { trigger } = definition;
    switch (trigger.kind) {
      case 'http':
        this.props.resources.httpApi.addRoute(definition.name, trigger, fn.fn);
        return;
      case 'queue': {
        const queue = this.props.resources.queues[trigger.queue];
        if (!queue) throw new Error(`${definition.name} reads the queue ${trigger.queue}, which this deployment does not build`);
        // Partial batch failures: a bad message is retried (then dead-lettered) alone. maxConcurrency keeps a burst
        // from eating the account's Lambda concurrency or the table's capacity.
        fn.fn.addEventSource(new SqsEventSource(queue, { batchSize: trigger.batchSize, maxConcurrency: trigger.maxConcurrency, reportBatchItemFailures: true }));
        return;
      }
      case 'schedule':
        new Rule(this, `${definition.name}Schedule`, {
          description: `Runs ${definition.name} (${definition.description}) on cron(${trigger.cron.minute} ${trigger.cron.hour} * * ? *), UTC`,
          schedule: Schedule.cron({ minute: trigger.cron.minute, hour: trigger.cron.hour }),
          targets: [new LambdaFunction(fn.fn, { retryAttempts: 2 })],
        });
        return;
      case 'task':
        if (this.tasks[trigger.substitution]) throw new Error(`${definition.name}: two functions for the Task substitution ${trigger.substitution}`);
        this.tasks[trigger.substitution] = fn;
        (fn.fn.node.defaultChild as CfnFunction).overrideLogicalId(taskLogicalIds[trigger.substitution]);
        return;
      case 'deploy':
        this.deploy.push(fn);
        return;
    }
  }
}

/** Routes keep "METHOD /path" as their description (what the console lists); other functions say what they do. */
function descriptionOf(definition: FunctionDefinition): string {
  return definition.trigger.kind === 'http' ? `${definition.trigger.method} ${definition.trigger.path}` : definition.description;
}
