import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalCognito, loadOrCreateKeys, type IssuerKeys, type LocalUser } from '../../local/issuer.ts';
import { agentGroups } from '../../lib/definitions/routes.ts';
import { totp, totpStep } from '../../local/totp.ts';

/**
 * Local mode's user pool, TOTP: an agent signed in with an access token
 * associates an authenticator app, proves it with a code, turns MFA on, and
 * from then on every password sign-in asks for a code (SOFTWARE_TOKEN_MFA).
 */
const clientId = 'client';
const poolId = 'local_pool';
const PASSWORD = 'Agent-Password-1';
let dir: string;
let keys: IssuerKeys;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-cognito-mfa-'));
  keys = await loadOrCreateKeys(join(dir, 'key.json'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function pool() {
  const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
  const users: LocalUser[] = [{ email: 'ana@example.com', password: PASSWORD, groups: ['agents-l1'], sub: 'sub-ana', status: 'CONFIRMED' }];
  const saved: LocalUser[][] = [];
  const handle = createLocalCognito(
    keys,
    {
      issuer: 'http://issuer',
      clientId,
      ttlSeconds: 3600,
      userPoolId: poolId,
      groups: agentGroups,
      adminAccessKeyId: 'local',
      persist: async (all) => void saved.push(structuredClone([...all])),
      now: () => clock.now,
    },
    users,
  );
  const call = (op: string, body: Record<string, unknown>, caller = {}) => handle(op, body, caller) as Promise<{ status: number; body: any }>;
  const signIn = (password = PASSWORD) => call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'ana@example.com', PASSWORD: password } });
  const answer = (session: string, code: string, username = 'ana@example.com') =>
    call('RespondToAuthChallenge', { ChallengeName: 'SOFTWARE_TOKEN_MFA', ClientId: clientId, Session: session, ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code } });
  const accessToken = async () => (await signIn()).body.AuthenticationResult.AccessToken as string;
  /** Associates, verifies with the current code and enables TOTP; returns the secret. */
  const enrol = async (token: string) => {
    const secret = (await call('AssociateSoftwareToken', { AccessToken: token })).body.SecretCode as string;
    expect((await call('VerifySoftwareToken', { AccessToken: token, UserCode: totp(secret, { nowMs: clock.now }) })).body).toEqual({ Status: 'SUCCESS' });
    expect((await call('SetUserMFAPreference', { AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } })).status).toBe(200);
    return secret;
  };
  return { clock, users, saved, call, signIn, answer, accessToken, enrol, admin: (op: string, body: Record<string, unknown>) => call(op, { UserPoolId: poolId, ...body }, { accessKeyId: 'local' }) };
}

describe('local Cognito: tokens', () => {
  it('issues an access token of its own (token_use access, client_id, no aud) beside the ID token', async () => {
    const p = pool();
    const result = (await p.signIn()).body.AuthenticationResult;
    expect(result.AccessToken).not.toBe(result.IdToken);
    const claims = decodeJwt(result.AccessToken);
    expect(claims).toMatchObject({ token_use: 'access', client_id: clientId, sub: 'sub-ana', scope: 'aws.cognito.signin.user.admin', iss: 'http://issuer' });
    expect(claims.aud).toBeUndefined();
    expect(claims.email).toBeUndefined();
  });
});

describe('local Cognito: TOTP enrolment', () => {
  it('AssociateSoftwareToken gives a 32-character base32 secret (20 bytes), kept as pending in the users file', async () => {
    const p = pool();
    const res = await p.call('AssociateSoftwareToken', { AccessToken: await p.accessToken() });
    expect(res.status).toBe(200);
    expect(res.body.SecretCode).toMatch(/^[A-Z2-7]{32}$/);
    expect(p.saved.at(-1)![0]!.softwareToken).toEqual({ pendingSecret: res.body.SecretCode });
    // Nothing changes at sign-in until the code is verified and MFA enabled.
    expect((await p.signIn()).body.AuthenticationResult).toBeDefined();
  });

  it('refuses an ID token, a forged or expired token, and no token, as Cognito does', async () => {
    const p = pool();
    const { IdToken, AccessToken } = (await p.signIn()).body.AuthenticationResult;
    for (const token of [IdToken, `${AccessToken}x`, 'nonsense', undefined]) {
      const res = await p.call('AssociateSoftwareToken', { AccessToken: token });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ __type: 'NotAuthorizedException', message: 'Invalid Access Token' });
    }
    p.clock.now += 3601_000;
    expect((await p.call('AssociateSoftwareToken', { AccessToken })).body).toEqual({ __type: 'NotAuthorizedException', message: 'Access Token has expired' });
  });

  it('VerifySoftwareToken: a wrong code is EnableSoftwareTokenMFAException, a malformed one InvalidParameterException, the right one SUCCESS', async () => {
    const p = pool();
    const token = await p.accessToken();
    const secret = (await p.call('AssociateSoftwareToken', { AccessToken: token })).body.SecretCode;
    const right = totp(secret, { nowMs: p.clock.now });
    const wrong = right === '000000' ? '111111' : '000000';
    expect((await p.call('VerifySoftwareToken', { AccessToken: token, UserCode: wrong })).body).toEqual({ __type: 'EnableSoftwareTokenMFAException', message: 'Code mismatch' });
    expect((await p.call('VerifySoftwareToken', { AccessToken: token, UserCode: '12345' })).body.__type).toBe('InvalidParameterException');
    // A code from two steps ago is outside the window.
    expect((await p.call('VerifySoftwareToken', { AccessToken: token, UserCode: totp(secret, { nowMs: p.clock.now - 60_000 }) })).body.__type).toBe('EnableSoftwareTokenMFAException');
    expect((await p.call('VerifySoftwareToken', { AccessToken: token, UserCode: right })).body).toEqual({ Status: 'SUCCESS' });
    expect(p.users[0]!.softwareToken).toEqual({ secret, lastStep: totpStep(p.clock.now) });
  });

  it('VerifySoftwareToken before AssociateSoftwareToken is refused', async () => {
    const p = pool();
    const res = await p.call('VerifySoftwareToken', { AccessToken: await p.accessToken(), UserCode: '123456' });
    expect(res.body.__type).toBe('InvalidParameterException');
  });

  it('SetUserMFAPreference enables only a verified token, and validates its input', async () => {
    const p = pool();
    const token = await p.accessToken();
    const set = (settings: unknown) => p.call('SetUserMFAPreference', { AccessToken: token, SoftwareTokenMfaSettings: settings });
    expect((await set({ Enabled: true, PreferredMfa: true })).body).toEqual({ __type: 'InvalidParameterException', message: 'User has not verified software token mfa' });
    await p.call('AssociateSoftwareToken', { AccessToken: token });
    expect((await set({ Enabled: true })).body.__type).toBe('InvalidParameterException');
    expect((await set({ Enabled: 'yes' })).body.__type).toBe('SerializationException');
    expect((await p.call('SetUserMFAPreference', { AccessToken: token, SMSMfaSettings: { Enabled: true } })).body.__type).toBe('InvalidParameterException');
    expect(p.users[0]!.softwareToken?.enabled).toBeUndefined();
  });

  it('AdminGetUser lists the MFA setting once it is on', async () => {
    const p = pool();
    expect((await p.admin('AdminGetUser', { Username: 'ana@example.com' })).body.UserMFASettingList).toBeUndefined();
    await p.enrol(await p.accessToken());
    expect((await p.admin('AdminGetUser', { Username: 'ana@example.com' })).body).toMatchObject({ UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' });
  });
});

describe('local Cognito: signing in with TOTP on', () => {
  it('InitiateAuth answers SOFTWARE_TOKEN_MFA with a session; the next code signs in and is persisted as used', async () => {
    const p = pool();
    const secret = await p.enrol(await p.accessToken());
    const started = await p.signIn();
    expect(started.body).toMatchObject({ ChallengeName: 'SOFTWARE_TOKEN_MFA', ChallengeParameters: { USER_ID_FOR_SRP: 'sub-ana' } });
    expect(started.body.AuthenticationResult).toBeUndefined();
    expect(typeof started.body.Session).toBe('string');
    // A wrong password is still just a wrong password.
    expect((await p.signIn('Wrong-Password-1')).body.__type).toBe('NotAuthorizedException');

    p.clock.now += 30_000;
    const done = await p.answer(started.body.Session, totp(secret, { nowMs: p.clock.now }));
    expect(done.status).toBe(200);
    expect(decodeJwt(done.body.AuthenticationResult.IdToken)).toMatchObject({ email: 'ana@example.com', token_use: 'id' });
    expect(done.body.AuthenticationResult.RefreshToken).toBeDefined();
    expect(p.saved.at(-1)![0]!.softwareToken).toMatchObject({ secret, enabled: true, preferred: true, lastStep: totpStep(p.clock.now) });
    // The session is spent.
    expect((await p.answer(started.body.Session, totp(secret, { nowMs: p.clock.now }))).body.__type).toBe('NotAuthorizedException');
  });

  it('a wrong code is CodeMismatchException and leaves the challenge standing, five times at most', async () => {
    const p = pool();
    const secret = await p.enrol(await p.accessToken());
    p.clock.now += 30_000;
    const session = (await p.signIn()).body.Session;
    const right = totp(secret, { nowMs: p.clock.now });
    const wrong = right === '000000' ? '111111' : '000000';
    expect((await p.answer(session, wrong)).body).toEqual({ __type: 'CodeMismatchException', message: 'Invalid code received for user' });
    expect((await p.answer(session, right)).status).toBe(200);

    p.clock.now += 30_000;
    const other = (await p.signIn()).body.Session;
    for (let i = 0; i < 5; i++) expect((await p.answer(other, wrong)).body.__type).toBe('CodeMismatchException');
    expect((await p.answer(other, totp(secret, { nowMs: p.clock.now }))).body.__type).toBe('NotAuthorizedException');
  });

  it('a code already used (the enrolment code, or the last sign-in code) is refused; the window accepts the next step', async () => {
    const p = pool();
    const secret = await p.enrol(await p.accessToken());
    const session = (await p.signIn()).body.Session;
    expect((await p.answer(session, totp(secret, { nowMs: p.clock.now }))).body.__type).toBe('CodeMismatchException');
    expect((await p.answer(session, totp(secret, { nowMs: p.clock.now + 30_000 }))).status).toBe(200);
  });

  it('a session runs out after 3 minutes, and belongs to its challenge and user', async () => {
    const p = pool();
    const secret = await p.enrol(await p.accessToken());
    p.clock.now += 30_000;
    const session = (await p.signIn()).body.Session;
    expect((await p.answer(session, totp(secret, { nowMs: p.clock.now }), 'bob@example.com')).body.__type).toBe('NotAuthorizedException');
    const asPassword = await p.call('RespondToAuthChallenge', { ChallengeName: 'NEW_PASSWORD_REQUIRED', ClientId: clientId, Session: session, ChallengeResponses: { USERNAME: 'ana@example.com', NEW_PASSWORD: 'Another-Pass-1' } });
    expect(asPassword.body.__type).toBe('NotAuthorizedException');
    p.clock.now += 3 * 60_000 + 1;
    expect((await p.answer(session, totp(secret, { nowMs: p.clock.now }))).body).toEqual({ __type: 'NotAuthorizedException', message: 'Invalid session for the user, session is expired.' });
  });

  it('re-associating keeps the old secret working until the new one is verified; disabling turns the challenge off', async () => {
    const p = pool();
    const token = await p.accessToken();
    const secret = await p.enrol(token);
    const next = (await p.call('AssociateSoftwareToken', { AccessToken: token })).body.SecretCode;
    expect(next).not.toBe(secret);
    p.clock.now += 30_000;
    const session = (await p.signIn()).body.Session;
    expect((await p.answer(session, totp(secret, { nowMs: p.clock.now }))).status).toBe(200);

    const fresh = (await p.answer((await p.signIn()).body.Session, totp(secret, { nowMs: p.clock.now + 30_000 }))).body.AuthenticationResult.AccessToken;
    expect((await p.call('SetUserMFAPreference', { AccessToken: fresh, SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false } })).status).toBe(200);
    expect((await p.signIn()).body.AuthenticationResult).toBeDefined();
  });

  it('AdminUserGlobalSignOut revokes the access tokens already issued; a disabled user cannot enrol', async () => {
    const p = pool();
    const token = await p.accessToken();
    p.clock.now += 1000;
    await p.admin('AdminUserGlobalSignOut', { Username: 'ana@example.com' });
    expect((await p.call('AssociateSoftwareToken', { AccessToken: token })).body).toEqual({ __type: 'NotAuthorizedException', message: 'Access Token has been revoked' });
    p.clock.now += 1000;
    const again = await p.accessToken();
    await p.admin('AdminDisableUser', { Username: 'ana@example.com' });
    expect((await p.call('AssociateSoftwareToken', { AccessToken: again })).body).toEqual({ __type: 'NotAuthorizedException', message: 'User is disabled.' });
  });
});
