import { describe, expect, it } from 'vitest';
import { defaultTriageRules, triage, type TriageResult } from '#core/triage';
import { decideTriage, defaultDecisionPolicy, DEFAULT_MODEL_THRESHOLD, type LearnedTriage } from '#core/triage-decision';
import type { FieldPrediction, TriagePrediction } from '#core/triage-model';

const field = (label: string, confidence: number, words: string[] = []): FieldPrediction => ({ label, confidence, ranking: [{ label, p: confidence }], words });
const learned = (prediction: TriagePrediction, examples = 500, recommendedThreshold: number | null = 0.6): LearnedTriage => ({ examples, recommendedThreshold, prediction });
const rules = (subject: string, body = '', email = 'ana@example.com', r = defaultTriageRules): TriageResult => triage({ subject, body, requesterEmail: email }, r);
const nothing = rules('Olá', 'Tudo bem?');

describe('decideTriage', () => {
  it('without a model, the rules decide as before', () => {
    const r = rules('Senha expirada', 'não consigo logar');
    const d = decideTriage(r, null);
    expect(d).toMatchObject({ department: 'it', category: 'access', dispatch: false, decidedBy: 'rules', priorityBy: 'rules', priority: r.priority });
    expect(d.signals[0]).toBe('decided:rules');
    expect(decideTriage(nothing, undefined)).toMatchObject({ decidedBy: 'nobody', dispatch: true, department: null });
  });

  it('cold start: a model fitted on fewer examples than minExamples is not consulted', () => {
    const d = decideTriage(nothing, learned({ department: field('finance', 0.99) }, 49), { ...defaultDecisionPolicy, minExamples: 50 });
    expect(d).toMatchObject({ decidedBy: 'nobody', dispatch: true, department: null });
    expect(d.signals).toContain('cold-start:49<50');
    expect(decideTriage(nothing, learned({ department: field('finance', 0.99) }, 50), { ...defaultDecisionPolicy, minExamples: 50 })).toMatchObject({ decidedBy: 'model', department: 'finance' });
  });

  it('the model routes when confident, with its category, priority, words and signals', () => {
    const d = decideTriage(nothing, learned({ department: field('it', 0.91, ['senha', 'acesso']), category: field('access', 0.8), priority: field('high', 0.55) }));
    expect(d).toMatchObject({ decidedBy: 'model', department: 'it', category: 'access', priority: 'high', priorityBy: 'model', confidence: 0.91, dispatch: false, words: ['senha', 'acesso'], threshold: 0.6 });
    expect(d.signals.slice(0, 5)).toEqual(['decided:model', 'model:department=it@0.91', 'model:category=access@0.80', 'model:priority=high@0.55', 'model:words=senha,acesso']);
  });

  it('threshold: the policy first, then the model\'s recommended one, then the default', () => {
    const p = { department: field('it', 0.7) };
    expect(decideTriage(nothing, learned(p), { ...defaultDecisionPolicy, threshold: 0.75 })).toMatchObject({ dispatch: true, threshold: 0.75 });
    expect(decideTriage(nothing, learned(p, 500, 0.65))).toMatchObject({ dispatch: false, threshold: 0.65 });
    expect(decideTriage(nothing, learned(p, 500, null)).threshold).toBe(DEFAULT_MODEL_THRESHOLD);
  });

  it('nobody sure: dispatch, with the model\'s guess as the suggestion for the person who routes it', () => {
    const d = decideTriage(nothing, learned({ department: field('hr', 0.4), category: field('benefits', 0.3) }));
    expect(d).toMatchObject({ decidedBy: 'nobody', dispatch: true, department: 'hr', category: 'benefits' });
  });

  it('rules an admin wrote for a sender domain win over a confident model', () => {
    const custom = { ...defaultTriageRules, categories: [{ category: 'accounting', department: 'finance', keywords: ['balancete'], senderDomains: ['contabil.example.com'] }, ...defaultTriageRules.categories] };
    const r = rules('Olá', 'segue anexo', 'ana@contabil.example.com', custom);
    expect(r.signals).toContain('domain:contabil.example.com');
    const d = decideTriage(r, learned({ department: field('it', 0.97) }));
    expect(d).toMatchObject({ decidedBy: 'rules', department: 'finance', category: 'accounting' });
    expect(d.signals).toContain('model:department=it@0.97');
  });

  it('strong keyword hits (rules confidence at rulesWinAt or more) win; weaker ones give way to a confident model', () => {
    const strong = rules('Senha expirada, login bloqueado', 'reset de senha');
    expect(strong.confidence).toBeGreaterThanOrEqual(defaultDecisionPolicy.rulesWinAt);
    expect(decideTriage(strong, learned({ department: field('finance', 0.9) }))).toMatchObject({ decidedBy: 'rules', department: 'it' });
    const weak = rules('Pedido', 'meu pedido');
    expect(weak.dispatch).toBe(false);
    expect(weak.confidence).toBeLessThan(defaultDecisionPolicy.rulesWinAt);
    expect(decideTriage(weak, learned({ department: field('finance', 0.9) }))).toMatchObject({ decidedBy: 'model', department: 'finance' });
    // The model unsure: the rules route as they would have.
    expect(decideTriage(weak, learned({ department: field('finance', 0.3) }))).toMatchObject({ decidedBy: 'rules', department: 'support' });
  });

  it('priority: a VIP or an outage (urgent) keeps the rules\' priority; otherwise the model\'s', () => {
    const vipRules = { ...defaultTriageRules, vipDomains: ['bigcorp.com'] };
    const vip = rules('Pedido atrasado', 'aguardo', 'ceo@bigcorp.com', vipRules);
    expect(decideTriage(vip, learned({ department: field('support', 0.9), priority: field('low', 0.9) }))).toMatchObject({ priority: vip.priority, priorityBy: 'rules' });
    const outage = rules('URGENTE: sistema parado', 'fora do ar para todos');
    expect(outage.priority).toBe('urgent');
    expect(decideTriage(outage, learned({ department: field('it', 0.9), priority: field('normal', 0.9) }))).toMatchObject({ priority: 'urgent', priorityBy: 'rules' });
    expect(decideTriage(nothing, learned({ department: field('it', 0.9), priority: field('low', 0.5) }))).toMatchObject({ priority: 'low', priorityBy: 'model' });
  });
});
