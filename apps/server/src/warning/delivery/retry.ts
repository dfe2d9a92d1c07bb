/**
 * When a message that failed for a passing reason is tried again: exponential backoff with
 * jitter ("equal jitter": half the step fixed, half random), so that a gateway coming back up is
 * not hit by every waiting message in the same second. random is injectable for tests.
 */
import type { RetryPolicyConfig } from './config.ts';

export class RetryPolicy {
  constructor(
    private readonly config: RetryPolicyConfig,
    private readonly random: () => number = Math.random,
  ) {}

  get maxAttempts(): number {
    return this.config.maxAttempts;
  }

  /** The wait after the `attempts`-th attempt failed (attempts ≥ 1). */
  delayMs(attempts: number): number {
    const step = Math.min(this.config.maxMs, this.config.baseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(step / 2 + (step / 2) * this.random());
  }

  /** Whether another attempt is allowed after `attempts` attempts. */
  canRetry(attempts: number): boolean {
    return attempts < this.config.maxAttempts;
  }
}
