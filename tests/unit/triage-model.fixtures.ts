import type { TriageExample } from '#core/triage-examples';

/**
 * Small made-up labelled tickets in pt-BR and English for three departments,
 * built from phrase lists so every test trains on the same few dozen.
 */
const topics: { department: string; category: string; en: string[]; pt: string[] }[] = [
  {
    department: 'it',
    category: 'access',
    en: ['cannot log in, password expired', 'VPN connection keeps dropping', 'laptop screen is broken', 'printer driver will not install', 'account locked after password reset'],
    pt: ['não consigo acessar, senha expirada', 'a VPN cai toda hora', 'tela do notebook quebrada', 'impressora não instala o driver', 'conta bloqueada depois de trocar a senha'],
  },
  {
    department: 'finance',
    category: 'billing',
    en: ['invoice charged twice this month', 'refund for the duplicate payment', 'credit card billing error', 'need a copy of the invoice', 'wrong amount on my bill'],
    pt: ['fatura cobrada duas vezes este mês', 'estorno do pagamento duplicado', 'cobrança errada no cartão de crédito', 'preciso da segunda via do boleto', 'valor errado na minha fatura'],
  },
  {
    department: 'hr',
    category: 'benefits',
    en: ['vacation request for next month', 'health insurance card not received', 'payslip shows wrong overtime', 'parental leave paperwork', 'meal allowance missing'],
    pt: ['pedido de férias para o mês que vem', 'carteirinha do plano de saúde não chegou', 'holerite com horas extras erradas', 'documentos da licença-maternidade', 'vale-refeição não caiu'],
  },
];

const urgency = { en: ['It is urgent, the whole team is stopped.', 'When you can.', 'Please look at it today.'], pt: ['É urgente, a equipe toda está parada.', 'Quando puder.', 'Por favor vejam hoje.'] };
const priorityOf = ['high', 'low', 'normal'] as const;

export function labelledTickets(): TriageExample[] {
  const out: TriageExample[] = [];
  for (const t of topics) {
    for (const language of ['en', 'pt'] as const) {
      t[language].forEach((phrase, i) => {
        for (let u = 0; u < 3; u++) {
          const subject = phrase.split(',')[0]!;
          const body = `${language === 'en' ? 'Hello,' : 'Olá,'} ${phrase}. ${urgency[language][u]} ${language === 'en' ? 'Thanks' : 'Obrigado'} #${i}${u}`;
          out.push({ subject, body, language, department: t.department, category: t.category, priority: priorityOf[u]! });
        }
      });
    }
  }
  return out;
}
