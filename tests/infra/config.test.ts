import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError, contextKeys, loadConfig, parseConfig } from '../../lib/config.ts';

describe('config', () => {
  it('defaults to stage dev, English and any origin', () => {
    expect(parseConfig({})).toEqual({ stage: 'dev', defaultLanguage: 'en', allowedOrigins: [] });
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
