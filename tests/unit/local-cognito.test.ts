import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalCognito, loadOrCreateKeys, passwordPolicyProblem, type Caller, type IssuerKeys, type LocalUser } from '../../local/issuer.ts';
import { agentGroups } from '../../lib/definitions/routes.ts';
import { groupChanges, groupsFor, levelOf, updatedGroups } from '../../functions/core/admin.ts';

const clientId = 'client';
const poolId = 'local_pool';
const signed: Caller = { accessKeyId: 'local' };
let dir: string;
let keys: IssuerKeys;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-cognito-'));
  keys = await loadOrCreateKeys(join(dir, 'key.json'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function pool(users: LocalUser[] = [], now = () => Date.now()) {
  const invitations: { email: string; password: string }[] = [];
  const saved: LocalUser[][] = [];
  const handle = createLocalCognito(
    keys,
    {
      issuer: 'http://issuer',
      clientId,
      ttlSeconds: 600,
      userPoolId: poolId,
      groups: agentGroups,
      adminAccessKeyId: 'local',
      persist: async (all) => void saved.push(structuredClone([...all])),
      sendInvitation: async (u, password) => void invitations.push({ email: u.email, password }),
      now,
    },
    users,
  );
  const call = async (op: string, body: Record<string, unknown>, caller = signed) => handle(op, body, caller) as Promise<{ status: number; body: any }>;
  const signIn = (email: string, password: string) => call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: email, PASSWORD: password } }, {});
  const respond = (session: string, email: string, password: string) =>
    call('RespondToAuthChallenge', { ChallengeName: 'NEW_PASSWORD_REQUIRED', ClientId: clientId, Session: session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password } }, {});
  const refresh = (token: string) => call('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: clientId, AuthParameters: { REFRESH_TOKEN: token } }, {});
  const admin = (op: string, body: Record<string, unknown> = {}) => call(op, { UserPoolId: poolId, ...body });
  const invite = (email: string, name = 'Nova Agente') => admin('AdminCreateUser', { Username: email, UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }, { Name: 'name', Value: name }] });
  return { users, invitations, saved, call, signIn, respond, refresh, admin, invite };
}

const groupsOf = (token: string) => decodeJwt(token)['cognito:groups'];
const NEW_PASSWORD = 'Choose-A-Good-1';

describe('local Cognito: invitations and the first sign-in', () => {
  it('AdminCreateUser makes a FORCE_CHANGE_PASSWORD user, sends the temporary password and saves the pool', async () => {
    const p = pool();
    const res = await p.invite('Nova@Example.com');
    expect(res.status).toBe(200);
    expect(res.body.User).toMatchObject({ Enabled: true, UserStatus: 'FORCE_CHANGE_PASSWORD' });
    expect(res.body.User.Attributes).toContainEqual({ Name: 'email', Value: 'nova@example.com' });
    expect(p.invitations).toHaveLength(1);
    expect(p.invitations[0]!.email).toBe('nova@example.com');
    expect(passwordPolicyProblem(p.invitations[0]!.password)).toBeUndefined();
    expect(p.saved.at(-1)!.map((u) => u.email)).toEqual(['nova@example.com']);
  });

  it('a second AdminCreateUser is a UsernameExistsException and changes nothing', async () => {
    const p = pool();
    await p.invite('dup@example.com');
    const again = await p.invite('DUP@example.com');
    expect(again.status).toBe(400);
    expect(again.body.__type).toBe('UsernameExistsException');
    expect(p.users).toHaveLength(1);
    expect(p.invitations).toHaveLength(1);
  });

  it('refuses usernames that are not emails and unknown MessageActions', async () => {
    const p = pool();
    expect((await p.invite('not-an-email')).body.__type).toBe('InvalidParameterException');
    expect((await p.admin('AdminCreateUser', { Username: 'a@example.com', MessageAction: 'SHOUT' })).body.__type).toBe('InvalidParameterException');
    expect(p.users).toHaveLength(0);
  });

  it('SUPPRESS sends nothing; RESEND makes a new temporary password only for a pending invitation', async () => {
    const p = pool();
    await p.admin('AdminCreateUser', { Username: 'quiet@example.com', MessageAction: 'SUPPRESS' });
    expect(p.invitations).toHaveLength(0);
    await p.admin('AdminCreateUser', { Username: 'quiet@example.com', MessageAction: 'RESEND' });
    expect(p.invitations).toHaveLength(1);
    expect((await p.admin('AdminCreateUser', { Username: 'nobody@example.com', MessageAction: 'RESEND' })).body.__type).toBe('UserNotFoundException');
  });

  it('the temporary password answers NEW_PASSWORD_REQUIRED; the new password must meet the policy; then tokens', async () => {
    const p = pool();
    await p.invite('first@example.com');
    const temp = p.invitations[0]!.password;
    const challenge = await p.signIn('first@example.com', temp);
    expect(challenge.status).toBe(200);
    expect(challenge.body.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(challenge.body.AuthenticationResult).toBeUndefined();
    expect(typeof challenge.body.Session).toBe('string');

    for (const [weak, problem] of [
      ['Sh0rt!', 'Password not long enough'],
      ['alllowercase-123', 'Password must have uppercase characters'],
      ['ALLUPPERCASE-123', 'Password must have lowercase characters'],
      ['No-Digits-Here-At-All', 'Password must have numeric characters'],
      ['NoSymbols12345', 'Password must have symbol characters'],
    ] as const) {
      const res = await p.respond(challenge.body.Session, 'first@example.com', weak);
      expect(res.body, weak).toEqual({ __type: 'InvalidPasswordException', message: `Password does not conform to policy: ${problem}` });
    }
    // The session belongs to that user only.
    expect((await p.respond(challenge.body.Session, 'other@example.com', NEW_PASSWORD)).body.__type).toBe('NotAuthorizedException');

    const done = await p.respond(challenge.body.Session, 'first@example.com', NEW_PASSWORD);
    expect(done.status).toBe(200);
    expect(done.body.AuthenticationResult.RefreshToken).toBeTruthy();
    expect(decodeJwt(done.body.AuthenticationResult.IdToken)).toMatchObject({ email: 'first@example.com', name: 'Nova Agente' });
    // The session is used up, the temporary password no longer works, the new one does.
    expect((await p.respond(challenge.body.Session, 'first@example.com', NEW_PASSWORD)).body.__type).toBe('NotAuthorizedException');
    expect((await p.signIn('first@example.com', temp)).body.__type).toBe('NotAuthorizedException');
    expect((await p.signIn('first@example.com', NEW_PASSWORD)).body.AuthenticationResult.IdToken).toBeTruthy();
    // The pool saves a hash of the chosen password, never the password itself.
    expect(p.saved.at(-1)![0]).toMatchObject({ status: 'CONFIRMED', passwordHash: expect.stringMatching(/^scrypt\$/) });
    expect(JSON.stringify(p.saved)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(p.saved)).not.toContain(temp);
  });

  it('challenge sessions expire after 3 minutes, temporary passwords after 3 days', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const p = pool([], () => clock);
    await p.invite('late@example.com');
    const challenge = await p.signIn('late@example.com', p.invitations[0]!.password);
    clock += 4 * 60_000;
    expect((await p.respond(challenge.body.Session, 'late@example.com', NEW_PASSWORD)).body.message).toMatch(/session is expired/);
    clock += 3 * 86_400_000;
    expect((await p.signIn('late@example.com', p.invitations[0]!.password)).body.message).toMatch(/Temporary password has expired/);
  });
});

describe('local Cognito: admin calls', () => {
  async function confirmed(p: ReturnType<typeof pool>, email: string) {
    await p.invite(email);
    const c = await p.signIn(email, p.invitations.at(-1)!.password);
    return (await p.respond(c.body.Session, email, NEW_PASSWORD)).body.AuthenticationResult as { IdToken: string; RefreshToken: string };
  }

  it('must be signed with the local credentials; sign-in calls need no signature', async () => {
    const p = pool();
    expect((await p.call('AdminCreateUser', { UserPoolId: poolId, Username: 'x@example.com' }, {})).status).toBe(403);
    expect((await p.call('AdminCreateUser', { UserPoolId: poolId, Username: 'x@example.com' }, { accessKeyId: 'someone' })).body.__type).toBe('UnrecognizedClientException');
    expect((await p.call('AdminCreateUser', { UserPoolId: 'other_pool', Username: 'x@example.com' })).body.__type).toBe('ResourceNotFoundException');
    expect(p.users).toHaveLength(0);
  });

  it('answers unknown users and groups with Cognito error types', async () => {
    const p = pool();
    for (const op of ['AdminGetUser', 'AdminDisableUser', 'AdminEnableUser', 'AdminUserGlobalSignOut', 'AdminAddUserToGroup', 'AdminRemoveUserFromGroup']) {
      expect((await p.admin(op, { Username: 'ghost@example.com', GroupName: 'agents-l1' })).body, op).toEqual({ __type: 'UserNotFoundException', message: 'User does not exist.' });
    }
    await p.invite('g@example.com');
    expect((await p.admin('AdminAddUserToGroup', { Username: 'g@example.com', GroupName: 'wizards' })).body.__type).toBe('ResourceNotFoundException');
    expect((await p.admin('NotAnOperation')).body.__type).toBe('UnknownOperationException');
  });

  it('group changes show in the next token, from a password or a refresh; both calls are idempotent', async () => {
    const p = pool();
    const first = await confirmed(p, 'grp@example.com');
    expect(groupsOf(first.IdToken)).toEqual([]);
    await p.admin('AdminAddUserToGroup', { Username: 'grp@example.com', GroupName: 'agents-l1' });
    await p.admin('AdminAddUserToGroup', { Username: 'GRP@example.com', GroupName: 'agents-l1' });
    expect(groupsOf((await p.refresh(first.RefreshToken)).body.AuthenticationResult.IdToken)).toEqual(['agents-l1']);
    await p.admin('AdminAddUserToGroup', { Username: 'grp@example.com', GroupName: 'agents-l2' });
    await p.admin('AdminRemoveUserFromGroup', { Username: 'grp@example.com', GroupName: 'agents-l1' });
    expect((await p.admin('AdminRemoveUserFromGroup', { Username: 'grp@example.com', GroupName: 'agents-l1' })).status).toBe(200);
    expect(groupsOf((await p.signIn('grp@example.com', NEW_PASSWORD)).body.AuthenticationResult.IdToken)).toEqual(['agents-l2']);
    const got = await p.admin('AdminGetUser', { Username: 'grp@example.com' });
    expect(got.body).toMatchObject({ Enabled: true, UserStatus: 'CONFIRMED' });
  });

  it('a disabled user cannot sign in or refresh; global sign-out revokes refresh tokens; enabling lets them sign in again', async () => {
    const p = pool();
    const t = await confirmed(p, 'off@example.com');
    await p.admin('AdminDisableUser', { Username: 'off@example.com' });
    expect((await p.signIn('off@example.com', NEW_PASSWORD)).body).toEqual({ __type: 'NotAuthorizedException', message: 'User is disabled.' });
    expect((await p.refresh(t.RefreshToken)).body).toEqual({ __type: 'NotAuthorizedException', message: 'User is disabled.' });
    // A wrong password still says only that: nothing about the account's state.
    expect((await p.signIn('off@example.com', 'Wrong-Password-1')).body.message).toBe('Incorrect username or password.');
    await p.admin('AdminUserGlobalSignOut', { Username: 'off@example.com' });
    await p.admin('AdminEnableUser', { Username: 'off@example.com' });
    expect((await p.refresh(t.RefreshToken)).body.__type).toBe('NotAuthorizedException');
    expect((await p.signIn('off@example.com', NEW_PASSWORD)).status).toBe(200);
    expect((await p.admin('AdminGetUser', { Username: 'off@example.com' })).body.Enabled).toBe(true);
  });
});

describe('agent groups', () => {
  it('follow the level and the admin flag', () => {
    expect(groupsFor(2, false)).toEqual(['agents-l2']);
    expect(groupsFor(1, true)).toEqual(['agents-l1', 'admins']);
    expect(levelOf(['admins'])).toBeNull();
    expect(levelOf(['agents-l1', 'agents-l3'])).toBe(3);
  });

  it('an update keeps what it does not name; an admin cannot drop their own admin rights; nobody is left without a group', () => {
    expect(updatedGroups(['agents-l1', 'admins'], { level: 3 }, true)).toEqual(['agents-l3', 'admins']);
    expect(updatedGroups(['agents-l1'], { admin: true }, false)).toEqual(['agents-l1', 'admins']);
    expect(() => updatedGroups(['agents-l1', 'admins'], { admin: false }, true)).toThrow(/own admin rights/);
    expect(updatedGroups(['agents-l1', 'admins'], { admin: false }, false)).toEqual(['agents-l1']);
    expect(() => updatedGroups(['admins'], { admin: false }, false)).toThrow(/needs a level/);
  });

  it('changes add what is wanted and remove every other managed group', () => {
    expect(groupChanges(['agents-l1'], ['agents-l2'])).toEqual({ add: ['agents-l2'], remove: ['admins', 'agents-l1', 'agents-l3'] });
  });
});
