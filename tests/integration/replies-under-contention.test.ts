import { describe, expect, it } from 'vitest';
import { api, createTicket, tokenFor } from './client.ts';

/** A PATCH as a client makes it: on 409, take the current version from the answer and try again. */
async function patchUntilApplied(id: string, token: string, body: Record<string, unknown>) {
  let version = (await api('GET', `/tickets/${id}`, { token })).body.ticket.version;
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await api('PATCH', `/tickets/${id}`, { token, headers: { 'if-match': `"${version}"` }, body });
    if (res.status === 200) return res;
    expect(res.status).toBe(409);
    version = res.body.current.version;
  }
  throw new Error('the PATCH never got through');
}

describe('replies under contention', () => {
  it('64 parallel replies and notes to one ticket all land, and a PATCH mixed in is not lost', async () => {
    const token = await tokenFor('l1@helpdesk.local');
    // The handler warmed on another ticket first: the burst measures contention, not a cold start.
    const warm = await createTicket();
    expect((await api('POST', `/tickets/${warm.id}/messages`, { token, body: { kind: 'reply', body: 'warm-up' } })).status).toBe(201);
    const t = await createTicket();
    const writes = Array.from({ length: 64 }, (_, i) =>
      api('POST', `/tickets/${t.id}/messages`, { token, body: { kind: i % 4 === 3 ? 'note' : 'reply', body: `Answer number ${i}` } }),
    );
    const patch = patchUntilApplied(t.id, token, { priority: 'high', tags: ['contended'] });
    const results = await Promise.all(writes);
    await patch;

    expect(results.map((r) => r.status)).toEqual(Array(64).fill(201));
    const { body } = await api('GET', `/tickets/${t.id}`, { token });
    const bodies = body.messages.map((m: { body: string }) => m.body);
    for (let i = 0; i < 64; i++) expect(bodies).toContain(`Answer number ${i}`);
    expect(body.messages).toHaveLength(65);
    // The PATCH holds, and the first reply's effects were made once.
    expect(body.ticket.priority).toBe('high');
    expect(body.ticket.tags).toEqual(['contended']);
    expect(body.ticket.status).toBe('open');
    expect(body.ticket.firstRespondedAt).not.toBeNull();
    // Every write bumped the version and left one event under its own version.
    const versions = body.events.map((e: { version: number }) => e.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect(body.events.filter((e: { action: string }) => e.action === 'message.added')).toHaveLength(64);
    expect(Math.max(...versions)).toBe(body.ticket.version);
    // Each answer's ticket carries the version its own write made.
    expect(new Set(results.map((r) => r.body.ticket.version)).size).toBe(64);
  });
});
