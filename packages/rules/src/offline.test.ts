import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineHeap } from './heap.ts';
import { at, engineWith, feed, seeded, summary } from './test-helpers.ts';

// Reports every 10 minutes; offline after three missed reports.
const OFFLINE = { kind: 'offline', id: 'RG-OFFLINE', version: 1, sensorType: 'rg', intervals: 3, intervalSec: 600 };

test('a sensor is offline after N intervals without data, raised by tick and not before', () => {
  const e = engineWith([OFFLINE]);
  feed(e, [['rg-1', 0, 0]]);
  assert.deepEqual(e.tick(at(1800)), [], 'exactly three intervals: the third report may still be on its way');
  const t = e.tick(at(1801));
  assert.deepEqual(summary(t), ['raised:blue']);
  assert.equal(t[0].message, 'rg-1 已 30分钟无数据（超过 3 个上报周期 × 10分钟），判定离线');
  assert.equal(t[0].value, 1801);
  assert.deepEqual(e.tick(at(5000)), [], 'raised once, not on every tick');
});

test('the next reading clears it', () => {
  const e = engineWith([OFFLINE]);
  feed(e, [['rg-1', 0, 0]]);
  e.tick(at(2000));
  const t = feed(e, [['rg-1', 2400, 0]]);
  assert.deepEqual(summary(t), ['cleared<blue']);
  assert.equal(t[0].message, 'rg-1 恢复上报（中断 40分钟），离线报警解除');
  assert.deepEqual(e.tick(at(2400 + 1800)), [], 'the clock restarted at the new reading');
  assert.deepEqual(summary(e.tick(at(2400 + 1801))), ['raised:blue']);
});

test('a backlog reading too old to mean "online now" does not clear the alarm', () => {
  const e = engineWith([OFFLINE]);
  feed(e, [['rg-1', 0, 0]]);
  e.tick(at(10_000));
  assert.deepEqual(feed(e, [['rg-1', 600, 0], ['rg-1', 1200, 0]]), [], 'uploaded from the logger long after');
  assert.deepEqual(feed(e, [['rg-1', 1200, 0]]), [], 'a duplicate is no news either');
  assert.deepEqual(summary(feed(e, [['rg-1', 9_900, 0]])), ['cleared<blue']);
});

test('readings keep pushing the deadline back; only silence raises', () => {
  const e = engineWith([OFFLINE, { ...OFFLINE, id: 'GNSS-OFFLINE', sensorType: 'gnss', level: 'yellow' }]);
  const transitions = [];
  for (let s = 0; s < 5 * 3600; s += 60) {
    if (s % 600 === 0) transitions.push(...feed(e, [['rg-1', s, 0]]));
    if (s % 300 === 0) transitions.push(...feed(e, [['gnss-1', s, 0]]));
    transitions.push(...e.tick(at(s)));
  }
  assert.deepEqual(transitions, []);
  const t = e.tick(at(5 * 3600 + 3600));
  assert.deepEqual(t.map((x) => `${x.sensor}:${x.level}`).sort(), ['gnss-1:yellow', 'rg-1:blue']);
});

test('register starts the clock for a sensor that never reported', () => {
  const e = engineWith([OFFLINE]);
  e.register('rg-9', at(0));
  e.register('rg-9', at(1000)); // a second registration does not reset the clock
  assert.deepEqual(summary(e.tick(at(1801))), ['raised:blue']);
  assert.deepEqual(e.tick(at(1801)).length, 0);
});

test('offline state of many sensors: each raised exactly when due', () => {
  const e = engineWith([OFFLINE]);
  const random = seeded(11);
  const last = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    const s = `rg-${i}`;
    const sec = Math.floor(random() * 3600);
    feed(e, [[s, sec, 0]]);
    last.set(s, sec);
  }
  for (let now = 0; now <= 3600 + 1800 + 60; now += 60) {
    for (const t of e.tick(at(now))) {
      const silent = now - last.get(t.sensor!)!;
      assert.ok(silent > 1800 && silent <= 1860, `${t.sensor} raised after ${silent} s`);
      last.delete(t.sensor!);
    }
  }
  assert.equal(last.size, 0, 'every sensor went offline');
});

test('the deadline heap pops in order', () => {
  const heap = new DeadlineHeap();
  const random = seeded(5);
  const keys = Array.from({ length: 5000 }, () => Math.floor(random() * 1e6));
  keys.forEach((k, i) => heap.push(k, i));
  const popped: number[] = [];
  while (heap.size > 0) popped.push(keys[heap.pop()]);
  assert.deepEqual(
    popped,
    [...keys].sort((a, b) => a - b),
  );
  assert.equal(heap.peekKey(), Infinity);
});
