import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { agentGroups } from '../definitions/routes.ts';

/** When a user is in several groups, the lowest precedence value wins. */
const groupPrecedence: Record<(typeof agentGroups)[number], number> = {
  admins: 0,
  'agents-l3': 10,
  'agents-l2': 20,
  'agents-l1': 30,
};

/** Cognito user pool for agents. Customers never sign in; they get signed links. */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** JWT issuer for the HTTP API authorizer. */
  readonly issuer: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      // Agents are created by an admin; nobody can register themselves.
      selfSignUpEnabled: false,
      // The email is the username; it is not marked `required` because that can never be undone.
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised credentials, adaptive auth) needs the Plus plan.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      // Losing the pool would lock every agent out and orphan ticket assignees.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });

    NagSuppressions.addResourceSuppressions(this.userPool, [
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is OPTIONAL (TOTP only) until the dashboard sign-in flow can answer the MFA_SETUP challenge that REQUIRED ' +
          'forces on the first sign-in of an admin-created agent; agents enrol TOTP after signing in. Threat protection ' +
          '(FULL_FUNCTION) meanwhile challenges or blocks risky sign-ins. Switch to REQUIRED once the flow exists.',
      },
    ]);

    for (const groupName of agentGroups) {
      new UserPoolGroup(this, `Group-${groupName}`, {
        userPool: this.userPool,
        groupName,
        precedence: groupPrecedence[groupName],
      });
    }

    this.client = this.userPool.addClient('DashboardClient', {
      // A browser app cannot keep a secret.
      generateSecret: false,
      // USER_PASSWORD_AUTH is how the dashboard signs in: the password goes to Cognito inside the
      // InitiateAuth call, over TLS, and keeping an SRP library out of the browser keeps the
      // bundle small (the first page has a JavaScript budget). SRP stays for other clients.
      authFlows: { userSrp: true, userPassword: true },
      // No hosted UI or OAuth flows yet.
      disableOAuth: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
      // The email claim identifies the agent in audit events: only admins may change it.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
  }
}
