/** Warning levels, lowest first: the index order is the severity order used everywhere. */
export const LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_NAMES: Readonly<Record<Level, string>> = { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' };

// Level codes let per-sensor state live in a Uint8Array: 0 is "no alarm", 1..4 are blue..red,
// so "at or above" is a plain integer comparison.
export type LevelCode = 0 | 1 | 2 | 3 | 4;

export function levelCode(level: Level): LevelCode {
  return (LEVELS.indexOf(level) + 1) as LevelCode;
}

export function levelOfCode(code: number): Level | null {
  return code >= 1 && code <= 4 ? LEVELS[code - 1] : null;
}

/** One measurement. `ts` is epoch milliseconds of the measurement (device time), not of arrival. */
export interface Reading {
  sensor: string;
  ts: number;
  value: number;
}

export type RuleKind = 'threshold' | 'accumulation' | 'rate' | 'offline' | 'composite';
export type Direction = 'above' | 'below';
export type Levels = Partial<Record<Level, number>>;

interface RuleBase {
  id: string;
  /** Incremented by the editor on every saved change; carried on every transition. */
  version: number;
  name?: string;
  description?: string;
  enabled: boolean;
}

/** A sensor rule applies to one sensor or to every sensor of a type; exactly one is set. */
interface SensorSelector {
  sensor?: string;
  sensorType?: string;
}

/** The four-level part shared by threshold, accumulation and rate rules. */
export interface LeveledSpec {
  direction: Direction;
  levels: Levels;
  /** Absolute band the value must move back past before a level is left. */
  hysteresis: number;
  /** How long (in reading time) the value must stay beyond a level before the level is entered. */
  minDurationSec: number;
  unit?: string;
}

export interface ThresholdRule extends RuleBase, SensorSelector, LeveledSpec {
  kind: 'threshold';
}

/** Sum of the readings' values (increments, e.g. mm of rain) over a sliding time window. */
export interface AccumulationRule extends RuleBase, SensorSelector, LeveledSpec {
  kind: 'accumulation';
  windowSec: number;
  /** Resolution of the window; windowSec must be a whole multiple. */
  bucketSec: number;
  /** Smallest increment summed exactly (default 0.01); values are rounded to it. 1 / resolution must be a whole number. */
  resolution: number;
}

/** Change of the value per `unitSec` (3600: per hour) measured over the last `windowSec`. */
export interface RateRule extends RuleBase, SensorSelector, LeveledSpec {
  kind: 'rate';
  windowSec: number;
  bucketSec: number;
  unitSec: number;
  /** Shortest span of readings a rate is computed from; shorter spans are too noisy to alarm on. */
  minSpanSec: number;
}

/** Raised by `tick` when no reading came for `intervals` × `intervalSec`. */
export interface OfflineRule extends RuleBase, SensorSelector {
  kind: 'offline';
  intervals: number;
  intervalSec: number;
  level: Level;
}

export interface CompositeMember {
  rule: string;
  atLeast: Level;
}

/**
 * `'point'` / `'area'`: evaluated for every monitoring point (area) separately;
 * `{ point }` / `{ area }`: only for that one.
 */
export type CompositeScope = 'point' | 'area' | { point: string } | { area: string };

/** Raised for a point or area while every member rule is at or above its level there. */
export interface CompositeRule extends RuleBase {
  kind: 'composite';
  all: CompositeMember[];
  level: Level;
  scope: CompositeScope;
}

export type SensorRule = ThresholdRule | AccumulationRule | RateRule | OfflineRule;
export type Rule = SensorRule | CompositeRule;

export type TransitionKind = 'raised' | 'level_changed' | 'cleared';

/**
 * A change of one alarm. An alarm is identified by (ruleId, scope, subject): the sensor for
 * sensor rules, the point or area for composites. `point` and `area` are also filled on sensor
 * transitions when known, for display.
 */
export interface AlarmTransition {
  ruleId: string;
  ruleVersion: number;
  ruleKind: RuleKind;
  scope: 'sensor' | 'point' | 'area';
  sensor?: string;
  point?: string;
  area?: string;
  kind: TransitionKind;
  /** Null when cleared. */
  level: Level | null;
  /** Null when raised. */
  previousLevel: Level | null;
  /**
   * The evaluated quantity: the reading (threshold), the window sum (accumulation), the rate,
   * the seconds without data (offline), the number of members satisfied (composite);
   * null when the engine closes an alarm because its rule changed.
   */
  value: number | null;
  ts: number;
  message: string;
  /** Set only on clears that are caused by a rule-set change, not by a value. */
  reason?: 'rule_changed' | 'rule_removed' | 'sensor_unbound';
}

/** An alarm that is open right now, as listed by `engine.openAlarms()`. */
export interface OpenAlarm {
  ruleId: string;
  ruleVersion: number;
  scope: 'sensor' | 'point' | 'area';
  subject: string;
  level: Level;
}

/** The key that identifies an alarm across its transitions. */
export function alarmKey(t: Pick<AlarmTransition, 'ruleId' | 'scope' | 'sensor' | 'point' | 'area'>): string {
  const subject = t.scope === 'sensor' ? t.sensor : t.scope === 'point' ? t.point : t.area;
  return `${t.ruleId}|${t.scope}|${subject}`;
}
