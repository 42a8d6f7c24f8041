import { runtime } from '#shared/config';
import { logger } from '#shared/logger';
import { triageModelStore } from '#adapters/triage-model-store';
import type { TriageModelInUse } from '#core/lifecycle';
import { triageModelLoader } from './triage-model-loader.ts';

/** The triage model a handler opens tickets with: the table's pointer and the mail bucket's models, logged through the function's logger. */
export function triageModelFor(config: { readonly tableName: string; readonly mailBucket: string }): () => Promise<TriageModelInUse | null> {
  return triageModelLoader(triageModelStore(config.tableName, config.mailBucket, { forcePathStyle: runtime.s3ForcePathStyle }), { log: logger });
}
