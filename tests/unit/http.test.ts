import { describe, expect, it } from 'vitest';
import { agentFromClaims, parseGroups } from '../../functions/shared/auth.ts';
import { createTicketBody, listTicketsQuery, updateTicketBody } from '../../functions/core/schemas.ts';
import { expectedVersion, HttpError } from '../../functions/shared/http.ts';

describe('parseGroups', () => {
  it('reads the JWT authorizer string form, JSON arrays, arrays and comma lists', () => {
    expect(parseGroups('[admins agents-l1]')).toEqual(['admins', 'agents-l1']);
    expect(parseGroups('["agents-l2"]')).toEqual(['agents-l2']);
    expect(parseGroups(['agents-l3'])).toEqual(['agents-l3']);
    expect(parseGroups('agents-l1,admins')).toEqual(['agents-l1', 'admins']);
    expect(parseGroups('[]')).toEqual([]);
    expect(parseGroups(undefined)).toEqual([]);
    expect(parseGroups(42)).toEqual([]);
  });
});

describe('agentFromClaims', () => {
  it('needs sub and email (401) and an agent group (403)', () => {
    expect(agentFromClaims(undefined)).toMatchObject({ ok: false, status: 401 });
    expect(agentFromClaims({ sub: 's' })).toMatchObject({ ok: false, status: 401 });
    expect(agentFromClaims({ sub: 's', email: 'a@b.c', 'cognito:groups': '[customers]' })).toMatchObject({ ok: false, status: 403 });
    expect(agentFromClaims({ sub: 's', email: 'A@B.c', 'cognito:groups': '[agents-l1]' })).toEqual({
      ok: true,
      principal: { sub: 's', email: 'a@b.c', tokenGroups: ['agents-l1'] },
    });
  });
});

describe('expectedVersion', () => {
  it('reads If-Match in its usual forms or the body', () => {
    expect(expectedVersion({ 'if-match': '"3"' }, undefined)).toBe(3);
    expect(expectedVersion({ 'if-match': 'W/"4"' }, undefined)).toBe(4);
    expect(expectedVersion({ 'if-match': '5' }, 5)).toBe(5);
    expect(expectedVersion({}, 6)).toBe(6);
  });

  it('refuses junk, disagreement and absence', () => {
    const status = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof HttpError ? e.status : -1;
      }
      return 0;
    };
    expect(status(() => expectedVersion({ 'if-match': '*' }, undefined))).toBe(400);
    expect(status(() => expectedVersion({ 'if-match': '"1"' }, 2))).toBe(400);
    expect(status(() => expectedVersion({}, undefined))).toBe(428);
  });
});

describe('schemas', () => {
  const valid = { requester: { email: 'A@Example.com' }, subject: ' Hi ', body: 'b', channel: 'chat' };

  it('normalises and accepts a valid ticket', () => {
    expect(createTicketBody.parse(valid)).toMatchObject({ requester: { email: 'a@example.com' }, subject: 'Hi' });
  });

  it('rejects unknown keys at every level', () => {
    expect(createTicketBody.safeParse({ ...valid, admin: true }).success).toBe(false);
    expect(createTicketBody.safeParse({ ...valid, requester: { email: 'a@b.co', x: 1 } }).success).toBe(false);
  });

  it('needs at least one change in a patch', () => {
    expect(updateTicketBody.safeParse({ version: 1 }).success).toBe(false);
    expect(updateTicketBody.safeParse({ version: 1, assignee: null }).success).toBe(true);
  });

  it('parses queue filters', () => {
    expect(listTicketsQuery.parse({ status: 'open,pending', level: '2', limit: '10' })).toEqual({ status: ['open', 'pending'], level: 2, limit: 10 });
    expect(listTicketsQuery.parse({})).toEqual({ limit: 25 });
    expect(listTicketsQuery.safeParse({ level: '0' }).success).toBe(false);
    expect(listTicketsQuery.safeParse({ status: 'open,nope' }).success).toBe(false);
  });
});
