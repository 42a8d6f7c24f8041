import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { CfnTable, ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HelpdeskConfig } from '../config.ts';
import { type RouteDefinition, routes as routeTable } from '../definitions/routes.ts';
import { ApiFunction } from './api-function.ts';

export interface HttpApiProps {
  readonly config: HelpdeskConfig;
  readonly table: ITable;
  /** JWT issuer and audience of the agent user pool. */
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  /** Defaults to the shared route table; tests may pass a subset. */
  readonly routes?: readonly RouteDefinition[];
  /**
   * What some routes need beyond the table, by route name (e.g. AddMessage sends mail).
   * Kept out of the route table, which stays pure data shared with local mode.
   */
  readonly routeExtensions?: Readonly<Record<string, RouteExtension>>;
}

/** Extra environment and permissions for one route's function. */
export interface RouteExtension {
  /** Merged over the variables every route gets. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Adds the route's extra permissions to `fn.role`. */
  readonly grant?: (fn: ApiFunction) => void;
}

/**
 * What each kind of route may do to the table. TransactWriteItems is authorised
 * through the Put/Update/ConditionCheck actions of its items.
 */
export const tableActions: Record<Exclude<RouteDefinition['table'], 'none'>, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readwrite: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
} as const;

/** Request headers the dashboard sends, and response headers it must read. */
export const corsAllowHeaders = ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'];
export const corsExposeHeaders = ['ETag'];

/**
 * Access log line. `routeKey` rather than `path`: paths such as
 * /customers/{email}/tickets carry personal data. Only the opaque `sub` of the caller.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    error: '$context.error.message',
    sourceIp: '$context.identity.sourceIp',
    sub: '$context.authorizer.claims.sub',
  }),
);

/** The HTTP API: one Lambda and one route per route-table entry. */
export class HelpdeskHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** Route name → its function. */
  readonly functions = new Map<string, ApiFunction>();
  /** CORS origins: the configured ones, then those added with allowOrigin. */
  private readonly corsOrigins: string[];

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);

    this.corsOrigins = [...props.config.allowedOrigins];
    this.api = new HttpApi(this, 'Api', {
      description: `Help desk API (${props.config.stage})`,
      // The stage is built below so it can have throttling and access logs.
      createDefaultStage: false,
      corsPreflight: {
        // Lazy: origins known only after the API exists (the dashboard's) are added with allowOrigin.
        allowOrigins: Lazy.list({ produce: () => this.corsOrigins }),
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.PUT,
          CorsHttpMethod.DELETE,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: corsAllowHeaders,
        exposeHeaders: corsExposeHeaders,
        // Bearer tokens, not cookies: credentials mode is never needed.
        allowCredentials: false,
        maxAge: Duration.hours(1),
      },
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat,
      },
    });

    const jwtAuthorizer = new HttpJwtAuthorizer('AgentJwt', props.jwtIssuer, {
      jwtAudience: [...props.jwtAudience],
      identitySource: ['$request.header.Authorization'],
    });
    const noAuth = new HttpNoneAuthorizer();

    // How cdk-nag names the table's index ARN in IAM5 findings (`<LogicalId.Arn>/index/*`).
    const tableLogicalId = Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnTable);

    const extensions = props.routeExtensions ?? {};
    const unknown = Object.keys(extensions).filter((name) => !routeTable.some((r) => r.name === name));
    if (unknown.length > 0) throw new Error(`routeExtensions name routes that are not in the route table: ${unknown.join(', ')}`);

    for (const route of props.routes ?? routeTable) {
      const extension = extensions[route.name];
      const fn = new ApiFunction(this, route.name, {
        entry: route.entry,
        description: `${route.method} ${route.path}`,
        environment: {
          TABLE_NAME: props.table.tableName,
          DEFAULT_LANGUAGE: props.config.defaultLanguage,
          ...extension?.environment,
        },
      });
      extension?.grant?.(fn);
      // Explicit actions rather than grantRead*Data, which would also allow Scan:
      // no request path may scan the table.
      if (route.table !== 'none') props.table.grant(fn.role, ...tableActions[route.table]);
      // Every agent route first reads the caller's rights: their profile (GetItem) and which
      // departments are restricted (Query); a route that needs no table reads those partitions only.
      else if (route.auth === 'agent') {
        fn.role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['dynamodb:GetItem', 'dynamodb:Query'],
            resources: [props.table.tableArn],
            conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['AGENTS', 'DEPARTMENTS'] } },
          }),
        );
      }

      if (route.table !== 'none') NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Query on the GSIs of this one table: the grant scopes the index ARN to <table>/index/*; ' +
              'every index is projected ALL and readable by design.',
            appliesTo: [`Resource::<${tableLogicalId}.Arn>/index/*`],
          },
        ],
        true,
      );

      const httpRoutes = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.name}Integration`, fn.fn),
        authorizer: route.auth === 'agent' ? jwtAuthorizer : noAuth,
      });
      if (route.auth === 'public') {
        // Only customer-facing routes, declared public in the route table, go without a JWT.
        for (const httpRoute of httpRoutes) {
          NagSuppressions.addResourceSuppressions(httpRoute, [
            {
              id: 'AwsSolutions-APIG4',
              reason: `${route.method} ${route.path} is a customer route: customers have no account; the handler verifies an HMAC-signed, expiring link or rate-limited form input.`,
            },
          ]);
        }
      }
      this.functions.set(route.name, fn);
    }
  }

  /**
   * Let one more browser origin call the API, e.g. the dashboard's CloudFront URL (a token).
   * The API then depends on what the origin names, never the other way round, so the origin's
   * owner must not depend on the API. Nothing to add when the configuration allows any origin.
   */
  allowOrigin(origin: string): void {
    if (!this.corsOrigins.includes('*') && !this.corsOrigins.includes(origin)) this.corsOrigins.push(origin);
  }
}
