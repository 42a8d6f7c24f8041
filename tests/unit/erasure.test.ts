import { describe, expect, it } from 'vitest';
import {
  addressHash,
  ERASED,
  ERASED_SUBJECT_LINE,
  erasureBody,
  erasureRecord,
  isPseudonym,
  planErasure,
  pseudonymFor,
  purgeDue,
  retentionCutoff,
  ticketFootprint,
  type Item,
} from '../../functions/core/erasure.ts';
import { addAgentMessage, addCustomerMail, openTicket, type Actor, type AuditEvent, type MailDetails, type Message, type Ticket } from '../../functions/core/ticket.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { normalizeSubject } from '../../functions/core/report.ts';

const bucket = 'helpdesk-mail';
const prefixes = { inbound: 'inbound/', attachments: 'attachments/', uploads: 'uploads/' };
const admin: Actor = { sub: 'admin-sub', email: 'admin@helpdesk.local' };
const agent: Actor = { sub: 'agent-sub', email: 'l1@helpdesk.local' };
const mailActor: Actor = { sub: 'system:inbound-mail', email: 'mail' };

const requester = 'Joana.Lima@Example.com';
const participant = 'chefe.da.joana@example.com';
const name = 'Joana Lima';
const subject = 'Impressora do financeiro parou de novo';
const bodies = ['A impressora do 2º andar parou.', 'Ainda não funciona, Joana', 'Verifiquei o spooler da Joana', 'Chegamos ao técnico'];

function mailDetails(messageId: string, ses: string, files: string[]): MailDetails {
  return {
    messageId,
    sesMessageId: ses,
    fullText: `${bodies[0]}\n\nObrigada,\n${name}\n> quoted`,
    html: `<p>${bodies[0]}</p>`,
    raw: { bucket, key: `inbound/${ses}` },
    truncated: false,
    attachments: files.map((f, i) => ({ filename: f, contentType: 'text/plain', size: 3, key: `attachments/T/${ses}/${i}-${f}`, inline: false })),
    verdicts: { spam: 'PASS' },
    automated: false,
  };
}

const at = (min: number) => new Date(Date.UTC(2026, 10, 2, 12, min)).toISOString();

/** A mail ticket with a customer reply, an agent note quoting it, an agent reply with a file: as stored. */
function storedTicket(opts: { indexed?: boolean; status?: Ticket['status'] } = {}) {
  const opened = openTicket(
    { requester: { email: requester, name }, subject, body: bodies[0]!, channel: 'email', category: 'printing', department: 'it' },
    42,
    mailActor,
    at(0),
    defaultPolicy,
    { ticketId: '01KAAAAAAAAAAAAAAAAAAAAAAA', messageId: '01KAAAAAAAAAAAAAAAAAAAAAAB', participants: [participant], language: 'pt-BR', spam: false, mail: mailDetails('<first.joana@example.com>', 'ses-1', ['erro-joana.txt']) },
  );
  let t = opened.ticket;
  const messages: Message[] = [];
  const events: AuditEvent[] = [];
  const second = addCustomerMail(t, { id: 'M2', from: { email: requester, name }, body: bodies[1]!, at: at(5), mail: mailDetails('<second@example.com>', 'ses-2', []), cc: [participant] }, mailActor, defaultPolicy);
  t = second.ticket;
  messages.push(second.message);
  events.push(second.event);
  const note = addAgentMessage(t, { kind: 'note', body: `${bodies[2]} (${requester})` }, agent, at(6), defaultPolicy);
  t = note.ticket;
  messages.push(note.message);
  events.push(note.event);
  const reply = addAgentMessage(t, { kind: 'reply', body: bodies[3]!, attachments: [{ filename: 'manual.pdf', contentType: 'application/pdf', size: 9, key: `uploads/${t.id}/u1/manual.pdf` }] }, agent, at(7), defaultPolicy);
  t = { ...reply.ticket, breaches: [{ level: 1, at: at(8) }], survey: { sentAt: at(9), expiresAt: at(99), rating: 4, ratedAt: at(10), comment: `Obrigada, ${name}!` }, status: opts.status ?? reply.ticket.status };
  messages.push(reply.message);
  events.push(reply.event);
  const ticketItem: Item = {
    pk: `TICKET#${t.id}`,
    sk: 'TICKET',
    type: 'ticket',
    ...t,
    requesterPk: `R#${t.requester.email}#${t.status}`,
    historyPk: `H#${t.requester.email}`,
    openingMessage: opened.message,
    createdEvent: opened.event,
  };
  const items: Item[] = [
    ...messages.map((m) => ({ pk: ticketItem.pk, sk: `MSG#${m.createdAt}#${m.id}`, type: 'message', ...m })),
    ...events.map((e) => ({ pk: ticketItem.pk, sk: `EVT#${String(e.version).padStart(8, '0')}`, type: 'event', ...e })),
    { pk: ticketItem.pk, sk: 'WORKFLOW', type: 'workflow', token: 'task-token', seq: 3, phase: 'working' },
    { pk: ticketItem.pk, sk: 'SENT#ack', type: 'sent-claim', at: at(1) },
    { pk: ticketItem.pk, sk: 'WEBREPLY#abc', type: 'webreply-claim', expiresAt: 1 },
    ...(opts.indexed === false ? [] : [{ pk: ticketItem.pk, sk: 'INDEXED', type: 'indexed', at: at(1) }]),
  ];
  return { ticket: t, ticketItem, items };
}

const personal = [requester.toLowerCase(), participant, name.toLowerCase(), subject.toLowerCase(), ...bodies.map((b) => b.toLowerCase()), 'erro-joana', 'manual.pdf', 'obrigada', 'first.joana', 'joana'];

function expectNoPersonalData(value: unknown) {
  const text = JSON.stringify(value).toLowerCase();
  for (const p of personal) expect(text, `still holds "${p}"`).not.toContain(p);
}

describe('pseudonyms and hashes', () => {
  it('makes a stable .invalid pseudonym from the normalised address, never the address', () => {
    const p = pseudonymFor(requester);
    expect(p).toMatch(/^erased-[0-9a-f]{12}@invalid$/);
    expect(pseudonymFor(' joana.lima@example.com ')).toBe(p);
    expect(isPseudonym(p)).toBe(true);
    expect(isPseudonym(requester)).toBe(false);
    expect(addressHash(requester)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(addressHash(requester).slice(7, 19)).toBe(p.slice(7, 19));
  });
});

describe('planErasure', () => {
  const plan = () => {
    const s = storedTicket();
    return { ...s, plan: planErasure({ ticketItem: s.ticketItem, items: s.items, actor: admin, now: at(30), mailBucket: bucket, prefixes }) };
  };

  it('leaves no address, name, subject, body, comment or file name in anything it writes', () => {
    const { plan: p } = plan();
    expectNoPersonalData(p.ticket);
    expectNoPersonalData(p.rewrites);
    expectNoPersonalData(p.event);
    expect(p.ticket.subject).toBe(ERASED);
    expect(p.ticket.requester).toEqual({ email: pseudonymFor(requester) });
    expect(p.ticket.participants).toEqual([pseudonymFor(participant)]);
    expect(p.ticket.mailThread).toEqual([]);
    expect(p.ticket.survey?.comment).toBeNull();
  });

  it("drops the triage words and signals taken from the customer's text or address, keeps the decision", () => {
    const s = storedTicket();
    const triage = {
      at: at(0), category: 'printing', department: 'it', priority: 'normal', confidence: 0.9, dispatch: false, decidedBy: 'model',
      words: ['impressora', 'joana'],
      signals: ['decided:model', 'model:department=it@0.90', 'model:words=impressora,joana', 'keyword:impressora', 'domain:example.com', 'vip:example.com'],
    };
    const p = planErasure({ ticketItem: { ...s.ticketItem, triage }, items: s.items, actor: admin, now: at(30), mailBucket: bucket, prefixes });
    const kept = p.ticket.triage as unknown as typeof triage;
    expect(kept.words).toEqual([]);
    expect(kept.signals).toEqual(['decided:model', 'model:department=it@0.90', 'keyword:impressora']);
    expect(kept).toMatchObject({ department: 'it', decidedBy: 'model', confidence: 0.9 });
  });

  it('keeps what counts: ids, number, times, priority, category, department, level, breaches, rating', () => {
    const { ticket, plan: p } = plan();
    expect(p.ticket).toMatchObject({
      id: ticket.id,
      number: 42,
      createdAt: ticket.createdAt,
      firstRespondedAt: ticket.firstRespondedAt,
      priority: ticket.priority,
      category: 'printing',
      department: 'it',
      level: ticket.level,
      breaches: ticket.breaches,
      channel: 'email',
    });
    expect(p.ticket.survey?.rating).toBe(4);
    // Messages stay as a skeleton: who (agent, or the pseudonym), what kind, when.
    const messages = p.rewrites.filter((r) => r.type === 'message') as unknown as Message[];
    expect(messages).toHaveLength(3);
    for (const m of messages) expect(m.body).toBe(ERASED);
    expect(messages.find((m) => m.kind === 'customer')!.author).toEqual({ type: 'customer', email: pseudonymFor(requester) });
    expect(messages.find((m) => m.kind === 'note')!.author.email).toBe(agent.email);
    expect(messages.find((m) => m.kind === 'reply')!.attachments).toBeUndefined();
    expect((p.ticket as any).openingMessage.body).toBe(ERASED);
    expect((p.ticket as any).openingMessage.mail).toMatchObject({ fullText: ERASED, html: null, attachments: [], messageId: null, sesMessageId: 'ses-1' });
  });

  it('closes an open ticket, one version up, with a requester.erased event by the admin and nothing personal', () => {
    const { ticket, plan: p } = plan();
    expect(p.closes).toBe(true);
    expect(p.expectedVersion).toBe(ticket.version);
    expect(p.ticket).toMatchObject({ status: 'closed', closedAt: at(30), dueAt: null, levelDueAt: null, version: ticket.version + 1, erasedAt: at(30) });
    expect(p.event).toEqual({
      ticketId: ticket.id,
      version: ticket.version + 1,
      at: at(30),
      actor: admin,
      action: 'requester.erased',
      changes: [
        { field: 'requester', before: null, after: { email: pseudonymFor(requester) } },
        { field: 'status', before: ticket.status, after: 'closed' },
      ],
    });
  });

  it('leaves a closed ticket closed, with no lifecycle to stop', () => {
    const s = storedTicket({ status: 'closed' });
    const p = planErasure({ ticketItem: s.ticketItem, items: s.items, actor: admin, now: at(30), mailBucket: bucket, prefixes });
    expect(p.closes).toBe(false);
    expect(p.event!.changes).toHaveLength(1);
  });

  it('deletes the task token and web-reply claims, keeps the indexing marker and send claims', () => {
    const { plan: p } = plan();
    expect(p.deletes.map((d) => d.sk).sort()).toEqual(['WEBREPLY#abc', 'WORKFLOW']);
    expect(p.rewrites.map((r) => r.sk)).not.toContain('INDEXED');
    expect(p.rewrites.map((r) => r.sk)).not.toContain('SENT#ack');
  });

  it('finds what the ticket owns elsewhere: search words, Message-IDs, inbound claims, raw mail and files', () => {
    const { ticket, plan: p } = plan();
    expect(p.footprint.searchWords).toEqual(expect.arrayContaining(['impressora', 'financeiro', 'parou']));
    expect(p.footprint.createdAt).toBe(ticket.createdAt);
    expect(p.footprint.messageIds.sort()).toEqual(['<first.joana@example.com>', '<second@example.com>']);
    expect(p.footprint.inboundClaims.sort()).toEqual(['joana.lima@example.com|<first.joana@example.com>', 'joana.lima@example.com|<second@example.com>']);
    expect(p.footprint.objects.map((o) => o.key).sort()).toEqual(['attachments/T/ses-1/0-erro-joana.txt', 'inbound/ses-1', 'inbound/ses-2', `uploads/${ticket.id}/u1/manual.pdf`]);
    expect(p.footprint.objects.every((o) => o.bucket === bucket)).toBe(true);
  });

  it('never names an object outside the mail bucket and its prefixes', () => {
    const s = storedTicket();
    const open = s.ticketItem.openingMessage as Message;
    s.ticketItem.openingMessage = {
      ...open,
      mail: { ...open.mail!, raw: { bucket: 'someone-elses-bucket', key: 'inbound/x' }, attachments: [{ filename: 'a', contentType: 'x/y', size: 1, key: 'attachments/../secrets', inline: false }] },
      attachments: [{ filename: 'b', contentType: 'x/y', size: 1, key: 'dashboard/index.html' }],
    };
    const fp = ticketFootprint(s.ticketItem, s.items, bucket, prefixes);
    expect(fp.objects.map((o) => o.key)).not.toEqual(expect.arrayContaining(['inbound/x']));
    expect(fp.objects.map((o) => o.key).some((k) => k.includes('..') || k.startsWith('dashboard/'))).toBe(false);
  });

  it('moves the subject report count to the erased line once indexed, so totals stay', () => {
    const { plan: p } = plan();
    const month = at(0).slice(0, 7);
    expect(p.counters).toEqual([
      { report: 'subjects', month, subject: normalizeSubject(subject), by: -1 },
      { report: 'subjects', month, subject: ERASED_SUBJECT_LINE, by: 1 },
    ]);
    const s = storedTicket({ indexed: false });
    expect(planErasure({ ticketItem: s.ticketItem, items: s.items, actor: admin, now: at(30), mailBucket: bucket, prefixes }).counters).toEqual([]);
  });

  it('is idempotent: planning again over its own result finds nothing left', () => {
    const { plan: p, items } = plan();
    const rewritten = new Map(p.rewrites.map((r) => [r.sk, r]));
    const after = items.filter((i) => !p.deletes.some((d) => d.sk === i.sk)).map((i) => rewritten.get(i.sk) ?? i);
    const again = planErasure({ ticketItem: { ...p.ticket, pk: `TICKET#${p.ticketId}`, sk: 'TICKET' }, items: after, actor: admin, now: at(40), mailBucket: bucket, prefixes });
    expect(again.alreadyErased).toBe(true);
    expect(again.event).toBeNull();
    expect(again.rewrites).toEqual([]);
    expect(again.deletes).toEqual([]);
    expect(again.counters).toEqual([]);
    expect(again.closes).toBe(false);
  });
});

describe('erasureRecord', () => {
  it('keeps who asked, when, why and how much, with the address only as a hash', () => {
    const record = erasureRecord({
      erasureId: 'E1',
      at: at(30),
      actor: admin,
      address: requester,
      reason: `Pedido por e-mail de ${requester.toUpperCase()} em 20/11`,
      ticketIds: ['T1', 'T2'],
      summary: { tickets: 2, closedTickets: 1, rewritten: 9, deleted: 12, objects: 3 },
    });
    expect(record).toEqual({
      erasureId: 'E1',
      at: at(30),
      requestedBy: admin,
      reason: `Pedido por e-mail de ${pseudonymFor(requester)} em 20/11`,
      addressHash: addressHash(requester),
      pseudonym: pseudonymFor(requester),
      ticketIds: ['T1', 'T2'],
      tickets: 2,
      closedTickets: 1,
      rewritten: 9,
      deleted: 12,
      objects: 3,
    });
    expect(JSON.stringify(record).toLowerCase()).not.toContain(requester.toLowerCase());
  });
});

describe('erasureBody', () => {
  it('takes an address and an optional reason, normalised', () => {
    expect(erasureBody.parse({ email: ' Joana@Example.COM ' })).toEqual({ email: 'joana@example.com' });
    expect(erasureBody.parse({ email: 'a@b.co', reason: ' asked ' })).toEqual({ email: 'a@b.co', reason: 'asked' });
  });

  it('refuses a missing or bad address, unknown keys and a long or empty reason', () => {
    for (const bad of [{}, { email: 'nope' }, { email: 'a@b.co', extra: 1 }, { email: 'a@b.co', reason: 'x'.repeat(501) }, { email: 'a@b.co', reason: '  ' }, { email: ['a@b.co'] }]) {
      expect(erasureBody.safeParse(bad).success, JSON.stringify(bad).slice(0, 60)).toBe(false);
    }
  });
});

describe('retention', () => {
  it('purges closed tickets closed before the cutoff only', () => {
    const cutoff = retentionCutoff(Date.parse('2026-11-30T00:00:00.000Z'), 30);
    expect(cutoff).toBe('2026-10-31T00:00:00.000Z');
    expect(purgeDue({ status: 'closed', closedAt: '2026-10-30T23:59:59.000Z' }, cutoff)).toBe(true);
    expect(purgeDue({ status: 'closed', closedAt: '2026-10-31T00:00:00.000Z' }, cutoff)).toBe(false);
    expect(purgeDue({ status: 'resolved', closedAt: null }, cutoff)).toBe(false);
    expect(purgeDue({ status: 'closed', closedAt: null }, cutoff)).toBe(false);
  });
});
