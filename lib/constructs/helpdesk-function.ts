import { Duration } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { functionsDir, lockFile, repoRoot } from '../paths.ts';
import { functionDefaults } from '../definitions/functions.ts';

export interface HelpdeskFunctionProps {
  /** Handler file relative to `functions/`, as in the function manifest. */
  readonly entry: string;
  readonly description?: string;
  /** Merged over the defaults. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
}

/**
 * The one way this project builds a Lambda: pinned runtime and bundling, its own
 * log group and its own role that starts with nothing but log and trace writes.
 * lib/constructs/manifest-functions.ts builds one per manifest entry and adds
 * exactly what its needs say to `role`.
 */
export class HelpdeskFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HelpdeskFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });

    // An explicit role instead of AWSLambdaBasicExecutionRole: writes to this log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(functionsDir, props.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: lockFile,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? functionDefaults.memoryMb,
      timeout: props.timeout ?? Duration.seconds(functionDefaults.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      ...(props.description !== undefined && { description: props.description }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'helpdesk',
        LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer ESM builds of dependencies; fall back to CJS.
        mainFields: ['module', 'main'],
        // CJS dependencies call require(); an ESM bundle has none unless we make one.
        banner:
          "import { createRequire as __helpdeskCreateRequire } from 'node:module'; const require = __helpdeskCreateRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK versions the tests ran against, not whatever the runtime has.
        bundleAwsSDK: true,
        tsconfig: join(repoRoot, 'tsconfig.json'),
        logLevel: LogLevel.WARNING,
      },
    });

    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(this.fn, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Runtime pinned to nodejs22.x on purpose (docs/architecture.md, Verified traps; bundles target node22); 22.x is in standard ' +
          'support. Moving to 24.x is a deliberate, tested change, not a silent one.',
      },
    ]);
  }
}
