import { describe, expect, it } from 'vitest';
import { retrainTriage, recentMonths, HISTORY_KEPT, type RetrainDeps } from '../../functions/app/retrain-triage.ts';
import { triageModelLoader, type LoaderLog } from '../../functions/app/triage-model-loader.ts';
import { changesExample, recordTriageExample } from '../../functions/app/record-triage-example.ts';
import { openTicket, type OpenTicketDeps } from '../../functions/app/open-ticket.ts';
import { changeTicket } from '../../functions/app/change-ticket.ts';
import type { TriageModelPointer } from '../../functions/adapters/triage-model-store.ts';
import { labelledExample, WEIGHT_DEPARTMENT_CORRECTED, WEIGHT_ROUTED_FROM_DISPATCH, type LabelledTicket } from '../../functions/core/triage-labels.ts';
import { prepareTriageModel, trainTriageModel, type TriageModel } from '../../functions/core/triage-model.ts';
import { triageNew } from '../../functions/core/lifecycle.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { openTicket as ticketOpening, type Message, type Ticket } from '../../functions/core/ticket.ts';
import { pseudonymFor } from '../../functions/core/erasure.ts';
import type { TriageExample } from '../../functions/core/triage-examples.ts';

/**
 * The learning loop's use cases with in-memory stores: examples from worked
 * tickets, retraining that publishes only a better model (and only one of two
 * racing), the loader's cold start, caching and broken models. Training
 * takes a few seconds of a shared machine: each test's deadline is generous
 * (a hang fails, not speed).
 */

// Three departments; the rules know some of these words (impressora, toner, reembolso) and none of support's.
const topics: Record<string, [string[], string[]]> = {
  it: [['impressora', 'toner', 'scanner', 'printer', 'spooler'], ['laser', 'papel', 'paper', 'jam', 'driver']],
  finance: [['reembolso', 'refund', 'nota', 'invoice', 'imposto'], ['valor', 'amount', 'desconto', 'discount', 'parcela']],
  support: [['cadastro', 'profile', 'endereco', 'address', 'apelido'], ['alterar', 'change', 'atualizar', 'update', 'perfil']],
};

function corpus(n: number, seed = 7, at?: (i: number) => string): (TriageExample & { at?: string })[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const depts = Object.keys(topics);
  return Array.from({ length: n }, (_, i) => {
    const d = depts[i % depts.length]!;
    const [a, b] = topics[d]!;
    return {
      subject: `${pick(a)} ${pick(b)}`,
      body: `Olá, ${pick(a)} ${pick(b)} ${pick(a)} ontem. ${pick(b)} de novo.`,
      department: d,
      priority: i % 2 ? 'normal' : 'high',
      language: 'pt',
      ...(at ? { at: at(i) } : {}),
    };
  });
}

const NOW = new Date('2026-06-15T12:00:00.000Z');

function modelStore(initial?: { pointer: TriageModelPointer; model: unknown }) {
  const objects = new Map<string, unknown>();
  let pointer: TriageModelPointer | null = null;
  if (initial) {
    pointer = initial.pointer;
    objects.set(initial.pointer.key, initial.model);
  }
  const calls = { inUse: 0, read: 0, write: 0, publish: 0 };
  return {
    calls,
    objects,
    get pointer() {
      return pointer;
    },
    store: {
      inUse: async () => (calls.inUse++, pointer ? structuredClone(pointer) : null),
      read: async (key: string) => {
        calls.read++;
        if (!objects.has(key)) throw new Error(`no object ${key}`);
        return structuredClone(objects.get(key));
      },
      write: async (seq: number, model: TriageModel) => {
        calls.write++;
        const key = `models/triage/v${seq}-${objects.size}.json`;
        objects.set(key, JSON.parse(JSON.stringify(model)));
        return key;
      },
      // The conditional write on the pointer's seq, as the table does it.
      publish: async (next: TriageModelPointer, expectedSeq: number | null) => {
        calls.publish++;
        if ((pointer?.seq ?? null) !== expectedSeq) return false;
        pointer = structuredClone(next);
        return true;
      },
    },
  };
}

function deps(examples: (TriageExample & { at?: string })[], models: ReturnType<typeof modelStore>): RetrainDeps {
  return {
    examples: { ofMonths: async (_months, max) => examples.slice(0, max) },
    models: models.store,
    policy: defaultPolicy,
    now: () => NOW,
  };
}

const fast = { train: { folds: 2, epochs: 8 } } as const;

function pointerFor(model: TriageModel, seq: number, key: string, trainedAt: string): TriageModelPointer {
  return { seq, version: `v${seq}`, key, trainedAt, examples: model.examples, accuracy: model.metrics.fields.department?.accuracy ?? null, metrics: model.metrics, history: [] };
}

describe('retrainTriage', { timeout: 120_000 }, () => {
  it('a new desk: too few labelled tickets trains nothing, publishes nothing', async () => {
    const models = modelStore();
    const result = await retrainTriage(deps(corpus(8), models), fast);
    expect(result).toMatchObject({ published: false, reason: 'too-few-examples', version: null, inUse: null });
    expect(models.calls.write).toBe(0);
  });

  it('the first model is put in use, with its figures, when nothing is in use', async () => {
    const models = modelStore();
    const result = await retrainTriage(deps(corpus(60), models), fast);
    expect(result).toMatchObject({ published: true, reason: 'better', version: 'v1', inUse: 'v1', examples: { desk: 60, given: 0, total: 60 } });
    expect(result.heldOut!.n).toBeGreaterThanOrEqual(10);
    expect(result.heldOut!.inUse).toBeNull();
    // Support's words are unknown to the rules: the model routes what they leave to dispatch.
    expect(result.heldOut!.candidate).toBeGreaterThan(result.heldOut!.rules);
    expect(models.pointer).toMatchObject({ seq: 1, version: 'v1', examples: 60, history: [] });
    expect(models.pointer!.metrics.fields.department).toBeDefined();
    // The published model is the one in S3 under the pointer's key, and it loads.
    expect(() => prepareTriageModel(models.objects.get(models.pointer!.key))).not.toThrow();
  });

  it('publishes only a model that beats the one in use on tickets neither saw', async () => {
    const old = corpus(60, 3, () => '2026-05-01T00:00:00.000Z');
    const fresh = corpus(60, 11, () => '2026-06-10T00:00:00.000Z');
    // A good model in use, trained before the fresh tickets: a new one is no better on them.
    const good = trainTriageModel(old, { folds: 0, epochs: 8 }).model;
    const same = modelStore({ pointer: pointerFor(good, 4, 'models/triage/good.json', '2026-05-02T00:00:00.000Z'), model: good });
    const kept = await retrainTriage(deps([...old, ...fresh], same), fast);
    expect(kept).toMatchObject({ published: false, reason: 'not-better', inUse: 'v4' });
    expect(kept.heldOut!.candidate).toBeLessThanOrEqual(kept.heldOut!.inUse!);
    expect(same.calls.publish).toBe(0);

    // A poor model in use (trained on labels that say nothing): the new one wins, and the old one joins the history.
    const shuffled = old.map((e, i) => ({ ...e, department: ['it', 'finance', 'support'][(i + 1) % 3]! }));
    const poor = trainTriageModel(shuffled, { folds: 0, epochs: 8 }).model;
    const beaten = modelStore({ pointer: pointerFor(poor, 4, 'models/triage/poor.json', '2026-05-02T00:00:00.000Z'), model: poor });
    const won = await retrainTriage(deps([...old, ...fresh], beaten), fast);
    expect(won).toMatchObject({ published: true, version: 'v5', inUse: 'v5' });
    expect(won.heldOut!.candidate).toBeGreaterThan(won.heldOut!.inUse!);
    expect(beaten.pointer!.history).toEqual([expect.objectContaining({ version: 'v4', key: 'models/triage/poor.json' })]);
    // Every model stays in S3.
    expect(beaten.objects.has('models/triage/poor.json')).toBe(true);
  });

  it('a model in use that cannot be read is beaten by one that can', async () => {
    const models = modelStore({ pointer: { ...pointerFor(trainTriageModel(corpus(30), { folds: 0, epochs: 4 }).model, 2, 'models/triage/gone.json', '2026-01-01T00:00:00.000Z') }, model: { broken: true } });
    const result = await retrainTriage(deps(corpus(60), models), fast);
    expect(result).toMatchObject({ published: true, version: 'v3' });
    expect(result.heldOut!.inUse).toBe(0);
  });

  it('of two retrains racing on the same pointer, exactly one puts its model in use', async () => {
    const models = modelStore();
    const examples = corpus(60);
    const [a, b] = await Promise.all([retrainTriage(deps(examples, models), fast), retrainTriage(deps(examples, models), fast)]);
    expect([a.published, b.published].sort()).toEqual([false, true]);
    const loser = a.published ? b : a;
    expect(loser).toMatchObject({ reason: 'lost-race', inUse: 'v1' });
    expect(models.pointer!.seq).toBe(1);
    // Both models were written; only one is pointed at.
    expect(models.calls.write).toBe(2);
  });

  it('takes extra examples (an imported history) and can require beating the rules', async () => {
    const models = modelStore();
    const result = await retrainTriage(deps([], models), { ...fast, extraExamples: corpus(45), mustBeatRules: true });
    expect(result).toMatchObject({ published: true, examples: { desk: 0, given: 45, total: 45 } });

    // Tickets the rules already route perfectly: a model cannot beat them, so with mustBeatRules nothing is published.
    const ruled = Array.from({ length: 40 }, (_, i) => ({ subject: i % 2 ? 'Esqueci minha senha' : 'Boleto da fatura duplicado', body: 'login senha acesso bloqueado', department: i % 2 ? 'it' : 'finance' }));
    const other = modelStore();
    const refused = await retrainTriage(deps([], other), { ...fast, extraExamples: ruled, mustBeatRules: true });
    expect(refused.reason).toBe('not-better-than-rules');
    expect(other.pointer).toBeNull();
  });

  it('skips a stored example that fails the check, and drops only a category that is not a label', async () => {
    const models = modelStore();
    const examples = [...corpus(40), { subject: '', body: '', department: 'it' }, { ...corpus(1)[0]!, category: 'Not A Label!' }];
    const result = await retrainTriage(deps(examples, models), fast);
    expect(result.examples).toMatchObject({ desk: 41, skipped: 1 });
  });

  it('reads this month and the ones before it', () => {
    expect(recentMonths(new Date('2026-02-10T00:00:00Z'), 3)).toEqual(['2026-02', '2026-01', '2025-12']);
    expect(HISTORY_KEPT).toBeGreaterThan(0);
  });
});

describe('triageModelLoader', { timeout: 120_000 }, () => {
  const logs = () => {
    const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
    const log: LoaderLog = { info: (message, fields) => lines.push({ level: 'info', message, fields }), error: (message, fields) => lines.push({ level: 'error', message, fields }) };
    return { lines, log };
  };
  const model = trainTriageModel(corpus(60), { folds: 0, epochs: 8 }).model;

  it('cold start: no model in use answers null, and the rules decide', async () => {
    const models = modelStore();
    const load = triageModelLoader(models.store);
    expect(await load()).toBeNull();
    const decided = await triageNew({ subject: 'toner da impressora', body: 'laser', requesterEmail: 'a@b.c' }, defaultPolicy, async () => true, await load());
    expect(decided.decidedBy).not.toBe('model');
    expect(decided.modelVersion).toBeUndefined();
  });

  it('reads the pointer at most once per 10 s, and the model only when the version changes; logs the load time', async () => {
    const models = modelStore({ pointer: pointerFor(model, 1, 'k1', '2026-06-01T00:00:00.000Z'), model });
    let clock = 0;
    const { lines, log } = logs();
    const load = triageModelLoader(models.store, { now: () => clock, log });
    const first = await load();
    expect(first?.version).toBe('v1');
    await Promise.all([load(), load(), load()]);
    clock = 9_000;
    await load();
    expect(models.calls).toMatchObject({ inUse: 1, read: 1 });
    clock = 11_000;
    expect((await load())?.version).toBe('v1');
    expect(models.calls).toMatchObject({ inUse: 2, read: 1 });
    expect(lines.find((l) => l.message === 'Triage model loaded')?.fields).toMatchObject({ version: 'v1', examples: 60, prepareMs: expect.any(Number) });

    // A new version is read once.
    await models.store.publish(pointerFor(model, 2, 'k1', '2026-06-02T00:00:00.000Z'), 1);
    clock = 22_000;
    expect((await load())?.version).toBe('v2');
    expect(models.calls.read).toBe(2);
  });

  it('a broken model: null (rules alone) with an error logged, not read again until the pointer moves', async () => {
    const models = modelStore({ pointer: pointerFor(model, 1, 'bad', '2026-06-01T00:00:00.000Z'), model: { format: 'something else' } });
    let clock = 0;
    const { lines, log } = logs();
    const load = triageModelLoader(models.store, { now: () => clock, log });
    expect(await load()).toBeNull();
    clock = 70_000;
    expect(await load()).toBeNull();
    expect(models.calls.read).toBe(1);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('a model that throws on a ticket leaves the decision to the rules and is reported, never failing the ticket', async () => {
    const prepared = prepareTriageModel(model);
    const failures: unknown[] = [];
    const throwing = { prepared: { ...prepared, model: { ...prepared.model, features: null as never } }, version: 'v9', failed: (e: unknown) => failures.push(e) };
    const decided = await triageNew({ subject: 'Esqueci minha senha', body: '', requesterEmail: 'a@b.c' }, defaultPolicy, async () => true, throwing);
    expect(failures).toHaveLength(1);
    expect(decided).toMatchObject({ decidedBy: 'rules', department: 'it' });
    expect(decided.modelVersion).toBeUndefined();
  });

  it('opening a ticket with a model in use: the model routes what the rules cannot, and the record says so', async () => {
    const models = modelStore({ pointer: pointerFor(model, 3, 'k', '2026-06-01T00:00:00.000Z'), model });
    const load = triageModelLoader(models.store);
    const openDeps: OpenTicketDeps = {
      tickets: { nextTicketNumber: async () => 1, createTicket: async (ticket) => ({ created: ticket }) },
      knownDepartment: async () => true,
      lifecycle: { start: async () => undefined },
      policy: { ...defaultPolicy, triageModel: { ...defaultPolicy.triageModel, minExamples: 10, threshold: 0.4 } },
      triageModel: load,
    };
    const outcome = await openTicket(
      { input: { requester: { email: 'ana@example.com' }, subject: 'cadastro apelido', body: 'alterar perfil', channel: 'phone' }, actor: { sub: 's', email: 'a@desk' }, at: NOW.toISOString() },
      openDeps,
    );
    const ticket = (outcome as { opened: Ticket }).opened;
    expect(ticket.department).toBe('support');
    expect(ticket.triage).toMatchObject({ decidedBy: 'model', modelVersion: 'v3', threshold: 0.4, dispatch: false });
    expect(ticket.triage!.words!.length).toBeGreaterThan(0);
  });
});

describe('labelled examples from worked tickets', { timeout: 120_000 }, () => {
  const agent = { sub: 'a', email: 'agent@desk' };
  const base = (over: Partial<Ticket> = {}): Ticket => {
    const { ticket } = ticketOpening({ requester: { email: 'ana@example.com' }, subject: 'Toner acabou', body: 'x', channel: 'email' }, 7, agent, '2026-06-01T10:00:00.000Z', defaultPolicy);
    return { ...ticket, ...over };
  };
  const triaged = (department: string | null, dispatch: boolean) => ({ at: 'x', category: null, department, priority: 'normal' as const, confidence: 0.9, signals: [], dispatch });
  const messages: Pick<Message, 'kind' | 'body' | 'createdAt'>[] = [
    { kind: 'reply', body: 'We are on it', createdAt: '2026-06-01T11:00:00.000Z' },
    { kind: 'customer', body: 'O toner da impressora acabou. '.repeat(1000), createdAt: '2026-06-01T10:00:00.000Z' },
  ];

  it('a resolved ticket is an example: its subject, the start of the first customer message, where it ended', () => {
    const e = labelledExample(base({ status: 'resolved', department: 'it', triage: triaged('it', false), language: 'pt-BR' }), messages)!;
    expect(e).toMatchObject({ subject: 'Toner acabou', department: 'it', priority: 'normal', language: 'pt', weight: 1, corrected: { department: false, priority: false } });
    expect(e.body.startsWith('O toner')).toBe(true);
    expect(e.body.length).toBe(6_000);
  });

  it('weighs an agent correction most, a ticket routed from dispatch next, and a priority changed one more', () => {
    expect(labelledExample(base({ status: 'resolved', department: 'finance', triage: triaged('it', false) }), messages)!.weight).toBe(WEIGHT_DEPARTMENT_CORRECTED);
    expect(labelledExample(base({ status: 'closed', department: 'it', triage: triaged(null, true) }), messages)!.weight).toBe(WEIGHT_ROUTED_FROM_DISPATCH);
    expect(labelledExample(base({ status: 'resolved', department: 'finance', priority: 'high', triage: triaged('it', false) }), messages)!).toMatchObject({
      weight: WEIGHT_DEPARTMENT_CORRECTED + 1,
      corrected: { department: true, priority: true },
    });
  });

  it('makes none from an open, unrouted, spam, merged or erased ticket', () => {
    expect(labelledExample(base({ status: 'open', department: 'it' }), messages)).toBeUndefined();
    expect(labelledExample(base({ status: 'resolved', department: null }), messages)).toBeUndefined();
    expect(labelledExample(base({ status: 'resolved', department: 'it', spam: true }), messages)).toBeUndefined();
    expect(labelledExample(base({ status: 'resolved', department: 'it', mergedInto: 't2' }), messages)).toBeUndefined();
    expect(labelledExample(base({ status: 'resolved', department: 'it', requester: { email: pseudonymFor('ana@example.com') } }), messages)).toBeUndefined();
  });

  it('one example per ticket, whatever the number of resolutions; re-read and rewritten when the ticket moved meanwhile', async () => {
    const stored = new Map<string, LabelledTicket>();
    let ticket = base({ status: 'resolved', department: 'it', version: 3 });
    let moveBeforeWrite = false;
    const store = {
      getThread: async () => ({ ticket, messages: messages as Message[] }),
    };
    const examples = {
      // Conditional on the version the example was read from, as the table does it.
      put: async (e: LabelledTicket) => {
        if (moveBeforeWrite) {
          moveBeforeWrite = false;
          ticket = { ...ticket, department: 'finance', version: ticket.version + 1 };
        }
        if (e.ticketVersion !== ticket.version) return 'stale' as const;
        stored.set(e.ticketId, e);
        return 'written' as const;
      },
    };
    expect(await recordTriageExample(ticket.id, { tickets: store, examples })).toBe('written');
    expect(await recordTriageExample(ticket.id, { tickets: store, examples })).toBe('written');
    expect(stored.size).toBe(1);
    moveBeforeWrite = true;
    expect(await recordTriageExample(ticket.id, { tickets: store, examples })).toBe('written');
    expect(stored.size).toBe(1);
    expect(stored.get(ticket.id)).toMatchObject({ department: 'finance', ticketVersion: 4 });
  });

  it('PATCH /tickets/{id}: a resolution records the example after the change is saved; a tag on an open ticket does not', async () => {
    const calls: string[] = [];
    let stored = base({ department: 'it' });
    const deps = {
      tickets: {
        getTicket: async () => stored,
        saveTicket: async (next: Ticket) => void (calls.push(`save ${next.status}`), (stored = next)),
      },
      knownDepartment: async () => true,
      getAgent: async () => undefined,
      lifecycle: { start: async () => undefined, stop: async () => undefined, signal: async () => undefined },
      policy: defaultPolicy,
      recordExample: async (id: string) => void calls.push(`example ${id === stored.id}`),
    };
    const principal = { admin: true, level: 3 as const, departments: [], restricted: [], email: agent.email };
    const request = (patch: Record<string, unknown>) => ({ ticketId: stored.id, patch, expectedVersion: stored.version, principal, actor: agent, at: '2026-06-02T00:00:00.000Z' });
    await changeTicket(request({ tags: ['x'] }), deps);
    await changeTicket(request({ status: 'resolved', department: 'finance' }), deps);
    expect(calls).toEqual(['save new', 'save resolved', 'example true']);
  });

  it('a change makes or alters an example only when the ticket is finished', () => {
    const open = base({ status: 'open', department: 'it' });
    const resolved = { ...open, status: 'resolved' as const };
    expect(changesExample(open, resolved)).toBe(true);
    expect(changesExample(resolved, { ...resolved, department: 'finance' })).toBe(true);
    expect(changesExample(resolved, { ...resolved, tags: ['x'] })).toBe(false);
    expect(changesExample(resolved, { ...resolved, status: 'open' })).toBe(false);
  });
});
