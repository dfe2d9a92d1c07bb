/**
 * The registry's field rules, without I/O: the same checks serve the JSON routes and the
 * spreadsheet import, so a row is refused for the same reason a request would be.
 */
import type { FieldError } from '@anlan/core';
import {
  CUSTOM_SENSOR_TYPE,
  LEVELS,
  POINT_TYPE_KEYS,
  WATCHES_KIND_KEYS,
  sensorType,
  sensorTypesForQuantity,
  type AccumulationThreshold,
  type Direction,
  type Level,
  type PointTypeKey,
  type SensorTypeDef,
  type Thresholds,
  type WatchesKind,
} from './catalogue.ts';

export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const LIMITS = { name: 200, ownerUnit: 200, watchesRef: 100, watchesName: 200, notes: 2000, quantity: 64, unit: 32 } as const;
const MIN_WINDOW_SEC = 60;
const MAX_WINDOW_SEC = 7 * 86400;
const MAX_WINDOWS = 8;

// ---- points ----

/** A point as stored, apart from the bookkeeping columns. */
export interface PointRecord {
  name: string;
  type: PointTypeKey;
  regionCode: string;
  lon: number;
  lat: number;
  ownerUnit: string | null;
  watchesKind: WatchesKind | null;
  watchesRef: string | null;
  watchesName: string | null;
  notes: string | null;
}

/** What a caller sends: required fields on create, any subset on update. */
export type PointInput = Partial<PointRecord>;

const POINT_FIELDS = ['name', 'type', 'regionCode', 'lon', 'lat', 'ownerUnit', 'watchesKind', 'watchesRef', 'watchesName', 'notes'] as const;

function blankToNull(v: string | null | undefined): string | null {
  if (v === undefined || v === null) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/** The point a create or an update produces: given fields replace, missing ones are kept. */
export function mergePoint(current: PointRecord | null, input: PointInput): { record: PointRecord; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!current) {
    for (const f of ['name', 'type', 'regionCode', 'lon', 'lat'] as const) {
      if (input[f] === undefined || input[f] === null || input[f] === '') errors.push({ field: f, message: 'is required' });
    }
  }
  const base: PointRecord = current ?? { name: '', type: 'other', regionCode: '', lon: NaN, lat: NaN, ownerUnit: null, watchesKind: null, watchesRef: null, watchesName: null, notes: null };
  const record = { ...base };
  for (const f of POINT_FIELDS) if (input[f] !== undefined) (record as Record<string, unknown>)[f] = input[f];
  record.name = (record.name ?? '').trim();
  record.ownerUnit = blankToNull(record.ownerUnit);
  record.watchesRef = blankToNull(record.watchesRef);
  record.watchesName = blankToNull(record.watchesName);
  record.notes = blankToNull(record.notes);
  return { record, errors };
}

export function checkPointFields(p: PointRecord): FieldError[] {
  const errors: FieldError[] = [];
  if (p.name === '') errors.push({ field: 'name', message: 'must not be empty' });
  else if (p.name.length > LIMITS.name) errors.push({ field: 'name', message: `must be at most ${LIMITS.name} characters` });
  if (!POINT_TYPE_KEYS.includes(p.type)) errors.push({ field: 'type', message: `must be one of ${POINT_TYPE_KEYS.join(', ')}` });
  if (typeof p.lon !== 'number' || !Number.isFinite(p.lon) || p.lon < -180 || p.lon > 180) errors.push({ field: 'lon', message: 'must be a longitude in degrees (WGS84), -180 to 180' });
  if (typeof p.lat !== 'number' || !Number.isFinite(p.lat) || p.lat < -90 || p.lat > 90) errors.push({ field: 'lat', message: 'must be a latitude in degrees (WGS84), -90 to 90' });
  for (const f of ['ownerUnit', 'watchesRef', 'watchesName', 'notes'] as const) {
    const v = p[f];
    if (v !== null && v.length > LIMITS[f]) errors.push({ field: f, message: `must be at most ${LIMITS[f]} characters` });
  }
  if (p.watchesKind !== null && !WATCHES_KIND_KEYS.includes(p.watchesKind)) errors.push({ field: 'watchesKind', message: `must be one of ${WATCHES_KIND_KEYS.join(', ')}` });
  // A reference without its kind cannot be followed to the record it names.
  if (p.watchesKind === null && (p.watchesRef !== null || p.watchesName !== null)) {
    errors.push({ field: 'watchesKind', message: 'say what kind of object is watched when giving watchesRef or watchesName' });
  }
  return errors;
}

// ---- sensors ----

export interface SensorRecord {
  code: string;
  pointId: number;
  type: string;
  quantity: string;
  unit: string;
  unitOverride: boolean;
  samplingIntervalSec: number;
  rangeMin: number | null;
  rangeMax: number | null;
  thresholds: Thresholds;
  accumulation: AccumulationThreshold[] | null;
  enabled: boolean;
  notes: string | null;
}

export type SensorInput = Partial<SensorRecord>;

function levelsOf(t: Partial<Record<Level, number>>): Partial<Record<Level, number>> {
  const out: Partial<Record<Level, number>> = {};
  for (const l of LEVELS) if (t[l] !== undefined && t[l] !== null) out[l] = t[l];
  return out;
}

/** Thresholds with the levels in a fixed order and absent levels left out, so equal sets compare equal. */
export function normaliseThresholds(t: Thresholds): Thresholds {
  return { direction: t.direction, ...levelsOf(t) };
}

/** Windows sorted by length; no windows at all is stored as null. */
export function normaliseAccumulation(a: AccumulationThreshold[] | null): AccumulationThreshold[] | null {
  if (a === null || a.length === 0) return null;
  return [...a].sort((x, y) => x.windowSec - y.windowSec).map((w) => ({ windowSec: w.windowSec, ...levelsOf(w) }));
}

function chooseType(input: SensorInput, current: SensorRecord | null, errors: FieldError[]): SensorTypeDef | null {
  if (input.type !== undefined) {
    const def = sensorType(input.type);
    if (!def) errors.push({ field: 'type', message: `unknown sensor type ${JSON.stringify(input.type)}; see GET /api/v1/monitoring/types` });
    return def ?? null;
  }
  if (current) return sensorType(current.type) ?? sensorType(CUSTOM_SENSOR_TYPE)!;
  if (input.quantity) {
    const fits = sensorTypesForQuantity(input.quantity);
    if (fits.length === 1) return fits[0];
    if (fits.length > 1) {
      errors.push({ field: 'type', message: `quantity ${input.quantity} fits several types (${fits.map((t) => `${t.key} ${t.name}`).join(', ')}); give the type` });
      return null;
    }
    return sensorType(CUSTOM_SENSOR_TYPE)!;
  }
  errors.push({ field: 'type', message: 'is required (a sensor type key from GET /api/v1/monitoring/types), or give the quantity' });
  return null;
}

/**
 * The sensor a create or an update produces. Given fields replace; missing ones are kept, or on
 * a create or a change of type taken from the catalogue entry of the type.
 */
export function mergeSensor(current: SensorRecord | null, input: SensorInput): { record: SensorRecord; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!current) {
    if (input.code === undefined) errors.push({ field: 'code', message: 'is required' });
    if (input.pointId === undefined) errors.push({ field: 'pointId', message: 'is required' });
  }
  const chosen = chooseType(input, current, errors);
  const def = chosen ?? sensorType(CUSTOM_SENSOR_TYPE)!;
  const fresh = !current || def.key !== current.type;
  const pick = <K extends keyof SensorRecord>(k: K, fallback: SensorRecord[K]): SensorRecord[K] => (input[k] !== undefined ? (input[k] as SensorRecord[K]) : fallback);
  const keep = <K extends keyof SensorRecord>(k: K, catalogue: SensorRecord[K]): SensorRecord[K] => pick(k, current && !fresh ? current[k] : catalogue);
  const record: SensorRecord = {
    code: (pick('code', current?.code ?? '') ?? '').trim(),
    pointId: pick('pointId', current?.pointId ?? 0),
    type: def.key,
    quantity: (keep('quantity', def.quantity) ?? '').trim(),
    unit: (keep('unit', def.unit) ?? '').trim(),
    unitOverride: keep('unitOverride', false),
    samplingIntervalSec: keep('samplingIntervalSec', def.samplingIntervalSec),
    rangeMin: keep('rangeMin', def.range?.min ?? null),
    rangeMax: keep('rangeMax', def.range?.max ?? null),
    thresholds: normaliseThresholds(keep('thresholds', def.thresholds)),
    accumulation: normaliseAccumulation(keep('accumulation', def.accumulation ? def.accumulation.map((a) => ({ ...a })) : null)),
    enabled: pick('enabled', current?.enabled ?? true),
    notes: blankToNull(pick('notes', current?.notes ?? null)),
  };
  const checks = checkSensorFields(record, def, { unitTouched: fresh || input.unit !== undefined || input.quantity !== undefined || input.unitOverride !== undefined });
  // Without a type there is nothing to hold the quantity and unit against.
  errors.push(...checks.filter((e) => chosen !== null || (e.field !== 'quantity' && e.field !== 'unit')));
  return { record, errors: errors.filter((e, i) => errors.findIndex((x) => x.field === e.field) === i) };
}

function describeRange(min: number, max: number, unit: string): string {
  return `${min}–${max}${unit ? ` ${unit}` : ''}`;
}

/** Levels must rise (above) or fall (below) from blue to red, and lie inside the measuring range. */
export function checkLevels(levels: Partial<Record<Level, number>>, direction: Direction, field: string, range: { min: number; max: number } | null, unit: string): FieldError[] {
  const errors: FieldError[] = [];
  let prev: { level: Level; value: number } | null = null;
  for (const l of LEVELS) {
    const v = levels[l];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      errors.push({ field: `${field}.${l}`, message: 'must be a number' });
      continue;
    }
    if (range && (v < range.min || v > range.max)) {
      errors.push({ field: `${field}.${l}`, message: `${v} is outside the measuring range ${describeRange(range.min, range.max, unit)}` });
    }
    if (prev && (direction === 'above' ? v <= prev.value : v >= prev.value)) {
      errors.push({
        field: `${field}.${l}`,
        message: `must be ${direction === 'above' ? 'greater' : 'less'} than ${prev.level} (${prev.value}): with direction "${direction}" the levels ${direction === 'above' ? 'rise' : 'fall'} from blue to red`,
      });
    }
    prev = { level: l, value: v };
  }
  return errors;
}

function checkAccumulation(list: AccumulationThreshold[], unit: string): FieldError[] {
  const errors: FieldError[] = [];
  if (list.length > MAX_WINDOWS) errors.push({ field: 'accumulation', message: `at most ${MAX_WINDOWS} windows` });
  const seen = new Set<number>();
  list.forEach((w, i) => {
    const field = `accumulation.${i}`;
    if (!Number.isInteger(w.windowSec) || w.windowSec < MIN_WINDOW_SEC || w.windowSec > MAX_WINDOW_SEC) {
      errors.push({ field: `${field}.windowSec`, message: `must be whole seconds from ${MIN_WINDOW_SEC} to ${MAX_WINDOW_SEC} (7 days)` });
    } else if (seen.has(w.windowSec)) {
      errors.push({ field: `${field}.windowSec`, message: `the window of ${w.windowSec} s is given twice` });
    }
    seen.add(w.windowSec);
    const levels = levelsOf(w);
    if (Object.keys(levels).length === 0) errors.push({ field, message: 'give at least one of blue, yellow, orange, red' });
    for (const l of LEVELS) if (levels[l] !== undefined && levels[l] <= 0) errors.push({ field: `${field}.${l}`, message: 'must be greater than 0' });
    // A sum over a window has no instrument range of its own.
    errors.push(...checkLevels(levels, 'above', field, null, unit));
  });
  return errors;
}

export function checkSensorFields(s: SensorRecord, def: SensorTypeDef, opts: { unitTouched: boolean }): FieldError[] {
  const errors: FieldError[] = [];
  if (!CODE_PATTERN.test(s.code)) errors.push({ field: 'code', message: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. LD-RAIN-001)' });
  if (!Number.isSafeInteger(s.pointId) || s.pointId < 1) errors.push({ field: 'pointId', message: 'must be the id of a monitoring point' });
  if (s.quantity === '') errors.push({ field: 'quantity', message: 'is required for a sensor of type other' });
  else if (s.quantity.length > LIMITS.quantity) errors.push({ field: 'quantity', message: `must be at most ${LIMITS.quantity} characters` });
  if (s.unit === '') errors.push({ field: 'unit', message: 'is required for a sensor of type other' });
  else if (s.unit.length > LIMITS.unit) errors.push({ field: 'unit', message: `must be at most ${LIMITS.unit} characters` });
  // A sensor that silently reports cm under a type measured in m would trip every threshold.
  if (def.key !== CUSTOM_SENSOR_TYPE && opts.unitTouched && !s.unitOverride) {
    if (s.quantity !== def.quantity && s.quantity !== '') {
      errors.push({ field: 'quantity', message: `a ${def.key} (${def.name}) sensor measures ${def.quantity}; send unitOverride: true to register ${s.quantity} on purpose` });
    }
    if (s.unit !== def.unit && s.unit !== '') {
      errors.push({ field: 'unit', message: `a ${def.key} (${def.name}) sensor reports in ${def.unit}; send unitOverride: true to register a sensor reporting in ${s.unit}` });
    }
  }
  if (!Number.isInteger(s.samplingIntervalSec) || s.samplingIntervalSec < 1 || s.samplingIntervalSec > 86400) {
    errors.push({ field: 'samplingIntervalSec', message: 'must be whole seconds from 1 to 86400' });
  }
  let range: { min: number; max: number } | null = null;
  if ((s.rangeMin === null) !== (s.rangeMax === null)) {
    errors.push({ field: s.rangeMin === null ? 'rangeMin' : 'rangeMax', message: 'give both ends of the measuring range, or neither' });
  } else if (s.rangeMin !== null && s.rangeMax !== null) {
    if (!Number.isFinite(s.rangeMin)) errors.push({ field: 'rangeMin', message: 'must be a number' });
    else if (!Number.isFinite(s.rangeMax)) errors.push({ field: 'rangeMax', message: 'must be a number' });
    else if (s.rangeMin >= s.rangeMax) errors.push({ field: 'rangeMax', message: `must be greater than rangeMin (${s.rangeMin})` });
    else range = { min: s.rangeMin, max: s.rangeMax };
  }
  if (s.thresholds.direction !== 'above' && s.thresholds.direction !== 'below') {
    errors.push({ field: 'thresholds.direction', message: 'must be "above" or "below"' });
  } else {
    errors.push(...checkLevels(s.thresholds, s.thresholds.direction, 'thresholds', range, s.unit));
  }
  if (s.accumulation !== null) {
    // Sums only mean something for readings that are increments (the rain of one interval).
    if (!def.accumulation && def.key !== CUSTOM_SENSOR_TYPE && s.accumulation.length > 0) {
      errors.push({ field: 'accumulation', message: `a ${def.key} (${def.name}) sensor has no accumulation thresholds; only sensors whose readings are increments (rainfall) do` });
    } else {
      errors.push(...checkAccumulation(s.accumulation, s.unit));
    }
  }
  if (s.notes !== null && s.notes.length > LIMITS.notes) errors.push({ field: 'notes', message: `must be at most ${LIMITS.notes} characters` });
  return errors;
}

/** Accumulation windows as spreadsheet text: "1h:20/-/-/-; 3h:-/-/50/100" (blue/yellow/orange/red). */
export function formatAccumulation(list: AccumulationThreshold[] | null): string {
  if (list === null || list.length === 0) return '无';
  return list
    .map((w) => {
      const window = w.windowSec % 3600 === 0 ? `${w.windowSec / 3600}h` : w.windowSec % 60 === 0 ? `${w.windowSec / 60}min` : `${w.windowSec}s`;
      return `${window}:${LEVELS.map((l) => (w[l] === undefined ? '-' : String(w[l]))).join('/')}`;
    })
    .join('; ');
}

const NONE = new Set(['无', 'none', '-', '—']);

/** The inverse of formatAccumulation; "无" is no windows. Throws a message for the row report. */
export function parseAccumulation(text: string): AccumulationThreshold[] {
  const t = text.trim();
  if (NONE.has(t.toLowerCase())) return [];
  return t
    .split(/[;；\n]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(\d+(?:\.\d+)?)\s*(h|小时|min|分钟|s|秒)\s*[:：]\s*(.+)$/i.exec(part);
      if (!m) throw new Error(`cannot read "${part}": write windows as 1h:20/-/-/- (blue/yellow/orange/red), separated by ";"`);
      const n = Number(m[1]);
      const unit = m[2].toLowerCase();
      const windowSec = Math.round(unit === 'h' || unit === '小时' ? n * 3600 : unit === 'min' || unit === '分钟' ? n * 60 : n);
      const values = m[3].split('/').map((v) => v.trim());
      if (values.length !== 4) throw new Error(`"${part}" must give four values blue/yellow/orange/red ("-" for none)`);
      const w: AccumulationThreshold = { windowSec };
      values.forEach((v, i) => {
        if (v === '-' || v === '' || v === '—') return;
        const x = Number(v);
        if (!Number.isFinite(x)) throw new Error(`"${v}" in "${part}" is not a number`);
        w[LEVELS[i]] = x;
      });
      return w;
    });
}
