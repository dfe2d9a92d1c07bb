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

/** Share of buildings in towns (the rest are rural, in villages). */
const URBAN_SHARE = 2 / 3;
/** Class mix in towns and in villages (STRUCTURE_CLASSES order: A1 A2 B C D E), percent. */
const URBAN_MIX = [3, 2, 14, 40, 34, 7];
const RURAL_MIX = [18, 8, 32, 34, 7, 1];
/**
 * The county-wide mix these give, percent: A1 8, A2 4, B 20, C 38, D 25, E 5 — roughly a
 * county of western China (many unreinforced masonry and earth/timber houses in the villages,
 * reinforced concrete in the towns).
 */
export const SYNTHETIC_CLASS_MIX: readonly number[] = URBAN_MIX.map((u, c) => u * URBAN_SHARE + RURAL_MIX[c] * (1 - URBAN_SHARE));

/** Per class: floors (min, spread, skew exponent), footprint m², night residents and day occupants per 100 m², CNY per m². */
const FLOORS_MIN = [1, 1, 1, 2, 3, 1];
const FLOORS_SPREAD = [2, 2, 3, 5, 28, 4]; // floors = min + floor(u^skew · spread): D 3–30, mostly low
const FLOORS_SKEW = [1.5, 1.5, 1.2, 1, 4, 2];
const FOOTPRINT_M2 = [90, 110, 130, 200, 350, 1200];
const NIGHT_PER_100M2 = [3.2, 3.0, 3.0, 2.9, 2.8, 0.2];
const DAY_PER_100M2 = [1.1, 1.0, 1.2, 1.45, 2.5, 1.5];
const COST_PER_M2 = [900, 1100, 1300, 1900, 2800, 3200];

export interface SyntheticInventoryOptions {
  /** Number of buildings (rows). */
  count: number;
  /** Centre of the area, usually the epicentre of the event to assess. */
  lon: number; lat: number;
  seed?: number;
  /** Half-size of the square area in degrees (default 3: about 660 × 570 km at 30° N). */
  halfSizeDeg?: number;
  /** Counties per side of the grid of synthetic counties (default 20: 400 counties). */
  grid?: number;
  /** Number of towns (default 24); the largest lies 20–60 km from the centre. */
  towns?: number;
  /** Two-digit province prefix of the synthetic county codes (default '51', 四川). */
  province?: string;
}

/**
 * A deterministic synthetic building inventory, one row per building, for benchmarks and tests.
 * Two thirds of the buildings stand in towns of Zipf-distributed sizes (Gaussian spread, σ
 * growing with the town), one third in villages of about 100 houses scattered over the whole
 * area; rows come town by town and village by village, as an inventory compiled per district
 * would. Class mix SYNTHETIC_CLASS_MIX (towns more concrete, villages more masonry and earth);
 * floors, floor area, occupants and replacement value drawn per class. Counties are a grid × grid
 * checkerboard over the square. Made up: only its shape is meant to be realistic, not its numbers.
 */
export function syntheticInventory(opts: SyntheticInventoryOptions): ExposureColumns {
  const { count, lon: lon0, lat: lat0 } = opts;
  if (!Number.isInteger(count) || count < 0) throw new Error(`syntheticInventory: count must be a non-negative integer, got ${count}`);
  const half = opts.halfSizeDeg ?? 3;
  const grid = opts.grid ?? 20;
  const townCount = Math.max(1, opts.towns ?? 24);
  const province = opts.province ?? '51';
  const rnd = mulberry32(opts.seed ?? 1);
  const kmLat = 111.2, kmLon = 111.2 * Math.cos((lat0 * Math.PI) / 180);
  const x: ExposureColumns = {
    count,
    lon: new Float64Array(count), lat: new Float64Array(count),
    regionIndex: new Uint32Array(count), classIndex: new Uint8Array(count),
    buildings: new Float32Array(count), floorAreaM2: new Float32Array(count),
    occupantsDay: new Float32Array(count), occupantsNight: new Float32Array(count),
    valueCny: new Float64Array(count), population: new Float32Array(count),
    regions: Array.from({ length: grid * grid }, (_, r) => ({ code: `${province}${String(r + 1).padStart(4, '0')}`, name: `合成县 synthetic county ${r + 1}` })),
  };
  const urbanCdf = cdf(URBAN_MIX), ruralCdf = cdf(RURAL_MIX);

  // Settlements: [centre lon, centre lat, σ km, rows], towns first then villages.
  const urban = Math.round(count * URBAN_SHARE);
  let harmonic = 0;
  for (let k = 1; k <= townCount; k++) harmonic += 1 / k;
  const settlements: { lon: number; lat: number; sigmaKm: number; rows: number; urban: boolean }[] = [];
  let placed = 0;
  for (let k = 0; k < townCount; k++) {
    const rows = k === townCount - 1 ? urban - placed : Math.round(urban / (harmonic * (k + 1)));
    placed += rows;
    let lon: number, lat: number;
    if (k === 0) {
      const d = 20 + 40 * rnd(), a = 2 * Math.PI * rnd();
      lon = lon0 + (d * Math.cos(a)) / kmLon; lat = lat0 + (d * Math.sin(a)) / kmLat;
    } else {
      lon = lon0 + half * (2 * rnd() - 1) * 0.9; lat = lat0 + half * (2 * rnd() - 1) * 0.9;
    }
    settlements.push({ lon, lat, sigmaKm: Math.min(15, Math.max(0.5, 2 * Math.sqrt(rows / 50_000))), rows, urban: true });
  }
  const rural = count - urban;
  const villages = Math.max(rural > 0 ? 1 : 0, Math.round(rural / 100));
  for (let v = 0, left = rural; v < villages; v++) {
    const rows = v === villages - 1 ? left : Math.round(left / (villages - v));
    left -= rows;
    settlements.push({ lon: lon0 + half * (2 * rnd() - 1), lat: lat0 + half * (2 * rnd() - 1), sigmaKm: 0.4, rows, urban: false });
  }

  const cell = (2 * half) / grid;
  let i = 0;
  for (const s of settlements) {
    const sx = s.sigmaKm / kmLon, sy = s.sigmaKm / kmLat;
    const classCdf = s.urban ? urbanCdf : ruralCdf;
    for (let j = 0; j < s.rows; j++, i++) {
      // Box–Muller: one pair of normal deviates per building.
      const r = Math.sqrt(-2 * Math.log(1 - rnd())), a = 2 * Math.PI * rnd();
      const lon = s.lon + sx * r * Math.cos(a), lat = s.lat + sy * r * Math.sin(a);
      x.lon[i] = lon; x.lat[i] = lat;
      let gx = Math.floor((lon - lon0 + half) / cell), gy = Math.floor((lat - lat0 + half) / cell);
      gx = gx < 0 ? 0 : gx >= grid ? grid - 1 : gx;
      gy = gy < 0 ? 0 : gy >= grid ? grid - 1 : gy;
      x.regionIndex[i] = gy * grid + gx;
      const u = rnd();
      let c = 0;
      while (c < classCdf.length - 1 && u >= classCdf[c]) c++;
      x.classIndex[i] = c;
      const floors = FLOORS_MIN[c] + Math.floor(rnd() ** FLOORS_SKEW[c] * FLOORS_SPREAD[c]);
      const area = floors * FOOTPRINT_M2[c] * (0.6 + 0.8 * rnd());
      x.buildings[i] = 1;
      x.floorAreaM2[i] = area;
      x.occupantsNight[i] = (area / 100) * NIGHT_PER_100M2[c];
      x.occupantsDay[i] = (area / 100) * DAY_PER_100M2[c];
      x.population[i] = x.occupantsNight[i]; // residents = night-time occupants, as readInventory does
      x.valueCny[i] = area * COST_PER_M2[c];
    }
  }
  return x;
}

function cdf(percent: number[]): Float64Array {
  const total = percent.reduce((a, b) => a + b, 0);
  const out = new Float64Array(percent.length);
  let acc = 0;
  percent.forEach((p, k) => { acc += p / total; out[k] = acc; });
  out[out.length - 1] = 1;
  return out;
}
