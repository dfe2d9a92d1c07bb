import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, engineWith, feed, summary } from './test-helpers.ts';

const WATER = { kind: 'threshold', id: 'WL', version: 1, sensorType: 'wl', name: '水位', unit: 'm', levels: { blue: 10, yellow: 20, orange: 30, red: 40 } };

test('raises, escalates, downgrades and clears through the four levels', () => {
  const e = engineWith([WATER]);
  const t = feed(e, [
    ['wl-1', 0, 5],
    ['wl-1', 60, 12],
    ['wl-1', 120, 25],
    ['wl-1', 180, 45],
    ['wl-1', 240, 33],
    ['wl-1', 300, 5],
  ]);
  assert.deepEqual(summary(t), ['raised:blue', 'level_changed:yellow<blue', 'level_changed:red<yellow', 'level_changed:orange<red', 'cleared<orange']);
  assert.deepEqual(
    t.map((x) => x.message),
    [
      'wl-1 水位 12 m，超过蓝色阈值 10 m',
      'wl-1 水位 25 m，超过黄色阈值 20 m（原为蓝色）',
      'wl-1 水位 45 m，超过红色阈值 40 m（原为黄色）',
      'wl-1 水位 33 m，低于红色解除值 40 m，降为橙色',
      'wl-1 水位 5 m，低于蓝色解除值 10 m，报警解除',
    ],
  );
  assert.deepEqual(t[0], {
    ruleId: 'WL',
    ruleVersion: 1,
    ruleKind: 'threshold',
    scope: 'sensor',
    sensor: 'wl-1',
    kind: 'raised',
    level: 'blue',
    previousLevel: null,
    value: 12,
    ts: at(60),
    message: 'wl-1 水位 12 m，超过蓝色阈值 10 m',
  });
  assert.deepEqual(e.openAlarms(), []);
});

// A value hovering around 50 ± 1.5 for an hour, one reading a minute.
const hovering: [string, number, number][] = Array.from({ length: 60 }, (_, i) => ['wl-1', i * 60, 50 + (i % 2 === 0 ? 0.5 : -1.5)]);

test('hysteresis keeps one alarm while the value hovers around the threshold', () => {
  const e = engineWith([{ ...WATER, levels: { yellow: 50 }, hysteresis: 2 }]);
  assert.deepEqual(summary(feed(e, hovering)), ['raised:yellow']);
  assert.deepEqual(summary(feed(e, [['wl-1', 4000, 48.1]])), [], 'still inside the band');
  const cleared = feed(e, [['wl-1', 4060, 47.9]]);
  assert.deepEqual(summary(cleared), ['cleared<yellow']);
  assert.equal(cleared[0].message, 'wl-1 水位 47.9 m，低于黄色解除值 48 m，报警解除');
});

test('without hysteresis the same signal flaps (the control for the test above)', () => {
  const e = engineWith([{ ...WATER, levels: { yellow: 50 } }]);
  assert.equal(feed(e, hovering).length, 60);
});

test('hysteresis holds lower levels too after a downgrade', () => {
  const e = engineWith([{ ...WATER, hysteresis: 1 }]);
  const t = feed(e, [
    ['wl-1', 0, 41],
    ['wl-1', 60, 39.5], // inside the red band
    ['wl-1', 120, 38.9], // below red exit (39) → orange
    ['wl-1', 180, 29.2], // inside the orange band
    ['wl-1', 240, 18.5], // below orange and yellow exits → blue
    ['wl-1', 300, 9.1], // inside the blue band
    ['wl-1', 360, 8.9],
  ]);
  assert.deepEqual(summary(t), ['raised:red', 'level_changed:orange<red', 'level_changed:blue<orange', 'cleared<blue']);
  assert.equal(t[2].message, 'wl-1 水位 18.5 m，低于黄色解除值 19 m，降为蓝色');
});

test('minimum duration: a short excursion does not raise, a sustained one does at the reading that completes it', () => {
  const e = engineWith([{ ...WATER, levels: { yellow: 20 }, minDurationSec: 600 }]);
  const short = feed(e, [
    ...Array.from({ length: 6 }, (_, i): [string, number, number] => ['wl-1', i * 60, 25]), // 0..300 s above
    ['wl-1', 360, 15], // dip resets the clock
    ...Array.from({ length: 10 }, (_, i): [string, number, number] => ['wl-1', 420 + i * 60, 25]), // 420..960 s
  ]);
  assert.deepEqual(summary(short), [], 'above for 540 s only since the dip');
  const t = feed(e, [['wl-1', 1020, 25]]);
  assert.deepEqual(summary(t), ['raised:yellow']);
  assert.equal(t[0].ts, at(1020));
});

test('minimum duration is counted per level: orange waits its own duration after yellow', () => {
  const e = engineWith([{ ...WATER, minDurationSec: 600 }]);
  const readings: [string, number, number][] = [];
  for (let s = 0; s <= 1200; s += 60) readings.push(['wl-1', s, s < 300 ? 25 : 35]);
  const t = feed(e, readings);
  assert.deepEqual(summary(t), ['raised:yellow', 'level_changed:orange<yellow']);
  assert.deepEqual(
    t.map((x) => x.ts),
    [at(600), at(900)],
  );
});

test('a value held beyond red for the duration enters red directly, and leaving needs no duration', () => {
  const e = engineWith([{ ...WATER, minDurationSec: 300 }]);
  const t = feed(e, [
    ['wl-1', 0, 45],
    ['wl-1', 200, 45],
    ['wl-1', 300, 45],
    ['wl-1', 360, 5],
  ]);
  assert.deepEqual(summary(t), ['raised:red', 'cleared<red']);
  assert.deepEqual(
    t.map((x) => x.ts),
    [at(300), at(360)],
  );
});

test('direction below: a tailings dam saturation line rising towards the surface', () => {
  const e = engineWith([
    {
      kind: 'threshold',
      id: 'TD-SAT',
      version: 3,
      sensor: 'WK-07',
      direction: 'below',
      name: '浸润线埋深',
      unit: 'm',
      levels: { blue: 8, yellow: 6, orange: 5, red: 4 },
      hysteresis: 0.2,
    },
  ]);
  const t = feed(e, [
    ['WK-07', 0, 9],
    ['WK-07', 60, 5.5],
    ['WK-07', 120, 3.9],
    ['WK-07', 180, 4.1],
    ['WK-07', 240, 4.3],
    ['WK-07', 300, 9],
  ]);
  assert.deepEqual(summary(t), ['raised:yellow', 'level_changed:red<yellow', 'level_changed:orange<red', 'cleared<orange']);
  assert.equal(t[1].message, 'WK-07 浸润线埋深 3.9 m，低于红色阈值 4 m（原为黄色）');
  assert.equal(t[2].message, 'WK-07 浸润线埋深 4.3 m，高于红色解除值 4.2 m，降为橙色');
  assert.equal(t[0].ruleVersion, 3);
  assert.deepEqual(feed(e, [['other-1', 400, 1]]), [], 'a sensor rule applies to its one sensor only');
});

test('late readings do not flap the state; a repeated reading changes nothing', () => {
  const e = engineWith([WATER]);
  assert.deepEqual(summary(feed(e, [['wl-1', 100, 25]])), ['raised:yellow']);
  assert.deepEqual(summary(feed(e, [['wl-1', 200, 5]])), ['cleared<yellow']);
  assert.deepEqual(summary(feed(e, [['wl-1', 150, 25]])), [], 'older than the newest reading');
  assert.deepEqual(summary(feed(e, [['wl-1', 200, 5]])), [], 'redelivered');
  assert.deepEqual(summary(feed(e, [['wl-1', 200, 35]])), ['raised:orange'], 'same time, corrected value');
});

test('levels with gaps: only yellow and red defined', () => {
  const e = engineWith([{ ...WATER, levels: { yellow: 20, red: 40 }, hysteresis: 1 }]);
  const t = feed(e, [
    ['wl-1', 0, 50],
    ['wl-1', 60, 30],
    ['wl-1', 120, 19.5],
    ['wl-1', 180, 10],
  ]);
  assert.deepEqual(summary(t), ['raised:red', 'level_changed:yellow<red', 'cleared<yellow']);
});

test('non-finite readings are dropped instead of clearing an alarm', () => {
  const e = engineWith([WATER]);
  feed(e, [['wl-1', 0, 25]]);
  assert.deepEqual(feed(e, [['wl-1', 60, Number.NaN]]), []);
  assert.deepEqual(e.ingest({ sensor: 'wl-1', ts: Number.NaN, value: 1 }), []);
  assert.deepEqual(e.ingest({ sensor: 'wl-1', ts: at(120), value: Infinity }), []);
  assert.equal(e.openAlarms().length, 1);
});

test('the no-change path returns one shared, frozen empty array', () => {
  const e = engineWith([WATER]);
  const a = e.ingest({ sensor: 'wl-1', ts: at(0), value: 1 });
  const b = e.ingest({ sensor: 'wl-2', ts: at(0), value: 2 });
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
  assert.equal(e.ingest({ sensor: 'nothing-applies', ts: at(0), value: 99 }), a);
});

test('by handle and by id give the same transitions', () => {
  const a = engineWith([WATER]);
  const b = engineWith([WATER]);
  const h = b.sensorHandle('wl-1');
  assert.equal(b.sensorHandle('wl-1'), h);
  for (const [s, v] of [
    [0, 25],
    [60, 45],
    [120, 1],
  ]) {
    assert.deepEqual(b.ingestValue(h, at(s), v), a.ingest({ sensor: 'wl-1', ts: at(s), value: v }));
  }
  assert.throws(() => b.ingestValue(42, at(0), 1), /unknown sensor handle 42/);
});
