import { CompositeEvaluator, LevelTracker, scopeKindOf } from './composite.ts';
import type { SensorEvaluator } from './evaluator.ts';
import { definitionKey, type RuleSet } from './rule-set.ts';
import type { SensorTable } from './sensors.ts';
import { compositeTransition } from './transitions.ts';
import type { AlarmTransition, CompositeRule } from './types.ts';

/**
 * The composite rules of a set and the level counts they read. A member's level change flows
 * in through `propagate`; composites it changes flow on to the composites that use them.
 */
export class CompositeNetwork {
  /** Topological order: members before the composites that use them. */
  readonly composites: CompositeEvaluator[] = [];
  /** Member rule id → its trackers (one per scope kind that uses it). */
  private readonly trackers = new Map<string, LevelTracker[]>();
  private readonly memberName: (id: string) => string;

  /** Reuses the evaluators (and open states) of unchanged composites from `previous`; marks tracked members. */
  constructor(ruleSet: RuleSet, previous: readonly CompositeEvaluator[], members: readonly SensorEvaluator[]) {
    this.memberName = (id) => ruleSet.get(id)?.name ?? id;
    const old = new Map(previous.map((c) => [c.rule.id, c]));
    const rules = new Map<string, CompositeRule>();
    for (const r of ruleSet.rules) if (r.kind === 'composite' && r.enabled) rules.set(r.id, r);
    const place = (rule: CompositeRule) => {
      if (this.composites.some((c) => c.rule.id === rule.id)) return;
      for (const m of rule.all) {
        const member = rules.get(m.rule);
        if (member) place(member);
      }
      const key = definitionKey(rule);
      const existing = old.get(rule.id);
      const c = existing && existing.key === key ? existing : new CompositeEvaluator(rule, key);
      c.rule = rule;
      c.tracked = false;
      c.trackers = [];
      this.composites.push(c);
    };
    for (const r of rules.values()) place(r);

    const byId = new Map<string, { tracked: boolean }>([...members.map((e) => [e.rule.id, e] as const), ...this.composites.map((c) => [c.rule.id, c] as const)]);
    for (const c of this.composites) {
      for (const m of c.rule.all) {
        const list = this.trackers.get(m.rule) ?? [];
        this.trackers.set(m.rule, list);
        let tracker = list.find((t) => t.scopeKind === c.scopeKind);
        if (!tracker) {
          tracker = new LevelTracker(m.rule, c.scopeKind);
          list.push(tracker);
        }
        if (!tracker.consumers.includes(c)) tracker.consumers.push(c);
        c.trackers.push(tracker);
        const member = byId.get(m.rule);
        if (member) member.tracked = true;
      }
    }
  }

  static needsArea(ruleSet: RuleSet): boolean {
    return ruleSet.rules.some((r) => r.kind === 'composite' && r.enabled && scopeKindOf(r) === 'area');
  }

  /** Feeds a member's level change at a point and area to the composites that listen to it. */
  propagate(ruleId: string, point: string | undefined, area: string | undefined, from: number, to: number, ts: number, out: AlarmTransition[]) {
    const trackers = this.trackers.get(ruleId);
    if (!trackers) return;
    for (const tracker of trackers) {
      const key = tracker.scopeKind === 'point' ? point : area;
      if (key === undefined) continue;
      tracker.move(key, from, to);
      for (const c of tracker.consumers) {
        const previous = c.evaluate(key);
        if (previous < 0) continue;
        const current = c.open.get(key) ?? 0;
        out.push(compositeTransition(c, key, previous, current, ts, this.memberName));
        if (c.tracked) this.propagate(c.rule.id, c.scopeKind === 'point' ? key : undefined, c.scopeKind === 'area' ? key : undefined, previous, current, ts, out);
      }
    }
  }

  /**
   * Recounts member levels from scratch and re-evaluates every composite where anything is
   * open: after a swap or a restore, the incremental counts cannot be trusted.
   */
  reconcile(members: readonly SensorEvaluator[], sensors: SensorTable, ts: number, out: AlarmTransition[]) {
    for (const list of this.trackers.values()) for (const t of list) t.counts.clear();
    for (const ev of members) {
      if (!ev.tracked) continue;
      const trackers = this.trackers.get(ev.rule.id)!;
      for (let slot = 0; slot < ev.count; slot++) {
        const level = ev.levelOf(slot);
        const s = ev.sensorOf[slot];
        if (level === 0 || s < 0) continue;
        for (const t of trackers) {
          const key = t.scopeKind === 'point' ? sensors.point(s) : sensors.area(s);
          if (key !== undefined) t.move(key, 0, level);
        }
      }
    }
    for (const c of this.composites) {
      const keys = new Set(c.open.keys());
      for (const t of c.trackers) for (const k of t.counts.keys()) keys.add(k);
      for (const key of keys) {
        const previous = c.evaluate(key);
        if (previous >= 0) out.push(compositeTransition(c, key, previous, c.open.get(key) ?? 0, ts, this.memberName));
      }
      if (c.tracked) for (const [key, level] of c.open) for (const t of this.trackers.get(c.rule.id)!) t.move(key, 0, level);
    }
  }
}
