/**
 * One line per vitest project (unit, integration, e2e, infra): passed, failed,
 * skipped. A project that ran nothing, or skipped a whole file, is named loudly,
 * so a run that silently dropped the browser tests never looks green.
 *
 * - As a vitest reporter (vitest.config.ts), after `npm test`'s own summary.
 * - As a script over a JSON report (`.ci/run`): `node --import tsx tests/project-summary.ts report.json`,
 *   which exits 1 when a project ran no tests or skipped a file (CI must run them all).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Reporter } from 'vitest/reporters';

const repoRoot = resolve(import.meta.dirname, '..');

export type Outcome = 'passed' | 'failed' | 'skipped';
export interface FileOutcome {
  project: string;
  /** Relative to the repository. */
  file: string;
  tests: Outcome[];
}

/**
 * Files that read data kept outside the repository (../shared/corpora) and skip
 * themselves without it: reported, never a CI failure.
 */
export const optionalFiles = ['tests/unit/parse-mail.corpus.test.ts', 'tests/unit/mail/email-reply-parser.corpus.test.ts'];

/** The projects of vitest.config.ts: one per folder of tests/ that holds test files. */
export function expectedProjects(testsDir = join(repoRoot, 'tests')): string[] {
  return readdirSync(testsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .filter((d) => readdirSync(join(testsDir, d.name), { recursive: true }).some((f) => String(f).endsWith('.test.ts')))
    .map((d) => d.name)
    .sort();
}

/** The absolute path of a file of the repository. */
export const repoFile = (path: string) => join(repoRoot, path);

/** A test file's project, from its folder (the projects' `include` patterns are tests/<project>/**). */
export function projectOf(file: string): string {
  return relative(repoRoot, file).split(sep)[1] ?? 'unknown';
}

export interface Summary {
  lines: string[];
  /** Why CI must fail; empty when every expected project ran and skipped no file. */
  problems: string[];
}

export function summarize(files: readonly FileOutcome[], expected: readonly string[]): Summary {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const project of [...new Set([...expected, ...files.map((f) => f.project)])].sort()) {
    const mine = files.filter((f) => f.project === project);
    const count = (o: Outcome) => mine.reduce((n, f) => n + f.tests.filter((t) => t === o).length, 0);
    const skippedFiles = mine.filter((f) => f.tests.length > 0 && f.tests.every((t) => t === 'skipped'));
    const required = skippedFiles.filter((f) => !optionalFiles.includes(f.file));
    let line = `${project}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped in ${mine.length} file(s)`;
    if (count('passed') + count('failed') === 0) {
      line += `  <-- ${project.toUpperCase()} DID NOT RUN`;
      problems.push(`${project}: no test ran`);
    } else if (required.length > 0) {
      line += `  <-- ${required.length} FILE(S) SKIPPED: ${required.map((f) => f.file).join(', ')}`;
      problems.push(`${project}: skipped ${required.map((f) => f.file).join(', ')}`);
    }
    const optional = skippedFiles.filter((f) => optionalFiles.includes(f.file));
    if (optional.length > 0) line += ` (skipped for want of ../shared/corpora: ${optional.map((f) => f.file).join(', ')})`;
    lines.push(line);
  }
  return { lines, problems };
}

/** Vitest's JSON report (`--reporter=json --outputFile=...`) as file outcomes. */
export function fromJsonReport(report: { testResults: { name: string; assertionResults: { status: string }[] }[] }): FileOutcome[] {
  return report.testResults.map((r) => ({
    project: projectOf(r.name),
    file: relative(repoRoot, r.name),
    tests: r.assertionResults.map((a) => (a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped')),
  }));
}

interface TaskLike {
  type: string;
  mode: string;
  result?: { state?: string };
  tasks?: TaskLike[];
}
function testsOf(task: TaskLike): Outcome[] {
  if (task.type === 'test') return [task.result?.state === 'pass' ? 'passed' : task.result?.state === 'fail' ? 'failed' : 'skipped'];
  return (task.tasks ?? []).flatMap(testsOf);
}

/** After `npm test`'s own summary: one line per project that ran, and a loud word for one that did not really run. */
export default class ProjectSummaryReporter implements Reporter {
  onFinished(files: Parameters<NonNullable<Reporter['onFinished']>>[0] = []) {
    const outcomes: FileOutcome[] = files.map((f) => ({ project: f.projectName || projectOf(f.filepath), file: relative(repoRoot, f.filepath), tests: testsOf(f as unknown as TaskLike) }));
    // Only the projects this run selected (a single file run names one); a full run selects them all.
    const { lines, problems } = summarize(outcomes, []);
    const loud = problems.length > 0;
    console.log(`\n Projects  ${lines.join('\n           ')}`);
    if (loud) {
      console.log(`\n ${'!'.repeat(78)}\n  NOT EVERYTHING RAN: ${problems.join('; ')}.`);
      if (problems.some((p) => p.startsWith('e2e'))) console.log('  The browser tests need Chromium (apt-get install chromium, or CHROMIUM_PATH); CI sets REQUIRE_CHROMIUM=1 and fails instead.');
      console.log(` ${'!'.repeat(78)}\n`);
    }
  }
}

// As a script: the CI summary over a JSON report; exits 1 when a project did not run in full.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
  const { lines, problems } = summarize(fromJsonReport(report), expectedProjects());
  for (const line of lines) console.log(line);
  console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
  if (problems.length > 0) {
    console.error(`CI requires every project to run in full: ${problems.join('; ')}`);
    process.exit(1);
  }
}
