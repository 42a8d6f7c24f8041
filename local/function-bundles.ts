/**
 * Each function's code as Lambda gets it: one ESM bundle made by esbuild with the stack's
 * options (lib/constructs/helpdesk-function.ts: ESM, module-first, a `require` for CommonJS
 * dependencies, source maps), built at the function's first cold start (or all at once when
 * local mode warms every function). A bundle loads several times faster than the same code
 * through tsx, which matters with a worker per function on a small machine.
 *
 * Bundles live for one run, under node_modules/.cache (inside the project, so the meter's
 * externals resolve from node_modules), and are removed when local mode stops.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import type { FunctionDefinition } from '../lib/definitions/functions.ts';
import { processAlive } from './home.ts';

export interface FunctionBundles {
  /** The worker runtime (local/function-worker.ts) as one file. */
  worker(): Promise<string>;
  /** A function's bundle, built on first ask. A failed build is tried again at the next ask. */
  of(fn: FunctionDefinition): Promise<string>;
  /** Builds these functions' bundles in one esbuild run (they share the parsing of common code). */
  all(fns: readonly FunctionDefinition[]): Promise<void>;
  /** Removes this run's bundles. */
  remove(): void;
}

export function functionBundles(root: string, opts: { metered: boolean }): FunctionBundles {
  const parent = join(root, 'node_modules', '.cache', 'helpdesk-local');
  const dir = join(parent, `run-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  // A run killed outright (kill -9) could not remove its bundles: those of runs no longer alive go now.
  for (const name of readdirSync(parent)) {
    const pid = Number(/^run-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
  }
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
    logLevel: 'error',
    // Metered, the SDK stays one shared copy from node_modules, whose client class the meter patches.
    ...(opts.metered ? { external: ['@aws-sdk/*', '@smithy/*'] } : {}),
  };
  const built = new Map<string, Promise<string>>();
  let workerFile: Promise<string> | undefined;

  const once = (key: string, make: () => Promise<string>) => {
    let p = built.get(key);
    if (!p) {
      p = make();
      built.set(key, p);
      p.catch(() => built.delete(key));
    }
    return p;
  };

  return {
    worker() {
      const outfile = join(dir, 'function-worker.mjs');
      // The worker's own code never makes SDK clients; the meter in it patches node_modules' client class.
      return (workerFile ??= build({ ...common, external: ['@aws-sdk/*', '@smithy/*'], entryPoints: [join(root, 'local', 'function-worker.ts')], outfile }).then(() => outfile));
    },
    of(fn) {
      const outfile = join(dir, `${fn.name}.mjs`);
      return once(fn.name, () => build({ ...common, entryPoints: [join(root, 'functions', fn.entry)], outfile }).then(() => outfile));
    },
    async all(fns) {
      const todo = fns.filter((fn) => !built.has(fn.name));
      if (todo.length === 0) return;
      const run = build({ ...common, entryPoints: Object.fromEntries(todo.map((fn) => [fn.name, join(root, 'functions', fn.entry)])), outdir: dir, outExtension: { '.js': '.mjs' } });
      for (const fn of todo) once(fn.name, () => run.then(() => join(dir, `${fn.name}.mjs`)));
      await run.catch(() => {});
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
