import { isPseudonym } from './erasure.ts';
import type { Message, Ticket } from './ticket.ts';
import type { TriageExample } from './triage-examples.ts';
import { MODEL_BODY_CHARS, MODEL_SUBJECT_CHARS } from './triage-model.ts';

/**
 * A ticket agents worked is a labelled example for the triage model: where it
 * ended (department, category, priority) is the label, its subject and the
 * start of the customer's first message the text. Pure: the example store
 * (functions/adapters/triage-example-store.ts) keeps one per ticket.
 *
 * Not learned from: spam, automatic mail, merged tickets, erased requesters.
 * Weight: 1; an agent who moved the ticket away from the department triage
 * routed it to made a correction, which counts most (3); one who routed a
 * ticket triage left to dispatch, 2; a priority changed from triage's, one more.
 */

export interface LabelledTicket extends TriageExample {
  ticketId: string;
  /** When it was opened: the example's month partition. */
  createdAt: string;
  /** The version of the ticket it was read from. */
  ticketVersion: number;
  /** What an agent changed from triage's decision. */
  corrected: { department: boolean; priority: boolean };
  /** Who decided at triage (absent on tickets triaged before the model). */
  decidedBy?: 'rules' | 'model' | 'nobody';
  /** When the store wrote it: a model trained before this has not seen it. */
  at?: string;
}

export const WEIGHT_DEPARTMENT_CORRECTED = 3;
export const WEIGHT_ROUTED_FROM_DISPATCH = 2;

/** Statuses whose ticket an agent has finished with. */
const finished = (t: Ticket) => t.status === 'resolved' || t.status === 'closed';

/**
 * The example a ticket makes now, or undefined when it makes none: not
 * finished, no department, spam, an automatic mail, merged into another (the
 * other carries the request), or no text.
 */
export function labelledExample(ticket: Ticket, messages: readonly Pick<Message, 'kind' | 'body' | 'createdAt'>[]): LabelledTicket | undefined {
  if (!finished(ticket) || !ticket.department || ticket.spam || ticket.automatic || ticket.mergedInto) return undefined;
  // An erased requester's ticket holds no text worth learning from, and must not bring any back.
  if (isPseudonym(ticket.requester.email)) return undefined;
  const opening = [...messages].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const first = opening.find((m) => m.kind === 'customer') ?? opening[0];
  const subject = ticket.subject.slice(0, MODEL_SUBJECT_CHARS);
  const body = (first?.body ?? '').slice(0, MODEL_BODY_CHARS);
  if (!subject.trim() && !body.trim()) return undefined;

  const t = ticket.triage;
  const preset = new Set(ticket.presetByAgent ?? []);
  const routed = t && !t.dispatch && t.department ? t.department : null;
  const department = !!t && !preset.has('department') && routed !== null && routed !== ticket.department;
  const fromDispatch = !!t && !preset.has('department') && routed === null;
  const priority = !!t && !preset.has('priority') && t.priority !== ticket.priority;
  const weight = (department ? WEIGHT_DEPARTMENT_CORRECTED : fromDispatch ? WEIGHT_ROUTED_FROM_DISPATCH : 1) + (priority ? 1 : 0);

  const example: LabelledTicket = {
    ticketId: ticket.id,
    createdAt: ticket.createdAt,
    ticketVersion: ticket.version,
    subject,
    body,
    department: ticket.department,
    priority: ticket.priority,
    weight,
    corrected: { department, priority },
  };
  if (ticket.language) example.language = ticket.language.slice(0, 2).toLowerCase();
  if (ticket.category) example.category = ticket.category;
  if (t?.decidedBy) example.decidedBy = t.decidedBy;
  return example;
}
