/**
 * Triage quality and speed on labelled tickets, in one run: the keyword rules
 * alone, a plain naive Bayes baseline, the learned model (trained through the
 * product's own trainTriageModel) and the combination as the product decides
 * (decideTriage), per language and overall; then triage time per ticket and
 * model load time, measured apart.
 *
 *   npm run bench:triage -- [--train FILE] [--test FILE] [--train-size N] [--repeats N] [--folds K]
 *                           [--options JSON] [--policy JSON] [--json]
 *
 * Default input: ../shared/corpora/labelled-tickets/tickets.jsonl (never copied
 * into the repository, nor a model trained on it). With --test, trains on
 * --train-size tickets of the train file (default 200, the issue's goal;
 * a seeded sample keeping each department's share) and scores the test file once. Otherwise repeated stratified
 * k-fold on the train file: every ticket is scored once per repeat by a model
 * that did not see it; figures are the median over repeats, with min–max.
 *
 * --options (partial TrainOptions) and --policy (partial DecisionPolicy) score
 * an alternative against the same splits, e.g. --options '{"l2":1e-3}'.
 *
 * Lines are either the desk's own format ({subject, body, department,
 * category?, priority?, language?}) or the corpus's ({subject, body, queue,
 * priority: high|medium|low, language}), mapped as {@link QUEUE_DEPARTMENT}
 * and {@link CORPUS_PRIORITY} say.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultTriageRules, triage, type TriageResult } from '#core/triage';
import { checkTriageExample, type TriageExample } from '#core/triage-examples';
import { predictTriage, prepareTriageModel, stratifiedFolds, trainTriageModel, type TrainOptions, type TriagePrediction } from '#core/triage-model';
import { decideTriage, defaultDecisionPolicy, type DecisionPolicy, type TriageDecision } from '#core/triage-decision';
import type { Priority } from '#core/ticket';
import { CORPUS_PRIORITY, QUEUE_DEPARTMENT } from './triage-corpus.ts';

const root = resolve(import.meta.dirname, '..');
const DEFAULT_FILE = resolve(root, '../shared/corpora/labelled-tickets/tickets.jsonl');

// The corpus's queues and priorities as the desk's (bench/triage-corpus.ts, shared with the integration test).
export { CORPUS_PRIORITY, QUEUE_DEPARTMENT };

const scoredPriority = (p: Priority): Priority => (p === 'urgent' ? 'high' : p);

// ---------------------------------------------------------------------------
// Arguments and input

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const trainFile = resolve(flag('train') ?? DEFAULT_FILE);
const testFile = flag('test') ? resolve(flag('test')!) : undefined;
const repeats = Number(flag('repeats') ?? 3);
const folds = Number(flag('folds') ?? 5);
const asJson = args.includes('--json');
const trainSize = Number(flag('train-size') ?? 200);
const chosen: Partial<TrainOptions> = JSON.parse(flag('options') ?? '{}');
const policy: DecisionPolicy = { ...defaultDecisionPolicy, ...JSON.parse(flag('policy') ?? '{}') };

function load(file: string): TriageExample[] {
  const out: TriageExample[] = [];
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim()) return;
      const raw = JSON.parse(line) as Record<string, unknown>;
      const mapped =
        raw.department === undefined && typeof raw.queue === 'string'
          ? {
              ...raw,
              department: QUEUE_DEPARTMENT[raw.queue],
              priority: CORPUS_PRIORITY[String(raw.priority)],
              category: raw.queue.toLowerCase().replace(/[^a-z]+/g, '-'),
            }
          : raw;
      const checked = checkTriageExample(mapped);
      if (checked.ok) out.push(checked.example);
      else console.error(`${file}:${i + 1}: skipped: ${checked.reason}`);
    });
  return out;
}

if (!existsSync(trainFile) || (testFile && !existsSync(testFile))) {
  console.log(`bench:triage: ${!existsSync(trainFile) ? trainFile : testFile} not found; nothing to measure.`);
  console.log('Pass --train FILE (and optionally --test FILE), JSON Lines of {subject, body, department, priority?, language?}.');
  process.exit(0);
}

// ---------------------------------------------------------------------------
// Systems scored on each held-out ticket

interface Outcome {
  department: string | null;
  routed: boolean;
  priority: Priority | null;
  /** The product's only: which branch of decideTriage decided, and what the rules and the model alone said. */
  branch?: Branch;
  rules?: string | null;
  model?: string | null;
}

const branches = ['rules win', 'model routes', 'rules fallback', 'dispatch'] as const;
type Branch = (typeof branches)[number];

type System = 'rules' | 'naive Bayes (routes all)' | 'model (routes all)' | 'model at its threshold' | 'rules + model (product)';
const systems: System[] = ['rules', 'naive Bayes (routes all)', 'model (routes all)', 'model at its threshold', 'rules + model (product)'];

const baseline: Partial<TrainOptions> = { method: 'naive-bayes', features: { bigrams: true, chars: [0, 0], minDf: 1, maxFeatures: 1_000_000 }, folds: 0 };

const rulesOf = (e: TriageExample): TriageResult => triage({ subject: e.subject, body: e.body, requesterEmail: '' }, defaultTriageRules);
const argmax = (p: TriagePrediction): Outcome => ({
  department: p.department?.label ?? null,
  routed: true,
  priority: (p.priority?.label as Priority | undefined) ?? null,
});

/** Trains on `train`, returns per-system outcomes for each of `test`, in order. */
function score(train: TriageExample[], test: TriageExample[], seed: number): Record<System, Outcome[]> {
  const trainedAt = new Date().toISOString();
  const nb = prepareTriageModel(trainTriageModel(train, { ...baseline, seed, trainedAt }).model);
  const { model } = trainTriageModel(train, { ...chosen, seed, trainedAt });
  const lr = prepareTriageModel(model);
  const out = Object.fromEntries(systems.map((s) => [s, [] as Outcome[]])) as Record<System, Outcome[]>;
  for (const e of test) {
    const r = rulesOf(e);
    out.rules.push({ department: r.department, routed: !r.dispatch, priority: r.priority });
    out['naive Bayes (routes all)'].push(argmax(predictTriage(nb, e)));
    const p = predictTriage(lr, e);
    out['model (routes all)'].push(argmax(p));
    const d: TriageDecision = decideTriage(r, { examples: model.examples, recommendedThreshold: model.metrics.recommendedThreshold, prediction: p }, policy);
    out['model at its threshold'].push({ ...argmax(p), routed: (p.department?.confidence ?? 0) >= (d.threshold ?? 1) });
    const rulesWon = !r.dispatch && (r.signals.some((x) => x.startsWith('domain:')) || r.confidence >= policy.rulesWinAt);
    const branch: Branch = d.decidedBy === 'model' ? 'model routes' : d.decidedBy === 'nobody' ? 'dispatch' : rulesWon ? 'rules win' : 'rules fallback';
    out['rules + model (product)'].push({
      department: d.department,
      routed: !d.dispatch,
      priority: d.priority,
      branch,
      rules: r.dispatch ? null : r.department,
      model: p.department?.label ?? null,
    });
  }
  return out;
}

interface Figures {
  n: number;
  right: number;
  macroF1: number;
  unrouted: number;
  rightWhenRouted: number;
  priority: number;
}

function figures(test: TriageExample[], outcomes: Outcome[]): Figures {
  const n = test.length;
  let right = 0;
  let routed = 0;
  let priorityRight = 0;
  let priorityN = 0;
  const labels = new Set(test.map((e) => e.department));
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  test.forEach((e, i) => {
    const o = outcomes[i]!;
    const said = o.routed ? o.department : null;
    if (o.routed) routed++;
    if (said === e.department) {
      right++;
      inc(tp, e.department);
    } else {
      inc(fn, e.department);
      if (said) inc(fp, said);
    }
    if (e.priority) {
      priorityN++;
      if (o.priority && scoredPriority(o.priority) === e.priority) priorityRight++;
    }
  });
  let f1 = 0;
  for (const l of labels) {
    const t = tp.get(l) ?? 0;
    f1 += t ? (2 * t) / (2 * t + (fp.get(l) ?? 0) + (fn.get(l) ?? 0)) : 0;
  }
  return {
    n,
    right: right / n,
    macroF1: f1 / labels.size,
    unrouted: 1 - routed / n,
    rightWhenRouted: routed ? right / routed : 0,
    priority: priorityN ? priorityRight / priorityN : NaN,
  };
}

// ---------------------------------------------------------------------------
// Runs

/** A seeded sample of n examples keeping each department's share. */
function stratifiedSample(all: TriageExample[], n: number, seed: number): TriageExample[] {
  if (n >= all.length) return all;
  // With as many folds as examples, stratifiedFolds numbers each department's
  // examples in a seeded shuffled order: the first ones of each are the sample.
  const rank = stratifiedFolds(
    all.map((e) => e.department),
    all.length,
    seed,
  );
  const byDept = new Map<string, number[]>();
  all.forEach((e, i) => byDept.set(e.department, [...(byDept.get(e.department) ?? []), i]));
  const out: TriageExample[] = [];
  for (const idx of byDept.values()) {
    idx.sort((a, b) => rank[a]! - rank[b]!);
    for (const i of idx.slice(0, Math.round((n * idx.length) / all.length))) out.push(all[i]!);
  }
  return out;
}

const loaded = load(trainFile);
const test = testFile ? load(testFile) : undefined;
const train = test ? stratifiedSample(loaded, trainSize, 7) : loaded;
const languages = ['all', ...[...new Set((test ?? train).map((e) => e.language ?? 'unknown'))].sort()];

/** runs[r][system][language] = figures of one repeat (or of the one train/test run). */
const runs: Record<System, Record<string, Figures>>[] = [];
/** The product's branches, summed over repeats: [language][branch] = tickets, right, rules right, model right. */
const byBranch: Record<string, Record<Branch, { n: number; right: number; rules: number; model: number }>> = {};

function collect(testSet: TriageExample[], outcomes: Record<System, Outcome[]>) {
  const run = {} as Record<System, Record<string, Figures>>;
  for (const s of systems) {
    run[s] = {};
    for (const lang of languages) {
      const idx = testSet.flatMap((e, i) => (lang === 'all' || (e.language ?? 'unknown') === lang ? [i] : []));
      if (idx.length) run[s][lang] = figures(idx.map((i) => testSet[i]!), idx.map((i) => outcomes[s][i]!));
    }
  }
  runs.push(run);
  testSet.forEach((e, i) => {
    const o = outcomes['rules + model (product)'][i]!;
    for (const lang of ['all', e.language ?? 'unknown']) {
      const row = ((byBranch[lang] ??= Object.fromEntries(branches.map((b) => [b, { n: 0, right: 0, rules: 0, model: 0 }])) as (typeof byBranch)[string])[o.branch!]);
      row.n++;
      if (o.routed && o.department === e.department) row.right++;
      if (o.rules === e.department) row.rules++;
      if (o.model === e.department) row.model++;
    }
  });
}

const started = performance.now();
if (test) {
  collect(test, score(train, test, 1));
} else {
  for (let r = 0; r < repeats; r++) {
    const seed = 101 + r;
    const foldOf = stratifiedFolds(
      train.map((e) => `${e.department}/${e.language ?? ''}`),
      folds,
      seed,
    );
    const outcomes = Object.fromEntries(systems.map((s) => [s, new Array<Outcome>(train.length)])) as Record<System, Outcome[]>;
    for (let f = 0; f < folds; f++) {
      const inFold = train.flatMap((_, i) => (foldOf[i] === f ? [i] : []));
      const rest = train.filter((_, i) => foldOf[i] !== f);
      const got = score(
        rest,
        inFold.map((i) => train[i]!),
        seed,
      );
      for (const s of systems) inFold.forEach((i, j) => (outcomes[s][i] = got[s][j]!));
    }
    collect(train, outcomes);
  }
}
const seconds = (performance.now() - started) / 1000;

// ---------------------------------------------------------------------------
// Speed: triage per ticket (rules + model + decision) and model load, apart

const { model: full } = trainTriageModel(train, { ...chosen, trainedAt: new Date().toISOString() });
const json = JSON.stringify(full);
// Wall time and this process's CPU time: on a shared machine the wall clock also counts
// waiting for a core; the CPU time is what the work itself costs.
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const loads: number[] = [];
const loadsCpu: number[] = [];
let prepared = prepareTriageModel(JSON.parse(json));
for (let i = 0; i < 30; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  prepared = prepareTriageModel(JSON.parse(json));
  loads.push(performance.now() - t0);
  loadsCpu.push(cpuMs(process.cpuUsage(c0)));
}
const sample = test ?? train;
const times: number[] = [];
const c0 = process.cpuUsage();
for (let round = 0; round < 5; round++) {
  for (const e of sample) {
    const t0 = performance.now();
    const r = rulesOf(e);
    const p = predictTriage(prepared, e);
    decideTriage(r, { examples: full.examples, recommendedThreshold: full.metrics.recommendedThreshold, prediction: p }, policy);
    times.push(performance.now() - t0);
  }
}
const triageCpuMean = cpuMs(process.cpuUsage(c0)) / times.length;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------------------
// Report

const p100 = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}` : '-');
const cell = (s: System, lang: string, key: keyof Figures) => {
  const xs = runs.map((r) => r[s][lang]?.[key]).filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (!xs.length) return '-';
  if (xs.length === 1) return `${p100(xs[0]!)}`;
  return `${p100(median(xs))} (${p100(Math.min(...xs))}–${p100(Math.max(...xs))})`;
};

if (asJson) {
  console.log(JSON.stringify({ trainFile, testFile, repeats: test ? 1 : repeats, folds: test ? 0 : folds, runs, loadMs: loads, loadCpuMs: loadsCpu, triageMs: { p50: pct(times, 50), p99: pct(times, 99), cpuMean: triageCpuMean }, modelBytes: json.length }, null, 2));
  process.exit(0);
}

console.log(
  test
    ? `Trained on ${train.length} tickets (${trainFile}), scored on ${test.length} (${testFile}).`
    : `${train.length} tickets (${trainFile}), ${repeats} × stratified ${folds}-fold: each ticket scored once a repeat by a model trained on the other ${Math.round(((folds - 1) / folds) * train.length)}; median over repeats (min–max).`,
);
console.log(`Model: logistic regression on word, word-pair and character n-gram TF-IDF (priority on words and pairs only; department averaged with the category head${full.departmentFromCategory ? '' : ', off here'}); routing threshold from its own cross-validation (target precision ${full.metrics.targetPrecision}); decision policy ${JSON.stringify(policy)}${flag('options') ? `; options ${flag('options')}` : ''}.`);
console.log('Figures in %. "right" counts an unrouted ticket as not right, as the issue does.\n');
for (const lang of languages) {
  const n = runs[0]!.rules[lang]?.n ?? 0;
  console.log(`${lang} (${n} tickets)`);
  const rows = systems.map((s) => [s, cell(s, lang, 'right'), cell(s, lang, 'macroF1'), cell(s, lang, 'unrouted'), cell(s, lang, 'rightWhenRouted'), cell(s, lang, 'priority')]);
  const head = ['system', 'department right', 'macro-F1', 'unrouted', 'right when routed', 'priority right'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => '  ' + cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log();
}
console.log('The product\'s department decision by branch of decideTriage (all repeats summed): share of tickets, and right among them as decided, by the rules alone (when they routed) and by the model alone.');
for (const lang of languages) {
  const rows = byBranch[lang];
  if (!rows) continue;
  const total = branches.reduce((s, b) => s + rows[b].n, 0);
  const parts = branches.map((b) => {
    const r = rows[b];
    return r.n ? `${b} ${p100(r.n / total)} %: right ${p100(r.right / r.n)}, rules ${p100(r.rules / r.n)}, model ${p100(r.model / r.n)}` : `${b} 0 %`;
  });
  console.log(`  ${lang}: ${parts.join('; ')}`);
}
console.log();
const held = full.metrics.fields.department;
console.log(`Model on all ${train.length}: ${full.features.vocabulary.length} features, ${Math.round(json.length / 1024)} KB of JSON; own cross-validation: department ${p100(held?.accuracy ?? NaN)} %, macro-F1 ${p100(held?.macroF1 ?? NaN)} %, priority ${p100(full.metrics.fields.priority?.accuracy ?? NaN)} %; recommended threshold ${full.metrics.recommendedThreshold ?? 'none'}.`);
console.log(`Model load (JSON.parse + prepare), 30 loads: wall p50 ${median(loads).toFixed(2)} ms, max ${Math.max(...loads).toFixed(2)} ms; CPU p50 ${median(loadsCpu).toFixed(2)} ms, max ${Math.max(...loadsCpu).toFixed(2)} ms.`);
console.log(`Triage per ticket (rules + model + decision), ${times.length} runs: wall p50 ${pct(times, 50).toFixed(3)} ms, p99 ${pct(times, 99).toFixed(3)} ms; CPU mean ${triageCpuMean.toFixed(3)} ms.`);
console.log(`Scoring took ${seconds.toFixed(0)} s.`);
