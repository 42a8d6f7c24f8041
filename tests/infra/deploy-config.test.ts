import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, contextKeys, defaultDepartments, loadConfig } from '../../lib/config.ts';
import { keys } from '../../functions/adapters/keys.ts';
import { functionNamed, tableGrantsOf } from '../../lib/definitions/functions.ts';
import { dmarcPolicy, mailFromSpf } from '../../lib/constructs/mail-dns.ts';
import { HelpdeskStack } from '../../lib/helpdesk-stack.ts';
import { synthesized, testApp } from './synthesized.ts';
import { repoRoot } from '../../lib/paths.ts';

type Json = Record<string, any>;

const supportDomain = 'support.example.com';
const zone = { [contextKeys.hostedZoneId]: 'Z0123456789ABC', [contextKeys.hostedZoneName]: 'example.com' };
const departments = [
  { id: 'it', name: { en: 'IT', 'pt-BR': 'TI' }, kind: 'internal' },
  { id: 'customers', name: { en: 'Customer care', 'pt-BR': 'Atendimento' }, kind: 'external' },
];

/** cdk.json's context (feature flags, config) plus overrides; no bundling; nag findings stay annotations. */
/** Shared per configuration with the other infra files (tests/infra/synthesized.ts). */
function synth(context: Json) {
  const { stack, template, resources, outputs } = synthesized(context);
  return { stack, template, resources, outputs };
}
type Synth = ReturnType<typeof synth>;

const ofType = (s: Synth, type: string) => Object.entries(s.resources).filter(([, r]) => r.Type === type);
const identityId = (s: Synth) => ofType(s, 'AWS::SES::EmailIdentity')[0]![0];
const region = { Ref: 'AWS::Region' };
const nagFindings = (s: Synth) =>
  [
    ...Annotations.fromStack(s.stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].map((f) => `${f.id}: ${String(f.entry.data)}`);

let withZone: Synth;
let withoutZone: Synth;
let mailOff: Synth;
let customDepartments: Synth;

beforeAll(() => {
  withZone = synth({ [contextKeys.supportDomain]: supportDomain, ...zone });
  withoutZone = synth({ [contextKeys.supportDomain]: supportDomain });
  mailOff = synth({ [contextKeys.supportDomain]: '' });
  customDepartments = synth({ [contextKeys.departments]: departments });
});

/** The mail records, as the outputs name them (value without the name). */
const expectedOutputs = (s: Synth): Record<string, unknown> => {
  const id = identityId(s);
  return {
    DnsMxRecord: { 'Fn::Join': ['', [`${supportDomain} MX 10 inbound-smtp.`, region, '.amazonaws.com']] },
    ...Object.fromEntries(
      [1, 2, 3].map((i) => [
        `DnsDkimRecord${i}`,
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, `DkimDNSTokenName${i}`] }, ' CNAME ', { 'Fn::GetAtt': [id, `DkimDNSTokenValue${i}`] }]] },
      ]),
    ),
    DnsDmarcRecord: `_dmarc.${supportDomain} TXT "${dmarcPolicy}"`,
    DnsMailFromMxRecord: { 'Fn::Join': ['', [`mail.${supportDomain} MX 10 feedback-smtp.`, region, '.amazonses.com']] },
    DnsMailFromSpfRecord: `mail.${supportDomain} TXT "${mailFromSpf}"`,
  };
};
const dnsOutputs = (s: Synth) => Object.fromEntries(Object.entries(s.outputs).filter(([k]) => k.startsWith('Dns')).map(([k, v]) => [k, v.Value]));

describe('mail DNS with a hosted zone', () => {
  it('creates MX, the three DKIM CNAMEs, DMARC and the MAIL FROM MX and SPF in that zone, and nothing else', () => {
    const records = ofType(withZone, 'AWS::Route53::RecordSet').map(([, r]) => r.Properties);
    const id = identityId(withZone);
    expect(records).toHaveLength(7);
    expect(records).toEqual(
      expect.arrayContaining([
        { HostedZoneId: 'Z0123456789ABC', Name: `${supportDomain}.`, Type: 'MX', TTL: '1800', ResourceRecords: [{ 'Fn::Join': ['', ['10 inbound-smtp.', region, '.amazonaws.com']] }] },
        ...[1, 2, 3].map((i) => ({
          HostedZoneId: 'Z0123456789ABC',
          Name: { 'Fn::GetAtt': [id, `DkimDNSTokenName${i}`] },
          Type: 'CNAME',
          TTL: '1800',
          ResourceRecords: [{ 'Fn::GetAtt': [id, `DkimDNSTokenValue${i}`] }],
        })),
        { HostedZoneId: 'Z0123456789ABC', Name: `_dmarc.${supportDomain}.`, Type: 'TXT', TTL: '1800', ResourceRecords: [`"${dmarcPolicy}"`] },
        {
          HostedZoneId: 'Z0123456789ABC',
          Name: `mail.${supportDomain}.`,
          Type: 'MX',
          TTL: '1800',
          ResourceRecords: [{ 'Fn::Join': ['', ['10 feedback-smtp.', region, '.amazonses.com']] }],
        },
        { HostedZoneId: 'Z0123456789ABC', Name: `mail.${supportDomain}.`, Type: 'TXT', TTL: '1800', ResourceRecords: [`"${mailFromSpf}"`] },
      ]),
    );
    // The zone is imported by id and name: no lookup, no hosted zone resource.
    expect(ofType(withZone, 'AWS::Route53::HostedZone')).toEqual([]);
  });

  it('sends with a custom MAIL FROM subdomain, falling back to SES’s own while its MX is missing', () => {
    withZone.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: supportDomain,
      MailFromAttributes: { MailFromDomain: `mail.${supportDomain}`, BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    });
  });

  it('still outputs every record, saying it was created in the zone', () => {
    expect(dnsOutputs(withZone)).toEqual(expectedOutputs(withZone));
    for (const [name, output] of Object.entries(withZone.outputs)) {
      if (name.startsWith('Dns')) expect(output.Description).toMatch(/^DNS record created in the Route 53 zone example\.com: /);
    }
  });

  it('is cdk-nag clean', () => expect(nagFindings(withZone)).toEqual([]));
});

describe('mail DNS without a hosted zone', () => {
  it('creates no records and outputs every one to create', () => {
    expect(ofType(withoutZone, 'AWS::Route53::RecordSet')).toEqual([]);
    expect(dnsOutputs(withoutZone)).toEqual(expectedOutputs(withoutZone));
    for (const [name, output] of Object.entries(withoutZone.outputs)) {
      if (name.startsWith('Dns')) expect(output.Description).toMatch(/^DNS record to create at your DNS host: /);
    }
    withoutZone.template.hasResourceProperties('AWS::SES::EmailIdentity', { MailFromAttributes: { MailFromDomain: `mail.${supportDomain}` } });
  });

  it('is cdk-nag clean', () => expect(nagFindings(withoutZone)).toEqual([]));
});

describe('mail off', () => {
  it('has no DNS records, no DNS outputs and no identity', () => {
    expect(ofType(mailOff, 'AWS::Route53::RecordSet')).toEqual([]);
    expect(dnsOutputs(mailOff)).toEqual({});
    expect(ofType(mailOff, 'AWS::SES::EmailIdentity')).toEqual([]);
  });
});

describe('outputs', () => {
  it('always include the dashboard and API URLs and the user pool', () => {
    for (const s of [withZone, withoutZone, mailOff]) {
      for (const name of ['DashboardUrl', 'ApiUrl', 'UserPoolId']) expect(Object.keys(s.outputs)).toContain(name);
    }
  });
});

describe('departments from the configuration', () => {
  const deskResource = (s: Synth) => {
    const found = ofType(s, 'Custom::HelpdeskDeskConfig');
    expect(found).toHaveLength(1);
    return found[0]![1].Properties;
  };

  it('hands the custom resource exactly the configured list (the defaults when none is configured)', () => {
    expect(JSON.parse(deskResource(customDepartments).Departments)).toEqual(departments);
    expect(JSON.parse(deskResource(mailOff).Departments)).toEqual(defaultDepartments);
    expect(deskResource(mailOff).DefaultCannedResponses).toMatch(/^[0-9a-f]{16}$/);
  });

  it('runs it through the provider framework with the desk function', () => {
    const props = deskResource(customDepartments);
    const [providerFnId] = ofType(customDepartments, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Handler === 'framework.onEvent')!;
    expect(props.ServiceToken).toEqual({ 'Fn::GetAtt': [providerFnId, 'Arn'] });
  });

  const policyOf = (s: Synth, description: RegExp | string) => {
    const [fnId, fn] = ofType(s, 'AWS::Lambda::Function').find(([, r]) => (typeof description === 'string' ? r.Properties.Description === description : description.test(r.Properties.Description ?? '')))!;
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = ofType(s, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId));
    const role = s.resources[roleId]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    return { fnId, statements: policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement) };
  };

  it('gives the desk function only keyed reads and writes of the desk partitions of the table, besides logs and traces', () => {
    const s = customDepartments;
    const [tableId] = ofType(s, 'AWS::DynamoDB::Table')[0]!;
    const { statements } = policyOf(s, 'Deploy time: makes the departments and default canned responses match cdk.json');
    const [fnLogs] = statements.filter((st) => String(st.Action).includes('logs:'));
    expect(statements).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: fnLogs.Resource },
      { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['DEPARTMENTS', 'CANNED', 'CONFIG'] } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
    ]);
    // The manifest's partitions are the ones the desk-config adapter writes: departments, canned responses, the record of defaults placed.
    expect(tableGrantsOf(functionNamed('DeskConfig').needs)[0]!.partitions).toEqual([keys.department('').pk, keys.cannedResponse('').pk, keys.deskDefaults().pk]);
    expect(JSON.stringify(statements)).not.toMatch(/Scan|DeleteItem|BatchWrite/);
  });

  it('lets the provider framework invoke that function and nothing else', () => {
    const s = customDepartments;
    const { fnId: deskFnId } = policyOf(s, 'Deploy time: makes the departments and default canned responses match cdk.json');
    const { statements } = policyOf(s, /^AWS CDK resource provider framework - onEvent .*DeskConfig/);
    const deskArn = { 'Fn::GetAtt': [deskFnId, 'Arn'] };
    expect(statements.slice(1)).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [deskArn, { 'Fn::Join': ['', [deskArn, ':*']] }] },
      { Action: 'lambda:GetFunction', Effect: 'Allow', Resource: deskArn },
    ]);
    expect(statements[0].Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('is cdk-nag clean', () => expect(nagFindings(customDepartments)).toEqual([]));
});

describe('bad configuration', () => {
  it('fails when the app loads its configuration, naming the key', () => {
    const app = testApp({ [contextKeys.supportDomain]: supportDomain, [contextKeys.hostedZoneId]: 'Z0123456789ABC', [contextKeys.hostedZoneName]: 'other.com' });
    expect(() => loadConfig(app.node)).toThrow(ConfigError);
    expect(() => loadConfig(app.node)).toThrow(/helpdesk:supportDomain \(support\.example\.com\) is not inside the hosted zone other\.com/);
    const badDepartments = testApp({ [contextKeys.departments]: [{ id: 'IT', name: { en: 'IT', 'pt-BR': 'TI' }, kind: 'internal' }] });
    expect(() => loadConfig(badDepartments.node)).toThrow(/helpdesk:departments\[0\]: "id" must match/);
  });

  it('stops `cdk synth` with the message naming the key', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' };
    const failed = await run('npx', ['cdk', 'synth', '--quiet', '-c', 'helpdesk:hostedZoneId=Z0123456789ABC', '--output', join(repoRoot, 'cdk.out', 'bad-config')], {
      cwd: repoRoot,
      env,
    }).then(
      () => undefined,
      (e: { code?: number; stderr?: string; stdout?: string }) => e,
    );
    expect(failed).toBeDefined();
    expect(`${failed!.stdout}${failed!.stderr}`).toContain('helpdesk:hostedZoneId and helpdesk:hostedZoneName go together');
    expect(`${failed!.stdout}${failed!.stderr}`).toContain('ConfigError');
  });
});
