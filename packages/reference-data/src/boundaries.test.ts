import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import { readReferenceBoundaries, REFERENCE_BOUNDARY_FILE, type BoundaryRecord } from './boundaries.ts';
import { isClosed } from './geometry.ts';
import { findInvalidRings } from './ring-validity.ts';

const records: BoundaryRecord[] = [];
for await (const record of readReferenceBoundaries()) records.push(record);
const byCode = new Map(records.map((r) => [r.code, r]));

void test('泸定县 513322 is there, in WGS84, at all three levels', () => {
  const luding = byCode.get('513322');
  assert.ok(luding);
  assert.equal(luding.name, '泸定县');
  assert.equal(luding.level, 'county');
  assert.equal(luding.parentCode, '513300');
  // The seat (泸定 town) is at 102.23E 29.91N; the county's area centroid is ~25 km south-west.
  assert.ok(luding.seat);
  assert.ok(Math.abs(luding.seat[0] - 102.23) < 0.01 && Math.abs(luding.seat[1] - 29.91) < 0.01, `seat ${luding.seat}`);
  // DataV's own centroid, converted from GCJ-02: 102.1110, 29.7448.
  assert.ok(Math.abs(luding.centroid[0] - 102.111) < 0.01 && Math.abs(luding.centroid[1] - 29.745) < 0.01, `centroid ${luding.centroid}`);
  for (const level of ['0', '1', '2'] as const) assert.ok(luding.geometry[level].length > 0, `level ${level}`);
  const [minLon, minLat, maxLon, maxLat] = luding.bbox;
  assert.ok(minLon < 101.9 && maxLon > 102.3 && minLat < 29.5 && maxLat > 30.05, `bbox ${luding.bbox}`);
});

void test('every province, prefecture and county is present, parents before children', () => {
  const count = (level: string) => records.filter((r) => r.level === level).length;
  assert.equal(count('province'), 34);
  assert.ok(count('prefecture') >= 335, `prefectures: ${count('prefecture')}`);
  assert.ok(count('county') >= 2850, `counties: ${count('county')}`);
  const seen = new Set<string>();
  for (const r of records) {
    if (r.parentCode && byCode.has(r.parentCode)) assert.ok(seen.has(r.parentCode), `${r.code} before ${r.parentCode}`);
    seen.add(r.code);
  }
  // Pseudo-prefectures of municipalities get an outline too.
  for (const code of ['110100', '120100', '310100', '500100', '500200']) assert.ok(byCode.has(code), code);
});

void test('all geometries are valid, closed, rounded to 5 decimals and coarser at lower levels', () => {
  const points = { '0': 0, '1': 0, '2': 0 };
  for (const r of records) {
    for (const level of ['0', '1', '2'] as const) {
      const rings = r.geometry[level].flat();
      assert.ok(rings.length > 0, `${r.code} level ${level} empty`);
      for (const ring of rings) {
        assert.ok(ring.length >= 4 && isClosed(ring), `${r.code} level ${level}`);
        for (const [lon, lat] of ring) {
          assert.equal(Math.round(lon * 1e5) / 1e5, lon);
          assert.equal(Math.round(lat * 1e5) / 1e5, lat);
        }
        points[level] += ring.length;
      }
      assert.equal(findInvalidRings(rings).size, 0, `${r.code} ${r.name} level ${level} invalid`);
    }
  }
  assert.ok(points['0'] < points['1'] && points['1'] < points['2'], JSON.stringify(points));
});

void test('the shipped file stays small enough for the repository', () => {
  const mb = statSync(REFERENCE_BOUNDARY_FILE).size / 1e6;
  assert.ok(mb < 15, `${mb.toFixed(1)} MB`);
});
