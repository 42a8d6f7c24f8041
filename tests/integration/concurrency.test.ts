import { describe, expect, it } from 'vitest';
import { api, createTicket, tokenFor } from './client.ts';

describe('optimistic locking under concurrency', () => {
  it('eight concurrent PATCHes on one version: exactly one wins, seven get 409, one change is audited', async () => {
    const token = await tokenFor('l1@helpdesk.local');
    const t = await createTicket();
    const priorities = ['urgent', 'high', 'low', 'urgent', 'high', 'low', 'urgent', 'high'];
    const results = await Promise.all(
      priorities.map((priority, i) =>
        api('PATCH', `/tickets/${t.id}`, { token, headers: { 'if-match': `"${t.version}"` }, body: { priority, tags: [`writer-${i}`] } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!;
    for (const loser of results.filter((r) => r.status === 409)) {
      expect(loser.body.current.version).toBe(2);
      expect(loser.body.current.tags).toEqual(winner.body.tags);
    }

    const { body } = await api('GET', `/tickets/${t.id}`, { token });
    expect(body.ticket.version).toBe(2);
    expect(body.ticket.tags).toEqual(winner.body.tags);
    const updates = body.events.filter((e: any) => e.action === 'ticket.updated');
    expect(updates).toHaveLength(1);
    expect(updates[0].changes.find((c: any) => c.field === 'tags').after).toEqual(winner.body.tags);
  });
});
