import { describe, expect, it } from 'vitest';
import { TicketNumbers } from '../../functions/core/ticket-numbers.ts';

function counter() {
  let value = 0;
  const calls: number[] = [];
  return {
    calls,
    reserve: async (n: number) => {
      calls.push(n);
      await new Promise((r) => setTimeout(r, 1));
      value += n;
      return value;
    },
  };
}

describe('TicketNumbers', () => {
  it('reserves one number per ticket at ordinary rates: sequential, no gaps', async () => {
    const c = counter();
    let t = 0;
    const numbers = new TicketNumbers(c.reserve, 32, () => (t += 5000));
    const got = [];
    for (let i = 0; i < 5; i++) got.push(await numbers.take());
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(c.calls).toEqual([1, 1, 1, 1, 1]);
  });

  it('reserves growing blocks in a burst, and every number stays unique', async () => {
    const c = counter();
    const numbers = new TicketNumbers(c.reserve, 32, () => 1_000);
    const got = await Promise.all(Array.from({ length: 200 }, () => numbers.take()));
    expect(new Set(got).size).toBe(200);
    expect(Math.max(...c.calls)).toBe(32);
    expect(c.calls.length).toBeLessThan(20);
    expect(c.calls.slice(0, 6)).toEqual([1, 2, 4, 8, 16, 32]);
  });

  it('two processes sharing a counter never hand out the same number', async () => {
    const c = counter();
    const a = new TicketNumbers(c.reserve, 8, () => 0);
    const b = new TicketNumbers(c.reserve, 8, () => 0);
    const got = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).take()));
    expect(new Set(got).size).toBe(100);
  });

  it('passes a failed reservation to the waiting callers and recovers on the next call', async () => {
    let fail = true;
    let t = 0;
    const numbers = new TicketNumbers(
      async () => {
        if (fail) throw new Error('throttled');
        return 7;
      },
      32,
      () => (t += 5000),
    );
    await expect(Promise.all([numbers.take(), numbers.take()])).rejects.toThrow('throttled');
    fail = false;
    expect(await numbers.take()).toBe(7);
  });
});
