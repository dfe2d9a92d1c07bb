/**
 * Exposure columns in shared memory, so worker threads read the same bytes as the caller:
 * posting a typed array whose buffer is a SharedArrayBuffer shares it instead of copying it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeColumns } from '../exposure/columnar.ts';
import type { ExposureColumns } from '../types.ts';

/** The typed-array columns of ExposureColumns, in the order of the columnar cache. */
export const EXPOSURE_COLUMNS = ['lon', 'lat', 'regionIndex', 'classIndex', 'buildings', 'floorAreaM2', 'occupantsDay', 'occupantsNight', 'valueCny', 'population'] as const;
type ColumnName = (typeof EXPOSURE_COLUMNS)[number];

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** True when every column already lives in a SharedArrayBuffer. */
export function isSharedExposure(exposure: ExposureColumns): boolean {
  return EXPOSURE_COLUMNS.every((name) => exposure[name].buffer instanceof SharedArrayBuffer);
}

/**
 * Copies the columns into one SharedArrayBuffer (each column 8-byte aligned) and returns an
 * ExposureColumns of views on it. Returns the argument itself when it is already shared. Do this
 * once per exposure, not per assessment: the pool also remembers the copy it made of an exposure.
 */
export function toSharedExposure(exposure: ExposureColumns): ExposureColumns {
  if (isSharedExposure(exposure)) return exposure;
  let bytes = 0;
  for (const name of EXPOSURE_COLUMNS) bytes = align8(bytes + exposure[name].byteLength);
  const buffer = new SharedArrayBuffer(bytes);
  const out = { count: exposure.count, regions: exposure.regions } as ExposureColumns;
  let offset = 0;
  for (const name of EXPOSURE_COLUMNS) {
    const src = exposure[name];
    const Ctor = src.constructor as new (buffer: SharedArrayBuffer, offset: number, length: number) => typeof src;
    const dst = new Ctor(buffer, offset, src.length);
    (dst as { set(a: ArrayLike<number>): void }).set(src);
    (out as unknown as Record<ColumnName, typeof src>)[name] = dst;
    offset = align8(offset + src.byteLength);
  }
  return out;
}

interface CacheMeta { kind: string; version: number; count: number; regions: { code: string; name: string }[] }

/**
 * Reads a columnar exposure cache (writeExposureCache) straight into a SharedArrayBuffer: one
 * read, no second copy, and the returned columns can go to worker threads as they are. Same
 * checks as readExposureCache.
 */
export function readExposureCacheShared(path: string): ExposureColumns {
  const fd = openSync(path, 'r');
  let bytes: Uint8Array;
  try {
    const size = fstatSync(fd).size;
    bytes = new Uint8Array(new SharedArrayBuffer(size));
    for (let at = 0; at < size; ) {
      const n = readSync(fd, bytes, at, Math.min(size - at, 1 << 30), at);
      if (n <= 0) throw new Error(`${path}: unexpected end of file at byte ${at} of ${size}`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  const { meta, columns } = decodeColumns<CacheMeta>(bytes);
  if (meta.kind !== 'anlan-exposure' || meta.version !== 1) throw new Error(`${path} is not an Anlan exposure cache (version 1)`);
  for (const name of EXPOSURE_COLUMNS) {
    if (!columns[name] || columns[name].length !== meta.count) throw new Error(`${path}: column ${name} missing or of the wrong length`);
  }
  return {
    count: meta.count,
    lon: columns.lon as Float64Array,
    lat: columns.lat as Float64Array,
    regionIndex: columns.regionIndex as Uint32Array,
    classIndex: columns.classIndex as Uint8Array,
    buildings: columns.buildings as Float32Array,
    floorAreaM2: columns.floorAreaM2 as Float32Array,
    occupantsDay: columns.occupantsDay as Float32Array,
    occupantsNight: columns.occupantsNight as Float32Array,
    valueCny: columns.valueCny as Float64Array,
    population: columns.population as Float32Array,
    regions: meta.regions,
  };
}
