import type { TriageResult } from './triage.ts';
import type { TriagePrediction } from './triage-model.ts';
import type { Priority } from './ticket.ts';

/**
 * Rules and model together: what triage decides for a new ticket.
 *
 * 1. Cold start: without a model, or one fitted on fewer than
 *    `policy.minExamples` labelled tickets, the rules alone decide, as before.
 * 2. Rules an admin wrote for a known case win: a category rule's sender
 *    domain matched, or the keywords hit so strongly that the rules'
 *    confidence reaches `policy.rulesWinAt`. A VIP domain keeps the rules'
 *    priority, and so does 'urgent' (impact and urgency both high on evidence:
 *    an outage word), which the model never learns from a desk's history alone.
 * 3. Otherwise the model: routed when its department confidence reaches the
 *    threshold (policy, else the model's recommended one from measured
 *    precision, else {@link DEFAULT_MODEL_THRESHOLD}).
 * 4. The model unsure: the rules route if they would have (their own
 *    minConfidence); else dispatch, with the model's guess as the suggestion.
 *
 * A department, category or priority an agent set on the ticket is not
 * triage's to change: applyTriage (lifecycle.ts) keeps every preset field.
 *
 * The decision is a TriageResult (same fields, stored the same way) plus who
 * decided and the words that weighed most. Its signals start with the
 * decision's own, e.g. 'decided:model', 'model:department=it@0.91',
 * 'model:priority=high@0.62', 'model:words=senha,acesso', then the rules'.
 */

export interface DecisionPolicy {
  /** Fewer labelled tickets than this behind the model: rules alone. */
  minExamples: number;
  /** Route on the model's department at or above this confidence; undefined: the model's recommended threshold. */
  threshold?: number;
  /** Rules at or above this confidence win over the model. */
  rulesWinAt: number;
}

export const DEFAULT_MODEL_THRESHOLD = 0.6;

export const defaultDecisionPolicy: DecisionPolicy = { minExamples: 50, rulesWinAt: 0.85 };

export interface LearnedTriage {
  /** Labelled tickets the model was fitted on (TriageModel.examples). */
  examples: number;
  /** TriageModel.metrics.recommendedThreshold. */
  recommendedThreshold: number | null;
  prediction: TriagePrediction;
}

export type DecidedBy = 'rules' | 'model' | 'nobody';

export interface TriageDecision extends TriageResult {
  decidedBy: DecidedBy;
  /** Who set the priority. */
  priorityBy: 'rules' | 'model';
  /** Words that weighed most for the department (model), or the rules' keywords. */
  words: string[];
  /** Threshold the model was held to (absent when the model was not consulted). */
  threshold?: number;
}

const pct = (x: number) => x.toFixed(2);

function rulesWords(rules: TriageResult): string[] {
  return rules.signals.filter((s) => s.startsWith('keyword:') || s.startsWith('domain:')).map((s) => s.slice(s.indexOf(':') + 1));
}

export function decideTriage(rules: TriageResult, learned: LearnedTriage | null | undefined, policy: DecisionPolicy = defaultDecisionPolicy): TriageDecision {
  const asRules = (extra: string[], by: DecidedBy = rules.dispatch ? 'nobody' : 'rules'): TriageDecision => ({
    ...rules,
    signals: [`decided:${by}`, ...extra, ...rules.signals],
    decidedBy: by,
    priorityBy: 'rules',
    words: rulesWords(rules),
  });

  const dept = learned?.prediction.department;
  if (!learned || !dept) return asRules([]);
  if (learned.examples < policy.minExamples) return asRules([`cold-start:${learned.examples}<${policy.minExamples}`]);

  const threshold = policy.threshold ?? learned.recommendedThreshold ?? DEFAULT_MODEL_THRESHOLD;
  const modelSignals = [`model:department=${dept.label}@${pct(dept.confidence)}`];
  const cat = learned.prediction.category;
  if (cat) modelSignals.push(`model:category=${cat.label}@${pct(cat.confidence)}`);
  const pri = learned.prediction.priority;
  if (pri) modelSignals.push(`model:priority=${pri.label}@${pct(pri.confidence)}`);
  if (dept.words.length) modelSignals.push(`model:words=${dept.words.join(',')}`);

  // Priority: the rules' when they saw a VIP or an outage on evidence, else the model's.
  const rulesPriorityStays = rules.priority === 'urgent' || rules.signals.some((s) => s.startsWith('vip:'));
  const priority: Priority = !rulesPriorityStays && pri ? (pri.label as Priority) : rules.priority;
  const priorityBy = !rulesPriorityStays && pri ? 'model' : 'rules';

  const rulesWin = !rules.dispatch && (rules.signals.some((s) => s.startsWith('domain:')) || rules.confidence >= policy.rulesWinAt);
  if (rulesWin) return { ...asRules(modelSignals, 'rules'), priority, priorityBy, threshold };

  if (dept.confidence >= threshold) {
    return {
      ...rules,
      category: cat && cat.confidence >= threshold ? cat.label : null,
      department: dept.label,
      priority,
      confidence: dept.confidence,
      dispatch: false,
      signals: ['decided:model', ...modelSignals, ...rules.signals],
      decidedBy: 'model',
      priorityBy,
      words: dept.words,
      threshold,
    };
  }
  if (!rules.dispatch) return { ...asRules(modelSignals, 'rules'), priority, priorityBy, threshold };
  // Nobody is sure: a person routes it, with the model's guess as the suggestion.
  return {
    ...rules,
    category: cat?.label ?? null,
    department: dept.label,
    priority,
    confidence: dept.confidence,
    dispatch: true,
    signals: ['decided:nobody', ...modelSignals, ...rules.signals],
    decidedBy: 'nobody',
    priorityBy,
    words: dept.words,
    threshold,
  };
}
