import { describe, expect, it } from 'vitest';
import {
  MODEL_BODY_CHARS,
  TRIAGE_MODEL_FORMAT,
  TRIAGE_MODEL_VERSION,
  TriageModelError,
  predictTriage,
  prepareTriageModel,
  stratifiedFolds,
  ticketFeatures,
  ticketWords,
  trainTriageModel,
  defaultTrainOptions,
} from '#core/triage-model';
import { labelledTickets } from './triage-model.fixtures.ts';

const examples = labelledTickets();
const at = '2026-12-07T21:00:00.000Z';
// One training shared by the tests that only read it: training is the slow part.
const trained = trainTriageModel(examples, { trainedAt: at });
// Training is CPU work: on a machine shared with other jobs a test may wait minutes for a core.
const SLOW = 240_000;

describe('trainTriageModel', () => {
  it('is deterministic: the same examples and options give the same model, byte for byte', () => {
    const again = trainTriageModel(examples, { trainedAt: at });
    expect(JSON.stringify(again.model)).toBe(JSON.stringify(trained.model));
  }, SLOW);

  it('writes a versioned model with its labels, size and held-out figures', () => {
    const m = trained.model;
    expect(m).toMatchObject({ format: TRIAGE_MODEL_FORMAT, version: TRIAGE_MODEL_VERSION, trainedAt: at, examples: examples.length, method: 'logistic' });
    expect(m.labels.department).toEqual(['finance', 'hr', 'it']);
    expect(m.labels.priority).toEqual(['high', 'low', 'normal']);
    expect(m.features.vocabulary.length).toBeLessThanOrEqual(defaultTrainOptions.features.maxFeatures);
    const dept = m.metrics.fields.department!;
    expect(m.metrics).toMatchObject({ method: 'cross-validation', folds: 5 });
    expect(dept.n).toBe(examples.length);
    expect(Object.keys(dept.byLanguage)).toEqual(['en', 'pt']);
    expect(dept.accuracy).toBeGreaterThan(0.8);
    // Higher thresholds route fewer tickets.
    const routed = dept.thresholds.map((t) => t.routed);
    expect([...routed].sort((a, b) => b - a)).toEqual(routed);
    expect(m.metrics.recommendedThreshold).not.toBeNull();
    expect(trained.report.heldOut.every((p) => p?.department)).toBe(true);
  });

  it("priority's head reads words and pairs only (by default), the department's the character n-grams too", () => {
    const m = trained.model;
    const charWeighted = (field: 'department' | 'priority') => {
      const h = m.heads[field]!;
      const k = h.labels.length;
      let n = 0;
      for (let j = 0; j < h.weights.length; j += k + 1) if (m.features.vocabulary[h.weights[j]!]!.startsWith('c:')) n++;
      return n;
    };
    expect(defaultTrainOptions.charGrams).toEqual({ department: true, category: true, priority: false });
    expect(charWeighted('priority')).toBe(0);
    expect(charWeighted('department')).toBeGreaterThan(0);
    expect(m.heads.priority!.weights.length).toBeGreaterThan(0);
  });

  it('refuses examples of a single department', () => {
    expect(() => trainTriageModel(examples.filter((e) => e.department === 'it'))).toThrow(TriageModelError);
  }, SLOW);

  it('without folds, fits without figures', () => {
    const { model } = trainTriageModel(examples, { folds: 0, trainedAt: at });
    expect(model.metrics).toMatchObject({ method: 'none', fields: {}, recommendedThreshold: null });
  }, SLOW);

  it('without a threshold precise enough, leaves to dispatch only tickets the model got wrong more often than not', () => {
    // targetPrecision above 1 is never reached: the maxDispatchedPrecision rule chooses.
    const { model, report } = trainTriageModel(examples, { trainedAt: at, targetPrecision: 1.01 });
    const t = model.metrics.recommendedThreshold!;
    const below = examples.flatMap((e, i) => {
      const p = report.heldOut[i]!.department!;
      return p.confidence < t ? [p.label === e.department] : [];
    });
    expect(below.filter(Boolean).length).toBeLessThanOrEqual(below.length * defaultTrainOptions.maxDispatchedPrecision);
    // The old rule (1): as many to dispatch as minRouted allows, never fewer than now.
    const old = trainTriageModel(examples, { trainedAt: at, targetPrecision: 1.01, maxDispatchedPrecision: 1 }).model.metrics.recommendedThreshold!;
    expect(old).toBeGreaterThanOrEqual(t);
  }, SLOW);

  it("the department's probability takes the category head's too, each category summed into its department", () => {
    const mix = trained.model.departmentFromCategory!;
    expect(mix).toEqual({ weight: defaultTrainOptions.departmentFromCategory, department: { access: 'it', benefits: 'hr', billing: 'finance' } });
    const m = prepareTriageModel(trained.model);
    const e = { subject: 'Senha expirada', body: 'Não consigo acessar o sistema.' };
    const p = predictTriage(m, e);
    const alone = predictTriage(prepareTriageModel({ ...trained.model, departmentFromCategory: undefined }), e);
    const cat = p.category!.ranking.find((r) => r.label === 'access')!.p;
    const dept = alone.department!.ranking.find((r) => r.label === 'it')!.p;
    expect(p.department!.ranking.find((r) => r.label === 'it')!.p).toBeCloseTo((1 - mix.weight) * dept + mix.weight * cat, 2);
    expect(p.department!.ranking.reduce((s, r) => s + r.p, 0)).toBeCloseTo(1, 2);
    // Off (0), or a category seen in two departments: the department head alone.
    expect(trainTriageModel(examples, { trainedAt: at, folds: 0, departmentFromCategory: 0 }).model.departmentFromCategory).toBeUndefined();
    const mixed = examples.map((e, i) => (i === 0 ? { ...e, department: e.department === 'it' ? 'hr' : 'it' } : e));
    expect(trainTriageModel(mixed, { trainedAt: at, folds: 0 }).model.departmentFromCategory).toBeUndefined();
  }, SLOW);

  it('stratified folds keep each label spread over every fold', () => {
    const keys = [...Array(10).fill('a'), ...Array(5).fill('b')];
    const folds = stratifiedFolds(keys, 5, 1);
    for (let f = 0; f < 5; f++) {
      expect(keys.filter((k, i) => k === 'a' && folds[i] === f)).toHaveLength(2);
      expect(keys.filter((k, i) => k === 'b' && folds[i] === f)).toHaveLength(1);
    }
    expect(stratifiedFolds(keys, 5, 1)).toEqual(folds);
  });
});

describe('a trained model', () => {
  it('survives JSON: the parsed copy predicts exactly as the original', () => {
    const direct = prepareTriageModel(trained.model);
    const copy = prepareTriageModel(JSON.parse(JSON.stringify(trained.model)));
    for (const e of examples.slice(0, 10)) expect(predictTriage(copy, e)).toEqual(predictTriage(direct, e));
  }, SLOW);

  it('predicts department, category and priority with a confidence and the words that weighed', () => {
    const m = prepareTriageModel(trained.model);
    const p = predictTriage(m, { subject: 'Senha expirada', body: 'Não consigo acessar o sistema, minha senha expirou.' });
    expect(p.department).toMatchObject({ label: 'it' });
    expect(p.department!.confidence).toBeGreaterThan(0.5);
    expect(p.department!.words.length).toBeGreaterThan(0);
    expect(p.department!.words.some((w) => w.includes('senha'))).toBe(true);
    expect(p.department!.ranking.map((r) => r.label).sort()).toEqual(['finance', 'hr', 'it']);
    expect(p.category?.label).toBe('access');
    expect(p.priority).toBeDefined();
    expect(predictTriage(m, { subject: 'Duplicate invoice', body: 'I was charged twice, please refund.' }).department?.label).toBe('finance');
  });

  it('refuses JSON that is not a model of this version, with a reason', () => {
    expect(() => prepareTriageModel({ format: 'other' })).toThrow(TriageModelError);
    expect(() => prepareTriageModel({ ...trained.model, version: 99 })).toThrow(/version 99/);
    const broken = JSON.parse(JSON.stringify(trained.model));
    broken.heads.department.weights.push(1);
    expect(() => prepareTriageModel(broken)).toThrow(/department/);
  });
});

describe('bounded work', () => {
  it('a 5 MB body is read only up to MODEL_BODY_CHARS: the same words and features as its start', () => {
    const start = 'A impressora do financeiro não imprime. '.repeat(Math.ceil(MODEL_BODY_CHARS / 40) + 1);
    const huge = start + 'fatura boleto estorno '.repeat(250_000);
    expect(huge.length).toBeGreaterThan(5_000_000);
    const read = ticketWords('Impressora', huge);
    expect(read).toEqual(ticketWords('Impressora', huge.slice(0, MODEL_BODY_CHARS)));
    expect(read.body.length).toBeLessThan(MODEL_BODY_CHARS);
    const f = ticketFeatures('Impressora', huge, defaultTrainOptions.features);
    expect(f.counts.has('w:estorno')).toBe(false);
    expect([...f.counts.keys()]).toEqual([...ticketFeatures('Impressora', huge.slice(0, MODEL_BODY_CHARS), defaultTrainOptions.features).counts.keys()]);
  }, SLOW);

  it('stop words and accents do not make features: "NÃO" and "nao" are the same word, "the" is none', () => {
    expect(ticketWords('NÃO Consigo', 'the printer')).toEqual({ subject: ['consigo'], body: ['printer'] });
  });
});
