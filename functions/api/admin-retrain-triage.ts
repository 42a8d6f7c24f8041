import { adminRoute } from '#shared/admin-route';
import { configFor, runtime } from '#shared/config';
import { json } from '#shared/http';
import { logger } from '#shared/logger';
import { policy } from '#shared/policy';
import { triageExampleStore } from '#adapters/triage-example-store';
import { triageModelStore } from '#adapters/triage-model-store';
import { retrainTriage } from '#app/retrain-triage';

const config = await configFor('AdminRetrainTriage');
const examples = triageExampleStore(config.tableName);
const models = triageModelStore(config.tableName, config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });

/** Examples one on-demand run reads at most: training them with cross-validation fits in the API's 30 seconds. */
const MAX_EXAMPLES_ON_DEMAND = 1_500;

/** POST /admin/triage/retrain: trains on the desk's labelled tickets now and puts the model in use if it beats the one in use. */
export const handler = adminRoute(config, {}, async () => {
  const result = await retrainTriage({ examples, models, policy, now: () => new Date() }, { maxExamples: MAX_EXAMPLES_ON_DEMAND });
  // Figures and counts only: no ticket text.
  logger.info('Triage retrained on demand', { published: result.published, reason: result.reason, version: result.version, inUse: result.inUse, examples: result.examples, heldOut: result.heldOut, trainMs: result.trainMs });
  return json(200, result);
});
