import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys, loadConfig } from '../../lib/config.ts';
import { buildDashboard, contentSecurityPolicy } from '../../lib/constructs/dashboard-hosting.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesized } from './synthesized.ts';
import { repoRoot } from '../../lib/paths.ts';

type Json = Record<string, any>;

/** As `cdk synth` (cdk.json context), with bundling skipped and nag errors kept as annotations. */
/** Shared per configuration with the other infra files (tests/infra/synthesized.ts). */
function synth(context: Json = {}) {
  const { stack, template, resources } = synthesized(context);
  return { stack, template, resources };
}

let stack: HelpdeskStack;
let template: Template;
let resources: Record<string, Json>;
const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  // The dashboard only: no extra origins configured.
  ({ stack, template, resources } = synth({ [contextKeys.supportDomain]: 'helpdesk.example.com', [contextKeys.allowedOrigins]: [] }));
});

describe('site bucket', () => {
  it('is private, SSE-S3, ACLs off, logs its access, and is kept on stack deletion', () => {
    const site = resources[idOf(stack.dashboard.bucket)]!;
    expect(site.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(site.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(site.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(site.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: idOf(stack.dashboard.logBucket) });
    expect(site.DeletionPolicy).toBe('Retain');
  });

  it('its policy lets only this distribution read, through OAC, and denies plain HTTP', () => {
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === idOf(stack.dashboard.bucket))!;
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    // Only CloudFront; the deployment function writes with its role, not through the bucket policy.
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
    });
    expect(allows[0]!.Condition.StringEquals['AWS:SourceArn']).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: idOf(stack.dashboard.distribution) }]],
    });
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('the log bucket is private, TLS-only and expires logs', () => {
    const logs = resources[idOf(stack.dashboard.logBucket)]!;
    expect(logs.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
    // CloudFront standard logging needs ACLs.
    expect(logs.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerPreferred' }]);
    expect(logs.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(365);
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === idOf(stack.dashboard.logBucket))!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('distribution', () => {
  const config = () => resources[idOf(stack.dashboard.distribution)]!.Properties.DistributionConfig as Json;

  it('redirects to HTTPS, serves index.html at the root, GET/HEAD only, HTTP/2 and 3, IPv6, all edges', () => {
    const c = config();
    expect(c.Enabled).toBe(true);
    expect(c.DefaultRootObject).toBe('index.html');
    expect(c.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(c.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(c.DefaultCacheBehavior.Compress).toBe(true);
    expect(c.HttpVersion).toBe('http2and3');
    expect(c.IPV6Enabled).toBe(true);
    expect(c.PriceClass).toBe('PriceClass_All');
    expect(c.CacheBehaviors).toBeUndefined();
  });

  it('has one S3 origin, reached through origin access control', () => {
    const origins = config().Origins as Json[];
    expect(origins).toHaveLength(1);
    expect(origins[0]!.DomainName).toEqual({ 'Fn::GetAtt': [idOf(stack.dashboard.bucket), 'RegionalDomainName'] });
    const [oacId] = ofType('AWS::CloudFront::OriginAccessControl')[0]!;
    expect(origins[0]!.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(origins[0]!.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  it('answers 403 and 404 with the app shell (client-side routes)', () => {
    expect(config().CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 10 },
      { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 10 },
    ]);
  });

  it('writes standard logs to the log bucket, without cookies', () => {
    expect(config().Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [idOf(stack.dashboard.logBucket), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
      IncludeCookies: false,
    });
  });

  it('attaches the security headers policy', () => {
    expect(config().DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: idOf(stack.dashboard.headersPolicy) });
  });
});

describe('security headers', () => {
  const headers = () => resources[idOf(stack.dashboard.headersPolicy)]!.Properties.ResponseHeadersPolicyConfig as Json;
  /** The CSP as synthesized, with the region token shown as <region>. */
  const csp = () => {
    const value = headers().SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy as Json;
    const [sep, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => (typeof p === 'string' ? p : (p as Json).Ref === 'AWS::Region' ? '<region>' : JSON.stringify(p))).join(sep);
  };
  const directives = () => Object.fromEntries(csp().split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

  it('CSP: self only for scripts and styles, no inline script, no framing, no base, forms to self', () => {
    expect(headers().SecurityHeadersConfig.ContentSecurityPolicy.Override).toBe(true);
    const d = directives();
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['style-src']).toEqual(["'self'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(d['base-uri']).toEqual(["'none'"]);
    expect(d['form-action']).toEqual(["'self'"]);
    expect(csp()).not.toContain('unsafe');
  });

  it('CSP: images from self, data: and https: (remote mail images on request); connections to the API, Cognito and S3 of this region', () => {
    const d = directives();
    expect(d['img-src']).toEqual(["'self'", 'data:', 'https:']);
    expect(d['connect-src']).toEqual([
      "'self'",
      'https://*.execute-api.<region>.amazonaws.com',
      'https://cognito-idp.<region>.amazonaws.com',
      'https://*.s3.<region>.amazonaws.com',
    ]);
    expect(contentSecurityPolicy('eu-west-1')).toContain("connect-src 'self' https://*.execute-api.eu-west-1.amazonaws.com https://cognito-idp.eu-west-1.amazonaws.com");
  });

  it('HSTS two years with subdomains and preload; nosniff; DENY; strict-origin-when-cross-origin', () => {
    const s = headers().SecurityHeadersConfig;
    expect(s.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Preload: true, Override: true });
    expect(s.ContentTypeOptions).toEqual({ Override: true });
    expect(s.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(s.ReferrerPolicy).toEqual({ ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true });
    expect(headers().CustomHeadersConfig.Items).toContainEqual({ Header: 'Cross-Origin-Opener-Policy', Value: 'same-origin', Override: true });
  });
});

describe('deployment of the app', () => {
  const deployments = () => ofType('Custom::CDKBucketDeployment');
  const siteDeployment = () => deployments().find(([, d]) => d.Properties.DistributionPaths)!;
  const assetsDeployment = () => deployments().find(([, d]) => !d.Properties.DistributionPaths)!;

  it('hashed assets first, cached a year and never pruned; then the rest, revalidated, pruned, and the distribution invalidated', () => {
    expect(deployments()).toHaveLength(2);
    const [assetsId, assets] = assetsDeployment();
    const [, site] = siteDeployment();
    expect(assets.Properties).toMatchObject({
      DestinationBucketName: { Ref: idOf(stack.dashboard.bucket) },
      Prune: false,
      Exclude: ['*'],
      Include: ['assets/*'],
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(site.Properties).toMatchObject({
      DestinationBucketName: { Ref: idOf(stack.dashboard.bucket) },
      Prune: true,
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { Ref: idOf(stack.dashboard.distribution) },
      DistributionPaths: ['/*'],
    });
    expect(site.DependsOn).toEqual(expect.arrayContaining([assetsId]));
    // The app (one asset, shared) in both; config.json only in the second.
    expect(assets.Properties.SourceObjectKeys).toHaveLength(1);
    expect(site.Properties.SourceObjectKeys).toHaveLength(2);
    expect(site.Properties.SourceObjectKeys[0]).toEqual(assets.Properties.SourceObjectKeys[0]);
  });

  it('config.json names this API, the app client, Cognito of this region and the default language', () => {
    const [, site] = siteDeployment();
    // The file as uploaded: markers that the deployment replaces with the resolved values.
    const key = site.Properties.SourceObjectKeys[1] as string;
    const outdir = (stack.node.root as App).outdir;
    const file = readFileSync(join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'config.json'), 'utf8');
    const markers = site.Properties.SourceMarkers[1] as Record<string, Json>;
    // Each marker shown as ${LogicalId} or ${LogicalId.Attribute}, as in Fn::Sub.
    const named = (v: Json) => (v.Ref ? `\${${v.Ref}}` : `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`);
    const rendered = JSON.parse(file.replace(/<<marker:0xbaba:\d+>>/g, (m) => named(markers[m]!)));
    const apiId = idOf(stack.httpApi.api);
    const clientId = stack.getLogicalId(stack.auth.client.node.defaultChild as never);
    expect(rendered).toEqual({
      // https://<api id>.execute-api.<region>.amazonaws.com, no trailing slash (as local mode's apiUrl).
      apiUrl: `\${${apiId}.ApiEndpoint}`,
      auth: { url: 'https://cognito-idp.${AWS::Region}.amazonaws.com/', clientId: `\${${clientId}}`, region: '${AWS::Region}' },
      defaultLanguage: 'en',
    });
    expect(stack.resolve(stack.dashboard.runtimeConfig)).toEqual({
      apiUrl: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] },
      auth: {
        url: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/']] },
        clientId: { Ref: clientId },
        region: { Ref: 'AWS::Region' },
      },
      defaultLanguage: 'en',
    });
  });

  it('the deployment function has its own role (no managed policy) and a log group with retention', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([, f]) => JSON.stringify(f.Properties.Role).includes(stack.getLogicalId(stack.node.findChild('Dashboard').node.findChild('DeployRole').node.defaultChild as never)));
    expect(fns).toHaveLength(1);
    const [, fn] = fns[0]!;
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(resources[logGroupId]!.Properties.RetentionInDays).toBe(30);
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    expect(resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('its role may invalidate this distribution only, write only its log group and the site bucket, and read only CDK assets', () => {
    const roleId = idOf(stack.node.findChild('Dashboard').node.findChild('DeployRole') as never);
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
    expect(statements.flatMap((st) => [st.Resource].flat())).not.toContain('*');
    const invalidation = statements.find((st) => [st.Action].flat().includes('cloudfront:CreateInvalidation'))!;
    expect(invalidation).toEqual({
      Effect: 'Allow',
      Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: idOf(stack.dashboard.distribution) }]],
      },
    });
    const writers = statements.filter((st) => [st.Action].flat().some((a: string) => /^s3:(Put|Delete)/.test(a)));
    expect(writers).toHaveLength(1);
    expect(JSON.stringify(writers[0]!.Resource)).toContain(idOf(stack.dashboard.bucket));
    expect(JSON.stringify(writers[0]!.Resource)).not.toContain(idOf(stack.mail.bucket));
  });
});

describe('API and upload CORS', () => {
  const dashboardOrigin = () => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [idOf(stack.dashboard.distribution), 'DomainName'] }]] });

  it("the HTTP API allows the dashboard's origin (and only it, when no other origin is configured)", () => {
    const [, api] = ofType('AWS::ApiGatewayV2::Api')[0]!;
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual([dashboardOrigin()]);
  });

  it('configured origins are kept beside it, for the API and the upload bucket alike; "*" stays "*"', () => {
    const extra = synth({ [contextKeys.allowedOrigins]: ['https://desk.example.com'] });
    const [, api] = Object.entries(extra.resources).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Api')!;
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual([
      'https://desk.example.com',
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [extra.stack.getLogicalId(extra.stack.dashboard.distribution.node.defaultChild as never), 'DomainName'] }]] },
    ]);
    const mailCors = extra.resources[extra.stack.getLogicalId(extra.stack.mail.bucket.node.defaultChild as never)]!.Properties.CorsConfiguration;
    expect(mailCors.CorsRules[0].AllowedOrigins).toEqual(api.Properties.CorsConfiguration.AllowOrigins);
    const any = synth({ [contextKeys.allowedOrigins]: ['*'] });
    const [, anyApi] = Object.entries(any.resources).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Api')!;
    expect(anyApi.Properties.CorsConfiguration.AllowOrigins).toEqual(['*']);
    const anyMail = any.resources[any.stack.getLogicalId(any.stack.mail.bucket.node.defaultChild as never)]!.Properties.CorsConfiguration;
    expect(anyMail.CorsRules[0].AllowedOrigins).toEqual(['*']);
  });

  it('the mail bucket lets the dashboard PUT uploads and GET attachments through presigned URLs', () => {
    const mail = resources[idOf(stack.mail.bucket)]!;
    expect(mail.Properties.CorsConfiguration.CorsRules).toEqual([
      { AllowedOrigins: [dashboardOrigin()], AllowedMethods: ['PUT', 'GET', 'HEAD'], AllowedHeaders: ['content-type'], ExposedHeaders: ['ETag'], MaxAge: 3600 },
    ]);
  });
});

describe('Cognito app client', () => {
  it('allows USER_PASSWORD_AUTH (the dashboard) beside SRP and refresh', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayEquals(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      GenerateSecret: false,
    });
  });
});

describe('outputs', () => {
  it('DashboardUrl is https://<distribution domain>', () => {
    template.hasOutput('DashboardUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [idOf(stack.dashboard.distribution), 'DomainName'] }]] },
    });
  });
});

describe('cdk-nag AwsSolutions on the whole stack', () => {
  it('has no unsuppressed errors or warnings', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data)}`)).toEqual([]);
  });

  it('acknowledges only CFR1, CFR2 and CFR4 on the distribution, and IAM5 on the deployment role with named wildcards', () => {
    const meta = (construct: { node: { defaultChild?: unknown } }) =>
      ((construct.node.defaultChild as { cfnOptions: { metadata?: Json } }).cfnOptions.metadata?.cdk_nag?.rules_to_suppress ?? []) as Json[];
    expect(meta(stack.dashboard.distribution).map((r) => r.id).sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4']);
    const role = stack.node.findChild('Dashboard').node.findChild('DeployRole');
    const policy = role.node.findChild('DefaultPolicy') as unknown as { node: { defaultChild?: unknown } };
    const rules = meta(policy);
    expect(rules.map((r) => r.id)).toEqual(['AwsSolutions-IAM5']);
    for (const r of rules) {
      for (const a of r.applies_to as (string | { regex: string })[]) {
        if (typeof a === 'string') expect(a).toMatch(/^(Action::s3:\w+\*|Resource::<DashboardSite\w+\.Arn>\/\*)$/);
        else expect(a.regex).toContain(':s3:::cdk-');
      }
    }
  });

  it('is clean with a concrete account and region too (the asset bucket ARN is then partly literal)', () => {
    const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Json };
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:annotationsInValidationReport': false } });
    const s = new HelpdeskStack(app, 'DashboardEnvTest', { config: loadConfig(app.node), env: { account: '123456789012', region: 'sa-east-1' } });
    Aspects.of(s).add(new AwsSolutionsChecks());
    app.synth();
    const policy = Template.fromStack(s).toJSON().Resources[s.getLogicalId(s.node.findChild('Dashboard').node.findChild('DeployRole').node.findChild('DefaultPolicy').node.defaultChild as never)];
    expect(JSON.stringify(policy)).toContain('cdk-hnb659fds-assets-123456789012-sa-east-1');
    const findings = [
      ...Annotations.fromStack(s).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data)}`)).toEqual([]);
  });

  it('attaching a web ACL drops the CFR2 acknowledgement', async () => {
    const { App: CdkApp, Stack } = await import('aws-cdk-lib');
    const { DashboardHosting } = await import('../../lib/constructs/dashboard-hosting.ts');
    const app = new CdkApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    const s = new Stack(app, 'WafTest');
    const hosting = new DashboardHosting(s, 'Dashboard', {
      apiUrl: 'https://api.example.com',
      userPoolClientId: 'client',
      defaultLanguage: 'pt-BR',
      webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/helpdesk/abc',
    });
    Aspects.of(s).add(new AwsSolutionsChecks());
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/helpdesk/abc' }),
    });
    const cfn = hosting.distribution.node.defaultChild as unknown as { cfnOptions: { metadata?: Json } };
    expect((cfn.cfnOptions.metadata?.cdk_nag?.rules_to_suppress as Json[]).map((r) => r.id)).not.toContain('AwsSolutions-CFR2');
    expect(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('AwsSolutions-CFR2.*'))).toEqual([]);
  });
});

describe('local bundling (what `cdk synth` runs instead of Docker)', () => {
  it('builds the Vite app into the directory CDK gives it: index.html loading hashed files under assets/', () => {
    const out = mkdtempSync(join(tmpdir(), 'dashboard-bundle-'));
    try {
      expect(buildDashboard(join(repoRoot, 'dashboard'), out)).toBe(true);
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(0);
      // Every script is a file under assets/ (the CSP allows no inline script); the deployment caches assets/ for a year.
      for (const tag of scripts) expect(tag).toMatch(/ src="\/assets\/[^"]+\.js"/);
      expect(html).not.toMatch(/<script\b[^>]*>\s*[^<\s]/);
      expect(readdirSync(join(out, 'assets')).length).toBeGreaterThan(0);
      // Built into CDK's directory, not into dashboard/dist.
      expect(existsSync(join(out, 'config.json'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('fails with a message naming what is missing, rather than falling back to Docker', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-dashboard-'));
    try {
      expect(() => buildDashboard(empty, join(empty, 'out'))).toThrow(/index\.html does not exist \(the Vite entry\)|no "build:dashboard" script/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
