import { Annotations, CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { contextKeys, type HelpdeskConfig } from './config.ts';
import { Auth } from './constructs/auth.ts';
import { Data } from './constructs/data.ts';
import { DashboardHosting } from './constructs/dashboard-hosting.ts';
import { DeskConfig } from './constructs/desk-config.ts';
import { HelpdeskHttpApi } from './constructs/http-api.ts';
import { InboundMail } from './constructs/inbound-mail.ts';
import { MailDns } from './constructs/mail-dns.ts';
import { MailResources } from './constructs/mail-resources.ts';
import { ManifestFunctions } from './constructs/manifest-functions.ts';
import { OutboundMail } from './constructs/outbound-mail.ts';
import { ReplyTokenSecret } from './constructs/reply-token-secret.ts';
import { lifecycleArns, TicketLifecycle } from './constructs/ticket-lifecycle.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { DeliveryEvents } from './constructs/delivery-events.ts';
import { parsePolicy } from '../functions/core/policy.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';
import { type FunctionDefinition, functions as manifest, manifestProblems } from './definitions/functions.ts';

export interface HelpdeskStackProps extends StackProps {
  readonly config: HelpdeskConfig;
  /** The function manifest; defaults to lib/definitions/functions.ts (a test may synth a changed copy). */
  readonly functions?: readonly FunctionDefinition[];
}

export class HelpdeskStack extends Stack {
  readonly data: Data;
  readonly auth: Auth;
  readonly httpApi: HelpdeskHttpApi;
  readonly mail: MailResources;
  readonly replyTokenSecret: ReplyTokenSecret;
  /** Absent when no support domain is configured. */
  readonly outboundMail?: OutboundMail;
  readonly inboundMail: InboundMail;
  /** SES bounce and complaint events onto tickets; absent when mail is off. */
  readonly deliveryEvents?: DeliveryEvents;
  /** Every Lambda of the manifest built in this deployment, with its environment, permissions and trigger. */
  readonly functions: ManifestFunctions;
  readonly lifecycle: TicketLifecycle;
  readonly dashboard: DashboardHosting;
  /** Alarms (mailed to config.alarmEmail), their topic and the CloudWatch dashboard. */
  readonly monitoring: Monitoring;
  /** Absent when mail is off. */
  readonly mailDns?: MailDns;
  readonly deskConfig: DeskConfig;

  constructor(scope: Construct, id: string, props: HelpdeskStackProps) {
    super(scope, id, props);
    const { config } = props;

    Tags.of(this).add('app', 'helpdesk');
    Tags.of(this).add('stage', config.stage);

    this.data = new Data(this, 'Data');
    this.auth = new Auth(this, 'Auth');
    // Raw mail expires after helpdesk:rawMailRetentionDays (attachments do not).
    this.mail = new MailResources(this, 'Mail', { rawMailDays: config.retention.rawMailDays });
    this.replyTokenSecret = new ReplyTokenSecret(this, 'ReplyToken');
    if (config.supportDomain !== undefined) {
      this.outboundMail = new OutboundMail(this, 'OutboundMail', { domain: config.supportDomain });
    } else {
      Annotations.of(this).addInfo(
        `Mail is off: ${contextKeys.supportDomain} is not set, so there is no SES receipt rule set and no sending identity ` +
          '(the inbound queue and its function are still built). Set it, e.g. -c helpdesk:supportDomain=support.example.com.',
      );
    }
    const outbound = this.outboundMail;

    this.httpApi = new HelpdeskHttpApi(this, 'Http', {
      config,
      jwtIssuer: this.auth.issuer,
      jwtAudience: [this.auth.client.userPoolClientId],
    });
    // SES → S3 + SNS → SQS; its consumer is the manifest's InboundMail.
    this.inboundMail = new InboundMail(this, 'InboundMail', { config, mail: this.mail });
    // Bounces and complaints of the mail we send (configuration set → SNS → SQS → the manifest's DeliveryEvents).
    if (outbound !== undefined) this.deliveryEvents = new DeliveryEvents(this, 'DeliveryEvents', { outbound });

    // The policy is bundled into every function; a bad edit fails here, at synth, with every problem named.
    parsePolicy(JSON.parse(readFileSync(join(repoRoot, 'config', 'policy.json'), 'utf8')));

    // Every function from the manifest: environment, permissions and trigger from its entry. The
    // state machine's ARN is fixed up front, so the functions that drive it come before it.
    const functions = props.functions ?? manifest;
    const problems = manifestProblems(functions);
    if (problems.length > 0) throw new Error(`The function manifest is not sound:\n${problems.join('\n')}`);
    const arns = lifecycleArns(this, config.stage);
    const mailValues = outbound !== undefined && config.supportAddresses !== undefined
      ? { supportAddresses: config.supportAddresses, fromAddress: config.supportAddresses[0]!, configurationSet: outbound.configurationSet.configurationSetName }
      : undefined;
    this.functions = new ManifestFunctions(this, 'Functions', {
      manifest: functions,
      options: { mail: mailValues !== undefined, retention: config.retention.closedTicketDays !== undefined },
      values: {
        tableName: this.data.table.tableName,
        mailBucket: this.mail.bucket.bucketName,
        stateMachineArn: arns.stateMachineArn,
        // Customer links in mail (survey, status page) point at the API's own routes.
        publicUrl: this.httpApi.api.apiEndpoint,
        userPoolId: this.auth.userPool.userPoolId,
        deskName: config.deskName ?? 'Help desk',
        defaultLanguage: config.defaultLanguage,
        // The key's value is read at cold start, never put in the template or an environment.
        signingKey: { arn: this.replyTokenSecret.secret.secretArn },
        ...(mailValues !== undefined && { mail: mailValues }),
        ...(config.retention.closedTicketDays !== undefined && { closedTicketDays: config.retention.closedTicketDays }),
      },
      resources: {
        table: this.data.table,
        bucket: this.mail.bucket,
        userPool: this.auth.userPool,
        secret: this.replyTokenSecret,
        ...(outbound !== undefined && { outbound }),
        lifecycle: arns,
        httpApi: this.httpApi,
        queues: { inboundMail: this.mail.queue, ...(this.deliveryEvents && { deliveryEvents: this.deliveryEvents.queue }) },
      },
    });

    const { LifecycleFunctionArn, AwaitSignalFunctionArn } = this.functions.tasks;
    if (!LifecycleFunctionArn || !AwaitSignalFunctionArn) throw new Error('The manifest must name a function for each Task of state-machines/ticket-lifecycle.asl.json');
    this.lifecycle = new TicketLifecycle(this, 'Lifecycle', { stage: config.stage, tasks: { LifecycleFunctionArn: LifecycleFunctionArn.fn, AwaitSignalFunctionArn: AwaitSignalFunctionArn.fn } });

    // The agent app: S3 + CloudFront, with config.json naming this API and app client. Its
    // origin joins the API's CORS (the API depends on the distribution, never the reverse).
    this.dashboard = new DashboardHosting(this, 'Dashboard', {
      apiUrl: this.httpApi.api.apiEndpoint,
      userPoolClientId: this.auth.client.userPoolClientId,
      defaultLanguage: config.defaultLanguage,
      // Agents PUT uploads and GET attachments through presigned URLs from the page.
      presignedUrlBuckets: [this.mail.bucket],
      additionalOrigins: config.allowedOrigins,
    });
    this.httpApi.allowOrigin(this.dashboard.url);
    new CfnOutput(this, 'DashboardUrl', { value: this.dashboard.url, description: 'The agent dashboard' });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    // Departments from cdk.json (and the default canned responses, once each) put in the table at every deploy that changes them.
    const [deskConfigHandler, ...otherDeployFunctions] = this.functions.deploy;
    if (!deskConfigHandler || otherDeployFunctions.length > 0) throw new Error('The manifest must have exactly one deploy function: the desk configuration');
    this.deskConfig = new DeskConfig(this, 'DeskConfig', { handler: deskConfigHandler, departments: config.departments });
    new CfnOutput(this, 'StateMachineArn', { value: this.lifecycle.stateMachine.stateMachineArn, description: 'The ticket lifecycle (one execution per ticket)' });

    if (outbound !== undefined && config.supportDomain !== undefined) {
      // Mail DNS (MX, DKIM, DMARC, MAIL FROM): created in config.hostedZone when set, and always output as Dns*.
      this.mailDns = new MailDns(this, 'MailDns', {
        supportDomain: config.supportDomain,
        outbound,
        ...(config.hostedZone !== undefined && { hostedZone: config.hostedZone }),
      });
      new CfnOutput(this, 'SupportAddresses', { value: config.supportAddresses!.join(', ') });
    }

    // Observability last, so it finds every function, queue and state machine built above.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      ...(config.alarmEmail !== undefined && { alarmEmail: config.alarmEmail }),
      ...(outbound !== undefined && { configurationSetName: outbound.configurationSet.configurationSetName }),
    });
    new CfnOutput(this, 'CloudWatchDashboardUrl', { value: this.monitoring.dashboardUrl, description: 'Operations: the CloudWatch dashboard' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'Every alarm notifies this topic (config.alarmEmail is subscribed to it)' });
  }
}
