import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { endpoints } from './client.ts';
import { ownTableEnvironment } from './local-mode.ts';
import { openTicket, updateTicket, type Actor, type Ticket } from '../../functions/core/ticket.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { searchWords } from '../../functions/core/search-terms.ts';
import { normalizeSubject } from '../../functions/core/report.ts';

/**
 * The retention purge's handler against the local services: a table of its
 * own in the shared DynamoDB Local (other test files' closed tickets are not
 * its business), objects in the local mail bucket. A ticket closed before the
 * cutoff goes with everything it owns; a newer one, and an open one, stay;
 * report counters do not move.
 */
const ep = endpoints;
// The install's own: the S3 front refuses anything else.
const credentials = ep.credentials;
const bucket = 'helpdesk-mail';
const s3 = new S3Client({ endpoint: ep.services.s3, region: ep.region, credentials, forcePathStyle: true });
const agent: Actor = { sub: 'agent', email: 'l1@helpdesk.local' };
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

const partition = async (pk: string) =>
  (await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk }, ConsistentRead: true }))).Items ?? [];

let store: typeof import('../../functions/adapters/ticket-store.ts');
let handler: typeof import('../../functions/maintenance/purge-closed-tickets.ts')['handler'];
let index: ReturnType<typeof import('../../functions/adapters/mail-index.ts')['mailIndex']>;

let tableName: string;
let db: Awaited<ReturnType<typeof ownTableEnvironment>>['db'];

beforeAll(async () => {
  // What the Lambda gets from the stack, pointed at local mode's services, before the handler loads.
  ({ tableName, db } = await ownTableEnvironment(ep, 'purge-test', { MAIL_BUCKET: bucket, CLOSED_TICKET_DAYS: '30' }));
  store = await import('../../functions/adapters/ticket-store.ts');
  index = (await import('../../functions/adapters/mail-index.ts')).mailIndex(tableName);
  ({ handler } = await import('../../functions/maintenance/purge-closed-tickets.ts'));
}, 60_000);

/** A mail ticket opened `openedDaysAgo`, with its raw mail and an attachment in S3, indexed; closed `closedDaysAgo` if given. */
async function ticket(label: string, openedDaysAgo: number, closedDaysAgo?: number): Promise<{ t: Ticket; keys: string[]; messageId: string }> {
  const tickets = store.ticketStore(tableName);
  const ses = `ses-${randomUUID()}`;
  const messageId = `<${label}-${randomUUID()}@example.com>`;
  const raw = `inbound/${ses}`;
  const file = `attachments/PLACEHOLDER/${ses}/0-nota.txt`;
  const opened = openTicket(
    { requester: { email: `${label}@example.com` }, subject: `Retencao ${label} impressora`, body: 'corpo', channel: 'email', category: 'printing' },
    await tickets.nextTicketNumber(),
    agent,
    ago(openedDaysAgo),
    defaultPolicy,
    {
      ticketId: undefined as unknown as string,
      messageId: randomUUID(),
      participants: [],
      language: null,
      spam: false,
      mail: { messageId, sesMessageId: ses, fullText: 'corpo', html: null, raw: { bucket, key: raw }, truncated: false, attachments: [], verdicts: {}, automated: false },
    },
  );
  const attachment = file.replace('PLACEHOLDER', opened.ticket.id);
  opened.message.mail!.attachments = [{ filename: 'nota.txt', contentType: 'text/plain', size: 4, key: attachment, inline: false }];
  for (const key of [raw, attachment]) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'data' }));
  await tickets.createTicket(opened.ticket, opened.message, opened.event);
  await tickets.indexNewTicket(opened.ticket);
  await index.remember([messageId], opened.ticket.id, 'inbound');
  let t = opened.ticket;
  if (closedDaysAgo !== undefined) {
    for (const status of ['resolved', 'closed'] as const) {
      const next = updateTicket(t, { status }, agent, ago(closedDaysAgo), defaultPolicy);
      await tickets.saveTicket(next.ticket, t.version, next.event!);
      t = next.ticket;
    }
  }
  return { t, keys: [raw, attachment], messageId };
}

const exists = (key: string) => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then(
  () => true,
  (err: { name?: string }) => (err.name === 'NoSuchKey' ? false : Promise.reject(err)),
);

describe('purge-closed-tickets handler', () => {
  it('deletes a ticket closed before the cutoff with what it owns, keeps newer and open ones, and the counters', async () => {
    const old = await ticket('old', 100, 95);
    const newer = await ticket('newer', 100, 2);
    const open = await ticket('open', 100);
    const month = ago(100).slice(0, 7);
    const counters = async () => [
      ...(await partition(`REPORT#volume#${month}`)),
      ...(await partition(`REPORT#subjects#${month}`)),
    ];
    const countersBefore = await counters();
    expect(countersBefore.length).toBeGreaterThan(0);

    const result = await handler({}, {} as Context);
    expect(result).toMatchObject({ found: 1, purged: 1, kept: 0, gone: 0 });

    expect(await partition(`TICKET#${old.t.id}`)).toEqual([]);
    for (const word of searchWords(old.t.subject)) expect((await partition(`SEARCH#${word}`)).filter((i) => i.id === old.t.id)).toEqual([]);
    expect(await partition(`MSGID#${old.messageId.toLowerCase()}`)).toEqual([]);
    for (const key of old.keys) expect(await exists(key)).toBe(false);

    for (const kept of [newer, open]) {
      expect((await partition(`TICKET#${kept.t.id}`)).map((i) => i.sk)).toEqual(expect.arrayContaining(['TICKET', 'INDEXED']));
      expect(await partition(`MSGID#${kept.messageId.toLowerCase()}`)).toHaveLength(1);
      for (const key of kept.keys) expect(await exists(key)).toBe(true);
    }
    expect(await counters()).toEqual(countersBefore);
    // Subject lines are counted per department: D=<department>#<subject>.
    expect(countersBefore.some((c) => String(c.sk).replace(/^D=[^#]+#/, '') === normalizeSubject(old.t.subject))).toBe(true);

    // Idempotent: the next run finds nothing more to do.
    expect(await handler({}, {} as Context)).toMatchObject({ found: 0, purged: 0 });
  });
});
