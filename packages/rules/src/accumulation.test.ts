import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccumulationEvaluator } from './accumulation.ts';
import { createRuleSet, definitionKey } from './rule-set.ts';
import { at, engineWith, feed, seeded, summary } from './test-helpers.ts';
import type { AccumulationRule } from './types.ts';

const RAIN_1H = { kind: 'accumulation', id: 'RAIN-1H', version: 1, sensorType: 'rg', name: '1小时累计雨量', unit: 'mm', windowSec: 3600, levels: { blue: 10, yellow: 20, orange: 30, red: 50 } };

/** A bare evaluator with one slot, to look at window sums directly. */
function evaluator(rule: Record<string, unknown>) {
  const r = createRuleSet([rule]).rules[0] as AccumulationRule;
  const ev = new AccumulationEvaluator(r, definitionKey(r));
  return { ev, slot: ev.alloc(0) };
}

/** What the window should hold: readings whose bucket is among the newest `n` up to bucket `head`, in hundredths. */
function bruteForce(readings: [number, number][], bucketMs: number, n: number, head: number): number {
  let hundredths = 0;
  for (const [ts, v] of readings) {
    const k = Math.floor(ts / bucketMs);
    if (k <= head && k > head - n) hundredths += Math.round(v * 100);
  }
  return hundredths / 100;
}

test('sums increments over the window and raises with the sum in the message', () => {
  const e = engineWith([RAIN_1H]);
  const t = feed(e, [
    ['rg-1', 0, 4],
    ['rg-1', 600, 4],
    ['rg-1', 1200, 4.5],
    ['rg-1', 1800, 10],
  ]);
  assert.deepEqual(summary(t), ['raised:blue', 'level_changed:yellow<blue']);
  assert.equal(t[0].message, 'rg-1 1小时累计雨量 12.5 mm，超过蓝色阈值 10 mm');
  assert.equal(t[1].value, 22.5);
});

test('the window slides: rain older than the window stops counting', () => {
  const { ev, slot } = evaluator({ ...RAIN_1H, bucketSec: 60 });
  ev.ingest(slot, at(0), 10);
  ev.ingest(slot, at(1800), 5);
  assert.equal(ev.windowSum(slot), 15);
  ev.ingest(slot, at(3599), 1);
  assert.equal(ev.windowSum(slot), 16, 'still within the hour');
  ev.ingest(slot, at(3600), 1);
  assert.equal(ev.windowSum(slot), 7, 'the first minute has left the 60-bucket window');
  ev.ingest(slot, at(3600 + 86400), 2);
  assert.equal(ev.windowSum(slot), 2, 'a long gap empties the whole ring');
});

test('late readings land in their own bucket: any arrival order gives the same sums', () => {
  const rule = { ...RAIN_1H, windowSec: 6 * 3600, bucketSec: 300 };
  const random = seeded(7);
  const readings: [number, number][] = [];
  for (let i = 0; i < 400; i++) readings.push([at(i * 97 + Math.floor(random() * 90)), Math.round(random() * 50) / 10]);

  const inOrder = evaluator(rule);
  for (const [ts, v] of readings) {
    inOrder.ev.ingest(inOrder.slot, ts, v);
    const head = Math.floor(ts / inOrder.ev.bucketMs);
    assert.equal(inOrder.ev.windowSum(inOrder.slot), bruteForce(readings.filter((r) => r[0] <= ts), inOrder.ev.bucketMs, inOrder.ev.buckets, head));
  }

  // Each reading delayed by up to 2 h (less than the 6 h window): arrival order differs a lot.
  const shuffled = readings.map(([ts, v]) => ({ ts, v, arrival: ts + random() * 7200_000 })).sort((a, b) => a.arrival - b.arrival);
  const late = evaluator(rule);
  for (const r of shuffled) late.ev.ingest(late.slot, r.ts, r.v);
  assert.equal(late.ev.windowSum(late.slot), inOrder.ev.windowSum(inOrder.slot));
  assert.ok(shuffled.some((r, i) => i > 0 && r.ts < shuffled[i - 1].ts), 'the stream really is out of order');
});

test('a reading older than the window is dropped, not added to a recycled bucket', () => {
  const { ev, slot } = evaluator({ ...RAIN_1H, bucketSec: 60 });
  ev.ingest(slot, at(7200), 3);
  assert.equal(ev.ingest(slot, at(3600), 100), -1);
  assert.equal(ev.windowSum(slot), 3);
  ev.ingest(slot, at(3660), 1);
  assert.equal(ev.windowSum(slot), 4, 'the oldest bucket still in the window takes a late reading');
});

test('a redelivered newest reading is not counted twice', () => {
  const { ev, slot } = evaluator(RAIN_1H);
  ev.ingest(slot, at(60), 2.5);
  ev.ingest(slot, at(60), 2.5);
  assert.equal(ev.windowSum(slot), 2.5);
});

test('no drift: days of fractional increments sum exactly, and the emptied window is exactly zero', () => {
  const { ev, slot } = evaluator({ ...RAIN_1H, windowSec: 86400, bucketSec: 600 });
  const random = seeded(3);
  const readings: [number, number][] = [];
  for (let s = 0; s < 5 * 86400; s += 37) {
    const v = Math.round(random() * 37) / 10;
    readings.push([at(s), v]);
    ev.ingest(slot, at(s), v);
  }
  const head = Math.floor(at(5 * 86400 - 37) / ev.bucketMs);
  assert.equal(ev.windowSum(slot), bruteForce(readings, ev.bucketMs, ev.buckets, head));
  ev.ingest(slot, at(7 * 86400), 0);
  assert.equal(ev.windowSum(slot), 0);
});

test('tick lets the window empty and clears the alarm after the rain has stopped', () => {
  const e = engineWith([RAIN_1H]);
  assert.deepEqual(summary(feed(e, [['rg-1', 0, 25]])), ['raised:yellow']);
  assert.deepEqual(summary(e.tick(at(1800))), []);
  const cleared = e.tick(at(3700));
  assert.deepEqual(summary(cleared), ['cleared<yellow']);
  assert.equal(cleared[0].value, 0);
  assert.equal(cleared[0].ts, at(3700));
  assert.deepEqual(e.tick(at(7200)), []);
});

test('tick only visits slots that time can change', () => {
  const rule = createRuleSet([RAIN_1H]).rules[0] as AccumulationRule;
  const ev = new AccumulationEvaluator(rule, definitionKey(rule));
  for (let i = 0; i < 1000; i++) ev.ingest(ev.alloc(i), at(0), i === 7 ? 12 : 1);
  assert.deepEqual([...ev.active], [7]);
  const changed: number[] = [];
  ev.advance(at(7200), changed);
  assert.deepEqual(changed, [7, 1, 0]);
  assert.equal(ev.active.size, 0);
});

test('with a minimum duration, tick raises a sum that stays high while no reading comes', () => {
  const e = engineWith([{ ...RAIN_1H, minDurationSec: 600 }]);
  assert.deepEqual(feed(e, [['rg-1', 0, 12]]), []);
  assert.deepEqual(summary(e.tick(at(300))), []);
  assert.deepEqual(summary(e.tick(at(600))), ['raised:blue']);
});

test('a rain gauge with 1, 3, 6 and 24 h rules raises each at its own threshold', () => {
  const window = (hours: number, blue: number) => ({
    kind: 'accumulation',
    id: `RAIN-${hours}H`,
    version: 1,
    sensorType: 'rg',
    unit: 'mm',
    windowSec: hours * 3600,
    bucketSec: hours === 24 ? 600 : 60 * hours,
    levels: { blue },
  });
  const e = engineWith([window(1, 12.1), window(3, 25), window(6, 60), window(24, 100)]);
  // Steady 12 mm/h as a tipping-bucket gauge reports it: 0.1 mm every 30 s, for 12 hours.
  // In floating point, 1000 × 0.1 is 99.9999999999986 and the 100 mm threshold would be missed.
  const readings: [string, number, number][] = [];
  for (let s = 30; s <= 12 * 3600; s += 30) readings.push(['rg-1', s, 0.1]);
  const t = feed(e, readings);
  // The 1 h window never holds more than 60 minutes of rain (12.0 mm), so RAIN-1H stays quiet.
  assert.deepEqual(
    t.map((x) => `${x.ruleId}@${(x.ts - at(0)) / 1000}s`),
    ['RAIN-3H@7500s', 'RAIN-6H@18000s', 'RAIN-24H@30000s'],
  );
  assert.equal(t[0].message, 'rg-1 3小时累计值 25 mm，超过蓝色阈值 25 mm');
});
