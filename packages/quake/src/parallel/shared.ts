/**
 * Exposure columns in shared memory, so worker threads read the same bytes as the caller:
 * posting a typed array whose buffer is a SharedArrayBuffer shares it instead of copying it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeColumns } from '../exposure/columnar.ts';
import { exposureFromCache, type CacheMeta } from '../exposure/inventory.ts';
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
  return exposureFromCache(path, decodeColumns<CacheMeta>(bytes));
}
