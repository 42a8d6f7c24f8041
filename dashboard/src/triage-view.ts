import type { Priority, Ticket } from './types.ts';

/** What the ticket page says about triage's decision, and what the agent may do with it. Pure, so it is unit-tested. */
export interface TriageView {
  /** Who decided: the rules an admin wrote, the model learned from the desk, or nobody (the ticket waits in dispatch). */
  decidedBy: 'rules' | 'model' | 'nobody';
  /** The department triage suggested (for a dispatch ticket, its best guess), or null. */
  department: string | null;
  category: string | null;
  priority: Priority | null;
  confidence: number;
  words: string[];
  verdict: 'confirmed' | 'corrected' | null;
  /** 'route': a dispatch ticket goes where triage suggested; 'accept': the routed ticket stays; null: nothing to accept. */
  accept: 'route' | 'accept' | null;
}

export function triageView(ticket: Ticket): TriageView | null {
  const r = ticket.triage;
  if (!r) return null;
  const decidedBy = r.decidedBy ?? (r.dispatch ? 'nobody' : 'rules');
  const department = r.department ?? null;
  const verdict = r.review?.verdict ?? null;
  const open = ticket.status !== 'closed';
  let accept: TriageView['accept'] = null;
  // The agent recording the ticket chose its department: triage's is not the ticket's to accept.
  const preset = ticket.presetByAgent?.includes('department');
  if (open && !verdict && department && !preset) accept = ticket.department === department ? 'accept' : ticket.department === null ? 'route' : null;
  return { decidedBy, department, category: r.category ?? null, priority: r.priority ?? null, confidence: r.confidence, words: r.words ?? [], verdict, accept };
}

/** The fields a correction changes: only those that differ from the ticket as it is. */
export function correctionPatch(ticket: Pick<Ticket, 'department' | 'category' | 'priority'>, chosen: { department: string; category: string; priority: Priority }): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const department = chosen.department || null;
  const category = chosen.category.trim().toLowerCase() || null;
  if (department !== (ticket.department ?? null)) patch.department = department;
  if (category !== (ticket.category ?? null)) patch.category = category;
  if (chosen.priority !== ticket.priority) patch.priority = chosen.priority;
  return patch;
}
