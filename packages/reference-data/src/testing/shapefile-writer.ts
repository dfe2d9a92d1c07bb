/**
 * A minimal ESRI Shapefile writer (polygon .shp/.shx plus dBASE III .dbf) so the import tests can
 * build their fixtures from readable coordinates instead of committing opaque binaries.
 * Supports Polygon records and null shapes, and character/numeric attributes.
 */
import { writeFileSync } from 'node:fs';
import type { MultiPolygonCoords } from '../geometry.ts';

const SHAPE_NULL = 0;
const SHAPE_POLYGON = 5;

export interface ShapefileRecord {
  /** null writes a null shape, which readers report as a feature without geometry. */
  geometry: MultiPolygonCoords | null;
  /** Values by field name; a Uint8Array is written as already-encoded bytes (e.g. GBK). */
  attributes: Record<string, string | number | Uint8Array>;
}

export interface DbfField {
  name: string;
  type: 'C' | 'N';
  length: number;
}

function shapeContent(geometry: MultiPolygonCoords | null): Buffer {
  if (!geometry) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(SHAPE_NULL, 0);
    return b;
  }
  // Shapefile wants outer rings clockwise and holes counter-clockwise (the reverse of GeoJSON).
  const rings = geometry.flatMap((polygon) =>
    polygon.map((ring, i) => {
      let area = 0;
      for (let k = 0; k + 1 < ring.length; k++) area += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
      const clockwise = area < 0;
      return clockwise === (i === 0) ? ring : ring.slice().reverse();
    }),
  );
  const points = rings.flat();
  const b = Buffer.alloc(44 + 4 * rings.length + 16 * points.length);
  b.writeInt32LE(SHAPE_POLYGON, 0);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => b.writeDoubleLE(v, 4 + 8 * i));
  b.writeInt32LE(rings.length, 36);
  b.writeInt32LE(points.length, 40);
  let start = 0;
  rings.forEach((ring, i) => {
    b.writeInt32LE(start, 44 + 4 * i);
    start += ring.length;
  });
  const base = 44 + 4 * rings.length;
  points.forEach(([x, y], i) => {
    b.writeDoubleLE(x, base + 16 * i);
    b.writeDoubleLE(y, base + 16 * i + 8);
  });
  return b;
}

function header(fileBytes: number, bbox: number[]): Buffer {
  const b = Buffer.alloc(100);
  b.writeInt32BE(9994, 0);
  b.writeInt32BE(fileBytes / 2, 24); // lengths are counted in 16-bit words
  b.writeInt32LE(1000, 28);
  b.writeInt32LE(SHAPE_POLYGON, 32);
  bbox.forEach((v, i) => b.writeDoubleLE(v, 36 + 8 * i));
  return b;
}

function dbf(records: ShapefileRecord[], fields: DbfField[]): Buffer {
  const headerLength = 32 + 32 * fields.length + 1;
  const recordLength = 1 + fields.reduce((n, f) => n + f.length, 0);
  const b = Buffer.alloc(headerLength + recordLength * records.length + 1, 0x20);
  b.fill(0, 0, headerLength);
  b.writeUInt8(0x03, 0);
  b.writeUInt8(124, 1); // last update 2024-01-01
  b.writeUInt8(1, 2);
  b.writeUInt8(1, 3);
  b.writeUInt32LE(records.length, 4);
  b.writeUInt16LE(headerLength, 8);
  b.writeUInt16LE(recordLength, 10);
  fields.forEach((f, i) => {
    const at = 32 + 32 * i;
    b.write(f.name.slice(0, 10), at, 'latin1');
    b.write(f.type, at + 11, 'latin1');
    b.writeUInt8(f.length, at + 16);
  });
  b.writeUInt8(0x0d, headerLength - 1);
  records.forEach((record, r) => {
    let at = headerLength + r * recordLength;
    b.write(' ', at++, 'latin1'); // not deleted
    for (const f of fields) {
      const value = record.attributes[f.name];
      const bytes = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(value === undefined ? '' : String(value), 'utf8');
      const cell = Buffer.alloc(f.length, 0x20);
      // Numbers are right-aligned, text left-aligned, both space-padded.
      bytes.copy(cell, f.type === 'N' ? Math.max(0, f.length - bytes.length) : 0, 0, Math.min(bytes.length, f.length));
      cell.copy(b, at);
      at += f.length;
    }
  });
  b.writeUInt8(0x1a, b.length - 1);
  return b;
}

/** Writes base.shp, base.shx and base.dbf. */
export function writeShapefile(base: string, records: ShapefileRecord[], fields: DbfField[]): void {
  const contents = records.map((r) => shapeContent(r.geometry));
  const all = records.flatMap((r) => (r.geometry ? r.geometry.flat(2) : []));
  const bbox = all.length
    ? [Math.min(...all.map((p) => p[0])), Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[0])), Math.max(...all.map((p) => p[1]))]
    : [0, 0, 0, 0];
  const shpBytes = 100 + contents.reduce((n, c) => n + 8 + c.length, 0);
  const shp = Buffer.alloc(shpBytes);
  const shx = Buffer.alloc(100 + 8 * records.length);
  header(shpBytes, bbox).copy(shp, 0);
  header(shx.length, bbox).copy(shx, 0);
  let offset = 100;
  contents.forEach((c, i) => {
    shp.writeInt32BE(i + 1, offset);
    shp.writeInt32BE(c.length / 2, offset + 4);
    c.copy(shp, offset + 8);
    shx.writeInt32BE(offset / 2, 100 + 8 * i);
    shx.writeInt32BE(c.length / 2, 100 + 8 * i + 4);
    offset += 8 + c.length;
  });
  writeFileSync(`${base}.shp`, shp);
  writeFileSync(`${base}.shx`, shx);
  writeFileSync(`${base}.dbf`, dbf(records, fields));
}
