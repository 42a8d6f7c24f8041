import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ConfigurationSet, type DkimRecord, EmailIdentity, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface OutboundMailProps {
  /** The verified domain every outgoing mail is sent from. */
  readonly domain: string;
}

/** The actions a function needs to send through SESv2 `SendEmail` (raw MIME included). */
export const sendActions = ['ses:SendEmail', 'ses:SendRawEmail'] as const;

/**
 * Outgoing mail: an SES domain identity with Easy DKIM, and the configuration set every
 * send names. Its bounce and complaint events go to tickets through delivery-events.ts.
 */
export class OutboundMail extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** `arn:…:configuration-set/<name>`: sends that name the set are authorised on it too. */
  readonly configurationSetArn: string;
  /** The CNAME records that prove the domain for DKIM (three, from Easy DKIM). */
  readonly dkimRecords: DkimRecord[];

  constructor(scope: Construct, id: string, props: OutboundMailProps) {
    super(scope, id);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      // Addresses that hard-bounced or complained are not mailed again: protects the sender reputation.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });

    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(props.domain),
      // Easy DKIM (2048-bit keys rotated by SES) is the default for a domain identity.
      configurationSet: this.configurationSet,
    });
    this.dkimRecords = this.identity.dkimRecords;
  }

  /** Sending from the identity, through the configuration set; nothing else. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...sendActions],
        resources: [this.identity.emailIdentityArn, this.configurationSetArn],
      }),
    );
  }
}
