import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { prebuildFunctionBundles, startLocalMode } from '../integration/local-mode.ts';
import { reportGroupsLeft } from '../process-groups.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the browser tests are skipped on this machine, or '' when they run. */
    e2eSkip: string;
  }
}

/** Debian's Chromium, the browser `.ci/run` installs; CHROMIUM_PATH points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * One local-mode instance, with fresh data, for the browser tests, started
 * exactly as the integration tests start theirs. Without Chromium the tests
 * are skipped with a message, unless REQUIRE_CHROMIUM=1 (as in CI) makes that
 * a failure.
 */
export default async function setup(project: TestProject) {
  if (!existsSync(chromiumPath)) {
    const message = `Chromium not found at ${chromiumPath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.`;
    if (process.env.REQUIRE_CHROMIUM === '1') throw new Error(`${message} REQUIRE_CHROMIUM=1, so the browser tests cannot be skipped.`);
    console.warn(`\n[e2e] Skipping the browser tests. ${message}\n`);
    project.provide('e2eSkip', message);
    return;
  }
  await prebuildFunctionBundles();
  const local = await startLocalMode({ globalOf: 'e2e' });
  project.provide('endpoints', local.endpoints);
  project.provide('e2eSkip', '');
  return async () => {
    try {
      await local.stop();
    } finally {
      await reportGroupsLeft('e2e');
    }
  };
}
