import { createHash } from 'node:crypto';
import { CustomResource, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { defaultCannedResponses } from '../../functions/core/default-canned-responses.ts';
import type { DepartmentConfig } from '../config.ts';
import type { HelpdeskFunction } from './helpdesk-function.ts';

export interface DeskConfigProps {
  /** The manifest's `deploy` function (functions/deploy/desk-config.ts), with its table grant. */
  readonly handler: HelpdeskFunction;
  /** `config.departments`: the complete list; a department missing from it is marked inactive. */
  readonly departments: readonly DepartmentConfig[];
}

/**
 * Puts the configured departments (and, once each, the default canned responses) into the
 * table at deploy time: a custom resource whose function (the manifest's `deploy` trigger) runs functions/deploy/desk-config.ts,
 * the same code local mode runs at start. It runs when the stack is created and whenever the
 * configured list or the built-in defaults change; deleting the stack leaves the (retained)
 * table's desks as they are.
 */
export class DeskConfig extends Construct {
  readonly handler: HelpdeskFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DeskConfigProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.handler = props.handler;

    // The framework function gets its own role and log group (no AWSLambdaBasicExecutionRole).
    const frameworkLogs = new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.ONE_MONTH });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom resource provider framework of the desk configuration',
    });
    frameworkRole.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [frameworkLogs.logGroupArn] }),
    );
    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.handler.fn,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });

    // The defaults are bundled in the function; their digest in the properties makes a changed
    // set of defaults run the resource again (a default already placed is still never rewritten).
    const defaultsDigest = createHash('sha256').update(JSON.stringify(defaultCannedResponses)).digest('hex').slice(0, 16);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::HelpdeskDeskConfig',
      properties: {
        Departments: JSON.stringify(props.departments),
        DefaultCannedResponses: defaultsDigest,
      },
    });

    const handlerId = stack.getLogicalId(this.handler.fn.node.defaultChild as CfnFunction);
    NagSuppressions.addResourceSuppressions(
      frameworkRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The CDK provider framework invokes the desk-configuration function by its ARN and any of its versions ' +
            '(<fn>:*, added by Function.grantInvoke); it may invoke nothing else.',
          appliesTo: [`Resource::<${handlerId}.Arn>:*`],
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(
      provider,
      [
        {
          id: 'AwsSolutions-L1',
          reason:
            'The provider framework function is built by aws-cdk-lib with determineLatestNodeRuntime (the newest Node.js runtime ' +
            'the library knows for the region); its code and runtime are the library’s, not ours.',
        },
      ],
      true,
    );
  }
}
