import { triage } from '#core/triage';
import { checkTriageExample, type TriageExample } from '#core/triage-examples';
import { predictTriage, prepareTriageModel, stratifiedFolds, trainTriageModel, type ModelMetrics, type PreparedTriageModel, type TrainOptions, type TriageModel } from '#core/triage-model';
import type { Policy } from '#core/policy';
import type { TriageModelPointer } from '#adapters/triage-model-store';

/**
 * Retraining the triage model, the one path the schedule, the admin route
 * and the history import take: read the desk's labelled examples (the last
 * `months` months, at most `maxExamples`), add any given ones (a history
 * imported from another desk), train, and put the new model in use only if it
 * beats the one in use on the same held-out tickets.
 *
 * Held-out tickets are ones neither model was trained on: with a model in
 * use, half of the examples recorded since it was trained (and every given
 * one), else a quarter of all, stratified by department. The candidate is
 * fitted on the rest and both are scored on them (department right, top
 * label); it must do strictly better, and with `mustBeatRules` also better
 * than the keyword rules there. The model then put in use is fitted on every
 * example, with its figures from cross-validation. Publishing is conditional
 * on the pointer the run read, so of two retrains at once one wins.
 */

export interface RetrainDeps {
  examples: { ofMonths(months: readonly string[], max: number): Promise<(TriageExample & { at?: string })[]> };
  models: {
    inUse(): Promise<TriageModelPointer | null>;
    read(key: string): Promise<unknown>;
    write(seq: number, model: TriageModel): Promise<string>;
    publish(pointer: TriageModelPointer, expectedSeq: number | null): Promise<boolean>;
  };
  policy: Policy;
  now(): Date;
}

export interface RetrainOptions {
  /** Examples beyond the desk's own, e.g. an imported history (already checked by checkTriageExample). */
  extraExamples?: readonly TriageExample[];
  /** Publish only if the model also beats the keyword rules on the held-out tickets. */
  mustBeatRules?: boolean;
  /** Months of the desk's examples read, this one included. */
  months?: number;
  /** At most this many of the desk's examples (newest months first). */
  maxExamples?: number;
  /** Training settings (the method, features, folds). */
  train?: Partial<TrainOptions>;
}

export const RETRAIN_DEFAULTS = { months: 12, maxExamples: 5_000 } as const;
/** Earlier models the pointer lists. */
export const HISTORY_KEPT = 20;
/** Fewer examples than this: nothing is trained. */
export const MIN_TRAINING_EXAMPLES = 20;
/** Fewer held-out tickets than this: no comparison is trusted, nothing is published. */
export const MIN_HELD_OUT = 10;

export interface HeldOutScores {
  /** Held-out tickets scored. */
  n: number;
  /** Department right (top label) for the candidate, the model in use and the rules (unrouted counts as wrong). */
  candidate: number;
  inUse: number | null;
  rules: number;
}

export type RetrainReason = 'better' | 'not-better' | 'not-better-than-rules' | 'too-few-examples' | 'too-few-held-out' | 'lost-race';

export interface RetrainResult {
  published: boolean;
  reason: RetrainReason;
  /** The version trained (published or not); null when nothing was trained. */
  version: string | null;
  /** The version in use after this run. */
  inUse: string | null;
  examples: { desk: number; given: number; skipped: number; total: number };
  heldOut: HeldOutScores | null;
  /** The figures of the model trained on every example (cross-validation), when one was. */
  metrics: ModelMetrics | null;
  trainMs: number;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** `yyyy-mm` of this month and the `n - 1` before it, newest first. */
export function recentMonths(now: Date, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

function departmentAccuracy(examples: readonly TriageExample[], predict: (e: TriageExample) => string | null): number {
  if (!examples.length) return 0;
  return round(examples.filter((e) => predict(e) === e.department).length / examples.length);
}

const modelDepartment = (m: PreparedTriageModel) => (e: TriageExample) => predictTriage(m, e).department?.label ?? null;

export async function retrainTriage(deps: RetrainDeps, options: RetrainOptions = {}): Promise<RetrainResult> {
  const started = performance.now();
  const now = deps.now();
  const months = options.months ?? RETRAIN_DEFAULTS.months;
  const max = options.maxExamples ?? RETRAIN_DEFAULTS.maxExamples;

  // The desk's own examples pass the same check as an imported line (a category an agent typed may not be a label).
  const stored = await deps.examples.ofMonths(recentMonths(now, months), max);
  let skipped = 0;
  const desk: (TriageExample & { at?: string })[] = [];
  for (const raw of stored) {
    const checked = checkTriageExample(raw);
    const again = checked.ok ? checked : checkTriageExample({ ...raw, category: undefined });
    if (again.ok) desk.push({ ...again.example, ...(raw.at ? { at: raw.at } : {}) });
    else skipped++;
  }
  const given = [...(options.extraExamples ?? [])];
  const all: (TriageExample & { at?: string })[] = [...desk, ...given];
  const counts = { desk: desk.length, given: given.length, skipped, total: all.length };
  const current = await deps.models.inUse();
  const nothing = (reason: RetrainReason, heldOut: HeldOutScores | null = null, version: string | null = null): RetrainResult => ({
    published: false,
    reason,
    version,
    inUse: current?.version ?? null,
    examples: counts,
    heldOut,
    metrics: null,
    trainMs: Math.round(performance.now() - started),
  });
  if (all.length < MIN_TRAINING_EXAMPLES || new Set(all.map((e) => e.department)).size < 2) return nothing('too-few-examples');

  // Held out: tickets neither the model in use nor the candidate was trained on.
  const unseen = all.map((e, i) => ({ e, i })).filter(({ e }) => !current || !e.at || e.at > current.trainedAt);
  const folds = current ? 2 : 4;
  const foldOf = stratifiedFolds(
    unseen.map(({ e }) => e.department),
    folds,
    options.train?.seed ?? 1,
  );
  const heldIdx = new Set(unseen.filter((_, j) => foldOf[j] === 0).map(({ i }) => i));
  const heldOut = all.filter((_, i) => heldIdx.has(i));
  const train = all.filter((_, i) => !heldIdx.has(i));
  if (heldOut.length < MIN_HELD_OUT || new Set(train.map((e) => e.department)).size < 2) return nothing('too-few-held-out');

  const candidate = prepareTriageModel(trainTriageModel(train, { ...options.train, folds: 0 }).model);
  let inUseModel: PreparedTriageModel | null = null;
  if (current) {
    try {
      inUseModel = prepareTriageModel(await deps.models.read(current.key));
    } catch {
      // A model in use that cannot be read or prepared is beaten by any that can.
      inUseModel = null;
    }
  }
  const scores: HeldOutScores = {
    n: heldOut.length,
    candidate: departmentAccuracy(heldOut, modelDepartment(candidate)),
    inUse: current ? (inUseModel ? departmentAccuracy(heldOut, modelDepartment(inUseModel)) : 0) : null,
    rules: departmentAccuracy(heldOut, (e) => {
      const r = triage({ subject: e.subject, body: e.body, requesterEmail: '' }, deps.policy.triage);
      return r.dispatch ? null : r.department;
    }),
  };
  if (scores.inUse !== null && !(scores.candidate > scores.inUse)) return nothing('not-better', scores);
  if (options.mustBeatRules && !(scores.candidate > scores.rules)) return nothing('not-better-than-rules', scores);

  const trainedAt = now.toISOString();
  const { model } = trainTriageModel(all, { ...options.train, trainedAt, folds: options.train?.folds ?? (all.length > 1_000 ? 3 : 5) });
  const seq = (current?.seq ?? 0) + 1;
  const version = `v${seq}`;
  const key = await deps.models.write(seq, model);
  const accuracy = model.metrics.fields.department?.accuracy ?? null;
  const pointer: TriageModelPointer = {
    seq,
    version,
    key,
    trainedAt,
    examples: model.examples,
    accuracy,
    metrics: model.metrics,
    history: current
      ? [{ version: current.version, key: current.key, trainedAt: current.trainedAt, examples: current.examples, accuracy: current.accuracy }, ...current.history].slice(0, HISTORY_KEPT)
      : [],
  };
  const won = await deps.models.publish(pointer, current?.seq ?? null);
  // Lost: another retrain put its model in use first; this one stays in S3, unused.
  const after = won ? version : ((await deps.models.inUse())?.version ?? null);
  return {
    published: won,
    reason: won ? 'better' : 'lost-race',
    version,
    inUse: after,
    examples: counts,
    heldOut: scores,
    metrics: model.metrics,
    trainMs: Math.round(performance.now() - started),
  };
}
