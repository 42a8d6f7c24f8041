import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, signInAs, startLocalMode as startInstance, type LocalMode } from './local-mode.ts';
import { spawnGroup, stopGroup } from '../process-groups.ts';

const run = promisify(execFile);

// Every instance a test starts is stopped after it, with its process group, even when the test fails or times out.
const running: LocalMode[] = [];
async function startLocalMode(opts: Parameters<typeof startInstance>[0] = {}) {
  const local = await startInstance(opts);
  running.push(local);
  return local;
}
afterEach(async () => {
  for (const local of running.splice(0)) await local.stop();
});

async function signedInFetch(local: LocalMode, method: string, path: string, body?: unknown) {
  const token = await signInAs(local.endpoints, local.endpoints.agents[1]!.email);
  const res = await fetch(local.endpoints.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Java processes serving this data folder, if any are left. */
async function dynamoProcessesFor(home: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid,args']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((l) => l.includes('DynamoDBLocal') && l.includes(home));
}

describe('local mode lifecycle', () => {
  // One instance on a home of the test's own serves the token test, then is the first of the
  // restart test's three: a start fewer, and neither test asserts anything of the other's.
  let home: string;
  let shared: LocalMode;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'helpdesk-restart-'));
    shared = await startInstance({ home });
  }, 150_000);
  afterAll(async () => {
    await shared?.stop();
    await rm(home, { recursive: true, force: true });
  }, 90_000);

  it('prints a bearer token for a seeded agent as the last line of npm run token', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'token', '--', 'l3@helpdesk.local'], { cwd: repoRoot, env: { ...process.env, HELPDESK_HOME: shared.endpoints.home } });
    const token = stdout.trim().split('\n').pop()!;
    const res = await fetch(`${shared.endpoints.apiUrl}/tickets`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const unknown = await run('npm', ['run', '-s', 'token', '--', 'nobody@example.com'], { cwd: repoRoot, env: { ...process.env, HELPDESK_HOME: shared.endpoints.home } }).catch((e) => e);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Seeded agents: .*l1@helpdesk\.local/);
  }, 60_000);

  it('keeps every ticket across a restart, and --fresh wipes them', async () => {
    const first = shared;
    const created = await signedInFetch(first, 'POST', '/tickets', {
      requester: { email: 'persist@example.com' },
      subject: 'Survives a restart',
      body: 'Keep me',
      channel: 'walk_in',
    });
    expect(created.status).toBe(201);
    const password = first.endpoints.agents[1]!.password;
    expect(await first.stop('SIGINT')).toBe(0);
    expect(await dynamoProcessesFor(home)).toEqual([]);

    const second = await startLocalMode({ home, fresh: false });
    try {
      expect(second.endpoints.agents[1]!.password).toBe(password);
      const again = await signedInFetch(second, 'GET', `/tickets/${created.body.id}`);
      expect(again.status).toBe(200);
      expect(again.body.ticket.subject).toBe('Survives a restart');
      const next = await signedInFetch(second, 'POST', '/tickets', { requester: { email: 'persist@example.com' }, subject: 'Next', body: 'b', channel: 'chat' });
      expect(next.body.number).toBe(created.body.number + 1);
    } finally {
      await second.stop();
    }

    const fresh = await startLocalMode({ home, fresh: true });
    try {
      expect((await signedInFetch(fresh, 'GET', `/tickets/${created.body.id}`)).status).toBe(404);
    } finally {
      await fresh.stop();
    }
    expect(await dynamoProcessesFor(home)).toEqual([]);
    // Two more instances one after another, each allowed startLocalMode's 90 s on a busy machine: no tight total.
  }, 600_000);

  it('stops at once on a bad setting, naming it: DEFAULT_LANGUAGE is checked by the stack\'s own rule before anything starts', async () => {
    const failed = await startLocalMode({ env: { DEFAULT_LANGUAGE: 'fr' } }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(failed).toMatch(/local mode exited with 1/);
    expect(failed).toMatch(/DEFAULT_LANGUAGE \(helpdesk:defaultLanguage must be one of en, pt-BR; got "fr"\)/);
    expect(failed).not.toMatch(/DynamoDB Local/); // nothing was started
    expect(failed).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('says what to install when Java is missing', async () => {
    const emptyPath = await mkdtemp(join(tmpdir(), 'no-java-'));
    const child = spawnGroup(process.execPath, ['--import', 'tsx', join(repoRoot, 'local/start.ts'), '--ports', 'auto', '--home', emptyPath], {
      cwd: repoRoot,
      env: { ...process.env, PATH: emptyPath },
    }, 'local mode without Java');
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('exit', r)).finally(() => stopGroup(child.pid!));
    expect(code).toBe(1);
    expect(out).toMatch(/Java was not found/);
    expect(out).toMatch(/openjdk-17-jre-headless/);
    expect(out).not.toMatch(/\n\s+at /); // a message, not a stack trace
    await rm(emptyPath, { recursive: true, force: true });
  });
});
