import {
  LEVELS,
  type CompositeMember,
  type CompositeRule,
  type CompositeScope,
  type Direction,
  type Level,
  type LeveledSpec,
  type Levels,
  type Rule,
  type RuleKind,
} from './types.ts';

/** One problem in a rule set, located by a path such as `rules[3].levels.red`. */
export interface RuleIssue {
  path: string;
  message: string;
}

export interface ValidationResult {
  /** The rules with defaults filled in; only meaningful when `errors` is empty. */
  rules: Rule[];
  errors: RuleIssue[];
}

// Bounds on the ring sizes keep the memory of one (rule, sensor) pair predictable: a 24 h window
// at the finest allowed resolution is 1440 × 4 bytes.
const MAX_ACCUMULATION_BUCKETS = 1440;
const MAX_RATE_BUCKETS = 240;
const DEFAULT_ACCUMULATION_BUCKETS = 60;
const DEFAULT_RATE_BUCKETS = 12;
const MAX_WINDOW_SEC = 31 * 86400;

const COMMON = ['kind', 'id', 'version', 'name', 'description', 'enabled'];
const SELECTOR = ['sensor', 'sensorType'];
const LEVELED = ['direction', 'levels', 'hysteresis', 'minDurationSec', 'unit'];
const FIELDS: Record<RuleKind, readonly string[]> = {
  threshold: [...COMMON, ...SELECTOR, ...LEVELED],
  accumulation: [...COMMON, ...SELECTOR, ...LEVELED, 'windowSec', 'bucketSec', 'resolution'],
  rate: [...COMMON, ...SELECTOR, ...LEVELED, 'windowSec', 'bucketSec', 'unitSec', 'minSpanSec'],
  offline: [...COMMON, ...SELECTOR, 'intervals', 'intervalSec', 'level'],
  composite: [...COMMON, 'all', 'level', 'scope'],
};
const KINDS = Object.keys(FIELDS) as RuleKind[];

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

class Issues {
  readonly list: RuleIssue[] = [];
  add(path: string, message: string) {
    this.list.push({ path, message });
  }
}

interface NumberSpec {
  integer?: boolean;
  min?: number;
  /** Strictly greater than. */
  above?: number;
  max?: number;
}

function readNumber(o: Obj, key: string, path: string, issues: Issues, spec: NumberSpec, fallback?: number): number | undefined {
  const v = o[key];
  if (v === undefined) {
    if (fallback === undefined) issues.add(`${path}.${key}`, 'is required');
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return void issues.add(`${path}.${key}`, `must be a finite number, got ${show(v)}`);
  if (spec.integer && !Number.isInteger(v)) return void issues.add(`${path}.${key}`, `must be a whole number, got ${v}`);
  if (spec.above !== undefined && !(v > spec.above)) return void issues.add(`${path}.${key}`, `must be greater than ${spec.above}, got ${v}`);
  if (spec.min !== undefined && v < spec.min) return void issues.add(`${path}.${key}`, `must be at least ${spec.min}, got ${v}`);
  if (spec.max !== undefined && v > spec.max) return void issues.add(`${path}.${key}`, `must be at most ${spec.max}, got ${v}`);
  return v;
}

function readString(o: Obj, key: string, path: string, issues: Issues, required: boolean, maxLength = 200): string | undefined {
  const v = o[key];
  if (v === undefined) {
    if (required) issues.add(`${path}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') return void issues.add(`${path}.${key}`, `must be a non-empty string, got ${show(v)}`);
  if (v.length > maxLength) return void issues.add(`${path}.${key}`, `must be at most ${maxLength} characters, got ${v.length}`);
  return v;
}

function readLevel(o: Obj, key: string, path: string, issues: Issues, fallback?: Level): Level | undefined {
  const v = o[key];
  if (v === undefined) {
    if (fallback === undefined) issues.add(`${path}.${key}`, 'is required');
    return fallback;
  }
  if (!LEVELS.includes(v as Level)) return void issues.add(`${path}.${key}`, `must be one of ${LEVELS.join(', ')}, got ${show(v)}`);
  return v as Level;
}

function readSelector(o: Obj, path: string, issues: Issues): { sensor?: string; sensorType?: string } {
  const sensor = readString(o, 'sensor', path, issues, false);
  const sensorType = readString(o, 'sensorType', path, issues, false);
  if ((o.sensor === undefined) === (o.sensorType === undefined)) {
    issues.add(path, 'give exactly one of sensor (one sensor) or sensorType (every sensor of that type)');
  }
  return sensor !== undefined ? { sensor } : sensorType !== undefined ? { sensorType } : {};
}

function readLevels(o: Obj, path: string, issues: Issues, direction: Direction): Levels {
  const raw = o.levels;
  const p = `${path}.levels`;
  if (!isObject(raw)) {
    issues.add(p, raw === undefined ? 'is required' : `must be an object such as {"yellow": 50, "red": 100}, got ${show(raw)}`);
    return {};
  }
  for (const k of Object.keys(raw)) if (!LEVELS.includes(k as Level)) issues.add(`${p}.${k}`, `unknown level; use ${LEVELS.join(', ')}`);
  const levels: Levels = {};
  let previous: { level: Level; value: number } | undefined;
  for (const level of LEVELS) {
    const value = readNumber(raw, level, p, issues, {}, Number.NaN);
    if (value === undefined || Number.isNaN(value)) continue;
    if (previous) {
      const ordered = direction === 'above' ? value > previous.value : value < previous.value;
      if (!ordered) {
        issues.add(
          `${p}.${level}`,
          `must be ${direction === 'above' ? 'greater' : 'less'} than levels.${previous.level} (${previous.value}) for direction ${direction}, got ${value}`,
        );
      }
    }
    levels[level] = value;
    previous = { level, value };
  }
  if (Object.keys(levels).length === 0 && Object.keys(raw).every((k) => LEVELS.includes(k as Level))) {
    issues.add(p, 'give at least one of blue, yellow, orange, red');
  }
  return levels;
}

function readLeveled(o: Obj, path: string, issues: Issues): LeveledSpec {
  let direction: Direction = 'above';
  if (o.direction !== undefined) {
    if (o.direction === 'above' || o.direction === 'below') direction = o.direction;
    else issues.add(`${path}.direction`, `must be "above" or "below", got ${show(o.direction)}`);
  }
  const spec: LeveledSpec = {
    direction,
    levels: readLevels(o, path, issues, direction),
    hysteresis: readNumber(o, 'hysteresis', path, issues, { min: 0 }, 0) ?? 0,
    minDurationSec: readNumber(o, 'minDurationSec', path, issues, { min: 0 }, 0) ?? 0,
  };
  const unit = readString(o, 'unit', path, issues, false, 20);
  if (unit !== undefined) spec.unit = unit;
  return spec;
}

/** Window and bucket: the bucket must divide the window, and the ring must stay small. */
function readWindow(o: Obj, path: string, issues: Issues, defaultBuckets: number, maxBuckets: number) {
  const windowSec = readNumber(o, 'windowSec', path, issues, { above: 0, max: MAX_WINDOW_SEC });
  let bucketSec = readNumber(o, 'bucketSec', path, issues, { above: 0 }, Number.NaN);
  if (windowSec !== undefined && bucketSec !== undefined) {
    if (Number.isNaN(bucketSec)) bucketSec = windowSec / defaultBuckets;
    else {
      const n = windowSec / bucketSec;
      if (Math.abs(n - Math.round(n)) > 1e-9) issues.add(`${path}.bucketSec`, `must divide windowSec (${windowSec}) into whole buckets, got ${bucketSec}`);
      else if (Math.round(n) > maxBuckets) {
        issues.add(`${path}.bucketSec`, `gives ${Math.round(n)} buckets per window; at most ${maxBuckets} (use at least ${windowSec / maxBuckets} s)`);
      }
    }
  }
  return { windowSec: windowSec ?? 0, bucketSec: bucketSec ?? 0 };
}

/** Sums are kept in whole multiples of the resolution, so its inverse must be a whole number. */
function readResolution(o: Obj, path: string, issues: Issues): number {
  const resolution = readNumber(o, 'resolution', path, issues, { above: 0, max: 1 }, 0.01);
  if (resolution === undefined) return 0.01;
  const scale = 1 / resolution;
  if (Math.abs(scale - Math.round(scale)) > 1e-6 * scale || scale > 1e6) {
    issues.add(`${path}.resolution`, `must be 1 divided by a whole number up to 1,000,000 (1, 0.5, 0.1, 0.01, 0.001 …), got ${resolution}`);
  }
  return resolution;
}

function readScope(o: Obj, path: string, issues: Issues): CompositeScope {
  const v = o.scope;
  if (v === 'point' || v === 'area') return v;
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'point' || keys[0] === 'area')) {
      const id = readString(v, keys[0], `${path}.scope`, issues, true);
      if (id !== undefined) return keys[0] === 'point' ? { point: id } : { area: id };
      return 'point';
    }
  }
  issues.add(`${path}.scope`, `must be "point", "area", {"point": "<id>"} or {"area": "<id>"}, got ${show(v)}`);
  return 'point';
}

function readMembers(o: Obj, path: string, issues: Issues): CompositeMember[] {
  const v = o.all;
  if (!Array.isArray(v) || v.length === 0) {
    issues.add(`${path}.all`, v === undefined ? 'is required' : 'must be a non-empty array of {"rule": "<id>", "atLeast": "<level>"}');
    return [];
  }
  const members: CompositeMember[] = [];
  v.forEach((m, j) => {
    const p = `${path}.all[${j}]`;
    if (!isObject(m)) return issues.add(p, `must be an object {"rule": "<id>", "atLeast": "<level>"}, got ${show(m)}`);
    for (const k of Object.keys(m)) if (k !== 'rule' && k !== 'atLeast') issues.add(`${p}.${k}`, 'unknown field');
    const rule = readString(m, 'rule', p, issues, true);
    const atLeast = readLevel(m, 'atLeast', p, issues);
    if (rule !== undefined && atLeast !== undefined) members.push({ rule, atLeast });
    else members.push({ rule: rule ?? '', atLeast: atLeast ?? 'blue' });
  });
  return members;
}

function readRule(o: unknown, path: string, issues: Issues): Rule | undefined {
  if (!isObject(o)) return void issues.add(path, `must be an object, got ${show(o)}`);
  const kind = o.kind as RuleKind;
  if (!KINDS.includes(kind)) return void issues.add(`${path}.kind`, `must be one of ${KINDS.join(', ')}, got ${show(o.kind)}`);
  for (const k of Object.keys(o)) if (!FIELDS[kind].includes(k)) issues.add(`${path}.${k}`, `unknown field for a ${kind} rule`);

  const base = {
    id: readString(o, 'id', path, issues, true, 100) ?? '',
    version: readNumber(o, 'version', path, issues, { integer: true, min: 1 }) ?? 1,
    enabled: true,
  };
  if (o.enabled !== undefined) {
    if (typeof o.enabled === 'boolean') base.enabled = o.enabled;
    else issues.add(`${path}.enabled`, `must be true or false, got ${show(o.enabled)}`);
  }
  const name = readString(o, 'name', path, issues, false);
  const description = readString(o, 'description', path, issues, false, 2000);
  const text = { ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}) };

  switch (kind) {
    case 'threshold':
      return { kind, ...base, ...text, ...readSelector(o, path, issues), ...readLeveled(o, path, issues) };
    case 'accumulation': {
      const leveled = readLeveled(o, path, issues);
      // Rain and other increments are never negative: a sum that has to fall below zero to
      // leave its lowest level would keep the alarm open for ever.
      const lowest = LEVELS.map((l) => leveled.levels[l]).find((v) => v !== undefined);
      if (leveled.direction === 'above' && lowest !== undefined && lowest > 0 && leveled.hysteresis >= lowest) {
        issues.add(`${path}.hysteresis`, `must be less than the lowest level (${lowest}), or a sum of increments could never fall back and the alarm would never clear; got ${leveled.hysteresis}`);
      }
      return {
        kind,
        ...base,
        ...text,
        ...readSelector(o, path, issues),
        ...leveled,
        ...readWindow(o, path, issues, DEFAULT_ACCUMULATION_BUCKETS, MAX_ACCUMULATION_BUCKETS),
        resolution: readResolution(o, path, issues),
      };
    }
    case 'rate': {
      const window = readWindow(o, path, issues, DEFAULT_RATE_BUCKETS, MAX_RATE_BUCKETS);
      const unitSec = readNumber(o, 'unitSec', path, issues, { above: 0 }, 3600) ?? 3600;
      const minSpanSec = readNumber(o, 'minSpanSec', path, issues, { min: 0, max: window.windowSec || undefined }, window.windowSec / 2) ?? 0;
      return { kind, ...base, ...text, ...readSelector(o, path, issues), ...readLeveled(o, path, issues), ...window, unitSec, minSpanSec };
    }
    case 'offline':
      return {
        kind,
        ...base,
        ...text,
        ...readSelector(o, path, issues),
        intervals: readNumber(o, 'intervals', path, issues, { integer: true, min: 1 }) ?? 1,
        intervalSec: readNumber(o, 'intervalSec', path, issues, { above: 0 }) ?? 1,
        level: readLevel(o, 'level', path, issues, 'blue') ?? 'blue',
      };
    case 'composite':
      return {
        kind,
        ...base,
        ...text,
        all: readMembers(o, path, issues),
        level: readLevel(o, 'level', path, issues) ?? 'red',
        scope: readScope(o, path, issues),
      };
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

const scopeKind = (s: CompositeScope) => (typeof s === 'string' ? s : 'point' in s ? 'point' : 'area');
const scopeId = (s: CompositeScope) => (typeof s === 'string' ? undefined : 'point' in s ? s.point : s.area);

/** References between rules: members exist, are enabled, fit the scope, and form no cycle. */
function checkReferences(rules: (Rule | undefined)[], issues: Issues) {
  const index = new Map<string, number>();
  rules.forEach((r, i) => {
    if (!r || r.id === '') return;
    const seen = index.get(r.id);
    if (seen !== undefined) issues.add(`rules[${i}].id`, `duplicate id ${show(r.id)} (also rules[${seen}].id)`);
    else index.set(r.id, i);
  });

  rules.forEach((r, i) => {
    if (r?.kind !== 'composite') return;
    r.all.forEach((m, j) => {
      if (m.rule === '') return;
      const p = `rules[${i}].all[${j}].rule`;
      const target = index.get(m.rule);
      if (target === undefined) return issues.add(p, `refers to unknown rule ${show(m.rule)}`);
      if (m.rule === r.id) return issues.add(p, 'a composite rule cannot refer to itself');
      const member = rules[target]!;
      if (r.enabled && !member.enabled) issues.add(p, `refers to rule ${show(m.rule)}, which is disabled, so this rule could never be raised`);
      if (member.kind === 'composite') {
        if (scopeKind(member.scope) !== scopeKind(r.scope)) {
          issues.add(p, `refers to composite ${show(m.rule)} of scope ${scopeKind(member.scope)}; a composite of scope ${scopeKind(r.scope)} can only use composites of the same scope`);
        } else if (scopeId(member.scope) !== undefined && scopeId(r.scope) !== undefined && scopeId(member.scope) !== scopeId(r.scope)) {
          issues.add(p, `refers to composite ${show(m.rule)} of ${scopeKind(r.scope)} ${show(scopeId(member.scope))}, never the same as ${show(scopeId(r.scope))}`);
        }
      }
    });
  });

  // Cycles among composites would make propagation loop forever; report each cycle once, at the
  // edge that closes it.
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    const i = index.get(id)!;
    const r = rules[i] as CompositeRule;
    r.all.forEach((m, j) => {
      const t = index.get(m.rule);
      if (t === undefined || m.rule === id || rules[t]?.kind !== 'composite') return;
      const s = state.get(m.rule);
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(m.rule)), m.rule].join(' → ');
        issues.add(`rules[${i}].all[${j}].rule`, `composite rules form a cycle: ${cycle}`);
      } else if (s === undefined) visit(m.rule);
    });
    stack.pop();
    state.set(id, 'done');
  };
  // Duplicates were reported above; the cycle check follows the first rule of each id only.
  rules.forEach((r, i) => {
    if (r?.kind === 'composite' && index.get(r.id) === i && !state.has(r.id)) visit(r.id);
  });
}

/**
 * Strict validation of a rule set as edited in the UI: every problem is reported with its path,
 * so the editor can show all of them at once. Accepts an array of rules or `{ "rules": [...] }`.
 */
export function validateRules(json: unknown): ValidationResult {
  const issues = new Issues();
  const list = Array.isArray(json) ? json : isObject(json) ? json.rules : undefined;
  if (!Array.isArray(list)) {
    issues.add('rules', `must be an array of rules, got ${show(json)}`);
    return { rules: [], errors: issues.list };
  }
  if (isObject(json)) for (const k of Object.keys(json)) if (k !== 'rules') issues.add(k, 'unknown field');
  const rules = list.map((r, i) => readRule(r, `rules[${i}]`, issues));
  checkReferences(rules, issues);
  return { rules: rules.filter((r): r is Rule => r !== undefined), errors: issues.list };
}
