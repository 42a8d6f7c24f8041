import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  type IMetric,
  SingleValueWidget,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Subscription, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { deliveryMetricNames, mailResultMetric, mailResults, metricNames, metricsNamespace, serviceName } from '../definitions/metrics.ts';
import { HelpdeskFunction } from './helpdesk-function.ts';

export interface MonitoringProps {
  /** Names the dashboard and the alarms (helpdesk-<stage>-…). */
  readonly stage: string;
  /** Where alarms are mailed; without it the topic has no subscriber (subscribe by hand or add one later). */
  readonly alarmEmail?: string;
  /** The configuration set every send names, when mail is on: its reputation metrics are alarmed. */
  readonly configurationSetName?: string;
}

/** A custom metric the functions emit (lib/definitions/metrics.ts): namespace Helpdesk, dimension service. */
export const helpdeskMetric = (metricName: string, period = Duration.minutes(5)) =>
  new Metric({ namespace: metricsNamespace, metricName, dimensionsMap: { service: serviceName }, statistic: Stats.SUM, period });

/** SES bounce rate above which SES may put the account under review (5%). */
export const BOUNCE_RATE_THRESHOLD = 0.05;
/** SES complaint rate above which SES may put the account under review (0.1%). */
export const COMPLAINT_RATE_THRESHOLD = 0.001;

/**
 * What operations watches: one alarm topic (encrypted with its own key, TLS
 * only, mailed to config.alarmEmail), alarms that each say what to do, and a
 * dashboard. Built last in the stack, it finds what to watch by walking the
 * construct tree, so functions, queues and state machines added later in the
 * code are covered without being listed here:
 *
 * - every dead-letter queue (a queue used as another queue's, a Lambda
 *   function's or an SNS subscription's dead-letter queue, or named like one):
 *   ApproximateNumberOfMessagesVisible > 0;
 * - every HelpdeskFunction: Errors ≥ 1 in 5 minutes;
 * - every state machine: ExecutionsFailed and ExecutionsTimedOut ≥ 1 (Aborted is
 *   on the dashboard only: closing a ticket by hand stops its execution);
 * - every HTTP API: 5xx ≥ 1 (the agent routes answer their own failures with a
 *   500, which Lambda does not count as an error);
 * - the custom metrics SlaBreached and MailQuarantined;
 * - with mail on: SES Reputation.BounceRate > 5% and Reputation.ComplaintRate >
 *   0.1%, and the MailBounced / MailComplained counts from delivery events.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  readonly dashboardUrl: string;

  private readonly action: SnsAction;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.prefix = `helpdesk-${props.stage}`;

    // A customer managed key: CloudWatch can publish to a topic encrypted with it
    // (the AWS managed alias/aws/sns key's policy cannot let it).
    this.key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts help desk alarm notifications at rest in SNS',
      enableKeyRotation: true,
      // Only transient SNS messages are encrypted with it: nothing to lose on delete.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Help desk alarms (${props.stage})`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own: say who may publish (this account's alarms).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);

    const root = stack.node.findAll();
    const functions = root.filter((c): c is HelpdeskFunction => c instanceof HelpdeskFunction);
    const stateMachines = root.filter((c): c is StateMachine => c instanceof StateMachine);
    const apis = root.filter((c): c is HttpApi => c instanceof HttpApi);
    const deadLetterQueues = findDeadLetterQueues(root);

    // Dead-letter queues: something failed every retry and waits there, unprocessed.
    for (const { queue, name } of deadLetterQueues) {
      this.alarm(`Dlq${name}`, {
        name: `dlq-${name}`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: Duration.minutes(5) }),
        threshold: 0,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          `Messages are waiting in the dead-letter queue ${name}: each failed every retry and was set aside unprocessed (for inbound mail, ` +
          'a customer mail that is not a ticket yet). Read the failing function\'s log group for the error, fix the cause, then redrive ' +
          'the messages to their source queue (SQS console: "Start DLQ redrive"). The alarm clears when the queue is empty.',
      });
    }

    // Functions: an invocation failed (thrown error, timeout, out of memory).
    for (const fn of functions) {
      const name = constructName(fn);
      this.alarm(`Errors${name}`, {
        name: `errors-${name}`,
        metric: fn.fn.metricErrors({ statistic: Stats.SUM, period: Duration.minutes(5) }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description:
          `The function ${name} (${fn.node.path}) failed at least once in 5 minutes. Open its log group and search for level ERROR ` +
          '(or its X-Ray traces) for the error; a timeout or out-of-memory shows in the REPORT lines. Retried work (mail, lifecycle steps) ' +
          'is retried by itself; fix the cause and watch the dead-letter queue alarms.',
      });
    }

    for (const machine of stateMachines) {
      const name = constructName(machine);
      const period = Duration.minutes(5);
      this.alarm(`${name}ExecutionsFailed`, {
        name: `${name}-executions-failed`,
        metric: machine.metricFailed({ statistic: Stats.SUM, period }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description:
          `A ticket lifecycle execution (${name}) failed: that ticket no longer has SLA timers, escalation or its survey. Find the failed ` +
          'execution in the Step Functions console (its name is the ticket id) and the failing step\'s error, fix the cause, then start ' +
          'the lifecycle again for that ticket (any update to the ticket, such as a note, starts it).',
      });
      this.alarm(`${name}ExecutionsTimedOut`, {
        name: `${name}-executions-timed-out`,
        metric: machine.metricTimedOut({ statistic: Stats.SUM, period }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description:
          `A ticket lifecycle execution (${name}) hit the state machine's overall timeout: that ticket's timers stopped. Find it in the ` +
          'Step Functions console (named after the ticket id), check why the ticket stayed open that long, and start it again by updating the ticket.',
      });
    }

    for (const api of apis) {
      const name = constructName(api);
      this.alarm(`${name}ServerErrors`, {
        name: `${name}-5xx`,
        metric: api.metricServerError({ statistic: Stats.SUM, period: Duration.minutes(5) }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description:
          `The HTTP API ${name} answered with a 5xx at least once in 5 minutes: an agent route failed unexpectedly, or a function crashed ` +
          'or timed out. The API access log has the route and status; the route\'s function logs "Unhandled error" with the request id.',
      });
    }

    this.alarm('SlaBreached', {
      name: 'sla-breached',
      metric: helpdeskMetric(metricNames.slaBreached, Duration.minutes(15)),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        'A ticket ran out of its level\'s time budget and was escalated (or level 3 ran out and the admins were told). Open the dashboard\'s ' +
        'queues sorted by due time and pick up the breached tickets; if this fires often, the level is understaffed or the SLA policy ' +
        '(config/policy.json) is tighter than the team can meet.',
    });
    this.alarm('MailQuarantined', {
      name: 'mail-quarantined',
      metric: helpdeskMetric(metricNames.mailQuarantined, Duration.minutes(15)),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        'Inbound mail was quarantined instead of becoming a ticket (virus, too large, unparseable, no sender, an orphan bounce, or processing-failed: ' +
        'an error that would recur on every retry, whose name and message are in the quarantine record). The ' +
        'inbound-mail function logs "Mail quarantined" with the reason; the raw message stays in the mail bucket under its SES message id. ' +
        'Read it and, if it came from a customer, open the ticket by hand.',
    });

    if (props.configurationSetName !== undefined) {
      const reputation = (metricName: string) =>
        new MathExpression({
          // The account's rate is what SES enforces; the configuration set's is this desk's share of it.
          expression: 'MAX([account, desk])',
          usingMetrics: {
            account: new Metric({ namespace: 'AWS/SES', metricName, statistic: Stats.MAXIMUM, period: Duration.minutes(15) }),
            desk: new Metric({
              namespace: 'AWS/SES',
              metricName,
              dimensionsMap: { 'ses:configuration-set': props.configurationSetName! },
              statistic: Stats.MAXIMUM,
              period: Duration.minutes(15),
            }),
          },
          label: metricName,
          period: Duration.minutes(15),
        });
      this.alarm('SesBounceRate', {
        name: 'ses-bounce-rate',
        metric: reputation('Reputation.BounceRate'),
        threshold: BOUNCE_RATE_THRESHOLD,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          'The SES bounce rate is above 5%: SES puts accounts over this rate under review and may pause sending. Check the SES reputation ' +
          'page and the bounced tickets (their audit trail records the bounce); stop mailing addresses that bounce, and look for a run of ' +
          'mistyped requester addresses or a form abused to send to made-up ones.',
      });
      this.alarm('SesComplaintRate', {
        name: 'ses-complaint-rate',
        metric: reputation('Reputation.ComplaintRate'),
        threshold: COMPLAINT_RATE_THRESHOLD,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          'The SES complaint rate is above 0.1%: recipients are marking the desk\'s mail as spam, and SES may pause sending. Find the ' +
          'complained tickets (their audit trail records it) and which mails they were (acknowledgements, surveys, replies); a mail loop ' +
          'or a survey sent to people who never wrote in are the usual causes.',
      });
      this.alarm('MailComplained', {
        name: 'mail-complained',
        metric: helpdeskMetric(deliveryMetricNames.complained, Duration.hours(1)),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description:
          'A recipient marked a mail from the desk as spam (an SES complaint event, recorded on the ticket). Read the ticket\'s audit trail ' +
          'to see which mail it was; a complaint rate above 0.1% makes SES pause sending.',
      });
      this.alarm('MailBounced', {
        name: 'mail-bounced',
        metric: helpdeskMetric(deliveryMetricNames.bounced, Duration.hours(1)),
        threshold: 10,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        description:
          'At least 10 mails from the desk bounced in an hour (SES bounce events, recorded on their tickets): more than the odd mistyped ' +
          'address. Check the bounced tickets for a pattern (one domain, the web form, a loop) before the bounce rate reaches 5%.',
      });
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: this.prefix, defaultInterval: Duration.hours(24) });
    this.dashboardUrl = `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${this.prefix}`;
    this.buildDashboard({ functions, stateMachines, apis, deadLetterQueues, mailOn: props.configurationSetName !== undefined, configurationSetName: props.configurationSetName });
  }

  private alarm(id: string, a: { name: string; metric: IMetric; threshold: number; comparison: ComparisonOperator; description: string }) {
    const alarm = new Alarm(this, `Alarm${id}`, {
      alarmName: `${this.prefix}-${a.name}`.slice(0, 255),
      alarmDescription: a.description,
      metric: a.metric,
      threshold: a.threshold,
      comparisonOperator: a.comparison,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // No data is no trouble: no mail, no breach, an idle function.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  private buildDashboard(w: {
    functions: HelpdeskFunction[];
    stateMachines: StateMachine[];
    apis: HttpApi[];
    deadLetterQueues: { queue: IQueue; name: string }[];
    mailOn: boolean;
    configurationSetName: string | undefined;
  }) {
    const five = Duration.minutes(5);
    const width = 12;
    const height = 6;
    const custom = (name: string, label = name) => helpdeskMetric(name, five).with({ label });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# Help desk (${this.prefix})\nEvery alarm (named \`${this.prefix}-…\`) says what to do in its description and mails the alarm topic. ` +
          `Custom metrics: namespace \`${metricsNamespace}\`, dimension \`service=${serviceName}\`. Logs: one log group per function ` +
          '(JSON lines, no personal data at info); traces: X-Ray.',
        width: 24,
        height: 2,
      }),
    );
    for (const api of w.apis) {
      this.dashboard.addWidgets(
        new GraphWidget({
          title: `API requests, 4xx and 5xx (${constructName(api)})`,
          left: [api.metricCount({ period: five, statistic: Stats.SUM, label: 'requests' })],
          right: [api.metricClientError({ period: five, statistic: Stats.SUM, label: '4xx' }), api.metricServerError({ period: five, statistic: Stats.SUM, label: '5xx' })],
          width,
          height,
        }),
        new GraphWidget({
          title: 'API latency',
          left: [Stats.p(50), Stats.p(90), Stats.p(99)].map((s) => api.metricLatency({ period: five, statistic: s, label: s })),
          width,
          height,
        }),
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors',
        left: w.functions.map((f) => f.fn.metricErrors({ period: five, statistic: Stats.SUM, label: constructName(f) })),
        width,
        height: 8,
      }),
      new GraphWidget({
        title: 'Lambda duration (p95)',
        left: w.functions.map((f) => f.fn.metricDuration({ period: five, statistic: Stats.p(95), label: constructName(f) })),
        width,
        height: 8,
      }),
    );
    for (const machine of w.stateMachines) {
      this.dashboard.addWidgets(
        new GraphWidget({
          title: `Ticket lifecycle executions (${constructName(machine)})`,
          left: [
            machine.metricStarted({ period: five, statistic: Stats.SUM, label: 'started' }),
            machine.metricSucceeded({ period: five, statistic: Stats.SUM, label: 'succeeded' }),
            machine.metricAborted({ period: five, statistic: Stats.SUM, label: 'aborted (closed by hand)' }),
          ],
          right: [machine.metricFailed({ period: five, statistic: Stats.SUM, label: 'failed' }), machine.metricTimedOut({ period: five, statistic: Stats.SUM, label: 'timed out' })],
          width,
          height,
        }),
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Tickets created and SLA breaches',
        left: [custom(metricNames.ticketCreated, 'tickets created')],
        right: [custom(metricNames.slaBreached, 'SLA breaches'), custom(metricNames.triageDispatched, 'sent to dispatch')],
        width,
        height,
      }),
      new SingleValueWidget({
        title: 'Today',
        metrics: [
          helpdeskMetric(metricNames.ticketCreated, Duration.days(1)).with({ label: 'tickets created' }),
          helpdeskMetric(metricNames.slaBreached, Duration.days(1)).with({ label: 'SLA breaches' }),
          helpdeskMetric(metricNames.mailQuarantined, Duration.days(1)).with({ label: 'mail quarantined' }),
        ],
        width,
        height,
      }),
      new GraphWidget({
        title: 'Mail received',
        left: mailResults.map((r) => custom(mailResultMetric(r), r)),
        right: [custom(metricNames.mailQuarantined, 'quarantined')],
        stacked: true,
        width,
        height,
      }),
    );
    if (w.mailOn) {
      const ses = (metricName: string, label: string) => new Metric({ namespace: 'AWS/SES', metricName, statistic: Stats.SUM, period: five, label });
      const rate = (metricName: string, label: string) => new Metric({ namespace: 'AWS/SES', metricName, statistic: Stats.MAXIMUM, period: Duration.minutes(15), label });
      this.dashboard.addWidgets(
        new GraphWidget({
          title: 'Mail sent (SES): sends, bounces, complaints',
          left: [ses('Send', 'sent'), ses('Delivery', 'delivered')],
          right: [
            ses('Bounce', 'bounces'),
            ses('Complaint', 'complaints'),
            custom(deliveryMetricNames.bounced, 'bounces on tickets'),
            custom(deliveryMetricNames.complained, 'complaints on tickets'),
            custom(metricNames.lifecycleMailFailed, 'lifecycle mail failed'),
          ],
          width,
          height,
        }),
        new GraphWidget({
          title: 'SES reputation (alarm: bounce > 5%, complaint > 0.1%)',
          left: [rate('Reputation.BounceRate', 'bounce rate')],
          right: [rate('Reputation.ComplaintRate', 'complaint rate')],
          width,
          height,
        }),
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues (messages waiting)',
        left: w.deadLetterQueues.map(({ queue, name }) => queue.metricApproximateNumberOfMessagesVisible({ period: five, statistic: Stats.MAXIMUM, label: name })),
        width,
        height,
      }),
    );
  }
}

/** A readable, stable, unique name for alarms: the construct path below the stack, as letters, digits and dashes (Http/CreateTicket → Http-CreateTicket). */
function constructName(c: IConstruct): string {
  const stack = Stack.of(c);
  const parts = c.node.scopes.slice(c.node.scopes.indexOf(stack) + 1).map((s) => s.node.id);
  const meaningful = parts.filter((p) => p !== 'Resource' && p !== 'Default');
  return meaningful.join('-').replace(/[^A-Za-z0-9-]/g, '') || 'Unnamed';
}

/**
 * Every dead-letter queue in the tree: queues used as another queue's
 * deadLetterQueue, a Lambda function's or an SNS subscription's, and any queue
 * whose id says it is one (an EventBridge target's, for example).
 */
export function findDeadLetterQueues(all: IConstruct[]): { queue: IQueue; name: string }[] {
  const found = new Map<IQueue, string>();
  const add = (q: IQueue | undefined) => {
    if (q && !found.has(q)) found.set(q, constructName(q));
  };
  for (const c of all) {
    if (c instanceof Queue) {
      add(c.deadLetterQueue?.queue);
      if (/dlq|dead-?letter/i.test(c.node.id)) add(c);
    }
    if (c instanceof LambdaFunction) add(c.deadLetterQueue);
    if (c instanceof Subscription) add(c.deadLetterQueue);
  }
  return [...found].map(([queue, name]) => ({ queue, name }));
}
