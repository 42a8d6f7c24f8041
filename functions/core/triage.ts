import { z } from 'zod';
import { priorities, type Priority } from './ticket.ts';

/**
 * Triage: a first guess at a new ticket's category, department and priority,
 * with a confidence. Below the rules' `minConfidence` the ticket goes to the
 * level-1 dispatch queue, where a person routes it.
 *
 * Pure and fast: no I/O, and the rules are compiled once per rules object
 * (WeakMap cache), so treat a rules object as immutable once it is in use.
 *
 * Matching. Text is accent- and case-folded (NFKD, marks removed, lower case)
 * and split into words (runs of letters and digits). A keyword or signal is a
 * sequence of such words and matches whole words only: 'rede' matches
 * "Rede caiu" but not "redetermined"; 'não consigo' matches "NAO CONSIGO".
 * Punctuation inside a keyword is a word break, and the words run together
 * match too: 'wi-fi' matches "Wi-Fi", "wi fi" and "wifi". A keyword ending in
 * `*` matches any word starting with it ('bloquead*': bloqueado, bloqueada).
 * Patterns are regex sources, case-insensitive, tested against the folded
 * subject and the first {@link PATTERN_SCAN_CHARS} characters of the folded
 * body; the schema refuses nested or alternated repetition such as `(a+)+`.
 *
 * Scoring, per category rule; each keyword, pattern and domain counts once:
 *   keyword in the subject 3, keyword only in the body 1,
 *   pattern in the subject 3, pattern only in the body 2,
 *   requester's domain (or a subdomain of it) listed in senderDomains 4.
 * The highest score wins; a tie goes to the rule listed first. With winner
 * score s and runner-up score r:
 *   strength   = 1 - e^(-s/3)          (one subject keyword 0.63, two 0.86)
 *   separation = 0.5 + 0.5 × (s - r)/s (clear winner 1, a tie 0.5)
 *   confidence = strength × separation, rounded to 2 decimals.
 * So a tie never reaches 0.5, and a single body keyword (0.28) is only a hint.
 * No hit at all: no category, no department, confidence 0, dispatch.
 *
 * Priority = matrix[impact][urgency] (ITIL style; by default low × low is
 * low, high × high urgent). Distinct signals count:
 *   urgency high: 2+ urgency signals, or one in the subject; medium: one in
 *                 the body, or none and no sign either way (an ordinary
 *                 ticket); low: a low-urgency signal ("no rush", "dúvida",
 *                 "gostaria de saber") and no urgency signal.
 *   impact  high: requester in a VIP domain, or 2+ impact signals; medium:
 *                 one; low: none.
 * So `low` takes evidence: most tickets say nothing of urgency, and calling
 * them low was wrong for most of them. An urgency signal inside a matched
 * low-urgency signal does not count: "not urgent" is no sign of urgency.
 */

export interface CategoryRule {
  /** e.g. 'access', 'billing' */
  category: string;
  /** Department id it routes to. */
  department: string;
  /** Words or phrases in pt-BR or English, matched accent- and case-insensitively on word boundaries. */
  keywords: string[];
  /** Regex sources (case-insensitive), matched against the accent-folded text. */
  patterns?: string[];
  /** Requester email domains that point to this rule; subdomains match too. */
  senderDomains?: string[];
}

/** Impact and urgency are graded high, medium or low. */
export type Grade = 'high' | 'medium' | 'low';

export interface TriageRules {
  categories: CategoryRule[];
  /** Signals that raise urgency (how soon): e.g. 'urgente', 'urgent', 'asap', 'parado', 'down', 'não consigo', 'fora do ar', 'imediato'. */
  urgencySignals: string[];
  /** Signals that raise impact (how many/how much): e.g. 'todos', 'everyone', 'production', 'produção', 'clientes', 'all users', 'sistema', 'outage'. */
  impactSignals: string[];
  /**
   * Signals that the ticket can wait: e.g. 'no rush', 'sem pressa', 'quando puder', 'dúvida', 'just wondering'.
   * Only with one and no urgency signal is urgency low. Absent: the rules never grade urgency low.
   */
  lowUrgencySignals?: string[];
  /** Requester domains whose tickets are high impact (VIP customers). */
  vipDomains: string[];
  /** priority = matrix[impact][urgency]; each of impact and urgency is 'high' | 'medium' | 'low'. */
  matrix: Record<Grade, Record<Grade, Priority>>;
  /** Below this confidence (0..1) the ticket goes to the level-1 dispatch queue for a person to route. */
  minConfidence: number;
}

export interface TriageInput {
  subject: string;
  body: string;
  requesterEmail: string;
}

export interface TriageResult {
  category: string | null;
  department: string | null;
  priority: Priority;
  impact: Grade;
  urgency: Grade;
  /** 0..1, rounded to 2 decimals. */
  confidence: number;
  /** What matched, for the audit trail: e.g. ['keyword:senha', 'domain:acme.com', 'urgency:parado', 'vip:bigcorp.com']. */
  signals: string[];
  /** True when confidence < minConfidence (or nothing matched): a person routes it. */
  dispatch: boolean;
}

/** Only the start of a body is read: mail can be huge, and the point is usually made early. */
export const BODY_SCAN_CHARS = 20_000;
/** Regexes from the config see at most this much of the body (and of the subject): a backtracking guard. */
export const PATTERN_SCAN_CHARS = 4_000;
const SUBJECT_SCAN_CHARS = 1_000;

const WEIGHT = { subjectKeyword: 3, bodyKeyword: 1, subjectPattern: 3, bodyPattern: 2, senderDomain: 4 } as const;
/** Score at which strength reaches 1 - 1/e. */
const STRENGTH_SCALE = 3;

// ---------------------------------------------------------------------------
// Folding and phrases

/** Accent- and case-fold: "NÃO Consigo" → "nao consigo"; "13º" → "13o". */
export function fold(text: string): string {
  return text.normalize('NFKD').toLowerCase().replace(/\p{M}+/gu, '');
}

const WORD = /[\p{L}\p{N}]+/gu;
const words = (folded: string): string[] => folded.match(WORD) ?? [];

interface Phrase {
  words: string[];
  /** The last word is a prefix (keyword ended in `*`). */
  prefix: boolean;
}

const MIN_PREFIX = 3;

/** A keyword as a word sequence, or null when it has no word or misuses `*`. */
function parsePhrase(keyword: string): Phrase | null {
  const folded = fold(keyword.trim());
  const prefix = folded.endsWith('*');
  const core = prefix ? folded.slice(0, -1) : folded;
  if (core.includes('*')) return null;
  const ws = words(core);
  const last = ws[ws.length - 1];
  if (last === undefined) return null;
  if (prefix && (!/[\p{L}\p{N}]$/u.test(core) || last.length < MIN_PREFIX)) return null;
  return { words: ws, prefix };
}

interface Entry {
  id: number;
  words: string[];
  prefix: boolean;
}

/**
 * All phrases of a rules object, found in one pass over a text's words.
 * Exact phrases are indexed by their first word; one-word prefixes by their
 * first three letters, so each text word costs a couple of map lookups.
 */
class PhraseIndex {
  private readonly ids = new Map<string, number>();
  private readonly byFirst = new Map<string, Entry[]>();
  private readonly byStem = new Map<string, Entry[]>();

  /** The phrase's id; the same phrase (after folding) always gets the same id. */
  add(phrase: Phrase): number {
    const key = phrase.words.join(' ') + (phrase.prefix ? '*' : '');
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.ids.size;
    this.ids.set(key, id);
    this.put({ id, words: phrase.words, prefix: phrase.prefix });
    // "wi-fi" also matches "wifi", "can't" also "cant".
    if (phrase.words.length > 1) this.put({ id, words: [phrase.words.join('')], prefix: phrase.prefix });
    return id;
  }

  private put(e: Entry): void {
    const first = e.words[0]!;
    const [map, key] = e.prefix && e.words.length === 1 ? [this.byStem, first.slice(0, MIN_PREFIX)] : [this.byFirst, first];
    const list = map.get(key);
    if (list) list.push(e);
    else map.set(key, [e]);
  }

  find(text: readonly string[]): Set<number> {
    const found = new Set<number>();
    for (let i = 0; i < text.length; i++) {
      const w = text[i]!;
      const exact = this.byFirst.get(w);
      if (exact) for (const e of exact) if (!found.has(e.id) && matchesAt(text, i, e)) found.add(e.id);
      if (w.length >= MIN_PREFIX && this.byStem.size > 0) {
        const stems = this.byStem.get(w.slice(0, MIN_PREFIX));
        if (stems) for (const e of stems) if (w.startsWith(e.words[0]!)) found.add(e.id);
      }
    }
    return found;
  }
}

function matchesAt(text: readonly string[], i: number, e: Entry): boolean {
  const n = e.words.length;
  for (let k = 1; k < n; k++) {
    const w = text[i + k];
    if (w === undefined) return false;
    const want = e.words[k]!;
    if (k === n - 1 && e.prefix ? !w.startsWith(want) : w !== want) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Regex safety

/**
 * Null when the regex source is acceptable, else why not. Refuses repetition
 * (`*`, `+`, `{…}`) of a group that itself repeats or alternates, the shapes
 * that backtrack catastrophically: `(a+)+`, `(\w*\s?)*`, `(a|aa)*`.
 */
export function unsafePattern(source: string): string | null {
  try {
    new RegExp(source, 'i');
  } catch (err) {
    return `invalid regex /${source}/: ${(err as Error).message}`;
  }
  const stack: { risky: boolean }[] = [{ risky: false }];
  const quantifierAt = (j: number) => {
    const c = source[j];
    return c === '*' || c === '+' || (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(j)));
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (c === '(') {
      stack.push({ risky: false });
      if (source[i + 1] === '?') i += source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!' ? 1 : 2;
    } else if (c === ')') {
      const group = stack.pop()!;
      const repeated = quantifierAt(i + 1);
      if (repeated && group.risky) return `nested or alternated repetition in /${source}/ can backtrack catastrophically`;
      if (group.risky || repeated) stack[stack.length - 1]!.risky = true;
    } else if (c === '|' || quantifierAt(i)) {
      stack[stack.length - 1]!.risky = true;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Schema

const id = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'letters, digits, - and _ only, at most 40');
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'a domain such as example.com');
const keyword = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((k) => parsePhrase(k) !== null, 'a word or phrase; `*` only at the end, after at least 3 letters');
const pattern = z
  .string()
  .min(1)
  .max(200)
  .superRefine((source, ctx) => {
    const problem = unsafePattern(source);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const level = z.enum(priorities);
const row = z.strictObject({ high: level, medium: level, low: level });

const categoryRule = z
  .strictObject({
    category: id,
    department: id,
    keywords: z.array(keyword).max(300),
    patterns: z.array(pattern).max(20).optional(),
    senderDomains: z.array(domain).max(100).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.keywords.length + (rule.patterns?.length ?? 0) + (rule.senderDomains?.length ?? 0) === 0) {
      ctx.addIssue({ code: 'custom', path: ['keywords'], message: `rule '${rule.category}' needs at least one keyword, pattern or sender domain` });
    }
  });

/** Rules as configured: strict (unknown keys are errors), size-limited, regexes compiled and checked. */
export const triageRulesSchema: z.ZodType<TriageRules> = z
  .strictObject({
    categories: z.array(categoryRule).min(1).max(100),
    urgencySignals: z.array(keyword).max(300),
    impactSignals: z.array(keyword).max(300),
    lowUrgencySignals: z.array(keyword).max(300).optional(),
    vipDomains: z.array(domain).max(1000),
    matrix: z.strictObject({ high: row, medium: row, low: row }),
    minConfidence: z.number().min(0).max(1),
  })
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.categories.forEach((rule, i) => {
      if (seen.has(rule.category)) ctx.addIssue({ code: 'custom', path: ['categories', i, 'category'], message: `duplicate category '${rule.category}'` });
      seen.add(rule.category);
    });
  });

// ---------------------------------------------------------------------------
// Compilation, cached per rules object

interface Labelled {
  id: number;
  label: string;
}

interface CompiledRule {
  category: string;
  department: string;
  keywords: Labelled[];
  patterns: { re: RegExp; label: string }[];
  domains: string[];
}

interface Compiled {
  index: PhraseIndex;
  rules: CompiledRule[];
  urgency: Labelled[];
  impact: Labelled[];
  lowUrgency: Labelled[];
  /** Per low-urgency phrase id, the urgency phrase ids written inside it ('not urgent' holds 'urgent'). */
  negates: Map<number, Set<number>>;
  vip: string[];
}

const cache = new WeakMap<TriageRules, Compiled>();

function compile(rules: TriageRules): Compiled {
  const cached = cache.get(rules);
  if (cached) return cached;
  const index = new PhraseIndex();
  /** Each distinct phrase once, labelled as first written. */
  const phrases = (list: readonly string[]): Labelled[] => {
    const out = new Map<number, Labelled>();
    for (const raw of list) {
      const phrase = parsePhrase(raw);
      if (!phrase) continue;
      const pid = index.add(phrase);
      if (!out.has(pid)) out.set(pid, { id: pid, label: raw.trim() });
    }
    return [...out.values()];
  };
  /** Phrase ids of `inner` whose words run inside one of `outer`'s. */
  const inside = (outer: string, inner: Labelled[]): Set<number> => {
    const o = parsePhrase(outer)?.words ?? [];
    const out = new Set<number>();
    for (const u of inner) {
      const w = parsePhrase(u.label)?.words ?? [];
      for (let i = 0; w.length && i + w.length <= o.length; i++) if (w.every((x, j) => o[i + j] === x)) out.add(u.id);
    }
    return out;
  };
  const domains = (list: readonly string[] | undefined) => [...new Set((list ?? []).map((d) => d.trim().toLowerCase()).filter(Boolean))];
  const compiled: Compiled = {
    index,
    rules: rules.categories.map((r) => ({
      category: r.category,
      department: r.department,
      keywords: phrases(r.keywords),
      patterns: (r.patterns ?? []).map((source) => ({ re: new RegExp(source, 'i'), label: source })),
      domains: domains(r.senderDomains),
    })),
    urgency: phrases(rules.urgencySignals),
    impact: phrases(rules.impactSignals),
    lowUrgency: phrases(rules.lowUrgencySignals ?? []),
    negates: new Map(),
    vip: domains(rules.vipDomains),
  };
  for (const l of compiled.lowUrgency) compiled.negates.set(l.id, inside(l.label, compiled.urgency));
  cache.set(rules, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------
// Triage

function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return '';
  return email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/[>\s.]+$/, '');
}

/** The listed domain the requester's domain equals or is a subdomain of. */
function domainHit(requester: string, listed: readonly string[]): string | undefined {
  if (!requester) return undefined;
  return listed.find((d) => requester === d || requester.endsWith(`.${d}`));
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function triage(input: TriageInput, rules: TriageRules): TriageResult {
  const c = compile(rules);
  const subject = fold(String(input.subject ?? '').slice(0, SUBJECT_SCAN_CHARS));
  const body = fold(String(input.body ?? '').slice(0, BODY_SCAN_CHARS));
  const requester = domainOf(String(input.requesterEmail ?? ''));
  const inSubject = c.index.find(words(subject));
  const inBody = c.index.find(words(body));
  const patternBody = body.slice(0, PATTERN_SCAN_CHARS);

  // Category: score every rule, keep the best and the runner-up.
  let best: { rule: CompiledRule; score: number; signals: string[] } | undefined;
  let runnerUp = 0;
  for (const rule of c.rules) {
    let score = 0;
    const signals: string[] = [];
    for (const k of rule.keywords) {
      const w = inSubject.has(k.id) ? WEIGHT.subjectKeyword : inBody.has(k.id) ? WEIGHT.bodyKeyword : 0;
      if (w) {
        score += w;
        signals.push(`keyword:${k.label}`);
      }
    }
    for (const p of rule.patterns) {
      const w = p.re.test(subject) ? WEIGHT.subjectPattern : p.re.test(patternBody) ? WEIGHT.bodyPattern : 0;
      if (w) {
        score += w;
        signals.push(`pattern:${p.label}`);
      }
    }
    const d = domainHit(requester, rule.domains);
    if (d) {
      score += WEIGHT.senderDomain;
      signals.push(`domain:${d}`);
    }
    if (score === 0) continue;
    if (!best || score > best.score) {
      if (best) runnerUp = best.score;
      best = { rule, score, signals };
    } else if (score > runnerUp) {
      runnerUp = score;
    }
  }

  let confidence = 0;
  if (best) {
    const strength = 1 - Math.exp(-best.score / STRENGTH_SCALE);
    const separation = 0.5 + (0.5 * (best.score - runnerUp)) / best.score;
    confidence = round2(strength * separation);
  }

  // Urgency and impact.
  const signals = best ? [...best.signals] : [];
  const negated = new Set<number>();
  let lowUrgency = false;
  for (const l of c.lowUrgency) {
    if (inSubject.has(l.id) || inBody.has(l.id)) {
      lowUrgency = true;
      for (const u of c.negates.get(l.id) ?? []) negated.add(u);
      signals.push(`low-urgency:${l.label}`);
    }
  }
  let urgentInSubject = false;
  let urgencyCount = 0;
  for (const u of c.urgency) {
    if (negated.has(u.id)) continue;
    const s = inSubject.has(u.id);
    if (s || inBody.has(u.id)) {
      urgencyCount++;
      urgentInSubject ||= s;
      signals.push(`urgency:${u.label}`);
    }
  }
  let impactCount = 0;
  for (const m of c.impact) {
    if (inSubject.has(m.id) || inBody.has(m.id)) {
      impactCount++;
      signals.push(`impact:${m.label}`);
    }
  }
  const vip = domainHit(requester, c.vip);
  if (vip) signals.push(`vip:${vip}`);

  const urgency: Grade = urgencyCount >= 2 || urgentInSubject ? 'high' : urgencyCount === 0 && lowUrgency ? 'low' : 'medium';
  const impact: Grade = vip || impactCount >= 2 ? 'high' : impactCount === 1 ? 'medium' : 'low';

  return {
    category: best?.rule.category ?? null,
    department: best?.rule.department ?? null,
    priority: rules.matrix[impact][urgency],
    impact,
    urgency,
    confidence,
    signals,
    dispatch: !best || confidence < rules.minConfidence,
  };
}

// ---------------------------------------------------------------------------
// Defaults

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * A bilingual (pt-BR + English) starting point for an internal + external
 * desk. Frozen: derive your own with spread, e.g.
 * `{ ...defaultTriageRules, vipDomains: ['bigcorp.com'] }`.
 *
 * Outage wording is deliberately in both signal lists, and a phrase such as
 * 'sistema parado' also contains the signal 'sistema': "sistema parado"
 * counts as two impact signals, so a whole system down is high impact.
 */
export const defaultTriageRules: TriageRules = deepFreeze({
  categories: [
    {
      category: 'access',
      department: 'it',
      keywords: [
        'login', 'logon', 'log in', 'logar', 'senha', 'senhas', 'password', 'passwords', 'reset de senha', 'password reset',
        'senha expirada', 'expired password', 'acesso', 'acessar', 'sem acesso', 'acesso negado', 'access', 'access denied',
        'bloquead*', 'bloqueio', 'locked out', 'account locked', '2fa', 'mfa', 'autenticação', 'authentication', 'autenticador',
        'authenticator', 'token', 'sso', 'single sign-on', 'permissão', 'permissões', 'permission', 'permissions',
        'credenciais', 'credentials',
      ],
    },
    {
      category: 'hardware',
      department: 'it',
      keywords: [
        'notebook', 'laptop', 'computador', 'computer', 'desktop', 'pc', 'impressora', 'printer', 'imprimir', 'toner', 'cartucho',
        'cartridge', 'scanner', 'monitor', 'monitores', 'teclado', 'keyboard', 'mouse', 'headset', 'fone de ouvido', 'webcam',
        'carregador', 'charger', 'bateria', 'battery', 'docking station', 'tela azul', 'blue screen', 'tela preta', 'black screen',
        'tela quebrada', 'broken screen', 'não liga', "won't turn on", 'hardware', 'periférico*', 'peripheral*',
      ],
    },
    {
      category: 'network',
      department: 'it',
      keywords: [
        'vpn', 'wi-fi', 'wireless', 'internet', 'sem internet', 'no internet', 'rede', 'network', 'cabo de rede', 'network cable',
        'ponto de rede', 'ethernet', 'conexão', 'connection', 'conectar', 'connect', 'conectividade', 'connectivity', 'roteador',
        'router', 'proxy', 'dns', 'firewall',
      ],
    },
    {
      category: 'software',
      department: 'it',
      keywords: [
        'software', 'instalar', 'instalação', 'install', 'installation', 'licença de software', 'software license', 'outlook',
        'excel', 'powerpoint', 'teams', 'office 365', 'microsoft 365', 'pacote office', 'windows', 'macos', 'antivírus',
        'navegador', 'browser', 'sharepoint', 'onedrive', 'caixa de e-mail', 'mailbox',
      ],
    },
    {
      category: 'security',
      department: 'it',
      keywords: [
        'phishing', 'vírus', 'malware', 'ransomware', 'hacker', 'hackead*', 'hacked', 'invadid*', 'golpe', 'scam',
        'e-mail suspeito', 'suspicious email', 'link suspeito', 'suspicious link', 'vazamento de dados', 'data leak', 'data breach',
      ],
    },
    {
      category: 'payroll',
      department: 'hr',
      keywords: [
        'salário', 'salary', 'holerite', 'contracheque', 'payslip', 'pay slip', 'paycheck', 'payroll', 'folha de pagamento',
        'décimo terceiro', '13º salário', 'hora extra', 'horas extras', 'overtime', 'banco de horas', 'adiantamento salarial',
        'desconto em folha', 'informe de rendimentos', 'inss', 'fgts',
      ],
    },
    {
      category: 'benefits',
      department: 'hr',
      keywords: [
        'férias', 'vacation', 'pedido de férias', 'vacation request', 'vale-refeição', 'vale-alimentação', 'vale-transporte',
        'benefício*', 'benefit*', 'plano de saúde', 'convênio médico', 'health insurance', 'health plan', 'plano odontológico',
        'dental plan', 'atestado', 'atestado médico', 'medical certificate', 'sick note', 'licença médica', 'licença-maternidade',
        'licença-paternidade', 'sick leave', 'maternity leave', 'paternity leave', 'parental leave', 'day off', 'time off', 'pto',
        'folga', 'auxílio-creche',
      ],
    },
    {
      category: 'billing',
      department: 'finance',
      keywords: [
        'fatura', 'faturas', 'boleto', 'boletos', 'segunda via', 'nota fiscal', 'notas fiscais', 'nf-e', 'nfs-e', 'invoice*',
        'refund*', 'reembolso', 'estorno', 'cobrança', 'cobranças', 'cobrad*', 'charge', 'charges', 'charged', 'duplicate charge',
        'billing', 'pagamento duplicado', 'pagamento não reconhecido', 'comprovante de pagamento', 'forma de pagamento', 'payment',
        'payments', 'pix', 'cartão de crédito', 'credit card', 'mensalidade', 'multa', 'juros',
      ],
    },
    {
      category: 'expenses',
      department: 'finance',
      keywords: [
        'reembolso de despesas', 'despesa*', 'expense', 'expenses', 'expense report', 'relatório de despesas', 'prestação de contas',
        'adiantamento de viagem', 'travel advance', 'cartão corporativo', 'corporate card', 'quilometragem', 'mileage', 'per diem',
        'diária de viagem',
      ],
    },
    {
      category: 'facilities',
      department: 'facilities',
      keywords: [
        'ar-condicionado', 'air conditioning', 'air conditioner', 'temperatura', 'limpeza', 'cleaning', 'mesa', 'cadeira', 'chair',
        'mobiliário', 'furniture', 'chave', 'chaves', 'badge', 'crachá', 'catraca', 'portaria', 'vazamento', 'leak', 'water leak',
        'goteira', 'infiltração', 'lâmpada', 'light bulb', 'iluminação', 'lighting', 'elevador', 'elevator', 'banheiro',
        'bathroom', 'restroom', 'estacionamento', 'parking', 'tomada', 'power outlet', 'cozinha', 'kitchen', 'sala de reunião',
        'meeting room', 'manutenção predial', 'building maintenance',
      ],
    },
    {
      category: 'product',
      department: 'support',
      keywords: [
        'pedido', 'pedidos', 'número do pedido', 'order', 'orders', 'order number', 'entrega', 'entregue', 'delivery', 'delivered',
        'não chegou', "hasn't arrived", 'never arrived', 'rastreio', 'rastreamento', 'tracking', 'frete', 'shipping', 'cancel*',
        'devolução', 'devolver', 'return request', 'troca', 'produto', 'produtos', 'product', 'products', 'defeito', 'defeituoso',
        'defective', 'garantia', 'warranty', 'compra', 'purchase', 'checkout', 'carrinho', 'cart', 'cupom', 'coupon', 'bug',
        'erro', 'erros', 'error', 'errors', 'site', 'website', 'app', 'aplicativo',
      ],
    },
  ],
  urgencySignals: [
    'urgente', 'urgent', 'urgência', 'urgency', 'emergência', 'emergency', 'asap', 'o quanto antes', 'o mais rápido possível',
    'as soon as possible', 'imediato', 'imediatamente', 'immediately', 'parado', 'parada', 'parou', 'down', 'fora do ar',
    'não consigo', 'não funciona', 'não está funcionando', 'not working', "doesn't work", "can't", 'cannot', 'unable',
    'travado', 'travou', 'crítico', 'critical', 'bloqueante', 'blocker', 'blocking',
  ],
  impactSignals: [
    'todos', 'todo mundo', 'ninguém', 'everyone', 'everybody', 'nobody', 'all users', 'todos os usuários', 'vários usuários',
    'multiple users', 'toda a equipe', 'equipe toda', 'whole team', 'entire team', 'departamento inteiro', 'whole department',
    'toda a empresa', 'empresa toda', 'whole company', 'company-wide', 'produção', 'production', 'clientes', 'customers',
    'sistema', 'system', 'outage', 'queda geral', 'sistema parado', 'sistema fora do ar', 'system down', 'site fora do ar',
    'site down',
  ],
  // Someone saying it can wait, or asking rather than reporting: questions and information requests.
  lowUrgencySignals: [
    'sem pressa', 'sem urgência', 'não é urgente', 'nada urgente', 'não tem pressa', 'quando puder', 'quando possível',
    'quando tiver tempo', 'baixa prioridade', 'dúvida', 'dúvidas', 'uma pergunta', 'gostaria de saber', 'queria saber',
    'gostaria de entender', 'por curiosidade', 'poderiam me informar', 'poderia me informar', 'pedido de informação',
    'sugestão', 'sugestões', 'no rush', 'no hurry', 'not urgent', 'no urgency', 'low priority', 'when you have time',
    'when you get a chance', 'when you can', 'at your convenience', 'whenever possible', 'question', 'questions',
    'quick question', 'just wondering', "i'd like to know", 'i would like to know', 'could you tell me', 'curious',
    'request for information', 'information request', 'suggestion', 'feature request',
  ],
  vipDomains: [],
  // ITIL impact × urgency: only high/high is urgent; low/low is low.
  //             urgency: high      medium    low
  // Low urgency takes a sign that it can wait (lowUrgencySignals); a ticket
  // that says nothing either way is medium urgency, so normal: most tickets
  // say nothing, and labelled desks call few of those low. A learned model
  // (triage-decision.ts) sets priority once trained; a priority an agent set
  // always stays.
  matrix: {
    high: /*   */ { high: 'urgent', medium: 'high', low: 'high' },
    medium: /* */ { high: 'high', medium: 'normal', low: 'normal' },
    low: /*    */ { high: 'normal', medium: 'normal', low: 'low' },
  },
  minConfidence: 0.5,
});
