import { authEndpoint, type AppConfig } from './config.ts';
import { idClaims } from './jwt.ts';

/**
 * Sign-in against Cognito's InitiateAuth (JSON 1.1): USER_PASSWORD_AUTH with
 * the form's email and password, REFRESH_TOKEN_AUTH before the ID token runs
 * out. Local mode's issuer speaks the same protocol. The session lives in this
 * tab only (sessionStorage): closing the tab ends it, and sign-out clears it.
 */
export interface Session {
  idToken: string;
  /** For the user's own Cognito calls (TOTP enrolment); absent in sessions stored before it was kept. */
  accessToken?: string;
  refreshToken?: string;
  email: string;
  name?: string;
  groups: string[];
  /** ID token expiry, ms since the epoch. */
  expiresAt: number;
}

export type SignOutReason = 'user' | 'expired';

/** An invited agent's first sign-in: Cognito asks for a new password before it issues tokens. */
export interface NewPasswordChallenge {
  username: string;
  session: string;
}
/** An agent with TOTP on: Cognito asks for the authenticator app's code after the password. */
export type MfaChallenge = NewPasswordChallenge;

export class AuthError extends Error {
  constructor(
    readonly code:
      | 'invalid_credentials'
      | 'new_password_required'
      | 'unsupported_challenge'
      | 'invalid_password'
      | 'challenge_expired'
      | 'mfa_required'
      | 'wrong_code'
      | 'mfa_expired'
      | 'session_ended'
      | 'too_many_attempts'
      | 'network'
      | 'unknown',
    message: string,
    /** With new_password_required: what completeNewPassword needs; with mfa_required: what completeMfa needs. */
    readonly challenge?: NewPasswordChallenge,
  ) {
    super(message);
  }
}

const STORAGE_KEY = 'helpdesk.session';
let config: AppConfig | undefined;
let session: Session | null = null;
let lastReason: SignOutReason | undefined;
const listeners = new Set<() => void>();

export function configureAuth(c: AppConfig) {
  config = c;
  session = load();
}

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (typeof s.idToken !== 'string' || typeof s.expiresAt !== 'number') return null;
    // An ID token past its time is only worth keeping if a refresh token can renew it.
    if (s.expiresAt <= Date.now() && !s.refreshToken) return null;
    return s;
  } catch {
    return null;
  }
}

function store(s: Session | null) {
  session = s;
  try {
    if (s) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage may be off (private mode): the session then lives in memory only.
  }
  for (const l of listeners) l();
}

export const getSession = () => session;
/** Why the last session ended, once: the sign-in page explains an expiry. */
export function takeSignOutReason(): SignOutReason | undefined {
  const r = lastReason;
  lastReason = undefined;
  return r;
}
export function onSessionChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

type SelfServiceOperation = 'AssociateSoftwareToken' | 'VerifySoftwareToken' | 'SetUserMFAPreference';

async function cognito(operation: 'InitiateAuth' | 'RespondToAuthChallenge' | SelfServiceOperation, body: Record<string, unknown>): Promise<Record<string, any>> {
  if (!config) throw new AuthError('unknown', 'not configured');
  // The calls a signed-in user makes with their access token take no ClientId.
  const selfService = operation !== 'InitiateAuth' && operation !== 'RespondToAuthChallenge';
  let res: Response;
  try {
    res = await fetch(authEndpoint(config), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify(selfService ? body : { ClientId: config.auth.clientId, ...body }),
    });
  } catch {
    throw new AuthError('network', 'The sign-in service could not be reached');
  }
  const data = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (!res.ok) {
    const type = String(data.__type ?? '').split('#').pop();
    if (type === 'InvalidPasswordException') throw new AuthError('invalid_password', String(data.message ?? type));
    // A TOTP code that is not the app's current one: at sign-in (CodeMismatch) or when enrolling (EnableSoftwareTokenMFA).
    if (type === 'CodeMismatchException' || type === 'EnableSoftwareTokenMFAException') throw new AuthError('wrong_code', String(data.message ?? type));
    if (operation === 'VerifySoftwareToken' && type === 'InvalidParameterException') throw new AuthError('wrong_code', String(data.message ?? type));
    // The access token was refused (expired, revoked by an admin, account disabled): only signing in again helps.
    if (selfService && type === 'NotAuthorizedException') throw new AuthError('session_ended', String(data.message ?? type));
    // In the challenge, a refusal means its session ran out (3 minutes) or the account changed: start again.
    if (operation === 'RespondToAuthChallenge' && (type === 'NotAuthorizedException' || type === 'CodeMismatchException' || type === 'ExpiredCodeException')) {
      throw new AuthError('challenge_expired', String(data.message ?? type));
    }
    if (type === 'NotAuthorizedException' || type === 'UserNotFoundException') throw new AuthError('invalid_credentials', String(data.message ?? type));
    if (type === 'TooManyRequestsException' || type === 'LimitExceededException') throw new AuthError('too_many_attempts', String(data.message ?? type));
    throw new AuthError('unknown', String(data.message ?? `sign-in answered ${res.status}`));
  }
  return data;
}

function sessionFrom(result: Record<string, any>, previous?: Session): Session {
  const idToken = String(result.IdToken ?? '');
  const claims = idClaims(idToken);
  const accessToken = typeof result.AccessToken === 'string' ? result.AccessToken : previous?.accessToken;
  return {
    idToken,
    ...(accessToken ? { accessToken } : {}),
    refreshToken: typeof result.RefreshToken === 'string' ? result.RefreshToken : previous?.refreshToken,
    email: claims.email,
    ...(claims.name ? { name: claims.name } : {}),
    groups: claims.groups,
    expiresAt: claims.expiresAt || Date.now() + Number(result.ExpiresIn ?? 3600) * 1000,
  };
}

function begin(result: Record<string, any> | undefined): Session {
  if (!result?.IdToken) throw new AuthError('unknown', 'no token in the answer');
  const s = sessionFrom(result);
  lastReason = undefined;
  store(s);
  return s;
}

/** Signs in; an invited agent's first sign-in throws new_password_required carrying the challenge for completeNewPassword. */
export async function signIn(email: string, password: string): Promise<Session> {
  const username = email.trim().toLowerCase();
  const data = await cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } });
  if (data.ChallengeName === 'NEW_PASSWORD_REQUIRED' && typeof data.Session === 'string') {
    throw new AuthError('new_password_required', 'NEW_PASSWORD_REQUIRED', { username, session: data.Session });
  }
  if (data.ChallengeName === 'SOFTWARE_TOKEN_MFA' && typeof data.Session === 'string') {
    throw new AuthError('mfa_required', 'SOFTWARE_TOKEN_MFA', { username, session: data.Session });
  }
  if (data.ChallengeName) throw new AuthError('unsupported_challenge', String(data.ChallengeName));
  return begin(data.AuthenticationResult);
}

/**
 * Answers SOFTWARE_TOKEN_MFA with the authenticator app's code. A wrong code
 * throws wrong_code and the challenge stands (Cognito allows a few tries); an
 * expired or spent session throws mfa_expired: sign in again from the password.
 */
export async function completeMfa(challenge: MfaChallenge, code: string): Promise<Session> {
  let data: Record<string, any>;
  try {
    data = await cognito('RespondToAuthChallenge', {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: challenge.session,
      ChallengeResponses: { USERNAME: challenge.username, SOFTWARE_TOKEN_MFA_CODE: code.replace(/\s/g, '') },
    });
  } catch (err) {
    if (err instanceof AuthError && err.code === 'challenge_expired') throw new AuthError('mfa_expired', err.message);
    throw err;
  }
  if (data.ChallengeName) throw new AuthError('unsupported_challenge', String(data.ChallengeName));
  return begin(data.AuthenticationResult);
}

/** An access token good for at least another 30 s (refreshed first if needed, or if the session has none). */
async function validAccessToken(): Promise<string> {
  const s = session;
  if (s?.accessToken && s.expiresAt - Date.now() > 30_000) return s.accessToken;
  const renewed = await refreshSession();
  if (!renewed?.accessToken) throw new AuthError('session_ended', 'no access token');
  return renewed.accessToken;
}

/** TOTP enrolment, step 1: a new secret (base32) for the authenticator app; TOTP stays as it was until step 2. */
export async function associateTotp(): Promise<string> {
  const data = await cognito('AssociateSoftwareToken', { AccessToken: await validAccessToken() });
  if (typeof data.SecretCode !== 'string') throw new AuthError('unknown', 'no secret in the answer');
  return data.SecretCode;
}

/** TOTP enrolment, step 2: the app's current code proves it holds the secret; then TOTP is enabled and preferred. */
export async function confirmTotp(code: string): Promise<void> {
  const accessToken = await validAccessToken();
  const verified = await cognito('VerifySoftwareToken', { AccessToken: accessToken, UserCode: code.replace(/\s/g, ''), FriendlyDeviceName: 'Authenticator app' });
  if (verified.Status !== 'SUCCESS') throw new AuthError('wrong_code', String(verified.Status ?? 'ERROR'));
  await cognito('SetUserMFAPreference', { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
}

/** Answers NEW_PASSWORD_REQUIRED with the password the agent chose, and signs in with it. */
export async function completeNewPassword(challenge: NewPasswordChallenge, newPassword: string): Promise<Session> {
  const data = await cognito('RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: challenge.session,
    ChallengeResponses: { USERNAME: challenge.username, NEW_PASSWORD: newPassword },
  });
  if (data.ChallengeName) throw new AuthError('unsupported_challenge', String(data.ChallengeName));
  return begin(data.AuthenticationResult);
}

let refreshing: Promise<Session | null> | undefined;

/** A fresh ID token from the refresh token; null (and signed out as expired) when that fails. */
export function refreshSession(): Promise<Session | null> {
  refreshing ??= (async () => {
    const current = session;
    if (!current?.refreshToken) {
      if (current) signOut('expired');
      return null;
    }
    try {
      const data = await cognito('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: current.refreshToken } });
      if (!data.AuthenticationResult?.IdToken) throw new AuthError('unknown', 'no token');
      const s = sessionFrom(data.AuthenticationResult, current);
      // Signed out (or in as someone else) meanwhile: that wins.
      if (session?.refreshToken !== current.refreshToken) return session;
      store(s);
      return s;
    } catch (err) {
      // A network blip keeps the session: the next call tries again.
      if (err instanceof AuthError && err.code === 'network' && current.expiresAt > Date.now()) return current;
      if (session?.refreshToken === current.refreshToken) signOut('expired');
      return null;
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** A token good for at least another 30 s, refreshed first if needed; null when the session is over. */
export async function validToken(): Promise<string | null> {
  const s = session;
  if (!s) return null;
  if (s.expiresAt - Date.now() > 30_000) return s.idToken;
  return (await refreshSession())?.idToken ?? null;
}

export function signOut(reason: SignOutReason = 'user') {
  const ending = session;
  lastReason = reason;
  store(null);
  // Revoke the refresh token where the service supports it (Cognito); best effort.
  if (reason === 'user' && ending?.refreshToken && config && authEndpoint(config).includes('cognito-idp.')) {
    void fetch(authEndpoint(config), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.RevokeToken' },
      body: JSON.stringify({ ClientId: config.auth.clientId, Token: ending.refreshToken }),
    }).catch(() => undefined);
  }
}
