import { describe, expect, it } from 'vitest';
import { generateKeyPair, exportJWK } from 'jose';
import { routes } from '../../lib/definitions/routes.ts';
import { api, endpoints, forgeToken, signIn, tokenFor } from './client.ts';

const samplePath = (path: string) => path.replace('{id}', '01JAAAAAAAAAAAAAAAAAAAAAAA').replace('{email}', 'someone%40example.com');

describe('every agent route requires a valid agent token', () => {
  const agentRoutes = routes.filter((r) => r.auth === 'agent');

  it.each(agentRoutes.map((r) => [r.method, r.path]))('%s %s without a token is 401', async (method, path) => {
    const res = await api(method, samplePath(path), { body: method === 'GET' ? undefined : {} });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'Unauthorized' });
  });

  it.each(agentRoutes.map((r) => [r.method, r.path]))('%s %s with a non-agent group is 403', async (method, path) => {
    const token = await forgeToken({ claims: { 'cognito:groups': ['customers'] } });
    const res = await api(method, samplePath(path), { token, body: method === 'GET' ? undefined : {} });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('tokens are verified as the HTTP API JWT authorizer does', () => {
  const list = (token: string) => api('GET', '/tickets', { token });

  it('accepts a token from the local user pool', async () => {
    const res = await list(await tokenFor('l1@helpdesk.local'));
    expect(res.status).toBe(200);
    expect(res.body).toHaveProperty('items');
  });

  it('refuses a tampered token (payload changed, signature kept)', async () => {
    const [h, p, s] = (await tokenFor('l1@helpdesk.local')).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims['cognito:groups'] = ['admins'];
    const tampered = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
    expect((await list(tampered)).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const token = await forgeToken({ exp: Math.floor(Date.now() / 1000) - 5 });
    expect((await list(token)).status).toBe(401);
  });

  it('refuses another issuer, another audience and another key', async () => {
    expect((await list(await forgeToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/evil' }))).status).toBe(401);
    expect((await list(await forgeToken({ aud: 'some-other-client' }))).status).toBe(401);
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    expect((await list(await forgeToken({ key: await exportJWK(privateKey) }))).status).toBe(401);
  });

  it('refuses an unsigned token and garbage', async () => {
    const none = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
      Buffer.from(JSON.stringify({ sub: 'x', email: 'x@y.z', 'cognito:groups': ['admins'], iss: endpoints.auth.issuer, aud: endpoints.auth.clientId, exp: 9999999999 })).toString('base64url'),
      '',
    ].join('.');
    expect((await list(none)).status).toBe(401);
    expect((await list('not-a-jwt')).status).toBe(401);
    expect((await api('GET', '/tickets', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(401);
  });

  it('refuses a signed token that carries no expiry', async () => {
    const token = await forgeToken({ exp: 0 });
    const [, payload] = token.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).not.toHaveProperty('exp');
    expect((await list(token)).status).toBe(401);
  });

  it('refuses a token with no groups at all with 403', async () => {
    const token = await forgeToken({ claims: { 'cognito:groups': undefined } });
    expect((await list(token)).status).toBe(403);
  });

  it('accepts every seeded agent, one per level plus an admin', async () => {
    const groups = endpoints.agents.flatMap((a) => a.groups).sort();
    expect(groups).toEqual(['admins', 'agents-l1', 'agents-l2', 'agents-l3']);
    for (const a of endpoints.agents) expect((await list(await tokenFor(a.email))).status).toBe(200);
  });
});

describe('local sign-in speaks Cognito InitiateAuth', () => {
  it('issues an ID token with Cognito claims', async () => {
    const agent = endpoints.agents.find((a) => a.groups.includes('agents-l2'))!;
    const res = await signIn(agent.email, agent.password);
    expect(res.status).toBe(200);
    const claims = JSON.parse(Buffer.from(res.body.AuthenticationResult.IdToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ email: agent.email, 'cognito:groups': ['agents-l2'], iss: endpoints.auth.issuer, aud: endpoints.auth.clientId, token_use: 'id' });
    expect(typeof claims.sub).toBe('string');
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(3600);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await signIn('l1@helpdesk.local', 'not-the-password');
    const unknown = await signIn('nobody@helpdesk.local', 'whatever');
    expect(wrong).toEqual({ status: 400, body: { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' } });
    expect(unknown).toEqual(wrong);
  });

  it('refreshes a session with the refresh token, and refuses a made-up one', async () => {
    const agent = endpoints.agents[0]!;
    const first = await signIn(agent.email, agent.password);
    const refresh = (body: unknown) =>
      fetch(endpoints.auth.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const ok = await refresh({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: endpoints.auth.clientId, AuthParameters: { REFRESH_TOKEN: first.body.AuthenticationResult.RefreshToken } });
    expect(ok.status).toBe(200);
    expect(ok.body.AuthenticationResult.IdToken).toBeTruthy();
    const made = await refresh({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: endpoints.auth.clientId, AuthParameters: { REFRESH_TOKEN: 'made-up' } });
    expect(made.status).toBe(400);
    const odd = await refresh({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: endpoints.auth.clientId, AuthParameters: { USERNAME: { toString: 1 }, PASSWORD: ['x'] } });
    expect(odd).toEqual({ status: 400, body: { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' } });
  });

  it('serves the JWKS at the issuer URL', async () => {
    const res = await fetch(endpoints.auth.jwksUrl);
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d'); // never the private part
  });
});
