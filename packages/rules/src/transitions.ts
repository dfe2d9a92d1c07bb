import type { CompositeEvaluator } from './composite.ts';
import type { SensorEvaluator } from './evaluator.ts';
import { ruleChangedMessage } from './messages.ts';
import { levelOfCode, type AlarmTransition } from './types.ts';

// Transition objects are built only when a level changes, so they are free to allocate.

const kindOf = (previous: number, current: number) => (previous === 0 ? 'raised' : current === 0 ? 'cleared' : 'level_changed');

export function sensorTransition(
  ev: SensorEvaluator,
  sensor: string,
  place: { point: string | undefined; area: string | undefined },
  previous: number,
  current: number,
  value: number,
  ts: number,
): AlarmTransition {
  return {
    ruleId: ev.rule.id,
    ruleVersion: ev.rule.version,
    ruleKind: ev.rule.kind,
    scope: 'sensor',
    sensor,
    ...(place.point !== undefined ? { point: place.point } : {}),
    ...(place.area !== undefined ? { area: place.area } : {}),
    kind: kindOf(previous, current),
    level: levelOfCode(current),
    previousLevel: levelOfCode(previous),
    value,
    ts,
    message: ev.describe(sensor, previous, current, value),
  };
}

export function compositeTransition(c: CompositeEvaluator, key: string, previous: number, current: number, ts: number, memberName: (id: string) => string): AlarmTransition {
  return {
    ruleId: c.rule.id,
    ruleVersion: c.rule.version,
    ruleKind: 'composite',
    scope: c.scopeKind,
    [c.scopeKind]: key,
    kind: kindOf(previous, current),
    level: levelOfCode(current),
    previousLevel: levelOfCode(previous),
    value: c.measured,
    ts,
    message: c.describe(key, previous, memberName),
  };
}

/** A clear caused by the rule set, not by a value: the alarm store must close it all the same. */
export function administrativeClear(
  rule: { id: string; version: number; kind: AlarmTransition['ruleKind'] },
  scope: AlarmTransition['scope'],
  subject: string,
  level: number,
  reason: NonNullable<AlarmTransition['reason']>,
  ts: number,
): AlarmTransition {
  return {
    ruleId: rule.id,
    ruleVersion: rule.version,
    ruleKind: rule.kind,
    scope,
    [scope]: subject,
    kind: 'cleared',
    level: null,
    previousLevel: levelOfCode(level),
    value: null,
    ts,
    message: ruleChangedMessage(subject, rule.id, reason),
    reason,
  };
}
