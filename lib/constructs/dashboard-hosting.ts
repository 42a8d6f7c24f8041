import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { type AddToPrincipalPolicyResult, Effect, PolicyStatement, Role, type RoleProps, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { Language } from '../config.ts';
import { repoRoot } from '../paths.ts';

/** What the app fetches from `/config.json` at start-up (local mode serves the same shape). */
export interface DashboardRuntimeConfig {
  /** Base URL of the HTTP API, without a trailing slash. */
  readonly apiUrl: string;
  readonly auth: {
    /** Cognito's InitiateAuth endpoint: `https://cognito-idp.<region>.amazonaws.com/`. */
    readonly url: string;
    readonly clientId: string;
    readonly region: string;
  };
  readonly defaultLanguage: Language;
}

export interface DashboardHostingProps {
  readonly apiUrl: string;
  readonly userPoolClientId: string;
  readonly defaultLanguage: Language;
  /** The Vite app; `dashboard/` by default. */
  readonly appDir?: string;
  /**
   * Buckets the browser talks to through presigned URLs (agents' uploads, attachment
   * downloads): each gets a CORS rule for the dashboard's origin.
   */
  readonly presignedUrlBuckets?: readonly Bucket[];
  /**
   * Other browser origins those buckets' CORS allows besides the dashboard's (the configured
   * `allowedOrigins`, as for the API); `['*']` allows any (the URL's signature is the permission).
   */
  readonly additionalOrigins?: readonly string[];
  /**
   * South America and Australia are only in PriceClass_All, and agents may well be in Brazil
   * (the app speaks pt-BR). The dashboard is a few hundred KB per agent per day, so the
   * dearer edges cost cents; PRICE_CLASS_100 is the choice for North America/Europe-only teams.
   */
  readonly priceClass?: PriceClass;
  /** ARN of an existing CLOUDFRONT-scope WAF web ACL (it must live in us-east-1). */
  readonly webAclArn?: string;
}

/** Vite's default `build.assetsDir`: content-hashed file names, safe to cache for a year. */
const hashedAssets = 'assets/*';

/**
 * The Content-Security-Policy. Hosts are named by AWS service and region rather than by API id or
 * bucket name: the API's CORS and the upload bucket's CORS name the distribution's domain, and the
 * distribution carries this policy, so naming the API or the bucket here would be a dependency
 * cycle (see DashboardHosting).
 */
export function contentSecurityPolicy(region: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // No 'unsafe-inline': the app's stylesheets are files, Preact sets styles through the
    // CSSOM (which a CSP does not govern), and the mail sanitizer drops style tags and attributes.
    "style-src 'self'",
    // Remote images in mail load only after an agent asks (the sanitizer holds them back until
    // then). A CSP cannot say "after a click", so https: is allowed or the feature cannot work
    // here. https: also covers inline (cid:) images shown from presigned S3 links; data: for
    // base64 images in mail.
    "img-src 'self' data: https:",
    // The API, Cognito sign-in, and the presigned S3 URLs of uploads and downloads.
    `connect-src 'self' https://*.execute-api.${region}.amazonaws.com https://cognito-idp.${region}.amazonaws.com https://*.s3.${region}.amazonaws.com`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The agent dashboard in AWS: a private bucket behind CloudFront (origin access control),
 * security headers on every response, and the Vite build plus a `config.json` written at
 * deploy time with the API URL and the Cognito app client.
 *
 * CORS without a cycle: the distribution's domain is a token, so the HTTP API's CORS (and
 * the upload bucket's) must depend on the distribution. The distribution therefore must not
 * depend on the API: its CSP names the API and S3 by service and region (contentSecurityPolicy),
 * and the API URL reaches the app through config.json, which the deployment writes after both
 * exist. Call `HelpdeskHttpApi.allowOrigin(dashboard.url)`.
 */
export class DashboardHosting extends Construct {
  readonly bucket: Bucket;
  /** CloudFront standard logs and the site bucket's server access logs. */
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly headersPolicy: ResponseHeadersPolicy;
  /** `https://<distribution domain>`: the dashboard's origin. */
  readonly url: string;
  readonly runtimeConfig: DashboardRuntimeConfig;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const appDir = props.appDir ?? join(repoRoot, 'dashboard');
    if (!existsSync(appDir)) {
      throw new Error(`The dashboard app is missing: ${appDir} does not exist. The stack deploys it (npm run build:dashboard); it cannot be synthesized without it.`);
    }

    // CloudFront standard logging writes through an ACL grant, so this bucket keeps ACLs
    // (BUCKET_OWNER_PREFERRED: CloudFront's objects still end up owned by the account).
    // It is also the site bucket's server access-log target; a log target needs no log of its own.
    this.logBucket = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront and server access logs can only be written with SSE-S3.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      // Agents' IP addresses: kept a year, as the mail bucket's access logs.
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Build output, reproducible from git: a rollback is a redeploy of the older commit.
      versioned: false,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3-site/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.headersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Help desk dashboard: CSP, HSTS and framing/sniffing/referrer protection',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(region), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          // No pop-up opened from a mail link can reach back into the dashboard.
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()', override: true },
        ],
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Help desk agent dashboard (${Stack.of(this).stackName})`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        // Honours the objects' Cache-Control (set by the deployments below).
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: this.headersPolicy,
      },
      // Client-side routes (/tickets/42): the bucket answers 403 for a missing key (no
      // s3:ListBucket for CloudFront), 404 otherwise; both get the app shell.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(10),
      })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_ALL,
      // Standard logging costs nothing beyond the S3 storage.
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
      ...(props.webAclArn !== undefined && { webAclId: props.webAclArn }),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the security policy ' +
          '(TLSv1); a minimum of TLSv1.2_2021 needs a custom domain with an ACM certificate in us-east-1, which this stack ' +
          'does not configure. Viewers are redirected to HTTPS and modern browsers negotiate TLS 1.2/1.3 anyway.',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: agents work from wherever the team is (travel, remote staff), and sign-in plus Cognito threat ' +
          'protection guard access. The distribution serves only the static app shell, which holds no data.',
      },
      ...(props.webAclArn === undefined
        ? [
            {
              id: 'AwsSolutions-CFR2',
              reason:
                'No WAF by default: the origin is a private bucket of static files (no dynamic origin to protect), CloudFront has ' +
                'Shield Standard, and a CLOUDFRONT-scope web ACL must be created in us-east-1 at a fixed monthly cost. The data ' +
                'lives behind the HTTP API (JWT authorizer, throttling). Pass webAclArn to attach an existing web ACL.',
            },
          ]
        : []),
    ]);

    this.runtimeConfig = {
      apiUrl: props.apiUrl,
      auth: { url: `https://cognito-idp.${region}.amazonaws.com/`, clientId: props.userPoolClientId, region },
      defaultLanguage: props.defaultLanguage,
    };

    const extra = props.additionalOrigins ?? [];
    const bucketOrigins = extra.includes('*') ? ['*'] : [...extra, this.url];
    for (const bucket of props.presignedUrlBuckets ?? []) {
      // The signature in the URL authorizes the request; CORS only lets the dashboard's page send it.
      bucket.addCorsRule({
        allowedOrigins: bucketOrigins,
        allowedMethods: [HttpMethods.PUT, HttpMethods.GET, HttpMethods.HEAD],
        allowedHeaders: ['content-type'],
        exposedHeaders: ['ETag'],
        maxAge: 3600,
      });
    }

    this.deploy(appDir);
  }

  /**
   * Two deployments of one build: hashed files under assets/ cached for a year and never
   * pruned (an open tab still loads its lazy chunks after a release), then everything else
   * (index.html, config.json, favicon…) revalidated on every load, so a release shows up
   * on the next page load. The second one waits for the first and invalidates the distribution.
   */
  private deploy(appDir: string): void {
    const app = Source.asset(appDir, {
      // The output is hashed, not the source: a new dependency version with unchanged source
      // still gives a new build. Vite's output is deterministic, so an unchanged app is no change.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: local bundling below always builds or throws. Required by the API.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
        local: { tryBundle: (outputDir) => buildDashboard(appDir, outputDir) },
      },
    });
    const config = Source.jsonData('config.json', this.runtimeConfig);

    // Own role and log group instead of AWSLambdaBasicExecutionRole (as every function here).
    const logGroup = new LogGroup(this, 'DeployLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new DeploymentRole(this, 'DeployRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the dashboard build into its bucket and invalidates the distribution (CDK BucketDeployment)',
      distributionArn: this.distribution.distributionArn,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );

    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [app],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: [hashedAssets],
      prune: false,
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
      role,
      logGroup,
    });
    const site = new BucketDeployment(this, 'DeploySite', {
      sources: [app, config],
      destinationBucket: this.bucket,
      // Pruning skips excluded keys: old hashed assets stay.
      exclude: [hashedAssets],
      prune: true,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      role,
      logGroup,
    });
    site.node.addDependency(assets);

    this.acknowledgeDeploymentFunction(role);
  }

  /** cdk-nag findings on the CDK-provided BucketDeployment function and the role we gave it. */
  private acknowledgeDeploymentFunction(role: Role): void {
    const stack = Stack.of(this);
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'CDK BucketDeployment grants: read of the CDK asset bucket (the build zip) and read/write/delete of the site ' +
            'bucket, whose keys are the build\'s file names (aws s3 sync with prune), so both are object wildcards with ' +
            'the s3:GetObject*/List*/DeleteObject*/Abort* action groups CDK grants. The role belongs to this ' +
            'deployment-time function only.',
          appliesTo: [
            'Action::s3:GetBucket*',
            'Action::s3:GetObject*',
            'Action::s3:List*',
            'Action::s3:DeleteObject*',
            'Action::s3:Abort*',
            `Resource::<${bucketId}.Arn>/*`,
            // The bootstrap asset bucket, cdk-<qualifier>-assets-<account>-<region>: partition, account and
            // region are tokens or literals depending on the stack's env.
            { regex: '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):s3:::cdk-[a-z0-9]+-assets-[^/]+\\/\\*$/' },
          ],
        },
      ],
      true,
    );
    for (const child of stack.node.children) {
      if (child instanceof LambdaFunction && child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        NagSuppressions.addResourceSuppressions(child, [
          {
            id: 'AwsSolutions-L1',
            reason:
              'The runtime of the BucketDeployment handler is chosen by aws-cdk-lib (Python, with the AWS CLI layer) and ' +
              'moves with CDK upgrades; it runs only during deployments, never on a request path.',
          },
        ]);
      }
    }
  }
}

interface DeploymentRoleProps extends RoleProps {
  /** The only distribution the role may invalidate. */
  readonly distributionArn: string;
}

/**
 * The BucketDeployment function's role. BucketDeployment grants cloudfront:CreateInvalidation and
 * GetInvalidation on `*` and offers no option to narrow them; both actions take a distribution ARN,
 * so that statement is scoped here to this distribution. Everything else passes through unchanged.
 */
class DeploymentRole extends Role {
  private readonly distributionArn: string;

  constructor(scope: Construct, id: string, props: DeploymentRoleProps) {
    const { distributionArn, ...roleProps } = props;
    super(scope, id, roleProps);
    this.distributionArn = distributionArn;
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    const invalidation =
      statement.effect === Effect.ALLOW &&
      statement.resources.length === 1 &&
      statement.resources[0] === '*' &&
      statement.actions.length > 0 &&
      statement.actions.every((a) => a === 'cloudfront:CreateInvalidation' || a === 'cloudfront:GetInvalidation');
    if (!invalidation) return super.addToPrincipalPolicy(statement);
    return super.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: statement.actions, resources: [this.distributionArn] }));
  }
}

/**
 * Local bundling: `npm run build:dashboard -- --outDir <outputDir> --emptyOutDir` (Vite's flags),
 * so `cdk synth` builds the app itself, offline and without Docker. Throws with the build's
 * output rather than returning false: CDK would then try Docker, which is never wanted here.
 */
export function buildDashboard(appDir: string, outputDir: string): true {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.['build:dashboard']) {
    throw new Error(`Cannot build the dashboard: package.json has no "build:dashboard" script (expected a Vite build of ${relative(repoRoot, appDir)}/).`);
  }
  if (!existsSync(join(appDir, 'index.html'))) {
    throw new Error(`Cannot build the dashboard: ${relative(repoRoot, appDir)}/index.html does not exist (the Vite entry).`);
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'build:dashboard', '--', '--outDir', outputDir, '--emptyOutDir'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error?.message ?? `exit code ${result.status ?? result.signal}`;
    throw new Error(`Building the dashboard failed (npm run build:dashboard, ${why}):\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  if (!existsSync(join(outputDir, 'index.html'))) {
    throw new Error(
      `npm run build:dashboard succeeded but wrote no index.html to ${outputDir}: the script must end in "vite build …" so that ` +
        '--outDir reaches Vite.',
    );
  }
  return true;
}
