import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from './engine.ts';
import { createRuleSet } from './rule-set.ts';
import { at, engineWith, feed, summary, type SensorMeta } from './test-helpers.ts';
import type { AlarmTransition } from './types.ts';

const RAIN_24H = { kind: 'accumulation', id: 'RAIN-24H', version: 1, sensorType: 'rg', name: '24小时累计雨量', unit: 'mm', windowSec: 86400, bucketSec: 600, levels: { blue: 25, yellow: 50, orange: 80, red: 100 } };
const GNSS_RATE = { kind: 'rate', id: 'GNSS-RATE', version: 1, sensorType: 'gnss', name: 'GNSS位移速率', unit: 'mm/h', windowSec: 3600, levels: { yellow: 2, orange: 5, red: 10 } };
const LANDSLIDE = {
  kind: 'composite',
  id: 'LANDSLIDE',
  version: 1,
  name: '滑坡灾害链预警',
  all: [
    { rule: 'RAIN-24H', atLeast: 'orange' },
    { rule: 'GNSS-RATE', atLeast: 'yellow' },
  ],
  level: 'red',
  scope: 'point',
};
const META: Record<string, SensorMeta> = {
  'rg-1': { point: 'HP-1' },
  'gnss-1': { point: 'HP-1' },
  'rg-2': { point: 'HP-2' },
  'gnss-2': { point: 'HP-2' },
};

/** GNSS readings at 6 mm/h over half an hour (enough span for a rate). */
const moving = (sensor: string, fromSec: number): [string, number, number][] => Array.from({ length: 7 }, (_, i) => [sensor, fromSec + i * 300, i * 0.5]);

const composites = (t: readonly AlarmTransition[]) => t.filter((x) => x.ruleKind === 'composite');

test('landslide chain: 24 h rain at orange and GNSS rate at yellow on the same point raise red', () => {
  const e = engineWith([RAIN_24H, GNSS_RATE, LANDSLIDE], META);
  const rain = feed(e, [['rg-1', 0, 85]]);
  assert.deepEqual(summary(rain), ['raised:orange']);
  assert.equal(rain[0].point, 'HP-1');
  const t = feed(e, moving('gnss-1', 0));
  assert.deepEqual(
    t.map((x) => `${x.ruleId}:${x.kind}:${x.level}`),
    ['GNSS-RATE:raised:orange', 'LANDSLIDE:raised:red'],
  );
  const chain = t[1];
  assert.equal(chain.scope, 'point');
  assert.equal(chain.point, 'HP-1');
  assert.equal(chain.sensor, undefined);
  assert.equal(chain.value, 2);
  assert.equal(chain.ts, at(1800));
  assert.equal(chain.message, '监测点 HP-1 滑坡灾害链预警（红色）：24小时累计雨量达到橙色，GNSS位移速率达到黄色');
});

test('members at different points do not combine', () => {
  const e = engineWith([RAIN_24H, GNSS_RATE, LANDSLIDE], META);
  const t = [...feed(e, [['rg-2', 0, 85]]), ...feed(e, moving('gnss-1', 0))];
  assert.deepEqual(composites(t), []);
  assert.deepEqual(composites(feed(e, moving('gnss-2', 0))).map((x) => x.point), ['HP-2']);
});

test('the chain clears at once when a member falls below its level', () => {
  const e = engineWith([RAIN_24H, GNSS_RATE, LANDSLIDE], META);
  feed(e, [['rg-1', 0, 85]]);
  feed(e, moving('gnss-1', 0));
  // The gauge sends a correction of −10 mm: 75 mm is yellow, below the chain's orange.
  const t = feed(e, [['rg-1', 3600, -10]]);
  assert.deepEqual(
    t.map((x) => `${x.ruleId}:${x.kind}:${x.level}`),
    ['RAIN-24H:level_changed:yellow', 'LANDSLIDE:cleared:null'],
  );
  assert.equal(t[1].message, '监测点 HP-1 滑坡灾害链预警解除：24小时累计雨量低于橙色');
  assert.equal(t[1].value, 1, 'one of two members still satisfied');
});

test('a member downgrade that stays at its level keeps the chain; window expiry clears it', () => {
  const e = engineWith([RAIN_24H, GNSS_RATE, LANDSLIDE], META);
  feed(e, [['rg-1', 0, 101]]);
  feed(e, moving('gnss-1', 0));
  const down = feed(e, [['rg-1', 60, -11]]);
  assert.deepEqual(
    down.map((x) => `${x.ruleId}:${x.kind}:${x.level}`),
    ['RAIN-24H:level_changed:orange'],
    'red → orange keeps the chain',
  );
  const t = e.tick(at(86400 + 600));
  assert.deepEqual(
    t.map((x) => `${x.ruleId}:${x.kind}:${x.previousLevel}`),
    ['RAIN-24H:cleared:orange', 'LANDSLIDE:cleared:red'],
  );
  assert.equal(t[1].message, '监测点 HP-1 滑坡灾害链预警解除：24小时累计雨量低于橙色');
  assert.deepEqual(e.openAlarms().map((a) => a.ruleId), ['GNSS-RATE']);
});

const WL = { kind: 'threshold', id: 'WL', version: 1, sensorType: 'wl', levels: { yellow: 10, red: 20 } };
const SOIL = { kind: 'threshold', id: 'SOIL', version: 1, sensorType: 'soil', name: '土壤含水率', levels: { yellow: 30, orange: 40 } };
const WET = { kind: 'composite', id: 'WET', version: 1, all: [{ rule: 'WL', atLeast: 'yellow' }, { rule: 'SOIL', atLeast: 'yellow' }], level: 'orange', scope: 'point' };
const WET_META: Record<string, SensorMeta> = {
  'wl-1': { point: 'P1', area: 'A' },
  'wl-2': { point: 'P1', area: 'A' },
  'soil-1': { point: 'P1', area: 'A' },
  'wl-3': { point: 'P2', area: 'A' },
  'soil-3': { point: 'P3', area: 'A' },
  'wl-9': {},
};

test('the highest level among several sensors of a point counts', () => {
  const e = engineWith([WL, SOIL, WET], WET_META);
  feed(e, [['wl-1', 0, 12], ['wl-2', 0, 25]]);
  assert.deepEqual(composites(feed(e, [['soil-1', 0, 31]])).map((x) => x.kind), ['raised']);
  assert.deepEqual(composites(feed(e, [['wl-2', 60, 0]])), [], 'wl-1 still holds yellow');
  assert.deepEqual(composites(feed(e, [['wl-1', 60, 0]])).map((x) => x.kind), ['cleared']);
  assert.deepEqual(composites(feed(e, [['wl-9', 60, 50], ['soil-1', 120, 45]])), [], 'a sensor without a point is in no point');
});

test('area scope combines sensors of different points in one area', () => {
  const area = { ...WET, id: 'WET-AREA', scope: 'area' };
  const e = engineWith([WL, SOIL, area], WET_META);
  const t = [...feed(e, [['wl-3', 0, 15]]), ...feed(e, [['soil-3', 0, 35]])];
  assert.deepEqual(
    composites(t).map((x) => `${x.scope}:${x.area}:${x.level}`),
    ['area:A:orange'],
  );
  assert.match(composites(t)[0].message, /^区域 A /);
  assert.throws(() => createEngine(createRuleSet([WL, SOIL, area]), { sensorType: () => 'wl', pointOf: () => 'P' }), /areaOf/);
});

test('a composite for one named point ignores the others', () => {
  const e = engineWith([WL, SOIL, { ...WET, scope: { point: 'P2' } }], { ...WET_META, 'soil-2': { point: 'P2' } });
  assert.deepEqual(composites(feed(e, [['wl-1', 0, 15], ['soil-1', 0, 35]])), []);
  assert.deepEqual(composites(feed(e, [['wl-3', 0, 15], ['soil-2', 0, 35]])).map((x) => x.point), ['P2']);
});

test('a composite of composites follows its member chain both ways', () => {
  const top = { kind: 'composite', id: 'TOP', version: 1, name: '叠加预警', all: [{ rule: 'WET', atLeast: 'orange' }, { rule: 'SOIL', atLeast: 'orange' }], level: 'red', scope: 'point' };
  const e = engineWith([top, WET, WL, SOIL], WET_META);
  const t = feed(e, [['wl-1', 0, 15], ['soil-1', 0, 45]]);
  assert.deepEqual(
    t.map((x) => `${x.ruleId}:${x.kind}`),
    ['WL:raised', 'SOIL:raised', 'WET:raised', 'TOP:raised'],
  );
  const down = feed(e, [['wl-1', 60, 1]]);
  assert.deepEqual(
    down.map((x) => `${x.ruleId}:${x.kind}`),
    ['WL:cleared', 'WET:cleared', 'TOP:cleared'],
  );
});
