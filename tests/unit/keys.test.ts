import { describe, expect, it } from 'vitest';
import { keys, partitions, rankSortKey, reportDayRange, reportPartition, ticketIndexKeys } from '../../functions/adapters/keys.ts';
import type { Ticket } from '../../functions/core/ticket.ts';

/**
 * Every stored key shape, pinned to its literal: items already in a table are found only
 * under these keys, so changing one is a data migration, never a refactoring. A change here
 * must be deliberate.
 */
const longId = `<${'x'.repeat(401)}@example.com>`;

const pinned: [string, { pk: string; sk: string } | string | [string, string], { pk: string; sk: string } | string | [string, string]][] = [
  // A ticket's partition.
  ['ticket', keys.ticket('t1'), { pk: 'TICKET#t1', sk: 'TICKET' }],
  ['message', keys.message('t1', '2026-01-02T03:04:05.000Z', 'm1'), { pk: 'TICKET#t1', sk: 'MSG#2026-01-02T03:04:05.000Z#m1' }],
  ['event', keys.event('t1', 12), { pk: 'TICKET#t1', sk: 'EVT#00000012' }],
  ['indexed', keys.indexed('t1'), { pk: 'TICKET#t1', sk: 'INDEXED' }],
  ['workflow', keys.workflow('t1'), { pk: 'TICKET#t1', sk: 'WORKFLOW' }],
  ['sent claim', keys.sentClaim('t1', 'bounce#0100abc'), { pk: 'TICKET#t1', sk: 'SENT#bounce#0100abc' }],
  ['status-page reply', keys.webReply('t1', '  thanks,\n  see   you '), { pk: 'TICKET#t1', sk: 'WEBREPLY#lwXvBU9SSBO0PUQk5kLHqhTHnlFuUOBOwimZ48DUTyo' }],
  // Desk-wide items.
  ['ticket-number counter', keys.counter('ticket-number'), { pk: 'COUNTER#ticket-number', sk: 'COUNTER' }],
  ['round-robin turn', keys.turn('it#1'), { pk: 'COUNTER#turn#it#1', sk: 'COUNTER' }],
  ['idempotency', keys.idempotency('sub-1', 'k-1'), { pk: 'IDEMPOTENCY#sub-1#k-1', sk: 'IDEMPOTENCY' }],
  ['department', keys.department('it'), { pk: 'DEPARTMENTS', sk: 'DEPT#it' }],
  ['agent', keys.agent('ana@example.com'), { pk: 'AGENTS', sk: 'AGENT#ana@example.com' }],
  ['canned response', keys.cannedResponse('r1'), { pk: 'CANNED', sk: 'RESP#r1' }],
  ['desk defaults', keys.deskDefaults(), { pk: 'CONFIG', sk: 'DESK_DEFAULTS' }],
  ['admin audit', keys.adminAudit('2026-01-02T00:00:00.000Z', 'a1'), { pk: 'ADMIN_AUDIT', sk: '2026-01-02T00:00:00.000Z#a1' }],
  ['erasure record', keys.erasure('2026-01-02T00:00:00.000Z', 'e1'), { pk: 'ERASURE', sk: '2026-01-02T00:00:00.000Z#e1' }],
  ['triage example', keys.triageExample('2026-03-04T05:06:07.000Z', 't1'), { pk: 'TRIAGE_EXAMPLES#2026-03', sk: 't1' }],
  ['imported triage example', keys.triageImportedExample('2026-03-04T05:06:07.000Z', 'abc'), { pk: 'TRIAGE_EXAMPLES#2026-03', sk: 'IMPORT#abc' }],
  ['triage model in use', keys.triageModelInUse(), { pk: 'TRIAGE_MODEL', sk: 'IN_USE' }],
  ['search word', keys.searchWord('printer', '2026-01-02T00:00:00.000Z', 't1'), { pk: 'SEARCH#printer', sk: '2026-01-02T00:00:00.000Z#t1' }],
  ['report', keys.report('x', '2026-01'), { pk: 'REPORT#x', sk: 'MONTH#2026-01' }],
  ['volume counter', keys.reportVolume('2026-01-02', 'billing', 3, 'it'), { pk: 'REPORT#volume#2026-01', sk: 'DAY#2026-01-02#billing#3#it' }],
  ['volume counter, dispatch queue', keys.reportVolume('2026-01-02', 'billing', 0, null), { pk: 'REPORT#volume#2026-01', sk: 'DAY#2026-01-02#billing#0#~none' }],
  ['volume counter, before departments', keys.reportVolume('2026-01-02', 'billing', 0), { pk: 'REPORT#volume#2026-01', sk: 'DAY#2026-01-02#billing#0' }],
  ['subject counter', keys.reportSubject('2026-01', 'vpn down', 'it'), { pk: 'REPORT#subjects#2026-01', sk: 'D=it#vpn down' }],
  ['subject counter, before departments', keys.reportSubject('2026-01', 'vpn down'), { pk: 'REPORT#subjects#2026-01', sk: 'vpn down' }],
  ['SLA counter', keys.reportSla('2026-01-02', 'high', 2, null), { pk: 'REPORT#sla#2026-01', sk: 'DAY#2026-01-02#high#L2#~none' }],
  ['CSAT counter', keys.reportCsat('2026-01', 'it'), { pk: 'REPORT#csat', sk: 'MONTH#2026-01#it' }],
  ['triage counter', keys.reportTriage('2026-01-26', 3, 'it'), { pk: 'REPORT#triage#2026-01', sk: 'WEEK#2026-01-26#3#it' }],
  ['triage counter (dispatch)', keys.reportTriage('2026-01-26', 0, null), { pk: 'REPORT#triage#2026-01', sk: 'WEEK#2026-01-26#0#~none' }],
  ['report partition', reportPartition('sla', '2026-01'), 'REPORT#sla#2026-01'],
  ['report day range', reportDayRange('2026-01-01', '2026-01-31'), ['DAY#2026-01-01', 'DAY#2026-01-31#~']],
  // Mail channel, web form and delivery items.
  ['message id', keys.messageId('<Abc@Mail.Example>'), { pk: 'MSGID#<abc@mail.example>', sk: 'MSGID' }],
  ['message id SES assigned', keys.messageId('0100ABC-def@eu-west-1.amazonses.com'), { pk: 'SESID#0100abc-def', sk: 'MSGID' }],
  ['long message id', keys.messageId(longId), { pk: 'MSGID#sha256:Je-Qjl3xmXrtDgS0Ox2HN3t0uYpxEBeY_eshR0IKC6E', sk: 'MSGID' }],
  ['inbound claim', keys.inboundClaim('Lea@Example.com|<abc@mail.example>'), { pk: 'INBOUND#QIROQm9xdF0qKXG1BX0MLyrCczsk7qX3Lj42wJAoSmI', sk: 'INBOUND' }],
  ['quarantine', keys.quarantine('0100abc'), { pk: 'QUARANTINE', sk: 'MAIL#0100abc' }],
  ['automatic-reply count', keys.autoReplyCount('Lea@Example.com', 493000), { pk: 'AUTOREPLY#lea@example.com', sk: 'HOUR#493000' }],
  ['web-form throttle', keys.webFormThrottle('email:Lea@Example.com', 493000), { pk: 'THROTTLE#webform#4ifbV483jdl5BEKF70PLcd9iPtetaL2aw2tzyuPh7NE', sk: 'HOUR#493000' }],
  ['web-form submission', keys.webFormSubmission('fp1'), { pk: 'WEBFORM#fp1', sk: 'SUBMISSION' }],
  ['recipient delivery', keys.recipientDelivery(' Lea@Example.com '), { pk: 'RECIPIENT#g3tVplJJJLC5T8yY0PR733NAN-q_xhAqo-BbyaRC36E', sk: 'DELIVERY' }],
  // Index partitions.
  ['queue index', partitions.queue(null, 1, 'open'), 'Q#~none#L1#open'],
  ['status index', partitions.status('~spam'), 'S#~spam'],
  ['assignee index', partitions.assignee(null, 'pending'), 'A#~none#pending'],
  ['requester index', partitions.requester('lea@example.com', 'open'), 'R#lea@example.com#open'],
  ['history index', partitions.history('lea@example.com'), 'H#lea@example.com'],
  ['number index', partitions.number(1234), 'N#1234'],
  ['rank', rankSortKey({ priority: 'urgent', dueAt: null, id: 't1' } as Pick<Ticket, 'priority' | 'dueAt' | 'id'>), '1#9999#t1'],
];

describe('stored key shapes', () => {
  it.each(pinned)('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('a ticket item carries its index attributes', () => {
    const t = {
      id: 't1',
      number: 1234,
      status: 'open',
      spam: false,
      department: 'it',
      level: 2,
      assignee: null,
      priority: 'high',
      dueAt: '2026-01-02T10:00:00.000Z',
      createdAt: '2026-01-02T09:00:00.000Z',
      requester: { email: 'lea@example.com' },
    } as unknown as Ticket;
    expect(ticketIndexKeys(t)).toEqual({
      queuePk: 'Q#it#L2#open',
      statusPk: 'S#open',
      assigneePk: 'A#~none#open',
      requesterPk: 'R#lea@example.com#open',
      historyPk: 'H#lea@example.com',
      numberPk: 'N#1234',
      rankSk: '2#2026-01-02T10:00:00.000Z#t1',
      createdSk: '2026-01-02T09:00:00.000Z#t1',
    });
    expect(ticketIndexKeys({ ...t, spam: true }).queuePk).toBe('Q#it#L2#~spam');
  });
});
