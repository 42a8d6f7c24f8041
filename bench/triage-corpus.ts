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
