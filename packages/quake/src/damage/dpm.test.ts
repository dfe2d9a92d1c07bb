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

// Mean damage index ranges of GB/T 17742-2020 per class and intensity (see data/models/README.md:
// lower bounds and most upper bounds cross-checked against an independent public transcription).
const GBT_MDI: Record<string, Record<number, [number, number]>> = {
  A1: { 6: [0.02, 0.17], 7: [0.15, 0.44], 8: [0.42, 0.62], 9: [0.6, 0.9], 10: [0.88, 1] },
  A2: { 6: [0.01, 0.13], 7: [0.11, 0.31], 8: [0.29, 0.46], 9: [0.44, 0.62], 10: [0.6, 0.84] },
  B: { 6: [0, 0.11], 7: [0.09, 0.27], 8: [0.25, 0.5], 9: [0.48, 0.69], 10: [0.67, 0.91] },
  C: { 6: [0, 0.06], 7: [0.05, 0.18], 8: [0.16, 0.35], 9: [0.33, 0.54], 10: [0.52, 0.84] },
  D: { 6: [0, 0.04], 7: [0.04, 0.16], 8: [0.14, 0.27], 9: [0.25, 0.5], 10: [0.46, 0.84] },
};

test('GB/T 17742-2020 classes: the mean damage index of every row VI–X lies in the standard’s range', () => {
  for (const [cls, rows] of Object.entries(GBT_MDI)) {
    for (const [i, [lo, hi]] of Object.entries(rows)) {
      const mdi = meanDamageIndex(STRUCTURE_CLASSES.indexOf(cls as 'A1'), Number(i));
      assert.ok(mdi >= lo - 1e-9 && mdi <= hi + 1e-9, `${cls} at ${i}: MDI ${mdi.toFixed(3)} outside ${lo}–${hi}`);
    }
  }
});

test('class E (designed for VIII) is class D (designed for VII) one degree lower', () => {
  const d = STRUCTURE_CLASSES.indexOf('D'), e = STRUCTURE_CLASSES.indexOf('E');
  for (let i = 5; i <= 12; i += 0.1) assert.deepEqual(Array.from(damageProbabilities(e, i)).map((v) => v.toFixed(9)), Array.from(damageProbabilities(d, i - 1)).map((v) => v.toFixed(9)), `I ${i.toFixed(1)}`);
});
