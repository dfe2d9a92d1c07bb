import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  epicentralIntensity, intensityAtLonLat, intensityAtOffset, intensityField, isoseismalAreaKm2, isoseismalAxes,
  KM_PER_DEG, prepareIntensityModel, ruptureLengthKm,
} from './attenuation.ts';
import { attenuationRegion } from './region.ts';
import type { QuakeEvent } from '../types.ts';

const luding: QuakeEvent = { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, strikeDeg: 165 };
const great: QuakeEvent = { lon: 103.4, lat: 31.0, depthKm: 14, magnitude: 8.0, strikeDeg: 229 };

test('intensity never increases with distance along any bearing (point source, rupture, circle)', () => {
  for (const ev of [luding, great, { ...luding, strikeDeg: undefined }, { ...great, strikeDeg: undefined }]) {
    for (const region of ['east', 'west'] as const) {
      const m = prepareIntensityModel(ev, region);
      for (let bearing = 0; bearing < 360; bearing += 7.5) {
        const b = (bearing * Math.PI) / 180;
        let prev = Infinity;
        for (let d = 0; d <= 800; d += 0.5) {
          const i = intensityAtOffset(m, d * Math.cos(b), d * Math.sin(b));
          assert.ok(i <= prev + 1e-9, `${region} M${ev.magnitude} bearing ${bearing} d ${d}: ${i} > ${prev}`);
          prev = i;
        }
      }
    }
  }
});

test('the long axis follows the strike: 50 km along strike is stronger than 50 km across', () => {
  for (const strike of [0, 40, 165, 300]) {
    const ev = { ...luding, strikeDeg: strike };
    const m = prepareIntensityModel(ev, 'west');
    const s = (strike * Math.PI) / 180;
    const kx = KM_PER_DEG * Math.cos((ev.lat * Math.PI) / 180);
    const along = intensityAtLonLat(m, ev.lon + (50 * Math.sin(s)) / kx, ev.lat + (50 * Math.cos(s)) / KM_PER_DEG);
    const across = intensityAtLonLat(m, ev.lon + (50 * Math.cos(s)) / kx, ev.lat - (50 * Math.sin(s)) / KM_PER_DEG);
    assert.ok(along > across + 0.2, `strike ${strike}: along ${along} across ${across}`);
  }
});

test('the field is on the isoseismal: a point at a(I) along strike has intensity I', () => {
  const m = prepareIntensityModel(luding, 'west');
  for (const i of [6, 7, 8, 9]) {
    const { aKm, bKm } = isoseismalAxes(luding, i, 'west');
    assert.ok(Math.abs(intensityAtOffset(m, aKm, 0) - i) < 0.02);
    assert.ok(Math.abs(intensityAtOffset(m, 0, bKm) - i) < 0.02);
    assert.ok(bKm <= aKm);
  }
});

test('epicentral intensity is reached at the epicentre and capped at XII', () => {
  const m = prepareIntensityModel(luding, 'west');
  assert.equal(intensityAtOffset(m, 0, 0), epicentralIntensity(luding, 'west'));
  assert.ok(epicentralIntensity({ ...great, magnitude: 9.5 }, 'east') <= 12);
  const big = prepareIntensityModel({ ...great, magnitude: 9.5 }, 'east');
  assert.ok(intensityAtOffset(big, 5, 5) <= 12);
});

test('great earthquakes: intensity is flat along the rupture line, whose length follows Wells & Coppersmith', () => {
  const l = ruptureLengthKm(8.0);
  assert.ok(l > 190 && l < 210, String(l)); // log10 SRL = -3.22 + 0.69·(0.99·8 + 0.08)
  assert.equal(ruptureLengthKm(7.4), 0);
  const m = prepareIntensityModel(great, 'west');
  assert.equal(intensityAtOffset(m, l / 2 - 1, 0), m.epicentral);
  assert.ok(intensityAtOffset(m, l / 2 + 30, 0) < m.epicentral);
});

test('a bigger magnitude never lowers intensity anywhere (including across M 7.5)', () => {
  const lon = new Float64Array(4000), lat = new Float64Array(4000);
  for (let i = 0; i < lon.length; i++) { lon[i] = 99 + ((i * 7919) % 4000) / 500; lat[i] = 27 + ((i * 104729) % 4000) / 500; }
  let prev: Float32Array | undefined;
  for (let mag = 5; mag <= 8.5; mag += 0.1) {
    const out = new Float32Array(lon.length);
    intensityField({ ...great, magnitude: mag }, lon, lat, out, 'west');
    if (prev) for (let i = 0; i < out.length; i++) assert.ok(out[i] >= prev[i] - 1e-6, `M${mag.toFixed(1)} row ${i}`);
    prev = out;
  }
});

test('vectorised field equals the scalar function', () => {
  const lon = Float64Array.from({ length: 100 }, (_, i) => 101 + i * 0.03);
  const lat = Float64Array.from({ length: 100 }, (_, i) => 29 + i * 0.01);
  const out = new Float32Array(100);
  intensityField(luding, lon, lat, out, 'west');
  const m = prepareIntensityModel(luding, 'west');
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(out[i] - intensityAtLonLat(m, lon[i], lat[i])) < 1e-5);
});

test('east/west: province table first, longitude for 内蒙古 and unknown provinces', () => {
  assert.equal(attenuationRegion(102, '513322'), 'west');
  assert.equal(attenuationRegion(118, '130200'), 'east');
  assert.equal(attenuationRegion(100, '150000'), 'west');
  assert.equal(attenuationRegion(115, '15'), 'east');
  assert.equal(attenuationRegion(95), 'west');
  assert.equal(attenuationRegion(120), 'east');
});

// Calibration, physically checkable items only (no synthetic exposure): epicentral intensity and
// VI+ area. Observed values from /work/shared/docs/quake-models.md §5. Strikes are the mapped
// causative faults (龙门山 NE, 甘孜-玉树 WNW, 龙门山南段 NE, 鲜水河 NNW), approximate.
const calibration = [
  { name: '2008 汶川 Wenchuan', ev: { lon: 103.4, lat: 31.0, depthKm: 14, magnitude: 8.0, strikeDeg: 229 }, maxI: 11, area: 440442 },
  { name: '2010 玉树 Yushu', ev: { lon: 96.7, lat: 33.1, depthKm: 14, magnitude: 7.1, strikeDeg: 300 }, maxI: 9, area: undefined },
  { name: '2013 芦山 Lushan', ev: { lon: 103.0, lat: 30.3, depthKm: 13, magnitude: 7.0, strikeDeg: 212 }, maxI: 9, area: 18700 },
  { name: '2022 泸定 Luding', ev: { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, strikeDeg: 165 }, maxI: 9, area: 19089 },
];

test('calibration: epicentral intensity within ±1 degree and VI+ area within 0.5–2× of observed', () => {
  const lines = ['event | Ms | region | I0 pred | I0 obs | VI+ km² pred | VI+ km² obs | ratio | point-source ratio'];
  for (const c of calibration) {
    const region = attenuationRegion(c.ev.lon, '51');
    const i0 = epicentralIntensity(c.ev, region);
    const shape = isoseismalAxes(c.ev, 6, region);
    const area = isoseismalAreaKm2(shape);
    const point = isoseismalAreaKm2({ ...shape, halfLengthKm: 0 });
    assert.ok(Math.abs(i0 - c.maxI) <= 1, `${c.name}: I0 ${i0}`);
    if (c.area) {
      assert.ok(area / c.area >= 0.5 && area / c.area <= 2, `${c.name}: ratio ${area / c.area}`);
      assert.ok(Math.abs(Math.log(area / c.area)) <= Math.abs(Math.log(point / c.area)) + 1e-12);
    }
    lines.push([c.name, c.ev.magnitude, region, i0.toFixed(2), c.maxI, Math.round(area), c.area ?? '—',
      c.area ? (area / c.area).toFixed(2) : '—', c.area ? (point / c.area).toFixed(2) : '—'].join(' | '));
  }
  console.log(lines.join('\n'));
});
