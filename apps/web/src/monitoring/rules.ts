// The rule editor's model: a flat form per rule kind, converted to and from the rule JSON of
// @anlan/rules (packages/rules/src/types.ts), and the server's validation errors placed on its
// fields.
import { ApiError } from '../api';
import { t } from '../i18n';
import { currentLocale } from '../i18n';
import { LEVELS } from './levels';
import { formatSeconds, formatReading } from './format';
import type { Direction, MonitoringRule, RuleKind, WarningLevel } from '../types';

export type Target = 'sensor' | 'sensorType';
export type ScopeKind = 'point' | 'area';

export interface RuleForm {
  kind: RuleKind;
  name: string;
  description: string;
  enabled: boolean;
  target: Target;
  sensor: string;
  sensorType: string;
  direction: Direction;
  levels: Record<WarningLevel, number | undefined>;
  hysteresis: number | undefined;
  minDurationSec: number | undefined;
  unit: string;
  windowSec: number | undefined;
  bucketSec: number | undefined;
  resolution: number | undefined;
  unitSec: number | undefined;
  minSpanSec: number | undefined;
  intervals: number | undefined;
  intervalSec: number | undefined;
  level: WarningLevel;
  all: { rule: string; atLeast: WarningLevel }[];
  scopeKind: ScopeKind;
  scopeId: string;
}

export function emptyForm(kind: RuleKind = 'threshold'): RuleForm {
  return {
    kind,
    name: '',
    description: '',
    enabled: true,
    target: 'sensor',
    sensor: '',
    sensorType: '',
    direction: 'above',
    levels: { blue: undefined, yellow: undefined, orange: undefined, red: undefined },
    hysteresis: undefined,
    minDurationSec: undefined,
    unit: '',
    windowSec: kind === 'accumulation' ? 3600 : kind === 'rate' ? 3600 : undefined,
    bucketSec: undefined,
    resolution: undefined,
    unitSec: 3600,
    minSpanSec: undefined,
    intervals: 3,
    intervalSec: 300,
    level: kind === 'composite' ? 'red' : 'blue',
    all: kind === 'composite' ? [{ rule: '', atLeast: 'yellow' }] : [],
    scopeKind: 'point',
    scopeId: '',
  };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const level = (v: unknown, fallback: WarningLevel): WarningLevel => ((LEVELS as readonly unknown[]).includes(v) ? (v as WarningLevel) : fallback);

export function formFromDefinition(def: Record<string, unknown>): RuleForm {
  const kind = (['threshold', 'accumulation', 'rate', 'offline', 'composite'] as const).includes(def.kind as RuleKind) ? (def.kind as RuleKind) : 'threshold';
  const f = emptyForm(kind);
  f.name = str(def.name);
  f.description = str(def.description);
  f.enabled = def.enabled !== false;
  if (def.sensorType !== undefined) {
    f.target = 'sensorType';
    f.sensorType = str(def.sensorType);
  } else f.sensor = str(def.sensor);
  f.direction = def.direction === 'below' ? 'below' : 'above';
  const levels = (def.levels && typeof def.levels === 'object' ? def.levels : {}) as Record<string, unknown>;
  for (const l of LEVELS) f.levels[l] = num(levels[l]);
  f.hysteresis = num(def.hysteresis);
  f.minDurationSec = num(def.minDurationSec);
  f.unit = str(def.unit);
  f.windowSec = num(def.windowSec);
  f.bucketSec = num(def.bucketSec);
  f.resolution = num(def.resolution);
  f.unitSec = num(def.unitSec) ?? 3600;
  f.minSpanSec = num(def.minSpanSec);
  f.intervals = num(def.intervals);
  f.intervalSec = num(def.intervalSec);
  f.level = level(def.level, kind === 'composite' ? 'red' : 'blue');
  if (Array.isArray(def.all)) {
    f.all = def.all.map((m) => {
      const o = (m && typeof m === 'object' ? m : {}) as Record<string, unknown>;
      return { rule: str(o.rule), atLeast: level(o.atLeast, 'yellow') };
    });
  }
  const scope = def.scope;
  if (scope === 'area' || scope === 'point') f.scopeKind = scope;
  else if (scope && typeof scope === 'object') {
    const o = scope as Record<string, unknown>;
    f.scopeKind = 'area' in o ? 'area' : 'point';
    f.scopeId = str(o.area ?? o.point);
  }
  return f;
}

/** The rule JSON of a form: only the fields of its kind, optional numbers left out when empty. */
export function definitionFromForm(f: RuleForm): Record<string, unknown> {
  const d: Record<string, unknown> = { kind: f.kind };
  if (f.name.trim()) d.name = f.name.trim();
  if (f.description.trim()) d.description = f.description.trim();
  d.enabled = f.enabled;
  const put = (key: string, v: number | undefined) => {
    if (v !== undefined && v !== null && Number.isFinite(v)) d[key] = v;
  };
  if (f.kind !== 'composite') {
    if (f.target === 'sensorType') d.sensorType = f.sensorType;
    else d.sensor = f.sensor.trim();
  }
  if (f.kind === 'threshold' || f.kind === 'accumulation' || f.kind === 'rate') {
    d.direction = f.direction;
    const levels: Record<string, number> = {};
    for (const l of LEVELS) if (typeof f.levels[l] === 'number') levels[l] = f.levels[l]!;
    d.levels = levels;
    put('hysteresis', f.hysteresis);
    put('minDurationSec', f.minDurationSec);
    if (f.unit.trim()) d.unit = f.unit.trim();
  }
  if (f.kind === 'accumulation' || f.kind === 'rate') {
    put('windowSec', f.windowSec);
    put('bucketSec', f.bucketSec);
  }
  if (f.kind === 'accumulation') put('resolution', f.resolution);
  if (f.kind === 'rate') {
    put('unitSec', f.unitSec);
    put('minSpanSec', f.minSpanSec);
  }
  if (f.kind === 'offline') {
    put('intervals', f.intervals);
    put('intervalSec', f.intervalSec);
    d.level = f.level;
  }
  if (f.kind === 'composite') {
    d.all = f.all.map((m) => ({ rule: m.rule, atLeast: m.atLeast }));
    d.level = f.level;
    d.scope = f.scopeId.trim() ? { [f.scopeKind]: f.scopeId.trim() } : f.scopeKind;
  }
  return d;
}

/**
 * A server error path as a form key: "/body/levels/red", "rules[0].levels.red",
 * "definition.levels.red" → "levels.red"; "rules[0]" → "" (the rule as a whole).
 */
export function errorKey(field: string): string {
  let p = String(field ?? '').trim();
  p = p.replace(/^\/?body\/?/, '').replace(/\//g, '.');
  p = p.replace(/^rules\[\d+\]\.?/, '').replace(/^rule\.?/, '').replace(/^definition\.?/, '');
  return p.replace(/^\./, '');
}

// The engine's messages are English; the common ones in Chinese when the UI is.
const ZH: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^is required$/i, () => '必填'],
  [/^unknown field.*$/i, () => '未知字段'],
  [/^must be a finite number, got (.*)$/i, (m) => `应为数字（当前为 ${m[1]}）`],
  [/^must be a whole number, got (.*)$/i, (m) => `应为整数（当前为 ${m[1]}）`],
  [/^must be greater than (-?[\d.]+), got (.*)$/i, (m) => `应大于 ${m[1]}（当前为 ${m[2]}）`],
  [/^must be at least (-?[\d.]+), got (.*)$/i, (m) => `不能小于 ${m[1]}（当前为 ${m[2]}）`],
  [/^must be at most (-?[\d.]+), got (.*)$/i, (m) => `不能大于 ${m[1]}（当前为 ${m[2]}）`],
  [/^must be a non-empty string.*$/i, () => '不能为空'],
  [
    /^must be (greater|less) than levels\.(\w+) \(([-\d.]+)\) for direction (\w+), got (.*)$/i,
    (m) => `${m[1] === 'greater' ? '应大于' : '应小于'}${t(`monitoring.levelShort.${m[2]}`)}级阈值 ${m[3]}（方向：${m[4] === 'above' ? '高于' : '低于'}），当前为 ${m[5]}`,
  ],
  [/^give at least one of blue, yellow, orange, red$/i, () => '至少填写一个级别的阈值'],
  [/^give exactly one of sensor .*$/i, () => '请指定一个传感器，或一类传感器（二者选一）'],
  [/^refers to unknown rule (.*)$/i, (m) => `引用的规则 ${m[1]} 不存在`],
  [/^a composite rule cannot refer to itself$/i, () => '组合规则不能引用自身'],
  [/^refers to rule (.*), which is disabled.*$/i, (m) => `引用的规则 ${m[1]} 已停用，本规则永远不会触发`],
  [/^composite rules form a cycle: (.*)$/i, (m) => `组合规则形成循环引用：${m[1]}`],
  [/^must divide windowSec \((\d+)\) into whole buckets, got (.*)$/i, (m) => `应能整除统计窗口（${m[1]} 秒），当前为 ${m[2]}`],
];

export function localizeRuleMessage(message: string): string {
  if (currentLocale.value !== 'zh-CN') return message;
  for (const [re, fmt] of ZH) {
    const m = message.match(re);
    if (m) return fmt(m);
  }
  return message;
}

export interface PlacedErrors {
  byKey: Record<string, string>;
  /** Every error with its path, for the JSON view and for those no field shows. */
  list: { path: string; message: string }[];
}

/** Validation errors of a failed save or check (problem+json errors, or an answer listing errors). */
export function ruleErrors(e: unknown): PlacedErrors | null {
  let errors: { field?: string; path?: string; message: string }[] | null = null;
  if (e instanceof ApiError && (e.status === 400 || e.status === 422) && e.errors.length) errors = e.errors;
  else if (e && typeof e === 'object' && Array.isArray((e as { errors?: unknown }).errors)) errors = (e as { errors: { field?: string; path?: string; message: string }[] }).errors;
  if (!errors) return null;
  const byKey: Record<string, string> = {};
  const list = errors.map((x) => {
    const path = errorKey(x.field ?? x.path ?? '');
    const message = localizeRuleMessage(String(x.message ?? ''));
    byKey[path] = byKey[path] ? `${byKey[path]}；${message}` : message;
    return { path, message };
  });
  return { byKey, list };
}

/** One line for the list: target and levels. */
export function ruleSummary(r: MonitoringRule, sensorTypeName: (key: string) => string): string {
  const d = r.definition ?? {};
  const parts: string[] = [];
  if (typeof d.sensor === 'string') parts.push(t('monitoring.rules.summarySensor', { code: d.sensor }));
  else if (typeof d.sensorType === 'string') parts.push(t('monitoring.rules.summaryType', { type: sensorTypeName(d.sensorType) }));
  if (typeof d.windowSec === 'number' && (r.kind === 'accumulation' || r.kind === 'rate')) parts.push(t('monitoring.rules.summaryWindow', { w: formatSeconds(d.windowSec) }));
  const levels = (d.levels ?? {}) as Record<string, number>;
  const lv = LEVELS.filter((l) => typeof levels[l] === 'number').map((l) => `${t(`monitoring.levelShort.${l}`)} ${formatReading(levels[l]!)}`);
  if (lv.length) parts.push(`${d.direction === 'below' ? '≤' : '≥'} ${lv.join(' / ')}`);
  if (r.kind === 'offline' && typeof d.intervals === 'number' && typeof d.intervalSec === 'number')
    parts.push(t('monitoring.rules.summaryOffline', { n: d.intervals, every: formatSeconds(d.intervalSec) }));
  if (r.kind === 'composite' && Array.isArray(d.all)) parts.push(t('monitoring.rules.summaryComposite', { n: d.all.length }));
  return parts.join(' · ');
}
