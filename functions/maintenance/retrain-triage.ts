import { configFor, runtime } from '#shared/config';
import { logger } from '#shared/logger';
import { observed } from '#shared/observability';
import { policy } from '#shared/policy';
import { triageExampleStore } from '#adapters/triage-example-store';
import { triageModelStore } from '#adapters/triage-model-store';
import { retrainTriage, type RetrainResult } from '#app/retrain-triage';

/**
 * The daily retrain (EventBridge; a timer in local mode): the triage model
 * learns from the tickets agents worked in the last months, and is put in
 * use only if it beats the one in use on held-out tickets.
 */
const config = await configFor('RetrainTriage');
const examples = triageExampleStore(config.tableName);
const models = triageModelStore(config.tableName, config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle });

export const handler = observed(async (): Promise<RetrainResult> => {
  const result = await retrainTriage({ examples, models, policy, now: () => new Date() });
  // Figures and counts only: no ticket text.
  logger.info('Triage retrained', { published: result.published, reason: result.reason, version: result.version, inUse: result.inUse, examples: result.examples, heldOut: result.heldOut, trainMs: result.trainMs });
  return result;
});
