import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const javaDir = join(dirname(fileURLToPath(import.meta.url)), 'java');
const launcherSource = join(javaDir, 'LoopbackDynamoDb.java');
const compilerSource = join(javaDir, 'CompileLauncher.java');

/**
 * JVM options for DynamoDB Local here: the C1 compiler only and the serial collector. Local
 * mode's DynamoDB serves one desk (or one test) for minutes; C2's background compiling cost
 * it about as much CPU again as the requests did (measured with bench-like traffic: 16 s of
 * CPU with the defaults, 8.5 s with these), and on a 2-core machine that CPU is the tests'.
 */
export const dynamoJvmOptions = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * The java arguments that run the loopback launcher: its compiled class, cached per launcher
 * source and Java version under the temporary directory, or the source file itself when it
 * cannot be compiled (Java's source-file mode compiles it in memory at every start: about 3 s
 * of CPU each time).
 */
export async function launcherArguments(classPath: string[]): Promise<string[]> {
  const compiled = await compiledLauncher(classPath).catch(() => undefined);
  if (compiled) return ['-cp', [...classPath, compiled].join(delimiter), 'LoopbackDynamoDb'];
  return ['-cp', classPath.join(delimiter), launcherSource];
}

let versionAnswer: SpawnSyncReturns<string> | undefined;
/** `java -version`, asked once per process (the Java check and the launcher's cache key both need it). */
export function javaVersion(): SpawnSyncReturns<string> {
  versionAnswer ??= spawnSync('java', ['-version'], { encoding: 'utf8' });
  return versionAnswer;
}

async function compiledLauncher(classPath: string[]): Promise<string | undefined> {
  const version = javaVersion();
  const key = createHash('sha256')
    .update(readFileSync(launcherSource))
    .update(`${version.stderr}${version.stdout}`)
    .update(classPath.join(delimiter))
    .digest('hex')
    .slice(0, 16);
  const root = join(tmpdir(), `helpdesk-dynamodb-launcher-${userInfo().uid}`);
  const dir = join(root, key);
  if (existsSync(join(dir, 'LoopbackDynamoDb.class'))) return dir;
  mkdirSync(root, { recursive: true, mode: 0o700 });
  // Compiled aside and renamed into place: two local modes starting at once never see half a class.
  const scratch = mkdtempSync(join(root, 'compiling-'));
  try {
    const status = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('java', [compilerSource, '-nowarn', '-d', scratch, '-cp', classPath.join(delimiter), launcherSource], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (status !== 0 || !existsSync(join(scratch, 'LoopbackDynamoDb.class'))) return undefined;
    try {
      renameSync(scratch, dir);
    } catch {
      // Another start won the race: its class is the same.
    }
    return existsSync(join(dir, 'LoopbackDynamoDb.class')) ? dir : undefined;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
