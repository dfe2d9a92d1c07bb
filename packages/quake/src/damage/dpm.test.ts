import assert from 'node:assert/strict';
import { test } from 'node:test';
import { damageProbabilities, exceedanceProbability, meanDamageIndex } from './dpm.ts';
import { STRUCTURE_CLASSES } from '../types.ts';

test('damage-state probabilities sum to 1 at any continuous intensity, and are clamped outside the table', () => {
  for (let c = 0; c < STRUCTURE_CLASSES.length; c++) {
    for (let i = 0; i <= 13; i += 0.05) {
      const p = damageProbabilities(c, i);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      for (const v of p) assert.ok(v >= 0);
    }
    assert.deepEqual(Array.from(damageProbabilities(c, 2)), [1, 0, 0, 0, 0]);
    assert.deepEqual(damageProbabilities(c, 13), damageProbabilities(c, 12));
  }
});

test('damage is monotonic: P(≥ds) never decreases with intensity, for every class and state', () => {
  for (let c = 0; c < STRUCTURE_CLASSES.length; c++) {
    for (let ds = 1; ds <= 4; ds++) {
      let prev = -1;
      for (let i = 3; i <= 12.5; i += 0.01) {
        const e = exceedanceProbability(c, i, ds);
        assert.ok(e >= prev - 1e-12, `${STRUCTURE_CLASSES[c]} ds${ds} I${i.toFixed(2)}`);
        prev = e;
      }
    }
  }
});

// A2 (timber frame, 穿斗木构架) and B (unreinforced masonry) swap order above VIII in GB/T 17742-2020,
// so only the orders that hold at every intensity are asserted.
test('classes are ordered by vulnerability: A1 ≥ A2, A1 ≥ B ≥ C ≥ D ≥ E in mean damage index', () => {
  const pairs: [string, string][] = [['A1', 'A2'], ['A1', 'B'], ['B', 'C'], ['C', 'D'], ['D', 'E']];
  for (let i = 5; i <= 12; i += 0.25) {
    for (const [hi, lo] of pairs) {
      const h = meanDamageIndex(STRUCTURE_CLASSES.indexOf(hi as 'A1'), i);
      const l = meanDamageIndex(STRUCTURE_CLASSES.indexOf(lo as 'A1'), i);
      assert.ok(l <= h + 1e-12, `${lo} above ${hi} at ${i}`);
    }
  }
});
