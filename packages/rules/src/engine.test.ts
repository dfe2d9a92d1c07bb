import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type Engine } from './engine.ts';
import { createRuleSet } from './rule-set.ts';
import type { EngineSnapshot } from './snapshot.ts';
import { at, engineWith, feed, seeded, summary, type SensorMeta } from './test-helpers.ts';
import { alarmKey, type AlarmTransition, type Level } from './types.ts';

const WL = { kind: 'threshold', id: 'WL', version: 1, sensorType: 'wl', name: '水位', unit: 'm', levels: { yellow: 20, red: 40 }, hysteresis: 1 };
const RAIN = { kind: 'accumulation', id: 'RAIN-1H', version: 1, sensorType: 'rg', unit: 'mm', windowSec: 3600, levels: { blue: 10, red: 30 } };

test('a swap keeps the state of unchanged rules; a new version or name alone is no change', () => {
  const e = engineWith([WL, RAIN]);
  feed(e, [['wl-1', 0, 25], ['rg-1', 0, 8]]);
  const swapped = e.setRuleSet(createRuleSet([{ ...WL, version: 2, name: '河道水位' }, RAIN]));
  assert.deepEqual(swapped, []);
  assert.deepEqual(e.openAlarms(), [{ ruleId: 'WL', ruleVersion: 2, scope: 'sensor', subject: 'wl-1', level: 'yellow' }]);
  assert.deepEqual(feed(e, [['wl-1', 60, 26]]), [], 'still yellow: not raised again');
  const t = feed(e, [['wl-1', 120, 45], ['rg-1', 120, 3]]);
  assert.deepEqual(
    t.map((x) => `${x.ruleId}@${x.ruleVersion}:${x.kind}:${x.level}`),
    ['WL@2:level_changed:red', 'RAIN-1H@1:raised:blue'],
  );
  assert.equal(t[0].message, 'wl-1 河道水位 45 m，超过红色阈值 40 m（原为黄色）');
  assert.equal(t[1].value, 11, 'the window kept the 8 mm from before the swap');
});

test('a changed rule closes its alarms and starts afresh; removed and disabled rules close theirs', () => {
  const e = engineWith([WL, RAIN]);
  feed(e, [['wl-1', 0, 25], ['rg-1', 0, 12]]);
  const changed = e.setRuleSet(createRuleSet([{ ...WL, version: 2, levels: { yellow: 30, red: 40 } }, RAIN]), at(60));
  assert.deepEqual(changed, [
    {
      ruleId: 'WL',
      ruleVersion: 1,
      ruleKind: 'threshold',
      scope: 'sensor',
      sensor: 'wl-1',
      kind: 'cleared',
      level: null,
      previousLevel: 'yellow',
      value: null,
      ts: at(60),
      message: 'wl-1 规则 WL 已修改，报警关闭',
      reason: 'rule_changed',
    },
  ]);
  assert.deepEqual(feed(e, [['wl-1', 120, 25]]), [], 'below the new yellow');
  assert.deepEqual(summary(feed(e, [['wl-1', 180, 35]])), ['raised:yellow']);

  const disabled = e.setRuleSet(createRuleSet([{ ...WL, version: 3, levels: { yellow: 30, red: 40 } }, { ...RAIN, enabled: false }]));
  assert.deepEqual(
    disabled.map((x) => `${x.ruleId}:${x.reason}`),
    ['RAIN-1H:rule_removed'],
  );
  assert.deepEqual(
    e.setRuleSet(createRuleSet([])).map((x) => `${x.ruleId}:${x.reason}:${x.message}`),
    ['WL:rule_removed:wl-1 规则 WL 已删除或停用，报警关闭'],
  );
  assert.deepEqual(e.openAlarms(), []);
});

test('a rule added by a swap applies to sensors already known', () => {
  const e = engineWith([WL]);
  feed(e, [['wl-1', 0, 5]]);
  e.setRuleSet(createRuleSet([WL, { ...WL, id: 'WL-HIGH', levels: { red: 45 } }]));
  assert.deepEqual(
    feed(e, [['wl-1', 60, 50]]).map((x) => `${x.ruleId}:${x.level}`),
    ['WL:red', 'WL-HIGH:red'],
  );
});

test('a swap re-reads sensor metadata: a sensor that changed type loses its alarm', () => {
  const meta: Record<string, SensorMeta> = { 'x-1': { type: 'wl' } };
  const e = engineWith([WL], meta);
  feed(e, [['x-1', 0, 25]]);
  meta['x-1'] = { type: 'other' };
  assert.deepEqual(
    e.setRuleSet(e.ruleSet).map((x) => `${x.sensor}:${x.reason}`),
    ['x-1:sensor_unbound'],
  );
  assert.deepEqual(feed(e, [['x-1', 60, 50]]), []);
});

test('composites are re-evaluated after a swap changes a member', () => {
  const soil = { kind: 'threshold', id: 'SOIL', version: 1, sensorType: 'soil', name: '土壤含水率', levels: { yellow: 30 } };
  const wet = { kind: 'composite', id: 'WET', version: 1, all: [{ rule: 'WL', atLeast: 'yellow' }, { rule: 'SOIL', atLeast: 'yellow' }], level: 'orange', scope: 'point' };
  const e = engineWith([WL, soil, wet], { 'wl-1': { point: 'P' }, 'soil-1': { point: 'P' } });
  assert.deepEqual(
    feed(e, [['wl-1', 0, 25], ['soil-1', 0, 35]]).map((x) => x.ruleId),
    ['WL', 'SOIL', 'WET'],
  );
  assert.deepEqual(e.setRuleSet(createRuleSet([WL, soil, { ...wet, version: 2, name: '湿润' }])), [], 'only the composite renamed');
  const t = e.setRuleSet(createRuleSet([WL, { ...soil, levels: { yellow: 40 } }, wet]));
  assert.deepEqual(
    t.map((x) => `${x.ruleId}:${x.kind}:${x.reason ?? ''}`),
    ['SOIL:cleared:rule_changed', 'WET:cleared:'],
  );
  assert.equal(t[1].message, '监测点 P 组合规则 WET解除：土壤含水率低于黄色');
});

// One of each kind, with the options that carry state: durations, windows, offline clocks, chains.
const ALL_KINDS = [
  { kind: 'threshold', id: 'WL', version: 1, sensorType: 'wl', levels: { blue: 10, yellow: 20, orange: 30, red: 40 }, hysteresis: 2, minDurationSec: 300 },
  { kind: 'accumulation', id: 'RAIN-3H', version: 1, sensorType: 'rg', windowSec: 10800, bucketSec: 600, levels: { blue: 5, yellow: 10, orange: 20, red: 30 }, hysteresis: 1 },
  { kind: 'rate', id: 'GNSS', version: 1, sensorType: 'gnss', windowSec: 3600, levels: { yellow: 2, orange: 5, red: 10 }, hysteresis: 0.5 },
  { kind: 'offline', id: 'OFF', version: 1, sensorType: 'rg', intervals: 3, intervalSec: 300, level: 'yellow' },
  { kind: 'composite', id: 'CHAIN', version: 1, all: [{ rule: 'RAIN-3H', atLeast: 'yellow' }, { rule: 'GNSS', atLeast: 'yellow' }], level: 'red', scope: 'point' },
  { kind: 'composite', id: 'CHAIN-PLUS', version: 1, all: [{ rule: 'CHAIN', atLeast: 'red' }, { rule: 'WL', atLeast: 'orange' }], level: 'red', scope: 'point' },
  { kind: 'composite', id: 'AREA-WET', version: 1, all: [{ rule: 'RAIN-3H', atLeast: 'blue' }, { rule: 'WL', atLeast: 'yellow' }], level: 'yellow', scope: 'area' },
];
const SENSORS = ['wl-1', 'wl-2', 'wl-3', 'rg-1', 'rg-2', 'rg-3', 'gnss-1', 'gnss-2', 'gnss-3', 'wl-4', 'rg-4', 'gnss-4'];
const FUZZ_META: Record<string, SensorMeta> = Object.fromEntries(SENSORS.map((s, i) => [s, { point: `P${i % 3}`, area: i % 2 === 0 ? 'A' : 'B' }]));

type Event = { reading: [string, number, number] } | { tick: number };

/** A random but plausible stream: water levels and GNSS walking, rain in showers, gauges going silent. */
function stream(seed: number, length: number): Event[] {
  const random = seeded(seed);
  const level = new Map(SENSORS.map((s) => [s, 0]));
  const events: Event[] = [];
  let sec = 0;
  for (let i = 0; i < length; i++) {
    sec += Math.floor(random() * 30);
    const s = SENSORS[Math.floor(random() * SENSORS.length)];
    const type = s.split('-')[0];
    if (type === 'rg' && sec % 21600 > 7200) continue; // gauges report only in the first 2 h of every 6
    const previous = level.get(s)!;
    const value = type === 'wl' ? Math.max(0, previous + (random() - 0.48) * 6) : type === 'gnss' ? previous + random() * 0.8 : random() < 0.3 ? Math.round(random() * 40) / 10 : 0;
    level.set(s, value);
    events.push({ reading: [s, sec, value] });
    if (i % 20 === 19) events.push({ tick: sec });
  }
  return events;
}

/** Duplicates some readings and delays others by a few positions, as a broker with retries does. */
function disorder(events: Event[], seed: number): Event[] {
  const random = seeded(seed);
  const out: Event[] = [];
  for (const e of events) {
    out.push(e);
    if ('reading' in e && random() < 0.3) out.splice(Math.max(0, out.length - 1 - Math.floor(random() * 10)), 0, e);
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.max(0, i - Math.floor(random() * 4));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function run(engine: Engine, events: Event[]): AlarmTransition[] {
  const out: AlarmTransition[] = [];
  for (const e of events) {
    if ('tick' in e) out.push(...engine.tick(at(e.tick)));
    else out.push(...engine.ingest({ sensor: e.reading[0], ts: at(e.reading[1]), value: e.reading[2] }));
  }
  return out;
}

/** Replays transitions as an alarm store would, failing on any that does not follow from the last. */
function replay(transitions: AlarmTransition[]): Map<string, Level> {
  const open = new Map<string, Level>();
  for (const t of transitions) {
    const key = alarmKey(t);
    const current = open.get(key) ?? null;
    assert.equal(t.previousLevel, current, `${t.kind} of ${key} says it was ${t.previousLevel}, but it was ${current}`);
    if (t.kind === 'raised') assert.ok(t.level !== null, `${key} raised without a level`);
    if (t.kind === 'level_changed') assert.ok(t.level !== null && t.level !== current, `${key} level_changed to ${t.level}`);
    if (t.kind === 'cleared') assert.equal(t.level, null);
    if (t.level === null) open.delete(key);
    else open.set(key, t.level);
  }
  return open;
}

const openOf = (e: Engine) => new Map(e.openAlarms().map((a) => [`${a.ruleId}|${a.scope}|${a.subject}`, a.level]));

for (const seed of [1, 2, 3, 128383]) {
  test(`one open alarm per rule and subject under a shuffled stream with duplicates (seed ${seed})`, () => {
    const e = engineWith(ALL_KINDS, FUZZ_META);
    const transitions = run(e, disorder(stream(seed, 3000), seed + 1));
    const kinds = new Set(transitions.map((t) => `${t.ruleId}:${t.kind}`));
    for (const expected of ['WL:raised', 'RAIN-3H:cleared', 'GNSS:raised', 'OFF:raised', 'OFF:cleared', 'CHAIN:raised']) {
      assert.ok(kinds.has(expected), `the stream exercises ${expected}`);
    }
    assert.deepEqual(replay(transitions), openOf(e));
  });
}

test('(regression) swaps in the middle of a stream keep the transition log consistent', () => {
  const e = engineWith(ALL_KINDS, FUZZ_META);
  const events = disorder(stream(9, 3000), 10);
  const log = run(e, events.slice(0, 1500));
  log.push(...e.setRuleSet(createRuleSet(ALL_KINDS.map((r) => (r.id === 'GNSS' ? { ...r, levels: { yellow: 3, red: 10 } } : r)))));
  log.push(...run(e, events.slice(1500)));
  assert.deepEqual(replay(log), openOf(e));
});

test('snapshot and restore: a restarted engine carries on exactly like one that never stopped', () => {
  const events = disorder(stream(42, 4000), 43);
  const half = 2000;
  const continuous = engineWith(ALL_KINDS, FUZZ_META);
  run(continuous, events.slice(0, half));
  const saved = JSON.parse(JSON.stringify(continuous.snapshot())) as EngineSnapshot;

  const restarted = engineWith(ALL_KINDS, FUZZ_META);
  assert.deepEqual(restarted.restore(saved), [], 'a consistent snapshot restores without transitions');
  assert.deepEqual(openOf(restarted), openOf(continuous));
  const expected = run(continuous, events.slice(half));
  assert.ok(expected.length > 20, 'the second half has transitions to compare');
  assert.deepEqual(run(restarted, events.slice(half)), expected);
});

test('restore skips the state of rules whose definition changed', () => {
  const e = engineWith([WL, RAIN]);
  feed(e, [['wl-1', 0, 25], ['rg-1', 0, 12]]);
  const saved = e.snapshot();
  const changed = createEngine(createRuleSet([WL, { ...RAIN, levels: { blue: 11 } }]), { sensorType: (s) => s.split('-')[0], pointOf: () => undefined });
  changed.restore(saved);
  assert.deepEqual(
    changed.openAlarms().map((a) => a.ruleId),
    ['WL'],
  );
  assert.deepEqual(feed(changed, [['rg-1', 60, 1]]), [], 'the rain window started empty: 1 mm');
  assert.throws(() => changed.restore({ format: 'other' } as unknown as EngineSnapshot), /not a rule engine snapshot/);
});

test('stats count sensors, bindings and typed-array memory', () => {
  const e = engineWith([WL, RAIN, { ...RAIN, id: 'RAIN-2' }]);
  feed(e, [['wl-1', 0, 1], ['rg-1', 0, 1], ['other-1', 0, 1]]);
  const stats = e.stats();
  assert.equal(stats.sensors, 3);
  assert.equal(stats.bindings, 3);
  assert.deepEqual(
    stats.rules.map((r) => `${r.id}:${r.slots}`),
    ['WL:1', 'RAIN-1H:1', 'RAIN-2:1'],
  );
  assert.ok(stats.arrayBytes > 0, 'memory is counted');
});

test('ingestBatch gives what ingestValue gives, reading by reading', () => {
  const events = stream(5, 2000).filter((e): e is { reading: [string, number, number] } => 'reading' in e);
  const one = engineWith(ALL_KINDS, FUZZ_META);
  const many = engineWith(ALL_KINDS, FUZZ_META);
  const expected = events.flatMap(({ reading: [s, sec, v] }) => [...one.ingestValue(one.sensorHandle(s), at(sec), v)]);
  const handles = Int32Array.from(events, ({ reading }) => many.sensorHandle(reading[0]));
  const actual = many.ingestBatch(
    handles,
    Float64Array.from(events, ({ reading }) => at(reading[1])),
    Float64Array.from(events, ({ reading }) => reading[2]),
  );
  assert.ok(expected.length > 10, 'the stream has transitions');
  assert.deepEqual(actual, expected);
  assert.throws(() => many.ingestBatch([0], [1, 2], [3]), /as many timestamps and values as handles/);
  assert.throws(() => many.ingestBatch([999], [at(0)], [1]), /unknown sensor handle 999/);
});

test('compact gives back the room to grow, and the engine carries on as before', () => {
  const events = disorder(stream(21, 3000), 22);
  const plain = engineWith(ALL_KINDS, FUZZ_META);
  const compacted = engineWith(ALL_KINDS, FUZZ_META);
  assert.deepEqual(run(compacted, events.slice(0, 1500)), run(plain, events.slice(0, 1500)));
  const before = compacted.stats().arrayBytes;
  compacted.compact();
  assert.ok(compacted.stats().arrayBytes < before, `${compacted.stats().arrayBytes} < ${before}`);
  feed(compacted, [['wl-new', 0, 0]]);
  feed(plain, [['wl-new', 0, 0]]);
  assert.deepEqual(run(compacted, events.slice(1500)), run(plain, events.slice(1500)));
  assert.deepEqual(openOf(compacted), openOf(plain));
});
