import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intensityAtLonLat, KM_PER_DEG, prepareIntensityModel } from './attenuation.ts';
import { areaKm2ByIntensity, intensityContours } from './contours.ts';
import type { QuakeEvent } from '../types.ts';

const events: QuakeEvent[] = [
  { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, strikeDeg: 165 },
  { lon: 103.4, lat: 31.0, depthKm: 14, magnitude: 8.0, strikeDeg: 229 },
  { lon: 118.2, lat: 39.6, depthKm: 12, magnitude: 7.8 },
];

function inside(pt: [number, number], ring: [number, number][]): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if (yi > pt[1] !== yj > pt[1] && pt[0] < ((xj - xi) * (pt[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

test('contours are closed, counter-clockwise, ≥ 72 vertices, on the field, nested, and match the analytic areas', () => {
  for (const ev of events) {
    const region = ev.lon < 105 ? 'west' : 'east';
    const fc = intensityContours(ev, region);
    const m = prepareIntensityModel(ev, region);
    const areas = areaKm2ByIntensity(ev, region);
    assert.ok(fc.features.length >= 3);
    const kx = KM_PER_DEG * Math.cos((ev.lat * Math.PI) / 180);
    fc.features.forEach((f, idx) => {
      const ring = f.geometry.coordinates[0];
      assert.ok(ring.length >= 73);
      assert.deepEqual(ring[0], ring[ring.length - 1]);
      let twice = 0;
      for (let k = 0; k + 1 < ring.length; k++) twice += (ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1]) * kx * KM_PER_DEG;
      assert.ok(twice > 0, 'counter-clockwise');
      assert.ok(Math.abs(twice / 2 / areas[String(f.properties.intensity) as '6'] - 1) < 0.01, 'polygon area ≈ analytic area');
      for (const p of ring) assert.ok(Math.abs(intensityAtLonLat(m, p[0], p[1]) - f.properties.intensity) < 0.03);
      if (idx > 0) {
        const outer = fc.features[idx - 1].geometry.coordinates[0];
        for (const p of ring) assert.ok(inside(p, outer), `VI${idx} vertex outside the previous contour`);
      }
    });
  }
});

test('area with at least I decreases with I and grows with magnitude', () => {
  for (const region of ['east', 'west'] as const) {
    let prev: Record<string, number> | undefined;
    for (let mag = 5; mag <= 8.5; mag += 0.1) {
      const a = areaKm2ByIntensity({ lon: 100, lat: 30, depthKm: 10, magnitude: mag, strikeDeg: 30 }, region);
      for (let i = 7; i <= 12; i++) assert.ok(a[String(i) as '6'] <= a[String(i - 1) as '6']);
      if (prev) for (const k of Object.keys(a)) assert.ok(a[k as '6'] >= prev[k] - 1e-9, `M${mag} I${k}`);
      prev = a;
    }
  }
});
