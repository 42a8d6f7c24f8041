/**
 * `npm start`: the whole help desk on one machine. Real local services on
 * loopback, provisioned from the stack's own definitions, and every function of
 * the manifest (lib/definitions/functions.ts) wired from its trigger, each in a
 * worker thread with exactly the environment its needs bring (local/function-host.ts).
 *
 *   npm start                      keep data in .helpdesk/ across restarts
 *   npm start -- --fresh           wipe local data first
 *   npm start -- --port 4310       API port (other services use the next eight; the dashboard is +7)
 *   npm start -- --ports auto      free ports chosen by the OS (tests use this)
 *   npm start -- --home DIR        keep state in DIR instead of .helpdesk/
 *   npm start -- --time-scale 3600 SLA time runs 3600× faster: an SLA hour in a second
 *   npm start -- --policy FILE     policy overrides over config/policy.json for this run
 *   npm start -- --meter           count what AWS would bill for, at GET <apiUrl>/__local/meter (local/meter.ts)
 *   npm start -- --manifest FILE   run the functions of this JSON copy of the manifest instead (tests remove a need with it)
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { routesOf } from '../lib/definitions/routes.ts';
import { functions, isBuilt, manifestProblems, runtimeVariables, type DeploymentValues, type FunctionDefinition } from '../lib/definitions/functions.ts';
import { buckets, table } from '../lib/definitions/resources.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { S3Client } from '@aws-sdk/client-s3';
import { startSmtpGateway, type SmtpGateway } from './smtp-gateway.ts';
import { sesMessageIdOfSqsBody } from './ses-notification.ts';
import { startSqsPoller } from './sqs-poller.ts';
import { startDeliveryEvents } from './ses-events.ts';
import { createRouter } from './http-router.ts';
import { mountApiDocs } from './api-docs.ts';
import { authRequestHandler } from './auth-server.ts';
import { createLocalCognito, hashStoredPasswords, loadOrCreateKeys, type LocalUser } from './issuer.ts';
import { AlreadyRunningError, LOCK_FILE, lockHome, preparePrivateHome } from './home.ts';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { agentGroups } from '../lib/definitions/routes.ts';
import { checkJava, stopChild, localCredentials, LOCAL_MAX_OBJECT_BYTES, MissingJavaError, provisionTable, REGION, startDynamo, startMessaging, startSes } from './services.ts';
import { makeDemoUsers, seedDemoAgents } from './seed.ts';
import { startLocalStepFunctions } from './step-functions.ts';
import { startS3CorsFront } from './s3-cors-front.ts';
import { dashboardRequestHandler, ensureDashboardBuilt, localDashboardConfig } from './dashboard-server.ts';
import { METER_PATH, startMeter } from './meter.ts';
import { startFunctionHost } from './function-host.ts';
import { ConfigError } from '../lib/config.ts';
import { readDeployConfig } from './deploy-config.ts';
import { resumeLifecycles } from './resume-lifecycles.ts';

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
    manifest: { type: 'string' },
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

/** One line per start-up phase, so a slow start says where it is (quiet or not: they are few). */
const phase = (line: string) => console.log(`[start] ${(performance.now() / 1000).toFixed(1).padStart(5)} s  ${line}`);

/** The manifest this run wires: the project's, or a JSON copy of it (`--manifest`, for the tests that remove a need). */
async function loadManifest(): Promise<readonly FunctionDefinition[]> {
  if (!args.manifest) return functions;
  const manifest = JSON.parse(await readFile(resolve(args.manifest), 'utf8')) as FunctionDefinition[];
  if (!Array.isArray(manifest)) throw new Error(`--manifest ${args.manifest}: a JSON array of function definitions expected`);
  const problems = manifestProblems(manifest);
  if (problems.length) throw new Error(`--manifest ${args.manifest} is not sound:\n${problems.join('\n')}`);
  return manifest;
}

/** What a CloudFormation custom resource receives, per deploy function; its properties as the stack sets them (lib/constructs/desk-config.ts). */
const deployProperties: Record<string, () => Record<string, string>> = {
  DeskConfig: () => ({ Departments: JSON.stringify(readDeployConfig().departments) }),
};

async function main() {
  const ttlSeconds = Number(args['token-ttl']);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 86_400) throw new Error(`--token-ttl must be whole seconds between 60 and 86400, not "${args['token-ttl']}"`);
  const timeScale = Number(args['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale < 1 || timeScale > 1_000_000) throw new Error(`--time-scale must be a number from 1 to 1000000, not "${args['time-scale']}"`);
  // A policy file for this run (tests use short windows), checked now rather than at the first ticket.
  const policyOverrides = args.policy ? JSON.stringify(JSON.parse(await readFile(resolve(args.policy), 'utf8'))) : undefined;
  if (policyOverrides) {
    // The domain core's parser (pure, no AWS): the same check the functions make at their cold start.
    const { parsePolicy } = await import('../functions/core/policy.ts');
    parsePolicy(JSON.parse(policyOverrides), args.policy);
  }
  const manifest = await loadManifest();
  const deployConfig = readDeployConfig();
  const closedTicketDays = deployConfig.retention.closedTicketDays;
  // Mail is always on locally (the SMTP gateway and the local SES); retention as cdk.json says.
  const built = manifest.filter((fn) => isBuilt(fn, { mail: true, retention: closedTicketDays !== undefined }));
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
  // Java takes longest to come up: the services start first, and the rest is prepared meanwhile.
  phase('DynamoDB Local (Java), SQS/SNS/S3 and SES emulators starting…');
  const starting = [startDynamo(join(home, 'dynamodb'), p.dynamo), startMessaging(p.messaging), startSes(p.ses)] as const;
  const services = Promise.all(starting);
  // Reported where it is awaited below, not as an unhandled rejection meanwhile (that would skip the stoppers).
  services.catch(() => {});
  // Each is stopped even when start-up fails half-way (another service, a port taken, an unreadable file).
  stoppers.push(async () => {
    const [dynamo, messaging, ses] = await Promise.allSettled(starting);
    await Promise.allSettled([
      dynamo.status === 'fulfilled' && stopChild(dynamo.value.process),
      messaging.status === 'fulfilled' && messaging.value.server.stop(),
      ses.status === 'fulfilled' && new Promise((r) => ses.value.server.close(r)),
    ]);
  });
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

  phase('agents, keys and secrets ready; waiting for the services…');
  const [dynamo, messaging, ses] = await services;
  const messagingUrl = `http://127.0.0.1:${messaging.server.port}`;
  // S3 as the browser sees it (presigned uploads and downloads): the emulator behind a front that checks
  // signatures, serves files as downloads that never run, and answers CORS (local/s3-cors-front.ts).
  const s3Front = await startS3CorsFront(p.s3Cors, { host: '127.0.0.1', port: messaging.server.port }, credentials);
  // CORS for the dashboard's page only (its own origin is added once it listens), and the Vite dev server's (npm run dev:dashboard).
  for (const origin of ['http://127.0.0.1:5173', 'http://localhost:5173']) s3Front.allowOrigin(origin);
  stoppers.push(() => new Promise((r) => (s3Front.server.closeAllConnections(), s3Front.server.close(r))));
  const outboxUrl = `http://127.0.0.1:${ses.port}`;
  const tableState = await provisionTable(dynamo.client, table.localName);
  phase(`services up; table "${table.localName}" ${tableState === 'created' ? 'created' : 'kept, with its data'}`);

  // Every function runs in its own worker, started at its first invocation (local/function-host.ts).
  const host = startFunctionHost({ manifest: built, root, region: REGION, meter, log: args.quiet ? undefined : (l) => console.log(`[lambda] ${l}`) });
  stoppers.push(() => host.stop());
  const triggered = <K extends FunctionDefinition['trigger']['kind']>(kind: K) =>
    built.flatMap((fn) => (fn.trigger.kind === kind ? [fn as FunctionDefinition & { trigger: Extract<FunctionDefinition['trigger'], { kind: K }> }] : []));

  // The ticket lifecycle runs the same ASL file as AWS; its Task states name the functions by substitution.
  const tasks = triggered('task');
  const stepFunctions = await startLocalStepFunctions(p.stepFunctions, {
    definition: await readFile(join(root, 'state-machines', 'ticket-lifecycle.asl.json'), 'utf8'),
    substitutions: Object.fromEntries(tasks.map((fn) => [fn.trigger.substitution, fn.name])),
    functions: Object.fromEntries(tasks.map((fn) => [fn.name, host.invoker(fn.name)])),
    stateMachineArn: STATE_MACHINE_ARN,
    log: args.quiet ? undefined : (l) => console.log(`[lifecycle] ${l}`),
  });
  stoppers.push(() => stepFunctions.stop());
  meter?.source('stepFunctions', () => {
    const all = stepFunctions.executions();
    return { executions: all.length, transitions: all.reduce((n, e) => n + e.transitions, 0) };
  });

  // The issuer URL holds the port, so the server binds first and gets its handler after.
  const authServer = createServer();
  stoppers.push(() => new Promise((r) => authServer.close(r)));
  const authUrl = `http://127.0.0.1:${await listen(authServer, p.auth)}`;
  const issuer = `${authUrl}/${POOL_ID}`;
  const jwks = { keys: [keys.publicJwk] };
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

  const routes = routesOf(built);
  const api = createRouter({
    routes,
    handlers: new Map(routes.map((r) => [r.name, host.invoker(r.name)])),
    jwt: { issuer, audience: [CLIENT_ID], jwks },
    allowOrigins: ['*'],
    onRequest: args.quiet && !meter ? undefined : (l) => {
      meter?.http(l);
      if (!args.quiet) console.log(`[api] ${l.method} ${l.path} ${l.status} ${l.ms.toFixed(1)}ms`);
    },
  });
  meter?.mount(api);
  // The API's OpenAPI document and a page to browse it: GET /openapi.json and GET /api.
  mountApiDocs(api);
  api.keepAliveTimeout = 30_000;
  const apiUrl = `http://127.0.0.1:${await listen(api, p.api)}`;
  stoppers.push(() => new Promise((r) => (api.closeAllConnections(), api.close(r))));

  // Every value a need brings, now that the API's URL (PUBLIC_URL: links in mail) is known. A function's
  // worker gets exactly environmentOf(its entry, these) and the runtime's variables below, nothing else.
  const values: DeploymentValues = {
    tableName: table.localName,
    mailBucket: buckets.mail.localName,
    stateMachineArn: STATE_MACHINE_ARN,
    publicUrl: apiUrl,
    userPoolId: POOL_ID,
    deskName: 'Help desk (local)',
    defaultLanguage: deployConfig.defaultLanguage,
    signingKey: { value: secrets.replyTokenSecret },
    mail: { supportAddresses: [SUPPORT_ADDRESS], fromAddress: SUPPORT_ADDRESS },
    ...(closedTicketDays !== undefined ? { closedTicketDays } : {}),
  };
  const runtime: Partial<Record<(typeof runtimeVariables)[number], string>> = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: messagingUrl,
    AWS_ENDPOINT_URL_SNS: messagingUrl,
    AWS_ENDPOINT_URL_S3: s3Front.url,
    AWS_ENDPOINT_URL_SESV2: outboxUrl,
    AWS_ENDPOINT_URL_SFN: stepFunctions.url,
    // The admin routes' Cognito calls go to the local issuer.
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: authUrl,
    // The SDK warns on Node 20 about releases after January 2027; the lockfile pins the versions here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The S3 emulator answers on one host:port, so bucket names go in the path.
    S3_FORCE_PATH_STYLE: 'true',
    TIME_SCALE: String(timeScale),
    ...(policyOverrides ? { POLICY_OVERRIDES: policyOverrides } : {}),
    // Metrics are CloudWatch's business; locally they would only flood the terminal.
    POWERTOOLS_METRICS_DISABLED: 'true',
    // No X-Ray daemon here: the tracer stays off (it also turns itself off outside Lambda).
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_SERVICE_NAME: 'helpdesk',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  };
  host.configure(values, runtime as Record<string, string>);
  if (timeScale > 1) {
    // With SLA time scaled, a cold start of seconds would be hours of SLA time: every function starts now.
    phase(`API listening at ${apiUrl}; starting all ${built.length} functions (SLA time ×${timeScale})…`);
    // A line every eighth or so, so a slow machine's long stretch still shows progress.
    await host.warm((started, total) => (started === total || started % Math.ceil(total / 8) === 0 ? phase(`${started}/${total} functions started`) : undefined));
  } else phase(`API listening at ${apiUrl}; ${built.length} functions, each started at its first call`);

  // Deploy time, as CloudFormation runs a custom resource: departments and default canned responses from cdk.json.
  for (const fn of triggered('deploy')) {
    const properties = deployProperties[fn.name];
    if (!properties) throw new Error(`${fn.name}: local mode does not know the properties of this deploy function (deployProperties in local/start.ts)`);
    phase(`${fn.name} (deploy)…`);
    await host.invoker(fn.name)({
      RequestType: 'Create',
      ServiceToken: `arn:aws:lambda:${REGION}:000000000000:function:${fn.name}-provider`,
      ResponseURL: 'http://127.0.0.1/unused',
      StackId: `arn:aws:cloudformation:${REGION}:000000000000:stack/helpdesk-local/${randomUUID()}`,
      RequestId: randomUUID(),
      LogicalResourceId: fn.name,
      ResourceType: `Custom::${fn.name}`,
      ResourceProperties: { ServiceToken: `arn:aws:lambda:${REGION}:000000000000:function:${fn.name}-provider`, ...properties() },
    });
  }
  // The demo agents, in every configured desk; only those not there yet, so an admin's changes survive a restart.
  await seedDemoAgents(dynamo.client, table.localName, deployConfig.departments.map((d) => d.id));
  phase('desk configured (departments, canned responses, demo agents)');

  // Inbound mail: SMTP gateway → raw MIME in S3 + SES-shaped notification → SNS → SQS → poller → handler.
  const aws = { region: REGION, credentials };
  const sqs = new SQSClient({ ...aws, endpoint: messagingUrl });
  const sns = new SNSClient({ ...aws, endpoint: messagingUrl });
  const s3 = new S3Client({ ...aws, endpoint: messagingUrl, forcePathStyle: true });
  const { inboundTopicArn: topicArn, inboundQueue: { queueUrl, queueArn } } = messaging;
  // A mail leaves the SMTP spool only once the handler has finished with it (its message deleted): the queue is in memory.
  let smtpGateway: SmtpGateway | undefined;
  const settle = (records: { body: string }[]) => {
    for (const r of records) {
      const id = sesMessageIdOfSqsBody(r.body);
      if (id) void smtpGateway?.settle(id);
    }
  };
  const queueFunctions = triggered('queue');
  for (const fn of queueFunctions.filter((f) => f.trigger.queue === 'inboundMail')) {
    // At most two batches at once (the stack allows more; this machine is small): a burst of mail drains sooner than with one.
    const poller = startSqsPoller({ sqs, queueUrl, queueArn, batchSize: fn.trigger.batchSize, concurrency: Math.min(2, fn.trigger.maxConcurrency), timeoutSeconds: fn.timeoutSeconds, handler: host.invoker(fn.name), functionName: fn.name, onDeleted: settle, log: args.quiet ? undefined : (l) => console.log(`[mail] ${l}`) });
    stoppers.push(() => poller.stop());
  }
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
  for (const fn of queueFunctions.filter((f) => f.trigger.queue === 'deliveryEvents')) {
    const deliveryEvents = await startDeliveryEvents({ messaging: messaging.server, ses: ses.server, sesUrl: outboxUrl, sqs, sns, handler: host.invoker(fn.name), functionName: fn.name, batchSize: fn.trigger.batchSize, timeoutSeconds: fn.timeoutSeconds, log: args.quiet ? undefined : (l) => console.log(`[ses-events] ${l}`) });
    stoppers.push(() => deliveryEvents.stop());
  }
  phase(`mail: SMTP gateway on ${smtp.port}, inbound and delivery-event queues polled`);

  const resumed = await resumeLifecycles({ dynamo: dynamo.client, tableName: table.localName, sfnUrl: stepFunctions.url, stateMachineArn: STATE_MACHINE_ARN, region: REGION, credentials });
  if (resumed) phase(`${resumed} open ticket lifecycle(s) resumed`);

  // Schedules, as EventBridge runs them: once now and then every `everyHoursLocally` hours (retention,
  // when helpdesk:closedTicketRetentionDays is set in cdk.json: the function is built only then).
  for (const fn of triggered('schedule')) {
    const run = () =>
      host
        .invoker(fn.name)({ version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: new Date().toISOString(), region: REGION, resources: [`arn:aws:events:${REGION}:000000000000:rule/${fn.name}`], detail: {} })
        .then(
          (result: unknown) => void (!args.quiet && console.log(`[schedule] ${fn.name}: ${JSON.stringify(result)}`)),
          (err: Error) => console.warn(`[schedule] ${fn.name} failed: ${err.message}`),
        );
    phase(`${fn.name} (schedule, every ${fn.trigger.everyHoursLocally} h)…`);
    await run();
    const timer = setInterval(() => void run(), fn.trigger.everyHoursLocally * 3_600_000);
    timer.unref();
    stoppers.push(() => clearInterval(timer));
  }

  // The agent dashboard, as CloudFront would serve it, with a config.json for this instance.
  const dashboardBuildError = await dashboardBuild;
  if (dashboardBuildError) console.warn(`\n[dashboard] build failed, so the dashboard answers 503 until \`npm run build:dashboard\` succeeds:\n${dashboardBuildError.message}\n`);
  const dashboardServer = createServer(
    dashboardRequestHandler({
      distDir: join(root, 'dashboard', 'dist'),
      config: localDashboardConfig({ apiUrl, authUrl, clientId: CLIENT_ID, region: REGION, defaultLanguage: deployConfig.defaultLanguage }),
    }),
  );
  stoppers.push(() => new Promise((r) => (dashboardServer.closeAllConnections(), dashboardServer.close(r))));
  const dashboardUrl = `http://127.0.0.1:${await listen(dashboardServer, p.dashboard)}`;
  dashboardLink = dashboardUrl;
  s3Front.allowOrigin(dashboardUrl);
  phase(`dashboard at ${dashboardUrl}`);

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
      `  API docs     ${apiUrl}/api  (OpenAPI 3.1: ${apiUrl}/openapi.json)`,
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

main().catch(async (err) => {
  // A setting to fix, Java to install, an instance already there: the message says it all, no stack trace.
  console.error(err instanceof MissingJavaError || err instanceof AlreadyRunningError || err instanceof ConfigError ? `\n${err.message}\n` : `\nLocal mode failed to start: ${(err as Error).stack ?? err}\n`);
  await stopAll(1);
});
