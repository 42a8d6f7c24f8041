/**
 * Hands out human ticket numbers from a shared counter without a counter write
 * per ticket under load. At ordinary rates every ticket reserves exactly one
 * number, so numbers run in order with no gaps. When reservations come faster
 * than one a second (a burst, a bulk import), the process reserves growing
 * blocks, up to `maxBlock`; numbers then stay unique and increasing per
 * process, but two processes' tickets may interleave, and numbers left in a
 * block when a process ends are skipped.
 */
export class TicketNumbers {
  private next = 0;
  private high = -1;
  private block = 1;
  private lastReservedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;

  constructor(
    /** Atomically adds `count` to the counter and returns its new value. */
    private readonly reserve: (count: number) => Promise<number>,
    private readonly maxBlock = 32,
    private readonly now: () => number = Date.now,
  ) {}

  async take(): Promise<number> {
    for (;;) {
      if (this.next <= this.high) return this.next++;
      // One reservation at a time; concurrent callers wait for it and share the block.
      this.pending ??= this.refill().finally(() => (this.pending = undefined));
      await this.pending;
    }
  }

  private async refill(): Promise<void> {
    const t = this.now();
    this.block = t - this.lastReservedAt < 1000 ? Math.min(this.block * 2, this.maxBlock) : 1;
    this.lastReservedAt = t;
    const count = this.block;
    const high = await this.reserve(count);
    this.next = high - count + 1;
    this.high = high;
  }
}
