import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/definitions/routes.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { api, createTicket, endpoints, signIn, tokenFor, uniqueEmail, until } from './client.ts';

/**
 * The admin routes against local mode: the same handlers as in AWS, calling
 * the local user pool's Admin* operations; invitations land in the local outbox.
 */
const ADMIN = 'admin@helpdesk.local';
const NEW_PASSWORD = 'Brand-New-Pass-42';
const adminRoutes = routes.filter((r) => r.name.startsWith('Admin'));
const enc = encodeURIComponent;

interface OutboxMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
}
async function invitationsTo(email: string): Promise<OutboxMail[]> {
  const { emails } = (await (await fetch(`${endpoints.outboxUrl}/store`)).json()) as { emails: OutboxMail[] };
  return emails.filter((m) => m.destination.to.includes(email) && m.subject === 'Your temporary password');
}

async function cognito(operation: string, body: Record<string, unknown>) {
  const res = await fetch(endpoints.auth.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify({ ClientId: endpoints.auth.clientId, ...body }),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const refresh = (token: string) => cognito('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } });
const groupsOf = (idToken: string) => decodeJwt(idToken)['cognito:groups'];

async function someDepartment(): Promise<string[]> {
  const res = await api('GET', '/departments', { token: await tokenFor(ADMIN) });
  return (res.body.items as { id: string }[]).slice(0, 1).map((d) => d.id);
}

/** Invites an agent and takes them through the first sign-in; returns their tokens. */
async function inviteAndActivate(level: 1 | 2 | 3, departments: string[]) {
  const email = uniqueEmail('agent');
  const invited = await api('POST', '/admin/agents', { token: await tokenFor(ADMIN), body: { email, name: 'Nina Nova', level, departments } });
  expect(invited.status, invited.text).toBe(201);
  const mail = await until('the invitation', async () => (await invitationsTo(email))[0]);
  const temporary = /temporary password is (\S+)\./.exec(mail!.body.text ?? '')![1]!;
  const first = await signIn(email, temporary);
  const done = await cognito('RespondToAuthChallenge', { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.body.Session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD } });
  expect(done.status).toBe(200);
  return { email, tokens: done.body.AuthenticationResult as { IdToken: string; RefreshToken: string } };
}

/** A path for each admin route, with a body it would accept from an admin. */
function sample(route: (typeof adminRoutes)[number]) {
  const path = route.path.replace('{email}', enc('l2@helpdesk.local')).replace('{id}', 'probe');
  const bodies: Record<string, unknown> = {
    AdminInviteAgent: { email: uniqueEmail('probe'), name: 'Probe', level: 1, departments: [] },
    AdminUpdateAgent: { level: 3 },
    AdminPutCannedResponse: { title: { en: 'x', 'pt-BR': 'x' }, body: { en: 'x', 'pt-BR': 'x' } },
  };
  return { path, body: bodies[route.name] };
}

describe('admin routes refuse everyone but admins', () => {
  it.each(adminRoutes.map((r) => [r.name, r] as const))('%s is a 403 for an agent who is not an admin, whatever the body', async (_name, route) => {
    const { path, body } = sample(route);
    for (const agent of ['l1@helpdesk.local', 'l3@helpdesk.local']) {
      const token = await tokenFor(agent);
      const res = await api(route.method, path, { token, ...(body !== undefined && { body }) });
      expect(res.status, `${agent}: ${res.text}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      // A bad body is refused the same way: nothing about the schema leaks to non-admins.
      if (route.method !== 'GET' && route.method !== 'DELETE') {
        expect((await api(route.method, path, { token, body: { nonsense: true } })).status).toBe(403);
      }
    }
    // Nothing happened: l2 is still level 2 and the probe reply does not exist.
    const l2 = await api('GET', `/admin/agents/${enc('l2@helpdesk.local')}`, { token: await tokenFor(ADMIN) });
    expect(l2.body.level).toBe(2);
    const canned = await api('GET', '/canned-responses', { token: await tokenFor(ADMIN) });
    expect((canned.body.items as { id: string }[]).map((c) => c.id)).not.toContain('probe');
  });
});

describe('rights come from the profile, not from the token', () => {
  it("a demoted admin's token gets 403 on every admin route at once, and changes nothing", async () => {
    const { email, tokens } = await inviteAndActivate(3, []);
    const token = await tokenFor(ADMIN);
    expect((await api('PATCH', `/admin/agents/${enc(email)}`, { token, body: { admin: true } })).status).toBe(200);
    // Their token from before the promotion works as an admin's: the profile says admin.
    expect((await api('GET', '/admin/audit?limit=1', { token: tokens.IdToken })).status).toBe(200);
    const promoted = await refresh(tokens.RefreshToken);
    const adminToken = promoted.body.AuthenticationResult.IdToken as string;
    expect(groupsOf(adminToken)).toContain('admins');

    const demoted = await api('PATCH', `/admin/agents/${enc(email)}`, { token, body: { admin: false } });
    expect(demoted.status, demoted.text).toBe(200);
    // The token still says `admins`; the profile does not (read at every request here: see the global setup).
    const everyAdminRoute = routes.filter((r) => r.path.startsWith('/admin/'));
    expect(everyAdminRoute.length).toBeGreaterThan(adminRoutes.length);
    for (const route of everyAdminRoute) {
      const { path, body } = route.name === 'EraseRequester' ? { path: route.path, body: { email: uniqueEmail('nobody') } } : sample(route);
      const res = await api(route.method, path.replace(enc('l2@helpdesk.local'), enc(ADMIN)), { token: adminToken, ...(body !== undefined && { body }) });
      expect(res.status, `${route.name}: ${res.text}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    // Neither could they promote themselves back, nor disable the admin who demoted them.
    expect((await api('PATCH', `/admin/agents/${enc(email)}`, { token: adminToken, body: { admin: true } })).status).toBe(403);
    expect((await api('GET', `/admin/agents/${enc(email)}`, { token })).body).toMatchObject({ admin: false, level: 3 });
    expect((await api('GET', `/admin/agents/${enc(ADMIN)}`, { token })).body).toMatchObject({ admin: true, active: true });
    // Still an agent: the ordinary routes answer.
    expect((await api('GET', '/tickets', { token: adminToken })).status).toBe(200);
  });
});

describe('inviting an agent', () => {
  it('mails an invitation; the first sign-in asks for a new password; the token carries the level; the agent works', async () => {
    const departments = await someDepartment();
    const email = uniqueEmail('invitee');
    const token = await tokenFor(ADMIN);
    const res = await api('POST', '/admin/agents', { token, body: { email: email.toUpperCase(), name: '  Nina Nova ', level: 2, departments } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ email, name: 'Nina Nova', level: 2, admin: false, departments, groups: ['agents-l2'], active: true, status: 'FORCE_CHANGE_PASSWORD' });

    const mail = await until('the invitation in the outbox', async () => (await invitationsTo(email))[0]);
    const temporary = /temporary password is (\S+)\./.exec(mail!.body.text ?? '')?.[1];
    expect(temporary).toBeTruthy();

    const first = await signIn(email, temporary!);
    expect(first.status).toBe(200);
    expect(first.body.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(first.body.AuthenticationResult).toBeUndefined();

    const weak = await cognito('RespondToAuthChallenge', { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.body.Session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD: 'password' } });
    expect(weak.body.__type).toBe('InvalidPasswordException');
    const done = await cognito('RespondToAuthChallenge', { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.body.Session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD } });
    expect(done.status).toBe(200);
    const idToken = done.body.AuthenticationResult.IdToken as string;
    expect(decodeJwt(idToken)).toMatchObject({ email, 'cognito:groups': ['agents-l2'] });

    expect((await api('GET', '/tickets?limit=5', { token: idToken })).status).toBe(200);
    const agents = await api('GET', '/agents', { token: idToken });
    expect(agents.body.items).toContainEqual({ email, name: 'Nina Nova', groups: ['agents-l2'], departments, active: true });
    const detail = await api('GET', `/admin/agents/${enc(email)}`, { token });
    expect(detail.body).toMatchObject({ email, status: 'CONFIRMED', enabled: true });
  });

  it('a repeated invitation is a 409 and makes no second user, profile or mail', async () => {
    const token = await tokenFor(ADMIN);
    const email = uniqueEmail('twice');
    const body = { email, name: 'Twice', level: 1, departments: [] };
    expect((await api('POST', '/admin/agents', { token, body })).status).toBe(201);
    const again = await api('POST', '/admin/agents', { token, body: { ...body, level: 3, name: 'Other' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('agent_exists');
    await until('the invitation', async () => (await invitationsTo(email))[0]);
    expect(await invitationsTo(email)).toHaveLength(1);
    const detail = await api('GET', `/admin/agents/${enc(email)}`, { token });
    expect(detail.body).toMatchObject({ name: 'Twice', level: 1, status: 'FORCE_CHANGE_PASSWORD' });
    const agents = await api('GET', '/agents', { token });
    expect((agents.body.items as { email: string }[]).filter((a) => a.email === email)).toHaveLength(1);
    // Inviting a seeded agent is a 409 too.
    expect((await api('POST', '/admin/agents', { token, body: { ...body, email: 'l1@helpdesk.local' } })).status).toBe(409);
  });
});

describe('changing, disabling and enabling an agent', () => {
  it('a new level shows in the next token, and in the profile assignment reads', async () => {
    const { email, tokens } = await inviteAndActivate(1, []);
    expect(groupsOf(tokens.IdToken)).toEqual(['agents-l1']);
    const token = await tokenFor(ADMIN);
    const res = await api('PATCH', `/admin/agents/${enc(email)}`, { token, body: { level: 3, admin: true, name: 'Nina Senior' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ level: 3, admin: true, groups: ['agents-l3', 'admins'], name: 'Nina Senior' });
    const renewed = await refresh(tokens.RefreshToken);
    expect(groupsOf(renewed.body.AuthenticationResult.IdToken)).toEqual(['agents-l3', 'admins']);
    expect(groupsOf((await signIn(email, NEW_PASSWORD)).body.AuthenticationResult.IdToken)).toEqual(['agents-l3', 'admins']);
    // The same change again changes nothing (and records nothing).
    const before = (await api('GET', '/admin/audit?limit=100', { token })).body.items.filter((a: { target: string }) => a.target === email).length;
    expect((await api('PATCH', `/admin/agents/${enc(email)}`, { token, body: { level: 3, admin: true } })).status).toBe(200);
    const after = (await api('GET', '/admin/audit?limit=100', { token })).body.items.filter((a: { target: string }) => a.target === email).length;
    expect(after).toBe(before);
  });

  it('a profile kept without the active flag (written before it existed) is active everywhere: listed, assignable', async () => {
    // One meaning of `active` (core/admin.ts isActive): the assignment check once read an absent flag as inactive.
    const email = uniqueEmail('legacy-agent');
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.services.dynamodb, region: endpoints.region, credentials: endpoints.credentials }));
    await db.send(new PutCommand({ TableName: endpoints.tableName, Item: { pk: 'AGENTS', sk: `AGENT#${email}`, type: 'agent', email, name: 'Lea Legacy', groups: ['agents-l1'], departments: ['it'] } }));
    const token = await tokenFor(ADMIN);
    const listed = await api('GET', '/agents', { token });
    expect(listed.body.items.find((a: { email: string }) => a.email === email)).toMatchObject({ active: true });
    const ticket = await createTicket({ department: 'it' });
    const assigned = await api('PATCH', `/tickets/${ticket.id}`, { token, headers: { 'If-Match': String(ticket.version) }, body: { assignee: email } });
    expect(assigned.status, assigned.text).toBe(200);
    expect(assigned.body.assignee).toBe(email);
  });

  it('disable refuses sign-in and refresh and makes the profile inactive; enable undoes it', async () => {
    const { email, tokens } = await inviteAndActivate(1, []);
    const token = await tokenFor(ADMIN);
    // The agent is working with a valid ID token when the admin disables them.
    expect((await api('GET', '/tickets', { token: tokens.IdToken })).status).toBe(200);
    const off = await api('POST', `/admin/agents/${enc(email)}/disable`, { token });
    expect(off.status, off.text).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await signIn(email, NEW_PASSWORD)).body).toEqual({ __type: 'NotAuthorizedException', message: 'User is disabled.' });
    expect((await refresh(tokens.RefreshToken)).body.__type).toBe('NotAuthorizedException');
    // The token they already hold is refused at once, not when it expires (every function at once here: the global
    // setup turns the per-function access cache off; deployed, the others follow within accessCacheSeconds).
    const stale = await api('GET', '/tickets', { token: tokens.IdToken });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('account_disabled');
    const agents = await api('GET', '/agents', { token });
    expect((agents.body.items as { email: string; active: boolean }[]).find((a) => a.email === email)?.active).toBe(false);
    expect((await api('GET', `/admin/agents/${enc(email)}`, { token })).body).toMatchObject({ active: false, enabled: false });
    // Disabled agents take no assignments.
    const ticket = await api('POST', '/tickets', { token, body: { requester: { email: uniqueEmail() }, subject: 'Assign me', body: 'x', channel: 'phone' } });
    const assign = await api('PATCH', `/tickets/${ticket.body.id}`, { token, headers: { 'if-match': `"${ticket.body.version}"` }, body: { assignee: email } });
    expect(assign.status).toBe(422);
    // Twice is the same as once.
    expect((await api('POST', `/admin/agents/${enc(email)}/disable`, { token })).status).toBe(200);

    const on = await api('POST', `/admin/agents/${enc(email)}/enable`, { token });
    expect(on.status).toBe(200);
    expect(on.body.active).toBe(true);
    expect((await signIn(email, NEW_PASSWORD)).status).toBe(200);
    expect((await api('GET', '/tickets', { token: tokens.IdToken })).status).toBe(200);
    // Sign-out was global: the refresh token from before stays revoked.
    expect((await refresh(tokens.RefreshToken)).status).toBe(400);
  });

  it('an admin cannot disable or demote themselves', async () => {
    const token = await tokenFor(ADMIN);
    const self = await api('POST', `/admin/agents/${enc(ADMIN)}/disable`, { token });
    expect(self.status).toBe(422);
    expect(self.body.error.code).toBe('cannot_disable_self');
    const demote = await api('PATCH', `/admin/agents/${enc(ADMIN)}`, { token, body: { admin: false, level: 3 } });
    expect(demote.status).toBe(422);
    expect(demote.body.error.code).toBe('cannot_demote_self');
    expect((await signIn(ADMIN, endpoints.agents.find((a) => a.email === ADMIN)!.password)).status).toBe(200);
  });

  it('unknown agents are 404s', async () => {
    const token = await tokenFor(ADMIN);
    const ghost = enc(uniqueEmail('ghost'));
    expect((await api('PATCH', `/admin/agents/${ghost}`, { token, body: { level: 2 } })).status).toBe(404);
    expect((await api('POST', `/admin/agents/${ghost}/disable`, { token })).status).toBe(404);
    expect((await api('POST', `/admin/agents/${ghost}/enable`, { token })).status).toBe(404);
    expect((await api('GET', `/admin/agents/${ghost}`, { token })).status).toBe(404);
  });
});

describe('canned responses', () => {
  it('create, replace and delete show in GET /canned-responses', async () => {
    const token = await tokenFor(ADMIN);
    const agent = await tokenFor('l1@helpdesk.local');
    const id = `test-${Date.now()}`;
    const v1 = { title: { en: 'Restart', 'pt-BR': 'Reiniciar' }, body: { en: 'Please restart.', 'pt-BR': 'Reinicie, por favor.' } };
    const list = async () => ((await api('GET', '/canned-responses', { token: agent })).body.items as { id: string }[]).find((c) => c.id === id);

    const created = await api('PUT', `/admin/canned-responses/${id}`, { token, body: v1 });
    expect(created.status, created.text).toBe(201);
    expect(await list()).toEqual({ id, ...v1 });
    expect((await api('PUT', `/admin/canned-responses/${id}`, { token, body: v1 })).status).toBe(200);

    const v2 = { ...v1, body: { en: 'Please restart twice.', 'pt-BR': 'Reinicie duas vezes.' } };
    const replaced = await api('PUT', `/admin/canned-responses/${id}`, { token, body: v2 });
    expect(replaced.status).toBe(200);
    expect(await list()).toEqual({ id, ...v2 });

    const deleted = await api('DELETE', `/admin/canned-responses/${id}`, { token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(await list()).toBeUndefined();
    expect((await api('DELETE', `/admin/canned-responses/${id}`, { token })).status).toBe(404);

    const audit = (await api('GET', '/admin/audit?limit=100', { token })).body.items.filter((a: { target: string }) => a.target === id);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['canned_response.deleted', 'canned_response.replaced', 'canned_response.created']);
  });
});

describe('bad input', () => {
  it('is a 400 with details, or a 422 for an unknown department', async () => {
    const token = await tokenFor(ADMIN);
    const invite = (body: unknown) => api('POST', '/admin/agents', { token, body });
    const good = { email: uniqueEmail('bad'), name: 'X', level: 1, departments: [] };
    for (const body of [
      { ...good, level: 4 },
      { ...good, email: 'not-an-email' },
      { ...good, name: '' },
      { ...good, name: 'n'.repeat(201) },
      { ...good, departments: 'it' },
      { ...good, role: 'god' },
      { email: good.email },
    ]) {
      const res = await invite(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    const unknown = await invite({ ...good, departments: ['no-such-desk'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_department', message: 'Unknown department: no-such-desk' });
    expect((await api('PATCH', `/admin/agents/${enc('l1@helpdesk.local')}`, { token, body: {} })).status).toBe(400);
    expect((await api('PATCH', `/admin/agents/${enc('l1@helpdesk.local')}`, { token, body: { level: '2' } })).status).toBe(400);
    expect((await api('PATCH', `/admin/agents/not-an-email`, { token, body: { level: 2 } })).status).toBe(400);
    const canned = (id: string, body: unknown) => api('PUT', `/admin/canned-responses/${id}`, { token, body });
    expect((await canned('Bad%20Id!', { title: { en: 'x', 'pt-BR': 'x' }, body: { en: 'x', 'pt-BR': 'x' } })).status).toBe(400);
    expect((await canned('ok-id', { title: { en: 'x' }, body: { en: 'x', 'pt-BR': 'x' } })).status).toBe(400);
    expect((await canned('ok-id', { title: { en: 'x', 'pt-BR': 'x' }, body: { en: 'x'.repeat(10_001), 'pt-BR': 'x' } })).status).toBe(400);
    expect((await api('GET', '/admin/audit?limit=0', { token })).status).toBe(400);
    expect((await api('GET', '/admin/audit?cursor=garbage', { token })).status).toBe(400);
  });
});

describe('the admin audit', () => {
  it('records who did what to whom, newest first, and never a password', async () => {
    const { email } = await inviteAndActivate(1, []);
    const token = await tokenFor(ADMIN);
    await api('POST', `/admin/agents/${enc(email)}/disable`, { token });
    const res = await api('GET', '/admin/audit?limit=100', { token });
    expect(res.status).toBe(200);
    const mine = (res.body.items as { actor: string; action: string; target: string; at: string }[]).filter((a) => a.target === email);
    expect(mine.map((a) => a.action)).toEqual(['agent.disabled', 'agent.invited']);
    expect(mine.every((a) => a.actor === ADMIN && !Number.isNaN(Date.parse(a.at)))).toBe(true);
    expect(res.text).not.toContain(NEW_PASSWORD);
    expect(res.text).not.toMatch(/password/i);
    // Pages follow on with the cursor.
    const page1 = await api('GET', '/admin/audit?limit=1', { token });
    const page2 = await api('GET', `/admin/audit?limit=1&cursor=${page1.body.nextCursor}`, { token });
    expect(page2.body.items[0].at <= page1.body.items[0].at).toBe(true);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
  });
});
