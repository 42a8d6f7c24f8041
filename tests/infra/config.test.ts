import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError, contextKeys, defaultDepartments, defaultRawMailDays, loadConfig, parseConfig } from '../../lib/config.ts';

describe('config', () => {
  it('defaults to stage dev, English and any origin', () => {
    expect(parseConfig({})).toEqual({
      stage: 'dev',
      defaultLanguage: 'en',
      allowedOrigins: [],
      departments: defaultDepartments,
      retention: { rawMailDays: defaultRawMailDays },
    });
  });

  it('reads every key from the app context, treating empty strings as unset', () => {
    const app = new App({
      context: {
        [contextKeys.stage]: 'prod',
        [contextKeys.defaultLanguage]: 'pt-BR',
        [contextKeys.alarmEmail]: 'ops@example.com',
        [contextKeys.supportDomain]: '',
        [contextKeys.allowedOrigins]: 'https://desk.example.com, http://localhost:5173',
      },
    });
    expect(loadConfig(app.node)).toEqual({
      stage: 'prod',
      defaultLanguage: 'pt-BR',
      alarmEmail: 'ops@example.com',
      allowedOrigins: ['https://desk.example.com', 'http://localhost:5173'],
      departments: defaultDepartments,
      retention: { rawMailDays: defaultRawMailDays },
    });
  });

  it('rejects bad values with one message naming every problem', () => {
    const bad = () =>
      parseConfig({
        [contextKeys.stage]: 'Prod_1',
        [contextKeys.defaultLanguage]: 'fr',
        [contextKeys.alarmEmail]: 'not-an-email',
        [contextKeys.supportDomain]: 'http://support.example.com',
        [contextKeys.supportAddresses]: ['support+x@example.com'],
        [contextKeys.deskName]: 'Desk <evil@example.com>',
        [contextKeys.allowedOrigins]: ['*', 'https://desk.example.com'],
        [contextKeys.hostedZoneId]: 'Z123',
        [contextKeys.departments]: [{ id: 'IT!', name: { en: 'IT' }, kind: 'other' }],
        [contextKeys.closedTicketRetentionDays]: -3,
        [contextKeys.rawMailRetentionDays]: 'forever',
      });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (e) {
      const message = (e as Error).message;
      for (const key of Object.values(contextKeys)) expect(message).toContain(key);
      expect(message).toContain('en, pt-BR');
    }
  });

  describe('mail', () => {
    const domain = 'helpdesk.example.com';
    const problems = (raw: Record<string, unknown>): string => {
      try {
        parseConfig(raw);
        return '';
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
    };

    it('defaults the support addresses to support@<domain>, and has none without a domain', () => {
      expect(parseConfig({ [contextKeys.supportDomain]: 'HelpDesk.Example.com' })).toMatchObject({
        supportDomain: domain,
        supportAddresses: [`support@${domain}`],
      });
      expect(parseConfig({}).supportAddresses).toBeUndefined();
      expect(parseConfig({ [contextKeys.supportDomain]: '' }).supportDomain).toBeUndefined();
    });

    it('reads addresses as a cdk.json list or a comma-separated -c value, lowercased', () => {
      const fromList = parseConfig({ [contextKeys.supportDomain]: domain, [contextKeys.supportAddresses]: ['Support@helpdesk.example.com', `billing@${domain}`] });
      const fromFlag = parseConfig({ [contextKeys.supportDomain]: domain, [contextKeys.supportAddresses]: ` support@${domain} , billing@${domain}` });
      expect(fromList.supportAddresses).toEqual([`support@${domain}`, `billing@${domain}`]);
      expect(fromFlag.supportAddresses).toEqual(fromList.supportAddresses);
    });

    it('rejects addresses with a +label, at another domain, repeated, or without a domain', () => {
      expect(problems({ [contextKeys.supportDomain]: domain, [contextKeys.supportAddresses]: [`support+x@${domain}`] })).toContain('+label');
      expect(problems({ [contextKeys.supportDomain]: domain, [contextKeys.supportAddresses]: ['support@example.org'] })).toContain('support@example.org');
      expect(problems({ [contextKeys.supportDomain]: domain, [contextKeys.supportAddresses]: [`a@${domain}`, `A@${domain}`] })).toContain('more than once');
      expect(problems({ [contextKeys.supportDomain]: domain, [contextKeys.supportAddresses]: ['not an address'] })).toContain(contextKeys.supportAddresses);
      expect(problems({ [contextKeys.supportAddresses]: [`support@${domain}`] })).toContain(`needs ${contextKeys.supportDomain}`);
      const many = Array.from({ length: 101 }, (_, i) => `a${i}@${domain}`);
      expect(problems({ [contextKeys.supportDomain]: domain, [contextKeys.supportAddresses]: many })).toContain('at most 100');
    });

    it('accepts a desk name fit for a From header, and rejects one that is not', () => {
      expect(parseConfig({ [contextKeys.deskName]: 'Acme Suporte' }).deskName).toBe('Acme Suporte');
      expect(problems({ [contextKeys.deskName]: 'Acme\r\nBcc: x@example.com' })).toContain(contextKeys.deskName);
      expect(problems({ [contextKeys.deskName]: '"Acme"' })).toContain(contextKeys.deskName);
    });
  });
});

describe('config: hosted zone, departments and retention', () => {
  const base = { [contextKeys.supportDomain]: 'support.example.com' };
  const problems = (raw: Record<string, unknown>): string => {
    try {
      parseConfig(raw);
      return '';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
  };

  it('takes a hosted zone that holds the support domain', () => {
    const config = parseConfig({ ...base, [contextKeys.hostedZoneId]: 'Z0123456789ABC', [contextKeys.hostedZoneName]: 'Example.com.' });
    expect(config.hostedZone).toEqual({ id: 'Z0123456789ABC', name: 'example.com' });
    expect(parseConfig({ ...base, [contextKeys.hostedZoneId]: 'Z0123456789ABC', [contextKeys.hostedZoneName]: 'support.example.com' }).hostedZone?.name).toBe(
      'support.example.com',
    );
  });

  it('refuses a zone without its pair, outside the support domain, or without mail', () => {
    expect(problems({ ...base, [contextKeys.hostedZoneId]: 'Z0123456789ABC' })).toMatch(/go together/);
    expect(problems({ ...base, [contextKeys.hostedZoneId]: 'Z0123456789ABC', [contextKeys.hostedZoneName]: 'other.com' })).toMatch(/not inside the hosted zone other\.com/);
    expect(problems({ ...base, [contextKeys.hostedZoneId]: 'Z0123456789ABC', [contextKeys.hostedZoneName]: 'ample.com' })).toMatch(/not inside/);
    expect(problems({ [contextKeys.hostedZoneId]: 'Z0123456789ABC', [contextKeys.hostedZoneName]: 'example.com' })).toMatch(/needs helpdesk:supportDomain/);
    expect(problems({ ...base, [contextKeys.hostedZoneId]: 'not-a-zone', [contextKeys.hostedZoneName]: 'example.com' })).toMatch(/hosted zone id/);
  });

  it('replaces the departments with the configured list, from cdk.json or a JSON string', () => {
    const it2 = [{ id: 'it', name: { en: 'IT', 'pt-BR': 'TI' }, kind: 'internal' }];
    expect(parseConfig({ [contextKeys.departments]: it2 }).departments).toEqual(it2);
    expect(parseConfig({ [contextKeys.departments]: JSON.stringify(it2) }).departments).toEqual(it2);
    expect(parseConfig({ [contextKeys.departments]: [] }).departments).toEqual(defaultDepartments);
  });

  it('names every bad department, repeated ids and unknown keys', () => {
    const message = problems({
      [contextKeys.departments]: [
        { id: 'it', name: { en: 'IT', 'pt-BR': 'TI' }, kind: 'internal' },
        { id: 'it', name: { en: 'IT again', 'pt-BR': 'TI de novo' }, kind: 'internal' },
        { id: 'hr', name: { en: '<b>HR</b>', 'pt-BR': 'RH' }, kind: 'internal', color: 'red' },
      ],
    });
    expect(message).toContain('the id it more than once');
    expect(message).toContain('helpdesk:departments[2]');
    expect(message).toContain('name.en');
    expect(message).toContain('unknown keys color');
    expect(problems({ [contextKeys.departments]: '{not json' })).toMatch(/not JSON/);
    expect(problems({ [contextKeys.departments]: Array.from({ length: 51 }, (_, i) => ({ id: `d${i}`, name: { en: 'D', 'pt-BR': 'D' }, kind: 'internal' })) })).toMatch(
      /at most 50/,
    );
  });

  it('reads retention in days, "off" keeping data, and refuses anything else', () => {
    expect(parseConfig({ [contextKeys.closedTicketRetentionDays]: 365, [contextKeys.rawMailRetentionDays]: '30' }).retention).toEqual({
      closedTicketDays: 365,
      rawMailDays: 30,
    });
    expect(parseConfig({ [contextKeys.rawMailRetentionDays]: 'off' }).retention).toEqual({});
    expect(problems({ [contextKeys.closedTicketRetentionDays]: 1.5 })).toMatch(/whole number of days/);
    expect(problems({ [contextKeys.rawMailRetentionDays]: 100000 })).toMatch(/from 1 to 3650/);
  });
});
