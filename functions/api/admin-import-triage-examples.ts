import { adminRoute } from '#shared/admin-route';
import { configFor, runtime } from '#shared/config';
import { HttpError, json } from '#shared/http';
import { logger } from '#shared/logger';
import { policy } from '#shared/policy';
import { importFileProblem, triageImportBody } from '#core/triage-import';
import { departmentStore } from '#adapters/department-store';
import { importedTriageExamples } from '#adapters/imported-triage-examples';
import { triageExampleStore } from '#adapters/triage-example-store';
import { triageModelStore } from '#adapters/triage-model-store';
import { importTriageExamples } from '#app/import-triage-examples';

const config = await configFor('AdminImportTriageExamples');
const departments = departmentStore(config.tableName);
const examples = triageExampleStore(config.tableName);
const imported = importedTriageExamples(config.tableName);
const models = triageModelStore(config.tableName, config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });

/**
 * The desk's own examples trained beside a file of at most 1,000 lines, newest first: training 1,000 lines took
 * 10 s of CPU on the development machine, so file and desk stay within the API's 30 seconds. The daily retrain
 * reads them all (the imported ones included).
 */
const MAX_DESK_EXAMPLES = 500;

/** POST /admin/triage/examples: a history file (JSON Lines) stored as labelled examples, then a retrain that must beat the rules. */
export const handler = adminRoute(config, { text: triageImportBody }, async (req) => {
  const text = req.text ?? '';
  const problem = importFileProblem(text);
  if (problem) throw new HttpError(problem.status, 'payload_too_large', problem.message);
  const deps = { departments: async () => (await departments.listDepartments()).map((d) => d.id), imported, examples, models, policy, now: () => new Date() };
  const outcome = await importTriageExamples(deps, text, { maxDeskExamples: MAX_DESK_EXAMPLES });
  if (!outcome.ok) throw new HttpError(400, 'no_usable_line', outcome.message, { lines: outcome.lines, rejected: outcome.rejected });
  const { report } = outcome;
  // Counts and figures only: no ticket text.
  logger.info('Triage examples imported', { lines: report.lines, accepted: report.accepted, rejected: report.rejected.total, stored: report.stored, model: report.model });
  return json(200, report);
});
