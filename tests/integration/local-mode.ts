import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopGroup, trackGroup } from '../process-groups.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface Endpoints {
  pid: number;
  apiUrl: string;
  dashboardUrl: string;
  outboxUrl: string;
  auth: { url: string; issuer: string; clientId: string; userPoolId: string; jwksUrl: string };
  agents: { email: string; password: string; groups: string[] }[];
  services: Record<string, string>;
  /** This install's credentials: the S3 front checks signatures against them (the emulators accept any). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  tableName: string;
  region: string;
  smtpPort: number;
  stateMachineArn: string;
  timeScale: number;
  supportAddress: string;
  home: string;
}

export interface LocalMode {
  child: ChildProcess;
  endpoints: Endpoints;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  /** Sends a signal to local mode's whole process group (DynamoDB Local's Java included) and waits for local mode to exit. */
  signalGroup: (signal: NodeJS.Signals) => Promise<number | null>;
}

/** Starts `local/start.ts` exactly as `npm start` does, and waits for its endpoints.json. */
/** A deadline that only catches an instance that never gets ready: Java, four emulators and (with --time-scale) 33 workers on a busy 2-core machine. */
const READY_DEADLINE_MS = 180_000;

/**
 * Builds every function's bundle once, before a run starts its local-mode instances. They all
 * share local mode's bundle cache; from a clean clone, a dozen instances building the same 33
 * bundles at once (one warming all of them for --time-scale) took over a minute of a busy machine.
 */
export async function prebuildFunctionBundles(): Promise<void> {
  const [{ functionBundles }, { functions }] = await Promise.all([import('../../local/function-bundles.ts'), import('../../lib/definitions/functions.ts')]);
  const bundles = functionBundles(repoRoot, { metered: false });
  await Promise.all([bundles.all(functions), bundles.worker()]);
}

export async function startLocalMode(
  opts: {
    home?: string;
    fresh?: boolean;
    env?: NodeJS.ProcessEnv;
    extraArgs?: string[];
    /** @deprecated Every instance now runs in a process group of its own. */
    ownProcessGroup?: boolean;
    /** The project whose global setup starts this instance (its teardown stops it; the final leftover check skips it until then). */
    globalOf?: string;
  } = {},
): Promise<LocalMode> {
  const ownHome = opts.home === undefined;
  const home = opts.home ?? (await mkdtemp(join(tmpdir(), 'helpdesk-test-')));
  const args = ['--import', 'tsx', join(repoRoot, 'local/start.ts'), '--ports', 'auto', '--home', home, '--quiet', ...(opts.fresh === false ? [] : ['--fresh']), ...(opts.extraArgs ?? [])];
  // In a process group of its own, it can be killed as a whole (kill -9 of npm start and its Java child), and only it;
  // tracked, so it is stopped with this process at the latest, and a leftover fails the run (tests/process-groups.ts).
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid !== undefined) trackGroup(child.pid, `local mode (home ${home})`, opts.globalOf);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const signalGroup = async (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is gone already.
    }
    return child.exitCode !== null || child.signalCode !== null ? child.exitCode : exited;
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    let code: number | null = child.exitCode;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      // Local mode stops its services and exits on its own; after a generous minute, the group is killed.
      const late = new Promise<'late'>((r) => setTimeout(r, 60_000, 'late').unref());
      const result = await Promise.race([exited, late]);
      code = result === 'late' ? (await stopGroup(child.pid!, 'SIGKILL', 0), await exited) : result;
    }
    // Whatever of its group is left (a Java child, a worker) goes too, and the group leaves the registry.
    await stopGroup(child.pid!);
    // A home this helper made is removed with the instance; a caller's own home is the caller's.
    if (ownHome) await rm(home, { recursive: true, force: true });
    return code;
  };

  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null) {
      // What it started before failing (DynamoDB Local's Java) goes with it, and so does the home this helper made.
      await stop();
      throw new Error(`local mode exited with ${child.exitCode}:\n${out}`);
    }
    try {
      const endpoints = JSON.parse(await readFile(join(home, 'endpoints.json'), 'utf8')) as Endpoints;
      if (endpoints.pid === child.pid) return { child, endpoints, output: () => out, stop, signalGroup };
    } catch {
      // Not written yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`local mode did not become ready in ${READY_DEADLINE_MS / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A table of its own (named `<prefix>-<random>`) in a running instance's DynamoDB Local, and this
 * test process's environment pointed at that instance's services as a Lambda's is by the stack
 * (region, the install's credentials, endpoints, TABLE_NAME, quiet Powertools), plus `env`: for a
 * file that loads adapters or a handler in-process, after this and before their import, on data
 * other files do not see.
 */
export async function ownTableEnvironment(ep: Endpoints, prefix: string, env: Record<string, string> = {}) {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { provisionTable } = await import('../../local/services.ts');
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const rawDb = new DynamoDBClient({ endpoint: ep.services.dynamodb, region: ep.region, credentials: ep.credentials });
  await provisionTable(rawDb, tableName);
  Object.assign(process.env, {
    AWS_REGION: ep.region,
    AWS_ACCESS_KEY_ID: ep.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ep.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: ep.services.dynamodb,
    AWS_ENDPOINT_URL_S3: ep.services.s3,
    S3_FORCE_PATH_STYLE: 'true',
    TABLE_NAME: tableName,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...env,
  });
  return { tableName, rawDb, db: DynamoDBDocumentClient.from(rawDb) };
}

/** Signs in a seeded agent of a local-mode instance, as the dashboard does (Cognito InitiateAuth); returns the ID token. */
export async function signInAs(ep: Pick<Endpoints, 'auth' | 'agents'>, email: string): Promise<string> {
  const agent = ep.agents.find((a) => a.email === email);
  if (!agent) throw new Error(`no seeded agent ${email}`);
  const res = await fetch(ep.auth.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ep.auth.clientId, AuthParameters: { USERNAME: agent.email, PASSWORD: agent.password } }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { AuthenticationResult: { IdToken: string } }).AuthenticationResult.IdToken;
}

/** One API call with an agent's token: the status, headers, the body parsed when it is JSON, and the raw text. */
export async function apiCall(apiUrl: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Polls until `probe` gives a value (not undefined or false): how async effects are awaited, with a timeout. */
export async function poll<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
