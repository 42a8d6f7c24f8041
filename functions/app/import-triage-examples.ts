import { checkImportFile, triageImportLimits } from '#core/triage-import';
import type { RejectedLine, TriageExample } from '#core/triage-examples';
import { RETRAIN_DEFAULTS, recentMonths, retrainTriage, type RetrainDeps, type RetrainOptions, type RetrainReason } from './retrain-triage.ts';

/**
 * Bringing a history from another desk: every good line of the file becomes a
 * labelled example (stored once, by a digest of its content), then the model
 * is retrained through the same use case as the schedule, with the file's
 * examples given, and put in use only if it beats the model in use and the
 * keyword rules on held-out tickets (retrainTriage's `mustBeatRules`).
 * Bad lines are reported by number and skipped; only a file with no good line
 * is refused.
 */

export interface ImportDeps extends RetrainDeps {
  /** Ids of this desk's departments: a line naming another is refused. */
  departments(): Promise<readonly string[]>;
  imported: {
    digestsOf(months: readonly string[]): Promise<Set<string>>;
    put(examples: readonly { digest: string; example: TriageExample }[], at: Date): Promise<number>;
  };
}

export interface ImportOptions {
  /** At most this many of the desk's own examples trained beside the file's (the API's time budget). */
  maxDeskExamples?: number;
  /** Training settings, for tests. */
  train?: RetrainOptions['train'];
}

export interface ImportReport {
  /** Non-blank lines read. */
  lines: number;
  /** Good lines (a line repeating an earlier one of the file counted once). */
  accepted: number;
  /** Good lines that repeat an earlier line of the file. */
  repeated: number;
  /** Of the accepted: newly stored, and already stored by an earlier import. */
  stored: { new: number; already: number };
  rejected: { total: number; lines: RejectedLine[]; listed: number };
  model: {
    published: boolean;
    reason: RetrainReason;
    /** The version trained (published or not); null when nothing was trained. */
    version: string | null;
    /** The version in use now. */
    inUse: string | null;
    /** Department right on the held-out tickets, for the new model, the one in use (null: none) and the rules. */
    heldOut: { tickets: number; model: number; inUse: number | null; rules: number } | null;
    examples: { desk: number; file: number; total: number };
    trainMs: number;
  };
}

export type ImportOutcome = { ok: true; report: ImportReport } | { ok: false; message: string; lines: number; rejected: ImportReport['rejected'] };

export async function importTriageExamples(deps: ImportDeps, text: string, options: ImportOptions = {}): Promise<ImportOutcome> {
  const departments = new Set(await deps.departments());
  const checked = checkImportFile(text, departments);
  const rejected = { total: checked.rejected.length, lines: checked.rejected.slice(0, triageImportLimits.listedRejections), listed: Math.min(checked.rejected.length, triageImportLimits.listedRejections) };
  if (!checked.accepted.length) {
    const message = checked.lines === 0 ? 'The file has no lines: send one past ticket a line, as JSON' : `None of the ${checked.lines} lines is usable: each rejected line says why`;
    return { ok: false, message, lines: checked.lines, rejected };
  }

  const now = deps.now();
  const months = recentMonths(now, RETRAIN_DEFAULTS.months);
  const earlier = await deps.imported.digestsOf(months);
  const fresh = checked.accepted.filter((a) => !earlier.has(a.digest));
  const written = await deps.imported.put(fresh, now);

  // The file's examples are given to the retrain, so its own stored copies are left out of the desk's: none counts twice.
  const ofFile = new Set(checked.accepted.map((a) => a.digest));
  const examples: RetrainDeps['examples'] = {
    ofMonths: async (m, max) => (await deps.examples.ofMonths(m, max)).filter((e) => !ofFile.has((e as { digest?: string }).digest ?? '')),
  };
  const result = await retrainTriage(
    { ...deps, examples },
    {
      extraExamples: checked.accepted.map((a) => a.example),
      mustBeatRules: true,
      maxExamples: options.maxDeskExamples ?? RETRAIN_DEFAULTS.maxExamples,
      ...(options.train ? { train: options.train } : {}),
    },
  );

  return {
    ok: true,
    report: {
      lines: checked.lines,
      accepted: checked.accepted.length,
      repeated: checked.repeated,
      stored: { new: written, already: checked.accepted.length - written },
      rejected,
      model: {
        published: result.published,
        reason: result.reason,
        version: result.version,
        inUse: result.inUse,
        heldOut: result.heldOut ? { tickets: result.heldOut.n, model: result.heldOut.candidate, inUse: result.heldOut.inUse, rules: result.heldOut.rules } : null,
        examples: { desk: result.examples.desk, file: result.examples.given, total: result.examples.total },
        trainMs: result.trainMs,
      },
    },
  };
}
