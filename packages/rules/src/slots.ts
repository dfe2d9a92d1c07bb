// Per-(rule, sensor) state lives in typed arrays indexed by a slot number rather than in one
// object per sensor: 700,000 small objects would cost more in headers than the state itself,
// and the garbage collector would have to trace every one of them. The scalar state of a slot
// is one record of adjacent float64s, because readings arrive in no particular sensor order
// and each separate array touched is one more cache miss per reading.

export type Column = Float64Array | Float32Array | Int32Array | Uint8Array | Uint16Array;

/** A copy of `a` with `length` elements: truncated, or extended with `fill`. */
export function resized<T extends Column>(a: T, length: number, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  (b as Float64Array).set((a.length > length ? a.subarray(0, length) : a) as unknown as ArrayLike<number>);
  if (fill !== 0 && length > a.length) b.fill(fill, a.length);
  return b;
}

/** Growth by half rather than doubling: the rings of a 24 h window are large, and waste counts. */
export function nextCapacity(capacity: number): number {
  return Math.ceil(capacity * 1.5);
}

/** Records of `stride` float64s with per-field defaults, growable. */
export class Records {
  array: Float64Array;

  constructor(
    readonly stride: number,
    private readonly defaults: readonly number[],
    capacity: number,
  ) {
    this.array = new Float64Array(capacity * stride);
    this.clear(0, capacity);
  }

  /** Resets records [from, to) to the defaults. */
  clear(from: number, to: number) {
    const a = this.array;
    for (let i = from * this.stride, end = to * this.stride; i < end; i += this.stride) {
      for (let f = 0; f < this.stride; f++) a[i + f] = this.defaults[f];
    }
  }

  resize(capacity: number) {
    const old = this.array.length / this.stride;
    this.array = resized(this.array, capacity * this.stride);
    this.clear(old, capacity);
  }
}

/** A named per-slot state column, `stride` elements per slot; what snapshots save and restore. */
export interface StateColumn {
  array: Column;
  stride: number;
}

/** Slot bookkeeping common to every sensor-rule evaluator. */
export abstract class SlotStore {
  count = 0;
  capacity: number;
  /** Slot → sensor index in the engine; -1 once the sensor no longer has this rule. */
  sensorOf: Int32Array;

  constructor(capacity: number) {
    this.capacity = Math.max(4, capacity);
    this.sensorOf = new Int32Array(this.capacity).fill(-1);
  }

  alloc(sensor: number): number {
    if (this.count === this.capacity) {
      this.capacity = nextCapacity(this.capacity);
      this.sensorOf = resized(this.sensorOf, this.capacity, -1);
      this.resize(this.capacity);
    }
    const slot = this.count++;
    this.sensorOf[slot] = sensor;
    return slot;
  }

  /** Gives back the room to grow, e.g. after every registered sensor has been bound. */
  trim() {
    if (this.capacity === Math.max(4, this.count)) return;
    this.capacity = Math.max(4, this.count);
    this.sensorOf = resized(this.sensorOf, this.capacity, -1);
    this.resize(this.capacity);
  }

  protected abstract resize(capacity: number): void;
}
