import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { Trigger } from '../definitions/functions.ts';
import { repoRoot } from '../paths.ts';

/** The placeholders of the definition file that name task functions. */
export type TaskSubstitution = Extract<Trigger, { kind: 'task' }>['substitution'];

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
  /**
   * The functions of the definition's Task states, by the substitution that names each
   * there (the manifest's `task` triggers).
   */
  readonly tasks: Readonly<Record<TaskSubstitution, IFunction>>;
}

/**
 * The ticket lifecycle: one Standard execution per ticket, defined by
 * state-machines/ticket-lifecycle.asl.json with the task functions' ARNs
 * substituted, logged at level ALL and traced.
 */
export class TicketLifecycle extends Construct {
  readonly stateMachine: StateMachine;
  readonly arns: ReturnType<typeof lifecycleArns>;

  constructor(scope: Construct, id: string, props: TicketLifecycleProps) {
    super(scope, id);
    this.arns = lifecycleArns(this, props.stage);
    const tasks = Object.entries(props.tasks);

    const logs = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('states.amazonaws.com'), description: 'Ticket lifecycle state machine' });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: this.arns.name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(lifecycleDefinitionFile),
      definitionSubstitutions: Object.fromEntries(tasks.map(([substitution, fn]) => [substitution, fn.functionArn])),
      role,
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
    });
    // The file's Task states name the functions only through substitutions: grant the invokes here.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: tasks.map(([, fn]) => fn.functionArn),
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
}

export type LifecycleAction = 'start' | 'wake' | 'stop';

/**
 * Lets a role drive the lifecycle: start executions, wake their waits
 * (SendTaskSuccess on this machine's task tokens), and stop them (closing by
 * hand, erasure). Needs only the ARNs, fixed up front, so the functions that
 * drive the machine can be built before it.
 */
export function grantLifecycle(role: IRole, arns: ReturnType<typeof lifecycleArns>, actions: readonly LifecycleAction[]): void {
  if (actions.includes('start')) role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [arns.stateMachineArn] }));
  if (actions.includes('wake')) role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [arns.stateMachineArn] }));
  if (actions.includes('stop')) {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['states:StopExecution'], resources: [arns.executionsArn] }));
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
                `execution:${escapeRegex(arns.name)}:\\*$/`,
            },
          ],
        },
      ],
      true,
    );
  }
}
