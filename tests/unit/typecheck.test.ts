import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { runGroup } from '../process-groups.ts';

/**
 * The type check is part of `npm test`: the project (functions, lib, local, tests, bench,
 * scripts) and the dashboard, each with its own tsconfig. It runs here, beside the other
 * tests, rather than before them: its CPU then fills the time other files spend waiting on
 * local mode, instead of adding half a minute in front of the run.
 */
const root = resolve(import.meta.dirname, '../..');
const tsc = resolve(root, 'node_modules/.bin/tsc');

describe('type check', () => {
  const running = new AbortController();
  afterEach(() => running.abort());

  it('the project and the dashboard type-check with no error (tsc --noEmit, each with its tsconfig)', async () => {
    const check = (project: string) => runGroup(tsc, ['--noEmit', '--pretty', 'false', '-p', project], { cwd: root, signal: running.signal }, `tsc -p ${project}`);
    const [project, dashboard] = await Promise.all([check('tsconfig.json'), check('dashboard/tsconfig.json')]);
    expect(`${project.stdout}${project.stderr}`.trim(), 'tsc -p tsconfig.json').toBe('');
    expect(project.code).toBe(0);
    expect(`${dashboard.stdout}${dashboard.stderr}`.trim(), 'tsc -p dashboard/tsconfig.json').toBe('');
    expect(dashboard.code).toBe(0);
  }, 300_000);
});
