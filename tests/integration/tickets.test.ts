import { describe, expect, it } from 'vitest';
import { api, createTicket, newTicketBody, tokenFor } from './client.ts';
import { brazilCalendar, businessMinutesBetween, isOpen } from '../../functions/core/business-hours.ts';

const L1 = 'l1@helpdesk.local';
const L2 = 'l2@helpdesk.local';

describe('POST /tickets', () => {
  it('records a ticket and answers 201 with id, number and version', async () => {
    const token = await tokenFor(L1);
    const body = newTicketBody({ department: 'it', priority: 'high', category: 'email', tags: ['Outlook', 'vip', 'outlook'] });
    const res = await api('POST', '/tickets', { token, body });
    expect(res.status).toBe(201);
    const t = res.body;
    expect(t).toMatchObject({
      subject: body.subject,
      status: 'new',
      priority: 'high',
      level: 1,
      department: 'it',
      category: 'email',
      tags: ['outlook', 'vip'],
      channel: 'phone',
      requester: body.requester,
      assignee: null,
      version: 1,
      createdBy: L1,
    });
    expect(t.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(Number.isInteger(t.number) && t.number > 0).toBe(true);
    expect(res.headers.get('location')).toBe(`/tickets/${t.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    // A high ticket owes a first response within an hour of the desk's business hours (São Paulo, Mon–Fri 9–18).
    expect(businessMinutesBetween(t.createdAt, t.firstResponseDueAt, brazilCalendar)).toBeCloseTo(60, 6);
    expect(isOpen(new Date(Date.parse(t.firstResponseDueAt) - 1).toISOString(), brazilCalendar)).toBe(true);
    expect(t.levelDueAt > t.createdAt).toBe(true);
    expect(t.dueAt).toBe(t.firstResponseDueAt);
  });

  it('gives each ticket a new, higher number', async () => {
    const a = await createTicket();
    const b = await createTicket();
    expect(b.number).toBeGreaterThan(a.number);
  });

  it('normalises the requester email', async () => {
    const t = await createTicket({ requester: { email: '  Joao.Silva@Example.COM ' } });
    expect(t.requester.email).toBe('joao.silva@example.com');
  });

  it('refuses a department that does not exist with 422', async () => {
    const res = await api('POST', '/tickets', { token: await tokenFor(L1), body: newTicketBody({ department: 'marketing' }) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unknown_department');
  });

  it('replays a retried request with the same Idempotency-Key instead of opening a second ticket', async () => {
    const token = await tokenFor(L1);
    const body = newTicketBody();
    const key = `retry-${Date.now()}`;
    const first = await api('POST', '/tickets', { token, body, headers: { 'idempotency-key': key } });
    const again = await Promise.all([1, 2, 3].map(() => api('POST', '/tickets', { token, body, headers: { 'idempotency-key': key } })));
    expect(first.status).toBe(201);
    for (const r of again) {
      expect(r.status).toBe(201);
      expect(r.body.id).toBe(first.body.id);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
    }
    const history = await api('GET', `/customers/${encodeURIComponent(body.requester.email)}/tickets`, { token });
    expect(history.body.items).toHaveLength(1);

    const reused = await api('POST', '/tickets', { token, body: { ...body, subject: 'Something else' }, headers: { 'idempotency-key': key } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    const badKey = await api('POST', '/tickets', { token, body, headers: { 'idempotency-key': 'has spaces and /slashes' } });
    expect(badKey.status).toBe(400);
  });

  it('opens one ticket per concurrent first request with the same key', async () => {
    const token = await tokenFor(L2);
    const body = newTicketBody();
    const key = `race-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 6 }, () => api('POST', '/tickets', { token, body, headers: { 'idempotency-key': key } })));
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    const history = await api('GET', `/customers/${encodeURIComponent(body.requester.email)}/tickets`, { token });
    expect(history.body.items).toHaveLength(1);
  });
});

describe('GET /tickets/{id}', () => {
  it('returns the ticket with its conversation and audit events', async () => {
    const t = await createTicket();
    const res = await api('GET', `/tickets/${t.id}`, { token: await tokenFor(L2) });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body.ticket).toEqual(t);
    expect(res.body.messages).toHaveLength(1);
    expect(res.body.messages[0]).toMatchObject({ kind: 'customer', public: true, author: { type: 'customer', email: t.requester.email } });
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0]).toMatchObject({ action: 'ticket.created', version: 1, actor: { email: L1 } });
  });

  it('answers 404 for an unknown id and for something that is not an id', async () => {
    const token = await tokenFor(L1);
    for (const id of ['01JAAAAAAAAAAAAAAAAAAAAAAA', 'nope', '..%2F..%2Fetc', 'x'.repeat(60)]) {
      const res = await api('GET', `/tickets/${id}`, { token });
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});

describe('PATCH /tickets/{id}', () => {
  it('changes fields with If-Match, bumps the version and audits before and after', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket({ department: 'it' });
    const res = await api('PATCH', `/tickets/${t.id}`, {
      token,
      headers: { 'if-match': '"1"' },
      body: { status: 'open', priority: 'urgent', category: 'network', department: 'facilities', assignee: L2, tags: ['wifi'] },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ version: 2, status: 'open', priority: 'urgent', category: 'network', department: 'facilities', assignee: L2, tags: ['wifi'] });
    // Urgent: 15 minutes to first response.
    expect(Date.parse(res.body.firstResponseDueAt) - Date.parse(t.createdAt)).toBe(15 * 60_000);

    const { body } = await api('GET', `/tickets/${t.id}`, { token });
    const update = body.events.find((e: any) => e.action === 'ticket.updated');
    expect(update).toMatchObject({ version: 2, actor: { email: L1 } });
    expect(update.at).toBe(res.body.updatedAt);
    const byField = Object.fromEntries(update.changes.map((c: any) => [c.field, c]));
    expect(byField.status).toEqual({ field: 'status', before: 'new', after: 'open' });
    expect(byField.priority).toEqual({ field: 'priority', before: 'normal', after: 'urgent' });
    expect(byField.department).toEqual({ field: 'department', before: 'it', after: 'facilities' });
    expect(byField.assignee).toEqual({ field: 'assignee', before: null, after: L2 });
  });

  it('takes the version from the body too, and unassigns with null', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    const a = await api('PATCH', `/tickets/${t.id}`, { token, body: { version: 1, assignee: L1 } });
    expect(a.status).toBe(200);
    const b = await api('PATCH', `/tickets/${t.id}`, { token, body: { version: 2, assignee: null } });
    expect(b.status).toBe(200);
    expect(b.body.assignee).toBeNull();
  });

  it('answers a stale version with 409 and the current ticket', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    expect((await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { priority: 'low' } })).status).toBe(200);
    const stale = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { priority: 'high' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.current).toMatchObject({ id: t.id, version: 2, priority: 'low' });
    expect(stale.headers.get('etag')).toBe('"2"');
  });

  it('requires a version: 428 without one, 400 when If-Match and body disagree or If-Match is junk', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    const none = await api('PATCH', `/tickets/${t.id}`, { token, body: { priority: 'low' } });
    expect(none.status).toBe(428);
    expect(none.body.error.code).toBe('version_required');
    expect((await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { version: 2, priority: 'low' } })).status).toBe(400);
    expect((await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '*' }, body: { priority: 'low' } })).status).toBe(400);
  });

  it('refuses illegal status transitions with 422 and the allowed ones', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    const res = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { status: 'closed' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'illegal_transition', details: { from: 'new', to: 'closed' } });
    const back = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { status: 'new' } });
    expect(back.status).toBe(200); // same status: nothing to do, not an error
    expect(back.body.version).toBe(1);
  });

  it('walks a ticket to closed, and a closed ticket stays closed', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    let v = 1;
    for (const status of ['open', 'pending', 'on_hold', 'resolved', 'open', 'resolved', 'closed']) {
      const r = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': `"${v}"` }, body: { status } });
      expect(r.status, status).toBe(200);
      expect(r.body.status).toBe(status);
      v = r.body.version;
    }
    const closed = (await api('GET', `/tickets/${t.id}`, { token })).body.ticket;
    expect(closed.closedAt).toBeTruthy();
    expect(closed.dueAt).toBeNull();
    const reopen = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': `"${v}"` }, body: { status: 'open' } });
    expect(reopen.status).toBe(422);
    const edit = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': `"${v}"` }, body: { priority: 'low' } });
    expect(edit.status).toBe(422);
    expect(edit.body.error.code).toBe('ticket_closed');
  });

  it('refuses an assignee who is not an agent and an unknown department', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    const a = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { assignee: 'stranger@example.com' } });
    expect(a.status).toBe(422);
    expect(a.body.error.code).toBe('unknown_agent');
    const d = await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': '"1"' }, body: { department: 'nowhere' } });
    expect(d.status).toBe(422);
  });

  it('answers 404 for an unknown ticket', async () => {
    const res = await api('PATCH', '/tickets/01JAAAAAAAAAAAAAAAAAAAAAAA', { token: await tokenFor(L1), headers: { 'if-match': '"1"' }, body: { priority: 'low' } });
    expect(res.status).toBe(404);
  });
});

describe('POST /tickets/{id}/messages', () => {
  it('a reply opens a new ticket and records the first response; a note is internal', async () => {
    const token = await tokenFor(L2);
    const t = await createTicket();
    const reply = await api('POST', `/tickets/${t.id}/messages`, { token, body: { kind: 'reply', body: 'Olá Maria, vamos verificar.' } });
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ kind: 'reply', public: true, author: { type: 'agent', email: L2 } });
    expect(reply.body.ticket).toMatchObject({ status: 'open', version: 2 });
    expect(reply.body.ticket.firstRespondedAt).toBe(reply.body.message.createdAt);
    expect(reply.body.ticket.dueAt).toBe(t.resolutionDueAt);

    const note = await api('POST', `/tickets/${t.id}/messages`, { token, body: { kind: 'note', body: 'Cliente VIP, cuidado.' } });
    expect(note.status).toBe(201);
    expect(note.body.message).toMatchObject({ kind: 'note', public: false });

    const thread = (await api('GET', `/tickets/${t.id}`, { token })).body;
    expect(thread.messages.map((m: any) => [m.kind, m.public])).toEqual([
      ['customer', true],
      ['reply', true],
      ['note', false],
    ]);
    expect(thread.events.map((e: any) => e.action)).toEqual(['ticket.created', 'message.added', 'message.added']);
  });

  it('never loses a message when agents write at the same moment', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => api('POST', `/tickets/${t.id}/messages`, { token, body: { kind: 'note', body: `note ${i}` } })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    const thread = (await api('GET', `/tickets/${t.id}`, { token })).body;
    expect(thread.messages.filter((m: any) => m.kind === 'note').map((m: any) => m.body).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `note ${i}`));
    expect(thread.ticket.version).toBe(9);
    expect(thread.events.map((e: any) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses a reply on a closed ticket, and an unknown kind', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket();
    let v = 1;
    for (const status of ['resolved', 'closed']) v = (await api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': `"${v}"` }, body: { status } })).body.version;
    const reply = await api('POST', `/tickets/${t.id}/messages`, { token, body: { kind: 'reply', body: 'Too late' } });
    expect(reply.status).toBe(422);
    const bad = await api('POST', `/tickets/${t.id}/messages`, { token, body: { kind: 'customer', body: 'I am the customer now' } });
    expect(bad.status).toBe(400);
  });
});

describe('triage as the ticket opens', () => {
  it('routes a clear request by its words, in Portuguese or English, and records why and how sure', async () => {
    const pt = await createTicket({ subject: 'Urgente: sistema parado, todos sem acesso', body: 'Não consigo entrar, a senha expirou para todos.' });
    expect(pt).toMatchObject({ category: 'access', department: 'it', priority: 'urgent' });
    expect(pt.triage).toMatchObject({ dispatch: false, category: 'access', department: 'it' });
    expect(pt.triage.confidence).toBeGreaterThanOrEqual(0.5);
    expect(pt.triage.signals).toEqual(expect.arrayContaining([expect.stringMatching(/^keyword:/), expect.stringMatching(/^urgency:/)]));
    const en = await createTicket({ subject: 'Invoice charged twice', body: 'My last invoice was charged twice, please refund.' });
    expect(en).toMatchObject({ category: 'billing', department: 'finance' });
  });

  it('keeps what the agent set by hand', async () => {
    const t = await createTicket({ subject: 'Urgente: impressora parada', body: 'A impressora não imprime.', priority: 'low', department: 'facilities' });
    expect(t).toMatchObject({ priority: 'low', department: 'facilities' });
    expect(t.presetByAgent).toEqual(expect.arrayContaining(['priority', 'department']));
  });

  it('sends what it cannot place to the level-1 dispatch queue, where a person routes it', async () => {
    const token = await tokenFor(L1);
    const t = await createTicket({ subject: 'Olá', body: 'Podem me ligar?' });
    expect(t).toMatchObject({ department: null, level: 1 });
    expect(t.triage).toMatchObject({ dispatch: true });
    const queue = await api('GET', '/tickets?department=none&level=1&limit=100', { token });
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((i: { id: string }) => i.id)).toContain(t.id);
    // Routed by hand: it leaves the dispatch queue for the department's.
    const routed = await api('PATCH', `/tickets/${t.id}`, { token, body: { department: 'support', version: t.version } });
    expect(routed.status).toBe(200);
    const after = await api('GET', '/tickets?department=none&level=1&limit=100', { token });
    expect(after.body.items.map((i: { id: string }) => i.id)).not.toContain(t.id);
  });
});
