import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateRules } from './validate.ts';
import { at, engineWith, feed } from './test-helpers.ts';

// The README's examples are what people copy into the rule editor: they must stay valid.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as unknown[]);

test('the README examples form one valid rule set', () => {
  assert.equal(examples.length, 4);
  const { rules, errors } = validateRules(examples.flat());
  assert.deepEqual(errors, []);
  assert.deepEqual(
    rules.map((r) => r.id),
    ['RAIN-1H', 'RAIN-3H', 'RAIN-6H', 'RAIN-24H', 'RAIN-OFFLINE', 'TD-07-JRX-03', 'GNSS-RATE', 'LANDSLIDE'],
  );
});

test('the README landslide example raises the message it shows', () => {
  const e = engineWith(examples.flat(), { 'rg-1': { type: 'rain_gauge', point: 'HP-012' }, 'gnss-1': { point: 'HP-012' } });
  feed(e, [['rg-1', 0, 101]]);
  const t = feed(
    e,
    Array.from({ length: 9 }, (_, i): [string, number, number] => ['gnss-1', i * 300, i * 0.5]),
  );
  const chain = t.find((x) => x.ruleId === 'LANDSLIDE');
  assert.equal(chain?.message, '监测点 HP-012 滑坡灾害链预警（红色）：24小时累计雨量达到橙色，GNSS位移速率达到黄色');
  assert.equal(chain?.ts, at(2400), 'GNSS rate raised after its 600 s minimum duration');
});
