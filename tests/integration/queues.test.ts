import { describe, expect, it } from 'vitest';
import { api, createTicket, tokenFor, uniqueEmail } from './client.ts';

const L1 = 'l1@helpdesk.local';
const rank: Record<string, number> = { urgent: 1, high: 2, normal: 3, low: 4 };

/** Priority first, then the nearest due time; no due time sorts last. */
function expectQueueOrder(items: any[]) {
  for (let i = 1; i < items.length; i++) {
    const [a, b] = [items[i - 1], items[i]];
    const cmp = rank[a.priority]! - rank[b.priority]! || (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999');
    expect(cmp, `${a.priority}/${a.dueAt} before ${b.priority}/${b.dueAt}`).toBeLessThanOrEqual(0);
  }
}

async function readAll(path: string, token: string, limit: number) {
  const seen: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: Awaited<ReturnType<typeof api<any>>> = await api('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
    expect(pages).toBeLessThan(500);
  } while (cursor);
  return { items: seen, pages };
}

describe('GET /tickets queue views', () => {
  it('filters by requester and sorts by priority, then due time, across statuses and pages', async () => {
    const token = await tokenFor(L1);
    const requester = { email: uniqueEmail('queue'), name: 'Queue Tester' };
    const made = [];
    for (const priority of ['low', 'urgent', 'normal', 'high', 'normal', 'urgent', 'low']) made.push(await createTicket({ requester, priority }));
    // Move two to other active statuses, one to resolved (out of the default view).
    await api('PATCH', `/tickets/${made[0].id}`, { token, headers: { 'if-match': '"1"' }, body: { status: 'pending' } });
    await api('PATCH', `/tickets/${made[1].id}`, { token, headers: { 'if-match': '"1"' }, body: { status: 'on_hold' } });
    await api('PATCH', `/tickets/${made[2].id}`, { token, headers: { 'if-match': '"1"' }, body: { status: 'resolved' } });

    const { items, pages } = await readAll(`/tickets?requester=${encodeURIComponent(requester.email)}`, token, 2);
    expect(pages).toBeGreaterThan(2);
    expect(items).toHaveLength(6);
    expect(new Set(items.map((t) => t.id)).size).toBe(6);
    expect(items.map((t) => t.priority)).toEqual(['urgent', 'urgent', 'high', 'normal', 'low', 'low']);
    expectQueueOrder(items);

    const resolved = await api('GET', `/tickets?requester=${encodeURIComponent(requester.email)}&status=resolved`, { token });
    expect(resolved.body.items.map((t: any) => t.id)).toEqual([made[2].id]);
    const repeated = await api('GET', `/tickets?requester=${encodeURIComponent(requester.email)}&status=resolved,resolved,resolved`, { token });
    expect(repeated.body.items.map((t: any) => t.id)).toEqual([made[2].id]);
    const two = await api('GET', `/tickets?requester=${encodeURIComponent(requester.email)}&status=pending,on_hold`, { token });
    expect(two.body.items.map((t: any) => t.id).sort()).toEqual([made[0].id, made[1].id].sort());
  });

  it('reads a department queue across levels and statuses with no gaps or repeats', async () => {
    const token = await tokenFor(L1);
    const mine = [];
    for (const priority of ['normal', 'urgent', 'low', 'high', 'normal']) mine.push(await createTicket({ department: 'facilities', priority }));
    const { items } = await readAll('/tickets?department=facilities', token, 3);
    expect(new Set(items.map((t) => t.id)).size).toBe(items.length);
    for (const t of mine) expect(items.map((i) => i.id)).toContain(t.id);
    for (const t of items) expect(t.department).toBe('facilities');
    expectQueueOrder(items);
  });

  it('filters by level, status, assignee and the unassigned pool', async () => {
    const token = await tokenFor(L1);
    const requester = { email: uniqueEmail('assignee') };
    const a = await createTicket({ requester, department: 'hr' });
    const b = await createTicket({ requester, department: 'hr' });
    await api('PATCH', `/tickets/${a.id}`, { token, headers: { 'if-match': '"1"' }, body: { assignee: 'l2@helpdesk.local', status: 'open' } });

    const q = (qs: string) => api('GET', `/tickets?requester=${encodeURIComponent(requester.email)}&${qs}`, { token });
    expect((await q('assignee=l2@helpdesk.local')).body.items.map((t: any) => t.id)).toEqual([a.id]);
    expect((await q('assignee=none')).body.items.map((t: any) => t.id)).toEqual([b.id]);
    expect((await q('status=open')).body.items.map((t: any) => t.id)).toEqual([a.id]);
    expect((await q('level=2')).body.items).toEqual([]);
    expect((await q('level=1&department=hr')).body.items).toHaveLength(2);

    // The same views without a requester use the assignee, queue and status indexes.
    const byAssignee = await api('GET', '/tickets?assignee=l2@helpdesk.local&status=open&department=hr', { token });
    expect(byAssignee.body.items.map((t: any) => t.id)).toContain(a.id);
    const unassigned = await readAll('/tickets?assignee=none&department=hr', token, 50);
    expect(unassigned.items.map((t: any) => t.id)).toContain(b.id);
    expect(unassigned.items.every((t: any) => t.assignee === null)).toBe(true);
    const level1 = await readAll('/tickets?level=1&status=new', token, 100);
    expect(level1.items.map((t: any) => t.id)).toContain(b.id);
    expect(level1.items.every((t: any) => t.level === 1 && t.status === 'new')).toBe(true);
    expectQueueOrder(level1.items);
  });

  it('refuses bad filters and foreign cursors with 400', async () => {
    const token = await tokenFor(L1);
    for (const qs of ['limit=0', 'limit=101', 'limit=abc', 'status=bogus', 'level=4', 'department=Not A Slug!', 'assignee=not-an-email', 'colour=red', 'cursor=%%%']) {
      const res = await api('GET', `/tickets?${qs}`, { token });
      expect(res.status, qs).toBe(400);
      expect(res.body.error, qs).toBeDefined();
    }
    // A cursor is only valid for the query that produced it.
    await createTicket({ department: 'finance' });
    await createTicket({ department: 'finance' });
    const page = await api('GET', '/tickets?department=finance&limit=1', { token });
    expect(page.body.nextCursor).toBeTruthy();
    const foreign = await api('GET', `/tickets?department=it&limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`, { token });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('invalid_cursor');
    // Tampered cursors: keys past DynamoDB's byte limits are refused; odd but valid positions just read on.
    const real = JSON.parse(Buffer.from(page.body.nextCursor, 'base64url').toString());
    const entry = real.s.findIndex((e: unknown) => Array.isArray(e));
    const tamper = (value: unknown) => {
      const c = structuredClone(real);
      c.s[entry] = value;
      return Buffer.from(JSON.stringify(c)).toString('base64url');
    };
    const url = (cursor: string) => `/tickets?department=finance&limit=1&cursor=${cursor}`;
    for (const bad of [['x', 'y'], ['x', 'y', 'é'.repeat(600)], [1, 2, 3], { pk: 'x' }, 'zzz']) {
      const res = await api('GET', url(tamper(bad)), { token });
      expect(res.status, JSON.stringify(bad).slice(0, 40)).toBe(400);
    }
    const odd = await api('GET', url(tamper(['TICKET#nope', 'nothing', '0#'])), { token });
    expect(odd.status).toBe(200);
    const wrongPlan = Buffer.from(JSON.stringify({ ...real, h: 'AAAAAAAAAAAA' })).toString('base64url');
    expect((await api('GET', url(wrongPlan), { token })).status).toBe(400);
  });

  it('pages a department queue over every status without its cursor outgrowing the limit', async () => {
    const token = await tokenFor(L1);
    for (let i = 0; i < 3; i++) await createTicket({ department: 'support', priority: 'low' });
    const all = 'new,open,pending,on_hold,resolved,closed';
    const { items } = await readAll(`/tickets?department=support&status=${all}`, token, 1);
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(new Set(items.map((t) => t.id)).size).toBe(items.length);
  });
});

describe('GET /customers/{email}/tickets', () => {
  it("returns the requester's whole history, newest first, across statuses", async () => {
    const token = await tokenFor(L1);
    const requester = { email: uniqueEmail('history') };
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createTicket({ requester, subject: `Issue ${i}` }));
    await api('PATCH', `/tickets/${made[1].id}`, { token, headers: { 'if-match': '"1"' }, body: { status: 'resolved' } });
    const { items } = await readAll(`/customers/${encodeURIComponent(requester.email.toUpperCase())}/tickets`, token, 2);
    expect(items.map((t) => t.id)).toEqual(made.map((t) => t.id).reverse());
  });

  it('refuses an invalid email with 400', async () => {
    const res = await api('GET', '/customers/not-an-email/tickets', { token: await tokenFor(L1) });
    expect(res.status).toBe(400);
  });
});

describe('GET /departments', () => {
  it('lists the demo desks, internal and external, in both languages', async () => {
    const res = await api('GET', '/departments', { token: await tokenFor(L1) });
    expect(res.status).toBe(200);
    const ids = res.body.items.map((d: any) => d.id).sort();
    expect(ids).toEqual(['facilities', 'finance', 'hr', 'it', 'support']);
    const it = res.body.items.find((d: any) => d.id === 'it');
    expect(it).toMatchObject({ kind: 'internal', name: { en: 'IT', 'pt-BR': 'TI' } });
  });
});
