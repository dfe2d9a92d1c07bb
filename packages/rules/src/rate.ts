import type { SensorEvaluator } from './evaluator.ts';
import { LevelMachine } from './level-machine.ts';
import { formatDuration, levelMessage } from './messages.ts';
import { resized, SlotStore, type StateColumn } from './slots.ts';
import type { RateRule } from './types.ts';

/**
 * Rate of change (GNSS displacement in mm/h, water level rise in m/h): the change from the
 * earliest reading still in the window to the newest reading, divided by the time between them
 * and expressed per `unitSec`.
 *
 * Each slot keeps, for each of the window's N buckets plus one, the earliest reading that fell in
 * it, and a pointer to the oldest bucket that still holds one; the pointer only moves forward as
 * time passes (or back to a late reading's bucket), so finding the reference reading is O(1)
 * amortised. Dividing by the real time span makes the result a true average rate even though
 * the span varies between windowSec and windowSec + bucketSec.
 *
 * No rate is computed (and the level is left as it is) until the readings span `minSpanSec`:
 * right after start-up or a gap, two readings a few seconds apart would give a wild rate.
 * A late reading updates the bucket it belongs to and the rate is recomputed as of the newest
 * reading; the newest value itself is only replaced by a newer (or same-time) reading.
 */
export class RateEvaluator extends SlotStore implements SensorEvaluator {
  measured = 0;
  evaluatedAt = 0;
  tracked = false;
  readonly machine: LevelMachine;
  readonly buckets: number;
  readonly cells: number;
  readonly bucketMs: number;
  readonly unitMs: number;
  readonly minSpanMs: number;
  /** Per slot, per cell: [timestamp (NaN when empty), value] of the earliest reading in that bucket. */
  ring: Float64Array;
  // Record offsets: epoch bucket numbers of the newest reading and of the oldest bucket that
  // holds a reading, then the newest reading itself.
  private readonly head: number;
  private readonly ref: number;
  private readonly lastTs: number;
  private readonly lastValue: number;

  constructor(
    public rule: RateRule,
    readonly key: string,
    capacity = 256,
  ) {
    super(capacity);
    this.buckets = Math.round(rule.windowSec / rule.bucketSec);
    this.cells = this.buckets + 1;
    this.bucketMs = (rule.windowSec * 1000) / this.buckets;
    this.unitMs = rule.unitSec * 1000;
    this.minSpanMs = Math.max(rule.minSpanSec * 1000, 1);
    this.machine = new LevelMachine(rule, [NaN, NaN, NaN, 0], this.capacity);
    this.head = this.machine.field;
    this.ref = this.head + 1;
    this.lastTs = this.head + 2;
    this.lastValue = this.head + 3;
    this.ring = new Float64Array(this.capacity * this.cells * 2).fill(NaN);
  }

  protected resize(capacity: number) {
    this.machine.resize(capacity);
    this.ring = resized(this.ring, capacity * this.cells * 2, NaN);
  }

  private cell(slot: number, bucket: number): number {
    return (slot * this.cells + (bucket % this.cells)) * 2;
  }

  ingest(slot: number, ts: number, value: number): number {
    const machine = this.machine;
    const state = machine.state;
    const r = slot * machine.stride;
    const ring = this.ring;
    const k = Math.floor(ts / this.bucketMs);
    let head = state[r + this.head];
    if (!Number.isNaN(head) && k < head - this.buckets) return -1;

    const c = this.cell(slot, k);
    if (Math.floor(ring[c] / this.bucketMs) !== k || ts < ring[c]) {
      ring[c] = ts;
      ring[c + 1] = value;
    }
    if (!(ts < state[r + this.lastTs])) {
      state[r + this.lastTs] = ts;
      state[r + this.lastValue] = value;
    }
    if (Number.isNaN(head) || k > head) {
      head = k;
      state[r + this.head] = k;
    }

    let ref = state[r + this.ref];
    if (Number.isNaN(ref) || k < ref) ref = k;
    if (ref < head - this.buckets) ref = head - this.buckets;
    while (ref < head && Math.floor(ring[this.cell(slot, ref)] / this.bucketMs) !== ref) ref++;
    state[r + this.ref] = ref;

    const rc = this.cell(slot, ref);
    const span = state[r + this.lastTs] - ring[rc];
    if (span < this.minSpanMs) return -1;
    // Rounded to 1e-9 units: displacements like 12 − 10 come out as 1.9999999999999998 in binary
    // floating point, and a rate of "exactly 2 mm/h" must meet a 2 mm/h threshold.
    const rate = Math.round(((state[r + this.lastValue] - ring[rc + 1]) * this.unitMs * 1e9) / span) / 1e9;
    this.measured = rate;
    this.evaluatedAt = state[r + this.lastTs];
    return machine.step(slot, rate, state[r + this.lastTs]);
  }

  levelOf(slot: number): number {
    return this.machine.levelOf(slot);
  }

  touch(slot: number): number {
    return this.machine.levelOf(slot);
  }

  describe(subject: string, previous: number, current: number, value: number): string {
    const label = this.rule.name ?? `${formatDuration(this.rule.windowSec)}变化速率`;
    return levelMessage(subject, label, this.rule.unit, this.rule.direction, this.machine, previous, current, value);
  }

  reset(slot: number) {
    this.machine.reset(slot);
    this.ring.fill(NaN, slot * this.cells * 2, (slot + 1) * this.cells * 2);
  }

  columns(): Record<string, StateColumn> {
    return { state: this.machine.column(), ring: { array: this.ring, stride: this.cells * 2 } };
  }

  rebuild() {}
}
