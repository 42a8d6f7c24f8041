import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { CfnTable, ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { repoRoot } from '../paths.ts';
import { ApiFunction } from './api-function.ts';
import { tableActions } from './http-api.ts';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The one definition file, shared with local mode. */
export const lifecycleDefinitionFile = join(repoRoot, 'state-machines', 'ticket-lifecycle.asl.json');

/**
 * The state machine's ARN, known before it exists: the API functions that
 * start and wake executions need it, and the machine needs the lifecycle
 * functions, so a name fixed up front keeps that from becoming a cycle.
 */
export function lifecycleArns(scope: Construct, stage: string) {
  const stack = Stack.of(scope);
  const name = `helpdesk-${stage}-ticket-lifecycle`;
  return {
    name,
    stateMachineArn: stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    /** Executions are named after their tickets. */
    executionsArn: stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  };
}

export interface TicketLifecycleProps {
  readonly stage: string;
  readonly table: ITable;
  /** Base URL of the public routes (survey links). */
  readonly publicUrl: string;
  /** Mail settings for the lifecycle's notices and survey; absent while mail is off. */
  readonly mailEnvironment: Readonly<Record<string, string>>;
  /** Adds mail permissions (send, signing secret) to the lifecycle function. */
  readonly grantMail?: (role: IRole) => void;
}

/**
 * The ticket lifecycle: one Standard execution per ticket, defined by
 * state-machines/ticket-lifecycle.asl.json with the two function ARNs
 * substituted, logged at level ALL and traced.
 */
export class TicketLifecycle extends Construct {
  readonly stateMachine: StateMachine;
  readonly lifecycleFunction: ApiFunction;
  readonly awaitSignalFunction: ApiFunction;
  readonly arns: ReturnType<typeof lifecycleArns>;

  constructor(scope: Construct, id: string, props: TicketLifecycleProps) {
    super(scope, id);
    this.arns = lifecycleArns(this, props.stage);
    const tableLogicalId = Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnTable);

    this.lifecycleFunction = new ApiFunction(this, 'Lifecycle', {
      entry: 'workflow/lifecycle.ts',
      description: 'Ticket lifecycle steps: triage, plans, SLA breaches, survey, closing',
      timeout: Duration.seconds(30),
      environment: { TABLE_NAME: props.table.tableName, PUBLIC_URL: props.publicUrl, ...props.mailEnvironment },
    });
    props.table.grant(this.lifecycleFunction.role, ...tableActions.readwrite);
    props.grantMail?.(this.lifecycleFunction.role);

    this.awaitSignalFunction = new ApiFunction(this, 'AwaitSignal', {
      entry: 'workflow/await-signal.ts',
      description: 'Ticket lifecycle waits: keeps the task token beside the ticket',
      environment: { TABLE_NAME: props.table.tableName },
    });
    // The token item and the ticket item, by key: the table itself, none of its indexes.
    this.awaitSignalFunction.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [props.table.tableArn] }));
    this.grantWake(this.awaitSignalFunction.role);

    NagSuppressions.addResourceSuppressions(
      this.lifecycleFunction.role,
      [{ id: 'AwsSolutions-IAM5', reason: 'Query on the GSIs of the one table (<table>/index/*): listing agents and reading tickets.', appliesTo: [`Resource::<${tableLogicalId}.Arn>/index/*`] }],
      true,
    );

    const logs = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('states.amazonaws.com'), description: 'Ticket lifecycle state machine' });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: this.arns.name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(lifecycleDefinitionFile),
      definitionSubstitutions: {
        LifecycleFunctionArn: this.lifecycleFunction.fn.functionArn,
        AwaitSignalFunctionArn: this.awaitSignalFunction.fn.functionArn,
      },
      role,
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
    });
    // The file's Task states name the functions only through substitutions: grant the invokes here.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [this.lifecycleFunction.fn.functionArn, this.awaitSignalFunction.fn.functionArn],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Logging and tracing of the state machine: the CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery, GetLogDelivery, ' +
            'UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and ' +
            'X-Ray (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) support no resource-level permissions.',
          // Only that Resource "*" statement: any other wildcard on this role (say, an invoke on <fn>:*) is still reported.
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }

  /** Lets a role wake waits (SendTaskSuccess on this machine's task tokens). */
  grantWake(role: IRole) {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [this.arns.stateMachineArn] }));
  }

  /** Lets a role start executions, wake them, and (for closing by hand) stop them. */
  grantDrive(role: IRole, actions: ('start' | 'wake' | 'stop')[]) {
    if (actions.includes('start')) role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.arns.stateMachineArn] }));
    if (actions.includes('wake')) this.grantWake(role);
    if (actions.includes('stop')) {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StopExecution'], resources: [this.arns.executionsArn] }));
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: 'Executions are named after their tickets, made at run time: StopExecution is scoped to this state machine\'s executions.',
            // This machine's executions only. Partition, region and account are literals when the stack has an
            // environment (arn:aws:states:us-east-1:…) and pseudo-parameters when it has none (arn:<AWS::Partition>:…).
            appliesTo: [
              {
                regex:
                  '/^Resource::arn:(?:aws[a-z-]*|<AWS::Partition>):states:(?:[a-z0-9-]+|<AWS::Region>):(?:\\d{12}|<AWS::AccountId>):' +
                  `execution:${escapeRegex(this.arns.name)}:\\*$/`,
              },
            ],
          },
        ],
        true,
      );
    }
  }
}
