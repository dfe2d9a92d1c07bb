import { STRUCTURE_CLASSES, type ExposureColumns } from '../types.ts';

/** Small deterministic PRNG (mulberry32) so synthetic runs are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Synthetic exposure for tests and benchmarks only: `count` rows scattered uniformly in a
 * square of ±halfSizeDeg around (lon, lat), regions on a gridSize × gridSize checkerboard,
 * classes drawn uniformly. It has no relation to real Chinese exposure.
 */
export function syntheticExposure(opts: { lon: number; lat: number; count: number; halfSizeDeg?: number; grid?: number; seed?: number }): ExposureColumns {
  const { count, lon: lon0, lat: lat0 } = opts;
  const half = opts.halfSizeDeg ?? 3;
  const grid = opts.grid ?? 10;
  const rnd = mulberry32(opts.seed ?? 1);
  const x: ExposureColumns = {
    count,
    lon: new Float64Array(count), lat: new Float64Array(count),
    regionIndex: new Uint32Array(count), classIndex: new Uint8Array(count),
    buildings: new Float32Array(count), floorAreaM2: new Float32Array(count),
    occupantsDay: new Float32Array(count), occupantsNight: new Float32Array(count),
    valueCny: new Float64Array(count), population: new Float32Array(count),
    regions: Array.from({ length: grid * grid }, (_, r) => ({ code: String(510000 + r + 1), name: `synthetic-${r + 1}` })),
  };
  for (let i = 0; i < count; i++) {
    const fx = rnd(), fy = rnd();
    x.lon[i] = lon0 - half + 2 * half * fx;
    x.lat[i] = lat0 - half + 2 * half * fy;
    x.regionIndex[i] = Math.min(grid - 1, Math.floor(fy * grid)) * grid + Math.min(grid - 1, Math.floor(fx * grid));
    x.classIndex[i] = Math.floor(rnd() * STRUCTURE_CLASSES.length);
    const b = 1 + Math.floor(rnd() * 20);
    x.buildings[i] = b;
    x.floorAreaM2[i] = b * 120;
    x.population[i] = b * 3;
    x.occupantsNight[i] = b * 2.7;
    x.occupantsDay[i] = b * 1.2;
    x.valueCny[i] = b * 120 * 2000;
  }
  return x;
}
