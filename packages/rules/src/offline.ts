import type { TimedEvaluator } from './evaluator.ts';
import { DeadlineHeap } from './heap.ts';
import { offlineClearedMessage, offlineRaisedMessage } from './messages.ts';
import { Records, SlotStore, type StateColumn } from './slots.ts';
import { levelCode, type OfflineRule } from './types.ts';

/**
 * "No data for N intervals". A reading only stores its timestamp (and, if the slot has no
 * deadline queued, queues one), so the hot path stays O(1). Deadlines sit in a min-heap and are
 * checked lazily: when one comes due, the real deadline is recomputed from the newest reading
 * and either raises the alarm or is queued again. A sensor is thus re-queued at most once per
 * timeout, not once per reading.
 *
 * A sensor is offline when `now > newest reading + intervals × intervalSec` (reading time, as
 * sent by the device). The alarm clears on a reading newer than any seen before, unless that
 * reading is itself too old to count as "online now" (a device uploading its backlog after a
 * long outage): then it stays offline until current data arrives.
 */
export class OfflineEvaluator extends SlotStore implements TimedEvaluator {
  measured = 0;
  evaluatedAt = 0;
  tracked = false;
  readonly timeoutMs: number;
  readonly code: number;
  /** Per slot [newest reading time (NaN: none yet), level code, 1 while a deadline is queued]. */
  readonly records: Records;
  private readonly heap = new DeadlineHeap();
  /** The newest tick time; the reference for "is this reading current". */
  now = -Infinity;

  constructor(
    public rule: OfflineRule,
    readonly key: string,
    capacity = 1024,
  ) {
    super(capacity);
    this.timeoutMs = rule.intervals * rule.intervalSec * 1000;
    this.code = levelCode(rule.level);
    this.records = new Records(3, [NaN, 0, 0], this.capacity);
  }

  protected resize(capacity: number) {
    this.records.resize(capacity);
  }

  ingest(slot: number, ts: number): number {
    const state = this.records.array;
    const r = slot * 3;
    const seen = state[r];
    if (ts <= seen) return -1;
    state[r] = ts;
    if (state[r + 1] !== 0) {
      if (ts + this.timeoutMs < this.now) return -1;
      state[r + 1] = 0;
      this.measured = (ts - seen) / 1000;
      this.evaluatedAt = ts;
      this.queue(slot, ts + this.timeoutMs);
      return this.code;
    }
    if (state[r + 2] === 0) this.queue(slot, ts + this.timeoutMs);
    return -1;
  }

  private queue(slot: number, deadline: number) {
    this.records.array[slot * 3 + 2] = 1;
    this.heap.push(deadline, slot);
  }

  /** Start the clock for a sensor that has not reported yet, as if it had reported at `since`. */
  expect(slot: number, since: number) {
    const state = this.records.array;
    const r = slot * 3;
    if (!Number.isNaN(state[r])) return;
    state[r] = since;
    if (state[r + 2] === 0 && state[r + 1] === 0) this.queue(slot, since + this.timeoutMs);
  }

  advance(now: number, changed: number[]) {
    if (now > this.now) this.now = now;
    const heap = this.heap;
    const state = this.records.array;
    while (heap.peekKey() < now) {
      const slot = heap.pop();
      const r = slot * 3;
      state[r + 2] = 0;
      if (this.sensorOf[slot] < 0 || state[r + 1] !== 0 || Number.isNaN(state[r])) continue;
      const deadline = state[r] + this.timeoutMs;
      if (deadline < now) {
        state[r + 1] = this.code;
        changed.push(slot, 0, (now - state[r]) / 1000);
      } else this.queue(slot, deadline);
    }
  }

  levelOf(slot: number): number {
    return this.records.array[slot * 3 + 1];
  }

  touch(slot: number): number {
    return this.records.array[slot * 3];
  }

  describe(subject: string, previous: number, _current: number, value: number): string {
    return previous === 0 ? offlineRaisedMessage(subject, value, this.rule.intervals, this.rule.intervalSec) : offlineClearedMessage(subject, value);
  }

  reset(slot: number) {
    // Keep the queued flag: a deadline still in the heap finds lastSeen NaN and is dropped.
    const queued = this.records.array[slot * 3 + 2];
    this.records.clear(slot, slot + 1);
    this.records.array[slot * 3 + 2] = queued;
  }

  columns(): Record<string, StateColumn> {
    return { state: { array: this.records.array, stride: 3 } };
  }

  rebuild() {
    this.heap.clear();
    const state = this.records.array;
    for (let slot = 0; slot < this.count; slot++) {
      const r = slot * 3;
      state[r + 2] = 0;
      if (this.sensorOf[slot] >= 0 && state[r + 1] === 0 && !Number.isNaN(state[r])) this.queue(slot, state[r] + this.timeoutMs);
    }
  }
}
