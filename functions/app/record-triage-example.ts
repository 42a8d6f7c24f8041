import { labelledExample, type LabelledTicket } from '#core/triage-labels';
import type { Message, Ticket } from '#core/ticket';

/**
 * A ticket agents finished with (resolved or closed) becomes a labelled
 * example for the triage model. Called after the change is written; the
 * example is written on condition that the ticket is still at the version it
 * was read from, and read again if not, so the example always holds the
 * ticket's latest finished state and a later change is never lost to an
 * earlier one. One item per ticket: writing it again overwrites it.
 */
export interface RecordTriageExampleDeps {
  tickets: { getThread(id: string): Promise<{ ticket: Ticket; messages: Message[] } | undefined> };
  examples: { put(example: LabelledTicket): Promise<'written' | 'stale'> };
}

const ATTEMPTS = 3;

export type RecordOutcome = 'written' | 'none' | 'stale';

export async function recordTriageExample(ticketId: string, deps: RecordTriageExampleDeps): Promise<RecordOutcome> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const thread = await deps.tickets.getThread(ticketId);
    if (!thread) return 'none';
    const example = labelledExample(thread.ticket, thread.messages);
    // Not (or no longer) finished: nothing to learn from it now; its next resolution writes it.
    if (!example) return 'none';
    if ((await deps.examples.put(example)) === 'written') return 'written';
  }
  // Changed under us every time: the writer of the latest change records it.
  return 'stale';
}

/** Whether a change makes or alters an example: the ticket is finished now and was not, or its labels moved while finished. */
export function changesExample(before: Ticket, after: Ticket): boolean {
  const done = (t: Ticket) => t.status === 'resolved' || t.status === 'closed';
  if (!done(after)) return false;
  return !done(before) || before.department !== after.department || before.priority !== after.priority || before.category !== after.category;
}
