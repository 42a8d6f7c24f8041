import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/**
 * The HMAC key that signs reply tokens (`support+<token>@…`) and customer links.
 * Functions get its ARN (REPLY_TOKEN_SECRET_ARN) and read the value at cold start:
 * the value never appears in the template or in a function's environment.
 */
export class ReplyTokenSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.secret = new Secret(this, 'Secret', {
      description: 'HMAC key for help desk reply tokens and signed customer links',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });

    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotating this HMAC key would invalidate every reply token and signed link in mail already sent, so customer ' +
          'replies would open new tickets instead of threading. Rotation needs a scheme with two live keys (current and ' +
          'previous, both verified) first; that is planned work, not this change.',
      },
    ]);
  }

  /** GetSecretValue on this secret only (not DescribeSecret or anything else grantRead adds). */
  grantGetValue(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }),
    );
  }
}
