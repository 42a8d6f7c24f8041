import { defineConfig } from 'vitest/config';

// One registry of started process groups per run, shared by the workers and the global
// setups (tests/process-groups.ts): set here, in the main process, before any of them starts.
process.env.HELPDESK_TEST_RUN ??= `run-${process.pid}-${Date.now()}`;

/**
 * Tests in layers: unit tests need no network; integration tests run against
 * one real local-mode instance started by the global setup; infra tests synth
 * the stack; e2e tests drive Debian's Chromium (playwright-core) through the
 * dashboard and the customer pages of their own local-mode instance. The type
 * check is a unit test (tests/unit/typecheck.test.ts), so it runs beside the rest.
 */
export default defineConfig({
  test: {
    // Two files at a time, not vitest's cores-minus-one (one, here): most integration time is
    // spent waiting on local mode's own processes, not in the test worker.
    maxWorkers: 2,
    // After vitest's own summary, one line per project: a project that did not really run (e2e without Chromium) is named loudly.
    reporters: ['default', './tests/project-summary.ts'],
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          // Browser files share the lanes with the others (each file its own Chromium, its own
          // tickets and invited agents on the shared instance): run after the rest, as they once
          // were, they added two minutes of a lone lane at the end of every run.
        },
      },
      {
        test: {
          name: 'infra',
          include: ['tests/infra/**/*.test.ts'],
          testTimeout: 180_000,
          // The first file of a worker loads and warms aws-cdk-lib for all of them (a deadline for a hang, not speed).
          hookTimeout: 300_000,
          // The files of a worker share one module graph: aws-cdk-lib is loaded and warmed once, and
          // each configuration is synthesised once (tests/infra/synthesized.ts), not once per file.
          isolate: false,
        },
      },
    ],
  },
});
