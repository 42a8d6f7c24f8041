import { describe, expect, it } from 'vitest';
import { purgeClosedTickets, type PurgeDeps } from '../../functions/app/purge-closed-tickets.ts';

const DAY = 86_400_000;
const now = Date.parse('2026-06-30T03:30:00.000Z');

/** Closed tickets by id with what purging each answers; a fake clock that moves `tick` ms per purge. */
function fakes(answers: Record<string, 'purged' | 'kept' | 'gone'>, tick = 0) {
  let time = 0;
  const asked: { cutoff: string; limit: number }[] = [];
  const purged: string[] = [];
  const deps: PurgeDeps = {
    store: {
      closedBefore: async (cutoff, limit) => (asked.push({ cutoff, limit }), Object.keys(answers).slice(0, limit)),
      purgeTicket: async (id) => {
        purged.push(id);
        time += tick;
        return answers[id]!;
      },
    },
    clock: () => time,
  };
  return { deps, asked, purged };
}

describe('purgeClosedTickets (the retention purge)', () => {
  it('asks for tickets closed before now − days and counts what each purge answered', async () => {
    const f = fakes({ a: 'purged', b: 'purged', c: 'kept', d: 'gone' });
    const result = await purgeClosedTickets({ now, days: 30 }, f.deps);
    expect(f.asked).toEqual([{ cutoff: new Date(now - 30 * DAY).toISOString(), limit: 500 }]);
    expect(result).toEqual({ cutoff: new Date(now - 30 * DAY).toISOString(), found: 4, purged: 2, kept: 1, gone: 1 });
  });

  it('takes at most `max` tickets a run', async () => {
    const f = fakes({ a: 'purged', b: 'purged', c: 'purged' });
    expect((await purgeClosedTickets({ now, days: 30, max: 2 }, f.deps)).purged).toBe(2);
  });

  it('stops starting purges once its time budget is spent; what is left waits for the next run', async () => {
    const ids = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, 'purged' as const]));
    const f = fakes(ids, 1_000);
    const result = await purgeClosedTickets({ now, days: 30, budgetMs: 10_000 }, f.deps);
    expect(result.found).toBe(40);
    // Four run at once: each may finish the purge it started when the budget ran out.
    expect(result.purged).toBeGreaterThanOrEqual(10);
    expect(result.purged).toBeLessThan(14);
  });
});
