import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRuleSet, parseRuleSet, RuleSetError } from './rule-set.ts';
import { validateRules } from './validate.ts';

const rain = (over: Record<string, unknown> = {}) => ({ kind: 'accumulation', id: 'RAIN-1H', version: 1, sensorType: 'rg', windowSec: 3600, levels: { blue: 10, red: 50 }, ...over });

/** path → message, for the assertions. */
function errorsOf(json: unknown): Record<string, string> {
  return Object.fromEntries(validateRules(json).errors.map((e) => [e.path, e.message]));
}

test('a valid rule set gets its defaults filled in', () => {
  const { rules, errors } = validateRules({
    rules: [
      rain(),
      { kind: 'threshold', id: 'WL', version: 2, sensor: 'wl-1', levels: { yellow: 1 } },
      { kind: 'rate', id: 'GNSS', version: 1, sensorType: 'gnss', windowSec: 3600, levels: { yellow: 2 } },
      { kind: 'offline', id: 'OFF', version: 1, sensorType: 'rg', intervals: 3, intervalSec: 600 },
      { kind: 'composite', id: 'C', version: 1, all: [{ rule: 'RAIN-1H', atLeast: 'blue' }, { rule: 'GNSS', atLeast: 'yellow' }], level: 'red', scope: 'point' },
    ],
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(rules[0], {
    kind: 'accumulation',
    id: 'RAIN-1H',
    version: 1,
    enabled: true,
    sensorType: 'rg',
    direction: 'above',
    levels: { blue: 10, red: 50 },
    hysteresis: 0,
    minDurationSec: 0,
    windowSec: 3600,
    bucketSec: 60,
    resolution: 0.01,
  });
  assert.equal(rules[1].kind === 'threshold' && rules[1].sensor, 'wl-1');
  assert.deepEqual(rules[2].kind === 'rate' && [rules[2].bucketSec, rules[2].unitSec, rules[2].minSpanSec], [300, 3600, 1800]);
  assert.equal(rules[3].kind === 'offline' && rules[3].level, 'blue');
});

test('levels must be strictly monotonic in the rule direction', () => {
  assert.deepEqual(errorsOf([rain({ levels: { blue: 10, yellow: 30, orange: 20, red: 50 } })]), {
    'rules[0].levels.orange': 'must be greater than levels.yellow (30) for direction above, got 20',
  });
  assert.deepEqual(errorsOf([rain({ direction: 'below', levels: { blue: 8, red: 9 } })]), {
    'rules[0].levels.red': 'must be less than levels.blue (8) for direction below, got 9',
  });
  assert.deepEqual(errorsOf([rain({ levels: { yellow: 5, red: 5 } })]), {
    'rules[0].levels.red': 'must be greater than levels.yellow (5) for direction above, got 5',
  });
});

test('every bad field is reported with its path', () => {
  const errors = errorsOf([
    rain({ windowSec: 0, hysteresis: -1, minDurationSec: 'long', levels: { purple: 3, red: '5' } }),
    { kind: 'threshold', id: '', version: 1.5, sensor: 'a', sensorType: 'b', levels: {}, direction: 'up', colour: 'red' },
    { kind: 'alarm', id: 'X' },
    'not a rule',
    rain({ id: 'R2', bucketSec: 7 }),
    rain({ id: 'R3', windowSec: 86400, bucketSec: 30 }),
    rain({ id: 'R4', resolution: 0.3, hysteresis: 10 }),
    { kind: 'offline', id: 'O', version: 1, sensorType: 'rg', intervals: 0, level: 'pink' },
    { kind: 'rate', id: 'RT', version: 1, sensorType: 'g', windowSec: 600, minSpanSec: 900, levels: { red: 1 } },
  ]);
  assert.deepEqual(errors, {
    'rules[0].windowSec': 'must be greater than 0, got 0',
    'rules[0].hysteresis': 'must be at least 0, got -1',
    'rules[0].minDurationSec': 'must be a finite number, got "long"',
    'rules[0].levels.purple': 'unknown level; use blue, yellow, orange, red',
    'rules[0].levels.red': 'must be a finite number, got "5"',
    'rules[1].colour': 'unknown field for a threshold rule',
    'rules[1].id': 'must be a non-empty string, got ""',
    'rules[1].version': 'must be a whole number, got 1.5',
    'rules[1]': 'give exactly one of sensor (one sensor) or sensorType (every sensor of that type)',
    'rules[1].direction': 'must be "above" or "below", got "up"',
    'rules[1].levels': 'give at least one of blue, yellow, orange, red',
    'rules[2].kind': 'must be one of threshold, accumulation, rate, offline, composite, got "alarm"',
    'rules[3]': 'must be an object, got "not a rule"',
    'rules[4].bucketSec': 'must divide windowSec (3600) into whole buckets, got 7',
    'rules[5].bucketSec': 'gives 2880 buckets per window; at most 1440 (use at least 60 s)',
    'rules[6].hysteresis': 'must be less than the lowest level (10), or a sum of increments could never fall back and the alarm would never clear; got 10',
    'rules[6].resolution': 'must be 1 divided by a whole number up to 1,000,000 (1, 0.5, 0.1, 0.01, 0.001 …), got 0.3',
    'rules[7].intervals': 'must be at least 1, got 0',
    'rules[7].intervalSec': 'is required',
    'rules[7].level': 'must be one of blue, yellow, orange, red, got "pink"',
    'rules[8].minSpanSec': 'must be at most 600, got 900',
  });
});

test('composite members must exist, be enabled, match the scope and form no cycle', () => {
  const c = (id: string, members: [string, string][], scope: unknown = 'point') => ({
    kind: 'composite',
    id,
    version: 1,
    all: members.map(([rule, atLeast]) => ({ rule, atLeast })),
    level: 'red',
    scope,
  });
  const errors = errorsOf([
    rain(),
    rain({ id: 'OFF', enabled: false }),
    c('A', [
      ['RAIN-1H', 'orange'],
      ['NOPE', 'blue'],
      ['A', 'red'],
    ]),
    c('B', [['C', 'red']]),
    c('C', [['B', 'red']]),
    c('D', [['OFF', 'blue']]),
    c('E', [['B', 'red']], 'area'),
    c('F', [['RAIN-1H', 'scarlet']], { region: 'x' }),
    { ...c('G', []), all: [] },
    c('RAIN-1H', [['B', 'red']]),
  ]);
  assert.deepEqual(errors, {
    'rules[2].all[1].rule': 'refers to unknown rule "NOPE"',
    'rules[2].all[2].rule': 'a composite rule cannot refer to itself',
    'rules[4].all[0].rule': 'composite rules form a cycle: B → C → B',
    'rules[5].all[0].rule': 'refers to rule "OFF", which is disabled, so this rule could never be raised',
    'rules[6].all[0].rule': 'refers to composite "B" of scope point; a composite of scope area can only use composites of the same scope',
    'rules[7].all[0].atLeast': 'must be one of blue, yellow, orange, red, got "scarlet"',
    'rules[7].scope': 'must be "point", "area", {"point": "<id>"} or {"area": "<id>"}, got {"region":"x"}',
    'rules[8].all': 'must be a non-empty array of {"rule": "<id>", "atLeast": "<level>"}',
    'rules[9].id': 'duplicate id "RAIN-1H" (also rules[0].id)',
  });
});

test('the top level must be an array of rules or {"rules": [...]}', () => {
  assert.deepEqual(errorsOf({ rule: [] }), { rules: 'must be an array of rules, got {"rule":[]}' });
  assert.deepEqual(errorsOf({ rules: [], extra: 1 }), { extra: 'unknown field' });
  assert.deepEqual(errorsOf(null), { rules: 'must be an array of rules, got null' });
});

test('a parsed rule set is frozen; createRuleSet throws with every error', () => {
  const { ruleSet } = parseRuleSet([rain()]);
  assert.ok(ruleSet, 'valid');
  assert.ok(Object.isFrozen(ruleSet.rules[0]) && Object.isFrozen(ruleSet.rules[0].kind === 'accumulation' && ruleSet.rules[0].levels), 'deeply frozen');
  assert.equal(ruleSet.get('RAIN-1H'), ruleSet.rules[0]);
  assert.equal(parseRuleSet([rain({ windowSec: -1 })]).ruleSet, null);
  assert.throws(
    () => createRuleSet([rain({ windowSec: -1 })]),
    (err: unknown) => err instanceof RuleSetError && err.errors[0].path === 'rules[0].windowSec' && /rules\[0\]\.windowSec must be greater than 0/.test(err.message),
  );
});
