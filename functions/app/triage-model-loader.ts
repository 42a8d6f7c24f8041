import type { TriageModelInUse } from '#core/lifecycle';
import { prepareTriageModel, type PreparedTriageModel } from '#core/triage-model';

/**
 * The triage model a function triages with, kept between invocations: the
 * "in use" pointer is read at most once per `maxAgeMs` per container, and the
 * model object only when the pointer names another version. No model in use
 * answers null (the rules alone decide, as on a new desk). A model that
 * cannot be read or prepared is logged and answered as null, and tried again
 * only when the pointer moves on: a broken model never fails a ticket.
 */
export interface TriageModelSource {
  inUse(): Promise<{ version: string; key: string } | null>;
  read(key: string): Promise<unknown>;
}

export interface LoaderLog {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface LoaderOptions {
  /** How long a pointer read is trusted; default 10 s. */
  maxAgeMs?: number;
  now?: () => number;
  log?: LoaderLog;
}

/**
 * 10 s: a retrain or an import is in use everywhere within seconds, as an admin expects,
 * for one GetItem per container per 10 s of traffic (under 0.3 M reads a month for a busy
 * container: cents).
 */
export const POINTER_MAX_AGE_MS = 10_000;

export function triageModelLoader(source: TriageModelSource, options: LoaderOptions = {}): () => Promise<TriageModelInUse | null> {
  const maxAgeMs = options.maxAgeMs ?? POINTER_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  const log = options.log;
  let checkedAt = -Infinity;
  /** The version last loaded (or that failed to load), and what it gave. */
  let loaded: { version: string; model: TriageModelInUse | null } | null = null;
  let pending: Promise<TriageModelInUse | null> | null = null;

  const failed = (version: string) => (err: unknown) => log?.error('Triage model failed on a ticket; the rules decided', { version, error: String(err) });

  async function refresh(): Promise<TriageModelInUse | null> {
    let pointer;
    try {
      pointer = await source.inUse();
    } catch (err) {
      // The table unreachable for a moment: keep what we have, try again at the next ticket.
      log?.error('Triage model pointer could not be read; keeping the model loaded', { error: String(err) });
      return loaded?.model ?? null;
    }
    checkedAt = now();
    if (!pointer) {
      loaded = null;
      return null;
    }
    if (loaded?.version === pointer.version) return loaded.model;
    const started = performance.now();
    let prepared: PreparedTriageModel;
    try {
      const json = await source.read(pointer.key);
      const read = performance.now();
      prepared = prepareTriageModel(json);
      log?.info('Triage model loaded', {
        version: pointer.version,
        examples: prepared.model.examples,
        features: prepared.model.features.vocabulary.length,
        readMs: Math.round((read - started) * 10) / 10,
        prepareMs: Math.round((performance.now() - read) * 10) / 10,
      });
    } catch (err) {
      log?.error('Triage model could not be loaded; the rules decide until another is in use', { version: pointer.version, key: pointer.key, error: String(err) });
      loaded = { version: pointer.version, model: null };
      return null;
    }
    loaded = { version: pointer.version, model: { prepared, version: pointer.version, failed: failed(pointer.version) } };
    return loaded.model;
  }

  return async () => {
    if (now() - checkedAt < maxAgeMs) return loaded?.model ?? null;
    // Concurrent tickets in one container share one refresh.
    pending ??= refresh().finally(() => {
      pending = null;
    });
    return pending;
  };
}
