import { randomUUID } from 'node:crypto';
import { describe, expect, it, beforeAll } from 'vitest';
import nodemailer from 'nodemailer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { api, endpoints, tokenFor, uniqueEmail, until } from './client.ts';
import { waitIndexed } from './indexing.ts';
import { searchWords } from '../../functions/core/search-terms.ts';
import { normalizeSubject } from '../../functions/core/report.ts';
import { ERASED_SUBJECT_LINE, pseudonymFor, addressHash } from '../../functions/core/erasure.ts';
import { statuses } from '../../functions/core/ticket.ts';

/**
 * POST /admin/erasures against the real local mode: one requester's tickets
 * (one from the API, one from mail with an attachment), and another
 * requester's ticket that must not change. Afterwards nothing under the
 * tickets, in the indexes that point at them, or in local S3 holds the
 * address, the name, the subjects or the bodies; the counts stay.
 */
const ep = endpoints;
const credentials = ep.credentials;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: ep.services.dynamodb, region: ep.region, credentials }));
const s3 = new S3Client({ endpoint: ep.services.s3, region: ep.region, credentials, forcePathStyle: true });
const bucket = 'helpdesk-mail';
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ep.smtpPort, secure: false, ignoreTLS: true });

const tag = randomUUID().slice(0, 8);
const email = uniqueEmail('erase');
const name = `Erika Apagada ${tag}`;
const apiSubject = `Contrato ${tag}x bloqueado no portal`;
const mailSubject = `Fatura ${tag}y duplicada no cartao`;
const bodies = [`Meu contrato ${tag}-one nao abre desde ontem`, `A fatura ${tag}-two veio em dobro, segue o comprovante`, `Nota interna: cliente disse "${tag}-one" por telefone`];
const fileContent = `comprovante ${tag}-file`;
const mailMessageId = `<${tag}.erasure@example.com>`;
const category = `erasure-${tag}`;
const personal = [email, name, apiSubject, mailSubject, ...bodies, fileContent, `${tag}-one`, `${tag}-two`, `comprovante-${tag}`, mailMessageId.slice(1, -1)].map((s) => s.toLowerCase());

const query = async (input: { pk: string } | { index: string; attr: string; value: string }) => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db.send(
      new QueryCommand(
        'pk' in input
          ? { TableName: ep.tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': input.pk }, ExclusiveStartKey: start, ConsistentRead: true }
          : { TableName: ep.tableName, IndexName: input.index, KeyConditionExpression: '#a = :p', ExpressionAttributeNames: { '#a': input.attr }, ExpressionAttributeValues: { ':p': input.value }, ExclusiveStartKey: start },
      ),
    );
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return items;
};

function expectNoPersonalData(value: unknown, where: string) {
  const text = JSON.stringify(value).toLowerCase();
  for (const p of personal) expect(text.includes(p), `${where} still holds "${p}"`).toBe(false);
}

const today = () => new Date().toISOString().slice(0, 10);
const subjectCount = async (subject: string) => {
  const items = await query({ pk: `REPORT#subjects#${today().slice(0, 7)}` });
  // One counter per department the line was counted under (D=<department>#<subject>).
  return items.filter((i) => String(i.sk).replace(/^D=[^#]+#/, '') === subject).reduce((n, i) => n + Number(i.count ?? 0), 0);
};
const volumeFor = async (token: string) => {
  const res = await api('GET', `/reports?from=${today()}&to=${today()}`, { token });
  return (res.body.volume as { category: string; count: number }[]).filter((v) => v.category === category).reduce((n, v) => n + v.count, 0);
};

let admin: string;
let agent: string;
let apiTicket: any;
let mailTicket: any;
let otherBefore: any;
let rawKey: string;
let attachmentKey: string;
let erasedBefore: number;

beforeAll(async () => {
  [admin, agent] = await Promise.all([tokenFor('admin@helpdesk.local'), tokenFor('l1@helpdesk.local')]);
  erasedBefore = await subjectCount(ERASED_SUBJECT_LINE);

  const created = await api('POST', '/tickets', {
    token: agent,
    body: { requester: { email, name }, subject: apiSubject, body: bodies[0], channel: 'phone', category, priority: 'high' },
  });
  expect(created.status).toBe(201);
  apiTicket = created.body;
  expect((await api('POST', `/tickets/${apiTicket.id}/messages`, { token: agent, body: { kind: 'note', body: bodies[2] } })).status).toBe(201);

  await transport.sendMail({
    from: `${name} <${email}>`,
    to: ep.supportAddress,
    subject: mailSubject,
    messageId: mailMessageId,
    text: bodies[1],
    attachments: [{ filename: `comprovante-${tag}.txt`, content: fileContent }],
  });
  mailTicket = await until('the mail ticket', async () => {
    const res = await api('GET', `/customers/${encodeURIComponent(email)}/tickets`, { token: agent });
    return (res.body.items as any[]).find((t) => t.channel === 'email');
  });

  const other = await api('POST', '/tickets', { token: agent, body: { requester: { email: uniqueEmail('keep'), name: 'Outra Pessoa' }, subject: `Outro assunto ${tag}`, body: 'Outro corpo', channel: 'phone' } });
  expect(other.status).toBe(201);
  // Indexed (search words, report counts) before anything is erased, so the counts are there to keep.
  await Promise.all([apiTicket.id, mailTicket.id, other.body.id].map((id) => waitIndexed(ep, id)));
  otherBefore = (await api('GET', `/tickets/${other.body.id}`, { token: agent })).body;

  const thread = (await api('GET', `/tickets/${mailTicket.id}`, { token: agent })).body;
  rawKey = thread.messages[0].mail.raw.key;
  attachmentKey = thread.messages[0].mail.attachments[0].key;
  expect(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: attachmentKey })).then((r) => r.Body!.transformToString())).toBe(fileContent);
  // The acknowledgement counted an automatic reply to the address.
  await until('the auto-reply count', async () => ((await query({ pk: `AUTOREPLY#${email}` })).length ? true : undefined));
});

describe('POST /admin/erasures', () => {
  it('refuses agents who are not admins, whatever the body', async () => {
    for (const body of [{ email }, {}, { email: 'nope' }]) {
      const res = await api('POST', '/admin/erasures', { token: agent, body });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await api('POST', '/admin/erasures', { body: { email } })).status).toBe(401);
  });

  it('answers a bad body with a 400 naming the problem', async () => {
    for (const body of [{}, { email: 'not-an-address' }, { email, extra: true }, { email, reason: 'x'.repeat(501) }, { email: 42 }]) {
      const res = await api('POST', '/admin/erasures', { token: admin, body });
      expect(res.status, JSON.stringify(body).slice(0, 50)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await api('POST', '/admin/erasures', { token: admin, rawBody: '{"email":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    // Nothing was erased by any of these.
    expect((await api('GET', `/tickets/${apiTicket.id}`, { token: agent })).body.ticket.subject).toBe(apiSubject);
  });

  it("erases the requester's personal data everywhere, keeps the counts, and a second request finds nothing left", async () => {
    const volumeBefore = await volumeFor(agent);
    const subjectsBefore = await Promise.all([apiSubject, mailSubject].map((s) => subjectCount(normalizeSubject(s))));
    expect(volumeBefore).toBe(1);
    expect(subjectsBefore).toEqual([1, 1]);

    // A worked ticket is a labelled example for the triage model, with the customer's text: the erasure deletes it too.
    const mailNow = (await api('GET', `/tickets/${mailTicket.id}`, { token: agent })).body.ticket;
    expect((await api('PATCH', `/tickets/${mailTicket.id}`, { token: agent, body: { department: 'support', status: 'resolved', version: mailNow.version } })).status).toBe(200);
    const examplePk = `TRIAGE_EXAMPLES#${String(mailTicket.createdAt).slice(0, 7)}`;
    expect((await query({ pk: examplePk })).filter((i) => i.sk === mailTicket.id)).toHaveLength(1);

    const res = await api('POST', '/admin/erasures', { token: admin, body: { email: email.toUpperCase(), reason: `Pedido de ${email} por e-mail` } });
    expect(res.status).toBe(200);
    const pseudonym = pseudonymFor(email);
    expect(res.body).toMatchObject({ tickets: 2, closedTickets: 2, remaining: 0, nothingLeft: false, pseudonym, addressHash: addressHash(email) });
    expect(res.body.ticketIds.sort()).toEqual([apiTicket.id, mailTicket.id].sort());
    expect(res.body.items.objects).toBeGreaterThanOrEqual(2);
    expectNoPersonalData(res.body, 'the response');

    // Every item under both tickets, with what the API shows of them.
    for (const id of [apiTicket.id, mailTicket.id]) {
      const items = await query({ pk: `TICKET#${id}` });
      expectNoPersonalData(items, `TICKET#${id}`);
      expect(items.find((i) => i.sk === 'WORKFLOW')).toBeUndefined();
      const thread = (await api('GET', `/tickets/${id}`, { token: agent })).body;
      expectNoPersonalData(thread, `GET /tickets/${id}`);
      expect(thread.ticket).toMatchObject({ id, status: 'closed', subject: '[erased]', requester: { email: pseudonym } });
      const erased = thread.events.filter((e: any) => e.action === 'requester.erased');
      expect(erased).toHaveLength(1);
      expect(erased[0].actor.email).toBe('admin@helpdesk.local');
    }
    expect((await api('GET', `/tickets/${apiTicket.id}`, { token: agent })).body.ticket).toMatchObject({ number: apiTicket.number, priority: 'high', category, createdAt: apiTicket.createdAt });

    // The indexes: the address's partitions are empty; the tickets now count under the pseudonym.
    expect(await query({ index: 'history', attr: 'historyPk', value: `H#${email}` })).toEqual([]);
    for (const s of statuses) expect(await query({ index: 'requester', attr: 'requesterPk', value: `R#${email}#${s}` })).toEqual([]);
    expect((await query({ index: 'history', attr: 'historyPk', value: `H#${pseudonym}` })).map((i) => i.id).sort()).toEqual([apiTicket.id, mailTicket.id].sort());
    for (const n of [apiTicket.number, mailTicket.number]) expectNoPersonalData(await query({ index: 'number', attr: 'numberPk', value: `N#${n}` }), `N#${n}`);
    for (const word of [...searchWords(apiSubject), ...searchWords(mailSubject)]) {
      const items = await query({ pk: `SEARCH#${word}` });
      expect(items.filter((i) => i.id === apiTicket.id || i.id === mailTicket.id), `SEARCH#${word}`).toEqual([]);
      expectNoPersonalData(items, `SEARCH#${word}`);
    }
    expect((await query({ pk: examplePk })).filter((i) => i.sk === mailTicket.id)).toEqual([]);
    expect(await query({ pk: `MSGID#${mailMessageId.toLowerCase()}` })).toEqual([]);
    expect(await query({ pk: `AUTOREPLY#${email}` })).toEqual([]);
    const subjects = await query({ pk: `REPORT#subjects#${today().slice(0, 7)}` });
    expectNoPersonalData(subjects, 'REPORT#subjects');

    // Local S3: the raw mail and the attachment are gone.
    for (const key of [rawKey, attachmentKey]) {
      await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    }
    // Listed in the emulator itself (fauxqs serves S3 on the SQS port): the S3 front serves no listing.
    const emulator = new S3Client({ endpoint: ep.services.sqs, region: ep.region, credentials, forcePathStyle: true });
    const left = await emulator.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `attachments/${mailTicket.id}/` }));
    expect(left.Contents ?? []).toEqual([]);

    // The counts stay: volume by category, and the subject lines moved to the erased line.
    expect(await volumeFor(agent)).toBe(volumeBefore);
    expect(await Promise.all([apiSubject, mailSubject].map((s) => subjectCount(normalizeSubject(s))))).toEqual([0, 0]);
    expect(await subjectCount(ERASED_SUBJECT_LINE)).toBeGreaterThanOrEqual(erasedBefore + 2);

    // The other requester's ticket is untouched (its lifecycle may have moved it on, never its words or requester).
    const other = (await api('GET', `/tickets/${otherBefore.ticket.id}`, { token: agent })).body;
    expect(other.ticket).toMatchObject({ subject: otherBefore.ticket.subject, requester: otherBefore.ticket.requester });
    expect(other.messages).toEqual(otherBefore.messages);
    expect(other.events.some((e: any) => e.action === 'requester.erased')).toBe(false);

    // The erasure record: who, when, why, how many, and a hash, never the address.
    const records = await query({ pk: 'ERASURE' });
    const record = records.find((r) => r.erasureId === res.body.erasureId)!;
    expect(record).toMatchObject({ requestedBy: { email: 'admin@helpdesk.local' }, tickets: 2, addressHash: addressHash(email), reason: `Pedido de ${pseudonym} por e-mail` });
    expectNoPersonalData(record, 'the erasure record');

    // Again: nothing left, and it says so.
    const again = await api('POST', '/admin/erasures', { token: admin, body: { email } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ tickets: 0, ticketIds: [], remaining: 0, nothingLeft: true });
    expect((await api('GET', `/tickets/${apiTicket.id}`, { token: agent })).body.events.filter((e: any) => e.action === 'requester.erased')).toHaveLength(1);
  });
});
