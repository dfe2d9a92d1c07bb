/**
 * Building-level inventory a city provides (CSV or GeoJSON points), validated row by row, and a
 * columnar binary cache of any ExposureColumns.
 *
 * Columns (CSV header or GeoJSON properties; English or Chinese names, case-insensitive):
 *   lon, lat                 WGS84 degrees (GeoJSON: the Point geometry)
 *   class                    A1 A2 B C D E, or 土木/土坯/石木/砖木 (A1), 穿斗木构架 (A2), 未设防砖混 (B),
 *                            砖混/设防砖混 (C), 框架/剪力墙/钢筋混凝土 (D), 钢结构 (E)
 *   floors                   optional, integer ≥ 1
 *   floor_area_m2            > 0
 *   occupants_day, occupants_night   ≥ 0
 *   value_cny                optional, ≥ 0; default floor area × the national replacement cost per m²
 *   region_code              optional 6-digit county code; else found by point-in-polygon
 * A bad row is reported ({ row, field, message }; CSV rows are numbered as in a spreadsheet, the
 * header being row 1; GeoJSON features from 1) and left out; good rows are kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCsv } from '@anlan/core';
import { loadDivisions } from '@anlan/reference-data';

export { parseCsv };
import { STRUCTURE_CLASSES, type ExposureColumns } from '../types.ts';
import { CENSUS_RECODE } from './codes.ts';
import { encodeColumns, readColumnsFile, type ColumnArray } from './columnar.ts';
import { readCountyOutlinesSync, RegionLocator } from './geo.ts';
import { EXPOSURE_DATA_DIR } from './national.ts';

export interface InventoryError {
  row: number;
  field: string;
  message: string;
}

export interface InventoryResult {
  exposure: ExposureColumns;
  errors: InventoryError[];
}

type Field = 'lon' | 'lat' | 'class' | 'floors' | 'floor_area_m2' | 'occupants_day' | 'occupants_night' | 'value_cny' | 'region_code';

const ALIASES: Record<Field, string[]> = {
  lon: ['lon', 'lng', 'longitude', 'x', '经度'],
  lat: ['lat', 'latitude', 'y', '纬度'],
  class: ['class', 'structure_class', 'structure', 'structure_type', '结构', '结构类型', '结构类别'],
  floors: ['floors', 'stories', 'storeys', 'levels', '层数'],
  floor_area_m2: ['floor_area_m2', 'floor_area', 'area_m2', 'area', '建筑面积', '面积'],
  occupants_day: ['occupants_day', 'day_occupants', 'day', '白天人数', '日间人数'],
  occupants_night: ['occupants_night', 'night_occupants', 'night', '夜间人数'],
  value_cny: ['value_cny', 'replacement_value_cny', 'value', '重置价值', '价值'],
  region_code: ['region_code', 'region', 'adcode', 'county_code', '区划代码', '行政区划代码'],
};
const REQUIRED: Field[] = ['lon', 'lat', 'class', 'floor_area_m2', 'occupants_day', 'occupants_night'];

/** Structure class names → index into STRUCTURE_CLASSES. Longer names are tried first. */
const CLASS_NAMES: [string, number][] = (
  [
    ['未设防砖混', 2],
    ['未经抗震设防砖混', 2],
    ['设防砖混', 3],
    ['砖混', 3],
    ['土木', 0],
    ['土坯', 0],
    ['石木', 0],
    ['生土', 0],
    // GB/T 17742-2020: A1 is 未设防的土木、砖木、石木 houses; A2 is 穿斗木构架 (timber frame).
    ['砖木', 0],
    ['穿斗', 1],
    ['木构架', 1],
    ['框架', 4],
    ['剪力墙', 4],
    ['框剪', 4],
    ['钢筋混凝土', 4],
    ['钢混', 4],
    ['钢结构', 5],
  ] as [string, number][]
).sort((a, b) => b[0].length - a[0].length);

export function parseStructureClass(raw: string): number | null {
  const s = raw.trim().toUpperCase();
  const direct = (STRUCTURE_CLASSES as readonly string[]).indexOf(s);
  if (direct >= 0) return direct;
  for (const [name, index] of CLASS_NAMES) if (raw.includes(name)) return index;
  return null;
}


interface RawRow {
  row: number;
  get: (field: Field) => unknown;
}

let locator: RegionLocator | null = null;
let currentCodes: Map<string, string> | null = null;

function countyCodes(): Map<string, string> {
  if (!currentCodes) {
    const divisions = loadDivisions();
    const withCounties = new Set(divisions.filter((d) => d.level === 'county').map((d) => d.parentCode));
    currentCodes = new Map(divisions.filter((d) => d.level === 'county' || (d.level === 'prefecture' && !withCounties.has(d.code))).map((d) => [d.code, d.name]));
  }
  return currentCodes;
}

function replacementCostPerM2(): number[] {
  const file = JSON.parse(readFileSync(EXPOSURE_DATA_DIR + 'counties.json', 'utf8')) as { valuePerM2: number[] };
  return file.valuePerM2;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? NaN : Number(v.trim());
  return NaN;
}

export function readInventory(path: string): InventoryResult {
  return parseInventory(readFileSync(path, 'utf8'), path);
}

export interface ParseInventoryOptions {
  /** A further check of each row's county (e.g. the uploader's region scope): an error message, or null to accept. */
  checkRegion?: (code: string) => string | null;
}

/** Same as readInventory, for text that arrived another way (an upload); `name` hints the format. */
export function parseInventory(input: string, name = '', opts: ParseInventoryOptions = {}): InventoryResult {
  const text = input.replace(/^\uFEFF/, '');
  const errors: InventoryError[] = [];
  const raw: RawRow[] = [];
  const looksJson = /\.(geo)?json$/i.test(name) || text.trimStart().startsWith('{');
  if (looksJson) {
    let doc: { type?: string; features?: { geometry?: { type?: string; coordinates?: unknown }; properties?: Record<string, unknown> | null }[] };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch (e) {
      return { exposure: emptyExposure(), errors: [{ row: 0, field: 'file', message: `not valid JSON: ${(e as Error).message}` }] };
    }
    if (doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
      return { exposure: emptyExposure(), errors: [{ row: 0, field: 'file', message: 'expected a GeoJSON FeatureCollection' }] };
    }
    doc.features.forEach((feature, i) => {
      const props = lowerKeys(feature.properties ?? {});
      const geometry = feature.geometry;
      const coords = geometry?.type === 'Point' && Array.isArray(geometry.coordinates) ? (geometry.coordinates as unknown[]) : null;
      raw.push({
        row: i + 1,
        get: (field) => {
          if (field === 'lon' && coords) return coords[0];
          if (field === 'lat' && coords) return coords[1];
          for (const alias of ALIASES[field]) if (alias.toLowerCase() in props) return props[alias.toLowerCase()];
          return undefined;
        },
      });
    });
  } else {
    const rows = parseCsv(text);
    const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
    const index = {} as Record<Field, number>;
    for (const field of Object.keys(ALIASES) as Field[]) index[field] = header.findIndex((h) => ALIASES[field].some((a) => a.toLowerCase() === h));
    const missing = REQUIRED.filter((f) => index[f] < 0);
    if (missing.length > 0) {
      return { exposure: emptyExposure(), errors: missing.map((f) => ({ row: 1, field: f, message: `column missing from the header (accepted names: ${ALIASES[f].join(', ')})` })) };
    }
    for (let i = 1; i < rows.length; i++) {
      const cells = rows[i];
      if (cells.every((c) => c.trim() === '')) continue;
      raw.push({ row: i + 1, get: (field) => (index[field] >= 0 ? cells[index[field]] : undefined) });
    }
  }

  const codes = countyCodes();
  let costs: number[] | null = null;
  const lon: number[] = [];
  const lat: number[] = [];
  const cls: number[] = [];
  const area: number[] = [];
  const day: number[] = [];
  const night: number[] = [];
  const value: number[] = [];
  const region: string[] = [];
  for (const r of raw) {
    const rowErrors: InventoryError[] = [];
    const fail = (field: string, message: string): void => {
      rowErrors.push({ row: r.row, field, message });
    };
    const number = (field: Field, check: (v: number) => boolean, what: string, required: boolean): number | null => {
      const v = r.get(field);
      if (isBlank(v)) {
        if (required) fail(field, 'missing');
        return null;
      }
      const n = toNumber(v);
      if (!Number.isFinite(n) || !check(n)) {
        fail(field, `${JSON.stringify(v)} is not ${what}`);
        return null;
      }
      return n;
    };
    const x = number('lon', (v) => v >= -180 && v <= 180, 'a longitude in [-180, 180]', true);
    const y = number('lat', (v) => v >= -90 && v <= 90, 'a latitude in [-90, 90]', true);
    const rawClass = r.get('class');
    let c: number | null = null;
    if (isBlank(rawClass)) fail('class', 'missing');
    else {
      c = parseStructureClass(String(rawClass));
      if (c === null) fail('class', `${JSON.stringify(rawClass)} is not a structure class (A1, A2, B, C, D, E or 土木, 砖木, 砖混, 框架, 钢结构 …)`);
    }
    number('floors', (v) => Number.isInteger(v) && v >= 1 && v <= 200, 'an integer number of floors ≥ 1', false);
    const a = number('floor_area_m2', (v) => v > 0, 'a floor area > 0 m²', true);
    const d = number('occupants_day', (v) => v >= 0, 'a number of occupants ≥ 0', true);
    const n = number('occupants_night', (v) => v >= 0, 'a number of occupants ≥ 0', true);
    const val = number('value_cny', (v) => v >= 0, 'a value ≥ 0 CNY', false);
    let code: string | null = null;
    const rawCode = r.get('region_code');
    if (!isBlank(rawCode)) {
      const s = String(rawCode).trim();
      const mapped = codes.has(s) ? s : CENSUS_RECODE[s];
      if (!/^\d{6}$/.test(s)) fail('region_code', `${JSON.stringify(rawCode)} is not a 6-digit GB/T 2260 code`);
      else if (!mapped || !codes.has(mapped)) fail('region_code', `${s} is not a county-level code of GB/T 2260 (2023)`);
      else code = mapped;
    } else if (x !== null && y !== null && rowErrors.length === 0) {
      locator ??= new RegionLocator(readCountyOutlinesSync());
      const hit = locator.locate(x, y);
      if (!hit) fail('region_code', `no county outline contains (${x}, ${y}); give region_code`);
      else code = codes.has(hit.code) ? hit.code : (CENSUS_RECODE[hit.code] ?? hit.code);
    }
    if (code !== null && opts.checkRegion) {
      const problem = opts.checkRegion(code);
      if (problem) fail('region_code', problem);
    }
    if (rowErrors.length > 0 || x === null || y === null || c === null || a === null || d === null || n === null || code === null) {
      errors.push(...rowErrors);
      continue;
    }
    if (val === null) costs ??= replacementCostPerM2();
    lon.push(x);
    lat.push(y);
    cls.push(c);
    area.push(a);
    day.push(d);
    night.push(n);
    value.push(val ?? a * costs![c]);
    region.push(code);
  }

  const regionCodes = [...new Set(region)].sort();
  const regionIndex = new Map(regionCodes.map((code, i) => [code, i]));
  const count = lon.length;
  const exposure: ExposureColumns = {
    count,
    lon: Float64Array.from(lon),
    lat: Float64Array.from(lat),
    regionIndex: Uint32Array.from(region, (code) => regionIndex.get(code)!),
    classIndex: Uint8Array.from(cls),
    buildings: new Float32Array(count).fill(1),
    floorAreaM2: Float32Array.from(area),
    occupantsDay: Float32Array.from(day),
    occupantsNight: Float32Array.from(night),
    valueCny: Float64Array.from(value),
    // Residents of a building are taken as its night-time occupants.
    population: Float32Array.from(night),
    regions: regionCodes.map((code) => ({ code, name: codes.get(code) ?? code })),
  };
  return { exposure, errors };
}

function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.trim().toLowerCase()] = v;
  return out;
}

export function emptyExposure(): ExposureColumns {
  return {
    count: 0,
    lon: new Float64Array(0),
    lat: new Float64Array(0),
    regionIndex: new Uint32Array(0),
    classIndex: new Uint8Array(0),
    buildings: new Float32Array(0),
    floorAreaM2: new Float32Array(0),
    occupantsDay: new Float32Array(0),
    occupantsNight: new Float32Array(0),
    valueCny: new Float64Array(0),
    population: new Float32Array(0),
    regions: [],
  };
}

// ---------------------------------------------------------------- binary cache
const COLUMNS = ['lon', 'lat', 'regionIndex', 'classIndex', 'buildings', 'floorAreaM2', 'occupantsDay', 'occupantsNight', 'valueCny', 'population'] as const;
export interface CacheMeta {
  kind: 'anlan-exposure';
  version: 1;
  count: number;
  regions: { code: string; name: string }[];
}

/** Writes the exposure as raw typed arrays behind a small JSON header (see columnar.ts). */
export function writeExposureCache(path: string, exposure: ExposureColumns): void {
  const columns: Record<string, ColumnArray> = {};
  for (const name of COLUMNS) columns[name] = exposure[name];
  const meta: CacheMeta = { kind: 'anlan-exposure', version: 1, count: exposure.count, regions: exposure.regions };
  writeFileSync(path, encodeColumns(meta, columns));
}

/** Reads a cache written by writeExposureCache: one read, the arrays are views on the file's bytes. */
export function readExposureCache(path: string): ExposureColumns {
  return exposureFromCache(path, readColumnsFile<CacheMeta>(path));
}

/** Checks a decoded cache and gives its columns as an exposure (for every reader of the cache). */
export function exposureFromCache(path: string, decoded: { meta: CacheMeta; columns: Record<string, ColumnArray> }): ExposureColumns {
  const { meta, columns } = decoded;
  if (meta.kind !== 'anlan-exposure' || meta.version !== 1) throw new Error(`${path} is not an Anlan exposure cache (version 1)`);
  for (const name of COLUMNS) {
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
