/**
 * Minute and hour rollups (count, sum, min, max per sensor and bucket) merged in memory between
 * checkpoints: at 100,000 readings a second a sensor-minute receives several readings, and one
 * upsert per bucket instead of per reading is what keeps the rollups affordable.
 */
const MINUTE = 60_000;
const HOUR = 3_600_000;
// key = sensor id × 1e8 + bucket index: exact in a double for ids below 9×10⁷ and minutes until 2160.
const KEY_SPAN = 1e8;

export interface RollupRows {
  sensorIds: number[];
  buckets: number[];
  count: number[];
  sum: number[];
  min: number[];
  max: number[];
}

class Buckets {
  private slots = new Map<number, number>();
  private count: number[] = [];
  private sum: number[] = [];
  private min: number[] = [];
  private max: number[] = [];

  constructor(private readonly width: number) {}

  add(id: number, ts: number, value: number): void {
    const key = id * KEY_SPAN + Math.floor(ts / this.width);
    const s = this.slots.get(key);
    if (s === undefined) {
      this.slots.set(key, this.count.length);
      this.count.push(1);
      this.sum.push(value);
      this.min.push(value);
      this.max.push(value);
    } else {
      this.count[s]++;
      this.sum[s] += value;
      if (value < this.min[s]) this.min[s] = value;
      if (value > this.max[s]) this.max[s] = value;
    }
  }

  merge(r: RollupRows): void {
    for (let i = 0; i < r.sensorIds.length; i++) {
      const key = r.sensorIds[i] * KEY_SPAN + Math.floor(r.buckets[i] / this.width);
      const s = this.slots.get(key);
      if (s === undefined) {
        this.slots.set(key, this.count.length);
        this.count.push(r.count[i]);
        this.sum.push(r.sum[i]);
        this.min.push(r.min[i]);
        this.max.push(r.max[i]);
      } else {
        this.count[s] += r.count[i];
        this.sum[s] += r.sum[i];
        this.min[s] = Math.min(this.min[s], r.min[i]);
        this.max[s] = Math.max(this.max[s], r.max[i]);
      }
    }
  }

  take(): RollupRows {
    const out: RollupRows = { sensorIds: [], buckets: [], count: this.count, sum: this.sum, min: this.min, max: this.max };
    for (const key of this.slots.keys()) {
      const id = Math.floor(key / KEY_SPAN);
      out.sensorIds.push(id);
      out.buckets.push((key - id * KEY_SPAN) * this.width);
    }
    this.slots = new Map();
    this.count = [];
    this.sum = [];
    this.min = [];
    this.max = [];
    return out;
  }
}

export class RollupAccumulator {
  private minute = new Buckets(MINUTE);
  private hour = new Buckets(HOUR);

  add(id: number, ts: number, value: number): void {
    this.minute.add(id, ts, value);
    this.hour.add(id, ts, value);
  }

  take(): { minute: RollupRows; hour: RollupRows } {
    return { minute: this.minute.take(), hour: this.hour.take() };
  }

  /** Puts back what a failed checkpoint took. */
  restore(r: { minute: RollupRows; hour: RollupRows }): void {
    this.minute.merge(r.minute);
    this.hour.merge(r.hour);
  }
}
