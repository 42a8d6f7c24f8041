import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { type IReceiptRuleAction, type ReceiptRule, type ReceiptRuleActionConfig, ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { AwsCustomResource, AwsCustomResourcePolicy, type AwsSdkCall, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HelpdeskConfig } from '../config.ts';
import { buckets } from '../definitions/resources.ts';
import type { MailResources } from './mail-resources.ts';

/** Where SES writes raw MIME, and where the inbound function writes attachments (functions/app/receive-mail.ts). */
const mailPrefixes = buckets.mail.prefixes;

/** The receipt rule's own name inside the rule set. */
const ruleName = 'support-addresses';

/**
 * SES's S3 action: raw MIME (up to 40 MB) under a prefix, then a notification to the topic.
 * The built-in action in aws-ses-actions only conditions its bucket grant on the account;
 * this one leaves the grants to the caller, which also pins them to the rule's ARN.
 */
class StoreAndNotify implements IReceiptRuleAction {
  constructor(private readonly props: { bucket: IBucket; objectKeyPrefix: string; topic: ITopic }) {}

  bind(): ReceiptRuleActionConfig {
    return {
      s3Action: {
        bucketName: this.props.bucket.bucketName,
        objectKeyPrefix: this.props.objectKeyPrefix,
        topicArn: this.props.topic.topicArn,
      },
    };
  }
}

export interface InboundMailProps {
  readonly config: HelpdeskConfig;
  readonly mail: MailResources;
}

/**
 * Inbound mail in AWS: SES receipt rule (support addresses, spam and virus scan, TLS only)
 * → S3 action with SNS notification → SQS (+DLQ) → the inbound Lambda (the manifest's
 * InboundMail, reading `mail.queue`). Without a support domain there is no receipt rule: the
 * queue and its consumer are still built.
 */
export class InboundMail extends Construct {
  readonly ruleSet?: ReceiptRuleSet;
  readonly rule?: ReceiptRule;
  readonly activation?: AwsCustomResource;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config, mail } = props;

    if (config.supportDomain !== undefined && config.supportAddresses !== undefined) {
      // Fixed names: the bucket and topic policies below name the rule's ARN, and SES checks
      // those permissions while creating the rule, so the rule cannot be their dependency.
      const ruleSetName = `helpdesk-${config.stage}-inbound`;
      const ruleArn = stack.formatArn({
        service: 'ses',
        resource: 'receipt-rule-set',
        resourceName: `${ruleSetName}:receipt-rule/${ruleName}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
      const fromThisRule = {
        StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': ruleArn },
      };

      mail.bucket.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowSesReceiptRuleToStoreInboundMail',
          principals: [new ServicePrincipal('ses.amazonaws.com')],
          actions: ['s3:PutObject'],
          resources: [mail.bucket.arnForObjects(`${mailPrefixes.inbound}*`)],
          conditions: fromThisRule,
        }),
      );
      const topicGrant = mail.topic.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowSesReceiptRuleToNotify',
          principals: [new ServicePrincipal('ses.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [mail.topic.topicArn],
          conditions: fromThisRule,
        }),
      );

      this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: ruleSetName });
      this.rule = this.ruleSet.addRule('SupportAddresses', {
        receiptRuleName: ruleName,
        // An address also matches its plus-addressed forms (support+token@…): the SES developer
        // guide says an address condition matches "any form of the address with a label". The
        // bare domain is left out on purpose: it would turn every address at the domain into a ticket.
        recipients: [...config.supportAddresses],
        enabled: true,
        // Spam and virus verdicts land in the notification; the handler acts on them.
        scanEnabled: true,
        tlsPolicy: TlsPolicy.REQUIRE,
        actions: [new StoreAndNotify({ bucket: mail.bucket, objectKeyPrefix: mailPrefixes.inbound, topic: mail.topic })],
      });
      this.rule.node.addDependency(mail.bucket.policy!);
      if (topicGrant.policyDependable) this.rule.node.addDependency(topicGrant.policyDependable);

      this.activation = this.activateRuleSet(ruleSetName);
      this.activation.node.addDependency(this.rule);
    }
  }

  /**
   * CloudFormation creates a receipt rule set but never makes it the active one: this does,
   * on create and update, and switches receiving off again when the stack goes away.
   */
  private activateRuleSet(ruleSetName: string): AwsCustomResource {
    const logGroup = new LogGroup(this, 'ActivationLogs', { retention: RetentionDays.ONE_MONTH });
    // Our own role, so the provider gets no AWSLambdaBasicExecutionRole (log writes to any group).
    const role = new Role(this, 'ActivationRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Activates the help desk SES receipt rule set',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    const activate: AwsSdkCall = {
      service: 'SES',
      action: 'SetActiveReceiptRuleSet',
      parameters: { RuleSetName: ruleSetName },
      physicalResourceId: PhysicalResourceId.of(ruleSetName),
    };
    const activation = new AwsCustomResource(this, 'ActivateRuleSet', {
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      onCreate: activate,
      onUpdate: activate,
      // No RuleSetName: no rule set is active (the rule set cannot be deleted while active).
      onDelete: { service: 'SES', action: 'SetActiveReceiptRuleSet', parameters: {} },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
      role,
      logGroup,
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
    });

    NagSuppressions.addResourceSuppressions(
      activation,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'ses:SetActiveReceiptRuleSet supports no resource-level permissions (no receipt-rule-set resource type in the ' +
            'SES authorization reference), so Resource must be *; it is the only action this role may call.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
    return activation;
  }
}
