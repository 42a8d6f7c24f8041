import { describe, expect, it } from 'vitest';
import { lifecycleStep, type LifecycleDeps } from '../../functions/app/lifecycle-step.ts';
import { defaultPolicy, type Policy } from '../../functions/core/policy.ts';
import { openTicket, type Ticket } from '../../functions/core/ticket.ts';
import { NotFoundError } from '../../functions/core/errors.ts';
import { metricNames } from '../../lib/definitions/metrics.ts';
import type { Agent } from '../../functions/adapters/agent-store.ts';
import type { OutgoingMail } from '../../functions/adapters/mailer.ts';

const T0 = '2026-03-02T12:00:00.000Z';
const later = (hours: number) => new Date(Date.parse(T0) + hours * 3600_000).toISOString();
/** 24×7, and the `it` department assigns by round-robin. */
const policy: Policy = { ...defaultPolicy, alwaysOpenPriorities: ['urgent', 'high', 'normal', 'low'], roundRobin: ['it'] };
const agent = (email: string, level: 1 | 2 | 3, extra: Partial<Agent> = {}): Agent => ({ email, name: email, groups: [`agents-l${level}`], departments: ['it'], active: true, ...extra });

function opened(extra: Partial<Ticket> = {}): Ticket {
  const t = openTicket({ requester: { email: 'ana@example.com', name: 'Ana' }, subject: 'Impressora parada', body: 'Não imprime.', channel: 'web' }, 7, { sub: 'web', email: 'web' }, T0, policy).ticket;
  return { ...t, ...extra };
}

/** The ticket store in memory (with applyChange's contract: a declined change writes nothing), and every other port as a recorder. */
function fakes(ticket: Ticket | undefined, opts: { agents?: Agent[]; mail?: 'on' | 'off' | 'fails'; restricted?: string[] } = {}) {
  const tickets = new Map(ticket ? [[ticket.id, ticket]] : []);
  const counted: string[] = [];
  const indexed: string[] = [];
  const sent: OutgoingMail[] = [];
  const remembered: string[][] = [];
  let turn = 0;
  const deps: LifecycleDeps = {
    tickets: {
      getTicket: async (id) => tickets.get(id),
      getThread: async (id) => (tickets.has(id) ? { ticket: tickets.get(id)!, messages: [{ body: 'Não imprime.' }], events: [] } : undefined) as never,
      applyChange: (async (id: string, change: (t: Ticket) => { ticket: Ticket } | undefined) => {
        const current = tickets.get(id);
        if (!current) throw new NotFoundError('Ticket');
        const next = await change(current);
        if (next) tickets.set(id, next.ticket);
        return next;
      }) as never,
      indexNewTicket: async (t) => (indexed.push(t.id), true),
    },
    knownDepartment: async (id) => ['it', 'hr'].includes(id),
    listAgents: async () => opts.agents ?? [],
    nextTurn: async () => ++turn,
    restricted: async () => opts.restricted ?? [],
    mail:
      opts.mail === 'off'
        ? undefined
        : {
            index: { remember: async (ids: string[]) => void remembered.push(ids) } as never,
            send: async (m) => {
              if (opts.mail === 'fails') throw Object.assign(new Error('SES down'), { name: 'ServiceUnavailable' });
              sent.push(m);
              return { sesMessageId: `ses-${sent.length}` };
            },
            config: { fromAddress: 'support@desk.example', deskName: 'Desk', replyTokenSecret: 'k'.repeat(32), defaultLanguage: 'pt-BR' },
            publicUrl: 'https://api.desk.example',
          },
    count: (metric) => void counted.push(metric),
    policy,
  };
  return { deps, counted, indexed, sent, remembered, ticket: (id: string) => tickets.get(id) };
}

describe('lifecycleStep (one Lambda step of the ticket lifecycle)', () => {
  it('triage: routes an untriaged ticket, indexes it once, counts its creation and plans the working phase', async () => {
    const t = opened();
    const f = fakes(t);
    const out = await lifecycleStep({ action: 'triage', ticketId: t.id }, T0, f.deps);
    expect(f.ticket(t.id)!.triage).toBeDefined();
    expect(f.indexed).toEqual([t.id]);
    expect(f.counted).toContain(metricNames.ticketCreated);
    expect(out).toMatchObject({ ticketId: t.id, phase: 'working' });
  });

  it('triage: spam is counted, never indexed nor routed, and its plan is done', async () => {
    const t = opened({ spam: true });
    const f = fakes(t);
    const out = await lifecycleStep({ action: 'triage', ticketId: t.id }, T0, f.deps);
    expect(f.counted).toEqual([metricNames.ticketCreated]);
    expect(f.indexed).toEqual([]);
    expect(out.phase).toBe('done');
  });

  it('triage: a round-robin department assigns the active agent of its level whose turn it is', async () => {
    // Set by an agent, so triage keeps it.
    const t = opened({ department: 'it', presetByAgent: ['department'] });
    const f = fakes(t, { agents: [agent('a@desk.example', 1), agent('off@desk.example', 1, { active: false }), agent('l2@desk.example', 2)] });
    await lifecycleStep({ action: 'triage', ticketId: t.id }, T0, f.deps);
    expect(f.ticket(t.id)).toMatchObject({ department: 'it', assignee: 'a@desk.example' });
  });

  it('a level timeout breaches, escalates, counts, and mails the next level’s agents (internal, no reply into the desk)', async () => {
    const t = opened({ department: 'it' });
    const f = fakes(t, { agents: [agent('a@desk.example', 1), agent('b@desk.example', 2)] });
    const out = await lifecycleStep({ action: 'level-timeout', ticketId: t.id, seq: t.lifecycleSeq ?? 0 }, later(100), f.deps);
    expect(f.ticket(t.id)!.level).toBe(2);
    expect(f.counted).toContain(metricNames.slaBreached);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]).toMatchObject({ to: ['b@desk.example'], replyTo: 'no-reply@desk.example', automatic: 'auto-generated' });
    expect(out).toMatchObject({ phase: 'working', seq: f.ticket(t.id)!.lifecycleSeq });
  });

  it('a timer for an older state of the ticket changes nothing', async () => {
    const t = opened();
    const f = fakes(t);
    await lifecycleStep({ action: 'level-timeout', ticketId: t.id, seq: (t.lifecycleSeq ?? 0) + 1 }, later(100), f.deps);
    expect(f.ticket(t.id)).toBe(t);
    expect(f.sent).toEqual([]);
  });

  it('an erased ticket ends the execution, even under a timer', async () => {
    const f = fakes(undefined);
    expect(await lifecycleStep({ action: 'pending-timeout', ticketId: 't-gone', seq: 0 }, T0, f.deps)).toEqual({ ticketId: 't-gone', phase: 'done', seq: 0, timeoutSeconds: 1 });
  });

  it('the survey goes to the requester in the ticket’s thread with five signed rating links, and is remembered for threading', async () => {
    const t = opened({ status: 'resolved', resolvedAt: T0, firstRespondedAt: T0 });
    const f = fakes(t);
    const out = await lifecycleStep({ action: 'survey-due', ticketId: t.id, seq: t.lifecycleSeq ?? 0 }, later(48), f.deps);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]!.to).toEqual(['ana@example.com']);
    expect(f.sent[0]!.text.match(/https:\/\/api\.desk\.example\/survey\//g)).toHaveLength(5);
    expect(f.remembered).toHaveLength(1);
    expect(f.counted).toContain(metricNames.surveySent);
    expect(out.phase).toBe('surveying');
  });

  it('a failed mail is counted and never undoes the change', async () => {
    const t = opened({ status: 'pending', slaPausedAt: T0 });
    const f = fakes(t, { mail: 'fails' });
    await lifecycleStep({ action: 'pending-timeout', ticketId: t.id, seq: t.lifecycleSeq ?? 0 }, later(24 * 30), f.deps);
    expect(f.ticket(t.id)!.status).toBe('resolved');
    expect(f.counted).toContain(metricNames.lifecycleMailFailed);
  });

  it('with mail off, changes happen silently', async () => {
    const t = opened({ status: 'pending', slaPausedAt: T0 });
    const f = fakes(t, { mail: 'off' });
    await lifecycleStep({ action: 'pending-timeout', ticketId: t.id, seq: t.lifecycleSeq ?? 0 }, later(24 * 30), f.deps);
    expect(f.ticket(t.id)!.status).toBe('resolved');
    expect(f.counted).not.toContain(metricNames.lifecycleMailFailed);
  });

  it('a resolved ticket whose survey was answered closes at the plan step', async () => {
    const t = opened({ status: 'resolved', resolvedAt: T0, survey: { sentAt: T0, expiresAt: later(24), rating: 5, ratedAt: T0, comment: null } });
    const f = fakes(t);
    expect((await lifecycleStep({ action: 'plan', ticketId: t.id }, later(1), f.deps)).phase).toBe('done');
    expect(f.ticket(t.id)!.status).toBe('closed');
  });
});
