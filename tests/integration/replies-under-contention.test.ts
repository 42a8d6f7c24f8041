import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { api, createTicket, endpoints, tokenFor } from './client.ts';
import { ownTableEnvironment } from './local-mode.ts';
import { addAgentMessage, addCustomerMail, openTicket, updateTicket, type Actor, type MailDetails, type Ticket } from '../../functions/core/ticket.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { NotFoundError } from '../../functions/core/errors.ts';

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

/**
 * The store's commuting path (applyChange → appendCommuting) against local mode's DynamoDB Local,
 * on a table of its own: the races the API cannot line up on demand are lined up here by handing
 * applyChange the read each racer worked its change out on.
 */
describe('commuting writes against the store', () => {
  let tableName: string;
  let db: Awaited<ReturnType<typeof ownTableEnvironment>>['db'];
  const agent: Actor = { sub: 'agent', email: 'l1@helpdesk.local' };
  const mailActor: Actor = { sub: 'system:inbound-mail', email: 'mail' };
  let store: ReturnType<(typeof import('../../functions/adapters/ticket-store.ts'))['ticketStore']>;

  beforeAll(async () => {
    // The store's client reads its endpoint from the environment when it loads.
    ({ tableName, db } = await ownTableEnvironment(endpoints, 'commuting-test'));
    store = (await import('../../functions/adapters/ticket-store.ts')).ticketStore(tableName);
  }, 60_000);

  const items = async (ticketId: string) =>
    (await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `TICKET#${ticketId}` }, ConsistentRead: true }))).Items ?? [];

  /** An open ticket an agent has answered once (so notes and customer mail commute), in department `it`. */
  async function answeredTicket(): Promise<Ticket> {
    const opened = openTicket({ requester: { email: `ana-${randomUUID().slice(0, 6)}@example.com` }, subject: 'VPN', body: 'down', channel: 'email', department: 'it' }, await store.nextTicketNumber(), agent, new Date().toISOString(), defaultPolicy);
    await store.createTicket(opened.ticket, opened.message, opened.event);
    const first = addAgentMessage(opened.ticket, { kind: 'reply', body: 'first' }, agent, new Date().toISOString(), defaultPolicy);
    await store.saveTicket(first.ticket, opened.ticket.version, first.event, first.message);
    return (await store.getTicket(opened.ticket.id))!;
  }

  it('one automatic, Message-ID-less mail handled twice at once records one message and one mail.received event', async () => {
    const t = await answeredTicket();
    // What receive-mail builds for a delivery: ids and time from the SES delivery, so both copies agree.
    const details: MailDetails = { messageId: null, sesMessageId: `ses-${randomUUID()}`, fullText: 'Estou fora', html: null, raw: { bucket: 'b', key: 'k' }, truncated: false, attachments: [], verdicts: {}, automated: true };
    const at = new Date().toISOString();
    const id = randomUUID();
    const change = (current: Ticket) => addCustomerMail(current, { id, from: { email: t.requester.email }, body: 'Estou fora', at, mail: details, cc: [] }, mailActor, defaultPolicy);
    // Both copies read the ticket before either wrote (as two workers given the same delivery do).
    const results = await Promise.all([store.applyChange(t.id, change, t), store.applyChange(t.id, change, t)]);

    const written = await items(t.id);
    expect(written.filter((i) => i.type === 'message' && i.id === id)).toHaveLength(1);
    expect(written.filter((i) => i.type === 'event' && i.action === 'mail.received')).toHaveLength(1);
    // One copy made the change, the other found it made: nothing to do, as when a change declines.
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('a note worked out on a ticket moved meanwhile to another department is worked out again, and refused', async () => {
    const t = await answeredTicket();
    const moved = updateTicket(t, { department: 'finance' }, agent, new Date().toISOString(), defaultPolicy);
    await store.saveTicket(moved.ticket, t.version, moved.event!);
    const seen: (string | null)[] = [];
    // As POST /tickets/{id}/messages does for an agent who sees only `it`.
    const note = store.applyChange(
      t.id,
      (current) => {
        seen.push(current.department);
        if (current.department !== 'it') throw new NotFoundError('Ticket');
        return addAgentMessage(current, { kind: 'note', body: 'nota interna' }, agent, new Date().toISOString(), defaultPolicy);
      },
      t,
    );
    await expect(note).rejects.toBeInstanceOf(NotFoundError);
    expect(seen).toEqual(['it', 'finance']);
    expect((await items(t.id)).filter((i) => i.type === 'message' && i.body === 'nota interna')).toEqual([]);
  });

  it('a reply worked out on a ticket marked spam meanwhile is worked out again on the spam ticket', async () => {
    const t = await answeredTicket();
    const marked = updateTicket(t, { spam: true }, agent, new Date().toISOString(), defaultPolicy);
    await store.saveTicket(marked.ticket, t.version, marked.event!);
    const seen: boolean[] = [];
    const reply = await store.applyChange(
      t.id,
      (current) => {
        seen.push(current.spam);
        return current.spam ? undefined : addAgentMessage(current, { kind: 'reply', body: 'resposta' }, agent, new Date().toISOString(), defaultPolicy);
      },
      t,
    );
    expect(seen).toEqual([false, true]);
    expect(reply).toBeUndefined();
    expect((await items(t.id)).filter((i) => i.type === 'message' && i.body === 'resposta')).toEqual([]);
  });

  it('a ticket without a department keeps taking commuting writes (the guard reads a missing department as none)', async () => {
    const opened = openTicket({ requester: { email: 'sem-departamento@example.com' }, subject: 'Sem fila', body: 'x', channel: 'email' }, await store.nextTicketNumber(), agent, new Date().toISOString(), defaultPolicy);
    await store.createTicket(opened.ticket, opened.message, opened.event);
    const first = addAgentMessage(opened.ticket, { kind: 'reply', body: 'first' }, agent, new Date().toISOString(), defaultPolicy);
    await store.saveTicket(first.ticket, opened.ticket.version, first.event, first.message);
    const t = (await store.getTicket(opened.ticket.id))!;
    expect(t.department).toBeNull();
    const calls: number[] = [];
    const note = await store.applyChange(t.id, (current) => (calls.push(1), addAgentMessage(current, { kind: 'note', body: 'ok' }, agent, new Date().toISOString(), defaultPolicy)), t);
    expect(note?.ticket.version).toBe(t.version + 1);
    // Written on the first try: the guard held.
    expect(calls).toHaveLength(1);
  });
});
