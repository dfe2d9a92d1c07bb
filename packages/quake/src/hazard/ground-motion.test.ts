import assert from 'node:assert/strict';
import { test } from 'node:test';
import gm from '../../data/models/ground-motion.json' with { type: 'json' };
import { instrumentalIntensity, intensityFromPga, intensityFromPgv, pgaFromIntensity, pgvFromIntensity } from './ground-motion.ts';

test('GB/T 17742-2020 table values round-trip: central PGA/PGV give the integer intensity ± 0.1', () => {
  for (const [key, row] of Object.entries(gm.table)) {
    const i = Number(key);
    assert.ok(Math.abs(intensityFromPga(row.pga) - i) <= 0.1, `PGA ${row.pga} → ${intensityFromPga(row.pga)}`);
    assert.ok(Math.abs(intensityFromPgv(row.pgv) - i) <= 0.1, `PGV ${row.pgv} → ${intensityFromPgv(row.pgv)}`);
    assert.ok(Math.abs(pgaFromIntensity(i) / row.pga - 1) < 0.02);
    assert.ok(Math.abs(pgvFromIntensity(i) / row.pgv - 1) < 0.02);
    // Range bounds sit half a degree either side.
    assert.ok(Math.abs(intensityFromPga(row.pgaRange[0]) - (i - 0.5)) < 0.02);
    assert.ok(Math.abs(intensityFromPga(row.pgaRange[1]) - (i + 0.5)) < 0.02);
    assert.ok(Math.abs(instrumentalIntensity(row.pga, row.pgv) - i) <= 0.1);
  }
});

test('PGA 1.35 m/s² is VII; inverse functions invert', () => {
  assert.ok(Math.abs(intensityFromPga(1.35) - 7) < 0.1);
  for (let i = 1; i <= 12; i += 0.37) {
    assert.ok(Math.abs(intensityFromPga(pgaFromIntensity(i)) - i) < 1e-9);
    assert.ok(Math.abs(intensityFromPgv(pgvFromIntensity(i)) - i) < 1e-9);
  }
});

test('instrumental intensity uses PGV above VI, the mean below, and clamps to [1, 12]', () => {
  assert.equal(instrumentalIntensity(pgaFromIntensity(8.4), pgvFromIntensity(7.2)), 7.2);
  assert.equal(instrumentalIntensity(pgaFromIntensity(5), pgvFromIntensity(4)), 4.5);
  assert.equal(instrumentalIntensity(1e-9, 1e-9), 1);
  assert.equal(instrumentalIntensity(1e4, 1e3), 12);
});
