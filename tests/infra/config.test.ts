import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ConfigError, contextKeys, loadConfig, parseConfig } from '../../lib/config.ts';

describe('config', () => {
  it('defaults to stage dev, English and any origin', () => {
    expect(parseConfig({})).toEqual({ stage: 'dev', defaultLanguage: 'en', allowedOrigins: ['*'] });
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
});
