import { retentionCutoff } from '#core/erasure';

/**
 * The retention purge: every ticket closed more than `days` days ago is
 * deleted with everything it owns (messages, events, search and mail index
 * entries, raw mail and files). Report counters stay. Bounded per run
 * (tickets and time); what is left waits for the next run, and an
 * interrupted purge is finished by it.
 */
export interface PurgeDeps {
  store: {
    closedBefore(cutoff: string, limit: number): Promise<string[]>;
    purgeTicket(ticketId: string, cutoff: string): Promise<'purged' | 'kept' | 'gone'>;
  };
  /** Read on each run: the time budget is measured from its start. */
  clock?: () => number;
}

export interface PurgeResult {
  cutoff: string;
  found: number;
  purged: number;
  kept: number;
  gone: number;
}

/** Tickets one run deletes at most. */
export const MAX_TICKETS_PER_RUN = 500;
const PARALLEL = 4;

/** One purge run: tickets closed before now − `days`, at most `max`, within `budgetMs`. */
export async function purgeClosedTickets(opts: { now: number; days: number; max?: number; budgetMs?: number | undefined }, deps: PurgeDeps): Promise<PurgeResult> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const cutoff = retentionCutoff(opts.now, opts.days);
  const ids = await deps.store.closedBefore(cutoff, opts.max ?? MAX_TICKETS_PER_RUN);
  const result: PurgeResult = { cutoff, found: ids.length, purged: 0, kept: 0, gone: 0 };
  let next = 0;
  const worker = async () => {
    while (next < ids.length && clock() - started < (opts.budgetMs ?? Infinity)) {
      result[await deps.store.purgeTicket(ids[next++]!, cutoff)]++;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return result;
}
