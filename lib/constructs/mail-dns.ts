import { Aws, CfnOutput, Stack } from 'aws-cdk-lib';
import { CfnRecordSet, HostedZone, type IHostedZone, MxRecord, TxtRecord } from 'aws-cdk-lib/aws-route53';
import type { CfnEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { OutboundMail } from './outbound-mail.ts';

export interface MailDnsProps {
  /** `config.supportDomain`: where customers write and what our mail is sent from. */
  readonly supportDomain: string;
  readonly outbound: OutboundMail;
  /** `config.hostedZone`: when set, the records are created there; otherwise they are only output. */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

/** The subdomain SES uses as the envelope sender (MAIL FROM), so SPF aligns with the From domain. */
export const mailFromLabel = 'mail';

/**
 * DMARC policy of the support domain. `quarantine`, not `none`: every mail the desk sends goes
 * through SES signed with Easy DKIM as the support domain (aligned), and SES sends nothing from
 * the domain before that DKIM is verified, so genuine mail always passes; forged "support" mail,
 * a favourite phishing lure, lands in spam instead of the inbox. A dedicated support subdomain
 * has no other senders. If something else sends as this domain, publish `p=none` instead
 * until it signs too. Add `rua=mailto:…` to receive aggregate reports.
 */
export const dmarcPolicy = 'v=DMARC1; p=quarantine';
/** SPF for the MAIL FROM subdomain: only SES sends as it. */
export const mailFromSpf = 'v=spf1 include:amazonses.com ~all';

export interface MailDnsRecord {
  /** Output name, also the README's name for the record. */
  readonly output: string;
  readonly name: string;
  readonly type: 'MX' | 'CNAME' | 'TXT';
  /** As a zone file would write it: `10 host` for MX, the text without quotes for TXT. */
  readonly value: string;
  readonly purpose: string;
}

/**
 * The DNS records mail needs: MX so SES receives for the support domain; the three Easy DKIM
 * CNAMEs that verify the domain; DMARC; and a custom MAIL FROM domain (MX to SES feedback and its
 * SPF) so SPF aligns too. With a Route 53 hosted zone (config.hostedZone, imported by id and
 * name: no lookup, synth stays offline) they are created there; in every case each is an output
 * (`Dns*`), so a team with another DNS host knows exactly what to create.
 */
export class MailDns extends Construct {
  readonly records: readonly MailDnsRecord[];
  readonly zone?: IHostedZone;
  readonly mailFromDomain: string;

  constructor(scope: Construct, id: string, props: MailDnsProps) {
    super(scope, id);
    const { supportDomain, outbound } = props;
    this.mailFromDomain = `${mailFromLabel}.${supportDomain}`;

    // Custom MAIL FROM on the identity (outbound-mail.ts builds it). If the MX below is missing or
    // not yet visible, SES falls back to its own amazonses.com MAIL FROM instead of refusing to send.
    const identity = outbound.identity.node.defaultChild as CfnEmailIdentity;
    identity.mailFromAttributes = { mailFromDomain: this.mailFromDomain, behaviorOnMxFailure: 'USE_DEFAULT_VALUE' };

    const inbound = `inbound-smtp.${Aws.REGION}.amazonaws.com`;
    const feedback = `feedback-smtp.${Aws.REGION}.amazonses.com`;
    this.records = [
      { output: 'DnsMxRecord', name: supportDomain, type: 'MX', value: `10 ${inbound}`, purpose: 'MX, so SES receives mail for the support domain' },
      ...outbound.dkimRecords.map(
        (r, i): MailDnsRecord => ({
          output: `DnsDkimRecord${i + 1}`,
          name: r.name,
          type: 'CNAME',
          value: r.value,
          purpose: `DKIM CNAME ${i + 1} of ${outbound.dkimRecords.length}: verifies the domain and signs its mail`,
        }),
      ),
      { output: 'DnsDmarcRecord', name: `_dmarc.${supportDomain}`, type: 'TXT', value: dmarcPolicy, purpose: 'DMARC policy of the support domain' },
      {
        output: 'DnsMailFromMxRecord',
        name: this.mailFromDomain,
        type: 'MX',
        value: `10 ${feedback}`,
        purpose: 'MX of the MAIL FROM domain (bounces go back to SES)',
      },
      { output: 'DnsMailFromSpfRecord', name: this.mailFromDomain, type: 'TXT', value: mailFromSpf, purpose: 'SPF of the MAIL FROM domain' },
    ];

    if (props.hostedZone !== undefined) {
      const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZone.id, zoneName: props.hostedZone.name });
      this.zone = zone;
      new MxRecord(this, 'Mx', { zone, recordName: supportDomain, values: [{ priority: 10, hostName: inbound }] });
      // The DKIM names are SES attributes (tokens): MxRecord/CnameRecord would append the zone name
      // to them, so these are plain record sets, as aws-ses itself writes them.
      outbound.dkimRecords.forEach((r, i) => {
        new CfnRecordSet(this, `Dkim${i + 1}`, { hostedZoneId: zone.hostedZoneId, name: r.name, type: 'CNAME', resourceRecords: [r.value], ttl: '1800' });
      });
      new TxtRecord(this, 'Dmarc', { zone, recordName: `_dmarc.${supportDomain}`, values: [dmarcPolicy] });
      new MxRecord(this, 'MailFromMx', { zone, recordName: this.mailFromDomain, values: [{ priority: 10, hostName: feedback }] });
      new TxtRecord(this, 'MailFromSpf', { zone, recordName: this.mailFromDomain, values: [mailFromSpf] });
    }

    // Outputs at stack level, so their names are exactly DnsMxRecord, DnsDkimRecord1… (the README's names).
    const where = props.hostedZone !== undefined ? `created in the Route 53 zone ${props.hostedZone.name}` : 'to create at your DNS host';
    const stack = Stack.of(this);
    for (const r of this.records) {
      const shown = r.type === 'TXT' ? `"${r.value}"` : r.value;
      new CfnOutput(stack, r.output, { description: `DNS record ${where}: ${r.purpose}`, value: `${r.name} ${r.type} ${shown}` });
    }
  }
}
