import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launcherArguments } from '../../local/dynamodb-launcher.ts';

/**
 * Local mode runs DynamoDB Local through a small launcher that keeps it on 127.0.0.1. The
 * launcher is compiled once (with the runtime's own compiler, no javac binary needed) and
 * reused by every later start; when it cannot be compiled, Java's source-file mode runs it,
 * as before. Real Java here: the same JVM local mode starts.
 */
let scratch: string;
const savedTmp = process.env.TMPDIR;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'launcher-test-'));
  process.env.TMPDIR = scratch;
});
afterAll(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await rm(scratch, { recursive: true, force: true });
});

describe('the DynamoDB Local launcher', () => {
  it('is compiled once into the temporary directory and reused; a launcher that cannot compile runs from source', async () => {
    const { dynamoDbClassPath } = await import('../../local/services.ts');
    const classPath = dynamoDbClassPath();
    const first = await launcherArguments(classPath);
    expect(first.at(-1)).toBe('LoopbackDynamoDb');
    const [cache] = (await readdir(scratch)).filter((d) => d.startsWith('helpdesk-dynamodb-launcher-'));
    const compiled = await readdir(join(scratch, cache!));
    // One compiled version, and no scratch folder left behind.
    expect(compiled).toHaveLength(1);
    expect(await readdir(join(scratch, cache!, compiled[0]!))).toContain('LoopbackDynamoDb.class');
    expect(await launcherArguments(classPath)).toEqual(first);

    // Without DynamoDB Local's classes the launcher does not compile: source-file mode, as before.
    const fallback = await launcherArguments([join(scratch, 'missing.jar')]);
    expect(fallback.at(-1)).toMatch(/LoopbackDynamoDb\.java$/);
    expect(await readdir(join(scratch, cache!))).toHaveLength(1);
  }, 120_000);
});
