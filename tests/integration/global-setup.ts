import type { TestProject } from 'vitest/node';
import { reportGroupsLeft } from '../process-groups.ts';
import { join } from 'node:path';
import { prebuildFunctionBundles, repoRoot, startLocalMode, type Endpoints } from './local-mode.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
  }
}

/** One local-mode instance, with fresh data, shared by the integration tests. */
export default async function setup(project: TestProject) {
  await prebuildFunctionBundles();
  // Each function keeps an agent's rights for 30 s (accessCacheSeconds), as in AWS: a demotion reaches the other
  // functions within that time. The tests check changes at once, so this instance reads rights at every request.
  const local = await startLocalMode({ globalOf: 'integration', extraArgs: ['--policy', join(repoRoot, 'tests/integration/access-cache-off.policy.json')] });
  project.provide('endpoints', local.endpoints);
  return async () => {
    try {
      await local.stop();
    } finally {
      // The last check of the run: no process group a test started is left.
      await reportGroupsLeft('integration');
    }
  };
}
