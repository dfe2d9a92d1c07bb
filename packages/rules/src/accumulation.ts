import type { TimedEvaluator } from './evaluator.ts';
import { LevelMachine } from './level-machine.ts';
import { formatDuration, levelMessage } from './messages.ts';
import { resized, SlotStore, type StateColumn } from './slots.ts';
import type { AccumulationRule } from './types.ts';

const INT32_MAX = 2 ** 31 - 1;

/**
 * Sum of the readings over a sliding window (rainfall increments over 1/3/6/24 h).
 *
 * Each slot keeps a ring of `windowSec / bucketSec` bucket sums aligned to epoch time, plus their
 * running total, so a reading costs O(1): add to its bucket, and when time moves past buckets,
 * subtract them as they fall out. Late readings land in the bucket of their own timestamp, so
 * the sum is the same whatever order readings arrive in, as long as they are no older than the
 * window (older ones no longer count anyway and are dropped). The window is the newest bucket
 * plus the N−1 before it: it spans between windowSec − bucketSec and windowSec.
 *
 * Buckets hold whole multiples of the rule's `resolution` (0.01 by default) in 32-bit integers:
 * half the memory of doubles, and exact. Summing 0.1 mm a thousand times in floating point
 * gives 99.9999999999986, which misses a 100 mm threshold that the screen shows as reached;
 * in integers it is 10000, which divides back to exactly 100. The running total is exact for the
 * same reason, so it never drifts from the buckets and is 0 again when they empty. A bucket
 * saturates at ±2^31 − 1 resolution units (21 million mm at 0.01) rather than wrapping.
 *
 * A reading with the same timestamp as the newest one counted is taken for a redelivery and
 * skipped; duplicates of older readings cannot be recognised without keeping every timestamp
 * and must be removed upstream (ingestion dedupes on sensor + timestamp).
 *
 * Gauges often report only while it rains, so time alone must bring the sum down: `advance`
 * (called by the engine's tick) moves the windows of the slots that are raised or waiting for
 * a minimum duration; idle slots are caught up lazily at their next reading.
 */
export class AccumulationEvaluator extends SlotStore implements TimedEvaluator {
  measured = 0;
  evaluatedAt = 0;
  tracked = false;
  readonly machine: LevelMachine;
  readonly buckets: number;
  readonly bucketMs: number;
  readonly scale: number;
  ring: Int32Array;
  // Record offsets: epoch bucket number of the newest bucket (NaN before the first reading),
  // running sum, newest reading time, and 1 while the slot is in `active`.
  private readonly head: number;
  private readonly sum: number;
  private readonly lastTs: number;
  private readonly flag: number;
  /** Slots that are raised or waiting for a minimum duration: the ones time alone can change. */
  readonly active = new Set<number>();

  constructor(
    public rule: AccumulationRule,
    readonly key: string,
    capacity = 1024,
  ) {
    super(capacity);
    this.buckets = Math.round(rule.windowSec / rule.bucketSec);
    this.bucketMs = (rule.windowSec * 1000) / this.buckets;
    this.machine = new LevelMachine(rule, [NaN, 0, NaN, 0], this.capacity);
    this.head = this.machine.field;
    this.sum = this.head + 1;
    this.lastTs = this.head + 2;
    this.flag = this.head + 3;
    this.scale = Math.round(1 / rule.resolution);
    this.ring = new Int32Array(this.capacity * this.buckets);
  }

  protected resize(capacity: number) {
    this.machine.resize(capacity);
    this.ring = resized(this.ring, capacity * this.buckets);
  }

  /** Moves the newest bucket to `k`, dropping the buckets that fall out of the window. */
  private moveHead(slot: number, k: number) {
    const state = this.machine.state;
    const r = slot * this.machine.stride;
    const head = state[r + this.head];
    const base = slot * this.buckets;
    if (Number.isNaN(head) || k - head >= this.buckets) {
      if (!Number.isNaN(head)) this.ring.fill(0, base, base + this.buckets);
      state[r + this.sum] = 0;
    } else {
      let sum = state[r + this.sum];
      for (let b = head + 1; b <= k; b++) {
        const i = base + (b % this.buckets);
        sum -= this.ring[i];
        this.ring[i] = 0;
      }
      state[r + this.sum] = sum;
    }
    state[r + this.head] = k;
  }

  ingest(slot: number, ts: number, value: number): number {
    const machine = this.machine;
    const state = machine.state;
    const r = slot * machine.stride;
    const last = state[r + this.lastTs];
    if (ts === last) return -1;
    const k = Math.floor(ts / this.bucketMs);
    const head = state[r + this.head];
    if (k > head || Number.isNaN(head)) this.moveHead(slot, k);
    else if (k <= head - this.buckets) return -1;
    if (!(ts <= last)) state[r + this.lastTs] = ts;

    const i = slot * this.buckets + (k % this.buckets);
    const before = this.ring[i];
    const after = Math.max(-INT32_MAX, Math.min(INT32_MAX, before + Math.round(value * this.scale)));
    this.ring[i] = after;
    const units = state[r + this.sum] + (after - before);
    state[r + this.sum] = units;
    const sum = units / this.scale;
    this.measured = sum;
    this.evaluatedAt = state[r + this.lastTs];
    const previous = machine.step(slot, sum, state[r + this.lastTs]);
    if (previous >= 0 || machine.timed) this.track(slot);
    return previous;
  }

  private track(slot: number) {
    const state = this.machine.state;
    const at = slot * this.machine.stride + this.flag;
    const active = this.machine.levelOf(slot) !== 0 || this.machine.pending(slot) ? 1 : 0;
    if (active === state[at]) return;
    state[at] = active;
    if (active) this.active.add(slot);
    else this.active.delete(slot);
  }

  advance(now: number, changed: number[]) {
    if (this.active.size === 0) return;
    const k = Math.floor(now / this.bucketMs);
    for (const slot of [...this.active]) {
      if (this.sensorOf[slot] < 0) continue;
      const r = slot * this.machine.stride;
      if (k > this.machine.state[r + this.head]) this.moveHead(slot, k);
      const sum = this.machine.state[r + this.sum] / this.scale;
      const previous = this.machine.step(slot, sum, Math.max(now, this.machine.state[r + this.lastTs]));
      this.track(slot);
      if (previous >= 0) changed.push(slot, previous, sum);
    }
  }

  /** The current window sum of a slot, as of its newest reading or tick. */
  windowSum(slot: number): number {
    return this.machine.state[slot * this.machine.stride + this.sum] / this.scale;
  }

  levelOf(slot: number): number {
    return this.machine.levelOf(slot);
  }

  touch(slot: number): number {
    return this.machine.levelOf(slot);
  }

  describe(subject: string, previous: number, current: number, value: number): string {
    const label = this.rule.name ?? `${formatDuration(this.rule.windowSec)}累计值`;
    return levelMessage(subject, label, this.rule.unit, this.rule.direction, this.machine, previous, current, value);
  }

  reset(slot: number) {
    if (this.machine.state[slot * this.machine.stride + this.flag]) this.active.delete(slot);
    this.machine.reset(slot);
    this.ring.fill(0, slot * this.buckets, (slot + 1) * this.buckets);
  }

  columns(): Record<string, StateColumn> {
    return { state: this.machine.column(), ring: { array: this.ring, stride: this.buckets } };
  }

  rebuild() {
    this.active.clear();
    const state = this.machine.state;
    for (let slot = 0; slot < this.count; slot++) {
      state[slot * this.machine.stride + this.flag] = 0;
      if (this.sensorOf[slot] >= 0) this.track(slot);
    }
  }
}
