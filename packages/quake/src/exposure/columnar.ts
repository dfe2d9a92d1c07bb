/**
 * A minimal columnar binary container: raw little-endian typed arrays behind a JSON header, so a
 * file of millions of rows loads with one read and no parsing.
 *
 *   bytes 0–7   magic "ANLCOL01"
 *   bytes 8–11  uint32 LE: header length H (JSON, UTF-8, space-padded to a multiple of 8)
 *   bytes 12–15 reserved (0)
 *   16 … 16+H   header: { meta, columns: [{ name, type, length, offset }] } (offset from byte 0)
 *   then each column's bytes, each starting on an 8-byte boundary
 */
import { readFileSync, writeFileSync } from 'node:fs';

export type ColumnArray = Float64Array | Float32Array | Uint32Array | Uint16Array | Uint8Array | Int32Array;
type ColumnType = 'f64' | 'f32' | 'u32' | 'u16' | 'u8' | 'i32';

const MAGIC = 'ANLCOL01';

function typeOf(array: ColumnArray): ColumnType {
  if (array instanceof Float64Array) return 'f64';
  if (array instanceof Float32Array) return 'f32';
  if (array instanceof Uint32Array) return 'u32';
  if (array instanceof Uint16Array) return 'u16';
  if (array instanceof Int32Array) return 'i32';
  return 'u8';
}

function view(type: ColumnType, buffer: ArrayBuffer, offset: number, length: number): ColumnArray {
  switch (type) {
    case 'f64':
      return new Float64Array(buffer, offset, length);
    case 'f32':
      return new Float32Array(buffer, offset, length);
    case 'u32':
      return new Uint32Array(buffer, offset, length);
    case 'u16':
      return new Uint16Array(buffer, offset, length);
    case 'i32':
      return new Int32Array(buffer, offset, length);
    case 'u8':
      return new Uint8Array(buffer, offset, length);
  }
}

interface ColumnEntry {
  name: string;
  type: ColumnType;
  length: number;
  offset: number;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

export function encodeColumns(meta: unknown, columns: Record<string, ColumnArray>): Buffer {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('columnar files are little-endian; big-endian hosts are not supported');
  const names = Object.keys(columns);
  const entries: ColumnEntry[] = names.map((name) => ({ name, type: typeOf(columns[name]), length: columns[name].length, offset: 0 }));
  // The header's length depends on the offsets it lists: reserve generously, then fix.
  let headerLength = align8(Buffer.byteLength(JSON.stringify({ meta, columns: entries.map((e) => ({ ...e, offset: 1e15 })) })));
  let offset = 16 + headerLength;
  for (const entry of entries) {
    entry.offset = offset;
    offset = align8(offset + columns[entry.name].byteLength);
  }
  const headerJson = JSON.stringify({ meta, columns: entries });
  headerLength = align8(Buffer.byteLength(headerJson));
  const out = Buffer.alloc(offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(headerLength, 8);
  out.write(headerJson.padEnd(headerLength, ' '), 16, 'utf8');
  for (const entry of entries) {
    const array = columns[entry.name];
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, entry.offset);
  }
  return out;
}

export function decodeColumns<M>(input: Uint8Array): { meta: M; columns: Record<string, ColumnArray> } {
  if (Buffer.from(input.buffer, input.byteOffset, 8).toString('latin1') !== MAGIC) throw new Error('not an Anlan columnar file (bad magic)');
  // Typed-array views need an 8-byte-aligned base; copy once if the read buffer is not.
  const bytes = input.byteOffset % 8 === 0 ? input : new Uint8Array(input);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = dv.getUint32(8, true);
  const header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 16, headerLength).toString('utf8')) as { meta: M; columns: ColumnEntry[] };
  const columns: Record<string, ColumnArray> = {};
  for (const entry of header.columns) {
    columns[entry.name] = view(entry.type, bytes.buffer as ArrayBuffer, bytes.byteOffset + entry.offset, entry.length);
  }
  return { meta: header.meta, columns };
}

export function writeColumnsFile(path: string, meta: unknown, columns: Record<string, ColumnArray>): void {
  writeFileSync(path, encodeColumns(meta, columns));
}

export function readColumnsFile<M>(path: string): { meta: M; columns: Record<string, ColumnArray> } {
  return decodeColumns<M>(readFileSync(path));
}
