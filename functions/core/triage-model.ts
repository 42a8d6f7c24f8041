import { fold } from './triage.ts';
import type { TriageExample } from './triage-examples.ts';

/**
 * The learned half of triage: a text classifier trained on the desk's own
 * labelled tickets, predicting department, category and priority, each with a
 * confidence and the words that weighed most. Pure: no I/O, no clock unless
 * given; the model is plain JSON (see {@link TriageModel}) that a Lambda loads
 * with {@link prepareTriageModel} and applies with {@link predictTriage}.
 *
 * Text → features. Subject and the start of the body are accent- and
 * case-folded (triage's `fold`), split into words, stop words in pt and en
 * dropped. Features: words, adjacent word pairs, and the character 3- to
 * 5-grams inside each word (they stand in for a stemmer: "cobrança",
 * "cobranças", "cobrado" share "cobr"; "billing", "billed" share "bill"),
 * counted with subject words twice. Only features seen in at least `minDf`
 * training tickets are kept; beyond `maxFeatures`, those that best tell labels
 * apart (χ², per field in turn).
 *
 * Methods (chosen in bench/triage.ts by measurement):
 *   'logistic'     multinomial logistic regression on TF-IDF (sublinear tf,
 *                  L2-normalised), trained by seeded SGD with L2 penalty;
 *                  department and category with balanced class weights,
 *                  priority unweighted on words and pairs only
 *                  ({@link TrainOptions.charGrams}); the default.
 *   'naive-bayes'  multinomial naive Bayes on raw counts, Laplace smoothing:
 *                  the baseline.
 *   'complement-nb' complement naive Bayes (Rennie et al. 2003) on TF-IDF.
 * All three score a class as bias + Σ x_f·w_cf, so one format holds them.
 * The department's probability is the average of the department head's and
 * the category head's summed per department (when every category has one
 * department in the examples: {@link TriageModel.departmentFromCategory}).
 *
 * Figures. Training estimates its own quality by stratified k-fold
 * cross-validation (seeded, so the same examples give the same model and the
 * same figures): every example is predicted once by a model that did not see
 * it. The model stores those held-out figures (accuracy, macro-F1, per
 * language, and the precision and routed share at each confidence threshold),
 * then is fitted on all the examples.
 */

export const TRIAGE_MODEL_FORMAT = 'helpdesk-triage-model';
export const TRIAGE_MODEL_VERSION = 1;

/** Only the start of a ticket is read: bounded work on any body, and the point is usually made early. */
export const MODEL_SUBJECT_CHARS = 1_000;
export const MODEL_BODY_CHARS = 6_000;

export type TriageField = 'department' | 'category' | 'priority';
export const triageFields: readonly TriageField[] = ['department', 'category', 'priority'];

export type TriageMethod = 'logistic' | 'naive-bayes' | 'complement-nb';

export interface FeatureOptions {
  /** Word pairs as features. */
  bigrams: boolean;
  /** Character n-grams inside words, lengths min..max; [0, 0] for none. */
  chars: [number, number];
  /** Keep features seen in at least this many training tickets. */
  minDf: number;
  /** Keep at most this many features (the most frequent). */
  maxFeatures: number;
  /** How many times a subject word counts against a body word's once (absent: 2). */
  subjectWeight?: number;
}

export interface TrainOptions {
  method: TriageMethod;
  features: FeatureOptions;
  /** Cross-validation folds for the held-out figures; 0 or 1 skips them (figures empty). */
  folds: number;
  /** Seeds the folds and the SGD order. */
  seed: number;
  /** Logistic: L2 penalty (per example) and passes over the data. */
  l2: number;
  epochs: number;
  /** Logistic: weigh classes by n/(k·n_c) so a small department is not drowned by a big one, per field. */
  balance: Record<TriageField, boolean>;
  /**
   * Per field, whether its head reads the character n-grams too, or only
   * words and pairs (the vector is the same; the head leaves the n-grams at
   * weight 0, so the model's format does not change).
   */
  charGrams: Record<TriageField, boolean>;
  /** Weight of the category head in the department's probability (0: the department head alone); only when every category has one department. */
  departmentFromCategory: number;
  /** Precision the recommended routing threshold should reach on held-out tickets. */
  targetPrecision: number;
  /** Share of tickets the recommended threshold must still route (the level-1 queue is people's time too). */
  minRouted: number;
  /**
   * When no threshold reaches targetPrecision: leave to dispatch only tickets the model gets wrong
   * more often than not. The threshold is then the highest whose held-out tickets below it were
   * right at most this often (1: the old rule, as many as minRouted allows).
   */
  maxDispatchedPrecision: number;
  /** Stamped in the model; pass it in, core reads no clock. */
  trainedAt: string;
}

export const defaultTrainOptions: TrainOptions = {
  method: 'logistic',
  // 8000 features, not 4000, once the category head joined the department (bench/triage.ts, docs/benchmarks.md):
  // English right 2–3 points more often on every split measured, at twice the JSON (about 620 KB).
  features: { bigrams: true, chars: [3, 5], minDf: 2, maxFeatures: 8_000 },
  folds: 5,
  seed: 1,
  l2: 1e-4,
  epochs: 30,
  // Priority: measured by repeated cross-validation (bench/triage.ts, docs/benchmarks.md), a head on
  // words and pairs without class weights was right 3–5 points more often, in both languages: the
  // n-grams carried the topic (which says little of priority), and balancing pushed the rare 'low'.
  balance: { department: true, category: true, priority: false },
  charGrams: { department: true, category: true, priority: false },
  // A plain average, not tuned: in bench/triage.ts it was right as often in English (within the
  // spread between splits) and 0–10 points more often in Portuguese, and its confidence left fewer to dispatch.
  departmentFromCategory: 0.5,
  // As precise as the keyword rules were when they routed (76 % on labelled tickets), rounded up;
  // and at most 15 % left to the dispatch queue, the goal.
  targetPrecision: 0.8,
  minRouted: 0.85,
  // Measured in bench/triage.ts: on English tickets the model's confidence told little, and the tickets the
  // old rule left to dispatch (up to 15 %) were right 75 % of the time as the model guessed them.
  maxDispatchedPrecision: 0.5,
  trainedAt: '1970-01-01T00:00:00.000Z',
};

// ---------------------------------------------------------------------------
// Model format (JSON)

export interface HeadJson {
  labels: string[];
  bias: number[];
  /**
   * Sparse weights, feature-major: [featureIndex, w(label 0), w(label 1), …]
   * repeated, each w in thousandths (integers keep the JSON small); features
   * whose weights all round to 0 are left out.
   */
  weights: number[];
  /** What the weights multiply: TF-IDF (logistic, complement NB) or raw counts (naive Bayes). */
  input: 'tfidf' | 'counts';
}

export interface Threshold {
  threshold: number;
  /** Share right among the held-out tickets at or above the threshold. */
  precision: number;
  /** Share of held-out tickets at or above the threshold (routed). */
  routed: number;
}

export interface FieldMetrics {
  /** Held-out tickets with this field labelled. */
  n: number;
  accuracy: number;
  macroF1: number;
  byLanguage: Record<string, { n: number; accuracy: number; macroF1: number }>;
  /** At each threshold 0.30, 0.35, … 0.95. */
  thresholds: Threshold[];
}

export interface ModelMetrics {
  /** 'cross-validation' with `folds`; 'none' when too few examples to hold any out. */
  method: 'cross-validation' | 'none';
  folds: number;
  seed: number;
  fields: Partial<Record<TriageField, FieldMetrics>>;
  /**
   * Department routing threshold chosen from the held-out figures: among the
   * thresholds that still route minRouted of the tickets, the lowest that
   * reaches targetPrecision, else the highest (the most precise); null when
   * there are no figures.
   */
  recommendedThreshold: number | null;
  targetPrecision: number;
  minRouted: number;
}

export interface TriageModel {
  format: typeof TRIAGE_MODEL_FORMAT;
  version: typeof TRIAGE_MODEL_VERSION;
  trainedAt: string;
  /** Labelled examples it was fitted on. */
  examples: number;
  method: TriageMethod;
  labels: Partial<Record<TriageField, string[]>>;
  features: { options: FeatureOptions; vocabulary: string[]; idf: number[] };
  heads: Partial<Record<TriageField, HeadJson>>;
  /**
   * Optional: the department's probability is mixed with the category head's, each category's
   * probability going to its department: (1 - weight)·p(department) + weight·Σ p(its categories).
   */
  departmentFromCategory?: { weight: number; department: Record<string, string> };
  metrics: ModelMetrics;
}

// ---------------------------------------------------------------------------
// Text → features

// Function words in English and Portuguese (folded); a ticket's topic is never one of them.
const STOP_WORDS = new Set(
  (
    'a an the and or but if of to in on at by for from with about as into than then so not no yes is are was were be been being am ' +
    'do does did have has had having i me my we our us you your he she it its they them their this that these those there here ' +
    'what which who whom when where why how all any some can could would should will shall may might must just also very too ' +
    'please thank thanks hello hi dear regards best sincerely kind ' +
    'o os as um uma uns umas de do da dos das em no na nos nas por pelo pela pelos pelas para pra com sem sobre entre ' +
    'e ou mas se que quem qual quais quando onde como porque porem ja nao sim muito muita muitos muitas mais menos ' +
    'eu me meu minha meus minhas nos nosso nossa voce voces seu sua seus suas ele ela eles elas lhe isso isto esse essa este esta ' +
    'aquele aquela ser sido sendo estar estou esta estao estava foi era sao tem ter tenho tinha ha havia fazer faz feito ' +
    'ao aos a à obrigado obrigada ola prezado prezada caro cara atenciosamente cordialmente'
  ).split(/\s+/),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** The words a ticket is read as: folded, stop words and lone characters out, bounded. */
export function ticketWords(subject: string, body: string): { subject: string[]; body: string[] } {
  const pick = (text: string) => (fold(text).match(WORD) ?? []).filter((w) => w.length > 1 && !STOP_WORDS.has(w) && !/^\d+$/.test(w));
  return { subject: pick(String(subject ?? '').slice(0, MODEL_SUBJECT_CHARS)), body: pick(String(body ?? '').slice(0, MODEL_BODY_CHARS)) };
}

/** Feature → count, and feature → the words it came from (for "why"). */
export interface TicketFeatures {
  counts: Map<string, number>;
  source: Map<string, string>;
}

/** `only`: a model's vocabulary; features outside it are not kept (they weigh nothing), which halves the work of a prediction. */
export function ticketFeatures(subject: string, body: string, options: FeatureOptions, only?: ReadonlyMap<string, number>): TicketFeatures {
  const counts = new Map<string, number>();
  const source = new Map<string, string>();
  const add = (f: string, from: string, n: number) => {
    if (only && !only.has(f)) return;
    counts.set(f, (counts.get(f) ?? 0) + n);
    if (!source.has(f)) source.set(f, from);
  };
  const [cmin, cmax] = options.chars;
  const read = (ws: string[], n: number) => {
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      add(`w:${w}`, w, n);
      if (options.bigrams && i + 1 < ws.length) add(`b:${w} ${ws[i + 1]}`, `${w} ${ws[i + 1]}`, n);
      if (cmin > 0) {
        const padded = `_${w}_`;
        for (let len = cmin; len <= cmax; len++) for (let s = 0; s + len <= padded.length; s++) add(`c:${padded.slice(s, s + len)}`, w, n);
      }
    }
  };
  const ws = ticketWords(subject, body);
  read(ws.subject, options.subjectWeight ?? 2);
  read(ws.body, 1);
  return { counts, source };
}

// ---------------------------------------------------------------------------
// Vectors

interface Sparse {
  idx: Int32Array;
  val: Float64Array;
}

class Vectorizer {
  constructor(
    readonly index: Map<string, number>,
    readonly idf: Float64Array,
  ) {}

  /**
   * Features seen in at least minDf tickets; when more than maxFeatures, the
   * ones that best tell each field's labels apart (χ² of presence against the
   * label, best class), taken in turn from each field's ranking so priority's
   * words are not crowded out by the department's.
   */
  static fit(docs: Map<string, number>[], options: FeatureOptions, fields: (string | undefined)[][]): Vectorizer {
    const df = new Map<string, number>();
    for (const d of docs) for (const f of d.keys()) df.set(f, (df.get(f) ?? 0) + 1);
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    let kept = [...df.entries()].filter(([, n]) => n >= options.minDf).map(([f]) => f);
    if (kept.length > options.maxFeatures) {
      const rankings = fields.map((y) => chiSquareRanking(docs, y, kept, df)).filter((r) => r.length > 0);
      const chosen = new Set<string>();
      for (let i = 0; chosen.size < options.maxFeatures && rankings.some((r) => i < r.length); i++) {
        for (const r of rankings) if (i < r.length && chosen.size < options.maxFeatures) chosen.add(r[i]!);
      }
      kept = [...chosen];
    }
    kept.sort((a, b) => df.get(b)! - df.get(a)! || byName(a, b));
    const index = new Map<string, number>();
    const idf = new Float64Array(kept.length);
    kept.forEach((f, i) => {
      index.set(f, i);
      idf[i] = round(Math.log((1 + docs.length) / (1 + df.get(f)!)) + 1, 4);
    });
    return new Vectorizer(index, idf);
  }

  /** Kept features of a ticket, as counts or as L2-normalised sublinear TF-IDF, sorted by index. */
  vector(counts: Map<string, number>, input: 'tfidf' | 'counts'): Sparse {
    const pairs: [number, number][] = [];
    for (const [f, n] of counts) {
      const i = this.index.get(f);
      if (i !== undefined) pairs.push([i, input === 'counts' ? n : (1 + Math.log(n)) * this.idf[i]!]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    if (input === 'tfidf') {
      const norm = Math.sqrt(pairs.reduce((s, [, v]) => s + v * v, 0)) || 1;
      for (const p of pairs) p[1] /= norm;
    }
    return { idx: Int32Array.from(pairs, (p) => p[0]), val: Float64Array.from(pairs, (p) => p[1]) };
  }
}

/** Features by χ² (presence vs label, best label) for one field, best first; empty when fewer than two labels. */
function chiSquareRanking(docs: Map<string, number>[], y: (string | undefined)[], features: string[], df: Map<string, number>): string[] {
  const labels = labelsOf(y.filter((v): v is string => v !== undefined));
  if (labels.length < 2) return [];
  const k = labels.length;
  const perClass = new Map<string, Float64Array>();
  const classDocs = new Float64Array(k);
  let n = 0;
  docs.forEach((d, i) => {
    const v = y[i];
    if (v === undefined) return;
    const c = labels.indexOf(v);
    classDocs[c]!++;
    n++;
    for (const f of d.keys()) {
      if ((df.get(f) ?? 0) < 1) continue;
      let a = perClass.get(f);
      if (!a) perClass.set(f, (a = new Float64Array(k)));
      a[c]!++;
    }
  });
  const score = new Map<string, number>();
  for (const f of features) {
    const a = perClass.get(f);
    if (!a) continue;
    const withF = a.reduce((s, x) => s + x, 0);
    let best = 0;
    for (let c = 0; c < k; c++) {
      const A = a[c]!;
      const B = withF - A;
      const C = classDocs[c]! - A;
      const D = n - A - B - C;
      const den = (A + C) * (B + D) * (A + B) * (C + D);
      if (den > 0) best = Math.max(best, (n * (A * D - B * C) ** 2) / den);
    }
    score.set(f, best);
  }
  return [...score.entries()].sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0)).map(([f]) => f);
}

// ---------------------------------------------------------------------------
// Heads: k labels, bias + dense feature-major weights (w[f*k + c])

interface Head {
  labels: string[];
  bias: Float64Array;
  w: Float64Array;
  input: 'tfidf' | 'counts';
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

function scores(head: Head, x: Sparse): Float64Array {
  const k = head.labels.length;
  const s = Float64Array.from(head.bias);
  for (let j = 0; j < x.idx.length; j++) {
    const base = x.idx[j]! * k;
    const v = x.val[j]!;
    for (let c = 0; c < k; c++) s[c]! += v * head.w[base + c]!;
  }
  return s;
}

function softmax(s: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of s) if (v > max) max = v;
  const p = new Float64Array(s.length);
  let sum = 0;
  for (let c = 0; c < s.length; c++) sum += p[c] = Math.exp(s[c]! - max);
  for (let c = 0; c < s.length; c++) p[c]! /= sum;
  return p;
}

interface Rows {
  x: Sparse[];
  y: number[];
  weight: number[];
}

function labelsOf(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** Class weights n/(k·n_c), so a small department is not drowned by a big one. */
function balance(y: number[], k: number): Float64Array {
  const n = new Float64Array(k);
  for (const c of y) n[c]!++;
  return Float64Array.from(n, (nc) => (nc ? y.length / (k * nc) : 0));
}

function trainLogistic(rows: Rows, labels: string[], features: number, o: TrainOptions, balanced: boolean): Head {
  const k = labels.length;
  const v = new Float64Array(features * k);
  const bias = new Float64Array(k);
  const cw = balanced ? balance(rows.y, k) : new Float64Array(k).fill(1);
  const random = rng(o.seed);
  const order = rows.x.map((_, i) => i);
  // Bottou's SGD: w = scale·v so the L2 shrink is one multiplication per step.
  let scale = 1;
  let t = 0;
  const eta0 = 0.5;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const eta = eta0 / (1 + o.l2 * eta0 * t++);
      scale *= 1 - eta * o.l2;
      if (scale < 1e-6) {
        for (let j = 0; j < v.length; j++) v[j]! *= scale;
        scale = 1;
      }
      const x = rows.x[i]!;
      const s = Float64Array.from(bias);
      for (let j = 0; j < x.idx.length; j++) {
        const base = x.idx[j]! * k;
        for (let c = 0; c < k; c++) s[c]! += scale * x.val[j]! * v[base + c]!;
      }
      const p = softmax(s);
      const g = eta * cw[rows.y[i]!]! * rows.weight[i]!;
      for (let c = 0; c < k; c++) {
        const err = p[c]! - (c === rows.y[i] ? 1 : 0);
        if (err === 0) continue;
        bias[c]! -= g * err;
        const step = (g * err) / scale;
        for (let j = 0; j < x.idx.length; j++) v[x.idx[j]! * k + c]! -= step * x.val[j]!;
      }
    }
  }
  for (let j = 0; j < v.length; j++) v[j]! *= scale;
  return { labels, bias, w: v, input: 'tfidf' };
}

function trainNaiveBayes(rows: Rows, labels: string[], features: number, complement: boolean): Head {
  const k = labels.length;
  const mass = new Float64Array(features * k);
  const total = new Float64Array(k);
  const prior = new Float64Array(k);
  for (let i = 0; i < rows.x.length; i++) {
    const x = rows.x[i]!;
    const c = rows.y[i]!;
    prior[c]! += rows.weight[i]!;
    for (let j = 0; j < x.idx.length; j++) {
      mass[x.idx[j]! * k + c]! += rows.weight[i]! * x.val[j]!;
      total[c]! += rows.weight[i]! * x.val[j]!;
    }
  }
  const w = new Float64Array(features * k);
  const bias = new Float64Array(k);
  const priorSum = prior.reduce((a, b) => a + b, 0);
  if (!complement) {
    for (let c = 0; c < k; c++) {
      bias[c] = Math.log(prior[c]! / priorSum);
      const denom = Math.log(total[c]! + features);
      for (let f = 0; f < features; f++) w[f * k + c] = Math.log(mass[f * k + c]! + 1) - denom;
    }
    return { labels, bias, w, input: 'counts' };
  }
  // Complement NB: a class's weight is minus what the other classes say, normalised per class.
  const all = new Float64Array(features);
  let allTotal = 0;
  for (let f = 0; f < features; f++) for (let c = 0; c < k; c++) all[f]! += mass[f * k + c]!;
  for (const t of total) allTotal += t;
  for (let c = 0; c < k; c++) {
    const denom = Math.log(allTotal - total[c]! + features);
    let norm = 0;
    for (let f = 0; f < features; f++) {
      const x = -(Math.log(all[f]! - mass[f * k + c]! + 1) - denom);
      w[f * k + c] = x;
      norm += Math.abs(x);
    }
    for (let f = 0; f < features; f++) w[f * k + c]! /= norm || 1;
  }
  // Complement NB scores are tiny; spread them so the softmax says something.
  for (let j = 0; j < w.length; j++) w[j]! *= 50 * Math.sqrt(features);
  return { labels, bias, w, input: 'tfidf' };
}

// ---------------------------------------------------------------------------
// Fitting one model (no figures)

interface Fitted {
  vectorizer: Vectorizer;
  heads: Partial<Record<TriageField, Head>>;
  /** Department read from the category head too (TriageModel.departmentFromCategory). */
  fromCategory?: { weight: number; department: Record<string, string> };
}

function fieldValue(e: TriageExample, field: TriageField): string | undefined {
  return field === 'department' ? e.department : field === 'category' ? e.category : e.priority;
}

function fit(examples: TriageExample[], docs: Map<string, number>[], o: TrainOptions): Fitted {
  const vectorizer = Vectorizer.fit(
    docs,
    o.features,
    triageFields.map((field) => examples.map((e) => fieldValue(e, field))),
  );
  const features = vectorizer.idf.length;
  const heads: Partial<Record<TriageField, Head>> = {};
  const input = o.method === 'naive-bayes' ? 'counts' : 'tfidf';
  const vectors = docs.map((d) => vectorizer.vector(d, input));
  // The same vectors without the character n-grams (norm unchanged, so prediction reads the full vector).
  const isChar = new Uint8Array(features);
  for (const [f, i] of vectorizer.index) if (f.startsWith('c:')) isChar[i] = 1;
  const wordVectors = vectors.map((x): Sparse => {
    const keep = [...x.idx.keys()].filter((j) => !isChar[x.idx[j]!]);
    return { idx: Int32Array.from(keep, (j) => x.idx[j]!), val: Float64Array.from(keep, (j) => x.val[j]!) };
  });
  for (const field of triageFields) {
    const rows: Rows = { x: [], y: [], weight: [] };
    const fieldVectors = o.charGrams[field] ? vectors : wordVectors;
    const values: string[] = [];
    examples.forEach((e) => {
      const v = fieldValue(e, field);
      if (v !== undefined) values.push(v);
    });
    const labels = labelsOf(values);
    if (labels.length < 2) continue;
    examples.forEach((e, i) => {
      const v = fieldValue(e, field);
      if (v === undefined) return;
      rows.x.push(fieldVectors[i]!);
      rows.y.push(labels.indexOf(v));
      rows.weight.push(e.weight ?? 1);
    });
    heads[field] =
      o.method === 'logistic' ? trainLogistic(rows, labels, features, o, o.balance[field]) : trainNaiveBayes(rows, labels, features, o.method === 'complement-nb');
  }
  // Each category's department, when the examples always gave it one (a category head of nine
  // queues knows finer topics than a department head of three).
  let fromCategory: Fitted['fromCategory'];
  if (o.departmentFromCategory > 0 && heads.category && heads.department) {
    const seen = new Map<string, Set<string>>();
    for (const e of examples) if (e.category !== undefined) seen.set(e.category, (seen.get(e.category) ?? new Set()).add(e.department));
    const department: Record<string, string> = {};
    for (const [c, ds] of seen) if (ds.size === 1) department[c] = [...ds][0]!;
    if (heads.category.labels.every((c) => department[c] !== undefined)) fromCategory = { weight: o.departmentFromCategory, department };
  }
  return { vectorizer, heads, fromCategory };
}

// ---------------------------------------------------------------------------
// Prediction

export interface FieldPrediction {
  label: string;
  /** Probability of `label`, 0..1, 2 decimals. */
  confidence: number;
  /** Every label with its probability, most likely first. */
  ranking: { label: string; p: number }[];
  /** Words that pushed most toward `label` rather than the runner-up, strongest first. */
  words: string[];
}

export type TriagePrediction = Partial<Record<TriageField, FieldPrediction>>;

export interface TriageModelInput {
  subject: string;
  body: string;
}

const WHY_WORDS = 5;

function predictField(head: Head, x: Sparse, source: Map<number, string>, mix?: (p: Float64Array) => Float64Array): FieldPrediction {
  const p0 = softmax(scores(head, x));
  const p = mix ? mix(p0) : p0;
  const k = head.labels.length;
  const ranked = [...p.keys()].sort((a, b) => p[b]! - p[a]! || a - b);
  const best = ranked[0]!;
  const second = ranked[1] ?? best;
  const weight = new Map<string, number>();
  for (let j = 0; j < x.idx.length; j++) {
    const f = x.idx[j]!;
    const push = x.val[j]! * (head.w[f * k + best]! - head.w[f * k + second]!);
    const word = source.get(f);
    if (word !== undefined && push > 0) weight.set(word, (weight.get(word) ?? 0) + push);
  }
  const words = [...weight.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, WHY_WORDS)
    .map(([w]) => w);
  return {
    label: head.labels[best]!,
    confidence: round(p[best]!, 2),
    ranking: ranked.map((c) => ({ label: head.labels[c]!, p: round(p[c]!, 3) })),
    words,
  };
}

function predictWith(fitted: Fitted, features: TicketFeatures): TriagePrediction {
  const out: TriagePrediction = {};
  const cache: Partial<Record<'tfidf' | 'counts', Sparse>> = {};
  let source: Map<number, string> | undefined;
  for (const field of triageFields) {
    const head = fitted.heads[field];
    if (!head) continue;
    const x = (cache[head.input] ??= fitted.vectorizer.vector(features.counts, head.input));
    if (!source) {
      source = new Map();
      for (const [f, w] of features.source) {
        const i = fitted.vectorizer.index.get(f);
        if (i !== undefined) source.set(i, w);
      }
    }
    const fc = fitted.fromCategory;
    const cat = fitted.heads.category;
    const mix =
      field === 'department' && fc && cat
        ? (p: Float64Array) => {
            const pc = softmax(scores(cat, x));
            const q = Float64Array.from(p, (v) => (1 - fc.weight) * v);
            cat.labels.forEach((c, j) => {
              const d = head.labels.indexOf(fc.department[c]!);
              if (d >= 0) q[d]! += fc.weight * pc[j]!;
            });
            return q;
          }
        : undefined;
    out[field] = predictField(head, x, source, mix);
  }
  return out;
}

/** A model ready to predict: built once per loaded JSON (a Lambda keeps it between invocations). */
export interface PreparedTriageModel {
  readonly model: TriageModel;
  readonly fitted: Fitted;
}

export class TriageModelError extends Error {}

/** Checks the JSON's format and version and builds the lookup tables. Throws TriageModelError on a model it cannot use. */
export function prepareTriageModel(json: unknown): PreparedTriageModel {
  const m = json as TriageModel;
  if (!m || typeof m !== 'object' || m.format !== TRIAGE_MODEL_FORMAT) throw new TriageModelError('not a triage model');
  if (m.version !== TRIAGE_MODEL_VERSION) throw new TriageModelError(`triage model version ${String(m.version)} is not supported (expected ${TRIAGE_MODEL_VERSION})`);
  const vocabulary = m.features?.vocabulary;
  if (!Array.isArray(vocabulary) || !Array.isArray(m.features.idf) || m.features.idf.length !== vocabulary.length) {
    throw new TriageModelError('triage model features are malformed');
  }
  const index = new Map<string, number>();
  for (let i = 0; i < vocabulary.length; i++) index.set(vocabulary[i]!, i);
  const F = vocabulary.length;
  const heads: Partial<Record<TriageField, Head>> = {};
  for (const field of triageFields) {
    const h = m.heads?.[field];
    if (!h) continue;
    const k = h.labels.length;
    if (k < 2 || h.bias.length !== k || h.weights.length % (k + 1) !== 0) throw new TriageModelError(`triage model head '${field}' is malformed`);
    const w = new Float64Array(F * k);
    for (let j = 0; j < h.weights.length; j += k + 1) {
      const f = h.weights[j]!;
      if (!(f >= 0 && f < F)) throw new TriageModelError(`triage model head '${field}' names feature ${f} of ${F}`);
      for (let c = 0; c < k; c++) w[f * k + c] = h.weights[j + 1 + c]! / WEIGHT_UNITS;
    }
    heads[field] = { labels: [...h.labels], bias: Float64Array.from(h.bias), w, input: h.input };
  }
  const fc = m.departmentFromCategory;
  const fromCategory = fc && heads.category && heads.category.labels.every((c) => typeof fc.department[c] === 'string') ? fc : undefined;
  return { model: m, fitted: { vectorizer: new Vectorizer(index, Float64Array.from(m.features.idf)), heads, fromCategory } };
}

/** Department, category and priority as the model sees them; a field the model was not trained for is absent. */
export function predictTriage(prepared: PreparedTriageModel, input: TriageModelInput): TriagePrediction {
  return predictWith(prepared.fitted, ticketFeatures(input.subject, input.body, prepared.model.features.options, prepared.fitted.vectorizer.index));
}

// ---------------------------------------------------------------------------
// Figures

const THRESHOLDS = Array.from({ length: 14 }, (_, i) => round(0.3 + i * 0.05, 2));
/** The recommended threshold needs at least this many held-out tickets above it. */
const MIN_ROUTED_FOR_THRESHOLD = 5;

export interface Scored {
  truth: string;
  predicted: string;
  confidence: number;
  language?: string;
}

function macroF1(items: Scored[]): number {
  const labels = new Set(items.map((i) => i.truth));
  let sum = 0;
  for (const l of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const i of items) {
      if (i.predicted === l && i.truth === l) tp++;
      else if (i.predicted === l) fp++;
      else if (i.truth === l) fn++;
    }
    sum += tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
  }
  return labels.size ? sum / labels.size : 0;
}

const accuracy = (items: Scored[]) => (items.length ? items.filter((i) => i.truth === i.predicted).length / items.length : 0);

/** Accuracy, macro-F1 (over the true labels present), per language, and precision at each threshold. */
export function fieldMetrics(items: Scored[]): FieldMetrics {
  const byLanguage: FieldMetrics['byLanguage'] = {};
  for (const lang of [...new Set(items.map((i) => i.language ?? 'unknown'))].sort()) {
    const some = items.filter((i) => (i.language ?? 'unknown') === lang);
    byLanguage[lang] = { n: some.length, accuracy: round(accuracy(some), 4), macroF1: round(macroF1(some), 4) };
  }
  const thresholds = THRESHOLDS.map((threshold) => {
    const routed = items.filter((i) => i.confidence >= threshold);
    return { threshold, precision: round(accuracy(routed), 4), routed: round(items.length ? routed.length / items.length : 0, 4) };
  });
  return { n: items.length, accuracy: round(accuracy(items), 4), macroF1: round(macroF1(items), 4), byLanguage, thresholds };
}

/** Stratified folds: each label's examples dealt round-robin after a seeded shuffle. */
export function stratifiedFolds(keys: string[], folds: number, seed: number): number[] {
  const fold = new Array<number>(keys.length).fill(0);
  const random = rng(seed ^ 0x9e3779b9);
  const byKey = new Map<string, number[]>();
  keys.forEach((k, i) => byKey.set(k, [...(byKey.get(k) ?? []), i]));
  let next = 0;
  for (const key of [...byKey.keys()].sort()) {
    for (const i of shuffle(byKey.get(key)!, random)) fold[i] = next++ % folds;
  }
  return fold;
}

// ---------------------------------------------------------------------------
// Training: the one path every caller uses

export interface TrainReport {
  /** Held-out predictions from the cross-validation, one per example, in input order (absent without folds). */
  heldOut: (TriagePrediction | undefined)[];
  metrics: ModelMetrics;
  features: number;
  bytes: number;
}

/**
 * Fits a model on `examples` (already checked by checkTriageExample) and
 * measures it by cross-validation first. Deterministic for the same examples
 * and options. Throws when no field has two labels to tell apart.
 */
export function trainTriageModel(examples: readonly TriageExample[], options: Partial<TrainOptions> = {}): { model: TriageModel; report: TrainReport } {
  const o: TrainOptions = {
    ...defaultTrainOptions,
    ...options,
    features: { ...defaultTrainOptions.features, ...options.features },
    balance: { ...defaultTrainOptions.balance, ...options.balance },
    charGrams: { ...defaultTrainOptions.charGrams, ...options.charGrams },
  };
  const list = [...examples];
  if (new Set(list.map((e) => e.department)).size < 2) throw new TriageModelError('training needs examples of at least two departments');
  const docs = list.map((e) => ticketFeatures(e.subject, e.body, o.features).counts);

  const folds = Math.min(o.folds, list.length);
  const heldOut: (TriagePrediction | undefined)[] = new Array(list.length).fill(undefined);
  const fields: ModelMetrics['fields'] = {};
  if (folds >= 2) {
    const foldOf = stratifiedFolds(
      list.map((e) => e.department),
      folds,
      o.seed,
    );
    for (let f = 0; f < folds; f++) {
      const train = list.flatMap((_, i) => (foldOf[i] === f ? [] : [i]));
      if (new Set(train.map((i) => list[i]!.department)).size < 2) continue;
      const fitted = fit(
        train.map((i) => list[i]!),
        train.map((i) => docs[i]!),
        o,
      );
      list.forEach((e, i) => {
        if (foldOf[i] === f) heldOut[i] = predictWith(fitted, ticketFeatures(e.subject, e.body, o.features));
      });
    }
    for (const field of triageFields) {
      const items: Scored[] = [];
      list.forEach((e, i) => {
        const truth = fieldValue(e, field);
        const p = heldOut[i]?.[field];
        if (truth !== undefined && p) items.push({ truth, predicted: p.label, confidence: p.confidence, language: e.language });
      });
      if (items.length) fields[field] = fieldMetrics(items);
    }
  }
  const dept = fields.department;
  const enough = dept?.thresholds.filter((t) => t.routed >= o.minRouted && t.routed * dept.n >= MIN_ROUTED_FOR_THRESHOLD) ?? [];
  // Held-out accuracy of the tickets a threshold would leave to dispatch (those below it).
  const below = (t: Threshold) => {
    const out = list.flatMap((e, i) => {
      const p = heldOut[i]?.department;
      return p && p.confidence < t.threshold ? [p.label === e.department] : [];
    });
    return out.length ? out.filter(Boolean).length / out.length : 0;
  };
  const recommended =
    enough.find((t) => t.precision >= o.targetPrecision) ??
    [...enough].reverse().find((t) => below(t) <= o.maxDispatchedPrecision) ??
    (o.maxDispatchedPrecision >= 1 ? enough[enough.length - 1] : enough[0]);

  const fitted = fit(list, docs, o);
  const model = serialize(fitted, o, list.length, {
    method: folds >= 2 ? 'cross-validation' : 'none',
    folds: folds >= 2 ? folds : 0,
    seed: o.seed,
    fields,
    recommendedThreshold: recommended?.threshold ?? null,
    targetPrecision: o.targetPrecision,
    minRouted: o.minRouted,
  });
  return { model, report: { heldOut, metrics: model.metrics, features: model.features.vocabulary.length, bytes: JSON.stringify(model).length } };
}

/** Weights are stored in thousandths; smaller ones move no decision. */
const WEIGHT_UNITS = 1000;

function serialize(fitted: Fitted, o: TrainOptions, n: number, metrics: ModelMetrics): TriageModel {
  const vocabulary = new Array<string>(fitted.vectorizer.index.size);
  for (const [f, i] of fitted.vectorizer.index) vocabulary[i] = f;
  const heads: TriageModel['heads'] = {};
  const labels: TriageModel['labels'] = {};
  for (const field of triageFields) {
    const h = fitted.heads[field];
    if (!h) continue;
    const k = h.labels.length;
    const weights: number[] = [];
    for (let f = 0; f < vocabulary.length; f++) {
      let keep = false;
      for (let c = 0; c < k; c++) if (Math.round(h.w[f * k + c]! * WEIGHT_UNITS) !== 0) keep = true;
      if (!keep) continue;
      weights.push(f);
      for (let c = 0; c < k; c++) weights.push(Math.round(h.w[f * k + c]! * WEIGHT_UNITS) || 0);
    }
    heads[field] = { labels: h.labels, bias: Array.from(h.bias, (b) => round(b, 4)), weights, input: h.input };
    labels[field] = h.labels;
  }
  return {
    format: TRIAGE_MODEL_FORMAT,
    version: TRIAGE_MODEL_VERSION,
    trainedAt: o.trainedAt,
    examples: n,
    method: o.method,
    labels,
    features: { options: o.features, vocabulary, idf: Array.from(fitted.vectorizer.idf) },
    ...(fitted.fromCategory ? { departmentFromCategory: fitted.fromCategory } : {}),
    heads,
    metrics,
  };
}

function round(x: number, digits: number): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}
