import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ticket } from '../../functions/core/ticket.ts';

/**
 * What the functions write to CloudWatch Logs (Powertools logger and EMF
 * metrics), captured from stdout/stderr while the real handlers run against
 * in-memory stand-ins for their adapters: no mail address, name, subject or
 * body ever appears at debug, info or warn, nor in a metric. And every
 * handler under functions/ goes through the shared observability wrapper.
 */
const env = vi.hoisted(() => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    TABLE_NAME: 'helpdesk-test',
    MAIL_BUCKET: 'mail-test',
    MAIL_ENABLED: 'true',
    SUPPORT_ADDRESSES: 'support@desk.example',
    FROM_ADDRESS: 'support@desk.example',
    DEFAULT_LANGUAGE: 'en',
    DESK_NAME: 'Help desk',
    PUBLIC_URL: 'https://desk.example',
    REPLY_TOKEN_SECRET: 'x'.repeat(40),
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:test',
    // Everything the logger would write, and the metrics as in AWS.
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_SERVICE_NAME: 'helpdesk',
    // As in Lambda: the first invocation is a cold start (no ColdStart metric is emitted for it).
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  });
  return {
    email: 'maria.silva@example.com',
    name: 'Maria Silva',
    subject: 'Minha senha vazou 9F3K',
    body: 'segredo-do-corpo-771',
  };
});
const personal = [env.email, env.name, env.subject, env.body, 'maria.silva', 'silva@'];

const raw = Buffer.from(
  `From: "${env.name}" <${env.email}>\r\nTo: support@desk.example\r\nSubject: ${env.subject}\r\nMessage-ID: <m1@example.com>\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n${env.body}\r\n`,
);

const state = vi.hoisted(() => ({ tickets: new Map<string, unknown>(), failCreate: false, n: 0 }));

vi.mock('../../functions/adapters/ticket-store.ts', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ticketStore: () => ({
    getTicket: async (id: string) => state.tickets.get(id),
    ticketByNumber: async () => undefined,
    hasMessage: async () => false,
    findIdempotent: async () => undefined,
    nextTicketNumber: async () => ++state.n,
    createTicket: async (t: Ticket) => {
      if (state.failCreate) throw new Error(`store rejected the ticket of ${t.requester.email}`);
      state.tickets.set(t.id, t);
      return { created: t };
    },
    saveTicket: async (t: Ticket) => void state.tickets.set(t.id, t),
  }),
}));
vi.mock('../../functions/adapters/department-store.ts', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  departmentStore: () => ({ knownDepartment: async (id: string) => ['support', 'it'].includes(id) }),
}));
vi.mock('../../functions/adapters/mail-index.ts', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  mailIndex: () => ({
    remember: async () => undefined,
    ticketFor: async () => undefined,
    quarantine: async () => undefined,
    countAutoReply: async () => 1,
    claimOnce: async () => true,
    releaseClaim: async () => undefined,
    claimInbound: async () => true,
  }),
}));
vi.mock('../../functions/adapters/mail-objects.ts', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  mailObjects: () => ({
    getRaw: async (_bucket: string, key: string) => {
      if (key.endsWith('boom')) throw new Error(`connection reset while reading mail from ${env.email}`);
      return raw;
    },
    putAttachment: async () => undefined,
  }),
}));
vi.mock('../../functions/adapters/mailer.ts', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  mailer: () => ({ send: async () => ({ sesMessageId: 'ses-out-1' }) }),
}));
// Every agent route first reads the caller's profile: here, none (the token's groups count).
vi.mock('../../functions/adapters/agent-status.ts', () => ({ agentStatus: () => ({ profile: async () => undefined, restricted: async () => [], forget: () => undefined }) }));
vi.mock('../../functions/shared/lifecycle.ts', () => ({
  lifecycleFor: () => ({ start: async () => undefined, signal: async () => undefined, stop: async () => undefined }),
}));

// Loading a handler (the SDK, the mail parser, its configuration) takes seconds on a busy machine:
// done once here, outside the tests' time limit; the tests' own imports then find it loaded.
beforeAll(async () => {
  await Promise.all([import('../../functions/email/inbound-mail.ts'), import('../../functions/api/create-ticket.ts')]);
}, 120_000);

let output: string[] = [];
beforeEach(() => {
  output = [];
  const capture = (chunk: unknown) => (output.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  state.failCreate = false;
});
afterEach(() => vi.restoreAllMocks());

/** Every JSON line written: log items (with a level) and EMF metric documents (with _aws). */
function lines(): Record<string, any>[] {
  return output
    .join('')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** The lines below ERROR (and every metric document) carry none of the personal data. */
function expectNoPersonalDataBelowError() {
  const all = lines();
  expect(all.length).toBeGreaterThan(0);
  for (const line of all.filter((l) => l.level !== 'ERROR')) {
    const text = JSON.stringify(line).toLowerCase();
    for (const p of personal) expect(text, `${p} in ${text.slice(0, 300)}`).not.toContain(p.toLowerCase());
  }
  return all;
}

const context = (functionName: string) =>
  ({ functionName, awsRequestId: `req-${functionName}`, invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`, memoryLimitInMB: '512', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 10_000 }) as unknown as Context;

function sesNotification(id: string, opts: { virus?: string } = {}) {
  const notification = {
    notificationType: 'Received',
    mail: { timestamp: '2026-11-22T10:00:00.000Z', source: env.email, messageId: id, destination: ['support@desk.example'], commonHeaders: { from: [`${env.name} <${env.email}>`], subject: env.subject } },
    receipt: {
      recipients: ['support@desk.example'],
      spamVerdict: { status: 'PASS' },
      virusVerdict: { status: opts.virus ?? 'PASS' },
      action: { type: 'S3', bucketName: 'mail-test', objectKey: `inbound/${id}` },
    },
  };
  return JSON.stringify({ Type: 'Notification', Message: JSON.stringify(notification) });
}

describe('inbound mail (functions/email/inbound-mail.ts → app/receive-mail.ts)', () => {
  it('logs and counts a new ticket, a quarantined mail and a failure without the address, name, subject or body', async () => {
    const { handler } = await import('../../functions/email/inbound-mail.ts');
    const event = {
      Records: [
        { messageId: 'sqs-1', body: sesNotification('ses-id-1') },
        { messageId: 'sqs-2', body: sesNotification('ses-id-2', { virus: 'FAIL' }) },
        { messageId: 'sqs-3', body: sesNotification('ses-id-boom') },
      ],
    } as unknown as SQSEvent;
    const result = await handler(event, context('InboundMail'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'sqs-3' }]);

    const all = expectNoPersonalDataBelowError();
    // The inbound handler keeps even its errors free of the mail: the error's name, not its message.
    for (const line of all.filter((l) => l.level === 'ERROR')) {
      for (const p of personal) expect(JSON.stringify(line).toLowerCase()).not.toContain(p.toLowerCase());
    }
    const quarantined = all.find((l) => l.message === 'Mail quarantined');
    expect(quarantined).toMatchObject({ level: 'WARN', reason: 'virus', function_name: 'InboundMail', function_request_id: 'req-InboundMail' });
    expect(all.find((l) => l.message === 'Inbound mail failed; it will be retried')).toMatchObject({ level: 'ERROR', messageId: 'sqs-3', error: 'Error' });

    // Metrics: namespace Helpdesk, the service dimension only, the names the alarms watch.
    const emf = all.filter((l) => l._aws);
    const names = emf.flatMap((d) => d._aws.CloudWatchMetrics.flatMap((m: { Metrics: { Name: string }[] }) => m.Metrics.map((x) => x.Name)));
    expect(names).toEqual(expect.arrayContaining(['MailQuarantined', 'Mail_created', 'Mail_quarantined']));
    // One custom metric per function would cost more a month than the traffic: no ColdStart metric.
    expect(names).not.toContain('ColdStart');
    for (const d of emf) {
      for (const m of d._aws.CloudWatchMetrics) {
        expect(m.Namespace).toBe('Helpdesk');
        for (const dims of m.Dimensions as string[][]) expect(dims).toEqual(['service']);
      }
      expect(d.service).toBe('helpdesk');
    }
  });
});

describe('agent routes (agentRoute in functions/shared/http.ts, here POST /tickets)', () => {
  const request = (body: unknown) =>
    ({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      requestContext: { authorizer: { jwt: { claims: { sub: 'agent-1', email: 'agent.ana@desk.example', 'cognito:groups': '[agents-l1]' } } } },
    }) as never;
  const ticketBody = { requester: { email: env.email, name: env.name }, subject: env.subject, body: env.body, channel: 'phone' };

  it('creates a ticket, refuses a bad body and survives a store failure without personal data below ERROR, each line with the Lambda context', async () => {
    const { handler } = await import('../../functions/api/create-ticket.ts');
    const created = await handler(request(ticketBody), context('CreateTicket'));
    expect(created.statusCode).toBe(201);

    const refused = await handler(request({ ...ticketBody, requester: { email: `${env.name} ${env.email}` }, priority: 'whenever' }), context('CreateTicket'));
    expect(refused.statusCode).toBe(400);

    state.failCreate = true;
    const failed = await handler(request(ticketBody), context('CreateTicket'));
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain(env.email);

    const all = expectNoPersonalDataBelowError();
    expect(all.find((l) => l.message === 'Unhandled error')).toMatchObject({ level: 'ERROR', function_name: 'CreateTicket', function_request_id: 'req-CreateTicket' });
    // The agent's own address is not in the logs either: the principal is never logged.
    expect(output.join('')).not.toContain('agent.ana@desk.example');
  });

  it('answers exactly as before the wrapper: a 4xx is the client\'s, not a fault', async () => {
    const { handler } = await import('../../functions/api/create-ticket.ts');
    const res = await handler({ headers: {}, requestContext: {} } as never, context('CreateTicket'));
    expect(res.statusCode).toBe(401);
    expect(lines().filter((l) => l.level === 'ERROR')).toEqual([]);
  });
});

describe('every handler goes through the shared observability wrapper', () => {
  const functionsDir = join(import.meta.dirname, '../../functions');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
  /** The wrappers that apply observability(): agentRoute and observed (shared), and adminRoute, built on agentRoute. */
  const wrapped = /export const handler\s*=\s*(agentRoute|adminRoute|observed)\s*(<[^>]*>)?\(/;

  it('every file under functions/ that exports `handler` builds it with agentRoute, adminRoute or observed', () => {
    const handlers = files(functionsDir).filter((f) => /export\s+(const|let|var|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b/.test(readFileSync(f, 'utf8')));
    expect(handlers.length).toBeGreaterThan(25);
    const unwrapped = handlers.filter((f) => !wrapped.test(readFileSync(f, 'utf8'))).map((f) => relative(functionsDir, f));
    expect(unwrapped).toEqual([]);
  });

  it('the wrappers themselves apply it: agentRoute uses observability(), adminRoute uses agentRoute', async () => {
    expect(readFileSync(join(functionsDir, 'shared/http.ts'), 'utf8')).toMatch(/\.use\(observability\(\)\)/);
    expect(readFileSync(join(functionsDir, 'shared/admin-route.ts'), 'utf8')).toMatch(/agentRoute\(/);
    const { isObserved } = await import('../../functions/shared/observability.ts');
    const createTicket = await import('../../functions/api/create-ticket.ts');
    const inbound = await import('../../functions/email/inbound-mail.ts');
    expect(isObserved(createTicket.handler)).toBe(true);
    expect(isObserved(inbound.handler)).toBe(true);
    expect(isObserved(async () => undefined)).toBe(false);
  });
});
