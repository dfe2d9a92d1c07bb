/**
 * One accepted request as the log and the database writer see it: the accepted readings in
 * parallel arrays, the quarantined ones, and where the batch ends in the log.
 *
 * Log frame payload: u32 n | n × (f64 sensor id, f64 ts ms, f64 value) | JSON { by, q: QuarantineRow[] }
 */
import type { QuarantineRow } from './store.ts';

export const READINGS_FRAME = 1;

export interface DurableBatch {
  ids: number[];
  ts: number[];
  values: number[];
  receivedBy: string;
  quarantine: QuarantineRow[];
  /** Log position after the batch's frame (0 until logged). */
  end: number;
  /** Read back from the log at start: it may be in the database already. */
  replayed: boolean;
}

export function encodeBatch(b: DurableBatch): Uint8Array {
  const n = b.ids.length;
  const json = Buffer.from(JSON.stringify({ by: b.receivedBy, q: b.quarantine }));
  const buf = Buffer.allocUnsafe(4 + n * 24 + json.length);
  buf.writeUInt32LE(n, 0);
  let off = 4;
  for (let i = 0; i < n; i++) {
    buf.writeDoubleLE(b.ids[i], off);
    buf.writeDoubleLE(b.ts[i], off + 8);
    buf.writeDoubleLE(b.values[i], off + 16);
    off += 24;
  }
  json.copy(buf, off);
  return buf;
}

export function decodeBatch(payload: Buffer, end: number): DurableBatch {
  const n = payload.readUInt32LE(0);
  const ids = new Array<number>(n);
  const ts = new Array<number>(n);
  const values = new Array<number>(n);
  let off = 4;
  for (let i = 0; i < n; i++) {
    ids[i] = payload.readDoubleLE(off);
    ts[i] = payload.readDoubleLE(off + 8);
    values[i] = payload.readDoubleLE(off + 16);
    off += 24;
  }
  const rest = JSON.parse(payload.subarray(off).toString('utf8')) as { by: string; q: QuarantineRow[] };
  return { ids, ts, values, receivedBy: rest.by, quarantine: rest.q, end, replayed: true };
}
