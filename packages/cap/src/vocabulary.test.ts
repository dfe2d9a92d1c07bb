import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCap } from './parse.ts';
import { CAP_CATEGORY, CAP_CERTAINTY, CAP_URGENCY } from './types.ts';
import {
  capToLevel, findEventType, LEVEL_NAMES, levelEventCode, levelToCap, parseLevel, severityRank,
  WARNING_EVENT_TYPES, WARNING_LEVELS, WARNING_STAGES, type WarningLevel, type WarningStage,
} from './vocabulary.ts';

const sample = (name: string) => readFileSync(new URL(`../test-data/${name}`, import.meta.url), 'utf8');

test('the national event types are all there, each with a CAP category and its levels in order', () => {
  for (const zh of ['暴雨', '台风', '高温', '寒潮', '大风', '冰雹', '雷电', '大雾', '霾', '道路结冰', '干旱', '森林火险', '地质灾害', '山洪', '洪水', '地震', '暴雪', '沙尘暴', '霜冻']) {
    assert.ok(findEventType(zh), zh);
  }
  const keys = new Set<string>();
  for (const t of WARNING_EVENT_TYPES) {
    assert.ok(CAP_CATEGORY.includes(t.category), `${t.zh}: category ${t.category}`);
    assert.ok(t.levels.length > 0, `${t.zh} has levels`);
    assert.ok(t.levels.every((l) => WARNING_LEVELS.includes(l)), t.zh);
    const ranks = t.levels.map((l) => WARNING_LEVELS.indexOf(l));
    assert.ok(ranks.every((r, i) => i === 0 || r === ranks[i - 1] + 1), `${t.zh}: levels are a contiguous run, lowest first`);
    assert.ok(t.event.length > 0 && t.issuer.length > 0, t.zh);
    assert.ok(!keys.has(t.key), `${t.key} is unique`);
    keys.add(t.key);
  }
});

test('levels of the CMA signals as the decree and its revisions give them', () => {
  const levels = (zh: string) => findEventType(zh)?.levels.map((l) => LEVEL_NAMES[l].zh[0]).join('');
  assert.equal(levels('暴雨'), '蓝黄橙红');
  assert.equal(levels('寒潮'), '蓝黄橙红');
  assert.equal(levels('大雾'), '黄橙红');
  assert.equal(levels('霾'), '黄橙红');
  assert.equal(levels('道路结冰'), '黄橙红');
  assert.equal(levels('干旱'), '橙红');
  assert.equal(levels('冰雹'), '橙红');
  assert.equal(levels('高温'), '黄橙红');
  assert.equal(levels('雷电'), '黄橙红');
  assert.equal(levels('森林火险'), '黄橙红');
  assert.equal(levels('霜冻'), '蓝黄橙');
  assert.equal(findEventType('山洪')?.category, 'Met');
  assert.equal(findEventType('地质灾害')?.category, 'Geo');
  assert.equal(findEventType('森林火险')?.category, 'Fire');
});

test('findEventType reads Chinese names (with 预警 after them), English names and keys', () => {
  assert.equal(findEventType('暴雨预警')?.key, 'rainstorm');
  assert.equal(findEventType('道路结冰预警信号')?.event, 'Road Icing');
  assert.equal(findEventType('rainstorm')?.zh, '暴雨');
  assert.equal(findEventType(' Heavy Fog ')?.zh, '大雾');
  assert.equal(findEventType('海啸'), undefined);
});

test('the mapping is monotonic: a higher level never has a lower severity, at every stage', () => {
  for (const stage of WARNING_STAGES) {
    const ranks = WARNING_LEVELS.map((l) => severityRank(levelToCap(l, stage).severity));
    assert.ok(ranks.every((r, i) => i === 0 || r > ranks[i - 1]), `${stage}: ${ranks.join(' ')}`);
    for (const level of WARNING_LEVELS) {
      const cap = levelToCap(level, stage);
      assert.ok(CAP_URGENCY.includes(cap.urgency) && CAP_CERTAINTY.includes(cap.certainty), `${level} ${stage}`);
    }
  }
  assert.deepEqual(WARNING_LEVELS.map((l) => levelToCap(l).severity), ['Minor', 'Moderate', 'Severe', 'Extreme']);
});

test('capToLevel(levelToCap(x)) === x, at every stage and through the level eventCode', () => {
  for (const stage of WARNING_STAGES) {
    for (const level of WARNING_LEVELS) {
      assert.equal(capToLevel(levelToCap(level, stage)), level, `${level} ${stage}`);
      // A level code wins over a severity that says otherwise.
      assert.equal(capToLevel({ ...levelToCap('blue', stage), eventCodes: [levelEventCode(level)] }), level);
    }
  }
});

test('the stages: a 6 h forecast is Expected/Likely, the 1 h call-response Immediate, a met criterion Observed', () => {
  assert.deepEqual(levelToCap('orange'), { severity: 'Severe', urgency: 'Expected', certainty: 'Likely' });
  assert.deepEqual(levelToCap('red', 'imminent'), { severity: 'Extreme', urgency: 'Immediate', certainty: 'Likely' });
  assert.deepEqual(levelToCap('red', 'observed'), { severity: 'Extreme', urgency: 'Immediate', certainty: 'Observed' });
  assert.deepEqual(levelToCap('yellow', 'risk'), { severity: 'Moderate', urgency: 'Expected', certainty: 'Possible' });
  assert.throws(() => levelToCap('purple' as WarningLevel), RangeError);
  assert.throws(() => levelToCap('red', 'soon' as WarningStage), RangeError);
});

test('the samples carry what levelToCap gives for their level and stage, and capToLevel reads their level', () => {
  const expected: [string, WarningLevel | null, WarningStage | null][] = [
    ['01-rainstorm-orange-alert.xml', 'orange', 'forecast'],
    ['02-rainstorm-red-update.xml', 'red', 'observed'],
    ['03-rainstorm-cancel.xml', null, null],
    ['04-geohazard-exercise.xml', 'yellow', 'risk'],
  ];
  for (const [name, level, stage] of expected) {
    const info = parseCap(sample(name)).alert?.infos[0];
    assert.ok(info, name);
    assert.equal(capToLevel(info), level, name);
    if (level && stage) {
      const { severity, urgency, certainty } = info;
      assert.deepEqual({ severity, urgency, certainty }, levelToCap(level, stage), name);
    }
  }
});

test('capToLevel without a level code: from severity, none for Unknown or a lifted (Past) warning', () => {
  assert.equal(capToLevel({ severity: 'Severe' }), 'orange');
  assert.equal(capToLevel({ severity: 'Unknown' }), null);
  assert.equal(capToLevel({ severity: 'Minor', urgency: 'Past' }), null);
  assert.equal(capToLevel({ severity: 'Minor', urgency: 'Past', eventCodes: [levelEventCode('blue')] }), 'blue');
  assert.equal(capToLevel({ severity: 'Moderate', eventCodes: [{ valueName: 'level', value: 'mauve' }] }), 'yellow');
  assert.equal(capToLevel({ severity: 'Minor', eventCodes: [{ valueName: 'Level', value: '橙色' }] }), 'orange');
});

test('parseLevel reads the usual spellings', () => {
  const cases: [string, WarningLevel | null][] = [
    ['blue', 'blue'], ['Yellow', 'yellow'], ['橙', 'orange'], ['红色', 'red'], ['蓝色预警', 'blue'], ['黄色预警信号', 'yellow'],
    ['Ⅳ级', 'blue'], ['III', 'yellow'], ['Ⅱ', 'orange'], ['I级', 'red'], ['绿色', null], ['', null],
  ];
  for (const [text, level] of cases) assert.equal(parseLevel(text), level, text);
  for (const level of WARNING_LEVELS) {
    assert.equal(parseLevel(LEVEL_NAMES[level].zh), level);
    assert.equal(parseLevel(LEVEL_NAMES[level].grade), level);
  }
});
