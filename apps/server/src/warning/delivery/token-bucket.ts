/**
 * A token bucket per channel: `perSecond` tokens flow in continuously up to `burst`; a send of n
 * messages takes n. Time comes from the injected clock, so tests count sends per window by
 * moving a manual clock instead of sleeping.
 */
import type { Clock } from '@anlan/core';
import type { RateLimit } from './config.ts';

export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Nothing may be taken before this (a provider's Retry-After). */
  private pausedUntil = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    this.tokens = limit.burst;
    this.last = clock.now().getTime();
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
      this.last = now;
    }
  }

  /** Takes up to `wanted` whole tokens; returns how many it got (0 while paused or empty). */
  take(wanted: number): number {
    const now = this.clock.now().getTime();
    if (now < this.pausedUntil) return 0;
    this.refill(now);
    const n = Math.max(0, Math.min(wanted, Math.floor(this.tokens)));
    this.tokens -= n;
    return n;
  }

  /** Gives back tokens taken for messages that were not sent after all (nothing was due). */
  giveBack(n: number): void {
    this.tokens = Math.min(this.limit.burst, this.tokens + n);
  }

  /** The provider said to wait: nothing goes before `ms` from now (then at the usual rate). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now().getTime() + ms);
  }

  /** Milliseconds until at least one token is there. */
  msUntilAvailable(): number {
    const now = this.clock.now().getTime();
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000);
  }
}
