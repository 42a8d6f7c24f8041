/** The per-project summary of a run (tests/project-summary.ts), which makes a silently skipped project a CI failure. */
import { describe, expect, it } from 'vitest';
import { expectedProjects, fromJsonReport, repoFile, summarize } from '../project-summary.ts';

const all = ['e2e', 'infra', 'integration', 'unit'];

describe('project summary', () => {
  it('knows the four projects of vitest.config.ts from the folders of tests/', () => {
    expect(expectedProjects()).toEqual(all);
  });

  it('passes a run where every project ran, with one line per project', () => {
    const files = all.map((project) => ({ project, file: `tests/${project}/a.test.ts`, tests: ['passed', 'passed', 'failed'] as const }));
    const { lines, problems } = summarize(
      files.map((f) => ({ ...f, tests: [...f.tests] })),
      all,
    );
    expect(problems).toEqual([]);
    expect(lines).toContain('e2e: 2 passed, 1 failed, 0 skipped in 1 file(s)');
    expect(lines).toHaveLength(4);
  });

  it('fails a run where e2e was skipped (no Chromium) or a project did not run at all, naming them', () => {
    const { lines, problems } = summarize(
      [
        { project: 'unit', file: 'tests/unit/a.test.ts', tests: ['passed'] },
        { project: 'integration', file: 'tests/integration/a.test.ts', tests: ['passed'] },
        { project: 'e2e', file: 'tests/e2e/a.test.ts', tests: ['skipped', 'skipped'] },
      ],
      all,
    );
    expect(problems).toEqual(['e2e: no test ran', 'infra: no test ran']);
    expect(lines.find((l) => l.startsWith('e2e'))).toMatch(/E2E DID NOT RUN/);
  });

  it('fails a run that skipped one whole file of a project that otherwise ran, but not a corpus file kept outside the repository', () => {
    const base = all.map((project) => ({ project, file: `tests/${project}/a.test.ts`, tests: ['passed' as const] }));
    expect(summarize([...base, { project: 'unit', file: 'tests/unit/b.test.ts', tests: ['skipped'] }], all).problems).toEqual(['unit: skipped tests/unit/b.test.ts']);
    expect(summarize([...base, { project: 'unit', file: 'tests/unit/parse-mail.corpus.test.ts', tests: ['skipped'] }], all).problems).toEqual([]);
  });

  it("reads vitest's JSON report, a file's project coming from its folder", () => {
    const outcomes = fromJsonReport({
      testResults: [
        { name: repoFile('tests/e2e/web-form.test.ts'), assertionResults: [{ status: 'passed' }, { status: 'pending' }] },
        { name: repoFile('tests/unit/ticket.test.ts'), assertionResults: [{ status: 'failed' }] },
      ],
    });
    expect(outcomes).toEqual([
      { project: 'e2e', file: 'tests/e2e/web-form.test.ts', tests: ['passed', 'skipped'] },
      { project: 'unit', file: 'tests/unit/ticket.test.ts', tests: ['failed'] },
    ]);
  });
});
