import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assess, assessRange, createAccumulators, mergeAccumulators, resolveAttenuationRegion, summarize } from './assess.ts';
import { syntheticExposure } from './synthetic.ts';
import type { QuakeEvent } from '../types.ts';

const luding: QuakeEvent = { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, strikeDeg: 165, time: '2022-09-05T04:52:18Z' };
const close = (a: number, b: number, rel = 1e-9): boolean => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

test('totals equal the sum of regions; buildings are conserved across damage states', () => {
  const x = syntheticExposure({ lon: luding.lon, lat: luding.lat, count: 20_000, halfSizeDeg: 2, grid: 6, seed: 7 });
  const r = assess(luding, x);
  const sum = (f: (g: (typeof r.regions)[number]) => number): number => r.regions.reduce((a, g) => a + f(g), 0);
  assert.ok(close(r.deaths.median, sum((g) => g.deaths)));
  assert.ok(close(r.injuries.median, sum((g) => g.injuries)));
  assert.ok(close(r.economicLossCny.median, sum((g) => g.lossCny)));
  for (let s = 0; s < 5; s++) assert.ok(close(r.buildingsByDamageState[s], sum((g) => g.buildingsByDamageState[s])));
  let buildings = 0, pop = 0;
  for (let i = 0; i < x.count; i++) { buildings += x.buildings[i]; pop += x.population[i]; }
  assert.ok(close(r.buildingsByDamageState.reduce((a, b) => a + b, 0), buildings, 1e-6));
  assert.ok(close(sum((g) => g.population), pop, 1e-6));
  assert.ok(close(sum((g) => g.exposedPopulation), r.exposedPopulationAtLeast['6'], 1e-6));
  const exact = Object.values(r.exposedPopulationByIntensity).reduce((a, b) => a + b, 0);
  assert.ok(close(exact, r.exposedPopulationAtLeast['6']));
  assert.ok(close(r.pager.populationByIntensity.reduce((a, b) => a + b, 0), pop, 1e-6));
  for (let k = 1; k < r.regions.length; k++) assert.ok(r.regions[k].deaths <= r.regions[k - 1].deaths);
  assert.equal(r.regions.length, 36);
  assert.equal(r.occupancy, 'day');
  assert.ok(r.maxIntensity <= r.epicentralIntensity && r.maxIntensity > 8.5);
  assert.ok(r.deaths.low < r.deaths.median && r.deaths.median < r.deaths.high);
  assert.ok(r.contours.features.length >= 3);
});

test('assessRange over split row ranges, merged, equals one pass', () => {
  const x = syntheticExposure({ lon: luding.lon, lat: luding.lat, count: 30_001, halfSizeDeg: 2, grid: 5, seed: 3 });
  const whole = assess(luding, x);
  const region = resolveAttenuationRegion(luding, x);
  const parts = [0, 7_000, 19_999, 30_001];
  const acc = createAccumulators(x.regions.length);
  for (let p = 0; p + 1 < parts.length; p++) {
    const a = createAccumulators(x.regions.length);
    assessRange(luding, x, parts[p], parts[p + 1], a, { region });
    mergeAccumulators(acc, a);
  }
  const split = summarize(luding, x, acc, region);
  assert.ok(close(split.deaths.median, whole.deaths.median, 1e-9));
  assert.ok(close(split.economicLossCny.median, whole.economicLossCny.median, 1e-9));
  assert.equal(split.maxIntensity, whole.maxIntensity);
});

test('a bigger magnitude never lowers any result', () => {
  const x = syntheticExposure({ lon: 103.4, lat: 31.0, count: 20_000, halfSizeDeg: 4, grid: 4, seed: 11 });
  let prev: ReturnType<typeof assess> | undefined;
  for (let mag = 5.5; mag <= 8.3; mag += 0.2) {
    const r = assess({ lon: 103.4, lat: 31.0, depthKm: 14, magnitude: mag, strikeDeg: 229 }, x);
    if (prev) {
      const p = prev;
      const label = `M${mag.toFixed(1)}`;
      assert.ok(r.epicentralIntensity >= p.epicentralIntensity, label);
      assert.ok(r.maxIntensity >= p.maxIntensity, label);
      assert.ok(r.deaths.median >= p.deaths.median, label);
      assert.ok(r.injuries.median >= p.injuries.median, label);
      assert.ok(r.economicLossCny.median >= p.economicLossCny.median, label);
      assert.ok(r.pager.deaths.median >= p.pager.deaths.median, label);
      for (const k of Object.keys(r.areaKm2ByIntensity) as (keyof typeof r.areaKm2ByIntensity)[]) {
        assert.ok(r.areaKm2ByIntensity[k] >= p.areaKm2ByIntensity[k], `${label} area ${k}`);
        assert.ok(r.exposedPopulationAtLeast[k] >= p.exposedPopulationAtLeast[k] - 1e-6, `${label} pop ${k}`);
      }
      for (let s = 1; s < 5; s++) {
        const ex = (v: number[]): number => v.slice(s).reduce((a, b) => a + b, 0);
        assert.ok(ex(r.buildingsByDamageState) >= ex(p.buildingsByDamageState) - 1e-6, `${label} ds${s}`);
      }
    }
    prev = r;
  }
});

test('attenuation region: caller first, then the province of the nearest exposure row, then longitude', () => {
  const x = syntheticExposure({ lon: 110, lat: 35, count: 100, halfSizeDeg: 0.1, grid: 1 });
  x.regions[0].code = '610100'; // 陕西 → east, although the longitude rule would also say east
  assert.equal(resolveAttenuationRegion({ lon: 110, lat: 35, depthKm: 10, magnitude: 6 }, x), 'east');
  x.regions[0].code = '620100'; // 甘肃 → west
  assert.equal(resolveAttenuationRegion({ lon: 110, lat: 35, depthKm: 10, magnitude: 6 }, x), 'west');
  assert.equal(resolveAttenuationRegion({ lon: 110, lat: 35, depthKm: 10, magnitude: 6 }, x, { region: 'east' }), 'east');
  assert.equal(resolveAttenuationRegion({ lon: 100, lat: 20, depthKm: 10, magnitude: 6 }, x), 'west');
});

test('night-time events hit night occupants', () => {
  const x = syntheticExposure({ lon: luding.lon, lat: luding.lat, count: 5_000, halfSizeDeg: 1, grid: 2 });
  const day = assess(luding, x);
  const night = assess({ ...luding, time: '2022-09-04T16:00:00Z' }, x);
  assert.equal(night.occupancy, 'night');
  assert.ok(night.deaths.median > day.deaths.median); // synthetic night occupancy is 2.25× day
  assert.equal(night.pager.deaths.median, day.pager.deaths.median); // PAGER uses residents, not occupants
});
