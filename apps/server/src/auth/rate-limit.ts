import type { Clock } from '@anlan/core';

/**
 * Counts failures per key in a fixed window. Kept in memory: with several API processes each
 * enforces its own limit, which still bounds guessing to limit × processes per window.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const entry = this.current(key);
    if (!entry || entry.count < this.limit) return 0;
    return Math.ceil((entry.windowStart + this.windowMs - this.clock.now().getTime()) / 1000);
  }

  recordFailure(key: string): void {
    const entry = this.current(key);
    if (entry) entry.count += 1;
    else this.failures.set(key, { count: 1, windowStart: this.clock.now().getTime() });
    if (this.failures.size > 100_000) this.prune();
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private current(key: string): { count: number; windowStart: number } | undefined {
    const entry = this.failures.get(key);
    if (entry && this.clock.now().getTime() - entry.windowStart >= this.windowMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  private prune(): void {
    const now = this.clock.now().getTime();
    for (const [k, v] of this.failures) if (now - v.windowStart >= this.windowMs) this.failures.delete(k);
  }
}
