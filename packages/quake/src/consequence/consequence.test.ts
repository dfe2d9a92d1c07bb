import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CASUALTY_RATES, expectedCasualties, occupancyPeriod } from './casualties.ts';
import { LOSS_RATIOS, economicLoss } from './loss.ts';
import { normalCdf, pagerAlert, pagerBin, pagerDeaths, pagerFatalityRate, pagerRange } from './pager.ts';
import { intensityRange } from './range.ts';

test('Φ matches reference values to 1e-7', () => {
  const ref: [number, number][] = [
    [0, 0.5], [1, 0.8413447460685429], [-1, 0.15865525393145707], [-1.96, 0.024997895148220435],
    [2.5, 0.9937903346742238], [-3, 0.0013498980316301035], [-5, 2.866515718791939e-7], [6, 0.9999999990134123],
    [-8, 6.22096057427178e-16], [0.3, 0.6179114221889527],
  ];
  for (const [x, p] of ref) assert.ok(Math.abs(normalCdf(x) - p) < 1e-7, `Φ(${x}) = ${normalCdf(x)} ≠ ${p}`);
});

test('PAGER China: ν(θ) = 0.5, ν grows with intensity, deaths and alert bands', () => {
  assert.ok(Math.abs(pagerFatalityRate(10.328811) - 0.5) < 1e-12);
  for (let s = 2; s <= 10; s++) assert.ok(pagerFatalityRate(s) > pagerFatalityRate(s - 1));
  assert.ok(Math.abs(pagerFatalityRate(9) - 0.0842) < 0.001);
  const pop = new Float64Array(11); pop[8] = 1e5;
  assert.ok(Math.abs(pagerDeaths(pop) - 1e5 * pagerFatalityRate(8)) < 1e-9);
  assert.equal(pagerBin(9.49), 9); assert.equal(pagerBin(9.5), 10); assert.equal(pagerBin(11.7), 10);
  assert.equal(pagerAlert(0), 'green'); assert.equal(pagerAlert(0.9), 'green'); assert.equal(pagerAlert(1), 'yellow');
  assert.equal(pagerAlert(99), 'yellow'); assert.equal(pagerAlert(100), 'orange'); assert.equal(pagerAlert(999), 'orange');
  assert.equal(pagerAlert(1000), 'red');
});

test('occupancy period follows Asia/Shanghai local time: day in [08:00, 20:00)', () => {
  assert.equal(occupancyPeriod('2008-05-12T06:28:01Z'), 'day');   // 14:28 Beijing time
  assert.equal(occupancyPeriod('2010-04-13T23:49:00Z'), 'night'); // 07:49
  assert.equal(occupancyPeriod('2013-04-20T00:02:00Z'), 'day');   // 08:02
  assert.equal(occupancyPeriod('2022-09-05T12:00:00Z'), 'night'); // 20:00
  assert.equal(occupancyPeriod('2022-09-05T12:52:00+08:00'), 'day');
  assert.equal(occupancyPeriod(undefined), 'night');
});

test('casualty and loss rates never decrease with damage state', () => {
  for (const r of CASUALTY_RATES) for (let s = 1; s < 5; s++) { assert.ok(r.death[s] >= r.death[s - 1]); assert.ok(r.injury[s] >= r.injury[s - 1]); }
  for (let s = 1; s < 5; s++) assert.ok(LOSS_RATIOS[s] >= LOSS_RATIOS[s - 1]);
  assert.equal(economicLoss(1e6, [0, 0, 0, 0, 1]), 1e6);
  const c = expectedCasualties(0, 1000, [0, 0, 0, 0, 1]);
  assert.ok(Math.abs(c.deaths - 1000 * (0.85 * 0.0002 + 0.15 * 0.1)) < 1e-9);
});

test('PAGER deaths as losspager computes them: MMI 5–9 only, the top bin (X) at the rate of IX', () => {
  const pop = new Float64Array(11);
  pop[4] = 1e6; // below V: no deaths in PAGER
  assert.equal(pagerDeaths(pop), 0);
  pop[10] = 1e4;
  assert.ok(Math.abs(pagerDeaths(pop) - 1e4 * pagerFatalityRate(9)) < 1e-9);
  pop[9] = 2e4; pop[5] = 3e5;
  assert.ok(Math.abs(pagerDeaths(pop) - (3e4 * pagerFatalityRate(9) + 3e5 * pagerFatalityRate(5))) < 1e-9);
});

test('PAGER range: lognormal with the China G (gnormvalue 2.013), smaller G below one death', () => {
  const r = pagerRange(100);
  assert.ok(Math.abs(Math.log(r.high / r.median) - 2.013134) < 1e-9 && Math.abs(Math.log(r.median / r.low) - 2.013134) < 1e-9);
  const s = pagerRange(0.5);
  assert.ok(Math.abs(Math.log(s.high / s.median) - 1.7613) < 1e-9);
});

test('intensity range: quadrature of the I ± σ spread and the model β, bracketing the median', () => {
  const r = intensityRange(100, 50, 300, 0.5);
  assert.ok(Math.abs(r.low - 100 * Math.exp(-Math.hypot(Math.log(2), 0.5))) < 1e-9);
  assert.ok(Math.abs(r.high - 100 * Math.exp(Math.hypot(Math.log(3), 0.5))) < 1e-9);
  const flat = intensityRange(100, 100, 100, 0.7); // insensitive to intensity: the model β alone
  assert.ok(Math.abs(flat.high / 100 - Math.exp(0.7)) < 1e-12 && Math.abs(100 / flat.low - Math.exp(0.7)) < 1e-12);
  assert.deepEqual(intensityRange(10, 0, 40, 0.5).low, 0); // nothing one σ down: low is zero
  const zero = intensityRange(0, 0, 2, 1);
  assert.equal(zero.median, 0); assert.equal(zero.low, 0); assert.ok(Math.abs(zero.high - 2 * Math.E) < 1e-12);
  assert.deepEqual(intensityRange(0, 0, 0, 1), { median: 0, low: 0, high: 0 });
});
