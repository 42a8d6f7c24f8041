import { describe, expect, it } from 'vitest';
import { BODY_SCAN_CHARS, defaultTriageRules, triage, triageRulesSchema, unsafePattern, type TriageRules } from '../../functions/core/triage.ts';

const rules = defaultTriageRules;
const t = (subject: string, body = '', requesterEmail = 'ana@example.com', r: TriageRules = rules) => triage({ subject, body, requesterEmail }, r);

/** Small hand-written rules, to test matching without the defaults' vocabulary. */
const tiny = (overrides: Partial<TriageRules> = {}): TriageRules => ({
  categories: [
    { category: 'network', department: 'it', keywords: ['rede', 'vpn'] },
    { category: 'access', department: 'it', keywords: ['nao consigo entrar', 'senha'] },
    { category: 'accounting', department: 'finance', keywords: ['balancete'], senderDomains: ['contabilidade.example.com'] },
    { category: 'orders', department: 'support', keywords: [], patterns: ['\\bpedido\\s*#?\\d{5,}\\b'] },
  ],
  urgencySignals: ['não consigo', 'urgente'],
  impactSignals: ['todos'],
  vipDomains: [],
  matrix: defaultTriageRules.matrix,
  minConfidence: 0.5,
  ...overrides,
});

describe('defaultTriageRules', () => {
  it('pass their own schema, with an ITIL-style matrix where low impact and low urgency is low', () => {
    expect(triageRulesSchema.parse(rules)).toEqual(rules);
    expect(rules.matrix).toEqual({
      high: { high: 'urgent', medium: 'high', low: 'high' },
      medium: { high: 'high', medium: 'normal', low: 'normal' },
      low: { high: 'normal', medium: 'normal', low: 'low' },
    });
    expect(rules.vipDomains).toEqual([]);
  });

  it('are frozen, so the shared default and its compiled cache cannot drift', () => {
    expect(() => rules.categories[0]!.keywords.push('x')).toThrow(TypeError);
    expect(() => {
      (rules as { minConfidence: number }).minConfidence = 0;
    }).toThrow(TypeError);
  });
});

describe('routing', () => {
  it.each([
    ['Esqueci minha senha', 'Minha conta está bloqueada desde ontem.', 'access', 'it'],
    ['Notebook não liga', 'Meu notebook não liga depois da atualização.', 'hardware', 'it'],
    ['VPN caindo toda hora', 'A conexão com a VPN cai a cada 10 minutos.', 'network', 'it'],
    ['Holerite de março', 'Não encontrei meu holerite no portal.', 'payroll', 'hr'],
    ['Pedido de férias', 'Gostaria de marcar minhas férias para julho.', 'benefits', 'hr'],
    ['Segunda via do boleto', 'Preciso da segunda via do boleto de abril.', 'billing', 'finance'],
    ['Reembolso de despesas da viagem', 'Segue o relatório de despesas da viagem a Recife.', 'expenses', 'finance'],
    ['Ar-condicionado pingando', 'Há um vazamento no ar-condicionado da sala 3.', 'facilities', 'facilities'],
    ['Meu pedido não chegou', 'Fiz a compra há 10 dias e a entrega não aconteceu.', 'product', 'support'],
  ])('pt-BR: %s → %s', (subject, body, category, department) => {
    expect(t(subject, body)).toMatchObject({ category, department, dispatch: false });
  });

  it.each([
    ['Locked out of my account', "I can't log in after the password reset, MFA keeps failing.", 'access', 'it'],
    ['Laptop screen flickering', 'My laptop screen flickers when I plug in the charger.', 'hardware', 'it'],
    ['Wi-Fi keeps dropping', 'The wifi on floor 2 drops every few minutes.', 'network', 'it'],
    ['Payslip missing', 'My payslip for March is not in the payroll portal.', 'payroll', 'hr'],
    ['Vacation request', 'I would like to take vacation in July.', 'benefits', 'hr'],
    ['Refund for duplicate charge', 'I was charged twice on invoice 2231, please refund.', 'billing', 'finance'],
    ['Expense report for the São Paulo trip', 'Attached is my expense report.', 'expenses', 'finance'],
    ['Air conditioning too cold', 'The air conditioning in meeting room 4 is freezing.', 'facilities', 'facilities'],
    ['Where is my order?', 'The delivery was due yesterday and tracking shows nothing.', 'product', 'support'],
  ])('English: %s → %s', (subject, body, category, department) => {
    expect(t(subject, body)).toMatchObject({ category, department, dispatch: false });
  });

  it('records what matched, for the audit trail', () => {
    const r = t('Senha bloqueada', 'Não consigo entrar');
    expect(r.signals).toEqual(expect.arrayContaining(['keyword:senha', 'keyword:bloquead*', 'urgency:não consigo']));
    expect(r.confidence).toBeGreaterThan(0.5);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(Math.round(r.confidence * 100) / 100).toBe(r.confidence);
  });

  it('subject hits weigh more than body hits', () => {
    const inSubject = t('VPN', 'Olá');
    const inBody = t('Olá', 'VPN');
    expect(inSubject.category).toBe('network');
    expect(inBody.category).toBe('network');
    expect(inSubject.confidence).toBeGreaterThan(inBody.confidence);
    expect(inBody.dispatch).toBe(true);
  });

  it('more evidence, more confidence', () => {
    expect(t('VPN', 'Olá').confidence).toBeLessThan(t('VPN sem internet', 'A rede caiu').confidence);
  });
});

describe('matching', () => {
  it('ignores accents and case, both ways', () => {
    const r = tiny();
    for (const text of ['NÃO CONSIGO ENTRAR', 'nao consigo entrar', 'Não Consigo Entrar']) {
      const res = t(text, '', 'x@example.com', r);
      expect(res.category).toBe('access');
      expect(res.signals).toEqual(expect.arrayContaining(['keyword:nao consigo entrar', 'urgency:não consigo']));
      expect(res.urgency).toBe('high');
    }
    expect(t('Holerite', 'SALARIO e salário', 'x@example.com').signals).toContain('keyword:salário');
  });

  it('matches whole words only', () => {
    const r = tiny();
    expect(t('The figure was redetermined', '', 'x@example.com', r).category).toBeNull();
    expect(t('Vamos fazer um redesign', '', 'x@example.com', r).category).toBeNull();
    expect(t('A rede caiu', '', 'x@example.com', r).category).toBe('network');
    expect(t('Sobremesa e mesada', '').category).toBeNull(); // 'mesa' (facilities) is not in either word
    expect(t('Mesa quebrada', '').category).toBe('facilities');
    expect(t("Can't download the report", '').signals).not.toContain('urgency:down');
    expect(t('Server is down', '').signals).toContain('urgency:down');
  });

  it('treats punctuation in a keyword as a word break that may be left out', () => {
    for (const s of ['Wi-Fi lento', 'wi fi lento', 'WIFI lento']) expect(t(s).category).toBe('network');
    expect(t('Ar condicionado', '').category).toBe('facilities');
  });

  it('matches keywords ending in * as prefixes', () => {
    expect(t('Conta bloqueada', '').signals).toContain('keyword:bloquead*');
    expect(t('Cancelamento', '').category).toBe('product');
    expect(t('Bloq', '').category).toBeNull();
  });

  it('matches patterns against the folded text', () => {
    const res = t('Dúvida', 'Sobre o PEDIDO #123456, ainda não recebi', 'x@example.com', tiny());
    expect(res).toMatchObject({ category: 'orders', department: 'support' });
    expect(res.signals).toContain('pattern:\\bpedido\\s*#?\\d{5,}\\b');
  });

  it('routes by sender domain, subdomains included', () => {
    const r = tiny();
    for (const email of ['ana@contabilidade.example.com', 'Bob@SP.Contabilidade.Example.com']) {
      const res = t('Olá', 'Segue em anexo.', email, r);
      expect(res).toMatchObject({ category: 'accounting', department: 'finance', dispatch: false });
      expect(res.signals).toContain('domain:contabilidade.example.com');
    }
    expect(t('Olá', 'Segue em anexo.', 'eve@notcontabilidade.example.com', r).category).toBeNull();
    expect(t('Olá', 'Segue em anexo.', 'eve@example.com', r).category).toBeNull();
  });

  it('only reads the start of the body', () => {
    expect(t('Olá', `${'bla '.repeat(6_000)} vpn`, 'x@example.com', tiny()).category).toBeNull();
  });
});

describe('priority', () => {
  it('"urgente, sistema parado" is urgent', () => {
    const r = t('URGENTE: sistema parado', 'O sistema de vendas está fora do ar.');
    expect(r).toMatchObject({ urgency: 'high', impact: 'high', priority: 'urgent' });
    expect(t('urgente, sistema parado', '').priority).toBe('urgent');
    expect(t('URGENT: production is down for all users', '').priority).toBe('urgent');
  });

  it('a plain question is low: a sign it can wait, and no urgency or impact signal (the issue found the rules never said low)', () => {
    const q = t('Dúvida sobre o vale-refeição', 'Olá, gostaria de saber quando o vale-refeição é creditado. Obrigada!');
    expect(q).toMatchObject({ category: 'benefits', urgency: 'low', impact: 'low', priority: 'low' });
    expect(q.signals).toContain('low-urgency:dúvida');
    expect(t('Question about my payslip', 'When is the payslip published each month?').priority).toBe('low');
    expect(t('Férias', 'Sem pressa: quando puder, me diga o saldo.').priority).toBe('low');
  });

  it('a ticket that says nothing of urgency or impact is normal, not low: low takes evidence', () => {
    expect(t('Payslip for November', 'Please send my payslip for November.')).toMatchObject({ urgency: 'medium', impact: 'low', priority: 'normal' });
    expect(t('Holerite de novembro', 'Por favor, enviem meu holerite.')).toMatchObject({ urgency: 'medium', priority: 'normal' });
  });

  it('"not urgent" is a sign it can wait, not of urgency; an urgency signal beside a low one wins', () => {
    expect(t('Payslip copy', 'Not urgent: I need a copy of my payslip.')).toMatchObject({ urgency: 'low', priority: 'low' });
    expect(t('Holerite', 'Não é urgente, mas preciso da segunda via.')).toMatchObject({ urgency: 'low', priority: 'low' });
    expect(t('Quick question', 'The VPN is not working for me.')).toMatchObject({ urgency: 'medium', priority: 'normal' });
  });

  it('rules without lowUrgencySignals never grade urgency low', () => {
    const r = tiny();
    expect(t('vpn', 'no rush, a question', 'x@example.com', r)).toMatchObject({ urgency: 'medium', impact: 'low', priority: 'normal' });
    expect(triageRulesSchema.safeParse(r).success).toBe(true);
  });

  it('one signal of urgency or of impact keeps it normal', () => {
    expect(t('Question about my payslip', 'It is urgent.')).toMatchObject({ urgency: 'medium', impact: 'low', priority: 'normal' });
    expect(t('Question about my payslip', 'Everyone asks.')).toMatchObject({ urgency: 'low', impact: 'medium', priority: 'normal' });
  });

  it('urgency: one signal in the subject or two anywhere is high, one in the body (or none) medium', () => {
    expect(t('Impressora urgente', '').urgency).toBe('high');
    expect(t('Impressora', 'é urgente').urgency).toBe('medium');
    expect(t('Impressora', 'é urgente, ela travou').urgency).toBe('high');
    expect(t('Impressora', 'nada demais').urgency).toBe('medium');
  });

  it('impact: one signal is medium, two are high', () => {
    expect(t('Impressora', 'afeta todos').impact).toBe('medium');
    expect(t('Impressora', 'afeta todos os clientes').impact).toBe('high');
  });

  it('a VIP domain is high impact', () => {
    const vip = { ...defaultTriageRules, vipDomains: ['bigcorp.com'] };
    const res = t('Meu pedido não chegou', 'Aguardo retorno.', 'ceo@br.bigcorp.com', vip);
    expect(res).toMatchObject({ impact: 'high', category: 'product' });
    expect(res.signals).toContain('vip:bigcorp.com');
    expect(t('Meu pedido não chegou', 'Aguardo retorno.', 'ceo@smallcorp.com', vip).impact).toBe('low');
    // High impact outranks the same ticket from anyone else.
    const ranks = ['urgent', 'high', 'normal', 'low'];
    expect(ranks.indexOf(res.priority)).toBeLessThan(ranks.indexOf(t('Meu pedido não chegou', 'Aguardo retorno.', 'ceo@smallcorp.com', vip).priority));
  });
});

describe('dispatch', () => {
  it('two categories equally likely: low confidence, a person routes it', () => {
    const r = t('VPN e impressora', '');
    expect(r.category === 'network' || r.category === 'hardware').toBe(true);
    expect(r.confidence).toBeLessThan(0.5);
    expect(r.dispatch).toBe(true);
  });

  it('a tie never reaches 0.5, however strong', () => {
    const r = t('VPN rede internet wi-fi impressora notebook teclado mouse', '');
    expect(r.confidence).toBeLessThan(0.5);
    expect(r.dispatch).toBe(true);
  });

  it.each([
    ['', ''],
    ['   ', '\n\n'],
    ['asdf qwerty', 'zxcv 12345 !!! ??? ---'],
    ['🙂🙂🙂', '☃ ★ ✓'],
  ])('nothing recognisable (%j): no category, confidence 0, dispatch', (subject, body) => {
    expect(t(subject, body)).toMatchObject({ category: null, department: null, confidence: 0, dispatch: true, signals: [] });
  });

  it('no hit dispatches even with minConfidence 0', () => {
    expect(t('asdf', '', 'x@example.com', { ...defaultTriageRules, minConfidence: 0 }).dispatch).toBe(true);
  });
});

describe('performance and determinism', () => {
  // Bounded by construction, not by a stopwatch (timings are for bench/): only the first
  // BODY_SCAN_CHARS of a body are read, so a 5 MB body costs what its first 20,000 characters do.
  it('reads a 5 MB body only up to its scan limit, cold or warm', () => {
    const line = 'Olá, segue o log do erro no sistema.\n';
    const head = line.repeat(Math.ceil(BODY_SCAN_CHARS / line.length));
    const big = head + line.repeat(Math.ceil((5 * 1024 * 1024) / line.length));
    expect(big.length).toBeGreaterThan(5_000_000);
    const fresh = structuredClone(tiny()); // cold: includes compiling the rules
    const cold = t('Senha bloqueada', big, 'x@example.com', fresh);
    const warm = t('Senha bloqueada', big);
    expect(cold.category).toBe('access');
    expect(warm).toEqual(t('Senha bloqueada', head));
    // An urgent word past the limit is never read.
    expect(t('Pergunta', head + 'URGENTE sistema fora do ar').priority).toBe(t('Pergunta', head).priority);
    expect(t('Pergunta', 'URGENTE sistema fora do ar').priority).not.toBe(t('Pergunta', head).priority);
  });

  it('gives the same result every time, and from an equal copy of the rules', () => {
    const input = { subject: 'URGENTE: VPN fora do ar', body: 'Ninguém consegue acessar a rede. Todos parados.', requesterEmail: 'a@b.com' };
    const first = triage(input, rules);
    for (let i = 0; i < 5; i++) expect(triage(input, rules)).toEqual(first);
    expect(triage(input, structuredClone(rules) as TriageRules)).toEqual(first);
  });
});

describe('triageRulesSchema', () => {
  const valid = () => structuredClone(tiny()) as TriageRules;

  it('accepts valid rules', () => {
    expect(triageRulesSchema.safeParse(valid()).success).toBe(true);
  });

  it('rejects unknown keys at every level', () => {
    expect(triageRulesSchema.safeParse({ ...valid(), minConfidance: 0.4 }).success).toBe(false);
    const r = valid() as unknown as { categories: Record<string, unknown>[]; matrix: Record<string, Record<string, unknown>> };
    r.categories[0]!['keyword'] = ['typo'];
    expect(triageRulesSchema.safeParse(r).success).toBe(false);
    const m = valid() as unknown as { matrix: Record<string, Record<string, unknown>> };
    m.matrix['high']!['critical'] = 'urgent';
    expect(triageRulesSchema.safeParse(m).success).toBe(false);
  });

  it('rejects a rule with nothing to match on, and empty or malformed keywords', () => {
    const r = valid();
    r.categories[0]!.keywords = [];
    expect(triageRulesSchema.safeParse(r).success).toBe(false);
    for (const bad of ['', '   ', '!!!', 'ab*', 'a*b', 'word *']) {
      const k = valid();
      k.categories[0]!.keywords = [bad];
      expect(triageRulesSchema.safeParse(k).success, bad).toBe(false);
    }
  });

  it('names the bad regex', () => {
    const r = valid();
    r.categories[3]!.patterns = ['\\bok\\b', 'pedido (\\d+'];
    const res = triageRulesSchema.safeParse(r);
    expect(res.success).toBe(false);
    const issue = res.error!.issues[0]!;
    expect(issue.path).toEqual(['categories', 3, 'patterns', 1]);
    expect(issue.message).toContain('pedido (\\d+');
  });

  it('refuses regexes that can backtrack catastrophically', () => {
    for (const bad of ['(a+)+$', '(\\w*\\s?)*x', '(a|aa)*b', '(?:x+){2,}', '((ab)*c)+']) expect(unsafePattern(bad), bad).not.toBeNull();
    for (const ok of ['\\bpedido\\s*#?\\d{5,}\\b', '(?:nf|nota)-?e?\\s*\\d+', '[A-Z]{2}\\d{9}BR', '(foo|bar)?', '(?<n>\\d+)x', '[(+]+']) {
      expect(unsafePattern(ok), ok).toBeNull();
    }
    const r = valid();
    r.categories[3]!.patterns = ['(a+)+$'];
    expect(triageRulesSchema.safeParse(r).success).toBe(false);
  });

  it('rejects duplicate categories, bad ids and domains, and out-of-range numbers', () => {
    const dup = valid();
    dup.categories[1]!.category = 'network';
    expect(triageRulesSchema.safeParse(dup).success).toBe(false);
    const badId = valid();
    badId.categories[0]!.department = 'IT dept';
    expect(triageRulesSchema.safeParse(badId).success).toBe(false);
    expect(triageRulesSchema.safeParse({ ...valid(), vipDomains: ['not a domain'] }).success).toBe(false);
    expect(triageRulesSchema.safeParse({ ...valid(), minConfidence: 1.5 }).success).toBe(false);
    const badPriority = valid() as unknown as { matrix: { low: { low: string } } };
    badPriority.matrix.low.low = 'p4';
    expect(triageRulesSchema.safeParse(badPriority).success).toBe(false);
  });

  it('limits sizes', () => {
    const r = valid();
    r.categories[0]!.keywords = Array.from({ length: 301 }, (_, i) => `word${i}`);
    expect(triageRulesSchema.safeParse(r).success).toBe(false);
    const long = valid();
    long.categories[3]!.patterns = ['a'.repeat(201)];
    expect(triageRulesSchema.safeParse(long).success).toBe(false);
  });

  it('normalises domains and ids', () => {
    const r = valid();
    r.vipDomains = [' BigCorp.COM '];
    expect(triageRulesSchema.parse(r).vipDomains).toEqual(['bigcorp.com']);
  });
});
