import { Annotations, CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import type { ApiFunction } from './constructs/api-function.ts';
import { contextKeys, type HelpdeskConfig } from './config.ts';
import { Auth } from './constructs/auth.ts';
import { Data } from './constructs/data.ts';
import { DashboardHosting } from './constructs/dashboard-hosting.ts';
import { DeskConfig } from './constructs/desk-config.ts';
import { HelpdeskHttpApi } from './constructs/http-api.ts';
import { InboundMail, mailEnvironment } from './constructs/inbound-mail.ts';
import { MailDns } from './constructs/mail-dns.ts';
import { MailResources } from './constructs/mail-resources.ts';
import { OutboundMail } from './constructs/outbound-mail.ts';
import { ReplyTokenSecret } from './constructs/reply-token-secret.ts';
import { TicketLifecycle } from './constructs/ticket-lifecycle.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { DeliveryEvents } from './constructs/delivery-events.ts';
import { grantTicketDeletion, RetentionPurge } from './constructs/data-protection.ts';
import { parsePolicy } from '../functions/core/policy.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';
import type { RouteDefinition } from './definitions/routes.ts';
import { buckets } from './definitions/resources.ts';

export interface HelpdeskStackProps extends StackProps {
  readonly config: HelpdeskConfig;
  /** Defaults to the shared route table. */
  readonly routes?: readonly RouteDefinition[];
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
  readonly lifecycle: TicketLifecycle;
  /** Only when helpdesk:closedTicketRetentionDays is set. */
  readonly retentionPurge?: RetentionPurge;
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
    const mailEnv = { config, bucket: this.mail.bucket, secret: this.replyTokenSecret, ...(this.outboundMail && { outbound: this.outboundMail }) };

    const outbound = this.outboundMail;
    // One object action on the uploads/ prefix only (grantPut/grantRead would add bucket-level and ACL actions).
    const bucketLogicalId = this.getLogicalId(this.mail.bucket.node.defaultChild as CfnBucket);
    const { uploads, attachments } = buckets.mail.prefixes;
    const grantUploads = (fn: ApiFunction, action: 's3:PutObject' | 's3:GetObject', prefixes: string[] = [uploads]) => {
      fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: [action], resources: prefixes.map((p) => this.mail.bucket.arnForObjects(`${p}*`)) }));
      NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Ticket files live under uploads/<ticket>/<random>/<name> (agents) and attachments/<ticket>/<message>/<name> (mail): ' +
              'keys are made per file, so the grant covers those prefixes, not fixed objects.',
            appliesTo: prefixes.map((p) => `Resource::<${bucketLogicalId}.Arn>/${p}*`),
          },
        ],
        true,
      );
    };
    this.httpApi = new HelpdeskHttpApi(this, 'Http', {
      config,
      table: this.data.table,
      jwtIssuer: this.auth.issuer,
      jwtAudience: [this.auth.client.userPoolClientId],
      ...(props.routes !== undefined && { routes: props.routes }),
      routeExtensions: {
        // Agents upload reply files straight to S3 with a presigned PUT (the URL carries this role's permission).
        CreateUpload: {
          environment: { MAIL_BUCKET: this.mail.bucket.bucketName },
          grant: (fn) => grantUploads(fn, 's3:PutObject'),
        },
        // Five-minute download links for a ticket's files, from mail or from agents.
        AttachmentLink: {
          environment: { MAIL_BUCKET: this.mail.bucket.bucketName },
          grant: (fn) => grantUploads(fn, 's3:GetObject', [attachments, uploads]),
        },
        // Replies name uploaded files; once mail is on, public replies go out by mail with them.
        AddMessage: {
          environment: { MAIL_BUCKET: this.mail.bucket.bucketName, ...(outbound !== undefined ? mailEnvironment(mailEnv) : {}) },
          grant: (fn) => {
            grantUploads(fn, 's3:GetObject');
            if (outbound !== undefined) {
              outbound.grantSend(fn.role);
              this.replyTokenSecret.grantGetValue(fn.role);
            }
          },
        },
        // GDPR/LGPD erasure (admins only): deletes a requester's items and objects, and stops their open tickets' lifecycles.
        EraseRequester: {
          environment: { MAIL_BUCKET: this.mail.bucket.bucketName },
          grant: (fn) => grantTicketDeletion(fn, this.data.table, this.mail.bucket),
        },
        // Customer pages: the web form shows the desk's name; the ticket it opens is acknowledged by mail once mail is on.
        HelpForm: { environment: { ...(config.deskName !== undefined && { DESK_NAME: config.deskName }) } },
        SubmitTicket: {
          environment: { ...(config.deskName !== undefined && { DESK_NAME: config.deskName }), ...(outbound !== undefined ? mailEnvironment(mailEnv) : {}) },
          grant: (fn) => {
            if (outbound !== undefined) {
              outbound.grantSend(fn.role);
              this.replyTokenSecret.grantGetValue(fn.role);
            }
          },
        },
      },
    });

    this.inboundMail = new InboundMail(this, 'InboundMail', { ...mailEnv, table: this.data.table, mail: this.mail });
    // Bounces and complaints of the mail we send, recorded on the ticket (configuration set → SNS → SQS → Lambda).
    if (outbound !== undefined) this.deliveryEvents = new DeliveryEvents(this, 'DeliveryEvents', { outbound, table: this.data.table });

    // The policy is bundled into every function; a bad edit fails here, at synth, with every problem named.
    parsePolicy(JSON.parse(readFileSync(join(repoRoot, 'config', 'policy.json'), 'utf8')));
    this.lifecycle = new TicketLifecycle(this, 'Lifecycle', {
      stage: config.stage,
      table: this.data.table,
      publicUrl: this.httpApi.api.apiEndpoint,
      mailEnvironment: outbound !== undefined ? mailEnvironment(mailEnv) : {},
      ...(outbound !== undefined && {
        grantMail: (role) => {
          outbound.grantSend(role);
          this.replyTokenSecret.grantGetValue(role);
        },
      }),
    });
    // Who drives the lifecycle: creating starts it; changes wake it; closing by hand stops it.
    const drivers: [ApiFunction | undefined, ('start' | 'wake' | 'stop')[]][] = [
      [this.httpApi.functions.get('CreateTicket'), ['start']],
      [this.httpApi.functions.get('UpdateTicket'), ['start', 'wake', 'stop']],
      [this.httpApi.functions.get('AddMessage'), ['wake']],
      [this.httpApi.functions.get('SurveyRating'), ['wake']],
      [this.httpApi.functions.get('SurveyComment'), ['wake']],
      [this.httpApi.functions.get('SubmitTicket'), ['start']],
      [this.httpApi.functions.get('StatusReply'), ['wake']],
      [this.inboundMail.handler, ['start', 'wake']],
      [this.httpApi.functions.get('EraseRequester'), ['stop']],
    ];
    for (const [fn, actions] of drivers) {
      if (!fn) continue;
      fn.fn.addEnvironment('STATE_MACHINE_ARN', this.lifecycle.arns.stateMachineArn);
      this.lifecycle.grantDrive(fn.role, actions);
    }
    // Retention: tickets closed longer ago than helpdesk:closedTicketRetentionDays are deleted daily (report counters stay).
    if (config.retention.closedTicketDays !== undefined) {
      this.retentionPurge = new RetentionPurge(this, 'Retention', { table: this.data.table, bucket: this.mail.bucket, closedTicketDays: config.retention.closedTicketDays });
    }
    // Survey and status pages verify links signed with the same secret and show the desk's name.
    for (const name of ['SurveyRating', 'SurveyComment', 'TicketStatus', 'StatusReply']) {
      const fn = this.httpApi.functions.get(name);
      if (!fn) continue;
      fn.fn.addEnvironment('REPLY_TOKEN_SECRET_ARN', this.replyTokenSecret.secret.secretArn);
      if (config.deskName !== undefined) fn.fn.addEnvironment('DESK_NAME', config.deskName);
      this.replyTokenSecret.grantGetValue(fn.role);
    }
    // Acknowledgements (mail and web form) carry the signed link to the ticket's status page.
    this.inboundMail.handler.fn.addEnvironment('PUBLIC_URL', this.httpApi.api.apiEndpoint);
    this.httpApi.functions.get('SubmitTicket')?.fn.addEnvironment('PUBLIC_URL', this.httpApi.api.apiEndpoint);

    // Admin routes call the user pool's admin API: each function exactly the calls it makes, on this pool only.
    const userPoolCalls: Record<string, string[]> = {
      AdminInviteAgent: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminAddUserToGroup'],
      AdminGetAgent: ['cognito-idp:AdminGetUser'],
      AdminUpdateAgent: ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminRemoveUserFromGroup'],
      AdminDisableAgent: ['cognito-idp:AdminDisableUser', 'cognito-idp:AdminUserGlobalSignOut'],
      AdminEnableAgent: ['cognito-idp:AdminEnableUser'],
    };
    for (const [name, actions] of Object.entries(userPoolCalls)) {
      const fn = this.httpApi.functions.get(name);
      if (!fn) continue;
      fn.fn.addEnvironment('USER_POOL_ID', this.auth.userPool.userPoolId);
      fn.role.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [this.auth.userPool.userPoolArn] }));
    }
    // Deleting a canned response is the API's one plain DeleteItem: on the table, not its indexes,
    // and only in the canned responses' partition (keys.cannedResponse).
    this.httpApi.functions.get('AdminDeleteCannedResponse')?.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [this.data.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['CANNED'] } },
      }),
    );

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
    this.deskConfig = new DeskConfig(this, 'DeskConfig', { table: this.data.table, departments: config.departments });
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
