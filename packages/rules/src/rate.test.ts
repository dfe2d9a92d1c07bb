import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, engineWith, feed, summary } from './test-helpers.ts';

const GNSS = { kind: 'rate', id: 'GNSS-RATE', version: 1, sensorType: 'gnss', name: 'GNSS位移速率', unit: 'mm/h', windowSec: 3600, levels: { yellow: 2, orange: 5, red: 10 } };

/** Cumulative displacement every 5 minutes: 6 mm/h until `stopSec`, then standing still. */
function displacement(untilSec: number, stopSec: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (let s = 0; s <= untilSec; s += 300) out.push(['gnss-1', s, Math.min(s, stopSec) / 600]);
  return out;
}

test('GNSS displacement at 6 mm/h raises orange once the readings span half the window', () => {
  const e = engineWith([GNSS]);
  assert.deepEqual(feed(e, displacement(1500, Infinity)), [], 'less than minSpanSec (1800 s) of history');
  const t = feed(e, [['gnss-1', 1800, 3]]);
  assert.deepEqual(summary(t), ['raised:orange']);
  assert.equal(t[0].value, 6);
  assert.equal(t[0].message, 'gnss-1 GNSS位移速率 6 mm/h，超过橙色阈值 5 mm/h');
});

test('when the movement stops the rate falls as the window slides: downgrade, then clear', () => {
  const e = engineWith([GNSS]);
  const t = feed(e, displacement(4 * 3600, 7200));
  // After 7200 s the rate is 6 − 0.5 k at 7200 + 300 k s: below 5 at k = 3, below 2 at k = 9.
  assert.deepEqual(summary(t), ['raised:orange', 'level_changed:yellow<orange', 'cleared<yellow']);
  assert.deepEqual(
    t.map((x) => (x.ts - at(0)) / 1000),
    [1800, 8100, 9900],
  );
  assert.deepEqual(
    t.map((x) => x.value),
    [6, 4.5, 1.5],
  );
});

test('a late reading inside the window becomes the reference if it is the earliest', () => {
  const e = engineWith([GNSS]);
  assert.deepEqual(summary(feed(e, [['gnss-1', 1800, 0], ['gnss-1', 3600, 1]])), ['raised:yellow']);
  const t = feed(e, [['gnss-1', 600, 0.9]]);
  assert.deepEqual(summary(t), ['cleared<yellow']);
  assert.equal(t[0].value, 0.12, '(1 − 0.9) mm over 3000 s');
  assert.equal(t[0].ts, at(3600), 'evaluated as of the newest reading');
});

test('readings older than the window are ignored', () => {
  const e = engineWith([GNSS]);
  feed(e, displacement(7200, Infinity));
  assert.deepEqual(feed(e, [['gnss-1', 0, -100]]), []);
  assert.deepEqual(e.openAlarms().map((a) => a.level), ['orange']);
});

test('after a gap, no rate is computed from two readings a minute apart', () => {
  const e = engineWith([GNSS]);
  assert.deepEqual(summary(feed(e, displacement(1800, Infinity))), ['raised:orange']);
  assert.deepEqual(feed(e, [['gnss-1', 20000, 100], ['gnss-1', 20060, 100.1]]), [], 'a 60 s span is too short to judge');
  const t = feed(e, [['gnss-1', 21800, 100.1]]);
  assert.deepEqual(summary(t), ['cleared<orange']);
  assert.equal(t[0].value, 0.2);
});

test('direction below catches a fast fall of a reservoir level', () => {
  const e = engineWith([
    { kind: 'rate', id: 'RES-DROP', version: 1, sensor: 'res-1', direction: 'below', name: '库水位变化速率', unit: 'm/h', windowSec: 3600, levels: { yellow: -0.3, orange: -0.5 } },
  ]);
  const readings: [string, number, number][] = [];
  for (let s = 0; s <= 3600; s += 600) readings.push(['res-1', s, 250 - (s / 600) * 0.1]);
  const t = feed(e, readings);
  assert.deepEqual(summary(t), ['raised:orange']);
  assert.equal(t[0].message, 'res-1 库水位变化速率 -0.6 m/h，低于橙色阈值 -0.5 m/h');
});
