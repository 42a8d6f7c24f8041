/**
 * Each function's code as Lambda gets it: one ESM bundle made by esbuild with the stack's
 * options (lib/constructs/helpdesk-function.ts: ESM, module-first, a `require` for CommonJS
 * dependencies, source maps), built at the function's first cold start (or all at once when
 * local mode warms every function). A bundle loads several times faster than the same code
 * through tsx, which matters with a worker per function on a small machine.
 *
 * Bundles are kept between runs under node_modules/.cache/helpdesk-local/bundles (inside the
 * project, so the meter's externals resolve from node_modules), each with the list of files
 * it was built from and their size and modification time. A bundle is used again only while
 * every one of those files is unchanged; otherwise it is built afresh. Building the 33
 * bundles takes about 18 s of a loaded 2-core machine, and the test suite starts local mode
 * about ten times, so rebuilding what did not change was most of their start-up.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import type { FunctionDefinition } from '../lib/definitions/functions.ts';

export interface FunctionBundles {
  /** The worker runtime (local/function-worker.ts) as one file. */
  worker(): Promise<string>;
  /** A function's bundle, built on first ask. A failed build is tried again at the next ask. */
  of(fn: FunctionDefinition): Promise<string>;
  /** Builds these functions' bundles in one esbuild run (they share the parsing of common code). */
  all(fns: readonly FunctionDefinition[]): Promise<void>;
}

/** Where a bundle is, and what it was built from (paths relative to the project). */
interface Pointer {
  file: string;
  inputs: Record<string, { size: number; mtimeMs: number }>;
}

/** Build folders no pointer names are removed once this old (a concurrent run may be filling a new one). */
const STALE_BUILD_MS = 3_600_000;

export function functionBundles(root: string, opts: { metered: boolean }): FunctionBundles {
  const cache = join(root, 'node_modules', '.cache', 'helpdesk-local', 'bundles');
  mkdirSync(cache, { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __localCreateRequire } from 'node:module'; const require = __localCreateRequire(import.meta.url);" },
    sourcemap: true,
    sourcesContent: false,
    tsconfig: join(root, 'tsconfig.json'),
    absWorkingDir: root,
    metafile: true,
    logLevel: 'error',
    // Metered, the SDK stays one shared copy from node_modules, whose client class the meter patches.
    ...(opts.metered ? { external: ['@aws-sdk/*', '@smithy/*'] } : {}),
  };
  // Bundles made with other options (metered or not, another Node major) are other bundles.
  const flavour = createHash('sha256').update(JSON.stringify(common)).digest('hex').slice(0, 12);
  const pointerFile = (name: string) => join(cache, `${name}-${flavour}.json`);
  pruneStaleBuilds(cache);

  /** The cached bundle of `name`, if every file it was built from is as it was. */
  const cached = (name: string): string | undefined => {
    let pointer: Pointer;
    try {
      pointer = JSON.parse(readFileSync(pointerFile(name), 'utf8')) as Pointer;
      statSync(join(cache, pointer.file));
    } catch {
      return undefined;
    }
    for (const [path, seen] of Object.entries(pointer.inputs)) {
      try {
        const now = statSync(join(root, path));
        if (now.size !== seen.size || now.mtimeMs !== seen.mtimeMs) return undefined;
      } catch {
        return undefined;
      }
    }
    return join(cache, pointer.file);
  };

  /** Builds entry points into a fresh folder, then points each name at its bundle (atomically: runs may share the cache). */
  const buildInto = async (entries: Record<string, string>, extra: BuildOptions = {}): Promise<void> => {
    const folder = `build-${randomUUID()}`;
    const outdir = join(cache, folder);
    const result = await build({ ...common, ...extra, entryPoints: entries, outdir, outExtension: { '.js': '.mjs' } });
    for (const name of Object.keys(entries)) {
      const output = result.metafile!.outputs[`${relative(outdir)}/${name}.mjs`];
      if (!output) throw new Error(`esbuild wrote no ${name}.mjs`);
      const pointer: Pointer = { file: `${folder}/${name}.mjs`, inputs: inputsOf(output.inputs) };
      const tmp = `${pointerFile(name)}.${randomUUID()}`;
      writeFileSync(tmp, JSON.stringify(pointer));
      renameSync(tmp, pointerFile(name));
    }
  };
  const relative = (abs: string) => abs.slice(root.length + 1).split('\\').join('/');
  const inputsOf = (inputs: Metafile['outputs'][string]['inputs']): Pointer['inputs'] =>
    Object.fromEntries(
      Object.keys(inputs)
        // esbuild's own virtual inputs (e.g. `<define:…>`) are no files.
        .filter((path) => !path.startsWith('<'))
        .map((path) => {
          const s = statSync(join(root, path));
          return [path, { size: s.size, mtimeMs: s.mtimeMs }];
        }),
    );

  const made = new Map<string, Promise<string>>();
  const once = (name: string, make: () => Promise<string>) => {
    let p = made.get(name);
    if (!p) {
      p = make();
      made.set(name, p);
      p.catch(() => made.delete(name));
    }
    return p;
  };
  const bundleOf = (name: string, entry: string, extra?: BuildOptions) =>
    once(name, async () => cached(name) ?? (await buildInto({ [name]: entry }, extra), cached(name) ?? Promise.reject(new Error(`No bundle for ${name}`))));

  const of = (fn: FunctionDefinition) => bundleOf(fn.name, join(root, 'functions', fn.entry));
  return {
    worker() {
      // The worker's own code never makes SDK clients; the meter in it patches node_modules' client class.
      return bundleOf('function-worker', join(root, 'local', 'function-worker.ts'), { external: ['@aws-sdk/*', '@smithy/*'] });
    },
    of,
    async all(fns) {
      const todo = fns.filter((fn) => !made.has(fn.name) && cached(fn.name) === undefined);
      if (todo.length > 0) await buildInto(Object.fromEntries(todo.map((fn) => [fn.name, join(root, 'functions', fn.entry)]))).catch(() => {});
      // Each name now resolves from the cache (or builds alone, and says why, at its cold start).
      await Promise.all(fns.map((fn) => of(fn).catch(() => undefined)));
    },
  };
}

/** Removes build folders no pointer names any more, once they are old enough not to be a concurrent run's. */
function pruneStaleBuilds(cache: string): void {
  const named = new Set<string>();
  const folders: string[] = [];
  for (const entry of readdirSync(cache)) {
    if (entry.endsWith('.json')) {
      try {
        named.add((JSON.parse(readFileSync(join(cache, entry), 'utf8')) as Pointer).file.split('/')[0]!);
      } catch {
        // A pointer half-written by a run that died: the next build of its function replaces it.
      }
    } else if (entry.startsWith('build-')) folders.push(entry);
  }
  for (const folder of folders) {
    if (named.has(folder)) continue;
    try {
      if (Date.now() - statSync(join(cache, folder)).mtimeMs > STALE_BUILD_MS) rmSync(join(cache, folder), { recursive: true, force: true });
    } catch {
      // Gone already (another run pruned it).
    }
  }
}
