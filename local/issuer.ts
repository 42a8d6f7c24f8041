import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { newTotpSecret, verifyTotp } from './totp.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';

/**
 * A local stand-in for the Cognito user pool. It signs RS256 tokens carrying
 * the claims Cognito puts in an ID token (`sub`, `email`, `cognito:groups`,
 * `aud` = app client id) and answers, in Cognito's own JSON protocol, the
 * sign-in calls the dashboard makes (InitiateAuth, RespondToAuthChallenge for
 * an invited agent's first password and for a TOTP code, the TOTP enrolment
 * calls) and the Admin* calls the admin routes make, so client code works
 * against both.
 */
export interface LocalUser {
  email: string;
  /** scrypt hash (password-hash.ts); the pool never keeps a password as text. */
  passwordHash?: string;
  /** A password as text, only in a users.json from before hashing: hashed on load (hashStoredPasswords), never written again. */
  password?: string;
  groups: string[];
  sub: string;
  name?: string;
  /** Cognito's UserStatus; absent means CONFIRMED (users kept from before invitations). */
  status?: 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';
  /** Absent means enabled. */
  enabled?: boolean;
  createdAt?: string;
  updatedAt?: string;
  /** When an invitation's temporary password stops working (the pool allows 3 days). */
  temporaryPasswordExpiresAt?: string;
  /**
   * TOTP MFA: `pendingSecret` from AssociateSoftwareToken until VerifySoftwareToken
   * proves the app has it (it then becomes `secret`, and an older one keeps working
   * until then); `enabled`/`preferred` from SetUserMFAPreference; `lastStep` is the
   * time step of the last code accepted, so one code is never taken twice.
   */
  softwareToken?: { secret?: string; pendingSecret?: string; enabled?: boolean; preferred?: boolean; lastStep?: number };
}

export interface IssuerKeys {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function loadOrCreateKeys(file: string): Promise<IssuerKeys> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as IssuerKeys;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const keys: IssuerKeys = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
  await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export interface TokenOptions {
  issuer: string;
  clientId: string;
  ttlSeconds: number;
}

export async function signIdToken(keys: IssuerKeys, opts: TokenOptions, claims: { sub: string; email: string; groups: string[]; name?: string }, now = Math.floor(Date.now() / 1000)) {
  const key = await importJWK(keys.privateJwk, 'RS256');
  return new SignJWT({
    email: claims.email,
    ...(claims.name ? { name: claims.name } : {}),
    email_verified: true,
    'cognito:groups': claims.groups,
    'cognito:username': claims.email,
    token_use: 'id',
    auth_time: now,
  })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
    .setSubject(claims.sub)
    .setIssuer(opts.issuer)
    .setAudience(opts.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + opts.ttlSeconds)
    .setJti(randomUUID())
    .sign(key);
}

/** An access token shaped as Cognito's: `token_use: access`, `client_id` (no `aud`), the self-service scope. */
export async function signAccessToken(keys: IssuerKeys, opts: TokenOptions, claims: { sub: string; email: string; groups: string[] }, now = Math.floor(Date.now() / 1000)) {
  const key = await importJWK(keys.privateJwk, 'RS256');
  return new SignJWT({
    'cognito:groups': claims.groups,
    client_id: opts.clientId,
    username: claims.sub,
    scope: 'aws.cognito.signin.user.admin',
    token_use: 'access',
    auth_time: now,
  })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
    .setSubject(claims.sub)
    .setIssuer(opts.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + opts.ttlSeconds)
    .setJti(randomUUID())
    .sign(key);
}

const sameSecret = (a: string, b: string) => {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
};

export type CognitoReply = { status: number; body: unknown };

/** Replaces a user's password with its hash. */
export async function setPassword(user: LocalUser, password: string): Promise<void> {
  user.passwordHash = await hashPassword(password);
  delete user.password;
}

/** Hashes the passwords a users.json from before hashing kept as text; true when one changed. */
export async function hashStoredPasswords(users: LocalUser[]): Promise<boolean> {
  const legacy = users.filter((u) => typeof u.password === 'string');
  for (const u of legacy) await setPassword(u, u.password!);
  return legacy.length > 0;
}

/** Whether `password` is the user's; the same work for an unknown user. */
async function passwordMatches(user: LocalUser | undefined, password: string): Promise<boolean> {
  if (user && !user.passwordHash && typeof user.password === 'string') {
    if (!sameSecret(password, user.password)) return false;
    await setPassword(user, password);
    return true;
  }
  return (await verifyPassword(password, user?.passwordHash)) && Boolean(user);
}

/** The pool's password policy (lib/constructs/auth.ts), with Cognito's own wording; undefined when the password passes. */
export function passwordPolicyProblem(password: string): string | undefined {
  if (password.length < 12) return 'Password not long enough';
  if (password.length > 256) return 'Password is too long';
  if (!/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (!/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (!/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (!/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/.test(password)) return 'Password must have symbol characters';
  return undefined;
}

/** A temporary password that meets the policy, as Cognito makes for an invitation. */
export function temporaryPassword(): string {
  return `Tmp-${randomBytes(9).toString('base64url')}7a!Z`;
}

export interface LocalPoolOptions extends TokenOptions {
  userPoolId: string;
  /** The pool's groups: adding a user to any other is a ResourceNotFoundException. */
  groups: readonly string[];
  /** Access key id admin calls must be signed with (the local credentials). */
  adminAccessKeyId: string;
  /** Days an invitation's temporary password works (the stack's tempPasswordValidity). */
  temporaryPasswordDays?: number;
  /** Called after every change, with all users: the launcher keeps them in its users file. */
  persist?: (users: readonly LocalUser[]) => Promise<void>;
  /** Delivers an invitation, as Cognito mails one (locally: through the local SES outbox). */
  sendInvitation?: (user: LocalUser, temporaryPassword: string) => Promise<void>;
  now?: () => number;
}

/** Who sent a request: the access key id of its SigV4 Authorization header, if any. */
export interface Caller {
  accessKeyId?: string;
}

export const adminOperations = [
  'AdminCreateUser',
  'AdminGetUser',
  'AdminAddUserToGroup',
  'AdminRemoveUserFromGroup',
  'AdminDisableUser',
  'AdminEnableUser',
  'AdminUserGlobalSignOut',
] as const;
export const publicOperations = ['InitiateAuth', 'RespondToAuthChallenge', 'AssociateSoftwareToken', 'VerifySoftwareToken', 'SetUserMFAPreference'] as const;
export type LocalCognitoOperation = (typeof adminOperations)[number] | (typeof publicOperations)[number];

/**
 * The local user pool's API: InitiateAuth (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH),
 * RespondToAuthChallenge (NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA), the TOTP
 * enrolment a signed-in user makes with their access token (AssociateSoftwareToken,
 * VerifySoftwareToken, SetUserMFAPreference) and the Admin* calls the admin
 * routes make, answering with Cognito's error types and messages.
 */
export function createLocalCognito(keys: IssuerKeys, opts: LocalPoolOptions, users: LocalUser[]) {
  // Refresh tokens live as long as Cognito's app client allows (12 h), and their number is bounded.
  const REFRESH_TTL_MS = 12 * 3600_000;
  const MAX_REFRESH_TOKENS = 10_000;
  // Cognito's challenge sessions last 3 minutes.
  const SESSION_TTL_MS = 3 * 60_000;
  const MAX_SESSIONS = 1_000;
  const now = opts.now ?? Date.now;
  const refreshTokens = new Map<string, { sub: string; expiresAt: number }>();
  type Challenge = 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA';
  const sessions = new Map<string, { sub: string; expiresAt: number; challenge: Challenge; failures: number }>();
  // Wrong TOTP codes one challenge session takes before it is spent.
  const MAX_CODE_FAILURES = 5;
  // AdminUserGlobalSignOut revokes the access tokens issued before it (seconds since the epoch).
  const signedOutAt = new Map<string, number>();
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const fail = (type: string, message: string, status = 400): CognitoReply => ({ status, body: { __type: type, message } });
  const ok = (body: unknown = {}): CognitoReply => ({ status: 200, body });
  const enabled = (u: LocalUser) => u.enabled !== false;
  const bySub = (sub: string) => users.find((u) => u.sub === sub);
  /** Username as Cognito takes it in a pool whose usernames are emails: the email (any case) or the sub. */
  const find = (username: unknown) => {
    const name = text(username).trim().toLowerCase();
    return name ? users.find((u) => u.email === name || u.sub === name) : undefined;
  };
  let saving: Promise<void> = Promise.resolve();
  // One write at a time, in order: the file always ends with the latest state.
  const persist = () => (saving = saving.then(() => opts.persist?.(users)).catch(() => undefined));
  const touch = (u: LocalUser) => (u.updatedAt = new Date(now()).toISOString());

  async function tokens(user: LocalUser, withRefresh: boolean) {
    const at = Math.floor(now() / 1000);
    const idToken = await signIdToken(keys, opts, user, at);
    const accessToken = await signAccessToken(keys, opts, user, at);
    const result: Record<string, unknown> = { IdToken: idToken, AccessToken: accessToken, ExpiresIn: opts.ttlSeconds, TokenType: 'Bearer' };
    if (withRefresh) {
      const refresh = randomUUID();
      if (refreshTokens.size >= MAX_REFRESH_TOKENS) refreshTokens.delete(refreshTokens.keys().next().value!);
      refreshTokens.set(refresh, { sub: user.sub, expiresAt: now() + REFRESH_TTL_MS });
      result.RefreshToken = refresh;
    }
    return ok({ AuthenticationResult: result, ChallengeParameters: {} });
  }

  const attributes = (u: LocalUser) => [
    { Name: 'sub', Value: u.sub },
    { Name: 'email', Value: u.email },
    { Name: 'email_verified', Value: 'true' },
    ...(u.name ? [{ Name: 'name', Value: u.name }] : []),
  ];
  const epoch = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);
  const describe = (u: LocalUser) => ({
    Username: u.sub,
    Enabled: enabled(u),
    UserStatus: u.status ?? 'CONFIRMED',
    UserCreateDate: epoch(u.createdAt),
    UserLastModifiedDate: epoch(u.updatedAt ?? u.createdAt),
  });

  /** TOTP is asked at sign-in once SetUserMFAPreference enabled it (after VerifySoftwareToken). */
  const mfaOn = (u: LocalUser) => Boolean(u.softwareToken?.enabled && u.softwareToken.secret);

  function openSession(user: LocalUser, challenge: Challenge): string {
    const session = randomBytes(48).toString('base64url');
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    sessions.set(session, { sub: user.sub, expiresAt: now() + SESSION_TTL_MS, challenge, failures: 0 });
    return session;
  }

  /** The user an access token (ours, unexpired, not revoked) belongs to, or Cognito's refusal. */
  async function accessUser(token: unknown): Promise<LocalUser | CognitoReply> {
    let payload: Record<string, unknown>;
    try {
      const publicKey = await importJWK(keys.publicJwk, 'RS256');
      ({ payload } = await jwtVerify(text(token), publicKey, { issuer: opts.issuer, algorithms: ['RS256'], currentDate: new Date(now()) }));
    } catch (err) {
      const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
      return fail('NotAuthorizedException', expired ? 'Access Token has expired' : 'Invalid Access Token');
    }
    // An ID token is not an access token, in Cognito either.
    if (payload.token_use !== 'access' || payload.client_id !== opts.clientId) return fail('NotAuthorizedException', 'Invalid Access Token');
    const user = bySub(text(payload.sub));
    if (!user) return fail('NotAuthorizedException', 'Invalid Access Token');
    if (Number(payload.iat) < (signedOutAt.get(user.sub) ?? 0)) return fail('NotAuthorizedException', 'Access Token has been revoked');
    if (!enabled(user)) return fail('NotAuthorizedException', 'User is disabled.');
    return user;
  }
  const isReply = (v: LocalUser | CognitoReply): v is CognitoReply => 'status' in v && 'body' in v;

  async function associateSoftwareToken(r: Record<string, unknown>): Promise<CognitoReply> {
    if (r.Session !== undefined && r.AccessToken === undefined) return fail('InvalidParameterException', 'Only AssociateSoftwareToken with an AccessToken is supported locally.');
    const user = await accessUser(r.AccessToken);
    if (isReply(user)) return user;
    const secret = newTotpSecret();
    user.softwareToken = { ...user.softwareToken, pendingSecret: secret };
    touch(user);
    await persist();
    return ok({ SecretCode: secret });
  }

  async function verifySoftwareToken(r: Record<string, unknown>): Promise<CognitoReply> {
    const user = await accessUser(r.AccessToken);
    if (isReply(user)) return user;
    const code = text(r.UserCode);
    if (!/^\d{6}$/.test(code)) return fail('InvalidParameterException', "1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{6}");
    const token = user.softwareToken;
    if (!token?.pendingSecret) return fail('InvalidParameterException', 'User has not associated a software token; call AssociateSoftwareToken first.');
    const step = verifyTotp(token.pendingSecret, code, now());
    if (step === undefined) return fail('EnableSoftwareTokenMFAException', 'Code mismatch');
    user.softwareToken = { ...token, secret: token.pendingSecret, lastStep: step };
    delete user.softwareToken.pendingSecret;
    touch(user);
    await persist();
    return ok({ Status: 'SUCCESS' });
  }

  async function setUserMfaPreference(r: Record<string, unknown>): Promise<CognitoReply> {
    const user = await accessUser(r.AccessToken);
    if (isReply(user)) return user;
    if (r.SMSMfaSettings !== undefined || r.EmailMfaSettings !== undefined) return fail('InvalidParameterException', 'SMS and email MFA are not enabled for this user pool.');
    const settings = r.SoftwareTokenMfaSettings;
    if (settings === undefined) return ok();
    if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return fail('SerializationException', 'SoftwareTokenMfaSettings must be an object.');
    const { Enabled, PreferredMfa } = settings as { Enabled?: unknown; PreferredMfa?: unknown };
    if ((Enabled !== undefined && typeof Enabled !== 'boolean') || (PreferredMfa !== undefined && typeof PreferredMfa !== 'boolean')) {
      return fail('SerializationException', 'Enabled and PreferredMfa are booleans.');
    }
    if (PreferredMfa && Enabled === false) return fail('InvalidParameterException', 'The preferred MFA method must be enabled.');
    if ((Enabled || PreferredMfa) && !user.softwareToken?.secret) return fail('InvalidParameterException', 'User has not verified software token mfa');
    const token = { ...user.softwareToken };
    if (Enabled !== undefined) token.enabled = Enabled;
    if (PreferredMfa !== undefined) token.preferred = PreferredMfa;
    if (token.enabled === false) token.preferred = false;
    user.softwareToken = token;
    touch(user);
    await persist();
    return ok();
  }

  async function initiateAuth(r: { AuthFlow?: unknown; ClientId?: unknown; AuthParameters?: Record<string, unknown> }): Promise<CognitoReply> {
    if (r.ClientId !== opts.clientId) return fail('ResourceNotFoundException', 'User pool client does not exist.');
    const params = r.AuthParameters ?? {};
    if (r.AuthFlow === 'USER_PASSWORD_AUTH') {
      const candidate = find(params.USERNAME);
      // Same answer, and the same work, for an unknown user and a wrong password, as Cognito does.
      const passwordOk = await passwordMatches(candidate, text(params.PASSWORD));
      if (!candidate || !passwordOk) return fail('NotAuthorizedException', 'Incorrect username or password.');
      if (!enabled(candidate)) return fail('NotAuthorizedException', 'User is disabled.');
      if (candidate.status === 'FORCE_CHANGE_PASSWORD') {
        if (candidate.temporaryPasswordExpiresAt && Date.parse(candidate.temporaryPasswordExpiresAt) < now()) {
          return fail('NotAuthorizedException', 'Temporary password has expired and must be reset by an administrator.');
        }
        const session = openSession(candidate, 'NEW_PASSWORD_REQUIRED');
        const userAttributes = Object.fromEntries(attributes(candidate).filter((a) => a.Name !== 'sub').map((a) => [a.Name, a.Value]));
        return ok({
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: session,
          ChallengeParameters: { USER_ID_FOR_SRP: candidate.sub, requiredAttributes: '[]', userAttributes: JSON.stringify(userAttributes) },
        });
      }
      if (mfaOn(candidate)) {
        return ok({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: openSession(candidate, 'SOFTWARE_TOKEN_MFA'), ChallengeParameters: { USER_ID_FOR_SRP: candidate.sub } });
      }
      return tokens(candidate, true);
    }
    if (r.AuthFlow === 'REFRESH_TOKEN_AUTH') {
      const entry = refreshTokens.get(text(params.REFRESH_TOKEN));
      if (!entry || entry.expiresAt < now()) return fail('NotAuthorizedException', 'Invalid Refresh Token');
      const user = bySub(entry.sub);
      if (!user) return fail('NotAuthorizedException', 'Invalid Refresh Token');
      if (!enabled(user)) return fail('NotAuthorizedException', 'User is disabled.');
      // The new ID token carries the user's groups as they are now.
      return tokens(user, false);
    }
    return fail('InvalidParameterException', 'Only USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH are supported locally.');
  }

  async function respondToAuthChallenge(r: { ChallengeName?: unknown; ClientId?: unknown; Session?: unknown; ChallengeResponses?: Record<string, unknown> }): Promise<CognitoReply> {
    if (r.ClientId !== opts.clientId) return fail('ResourceNotFoundException', 'User pool client does not exist.');
    if (r.ChallengeName !== 'NEW_PASSWORD_REQUIRED' && r.ChallengeName !== 'SOFTWARE_TOKEN_MFA') {
      return fail('InvalidParameterException', 'Only the NEW_PASSWORD_REQUIRED and SOFTWARE_TOKEN_MFA challenges are supported locally.');
    }
    const responses = r.ChallengeResponses ?? {};
    const session = sessions.get(text(r.Session));
    const live = session && session.expiresAt >= now() && session.challenge === r.ChallengeName;
    const user = live ? bySub(session.sub) : undefined;
    if (!user || (r.ChallengeName === 'NEW_PASSWORD_REQUIRED' && user.status !== 'FORCE_CHANGE_PASSWORD')) {
      return fail('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    if (find(responses.USERNAME) !== user) return fail('NotAuthorizedException', 'Invalid session for the user.');
    if (!enabled(user)) return fail('NotAuthorizedException', 'User is disabled.');
    if (r.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
      const token = user.softwareToken;
      if (!mfaOn(user) || !token?.secret) return fail('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      const step = verifyTotp(token.secret, text(responses.SOFTWARE_TOKEN_MFA_CODE), now());
      // A code already used (the same step or an earlier one) counts as wrong: a code seen over a shoulder is spent.
      if (step === undefined || step <= (token.lastStep ?? -1)) {
        // A wrong code leaves the challenge standing, a few times.
        if (++session!.failures >= MAX_CODE_FAILURES) sessions.delete(text(r.Session));
        return fail('CodeMismatchException', 'Invalid code received for user');
      }
      sessions.delete(text(r.Session));
      token.lastStep = step;
      await persist();
      return tokens(user, true);
    }
    const password = text(responses.NEW_PASSWORD);
    if (!password) return fail('InvalidParameterException', 'Missing required parameter NEW_PASSWORD');
    const problem = passwordPolicyProblem(password);
    // A failed attempt keeps the session, so the form can be corrected and sent again.
    if (problem) return fail('InvalidPasswordException', `Password does not conform to policy: ${problem}`);
    sessions.delete(text(r.Session));
    await setPassword(user, password);
    user.status = 'CONFIRMED';
    delete user.temporaryPasswordExpiresAt;
    touch(user);
    await persist();
    return tokens(user, true);
  }

  async function admin(op: (typeof adminOperations)[number], r: Record<string, unknown>): Promise<CognitoReply> {
    if (r.UserPoolId !== opts.userPoolId) return fail('ResourceNotFoundException', `User pool ${text(r.UserPoolId)} does not exist.`);
    if (op === 'AdminCreateUser') return createUser(r);
    const user = find(r.Username);
    if (!user) return fail('UserNotFoundException', 'User does not exist.');
    switch (op) {
      case 'AdminGetUser':
        return ok({
          ...describe(user),
          UserAttributes: attributes(user),
          ...(mfaOn(user) ? { UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], ...(user.softwareToken?.preferred ? { PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' } : {}) } : {}),
        });
      case 'AdminAddUserToGroup':
      case 'AdminRemoveUserFromGroup': {
        const group = text(r.GroupName);
        if (!opts.groups.includes(group)) return fail('ResourceNotFoundException', 'Group not found.');
        const member = user.groups.includes(group);
        // Both are idempotent in Cognito: adding a member or removing a non-member changes nothing.
        if (op === 'AdminAddUserToGroup' && !member) user.groups.push(group);
        else if (op === 'AdminRemoveUserFromGroup' && member) user.groups = user.groups.filter((g) => g !== group);
        else return ok();
        touch(user);
        await persist();
        return ok();
      }
      case 'AdminDisableUser':
      case 'AdminEnableUser':
        if (enabled(user) !== (op === 'AdminEnableUser')) {
          user.enabled = op === 'AdminEnableUser';
          touch(user);
          await persist();
        }
        return ok();
      case 'AdminUserGlobalSignOut':
        for (const [token, entry] of refreshTokens) if (entry.sub === user.sub) refreshTokens.delete(token);
        for (const [session, entry] of sessions) if (entry.sub === user.sub) sessions.delete(session);
        signedOutAt.set(user.sub, Math.floor(now() / 1000));
        return ok();
    }
  }

  async function createUser(r: Record<string, unknown>): Promise<CognitoReply> {
    const attrs = Array.isArray(r.UserAttributes) ? (r.UserAttributes as { Name?: unknown; Value?: unknown }[]) : [];
    const attr = (name: string) => text(attrs.find((a) => a?.Name === name)?.Value);
    const username = text(r.Username).trim().toLowerCase();
    // In a pool whose usernames are emails, the username is the email.
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(username) || username.length > 254) return fail('InvalidParameterException', 'Username should be an email.');
    if (attr('email') && attr('email').toLowerCase() !== username) return fail('InvalidParameterException', 'The email attribute must match the username.');
    const action = r.MessageAction;
    if (action !== undefined && action !== 'RESEND' && action !== 'SUPPRESS') return fail('InvalidParameterException', "MessageAction must be RESEND or SUPPRESS.");
    const given = text(r.TemporaryPassword);
    if (given && passwordPolicyProblem(given)) return fail('InvalidPasswordException', `Password does not conform to policy: ${passwordPolicyProblem(given)}`);
    const existing = find(username);
    if (action === 'RESEND') {
      // A new temporary password for an invitation not yet taken up.
      if (!existing) return fail('UserNotFoundException', 'User does not exist.');
      if (existing.status !== 'FORCE_CHANGE_PASSWORD') return fail('UnsupportedUserStateException', 'Resend not possible. ' + existing.sub + ' status is not FORCE_CHANGE_PASSWORD.');
    } else if (existing) {
      return fail('UsernameExistsException', 'An account with the given email already exists.');
    }
    const password = given || temporaryPassword();
    const at = new Date(now()).toISOString();
    const expires = new Date(now() + (opts.temporaryPasswordDays ?? 3) * 86_400_000).toISOString();
    const user: LocalUser =
      existing ??
      ({ email: username, sub: randomUUID(), groups: [], status: 'FORCE_CHANGE_PASSWORD', enabled: true, createdAt: at } satisfies LocalUser);
    if (!existing) {
      const name = attr('name').trim();
      if (name) user.name = name.slice(0, 2048);
      users.push(user);
    }
    await setPassword(user, password);
    user.temporaryPasswordExpiresAt = expires;
    user.updatedAt = at;
    await persist();
    if (action !== 'SUPPRESS') await opts.sendInvitation?.(user, password);
    return ok({ User: { ...describe(user), Attributes: attributes(user) } });
  }

  /** Answers one call; admin calls must be signed with the local credentials, as AWS requires SigV4. */
  return async function handle(operation: string, request: unknown, caller: Caller = {}): Promise<CognitoReply> {
    if (!request || typeof request !== 'object' || Array.isArray(request)) return fail('SerializationException', 'The request body must be a JSON object.');
    const r = request as Record<string, unknown>;
    if (operation === 'InitiateAuth') return initiateAuth(r);
    if (operation === 'RespondToAuthChallenge') return respondToAuthChallenge(r);
    if (operation === 'AssociateSoftwareToken') return associateSoftwareToken(r);
    if (operation === 'VerifySoftwareToken') return verifySoftwareToken(r);
    if (operation === 'SetUserMFAPreference') return setUserMfaPreference(r);
    if ((adminOperations as readonly string[]).includes(operation)) {
      if (!caller.accessKeyId) return fail('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      if (caller.accessKeyId !== opts.adminAccessKeyId) return fail('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
      return admin(operation as (typeof adminOperations)[number], r);
    }
    return fail('UnknownOperationException', `${operation || 'This operation'} is not served by the local user pool`);
  };
}

export type LocalCognito = ReturnType<typeof createLocalCognito>;
