import type { TestProject } from 'vitest/node';
import { reportGroupsLeft } from '../process-groups.ts';
import { startLocalMode, type Endpoints } from './local-mode.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
  }
}

/** One local-mode instance, with fresh data, shared by the integration tests. */
export default async function setup(project: TestProject) {
  const local = await startLocalMode({ globalOf: 'integration' });
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
