import { readFileSync } from 'node:fs';
import type { Priority } from '#core/ticket';

/**
 * How the labelled corpus (../shared/corpora/labelled-tickets/) maps onto the
 * desk, apart from bench/triage.ts so a test can import it without running the
 * benchmark.
 *
 * Corpus queues → the desk's default departments (it, finance, support, hr,
 * facilities). The corpus is a software company's customer desk: its
 * technical, product and IT queues and outages are all "something does not
 * work" handled by the technical team (it); billing is finance; returns,
 * customer service, pre-sales and general questions are the customer-facing
 * team (support), which the default rules' 'product' category (orders,
 * deliveries, returns) already routes to. No corpus queue is HR or facilities.
 */
export const QUEUE_DEPARTMENT: Record<string, string> = {
  'Technical Support': 'it',
  'Product Support': 'it',
  'IT Support': 'it',
  'Service Outages and Maintenance': 'it',
  'Billing and Payments': 'finance',
  'Returns and Exchanges': 'support',
  'Customer Service': 'support',
  'Sales and Pre-Sales': 'support',
  'General Inquiry': 'support',
};

/** The corpus has three levels; the desk's 'urgent' is above its 'high'. */
export const CORPUS_PRIORITY: Record<string, Priority> = { high: 'high', medium: 'normal', low: 'low' };

/** A corpus ticket as the desk's API takes it, with the department and priority it should end with. */
export interface CorpusTicket {
  subject: string;
  body: string;
  department: string;
  priority: Priority;
}

/** The corpus tickets of a mapped queue that have a body, shaped for POST /tickets (integration tests read them at test time). */
export function readCorpusTickets(file: string): CorpusTicket[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { subject?: string | null; body?: string | null; queue: string; priority: string })
    .filter((r) => QUEUE_DEPARTMENT[r.queue] && (r.body ?? '').trim())
    .map((r) => ({
      // A few corpus tickets have no subject; the API needs one.
      subject: (r.subject ?? '').trim().slice(0, 250) || '(no subject)',
      body: r.body!.slice(0, 20_000),
      department: QUEUE_DEPARTMENT[r.queue]!,
      priority: CORPUS_PRIORITY[r.priority] ?? 'normal',
    }));
}
