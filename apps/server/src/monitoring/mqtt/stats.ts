import type { Logger } from 'pino';

/** What one connection (or the bridge) has done; `rejected` readings are in the quarantine. */
export interface MqttCounters {
  messages: number;
  readings: number;
  accepted: number;
  rejected: number;
  /** Messages on topics that carry no readings: acknowledged and dropped. */
  dropped: number;
  /** Connections refused (embedded broker: bad or revoked token, oversize packet). */
  refused: number;
}

export const zeroCounters = (): MqttCounters => ({ messages: 0, readings: 0, accepted: 0, rejected: 0, dropped: 0, refused: 0 });

/**
 * A warning per key (a device, a kind of failure) at most once a window, carrying how many were
 * held back since: a device stuck sending garbage at 100 messages a second must not flood the log.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 60_000,
  ) {}

  warn(key: string, obj: Record<string, unknown>, msg: string): void {
    this.emit('warn', key, obj, msg);
  }

  error(key: string, obj: Record<string, unknown>, msg: string): void {
    this.emit('error', key, obj, msg);
  }

  private emit(level: 'warn' | 'error', key: string, obj: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    const e = this.last.get(key);
    if (e && now - e.at < this.windowMs) {
      e.held += 1;
      return;
    }
    this.log[level]({ ...obj, ...(e?.held ? { heldBack: e.held } : {}) }, msg);
    this.last.set(key, { at: now, held: 0 });
    if (this.last.size > 10_000) {
      for (const [k, v] of this.last) if (now - v.at >= this.windowMs) this.last.delete(k);
    }
  }
}
