import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../assess/synthetic.ts';
import type { IntensityRegion, QuakeEvent } from '../types.ts';
import { fillIntensity, intensityAtLonLat, KM_PER_DEG, prepareIntensityModel, ruptureLengthKm } from './attenuation.ts';
import { intensityGuide } from './intensity-guide.ts';

test('the guided field equals the binary search bit for bit, wherever the point and whatever the event', () => {
  const rnd = mulberry32(17);
  const events: [QuakeEvent, IntensityRegion][] = [];
  for (const magnitude of [3.5, 4.8, 6.0, 6.8, 7.4, 7.6, 8.0, 8.6, 9.5]) {
    events.push([{ lon: 103.4, lat: 31, depthKm: 14, magnitude, strikeDeg: 229 }, 'west']);
    events.push([{ lon: 116.2, lat: 39.6, depthKm: 10, magnitude, strikeDeg: 40 }, 'east']);
    events.push([{ lon: 102.1, lat: 29.6, depthKm: 16, magnitude }, 'west']); // no strike: circles
  }
  const n = 40_000;
  const lon = new Float64Array(n), lat = new Float64Array(n), out = new Float32Array(n);
  for (const [event, region] of events) {
    const m = prepareIntensityModel(event, region);
    const kx = KM_PER_DEG * Math.cos((event.lat * Math.PI) / 180);
    const half = ruptureLengthKm(event.magnitude) / 2;
    for (let i = 0; i < n; i++) {
      // Distances from metres to thousands of km, denser near the source; some on the rupture line.
      const r = i % 10 === 0 ? half * (2 * rnd() - 1) : 3000 * rnd() ** 4;
      const a = i % 10 === 0 ? ((event.strikeDeg ?? 0) * Math.PI) / 180 : 2 * Math.PI * rnd();
      lon[i] = event.lon + (r * Math.sin(a)) / kx;
      lat[i] = event.lat + (r * Math.cos(a)) / KM_PER_DEG;
    }
    lon[0] = event.lon; lat[0] = event.lat;
    lon[1] = NaN; lat[2] = Infinity; lon[3] = -Infinity;
    fillIntensity(m, lon, lat, 0, n, out);
    let max = 0;
    for (let i = 0; i < n; i++) {
      const expected = Math.fround(intensityAtLonLat(m, lon[i], lat[i]));
      if (!Object.is(out[i], expected)) assert.fail(`M${event.magnitude} ${region} row ${i} (${lon[i]}, ${lat[i]}): ${out[i]} vs ${expected}`);
      if (out[i] > max) max = out[i];
    }
    assert.equal(max, Math.fround(m.epicentral), `M${event.magnitude}: the epicentre gets the epicentral intensity`);
    const g = intensityGuide(m);
    assert.ok(g.nx > 0 && g.ny > 0 && g.nx <= 1024 && g.ny <= 1024, `M${event.magnitude}: guide of ${g.nx} × ${g.ny} cells`);
  }
});

test('a sub-range is written from out[0]', () => {
  const event: QuakeEvent = { lon: 103.4, lat: 31, depthKm: 14, magnitude: 7, strikeDeg: 229 };
  const m = prepareIntensityModel(event, 'west');
  const lon = Float64Array.from({ length: 100 }, (_, i) => 103 + i * 0.01), lat = new Float64Array(100).fill(31.1);
  const out = new Float32Array(10);
  fillIntensity(m, lon, lat, 40, 50, out);
  for (let i = 0; i < 10; i++) assert.equal(out[i], Math.fround(intensityAtLonLat(m, lon[40 + i], lat[40 + i])));
});
