/**
 * Per-sensor state of the ingest, in typed arrays indexed by sensor id (ids are dense: bigserial):
 * the newest instant accepted (for duplicate detection without the database), and the newest
 * durable reading (the hot "latest value"). 700,000 sensors take 17 MB.
 *
 * The durable part is saved to `latest.bin` at each checkpoint with the log position it is valid
 * for; after a crash it is loaded and the log replayed from there.
 */
const MAGIC = 0x414c4154; // "ALAT"
const FORMAT = 1;
const HEADER_BYTES = 24;

export class LatestValues {
  /** Highest ts (ms) of a reading accepted or being accepted; -Infinity when none. */
  private claimed = new Float64Array(0);
  /** Newest durable reading; ts NaN when none. */
  private ts = new Float64Array(0);
  private value = new Float64Array(0);
  /** Changed since last written to monitoring_latest. */
  private dirty = new Uint8Array(0);
  private dirtyCount = 0;

  private ensure(id: number): void {
    if (id < this.ts.length) return;
    let n = Math.max(1024, this.ts.length);
    while (n <= id) n *= 2;
    const grow = (a: Float64Array, fill: number) => {
      const b = new Float64Array(n).fill(fill);
      b.set(a);
      return b;
    };
    this.claimed = grow(this.claimed, -Infinity);
    this.ts = grow(this.ts, NaN);
    this.value = grow(this.value, NaN);
    const d = new Uint8Array(n);
    d.set(this.dirty);
    this.dirty = d;
  }

  /**
   * True when `tsMs` is newer than anything accepted for the sensor (so it cannot be a duplicate),
   * and then it becomes the sensor's newest claim; false when it is at or before it (a late or
   * repeated reading, to be checked against what is stored).
   */
  claim(id: number, tsMs: number): boolean {
    this.ensure(id);
    if (tsMs > this.claimed[id]) {
      this.claimed[id] = tsMs;
      return true;
    }
    return false;
  }

  /** Records a durable reading; a late one never replaces a newer latest value. */
  commit(id: number, tsMs: number, value: number): void {
    this.ensure(id);
    if (tsMs > this.claimed[id]) this.claimed[id] = tsMs;
    const cur = this.ts[id];
    if (Number.isNaN(cur) || tsMs > cur) {
      this.ts[id] = tsMs;
      this.value[id] = value;
      if (this.dirty[id] === 0) {
        this.dirty[id] = 1;
        this.dirtyCount++;
      }
    }
  }

  get(id: number): { ts: number; value: number } | undefined {
    if (id >= this.ts.length || Number.isNaN(this.ts[id])) return undefined;
    return { ts: this.ts[id], value: this.value[id] };
  }

  get pendingWrites(): number {
    return this.dirtyCount;
  }

  /** Up to `max` changed entries, marked clean (put them back with `markDirty` if the write fails). */
  takeDirty(max: number): { ids: number[]; ts: number[]; values: number[] } {
    const out = { ids: [] as number[], ts: [] as number[], values: [] as number[] };
    for (let id = 0; id < this.dirty.length && out.ids.length < max && this.dirtyCount > 0; id++) {
      if (this.dirty[id] === 0) continue;
      this.dirty[id] = 0;
      this.dirtyCount--;
      out.ids.push(id);
      out.ts.push(this.ts[id]);
      out.values.push(this.value[id]);
    }
    return out;
  }

  markDirty(ids: readonly number[]): void {
    for (const id of ids) {
      if (this.dirty[id] === 0) {
        this.dirty[id] = 1;
        this.dirtyCount++;
      }
    }
  }

  /** The durable part and the log position it is valid for. */
  serialize(position: number): Uint8Array {
    let n = this.ts.length;
    while (n > 0 && Number.isNaN(this.ts[n - 1])) n--;
    const buf = new ArrayBuffer(HEADER_BYTES + n * 16);
    const view = new DataView(buf);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, FORMAT, true);
    view.setFloat64(8, position, true);
    view.setUint32(16, n, true);
    new Float64Array(buf, HEADER_BYTES, n).set(this.ts.subarray(0, n));
    new Float64Array(buf, HEADER_BYTES + n * 8, n).set(this.value.subarray(0, n));
    return new Uint8Array(buf);
  }

  /** Loads a saved state; returns its position, or null when the bytes are not a state of this format. */
  load(bytes: Uint8Array): number | null {
    if (bytes.byteLength < HEADER_BYTES) return null;
    const copy = bytes.slice();
    const view = new DataView(copy.buffer);
    if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT) return null;
    const n = view.getUint32(16, true);
    if (copy.byteLength !== HEADER_BYTES + n * 16) return null;
    const ts = new Float64Array(copy.buffer, HEADER_BYTES, n);
    const values = new Float64Array(copy.buffer, HEADER_BYTES + n * 8, n);
    for (let id = 0; id < n; id++) if (!Number.isNaN(ts[id])) this.commit(id, ts[id], values[id]);
    this.dirty.fill(0);
    this.dirtyCount = 0;
    return view.getFloat64(8, true);
  }
}
