import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies under functions/ point one way: handlers → app → shared → adapters → core.
 * The domain (core/) imports no other layer and no AWS code; use cases (app/) and shared/
 * import no handler, shared/ no use case; the adapters import neither
 * shared/ (middleware, configuration, observability), app/ nor a handler folder, so shared
 * middleware may read through an adapter (agent-status) but never the reverse; client
 * tracing lives in adapters/tracing.ts. This reads every file's import specifiers.
 */
const functionsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../functions');
const handlerFolders = ['api', 'public', 'email', 'workflow', 'maintenance', 'deploy'];

/** What each layer may not import: folders under functions/, and package prefixes. */
const forbidden: Record<string, { folders: string[]; packages: RegExp[] }> = {
  core: { folders: ['adapters', 'shared', 'app', ...handlerFolders], packages: [/^@aws-sdk\//, /^@aws-lambda-powertools\//, /^aws-lambda$/, /^@middy\//] },
  adapters: { folders: ['shared', 'app', ...handlerFolders], packages: [] },
  shared: { folders: ['app', ...handlerFolders], packages: [] },
  app: { folders: handlerFolders, packages: [] },
};

/** Every module a source names: static imports and re-exports, dynamic import(), side-effect imports. */
function specifiersOf(source: string): string[] {
  const found = [...source.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)];
  return found.map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The folder under functions/ a specifier names, if any (`#adapters/x`, `../shared/y.ts`). */
function folderOf(specifier: string, file: string): string | undefined {
  const alias = /^#([^/]+)\//.exec(specifier);
  if (alias) return alias[1] === 'definitions' ? undefined : alias[1];
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(functionsDir, resolve(dirname(join(functionsDir, file)), specifier));
  return target.startsWith('..') ? undefined : target.split('/')[0];
}

/** The imports of one file (a path under functions/) that go against the direction. */
function violations(file: string, source: string): string[] {
  const rule = forbidden[file.split('/')[0]!];
  if (!rule) return [];
  return specifiersOf(source)
    .filter((s) => {
      const folder = folderOf(s, file);
      return (folder !== undefined && rule.folders.includes(folder)) || rule.packages.some((p) => p.test(s));
    })
    .map((s) => `${file} imports ${s}`);
}

const filesOf = (folder: string) =>
  readdirSync(join(functionsDir, folder), { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts'))
    .map((f) => relative(functionsDir, join(f.parentPath, f.name)));

describe('one-way dependencies under functions/', () => {
  for (const layer of Object.keys(forbidden)) {
    it(`${layer}/ imports nothing against the direction`, () => {
      const files = filesOf(layer);
      expect(files.length).toBeGreaterThan(0);
      expect(files.flatMap((file) => violations(file, readFileSync(join(functionsDir, file), 'utf8')))).toEqual([]);
    });
  }

  it('the check sees an import against the direction, in every form', () => {
    const bad = [
      "import { traced } from '#shared/observability';",
      "import { x } from '../shared/http.ts';",
      "const m = await import('#app/receive-mail');",
      "export { y } from '../api/get-ticket.ts';",
    ].join('\n');
    expect(violations('adapters/example.ts', bad)).toHaveLength(4);
    expect(violations('core/example.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { keys } from '#adapters/keys';")).toHaveLength(2);
    // The allowed direction passes: shared reads through adapters, adapters through core and the definitions.
    expect(violations('shared/example.ts', "import { agentStatus } from '#adapters/agent-status';")).toEqual([]);
    expect(violations('adapters/example.ts', "import { keys } from './keys.ts';\nimport { Ticket } from '#core/ticket';\nimport { buckets } from '#definitions/resources';")).toEqual([]);
  });
});
