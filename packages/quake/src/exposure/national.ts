/**
 * The national default exposure: 2020 census people and a modelled building stock per county
 * (data/exposure/counties.json), spread over grid cells inside each county
 * (data/exposure/national-cells.bin), both built by scripts/build-exposure.ts. See
 * data/exposure/README.md for sources and assumptions.
 *
 * Rows are cells × structure classes with floor area. Loading the whole country takes well under
 * 300 ms; the parsed files are cached in memory after the first call.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STRUCTURE_CLASSES, type ExposureColumns } from '../types.ts';
import { readColumnsFile } from './columnar.ts';

export const EXPOSURE_DATA_DIR = fileURLToPath(new URL('../../data/exposure/', import.meta.url));

/** One modelled unit (a county, or a census unit placed on host outlines) of counties.json. */
export interface CountyRecord {
  /** 2023 GB/T 2260 county-level code. */
  code: string;
  name: string;
  /** Index into CountiesFile.regions. */
  region: number;
  /** Codes of the reference outlines the unit is spread over. */
  geometry: string[];
  placement: 'own' | 'recoded' | 'host';
  /** Census codes (or names) that make up the unit; "code×share" for folded parts. */
  sources: string[];
  population: number;
  urban: number;
  rural: number;
  households: number;
  floorAreaPerPerson: number;
  liftShare: number;
  selfBuiltShare: number;
  /** Share of the urban residents (and urban building pool) placed in the kernel around the seat. */
  urbanSeatShare: number;
  /** Floor area per structure class (STRUCTURE_CLASSES order), m²: residential, urban pool. */
  resUrbanM2: number[];
  /** Residential, rural (self-built) pool. */
  resRuralM2: number[];
  /** Non-residential (public and commercial), urban pool. */
  nonResM2: number[];
  buildingsUrban: number[];
  buildingsRural: number[];
  /** Replacement value per class, CNY. */
  valueCny: number[];
  /** Shares of the population at home / in non-residential buildings at night (2 AM) and by day (2 PM). */
  nightHome: number;
  nightNonRes: number;
  dayHome: number;
  dayNonRes: number;
}

export interface CountiesFile {
  source: string;
  classes: string[];
  valuePerM2: number[];
  occupancy: {
    night: { home: number; nonResidential: number };
    dayUrban: { home: number; nonResidential: number };
    dayRural: { home: number; nonResidential: number };
  };
  regions: { code: string; name: string }[];
  counties: CountyRecord[];
}

export interface CellsMeta {
  cells: number;
  units: number;
  gridStepDeg: number;
}

interface NationalData {
  file: CountiesFile;
  lon: Float32Array;
  lat: Float32Array;
  urban: Float32Array;
  rural: Float32Array;
  unit: Uint16Array;
}

let cached: NationalData | null = null;
let cachedAll: ExposureColumns | null = null;

function loadData(dir: string = EXPOSURE_DATA_DIR): NationalData {
  if (cached) return cached;
  const file = JSON.parse(readFileSync(dir + 'counties.json', 'utf8')) as CountiesFile;
  const { meta, columns } = readColumnsFile<CellsMeta>(dir + 'national-cells.bin');
  if (meta.units !== file.counties.length) throw new Error(`national-cells.bin (${meta.units} units) does not match counties.json (${file.counties.length}); rebuild with scripts/build-exposure.ts`);
  cached = {
    file,
    lon: columns.lon as Float32Array,
    lat: columns.lat as Float32Array,
    urban: columns.urban as Float32Array,
    rural: columns.rural as Float32Array,
    unit: columns.unit as Uint16Array,
  };
  return cached;
}

/** The per-county model (counties.json), for reports and tests. */
export function loadNationalCounties(): CountiesFile {
  return loadData().file;
}

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

export interface NationalExposureOptions {
  /** Only cells inside [minLon, minLat, maxLon, maxLat]. */
  bbox?: BBox;
}

/** Rows = cells × structure classes with floor area, for the whole country or a bounding box. */
export function loadNationalExposure(opts: NationalExposureOptions = {}): ExposureColumns {
  if (!opts.bbox && cachedAll) return cachedAll;
  const data = loadData();
  const { file } = data;
  const nc = STRUCTURE_CLASSES.length;
  const occ = file.occupancy;

  // Per-unit constants, flattened for the hot loop.
  const nu = file.counties.length;
  const resU = new Float64Array(nu * nc);
  const resR = new Float64Array(nu * nc);
  const non = new Float64Array(nu * nc);
  const bU = new Float64Array(nu * nc);
  const bR = new Float64Array(nu * nc);
  const resUSum = new Float64Array(nu);
  const resRSum = new Float64Array(nu);
  const nonSum = new Float64Array(nu);
  const urbanPeople = new Float64Array(nu);
  const ruralPeople = new Float64Array(nu);
  const regionOf = new Uint32Array(nu);
  // Bit j set: class j has floor area in the unit's urban (resp. rural) pool.
  const maskU = new Uint8Array(nu);
  const maskR = new Uint8Array(nu);
  file.counties.forEach((c, k) => {
    urbanPeople[k] = c.urban;
    ruralPeople[k] = c.rural;
    regionOf[k] = c.region;
    for (let j = 0; j < nc; j++) {
      resU[k * nc + j] = c.resUrbanM2[j];
      resR[k * nc + j] = c.resRuralM2[j];
      non[k * nc + j] = c.nonResM2[j];
      bU[k * nc + j] = c.buildingsUrban[j];
      bR[k * nc + j] = c.buildingsRural[j];
      resUSum[k] += c.resUrbanM2[j];
      resRSum[k] += c.resRuralM2[j];
      nonSum[k] += c.nonResM2[j];
      if (c.resUrbanM2[j] + c.nonResM2[j] > 0) maskU[k] |= 1 << j;
      if (c.resRuralM2[j] > 0) maskR[k] |= 1 << j;
    }
  });
  const bits = new Uint8Array(64);
  for (let m = 1; m < 64; m++) bits[m] = (m & 1) + bits[m >> 1];

  // Pass 1: which cells, and how many rows. (Typed arrays in locals: V8 keeps the loops tight.)
  const cellLon = data.lon;
  const cellLat = data.lat;
  const cellUnit = data.unit;
  const cellUrban = data.urban;
  const cellRural = data.rural;
  const n = cellLon.length;
  const [minLon, minLat, maxLon, maxLat] = opts.bbox ?? [-Infinity, -Infinity, Infinity, Infinity];
  const picked = new Uint32Array(n);
  let cells = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const x = cellLon[i];
    const y = cellLat[i];
    if (x < minLon || x > maxLon || y < minLat || y > maxLat) continue;
    picked[cells++] = i;
    const k = cellUnit[i];
    rows += bits[(cellUrban[i] > 0 ? maskU[k] : 0) | (cellRural[i] > 0 ? maskR[k] : 0)];
  }

  const lon = new Float64Array(rows);
  const lat = new Float64Array(rows);
  const regionIndex = new Uint32Array(rows);
  const classIndex = new Uint8Array(rows);
  const buildings = new Float32Array(rows);
  const floorAreaM2 = new Float32Array(rows);
  const occupantsDay = new Float32Array(rows);
  const occupantsNight = new Float32Array(rows);
  const valueCny = new Float64Array(rows);
  const population = new Float32Array(rows);

  // Pass 2: fill.
  const valuePerM2 = Float64Array.from(file.valuePerM2);
  const nightHome = occ.night.home;
  const nightNon = occ.night.nonResidential;
  const dayHomeU = occ.dayUrban.home;
  const dayHomeR = occ.dayRural.home;
  const dayNonU = occ.dayUrban.nonResidential;
  const dayNonR = occ.dayRural.nonResidential;
  let r = 0;
  for (let c = 0; c < cells; c++) {
    const i = picked[c];
    const k = cellUnit[i];
    const pu = cellUrban[i];
    const pr = cellRural[i];
    const cu = urbanPeople[k];
    const cr = ruralPeople[k];
    const people = pu * cu + pr * cr;
    const resTotal = pu * resUSum[k] + pr * resRSum[k];
    const dayHomePeople = dayHomeU * pu * cu + dayHomeR * pr * cr;
    const dayNonPeople = dayNonU * cu + dayNonR * cr;
    const nightNonPeople = nightNon * (cu + cr);
    const nonTotal = nonSum[k];
    const region = regionOf[k];
    const x = cellLon[i];
    const y = cellLat[i];
    for (let j = 0; j < nc; j++) {
      const kj = k * nc + j;
      const res = pu * resU[kj] + pr * resR[kj];
      const nonRes = pu * non[kj];
      const area = res + nonRes;
      if (!(area > 0)) continue; // same test as the row count: pools with area, cell share > 0
      const resFrac = resTotal > 0 ? res / resTotal : 0;
      const nonFrac = nonTotal > 0 ? nonRes / nonTotal : 0;
      lon[r] = x;
      lat[r] = y;
      regionIndex[r] = region;
      classIndex[r] = j;
      floorAreaM2[r] = area;
      buildings[r] = pu * bU[kj] + pr * bR[kj];
      population[r] = people * resFrac;
      occupantsNight[r] = nightHome * people * resFrac + nightNonPeople * nonFrac;
      occupantsDay[r] = dayHomePeople * resFrac + dayNonPeople * nonFrac;
      valueCny[r] = area * valuePerM2[j];
      r++;
    }
  }
  const out: ExposureColumns = { count: rows, lon, lat, regionIndex, classIndex, buildings, floorAreaM2, occupantsDay, occupantsNight, valueCny, population, regions: file.regions };
  if (r !== rows) throw new Error(`exposure row count mismatch (${r} ≠ ${rows})`);
  if (!opts.bbox) cachedAll = out;
  return out;
}

/** [minLon, minLat, maxLon, maxLat] around a point, `radiusKm` in every direction. */
export function bboxAround(lon: number, lat: number, radiusKm: number): BBox {
  const dLat = radiusKm / 111.195;
  const dLon = radiusKm / (111.195 * Math.max(0.05, Math.cos((lat * Math.PI) / 180)));
  return [lon - dLon, lat - dLat, lon + dLon, lat + dLat];
}
