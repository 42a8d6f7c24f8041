import { Duration, Lazy } from 'aws-cdk-lib';
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
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { HelpdeskConfig } from '../config.ts';
import type { Trigger } from '../definitions/functions.ts';

type HttpTrigger = Extract<Trigger, { kind: 'http' }>;

export interface HttpApiProps {
  readonly config: HelpdeskConfig;
  /** JWT issuer and audience of the agent user pool. */
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
}

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

/** The HTTP API: one route per `http` trigger of the function manifest, added with addRoute. */
export class HelpdeskHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** CORS origins: the configured ones, then those added with allowOrigin. */
  private readonly corsOrigins: string[];
  private readonly jwtAuthorizer: HttpJwtAuthorizer;

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

    this.jwtAuthorizer = new HttpJwtAuthorizer('AgentJwt', props.jwtIssuer, {
      jwtAudience: [...props.jwtAudience],
      identitySource: ['$request.header.Authorization'],
    });
  }

  /** Routes one manifest function's `http` trigger to it: agent routes behind the JWT authorizer, customer routes open. */
  addRoute(name: string, route: HttpTrigger, fn: IFunction): void {
    const httpRoutes = this.api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${name}Integration`, fn),
      authorizer: route.auth === 'agent' ? this.jwtAuthorizer : new HttpNoneAuthorizer(),
    });
    if (route.auth === 'public') {
      // Only customer-facing routes, declared public in the manifest, go without a JWT.
      for (const httpRoute of httpRoutes) {
        NagSuppressions.addResourceSuppressions(httpRoute, [
          {
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is a customer route: customers have no account; the handler verifies an HMAC-signed, expiring link or rate-limited form input.`,
          },
        ]);
      }
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
