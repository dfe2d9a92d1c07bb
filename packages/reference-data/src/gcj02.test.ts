import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gcj02ToWgs84, wgs84ToGcj02 } from './gcj02.ts';

/** Deterministic pseudo-random numbers so a failure names a reproducible point. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

void test('GCJ-02 → WGS84 → GCJ-02 round trip is within 1e-6 degrees across China (seed 2260)', () => {
  const random = mulberry32(2260);
  let worst = 0;
  for (let i = 0; i < 5000; i++) {
    const lon = 73 + random() * 62;
    const lat = 18 + random() * 35;
    const [wLon, wLat] = gcj02ToWgs84(lon, lat);
    const [gLon, gLat] = wgs84ToGcj02(wLon, wLat);
    worst = Math.max(worst, Math.abs(gLon - lon), Math.abs(gLat - lat));
  }
  assert.ok(worst < 1e-6, `worst round-trip error ${worst}`);
});

void test('a known point matches an independent implementation (gcoord test suite)', () => {
  // hujiulong/gcoord test/unit/crs/GCJ02.spec.js: GCJ02 [123, 45] → WGS84 [122.99395597, 44.99804071]
  // (gcoord stops iterating at 1e-6, hence the tolerance).
  const [lon, lat] = gcj02ToWgs84(123, 45);
  assert.ok(Math.abs(lon - 122.99395597) < 2e-6, `lon ${lon}`);
  assert.ok(Math.abs(lat - 44.99804071) < 2e-6, `lat ${lat}`);
});

void test('the GCJ-02 offset in Sichuan is a few hundred metres, in the documented direction', () => {
  // 泸定县 seat as published by DataV (GCJ-02); the WGS84 point lies ~200 m west and ~300 m north.
  const [lon, lat] = gcj02ToWgs84(102.233225, 29.912482);
  assert.ok(lon < 102.233225 && 102.233225 - lon < 0.005);
  assert.ok(lat > 29.912482 && lat - 29.912482 < 0.005);
});

void test('points outside China pass through unchanged', () => {
  assert.deepEqual(gcj02ToWgs84(139.6917, 35.6895), [139.6917, 35.6895]); // Tokyo
  assert.deepEqual(wgs84ToGcj02(-0.1276, 51.5072), [-0.1276, 51.5072]); // London
});
