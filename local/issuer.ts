import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * A local stand-in for the Cognito user pool. It signs RS256 tokens carrying
 * the claims Cognito puts in an ID token (`sub`, `email`, `cognito:groups`,
 * `aud` = app client id) and answers the two InitiateAuth flows the dashboard
 * uses, in Cognito's own JSON protocol, so client code works against both.
 */
export interface LocalUser {
  email: string;
  password: string;
  groups: string[];
  sub: string;
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

export async function signIdToken(keys: IssuerKeys, opts: TokenOptions, claims: { sub: string; email: string; groups: string[] }, now = Math.floor(Date.now() / 1000)) {
  const key = await importJWK(keys.privateJwk, 'RS256');
  return new SignJWT({
    email: claims.email,
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

const sameSecret = (a: string, b: string) => {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
};

type CognitoReply = { status: number; body: unknown };

/** Cognito's `InitiateAuth`, limited to USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH. */
export function createInitiateAuth(keys: IssuerKeys, opts: TokenOptions, users: LocalUser[]) {
  // Refresh tokens live as long as Cognito's app client allows (12 h), and their number is bounded.
  const REFRESH_TTL_MS = 12 * 3600_000;
  const MAX_REFRESH_TOKENS = 10_000;
  const refreshTokens = new Map<string, { user: LocalUser; expiresAt: number }>();
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const fail = (type: string, message: string): CognitoReply => ({ status: 400, body: { __type: type, message } });

  return async (request: unknown): Promise<CognitoReply> => {
    const r = request as { AuthFlow?: unknown; ClientId?: unknown; AuthParameters?: Record<string, unknown> };
    if (!r || typeof r !== 'object' || r.ClientId !== opts.clientId) return fail('ResourceNotFoundException', 'User pool client does not exist.');
    const params = r.AuthParameters ?? {};
    let user: LocalUser | undefined;
    if (r.AuthFlow === 'USER_PASSWORD_AUTH') {
      const username = text(params.USERNAME).trim().toLowerCase();
      const candidate = users.find((u) => u.email === username);
      // Same answer, and the same work, for an unknown user and a wrong password, as Cognito does.
      const passwordOk = sameSecret(text(params.PASSWORD), candidate?.password ?? randomUUID());
      if (!candidate || !passwordOk) return fail('NotAuthorizedException', 'Incorrect username or password.');
      user = candidate;
    } else if (r.AuthFlow === 'REFRESH_TOKEN_AUTH') {
      const entry = refreshTokens.get(text(params.REFRESH_TOKEN));
      if (!entry || entry.expiresAt < Date.now()) return fail('NotAuthorizedException', 'Invalid Refresh Token');
      user = entry.user;
    } else {
      return fail('InvalidParameterException', 'Only USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH are supported locally.');
    }
    const idToken = await signIdToken(keys, opts, user);
    const result: Record<string, unknown> = { IdToken: idToken, AccessToken: idToken, ExpiresIn: opts.ttlSeconds, TokenType: 'Bearer' };
    if (r.AuthFlow === 'USER_PASSWORD_AUTH') {
      const refresh = randomUUID();
      if (refreshTokens.size >= MAX_REFRESH_TOKENS) refreshTokens.delete(refreshTokens.keys().next().value!);
      refreshTokens.set(refresh, { user, expiresAt: Date.now() + REFRESH_TTL_MS });
      result.RefreshToken = refresh;
    }
    return { status: 200, body: { AuthenticationResult: result, ChallengeParameters: {} } };
  };
}
