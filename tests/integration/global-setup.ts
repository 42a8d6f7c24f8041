import type { TestProject } from 'vitest/node';
import { startLocalMode, type Endpoints } from './local-mode.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
  }
}

/** One local-mode instance, with fresh data, shared by the integration tests. */
export default async function setup(project: TestProject) {
  const local = await startLocalMode();
  project.provide('endpoints', local.endpoints);
  return async () => {
    await local.stop();
  };
}
