import { describe, expect, it } from 'vitest';
import { MailTooLargeError } from '../../functions/adapters/mail-objects.ts';
import { clipBytes, receiveMail } from '../../functions/app/receive-mail.ts';
import { updateTicket, type Ticket } from '../../functions/core/ticket.ts';
import { surveyEligible } from '../../functions/core/lifecycle.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import { isWellFormed } from '../../functions/core/text.ts';
import { body, fakes } from './receive-mail.fakes.ts';

describe('receiveMail', () => {
  it('opens a ticket and acknowledges it, with loop-safe headers', async () => {
    const f = fakes();
    const out = await receiveMail(body(), f.deps);
    expect(out).toMatchObject({ result: 'created', acknowledged: true });
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]).toMatchObject({ to: ['ana@example.com'], automatic: 'auto-replied', inReplyTo: '1@example.com' });
    expect(f.sent[0]!.replyTo).toMatch(/^support\+[a-z0-9-]+@desk\.example$/);
    expect(f.sent[0]!.subject).toContain('[#1]');
  });

  it('answers a mail without Content-Language in the language it is written in; the header wins when there is one', async () => {
    const mail = (headers: string) =>
      Buffer.from(
        `From: ana@example.com\r\nSubject: Pedido atrasado\r\nMessage-ID: <pt@example.com>\r\n${headers}\r\n` +
          'Boa tarde, meu pedido ainda não chegou e já se passaram duas semanas. Podem verificar o que aconteceu?',
      );
    const pt = fakes({ raw: mail('') });
    await receiveMail(body(), pt.deps);
    expect([...pt.tickets.values()][0]!.language).toBe('pt-BR');
    expect(pt.sent[0]).toMatchObject({ language: 'pt-BR' });
    const stated = fakes({ raw: mail('Content-Language: en\r\n') });
    await receiveMail(body(), stated.deps);
    expect([...stated.tickets.values()][0]!.language).toBe('en');
    expect(stated.sent[0]).toMatchObject({ language: 'en' });
  });

  it('acknowledges once when the same delivery is processed twice', async () => {
    const f = fakes();
    await receiveMail(body(), f.deps);
    const again = await receiveMail(body(), f.deps);
    expect(again).toMatchObject({ result: 'created', acknowledged: false });
    expect(f.tickets.size).toBe(1);
    expect(f.sent).toHaveLength(1);
  });

  it('quarantines what will never succeed, and acknowledges the queue message', async () => {
    const cases: [string, ReturnType<typeof fakes>, string][] = [
      ['virus', fakes(), body({ virus: 'FAIL' })],
      ['too-large', fakes({ getRaw: async () => Promise.reject(new MailTooLargeError('big')) }), body()],
      ['missing-object', fakes({ getRaw: async () => Promise.reject(Object.assign(new Error('gone'), { name: 'NoSuchKey' })) }), body()],
      ['invalid-notification', fakes(), '{"Type":"Notification","Message":"{}"}'],
      ['invalid-notification', fakes(), 'garbage'],
      // No From, and a null envelope sender: nobody to answer.
      ['no-sender', fakes({ raw: Buffer.from('Subject: nobody\r\n\r\nhi') }), body({ source: '' })],
    ];
    for (const [reason, f, b] of cases) {
      expect(await receiveMail(b, f.deps), reason).toEqual({ result: 'quarantined', reason });
      expect(f.quarantined).toEqual([reason]);
      expect(f.tickets.size).toBe(0);
    }
  });

  it('throws on a passing failure, so the queue retries it', async () => {
    const f = fakes({ getRaw: async () => Promise.reject(Object.assign(new Error('slow down'), { name: 'SlowDown' })) });
    await expect(receiveMail(body(), f.deps)).rejects.toThrow('slow down');
    expect(f.quarantined).toEqual([]);
  });

  it('files spam and automated mail without an acknowledgement', async () => {
    const spam = fakes();
    expect(await receiveMail(body({ spam: 'FAIL' }), spam.deps)).toMatchObject({ result: 'created', acknowledged: false });
    expect([...spam.tickets.values()][0]!.spam).toBe(true);
    const robot = fakes({ raw: Buffer.from('From: ana@example.com\r\nSubject: Away\r\nAuto-Submitted: auto-replied\r\n\r\nOut') });
    expect(await receiveMail(body(), robot.deps)).toMatchObject({ result: 'created', acknowledged: false });
    const bounceSender = fakes();
    expect(await receiveMail(body({ source: '' }), bounceSender.deps)).toMatchObject({ result: 'created', acknowledged: false });
    expect([...spam.sent, ...robot.sent, ...bounceSender.sent]).toEqual([]);
  });

  it('stops acknowledging a sender past the hourly cap', async () => {
    const f = fakes({ autoRepliesThisHour: 5 });
    expect(await receiveMail(body(), f.deps)).toMatchObject({ result: 'created', acknowledged: false });
    expect(f.sent).toEqual([]);
  });

  it('gives the acknowledgement claim back when sending fails, so a retry can send', async () => {
    const f = fakes();
    let fail = true;
    const send = f.deps.send;
    f.deps.send = async (m) => (fail ? Promise.reject(new Error('ses down')) : send(m));
    await expect(receiveMail(body(), f.deps)).rejects.toThrow('ses down');
    fail = false;
    expect(await receiveMail(body(), f.deps)).toMatchObject({ result: 'created', acknowledged: true });
    expect(f.sent).toHaveLength(1);
  });
});

describe('clipBytes', () => {
  it('cuts to a byte budget without splitting a character', () => {
    expect(clipBytes('abc', 10)).toBe('abc');
    expect(clipBytes('ação', 3)).toBe('a\u00e7');
    expect(clipBytes('😀😀', 5)).toBe('😀');
    expect(clipBytes('😀😀', 3)).toBe('');
    const big = 'ç'.repeat(100_000);
    expect(Buffer.byteLength(clipBytes(big, 96_000))).toBeLessThanOrEqual(96_000);
  });
});

/** A desk fed one raw mail after another, each its own SES delivery unless told otherwise. */
function desk(opts: Parameters<typeof fakes>[0] = {}) {
  let current = Buffer.alloc(0);
  let deliveries = 0;
  const f = fakes({ ...opts, getRaw: async () => current });
  const deliver = (lines: string[], text = 'hi', notification: Parameters<typeof body>[0] = {}) => {
    current = Buffer.from([...lines, '', text].join('\r\n'));
    return receiveMail(body({ sesId: `ses-${++deliveries}`, ...notification }), f.deps);
  };
  return { ...f, deliver };
}

const agent = { sub: 'agent', email: 'l1@desk.example' };
const outOfOffice = ['From: ana@example.com', 'Subject: Automatic reply: Impressora', 'In-Reply-To: <1@example.com>', 'Message-ID: <ooo@example.com>'];

describe('automatic replies change no ticket', () => {
  async function ticketIn(status: 'resolved' | 'pending' | 'closed') {
    const d = desk();
    const opened = await d.deliver(['From: ana@example.com', 'Subject: Impressora', 'Message-ID: <1@example.com>'], 'A impressora parou.');
    const id = (opened as { ticketId: string }).ticketId;
    let t = d.tickets.get(id)!;
    for (const s of status === 'closed' ? (['resolved', 'closed'] as const) : [status]) t = updateTicket(t, { status: s }, agent, '2026-11-22T11:00:00.000Z', defaultPolicy).ticket;
    if (status === 'resolved') t = { ...t, survey: { sentAt: t.updatedAt, expiresAt: '2026-12-01T00:00:00.000Z', rating: null, ratedAt: null, comment: null } };
    d.tickets.set(id, t);
    return { d, id, before: t };
  }

  for (const [status, header] of [
    ['resolved', 'Auto-Submitted: auto-replied'],
    ['pending', 'X-Autoreply: yes'],
  ] as const) {
    it(`records an out-of-office (${header}) on a ${status} ticket as automatic, and moves nothing`, async () => {
      const { d, id, before } = await ticketIn(status);
      expect(await d.deliver([...outOfOffice, header], 'I am away until Monday.')).toEqual({ result: 'appended', ticketId: id });
      const after = d.tickets.get(id)!;
      // Status, clocks, survey and the lifecycle's plan are exactly as they were.
      for (const field of ['status', 'slaPausedAt', 'slaPauses', 'resolvedAt', 'levelDueAt', 'dueAt', 'resolutionDueAt', 'survey', 'lifecycleSeq', 'participants', 'mailThread'] as const) {
        expect(after[field], field).toEqual(before[field]);
      }
      expect(d.signalled).toEqual([]);
      const recorded = d.messages.at(-1)!;
      expect(recorded).toMatchObject({ ticketId: id, kind: 'customer', body: 'I am away until Monday.', mail: { automated: true } });
      expect(d.sent).toHaveLength(1); // the first mail's acknowledgement, nothing more
    });
  }

  it('records an automatic reply to a closed ticket there, without opening a follow-up', async () => {
    const { d, id, before } = await ticketIn('closed');
    expect(await d.deliver([...outOfOffice, 'Auto-Submitted: auto-replied'])).toEqual({ result: 'appended', ticketId: id });
    expect(d.tickets.size).toBe(1);
    expect(d.tickets.get(id)!.status).toBe('closed');
    expect(d.tickets.get(id)!.closedAt).toBe(before.closedAt);
  });

  it("still lets a person's answer reopen the ticket", async () => {
    const { d, id } = await ticketIn('resolved');
    await d.deliver(['From: ana@example.com', 'Subject: Re: Impressora', 'In-Reply-To: <1@example.com>'], 'Voltou a falhar.');
    expect(d.tickets.get(id)!.status).toBe('open');
    expect(d.signalled).toEqual([id]);
  });

  it('treats a person posting through a mailing list as a person: the ticket reopens, and still no acknowledgement', async () => {
    const { d, id } = await ticketIn('resolved');
    const list = ['From: ana@example.com', 'Subject: Re: Impressora', 'In-Reply-To: <1@example.com>', 'List-Id: <it-team.example.com>', 'Precedence: list'];
    await d.deliver(list, 'Voltou a falhar.');
    expect(d.tickets.get(id)!.status).toBe('open');
    expect(d.messages.at(-1)!.mail!.automated).toBe(false);
    const fresh = desk();
    const out = await fresh.deliver(['From: bia@example.com', 'Subject: Pedido', 'List-Id: <it-team.example.com>'], 'Preciso de acesso.');
    expect(out).toMatchObject({ result: 'created', acknowledged: false });
    expect([...fresh.tickets.values()][0]).toMatchObject({ spam: false });
  });

  it('keeps automatic mail that answers no ticket out of the queues, flagged, with no lifecycle and no acknowledgement', async () => {
    const d = desk();
    const out = await d.deliver(['From: robot@example.com', 'Subject: Delivery report', 'Auto-Submitted: auto-generated'], 'Your parcel.');
    expect(out).toMatchObject({ result: 'created', acknowledged: false });
    const t = d.tickets.get((out as { ticketId: string }).ticketId)!;
    expect(t).toMatchObject({ spam: true, automatic: true, tags: ['automatic'], department: null });
    expect(d.started).toEqual([]);
    expect(d.sent).toEqual([]);
  });
});

describe('failed authentication', () => {
  for (const [label, verdicts] of [
    ['DMARC fails', { dmarc: 'FAIL', spf: 'PASS', dkim: 'PASS' }],
    ['SPF and DKIM both fail', { spf: 'FAIL', dkim: 'FAIL', dmarc: 'GRAY' }],
  ] as const) {
    it(`opens an unverified ticket with no acknowledgement when ${label}`, async () => {
      const d = desk();
      const out = await d.deliver(['From: victim@bank.example', 'Subject: Urgente: confirme sua senha'], 'Clique aqui.', verdicts);
      expect(out).toMatchObject({ result: 'created', acknowledged: false });
      const t = d.tickets.get((out as { ticketId: string }).ticketId)!;
      expect(t.unverified).toBe(true);
      expect(t.spam).toBe(false);
      expect(d.started).toEqual([t.id]);
      expect(d.sent).toEqual([]);
      // Nor a survey later: it is an automatic mail to the same address.
      expect(surveyEligible({ ...t, firstRespondedAt: t.createdAt, status: 'resolved' } as Ticket)).toBe(false);
    });
  }

  describe('on a mail that answers an existing ticket', () => {
    const forged = { dmarc: 'FAIL', spf: 'PASS', dkim: 'PASS' };
    /** Ana's verified ticket #1 (Message-ID <1@example.com>, acknowledged with a signed Reply-To), waiting on her. */
    async function anasTicket() {
      const d = desk();
      const opened = await d.deliver(['From: ana@example.com', 'Subject: Impressora', 'Message-ID: <1@example.com>'], 'A impressora parou.');
      const id = (opened as { ticketId: string }).ticketId;
      d.tickets.set(id, updateTicket(d.tickets.get(id)!, { status: 'pending' }, agent, '2026-11-22T11:00:00.000Z', defaultPolicy).ticket);
      return { d, id, before: d.tickets.get(id)!, replyTo: d.sent[0]!.replyTo! };
    }

    it("does not join it by the subject token in the requester's name: a separate unverified ticket, with no one CC'd on it", async () => {
      const { d, id, before } = await anasTicket();
      const out = await d.deliver(['From: ana@example.com', 'Subject: Re: [#1] Impressora', 'Cc: attacker@evil.example'], 'Copie este endereço.', forged);
      expect(out).toMatchObject({ result: 'created', acknowledged: false });
      const opened = d.tickets.get((out as { ticketId: string }).ticketId)!;
      expect(opened).toMatchObject({ unverified: true, participants: [] });
      expect(opened.id).not.toBe(id);
      expect(d.tickets.get(id)).toEqual(before);
      expect(d.messages.at(-1)!.mail!.unverified).toBe(true);
    });

    for (const via of ['In-Reply-To of our mail', 'the signed reply token'] as const) {
      it(`joins it by ${via}, recorded unverified, and brings in no participant`, async () => {
        const { d, id, before, replyTo } = await anasTicket();
        const [lines, envelope] = via === 'the signed reply token' ? [[], { recipients: [replyTo] }] : [['In-Reply-To: <1@example.com>'], {}];
        const out = await d.deliver(['From: ana@example.com', 'Subject: Re: Impressora', 'Cc: attacker@evil.example', ...lines], 'Voltou a falhar.', { ...forged, ...envelope });
        expect(out).toEqual({ result: 'appended', ticketId: id });
        const after = d.tickets.get(id)!;
        expect(after.participants).toEqual(before.participants);
        expect(after.participants).not.toContain('attacker@evil.example');
        expect(d.messages.at(-1)).toMatchObject({ ticketId: id, body: 'Voltou a falhar.', mail: { unverified: true } });
      });
    }

    it('a verified answer by the same route still brings in whom the requester CCs', async () => {
      const { d, id } = await anasTicket();
      await d.deliver(['From: ana@example.com', 'Subject: Re: [#1] Impressora', 'Cc: bia@example.com'], 'Copiando a Bia.', { dmarc: 'PASS' });
      expect(d.tickets.get(id)!.participants).toEqual(['bia@example.com']);
      expect(d.messages.at(-1)!.mail!.unverified).toBeUndefined();
    });
  });

  it('still acknowledges when only one check fails or none can be determined', async () => {
    for (const verdicts of [{ spf: 'FAIL', dkim: 'PASS' }, { dkim: 'FAIL', spf: 'GRAY' }, { spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' }]) {
      const d = desk();
      expect(await d.deliver(['From: ana@example.com', 'Subject: Oi'], 'Olá', verdicts)).toMatchObject({ result: 'created', acknowledged: true });
      expect([...d.tickets.values()][0]!.unverified).toBeUndefined();
    }
  });

  it('caps acknowledgements per recipient domain, not only per address', async () => {
    const d = desk({ domainCap: 2 });
    const acks = [];
    for (const who of ['a', 'b', 'c', 'd']) acks.push(await d.deliver([`From: ${who}@victim.example`, `Subject: ${who}`]));
    await d.deliver(['From: someone@elsewhere.example', 'Subject: other domain']);
    expect(acks.map((o) => (o as { acknowledged: boolean }).acknowledged)).toEqual([true, true, false, false]);
    expect(d.sent.map((m) => m.to[0])).toEqual(['a@victim.example', 'b@victim.example', 'someone@elsewhere.example']);
  });
});

describe('duplicates and senders', () => {
  it('makes one ticket and one acknowledgement of the same raw mail delivered twice without a Message-ID', async () => {
    const d = desk();
    const mail = ['From: script@example.com', 'Subject: teste', 'Date: Mon, 7 Dec 2026 10:00:00 +0000'];
    const first = await d.deliver(mail, 'corpo');
    // Another SES delivery of the same bytes (its own SES message id), with a relay's trace header on top.
    const second = await d.deliver(['Received: from relay.example by inbound; Mon, 7 Dec 2026 10:00:05 +0000', ...mail], 'corpo');
    expect(first).toMatchObject({ result: 'created' });
    expect(second).toEqual({ result: 'duplicate' });
    expect(d.tickets.size).toBe(1);
    expect(d.sent).toHaveLength(1);
    // A retry of the first delivery is not a duplicate of itself.
    expect(await receiveMail(body({ sesId: 'ses-1' }), d.deps)).toMatchObject({ result: 'created', acknowledged: false });
  });

  it('opens the ticket of a mail without a From header for its envelope sender', async () => {
    const d = desk();
    const out = await d.deliver(['To: support@desk.example'], 'Enviado pelo smtplib.', { source: 'Script@Example.com' });
    expect(out).toMatchObject({ result: 'created', acknowledged: true });
    const t = [...d.tickets.values()][0]!;
    expect(t.requester).toEqual({ email: 'script@example.com' });
    expect(t.subject).toBe('(no subject)');
    expect(d.sent[0]!.to).toEqual(['script@example.com']);
  });
});

describe('strings no encoder takes', () => {
  const multipart = (filenameParams: string, headers: string[] = []) => [
    'From: ana@example.com',
    'Subject: anexo',
    ...headers,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary=XX',
    '',
    '--XX',
    'Content-Type: text/plain',
    '',
    'segue',
    '--XX',
    `Content-Type: application/octet-stream`,
    `Content-Disposition: attachment; ${filenameParams}`,
    '',
    'file',
    '--XX--',
  ];
  const utf16Word = (units: number[]) => `=?utf-16le?B?${Buffer.from(new Uint16Array(units).buffer).toString('base64')}?=`;

  it('stores an attachment whose name has an emoji across the 200-character cut', async () => {
    const name = `${'a'.repeat(199)}😀.txt`;
    const d = desk();
    const out = await d.deliver(multipart(`filename*=UTF-8''${encodeURIComponent(name)}`), '');
    expect(out).toMatchObject({ result: 'created' });
    const [file] = d.messages[0]!.mail!.attachments;
    expect(file!.filename).toBe('a'.repeat(199));
    expect(isWellFormed(file!.filename)).toBe(true);
  });

  it('replaces a lone surrogate from an encoded word in names, subject and file name', async () => {
    const lone = utf16Word([0xd800, 0x41]);
    const d = desk();
    const raw = multipart(`filename="${lone}.txt"`).map((l) => (l === 'From: ana@example.com' ? `From: ${lone} <ana@example.com>` : l === 'Subject: anexo' ? `Subject: ${lone}` : l));
    const out = await d.deliver(raw, '');
    expect(out).toMatchObject({ result: 'created', acknowledged: true });
    const t = [...d.tickets.values()][0]!;
    expect(t.subject).toBe('\ufffdA');
    expect(t.requester.name).toBe('\ufffdA');
    expect(d.messages[0]!.mail!.attachments[0]!.filename).toBe('\ufffdA.txt');
  });

  it('keeps a long name of emoji within the storage key limit', async () => {
    const d = desk();
    const out = await d.deliver(multipart(`filename*=UTF-8''${encodeURIComponent('😀'.repeat(150))}`), '');
    expect(out).toMatchObject({ result: 'created' });
    expect(Buffer.byteLength(d.messages[0]!.mail!.attachments[0]!.key)).toBeLessThanOrEqual(1024);
  });

  it("retries the SDK's SyntaxError or TypeError on a response it could not read (a gateway's HTML 5xx), but quarantines a service's refusal", async () => {
    const sdkError = (name: string, status: number) => {
      const e = Object.assign(new Error(`${name} from the SDK`), { name, $metadata: { httpStatusCode: status } });
      return Object.defineProperty(e, '$response', { value: { statusCode: status, body: '<html>502 Bad Gateway</html>' }, enumerable: false });
    };
    for (const name of ['SyntaxError', 'TypeError']) {
      const d = desk();
      d.deps.putAttachment = async () => Promise.reject(sdkError(name, 502));
      await expect(d.deliver(multipart('filename="x.txt"'), ''), name).rejects.toThrow(`${name} from the SDK`);
      expect(d.quarantine, name).toEqual([]);
    }
    const refused = desk();
    refused.deps.putAttachment = async () => Promise.reject(sdkError('InvalidArgument', 400));
    expect(await refused.deliver(multipart('filename="x.txt"'), '')).toEqual({ result: 'quarantined', reason: 'processing-failed' });
    // Our own code's TypeError, with no SDK response behind it, is the mail's doing.
    const own = desk();
    own.deps.putAttachment = async () => Promise.reject(new TypeError('not a string'));
    expect(await own.deliver(multipart('filename="x.txt"'), '')).toEqual({ result: 'quarantined', reason: 'processing-failed' });
  });

  it('quarantines a deterministic failure instead of sending it round the retries', async () => {
    const d = desk();
    d.deps.putAttachment = async () => Promise.reject(Object.assign(new Error('bad key'), { name: 'KeyTooLongError' }));
    expect(await d.deliver(multipart('filename="x.txt"'), '')).toEqual({ result: 'quarantined', reason: 'processing-failed' });
    expect(d.quarantine[0]).toMatchObject({ sesMessageId: 'ses-1', bucket: 'mail', key: 'inbound/ses-1', detail: 'KeyTooLongError: bad key' });
  });
});

describe('reads the ticket once per mail', () => {
  async function opened() {
    const d = desk();
    const out = await d.deliver(['From: ana@example.com', 'Subject: Impressora', 'Message-ID: <1@example.com>'], 'A impressora parou.');
    const id = (out as { ticketId: string }).ticketId;
    // The one read of a new mail: whether a retry of this delivery already stored its ticket.
    expect(d.reads).toEqual([`get ${id}`]);
    d.reads.length = 0;
    return { d, id, replyTo: d.sent[0]!.replyTo! };
  }

  it('an answer by In-Reply-To: one read, and the change is made on that ticket', async () => {
    const { d, id } = await opened();
    expect(await d.deliver(['From: ana@example.com', 'Subject: Re: Impressora', 'In-Reply-To: <1@example.com>'], 'Voltou a falhar.')).toEqual({ result: 'appended', ticketId: id });
    expect(d.reads).toEqual([`get ${id}`]);
  });

  it('an answer by the signed reply token: the read that checks the token is the only one', async () => {
    const { d, id, replyTo } = await opened();
    expect(await d.deliver(['From: ana@example.com', 'Subject: Re: Impressora'], 'Voltou a falhar.', { recipients: [replyTo] })).toEqual({ result: 'appended', ticketId: id });
    expect(d.reads).toEqual([`get ${id}`]);
  });

  it('an answer by the number in its subject: the number index, then one read', async () => {
    const { d, id } = await opened();
    expect(await d.deliver(['From: ana@example.com', 'Subject: Re: [#1] Impressora'], 'Voltou a falhar.')).toEqual({ result: 'appended', ticketId: id });
    expect(d.reads).toEqual(['number 1', `get ${id}`]);
  });

  it('an answer to a closed ticket: that ticket read once, and the follow-up checked once', async () => {
    const { d, id } = await opened();
    let t = d.tickets.get(id)!;
    for (const status of ['resolved', 'closed'] as const) t = updateTicket(t, { status }, agent, '2026-11-22T11:00:00.000Z', defaultPolicy).ticket;
    d.tickets.set(id, t);
    const out = await d.deliver(['From: ana@example.com', 'Subject: Re: Impressora', 'In-Reply-To: <1@example.com>'], 'Ainda não funciona.');
    const followUp = (out as { ticketId: string }).ticketId;
    expect(followUp).not.toBe(id);
    expect(d.reads).toEqual([`get ${id}`, `get ${followUp}`]);
  });
});
