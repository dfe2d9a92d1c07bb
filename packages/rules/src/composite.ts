import { LEVEL_NAMES, levelCode, levelOfCode, type CompositeRule } from './types.ts';

export type ScopeKind = 'point' | 'area';

/**
 * For one member rule and one scope kind: how many sensors (or, for a composite member, whether
 * the point or area itself) are at each level, per point or area. Updated only on level changes,
 * which are rare, so a Map of small arrays is cheap enough and the hot path never touches it.
 */
export class LevelTracker {
  readonly counts = new Map<string, Int32Array>();
  readonly consumers: CompositeEvaluator[] = [];

  constructor(
    readonly ruleId: string,
    readonly scopeKind: ScopeKind,
  ) {}

  move(key: string, from: number, to: number) {
    let c = this.counts.get(key);
    if (!c) {
      c = new Int32Array(5);
      this.counts.set(key, c);
    }
    if (from > 0) c[from]--;
    if (to > 0) c[to]++;
    if (c[1] === 0 && c[2] === 0 && c[3] === 0 && c[4] === 0) this.counts.delete(key);
  }

  /** Highest level any sensor of the rule is at in that point or area; 0 when none. */
  max(key: string): number {
    const c = this.counts.get(key);
    if (!c) return 0;
    for (let code = 4; code >= 1; code--) if (c[code] > 0) return code;
    return 0;
  }
}

export function scopeKindOf(rule: CompositeRule): ScopeKind {
  return typeof rule.scope === 'string' ? rule.scope : 'point' in rule.scope ? 'point' : 'area';
}

/**
 * A disaster-chain rule: open for a point (area) while every member rule is at or above its
 * level there. Members are already debounced by their own hysteresis and durations, so the
 * composite raises and clears at once. One open state per (rule, point) by construction: the
 * `open` map holds at most one level per key.
 */
export class CompositeEvaluator {
  readonly scopeKind: ScopeKind;
  /** Set when the rule is for one point or area only. */
  readonly only: string | undefined;
  readonly code: number;
  readonly atLeast: number[];
  /** Filled by the engine: the tracker of each member, in `rule.all` order. */
  trackers: LevelTracker[] = [];
  readonly open = new Map<string, number>();
  tracked = false;
  measured = 0;

  constructor(
    public rule: CompositeRule,
    readonly key: string,
  ) {
    this.scopeKind = scopeKindOf(rule);
    this.only = typeof rule.scope === 'string' ? undefined : 'point' in rule.scope ? rule.scope.point : rule.scope.area;
    this.code = levelCode(rule.level);
    this.atLeast = rule.all.map((m) => levelCode(m.atLeast));
  }

  applies(key: string): boolean {
    return this.only === undefined || this.only === key;
  }

  /** Re-evaluates one point or area; returns the previous level code if it changed, else -1. */
  evaluate(key: string): number {
    if (!this.applies(key)) return -1;
    let satisfied = 0;
    for (let i = 0; i < this.trackers.length; i++) if (this.trackers[i].max(key) >= this.atLeast[i]) satisfied++;
    this.measured = satisfied;
    const next = satisfied === this.trackers.length ? this.code : 0;
    const previous = this.open.get(key) ?? 0;
    if (next === previous) return -1;
    if (next === 0) this.open.delete(key);
    else this.open.set(key, next);
    return previous;
  }

  describe(key: string, previous: number, memberName: (id: string) => string): string {
    const where = `${this.scopeKind === 'point' ? '监测点' : '区域'} ${key}`;
    const label = this.rule.name ?? `组合规则 ${this.rule.id}`;
    if (previous === 0) {
      const why = this.rule.all.map((m) => `${memberName(m.rule)}达到${LEVEL_NAMES[m.atLeast]}`).join('，');
      return `${where} ${label}（${LEVEL_NAMES[levelOfCode(this.code)!]}）：${why}`;
    }
    const missing = this.rule.all.filter((_m, i) => this.trackers[i].max(key) < this.atLeast[i]);
    const why = missing.map((m) => `${memberName(m.rule)}低于${LEVEL_NAMES[m.atLeast]}`).join('，');
    return `${where} ${label}解除：${why}`;
  }
}
