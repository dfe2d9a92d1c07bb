import { resized } from './slots.ts';

/**
 * Binary min-heap of (deadline, slot) in typed arrays. Offline detection pops only what is due,
 * so a tick costs O(k log n) for k due deadlines, never a scan of all sensors.
 */
export class DeadlineHeap {
  private keys = new Float64Array(64);
  private values = new Int32Array(64);
  size = 0;

  push(key: number, value: number) {
    if (this.size === this.keys.length) {
      this.keys = resized(this.keys, this.size * 2);
      this.values = resized(this.values, this.size * 2);
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.keys[i] = this.keys[parent];
      this.values[i] = this.values[parent];
      i = parent;
    }
    this.keys[i] = key;
    this.values[i] = value;
  }

  /** The smallest deadline, or +Infinity when empty. */
  peekKey(): number {
    return this.size > 0 ? this.keys[0] : Infinity;
  }

  /** Removes the smallest entry and returns its value; call only when size > 0. */
  pop(): number {
    const top = this.values[0];
    const n = --this.size;
    const key = this.keys[n];
    const value = this.values[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.keys[child + 1] < this.keys[child]) child++;
      if (this.keys[child] >= key) break;
      this.keys[i] = this.keys[child];
      this.values[i] = this.values[child];
      i = child;
    }
    this.keys[i] = key;
    this.values[i] = value;
    return top;
  }

  clear() {
    this.size = 0;
  }
}
