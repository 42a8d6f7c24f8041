/**
 * The API's shapes as the dashboard reads them (see README "The API in brief").
 * Declared here rather than imported from functions/, so the browser bundle
 * never pulls server code.
 */
export const statuses = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed'] as const;
export type Status = (typeof statuses)[number];
export const activeStatuses: readonly Status[] = ['new', 'open', 'pending', 'on_hold'];

export const priorities = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof priorities)[number];

export type Level = 1 | 2 | 3;

/** Legal status changes, as functions/core/ticket.ts allows them (the API is the judge). */
export const transitions: Record<Status, readonly Status[]> = {
  new: ['open', 'pending', 'on_hold', 'resolved'],
  open: ['pending', 'on_hold', 'resolved'],
  pending: ['open', 'on_hold', 'resolved'],
  on_hold: ['open', 'pending', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

/** Categories triage knows by default; agents may type any other. */
export const knownCategories = ['access', 'hardware', 'network', 'software', 'security', 'payroll', 'benefits', 'billing', 'expenses', 'facilities', 'product'];

export interface Ticket {
  id: string;
  number: number;
  subject: string;
  status: Status;
  priority: Priority;
  level: Level;
  department: string | null;
  category: string | null;
  tags: string[];
  assignee: string | null;
  requester: { email: string; name?: string };
  /** Others copied on public replies (see components/participants.tsx). */
  participants?: string[];
  channel?: string;
  language?: string | null;
  spam?: boolean;
  /** Opened by a mail that failed sender authentication: no automatic mail goes to the requester. */
  unverified?: boolean;
  /** Opened by an automatic mail that answered no ticket. */
  automatic?: boolean;
  createdAt: string;
  updatedAt?: string;
  firstResponseDueAt: string;
  resolutionDueAt: string;
  firstRespondedAt?: string | null;
  resolvedAt?: string | null;
  levelDueAt: string | null;
  dueAt: string | null;
  slaPausedAt: string | null;
  breaches: { level: Level; at: string }[];
  triage?: TriageRecord | null;
  /** Fields the agent who recorded the ticket set by hand (triage left them alone). */
  presetByAgent?: ('priority' | 'category' | 'department')[];
  survey?: { rating: number | null; comment?: string | null; sentAt?: string; ratedAt?: string | null } | null;
  version: number;
}

/** What triage decided for a ticket (functions/core/ticket.ts TriageRecord). */
export interface TriageRecord {
  at?: string;
  confidence: number;
  dispatch: boolean;
  category?: string | null;
  department?: string | null;
  priority?: Priority;
  signals?: string[];
  /** Absent on records from before the learned model: the rules'. */
  decidedBy?: 'rules' | 'model' | 'nobody';
  priorityBy?: 'rules' | 'model';
  words?: string[];
  modelVersion?: string;
  threshold?: number;
  /** What agents made of it: accepted (or resolved where triage sent it) or corrected. */
  review?: { verdict: 'confirmed' | 'corrected'; at: string };
}

export interface FileRef {
  filename: string;
  contentType: string;
  size: number;
  key: string;
  inline?: boolean;
  contentId?: string;
}

export interface Message {
  id: string;
  kind: 'customer' | 'reply' | 'note';
  public: boolean;
  body: string;
  author: { type: 'agent' | 'customer'; email: string; name?: string };
  createdAt: string;
  mail?: { html: string | null; fullText: string; attachments: FileRef[]; truncated?: boolean; verdicts?: Record<string, string>; automated?: boolean; unverified?: boolean };
  attachments?: FileRef[];
}

export interface AuditEvent {
  version: number;
  at: string;
  actor: { email: string; sub?: string };
  action: string;
  changes: { field: string; before: unknown; after: unknown }[];
}

/** An address a reply goes to that bounced or complained before (on any ticket). */
export interface RecipientWarning {
  code: 'recipient_bounced' | 'recipient_complained';
  address: string;
  at: string;
  type: 'permanent' | 'transient' | 'undetermined' | 'complaint';
}

export interface Thread {
  ticket: Ticket;
  messages: Message[];
  events: AuditEvent[];
  warnings?: RecipientWarning[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface Department {
  id: string;
  name: Record<string, string>;
  kind: 'internal' | 'external';
}

export interface Agent {
  email: string;
  name?: string;
  groups?: string[];
  departments?: string[];
  active?: boolean;
}

export interface CannedResponse {
  id: string;
  title: Record<string, string>;
  body: Record<string, string>;
}

export interface Report {
  from: string;
  to: string;
  volume: { day: string; category: string | null; count: number }[];
  topCategories: { category: string | null; count: number }[];
  topSubjects: { subject: string; count: number }[];
  sla: { priority: Priority; level: Level; met: number; breached: number }[];
  backlog: { level: Level; status: Status; count: number }[];
  csat: { count: number; average: number | null; distribution: Record<string, number> };
  /** Absent from a stack deployed before the triage report. */
  triage?: TriageReport;
}

/** Triage's figures of some tickets (functions/core/triage-report.ts). */
export interface TriageFigures {
  triaged: number;
  rules: number;
  model: number;
  dispatch: number;
  confirmed: number;
  corrected: number;
  accuracy: number | null;
  dispatchShare: number | null;
  correctedShare: number | null;
}

export interface TriageReport {
  weeks: string[];
  rows: ({ week: string; department: string | null } & TriageFigures)[];
  departments: ({ department: string | null } & TriageFigures)[];
  perWeek: ({ week: string } & TriageFigures)[];
  total: TriageFigures;
}
