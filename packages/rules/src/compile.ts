import { AccumulationEvaluator } from './accumulation.ts';
import type { SensorEvaluator } from './evaluator.ts';
import { OfflineEvaluator } from './offline.ts';
import { RateEvaluator } from './rate.ts';
import { definitionKey, type RuleSet } from './rule-set.ts';
import { ThresholdEvaluator } from './threshold.ts';
import type { SensorRule } from './types.ts';

function createEvaluator(rule: SensorRule, key: string): SensorEvaluator {
  // A rule of one sensor holds one slot: room for a thousand would cost ~20 KB per rule, and a
  // registry where every sensor has its own thresholds has as many rules as sensors.
  const capacity = rule.sensor !== undefined ? 1 : undefined;
  switch (rule.kind) {
    case 'threshold':
      return new ThresholdEvaluator(rule, key, capacity);
    case 'accumulation':
      return new AccumulationEvaluator(rule, key, capacity);
    case 'rate':
      return new RateEvaluator(rule, key, capacity);
    case 'offline':
      return new OfflineEvaluator(rule, key, capacity);
    default: {
      const unreachable: never = rule;
      return unreachable;
    }
  }
}

export interface CompiledSensorRules {
  evaluators: SensorEvaluator[];
  /** Sensor id → indexes into `evaluators` of the rules naming that sensor. */
  bySensor: Map<string, number[]>;
  /** Sensor type → indexes of the rules for that type. */
  byType: Map<string, number[]>;
  /** Index in the previous evaluators → index in the new ones; -1 where not kept. */
  kept: Int32Array;
}

/**
 * Evaluators for the enabled sensor rules of a set. An evaluator of the previous set is reused,
 * state and all, when its rule's definition is unchanged; only its rule object (version,
 * wording) is replaced.
 */
export function compileSensorRules(ruleSet: RuleSet, previous: readonly SensorEvaluator[]): CompiledSensorRules {
  const previousById = new Map(previous.map((e, i) => [e.rule.id, i]));
  const kept = new Int32Array(previous.length).fill(-1);
  const evaluators: SensorEvaluator[] = [];
  const bySensor = new Map<string, number[]>();
  const byType = new Map<string, number[]>();
  for (const rule of ruleSet.rules) {
    if (rule.kind === 'composite' || !rule.enabled) continue;
    const key = definitionKey(rule);
    const old = previousById.get(rule.id);
    let ev: SensorEvaluator;
    if (old !== undefined && previous[old].key === key) {
      ev = previous[old];
      ev.rule = rule;
      kept[old] = evaluators.length;
    } else ev = createEvaluator(rule, key);
    ev.tracked = false;
    const [index, selector] = rule.sensor !== undefined ? [bySensor, rule.sensor] : [byType, rule.sensorType!];
    index.set(selector, [...(index.get(selector) ?? []), evaluators.length]);
    evaluators.push(ev);
  }
  return { evaluators, bySensor, byType, kept };
}
