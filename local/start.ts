/**
 * `npm start`: the whole help desk on one machine. Real local services on
 * loopback, provisioned from the stack's own definitions, and the real Lambda
 * handlers behind a router built from the stack's route table.
 *
 *   npm start                      keep data in .helpdesk/ across restarts
 *   npm start -- --fresh           wipe local data first
 *   npm start -- --port 4310       API port (other services use the next eight; the dashboard is +7)
 *   npm start -- --ports auto      free ports chosen by the OS (tests use this)
 *   npm start -- --home DIR        keep state in DIR instead of .helpdesk/
 *   npm start -- --time-scale 3600 SLA time runs 3600× faster: an SLA hour in a second
 *   npm start -- --policy FILE     policy overrides over config/policy.json for this run
 *   npm start -- --meter           count what AWS would bill for, at GET <apiUrl>/__local/meter (local/meter.ts)
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { routes } from '../lib/definitions/routes.ts';
import { buckets, table } from '../lib/definitions/resources.ts';
import { randomBytes } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { S3Client } from '@aws-sdk/client-s3';
import { startSmtpGateway, type SmtpGateway } from './smtp-gateway.ts';
import { sesMessageIdOfSqsBody } from './ses-notification.ts';
import { startSqsPoller } from './sqs-poller.ts';
import { startDeliveryEvents } from './ses-events.ts';
import { createRouter, type LambdaHandler } from './http-router.ts';
import { authRequestHandler } from './auth-server.ts';
import { createLocalCognito, hashStoredPasswords, loadOrCreateKeys, type LocalUser } from './issuer.ts';
import { AlreadyRunningError, LOCK_FILE, lockHome, preparePrivateHome } from './home.ts';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { agentGroups } from '../lib/definitions/routes.ts';
import { checkJava, stopChild, localCredentials, LOCAL_MAX_OBJECT_BYTES, MissingJavaError, provisionTable, REGION, startDynamo, startMessaging, startSes } from './services.ts';
import { makeDemoUsers } from './seed.ts';
import { startLocalStepFunctions } from './step-functions.ts';
import { startS3CorsFront } from './s3-cors-front.ts';
import { dashboardRequestHandler, ensureDashboardBuilt, localDashboardConfig } from './dashboard-server.ts';
import { METER_PATH, metered, meteredAll, startMeter } from './meter.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const POOL_ID = 'local_pool';
const SUPPORT_ADDRESS = 'support@helpdesk.local';
const CLIENT_ID = 'local-dashboard-client';
const STATE_MACHINE_ARN = `arn:aws:states:us-east-1:000000000000:stateMachine:helpdesk-local-ticket-lifecycle`;

const { values: args } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    home: { type: 'string', default: process.env.HELPDESK_HOME ?? join(root, '.helpdesk') },
    port: { type: 'string', default: process.env.HELPDESK_PORT ?? '4310' },
    ports: { type: 'string' },
    'token-ttl': { type: 'string', default: '3600' },
    quiet: { type: 'boolean', default: false },
    'time-scale': { type: 'string', default: '1' },
    policy: { type: 'string' },
    meter: { type: 'boolean', default: false },
  },
  strict: true,
});

const home = resolve(args.home!);
/** Named in invitations once the dashboard listens. */
let dashboardLink: string | undefined;
const stoppers: (() => Promise<unknown> | unknown)[] = [];
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const stop of stoppers.reverse()) {
    try {
      await stop();
    } catch {
      // Keep stopping the rest.
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function ports() {
  // Port 0 everywhere: each server binds a free port itself and reports it. Picking
  // free ports up front and binding later races with other processes (parallel tests).
  if (args.ports === 'auto') return { api: 0, auth: 0, dynamo: 0, messaging: 0, ses: 0, smtp: 0, stepFunctions: 0, dashboard: 0, s3Cors: 0 };
  const base = Number(args.port);
  if (!Number.isInteger(base) || base < 1 || base > 65530) throw new Error(`--port must be a port number, not "${args.port}"`);
  return { api: base, auth: base + 1, dynamo: base + 2, messaging: base + 3, ses: base + 4, smtp: base + 5, stepFunctions: base + 6, dashboard: base + 7, s3Cors: base + 8 };
}

/** Listens on loopback and resolves with the port bound (port 0 picks one). */
const listen = (server: Server, port: number) =>
  new Promise<number>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok((server.address() as AddressInfo).port));
  });

async function writeJsonAtomically(file: string, data: unknown) {
  await writeFile(`${file}.tmp`, JSON.stringify(data, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

// The SDK warns on Node 20 that releases after January 2027 will need Node 22. The
// versions here are pinned by the lockfile and Lambda runs Node 22, so locally it is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main() {
  const ttlSeconds = Number(args['token-ttl']);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 86_400) throw new Error(`--token-ttl must be whole seconds between 60 and 86400, not "${args['token-ttl']}"`);
  const timeScale = Number(args['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale < 1 || timeScale > 1_000_000) throw new Error(`--time-scale must be a number from 1 to 1000000, not "${args['time-scale']}"`);
  // A policy file for this run (tests use short windows), checked now rather than at the first ticket.
  const policyOverrides = args.policy ? JSON.stringify(JSON.parse(await readFile(resolve(args.policy), 'utf8'))) : undefined;
  if (policyOverrides) {
    const { parsePolicy } = await import('../functions/core/policy.ts');
    parsePolicy(JSON.parse(policyOverrides), args.policy);
  }
  // One local mode per home, said at once (not a Java stack trace a minute later); and the home is private.
  await preparePrivateHome(home);
  const unlock = await lockHome(home);
  stoppers.push(unlock);
  checkJava();
  // Off by default: counts SDK calls, invocations and requests for `npm run bench:cost`.
  const meter = args.meter ? startMeter() : undefined;
  // --fresh empties the home but keeps its lock, which is this process's.
  if (args.fresh) for (const name of await readdir(home)) if (name !== LOCK_FILE) await rm(join(home, name), { recursive: true, force: true });
  await mkdir(join(home, 'dynamodb'), { recursive: true, mode: 0o700 });
  const p = await ports();
  // The dashboard builds (only when dist is missing or stale) while the services start.
  const dashboardBuild = ensureDashboardBuilt({ log: args.quiet ? undefined : (l) => console.log(`[dashboard] ${l}`) }).then(
    () => undefined,
    (err: Error) => err,
  );

  const usersFile = join(home, 'users.json');
  const storedUsers: LocalUser[] | undefined = existsSync(usersFile) ? JSON.parse(await readFile(usersFile, 'utf8')) : undefined;
  // The pool keeps password hashes only; the demo agents' passwords, shown below, come back from the last endpoints.json.
  const lastEndpoints = join(home, 'endpoints.json');
  const shown: { agents?: { email: string; password?: string }[] } = existsSync(lastEndpoints) ? JSON.parse(await readFile(lastEndpoints, 'utf8')) : {};
  const demo = await makeDemoUsers(storedUsers, new Map((shown.agents ?? []).flatMap((a) => (a.password ? [[a.email, a.password] as const] : []))));
  const demoUsers = demo.map((d) => ({ ...d.user, password: d.password }));
  // Agents invited through the admin routes are kept beside the demo ones.
  const users: LocalUser[] = [...demo.map((d) => d.user), ...(storedUsers ?? []).filter((u) => !demo.some((d) => d.user.email === u.email))];
  await hashStoredPasswords(users);
  await writeJsonAtomically(usersFile, users);
  const keys = await loadOrCreateKeys(join(home, 'issuer-key.json'));
  // Secrets are made per install and kept with the data, never written in code.
  const secretsFile = join(home, 'secrets.json');
  const stored: { replyTokenSecret?: string; s3SecretAccessKey?: string } = existsSync(secretsFile) ? JSON.parse(await readFile(secretsFile, 'utf8')) : {};
  const secrets = {
    replyTokenSecret: stored.replyTokenSecret ?? randomBytes(32).toString('base64url'),
    // What the S3 front checks signatures against: a secret no web page can know, unlike local/local.
    s3SecretAccessKey: stored.s3SecretAccessKey ?? randomBytes(32).toString('base64url'),
  };
  await writeJsonAtomically(secretsFile, secrets);
  // The handlers' credentials (and every client made here). The emulators accept any; the S3 front only these.
  const credentials = { accessKeyId: localCredentials.accessKeyId, secretAccessKey: secrets.s3SecretAccessKey };

  const [dynamo, messaging, ses] = await Promise.all([startDynamo(join(home, 'dynamodb'), p.dynamo), startMessaging(p.messaging), startSes(p.ses)]);
  stoppers.push(() => stopChild(dynamo.process));
  stoppers.push(() => messaging.server.stop());
  stoppers.push(() => new Promise((r) => ses.server.close(r)));
  const messagingUrl = `http://127.0.0.1:${messaging.server.port}`;
  // S3 as the browser sees it (presigned uploads and downloads): the emulator behind a front that checks
  // signatures, serves files as downloads that never run, and answers CORS (local/s3-cors-front.ts).
  const s3Front = await startS3CorsFront(p.s3Cors, { host: '127.0.0.1', port: messaging.server.port }, credentials);
  // CORS for the dashboard's page only (its own origin is added once it listens), and the Vite dev server's (npm run dev:dashboard).
  for (const origin of ['http://127.0.0.1:5173', 'http://localhost:5173']) s3Front.allowOrigin(origin);
  stoppers.push(() => new Promise((r) => (s3Front.server.closeAllConnections(), s3Front.server.close(r))));
  const outboxUrl = `http://127.0.0.1:${ses.port}`;
  const tableState = await provisionTable(dynamo.client, table.localName);

  // The ticket lifecycle runs the same ASL file as AWS. Its functions load on first
  // use: they read PUBLIC_URL, known only once the API listens below.
  const lazy = (entry: string) => {
    let loaded: Promise<{ handler: (event: unknown, context: unknown) => Promise<unknown> }> | undefined;
    return async (event: unknown, context: unknown) => (await (loaded ??= import(pathToFileURL(join(root, 'functions', entry)).href))).handler(event, context);
  };
  const stepFunctions = await startLocalStepFunctions(p.stepFunctions, {
    definition: await readFile(join(root, 'state-machines', 'ticket-lifecycle.asl.json'), 'utf8'),
    substitutions: { LifecycleFunctionArn: 'Lifecycle', AwaitSignalFunctionArn: 'AwaitSignal' },
    functions: meteredAll(meter, { Lifecycle: lazy('workflow/lifecycle.ts'), AwaitSignal: lazy('workflow/await-signal.ts') }),
    stateMachineArn: STATE_MACHINE_ARN,
    log: args.quiet ? undefined : (l) => console.log(`[lifecycle] ${l}`),
  });
  stoppers.push(() => stepFunctions.stop());
  meter?.source('stepFunctions', () => {
    const all = stepFunctions.executions();
    return { executions: all.length, transitions: all.reduce((n, e) => n + e.transitions, 0) };
  });

  // The handlers read these at load time, exactly as a Lambda reads its environment.
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: messagingUrl,
    AWS_ENDPOINT_URL_SNS: messagingUrl,
    AWS_ENDPOINT_URL_S3: s3Front.url,
    AWS_ENDPOINT_URL_SESV2: outboxUrl,
    AWS_ENDPOINT_URL_SFN: stepFunctions.url,
    STATE_MACHINE_ARN,
    TIME_SCALE: String(timeScale),
    ...(policyOverrides ? { POLICY_OVERRIDES: policyOverrides } : {}),
    // Metrics are CloudWatch's business; locally they would only flood the terminal.
    POWERTOOLS_METRICS_DISABLED: 'true',
    // No X-Ray daemon here: the tracer stays off (it also turns itself off outside Lambda).
    POWERTOOLS_TRACE_ENABLED: 'false',
    TABLE_NAME: table.localName,
    USER_POOL_ID: POOL_ID,
    MAIL_BUCKET: buckets.mail.localName,
    SUPPORT_ADDRESSES: SUPPORT_ADDRESS,
    DESK_NAME: 'Help desk (local)',
    DEFAULT_LANGUAGE: process.env.DEFAULT_LANGUAGE ?? 'en',
    REPLY_TOKEN_SECRET: secrets.replyTokenSecret,
    // The S3 emulator answers on one host:port, so bucket names go in the path.
    S3_FORCE_PATH_STYLE: 'true',
    POWERTOOLS_SERVICE_NAME: 'helpdesk',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  });

  const { ticketStore } = await import('../functions/adapters/ticket-store.ts');
  const { seed } = await import('./seed.ts');
  await seed(ticketStore(table.localName));

  const handlers = new Map<string, LambdaHandler>();
  for (const r of routes) {
    const mod = (await import(pathToFileURL(join(root, 'functions', r.entry)).href)) as { handler: LambdaHandler };
    handlers.set(r.name, metered(meter, r.name, mod.handler));
  }

  // The issuer URL holds the port, so the server binds first and gets its handler after.
  const authServer = createServer();
  stoppers.push(() => new Promise((r) => authServer.close(r)));
  const authUrl = `http://127.0.0.1:${await listen(authServer, p.auth)}`;
  const issuer = `${authUrl}/${POOL_ID}`;
  const jwks = { keys: [keys.publicJwk] };
  // The admin routes' Cognito client calls this server (the SDK reads AWS_ENDPOINT_URL_<SERVICE> on its first call).
  process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = authUrl;
  const invitations = new SESv2Client({ region: REGION, credentials, endpoint: outboxUrl });
  const cognito = createLocalCognito(keys, {
    issuer,
    clientId: CLIENT_ID,
    ttlSeconds,
    userPoolId: POOL_ID,
    groups: agentGroups,
    adminAccessKeyId: credentials.accessKeyId,
    persist: (all) => writeJsonAtomically(usersFile, all),
    // Cognito's default invitation, delivered to the local outbox like all mail the desk sends.
    sendInvitation: async (user, password) => {
      const text = `Your username is ${user.email} and temporary password is ${password}.\n\nSign in at ${dashboardLink ?? 'the help desk dashboard'} and choose your own password.`;
      await invitations.send(new SendEmailCommand({ FromEmailAddress: 'no-reply@verificationemail.com', Destination: { ToAddresses: [user.email] }, Content: { Simple: { Subject: { Data: 'Your temporary password' }, Body: { Text: { Data: text } } } } }));
    },
  }, users);
  authServer.on('request', authRequestHandler({ poolPath: `/${POOL_ID}`, issuer, jwks, cognito }));

  const api = createRouter({
    routes,
    handlers,
    jwt: { issuer, audience: [CLIENT_ID], jwks },
    allowOrigins: ['*'],
    onRequest: args.quiet && !meter ? undefined : (l) => {
      meter?.http(l);
      if (!args.quiet) console.log(`[api] ${l.method} ${l.path} ${l.status} ${l.ms.toFixed(1)}ms`);
    },
  });
  meter?.mount(api);
  api.keepAliveTimeout = 30_000;
  const apiUrl = `http://127.0.0.1:${await listen(api, p.api)}`;
  // Survey links in mail point at the API's public routes.
  process.env.PUBLIC_URL = apiUrl;
  stoppers.push(() => new Promise((r) => (api.closeAllConnections(), api.close(r))));

  // Inbound mail: SMTP gateway → raw MIME in S3 + SES-shaped notification → SNS → SQS → poller → handler.
  const aws = { region: REGION, credentials };
  const sqs = new SQSClient({ ...aws, endpoint: messagingUrl });
  const sns = new SNSClient({ ...aws, endpoint: messagingUrl });
  const s3 = new S3Client({ ...aws, endpoint: messagingUrl, forcePathStyle: true });
  const { inboundTopicArn: topicArn, inboundQueue: { queueUrl, queueArn } } = messaging;
  const inbound = (await import('../functions/email/inbound-mail.ts')) as { handler: Parameters<typeof startSqsPoller>[0]['handler'] };
  // Two batches at once (the stack allows five; this machine is small): a burst of mail drains sooner.
  // A mail leaves the SMTP spool only once the handler has finished with it (its message deleted): the queue is in memory.
  let smtpGateway: SmtpGateway | undefined;
  const settle = (records: { body: string }[]) => {
    for (const r of records) {
      const id = sesMessageIdOfSqsBody(r.body);
      if (id) void smtpGateway?.settle(id);
    }
  };
  const poller = startSqsPoller({ sqs, queueUrl, queueArn, batchSize: 10, concurrency: 2, handler: metered(meter, 'InboundMail', inbound.handler), functionName: 'InboundMail', onDeleted: settle, log: args.quiet ? undefined : (l) => console.log(`[mail] ${l}`) });
  stoppers.push(() => poller.stop());
  const smtp = await startSmtpGateway({
    port: p.smtp,
    supportAddresses: [SUPPORT_ADDRESS],
    maxBytes: LOCAL_MAX_OBJECT_BYTES,
    spoolDir: join(home, 'mail-spool'),
    s3,
    sns,
    bucket: buckets.mail.localName,
    prefix: buckets.mail.prefixes.inbound,
    topicArn,
    log: args.quiet ? undefined : (l) => console.log(`[smtp] ${l}`),
  });
  smtpGateway = smtp;
  // Stopped first (stoppers run in reverse): no mail is accepted while the rest shuts down.
  stoppers.push(() => smtp.stop());
  // SES event publishing, as the mailbox simulator drives it: mail to bounce@ or complaint@simulator.amazonses.com
  // comes back as SES's Bounce/Complaint event → SNS → SQS → the delivery-events handler → the ticket's trail.
  const deliveryEvents = await startDeliveryEvents({ messaging: messaging.server, ses: ses.server, sesUrl: outboxUrl, sqs, sns, meter, log: args.quiet ? undefined : (l) => console.log(`[ses-events] ${l}`) });
  stoppers.push(() => deliveryEvents.stop());

  const resumed = await resumeLifecycles();

  // Retention as deployed: with helpdesk:closedTicketRetentionDays set in cdk.json, tickets closed longer ago
  // than that are purged (functions/maintenance/purge-closed-tickets.ts) now and then every hour.
  const { readDeployConfig } = await import('./deploy-config.ts');
  const closedTicketDays = readDeployConfig().retention.closedTicketDays;
  if (closedTicketDays !== undefined) {
    process.env.CLOSED_TICKET_DAYS = String(closedTicketDays);
    const { purgeClosedTickets } = await import('../functions/maintenance/purge-closed-tickets.ts');
    const purge = () =>
      purgeClosedTickets().then(
        (r) => void (!args.quiet && r.purged > 0 && console.log(`[retention] ${r.purged} ticket(s) closed before ${r.cutoff} purged`)),
        (err: Error) => console.warn(`[retention] purge failed: ${err.message}`),
      );
    await purge();
    const timer = setInterval(() => void purge(), 3_600_000);
    timer.unref();
    stoppers.push(() => clearInterval(timer));
  }

  // The agent dashboard, as CloudFront would serve it, with a config.json for this instance.
  const dashboardBuildError = await dashboardBuild;
  if (dashboardBuildError) console.warn(`\n[dashboard] build failed, so the dashboard answers 503 until \`npm run build:dashboard\` succeeds:\n${dashboardBuildError.message}\n`);
  const dashboardServer = createServer(
    dashboardRequestHandler({
      distDir: join(root, 'dashboard', 'dist'),
      config: localDashboardConfig({ apiUrl, authUrl, clientId: CLIENT_ID, region: REGION, defaultLanguage: process.env.DEFAULT_LANGUAGE }),
    }),
  );
  stoppers.push(() => new Promise((r) => (dashboardServer.closeAllConnections(), dashboardServer.close(r))));
  const dashboardUrl = `http://127.0.0.1:${await listen(dashboardServer, p.dashboard)}`;
  dashboardLink = dashboardUrl;
  s3Front.allowOrigin(dashboardUrl);

  const endpoints = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    region: REGION,
    apiUrl,
    dashboardUrl,
    outboxUrl,
    auth: { url: authUrl, issuer, userPoolId: POOL_ID, clientId: CLIENT_ID, jwksUrl: `${issuer}/.well-known/jwks.json` },
    agents: demoUsers.map((u) => ({ email: u.email, ...(u.password ? { password: u.password } : {}), groups: u.groups })),
    services: { dynamodb: dynamo.endpoint, sqs: messagingUrl, sns: messagingUrl, s3: s3Front.url, ses: outboxUrl, stepfunctions: stepFunctions.url },
    // For scripts and tests calling the services as the handlers do (the S3 front checks them); this file is the owner's alone.
    credentials,
    stateMachineArn: STATE_MACHINE_ARN,
    timeScale,
    tableName: table.localName,
    smtpPort: smtp.port,
    ...(meter ? { meterUrl: `${apiUrl}${METER_PATH}` } : {}),
    supportAddress: SUPPORT_ADDRESS,
    home,
  };
  // Written last: its appearance means everything is up.
  await writeJsonAtomically(join(home, 'endpoints.json'), endpoints);

  console.log(
    [
      '',
      'Help desk running in local mode',
      `  Dashboard    ${dashboardUrl}  (sign in as an agent below)`,
      `  API          ${apiUrl}`,
      `  Web form     ${apiUrl}/help  (customers open tickets here)`,
      `  Outbox (SES) ${outboxUrl}  (mail the help desk sends)`,
      `  Sign-in      ${authUrl}  (Cognito InitiateAuth, USER_PASSWORD_AUTH)`,
      `  SMTP         127.0.0.1:${smtp.port}  mail to ${SUPPORT_ADDRESS} (or ${SUPPORT_ADDRESS.replace('@', '+anything@')}) becomes a ticket`,
      `  DynamoDB     ${dynamo.endpoint}  table "${table.localName}" (${tableState === 'created' ? 'new' : 'kept, with its data'})`,
      `  Lifecycle    ${stepFunctions.url}  Step Functions${timeScale > 1 ? `, SLA time ×${timeScale} (24×7)` : ''}${resumed ? `, ${resumed} open ticket(s) resumed` : ''}`,
      `  Data         ${home}`,
      '',
      'Agents (passwords are per install, kept in endpoints.json):',
      ...demoUsers.map((u) => `  ${u.email.padEnd(24)} ${u.password ?? '(their own; not stored)'}  [${u.groups.join(', ')}]`),
      '',
      'Try it:',
      `  TOKEN=$(npm run -s token -- l1@helpdesk.local | tail -1)`,
      `  curl -H "Authorization: Bearer $TOKEN" ${apiUrl}/tickets`,
      '',
      'Send a mail (swaks, or any SMTP client):',
      `  swaks --server 127.0.0.1:${smtp.port} --to ${SUPPORT_ADDRESS} --from you@example.com --header "Subject: Help"`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

/**
 * Executions live in memory here; the state they need lives on the tickets.
 * After a restart every ticket not yet closed starts again, and its first step
 * finds its place (triage done, level, deadlines, pending, survey) on the ticket.
 */
async function resumeLifecycles(): Promise<number> {
  const { ticketStore } = await import('../functions/adapters/ticket-store.ts');
  const { lifecycleClient } = await import('../functions/adapters/lifecycle-client.ts');
  const store = ticketStore(table.localName);
  const lifecycle = lifecycleClient(table.localName, STATE_MACHINE_ARN);
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listTickets({ status: ['new', 'open', 'pending', 'on_hold', 'resolved'], limit: 100, ...(cursor ? { cursor } : {}) });
    await Promise.all(page.items.map((t) => lifecycle.start(t.id)));
    count += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return count;
}

main().catch(async (err) => {
  console.error(err instanceof MissingJavaError || err instanceof AlreadyRunningError ? `\n${err.message}\n` : `\nLocal mode failed to start: ${(err as Error).stack ?? err}\n`);
  await stopAll(1);
});
