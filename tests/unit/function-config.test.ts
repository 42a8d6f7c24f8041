import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentOf, functions, runtimeVariables, variablesOfNeed, type DeploymentValues, type FunctionDefinition, type Needs } from '../../lib/definitions/functions.ts';
import { ConfigError, configFor, readConfig, readRuntime } from '../../functions/shared/config.ts';

/**
 * Each function reads its configuration from its own manifest entry, once at load
 * (functions/shared/config.ts): exactly the variables its needs bring, checked, and
 * nothing else, so a function that reads what it did not declare fails locally as it
 * would in AWS. Nothing else under functions/ touches process.env.
 */
const functionsDir = join(import.meta.dirname, '../../functions');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
const source = (path: string) => readFileSync(path, 'utf8');

const key = 'k'.repeat(40);
/** A deployment with every option on, as the stack or local mode would give it. */
const values: DeploymentValues = {
  tableName: 'helpdesk-test',
  mailBucket: 'mail-test',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:test',
  publicUrl: 'https://desk.example/',
  userPoolId: 'us-east-1_pool',
  deskName: 'Test desk',
  defaultLanguage: 'pt-BR',
  signingKey: { value: key },
  mail: { supportAddresses: ['support@desk.example', 'help@desk.example'], fromAddress: 'support@desk.example', configurationSet: 'desk-events' },
  closedTicketDays: 30,
};
const { mail: _mail, ...mailOff } = values;

/** An environment that notes every variable read from it. */
function recording(env: Record<string, string>) {
  const read = new Set<string>();
  const proxy = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  return { env: proxy, read };
}

/** The variables a function's needs may bring, whatever the deployment: variablesOfNeed, and the key that comes with mail. */
function mayRead(needs: Needs): Set<string> {
  const names = new Set<string>();
  for (const need of Object.keys(needs) as (keyof Needs)[]) for (const v of variablesOfNeed[need]) names.add(v);
  if (needs.mail) for (const v of variablesOfNeed.signingKey) names.add(v);
  return names;
}

const wakesOnly = (fn: FunctionDefinition) => Boolean(fn.needs.lifecycle?.length) && fn.needs.lifecycle!.every((a) => a === 'wake');

describe('no process.env outside the configuration module', () => {
  it('no file under functions/ but shared/config.ts mentions process.env', () => {
    const all = files(functionsDir);
    expect(all.length).toBeGreaterThan(50);
    const offenders = all.filter((f) => relative(functionsDir, f) !== join('shared', 'config.ts') && /process\s*\.\s*env|process\[['"]env['"]\]/.test(source(f)));
    expect(offenders.map((f) => relative(functionsDir, f))).toEqual([]);
  });
});

describe('every handler builds its own configuration', () => {
  it("each manifest entry's handler file asks for its own name's configuration, once, and for no other", () => {
    for (const fn of functions) {
      const text = source(join(functionsDir, fn.entry));
      const asked = [...text.matchAll(/configFor\(\s*'([A-Za-z0-9]+)'/g)].map((m) => m[1]);
      expect(asked, `${fn.entry} (${fn.name})`).toEqual([fn.name]);
    }
  });

  it('only handler entries call configFor: shared helpers are handed the configuration of the handler using them', () => {
    const entries = new Set(functions.map((fn) => join(functionsDir, fn.entry)));
    const callers = files(functionsDir).filter((f) => !f.endsWith(join('shared', 'config.ts')) && /configFor\(/.test(source(f)));
    expect(callers.filter((f) => !entries.has(f)).map((f) => relative(functionsDir, f))).toEqual([]);
    expect(callers.length).toBe(functions.length);
  });
});

describe('configFor: the variables of the needs, checked', () => {
  it('a missing variable names itself', async () => {
    await expect(configFor('ListTickets', {})).rejects.toThrow(/ListTickets cannot start: TABLE_NAME is missing/);
    await expect(configFor('ListTickets', {})).rejects.toBeInstanceOf(ConfigError);
    // Every problem at once, not one per deploy.
    await expect(configFor('AdminInviteAgent', {})).rejects.toThrow(/TABLE_NAME is missing; USER_POOL_ID is missing/);
  });

  it('a function whose needs lack a variable does not ask for it: the web form page without a table', async () => {
    const config = await configFor('HelpForm', { DESK_NAME: 'Test desk' });
    expect(config).toEqual({ functionName: 'HelpForm', deskName: 'Test desk' });
    // @ts-expect-error HelpForm's needs bring no table, so its configuration has no tableName.
    expect(config.tableName).toBeUndefined();
  });

  it('and does not read one that is set: the upload route needs the bucket, not the mail settings', async () => {
    await expect(configFor('CreateUpload', { TABLE_NAME: 'helpdesk-test' })).rejects.toThrow('MAIL_BUCKET');
    const { env, read } = recording({ TABLE_NAME: 'helpdesk-test', MAIL_BUCKET: 'mail-test', SUPPORT_ADDRESSES: 'support@desk.example', DESK_NAME: 'x', STATE_MACHINE_ARN: 'arn' });
    const config = await configFor('CreateUpload', env);
    expect(config).toEqual({ functionName: 'CreateUpload', tableName: 'helpdesk-test', mailBucket: 'mail-test' });
    expect([...read].sort()).toEqual(['MAIL_BUCKET', 'TABLE_NAME']);
    // @ts-expect-error CreateUpload's needs bring no mail.
    expect(config.mail).toBeUndefined();
  });

  it('with a need removed from a copy of the manifest, its variables are no longer read, even when set', async () => {
    const addMessage = functions.find((fn) => fn.name === 'AddMessage')!;
    const { bucket: _bucket, ...needs } = addMessage.needs;
    const full = environmentOf(addMessage, values);
    expect(full.MAIL_BUCKET).toBe('mail-test');
    const { env, read } = recording(full);
    const config = await readConfig({ ...addMessage, needs }, env);
    expect(config.mailBucket).toBeUndefined();
    expect(read.has('MAIL_BUCKET')).toBe(false);
    expect((await readConfig(addMessage, full)).mailBucket).toBe('mail-test');
  });

  it('mail off: no mail settings, and no support address, sender or signing key asked for', async () => {
    const { env, read } = recording({ TABLE_NAME: 't', STATE_MACHINE_ARN: values.stateMachineArn, MAIL_ENABLED: 'false', DESK_NAME: 'Desk', PUBLIC_URL: 'https://desk.example', MAIL_BUCKET: 'mail' });
    const config = await configFor('SubmitTicket', env);
    expect(config.mail).toBeUndefined();
    expect('mail' in config).toBe(true);
    for (const name of ['SUPPORT_ADDRESSES', 'FROM_ADDRESS', 'DEFAULT_LANGUAGE', 'REPLY_TOKEN_SECRET', 'REPLY_TOKEN_SECRET_ARN']) expect(read.has(name), name).toBe(false);
  });

  it('mail on: the settings, checked, with the signing key that comes with them', async () => {
    const config = await configFor('InboundMail', environmentOf(functions.find((fn) => fn.name === 'InboundMail')!, values));
    expect(config.mail).toEqual({
      supportAddresses: ['support@desk.example', 'help@desk.example'],
      fromAddress: 'support@desk.example',
      configurationSet: 'desk-events',
      defaultLanguage: 'pt-BR',
      replyTokenSecret: key,
    });
    // The base URL of links, without its trailing slash.
    expect(config.publicUrl).toBe('https://desk.example');
    const env = environmentOf(functions.find((fn) => fn.name === 'InboundMail')!, values);
    await expect(configFor('InboundMail', { ...env, MAIL_ENABLED: 'yes' })).rejects.toThrow('MAIL_ENABLED must be "true" or "false", not "yes"');
    await expect(configFor('InboundMail', { ...env, SUPPORT_ADDRESSES: 'Support <support@desk.example>' })).rejects.toThrow(/SUPPORT_ADDRESSES must be plain addresses/);
    await expect(configFor('InboundMail', { ...env, FROM_ADDRESS: 'a@desk.example,b@desk.example' })).rejects.toThrow(/FROM_ADDRESS must be one plain address/);
    await expect(configFor('InboundMail', { ...env, DEFAULT_LANGUAGE: 'fr' })).rejects.toThrow(/DEFAULT_LANGUAGE must be "en" or "pt-BR"/);
    await expect(configFor('InboundMail', { ...env, PUBLIC_URL: 'ftp://desk.example' })).rejects.toThrow(/PUBLIC_URL must be an http\(s\) URL/);
    await expect(configFor('InboundMail', { ...env, PUBLIC_URL: 'desk.example' })).rejects.toThrow(/PUBLIC_URL must be an http\(s\) URL/);
    // Without a configuration set, SES sends without event publishing.
    const { SES_CONFIGURATION_SET: _set, ...withoutSet } = env;
    expect((await configFor('InboundMail', withoutSet)).mail?.configurationSet).toBeUndefined();
  });

  it('the signing key: at least 32 characters, from Secrets Manager by ARN in AWS (the value never in the environment)', async () => {
    const env = { TABLE_NAME: 't', DESK_NAME: 'Desk' };
    await expect(configFor('TicketStatus', env)).rejects.toThrow(/REPLY_TOKEN_SECRET_ARN \(or REPLY_TOKEN_SECRET locally\) is missing/);
    await expect(configFor('TicketStatus', { ...env, REPLY_TOKEN_SECRET: 'short' })).rejects.toThrow(/at least 32 characters/);
    const asked: string[] = [];
    const secrets = async (arn: string) => (asked.push(arn), key);
    const config = await configFor('TicketStatus', { ...env, REPLY_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:0:secret:s' }, secrets);
    expect(config.signingKey).toBe(key);
    expect(asked).toEqual(['arn:aws:secretsmanager:us-east-1:0:secret:s']);
    await expect(configFor('TicketStatus', { ...env, REPLY_TOKEN_SECRET_ARN: 'arn:x' }, async () => 'short')).rejects.toThrow(/REPLY_TOKEN_SECRET_ARN\) must be at least 32/);
  });

  it('the retention period is whole days', async () => {
    const env = { TABLE_NAME: 't', MAIL_BUCKET: 'b' };
    expect((await configFor('PurgeClosedTickets', { ...env, CLOSED_TICKET_DAYS: '30' })).closedTicketDays).toBe(30);
    for (const bad of ['0', '1.5', '-3', 'thirty']) await expect(configFor('PurgeClosedTickets', { ...env, CLOSED_TICKET_DAYS: bad })).rejects.toThrow(/CLOSED_TICKET_DAYS must be a whole number of days/);
  });

  it('a function that only wakes the lifecycle gets no state machine (starting and stopping would not compile)', async () => {
    const config = await configFor('AwaitSignal', { TABLE_NAME: 't' });
    expect(config).toEqual({ functionName: 'AwaitSignal', tableName: 't' });
    const update = await configFor('UpdateTicket', { TABLE_NAME: 't', STATE_MACHINE_ARN: values.stateMachineArn });
    expect(update.stateMachineArn).toBe(values.stateMachineArn);
  });
});

describe('every function of the manifest reads exactly what environmentOf gives it', () => {
  for (const fn of functions) {
    it(`${fn.name}: starts with its environment, reads nothing its needs do not bring, and fails without any one variable of it`, async () => {
      for (const deployment of [values, mailOff, { ...values, signingKey: { arn: 'arn:aws:secretsmanager:us-east-1:0:secret:s' } }]) {
        const given = environmentOf(fn, deployment);
        const { env, read } = recording(given);
        await readConfig(fn, env, async () => key);
        const allowed = mayRead(fn.needs);
        expect([...read].filter((name) => !allowed.has(name))).toEqual([]);
        for (const name of Object.keys(given)) {
          // Optional by design: without a configuration set SES sends without events. A function that only wakes needs no machine.
          if (name === 'SES_CONFIGURATION_SET' || (name === 'STATE_MACHINE_ARN' && wakesOnly(fn))) continue;
          const { [name]: _gone, ...without } = given;
          await expect(readConfig(fn, without, async () => key), `${fn.name} without ${name}`).rejects.toThrow(name);
        }
      }
    });
  }
});

describe('the runtime', () => {
  it('reads only the runtime variables of the manifest', () => {
    const { env, read } = recording({ TIME_SCALE: '3600', POLICY_OVERRIDES: '{"pendingAutoResolveDays":1}', S3_FORCE_PATH_STYLE: 'true', TABLE_NAME: 't' });
    expect(readRuntime(env)).toMatchObject({ timeScale: 3600, policyOverrides: { pendingAutoResolveDays: 1 }, s3ForcePathStyle: true, serviceName: 'helpdesk', metricsNamespace: 'Helpdesk' });
    expect([...read].filter((name) => !(runtimeVariables as readonly string[]).includes(name))).toEqual([]);
  });

  it('as in AWS when none is set; a bad value names itself', () => {
    expect(readRuntime({})).toEqual({ timeScale: 1, policyOverrides: undefined, s3ForcePathStyle: false, serviceName: 'helpdesk', metricsNamespace: 'Helpdesk' });
    expect(() => readRuntime({ TIME_SCALE: '0' })).toThrow(/TIME_SCALE must be a number of at least 1/);
    expect(() => readRuntime({ POLICY_OVERRIDES: '{oops' })).toThrow(/POLICY_OVERRIDES must be JSON/);
    expect(() => readRuntime({ POLICY_OVERRIDES: '[1]' })).toThrow(/POLICY_OVERRIDES must be a JSON object/);
  });
});
