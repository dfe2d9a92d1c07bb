/**
 * The rules that come from elsewhere than the rule editor: those implied by each sensor's own
 * registry fields (`thresholds`, and `accumulation` where it differs from its type's default), and
 * the catalogue's type rules seeded once as editable national rules.
 */
import { LEVELS, type Levels, type Rule } from '@anlan/rules';
import { SENSOR_TYPES, sensorType, type AccumulationThreshold, type Thresholds } from '../catalogue.ts';
import { normaliseAccumulation } from '../validate.ts';

/** Ids of rules implied by a sensor start with this; nobody may save a rule under it. */
export const IMPLICIT_PREFIX = 'sensor:';
/** Silent for this many sampling intervals is offline, for the seeded rules and the map alike. */
export const OFFLINE_INTERVALS = 3;

export interface SensorMeta {
  id: number;
  code: string;
  type: string;
  pointId: number;
  regionCode: string;
  unit: string;
  quantity: string;
  samplingIntervalSec: number;
  thresholds: Thresholds;
  accumulation: AccumulationThreshold[] | null;
  enabled: boolean;
}

function levelsOf(t: Partial<Record<(typeof LEVELS)[number], number | undefined>>): Levels {
  const out: Levels = {};
  for (const l of LEVELS) if (typeof t[l] === 'number') out[l] = t[l];
  return out;
}

/**
 * Hysteresis of a sensor's own thresholds: a twentieth of the narrowest gap between two of its
 * levels, so that leaving a level never reaches down to the one below. With a single level there
 * is no scale to take it from (a water level of 1,320 m and a gas reading of 25 %LEL have nothing
 * in common), so none: the reopen window of the alarm service absorbs what flapping remains.
 */
export function thresholdHysteresis(levels: Levels): number {
  const values = LEVELS.map((l) => levels[l]).filter((v): v is number => v !== undefined);
  if (values.length < 2) return 0;
  let gap = Infinity;
  for (let i = 1; i < values.length; i++) gap = Math.min(gap, Math.abs(values[i] - values[i - 1]));
  return Number((gap / 20).toPrecision(6));
}

/** Hysteresis of a window sum: a tenth of its lowest level (validation wants it below that). */
export function accumulationHysteresis(levels: Levels): number {
  const lowest = LEVELS.map((l) => levels[l]).find((v) => v !== undefined);
  return lowest === undefined ? 0 : Number((lowest / 10).toPrecision(6));
}

/**
 * A bucket that divides the window into whole seconds: 60 buckets up to 6 hours (one minute for
 * the 1 h rain), 144 beyond (ten minutes for 24 h), else the nearest count that divides.
 */
export function bucketFor(windowSec: number): number {
  const preferred = windowSec <= 6 * 3600 ? [60, 72, 48, 120, 40, 36, 30, 24, 20, 12, 10, 6, 5, 4, 3, 2, 1] : [144, 120, 96, 72, 60, 48, 36, 30, 24, 12, 6, 4, 3, 2, 1];
  for (const n of preferred) if (windowSec % n === 0) return windowSec / n;
  return windowSec;
}

// Rain is counted in hours up to two days (24小时, 48小时, as the warnings say), in days beyond.
export function windowLabel(windowSec: number): string {
  if (windowSec % 3600 === 0 && windowSec <= 48 * 3600) return `${windowSec / 3600}小时`;
  if (windowSec % 86400 === 0) return `${windowSec / 86400}天`;
  if (windowSec % 3600 === 0) return `${windowSec / 3600}小时`;
  if (windowSec % 60 === 0) return `${windowSec / 60}分钟`;
  return `${windowSec}秒`;
}

function windowKey(windowSec: number): string {
  if (windowSec % 3600 === 0 && windowSec <= 48 * 3600) return `${windowSec / 3600}h`;
  if (windowSec % 86400 === 0) return `${windowSec / 86400}d`;
  if (windowSec % 3600 === 0) return `${windowSec / 3600}h`;
  if (windowSec % 60 === 0) return `${windowSec / 60}min`;
  return `${windowSec}s`;
}

function accumulationName(type: string, windowSec: number): string {
  return `${windowLabel(windowSec)}累计${type === 'rainfall' ? '雨量' : '值'}`;
}

function quantityName(s: SensorMeta): string {
  const def = sensorType(s.type);
  return def && def.key !== 'other' ? def.name : s.quantity || '监测值';
}

/** The sensor's `accumulation` when it is its own, not the copy of its type's default. */
function ownAccumulation(s: SensorMeta): AccumulationThreshold[] {
  const own = normaliseAccumulation(s.accumulation);
  if (!own) return [];
  const def = sensorType(s.type)?.accumulation;
  const standard = normaliseAccumulation(def ? def.map((w) => ({ ...w })) : null);
  return JSON.stringify(own) === JSON.stringify(standard) ? [] : own;
}

/**
 * The rules a sensor's registry entry implies, all with version 1 (they follow the sensor, whose
 * own version the registry keeps): a threshold rule `sensor:<code>` when its thresholds give a
 * level, and accumulation rules `sensor:<code>:acc-<window>` for windows of its own — the
 * catalogue's default windows are the seeded type rules and would otherwise alarm twice.
 */
export function implicitRules(s: SensorMeta): Rule[] {
  if (!s.enabled) return [];
  const out: Rule[] = [];
  const levels = levelsOf(s.thresholds);
  if (Object.keys(levels).length > 0) {
    out.push({
      kind: 'threshold',
      id: `${IMPLICIT_PREFIX}${s.code}`,
      version: 1,
      name: quantityName(s),
      enabled: true,
      sensor: s.code,
      direction: s.thresholds.direction,
      levels,
      hysteresis: thresholdHysteresis(levels),
      minDurationSec: 0,
      ...(s.unit ? { unit: s.unit } : {}),
    });
  }
  for (const w of ownAccumulation(s)) {
    const wl = levelsOf(w);
    if (Object.keys(wl).length === 0) continue;
    out.push({
      kind: 'accumulation',
      id: `${IMPLICIT_PREFIX}${s.code}:acc-${windowKey(w.windowSec)}`,
      version: 1,
      name: accumulationName(s.type, w.windowSec),
      enabled: true,
      sensor: s.code,
      direction: 'above',
      levels: wl,
      hysteresis: accumulationHysteresis(wl),
      minDurationSec: 0,
      windowSec: w.windowSec,
      bucketSec: bucketFor(w.windowSec),
      resolution: 0.01,
      ...(s.unit ? { unit: s.unit } : {}),
    });
  }
  return out;
}

/** The catalogue's type rules, seeded once as national rules that a national administrator may edit. */
export function catalogueRules(): Rule[] {
  const out: Rule[] = [];
  for (const t of SENSOR_TYPES) {
    if (t.key === 'other') continue;
    for (const w of t.accumulation ?? []) {
      const levels = levelsOf(w);
      out.push({
        kind: 'accumulation',
        id: `type:${t.key}:acc-${windowKey(w.windowSec)}`,
        version: 1,
        name: accumulationName(t.key, w.windowSec),
        description: `${t.name}：${t.source}`,
        enabled: true,
        sensorType: t.key,
        direction: 'above',
        levels,
        hysteresis: accumulationHysteresis(levels),
        minDurationSec: 0,
        windowSec: w.windowSec,
        bucketSec: bucketFor(w.windowSec),
        resolution: 0.01,
        unit: t.unit,
      });
    }
    out.push({
      kind: 'offline',
      id: `type:${t.key}:offline`,
      version: 1,
      name: `${t.name}离线`,
      description: `${OFFLINE_INTERVALS} 个典型上报周期（${t.samplingIntervalSec} 秒）无数据`,
      enabled: true,
      sensorType: t.key,
      intervals: OFFLINE_INTERVALS,
      intervalSec: t.samplingIntervalSec,
      level: 'blue',
    });
  }
  return out;
}
