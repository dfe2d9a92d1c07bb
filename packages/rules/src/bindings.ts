import { resized, nextCapacity } from './slots.ts';

/**
 * Which (evaluator, slot) pairs each sensor has. Most sensors have one rule, so the first pair
 * sits in the sensor's own 16-byte record and the rest in an overflow array: a reading then
 * costs one cache miss here instead of two or three (readings arrive in no sensor order, so
 * nothing is ever in cache already).
 */
export class Bindings {
  /** Per sensor: [pair count, first evaluator, first slot, start of the others in `overflow`]. */
  rec: Int32Array;
  overflow = new Int32Array(1024);
  overflowLength = 0;
  pairs = 0;

  constructor(capacity: number) {
    this.rec = new Int32Array(capacity * 4);
  }

  ensure(sensors: number) {
    if (sensors * 4 <= this.rec.length) return;
    let capacity = this.rec.length / 4;
    while (capacity < sensors) capacity = nextCapacity(capacity);
    this.rec = resized(this.rec, capacity * 4);
  }

  trim(sensors: number) {
    this.rec = resized(this.rec, sensors * 4);
    this.overflow = resized(this.overflow, Math.max(16, this.overflowLength));
  }

  /** Sets a sensor's pairs, given flat as [evaluator, slot, evaluator, slot, ...]. */
  set(sensor: number, flat: readonly number[]) {
    const r = sensor * 4;
    const n = flat.length / 2;
    this.pairs += n - this.rec[r];
    this.rec[r] = n;
    this.rec[r + 1] = flat[0] ?? 0;
    this.rec[r + 2] = flat[1] ?? 0;
    this.rec[r + 3] = this.overflowLength;
    if (n <= 1) return;
    while (this.overflowLength + flat.length - 2 > this.overflow.length) this.overflow = resized(this.overflow, this.overflow.length * 2);
    for (let i = 2; i < flat.length; i++) this.overflow[this.overflowLength++] = flat[i];
  }

  /** A sensor's pairs, flat; for the rare paths (swap, restore, register). */
  get(sensor: number): number[] {
    const r = sensor * 4;
    const n = this.rec[r];
    if (n === 0) return [];
    const flat = [this.rec[r + 1], this.rec[r + 2]];
    for (let i = this.rec[r + 3], end = i + 2 * (n - 1); i < end; i++) flat.push(this.overflow[i]);
    return flat;
  }
}
