import dm from '../../data/models/damage-matrix.json' with { type: 'json' };
import { DAMAGE_STATES, STRUCTURE_CLASSES } from '../types.ts';

const NS = DAMAGE_STATES.length;
/** Intensity of the first table row; below it every building is undamaged. */
export const DPM_MIN_INTENSITY = dm.intensities[0];
export const DPM_MAX_INTENSITY = dm.intensities[dm.intensities.length - 1];
export const DPM_NODES = dm.intensities.length;

/** Flat [class][intensity node][damage state] table, validated once at load. */
export const DPM_TABLE: Float64Array = (() => {
  const t = new Float64Array(STRUCTURE_CLASSES.length * DPM_NODES * NS);
  dm.intensities.forEach((v, k) => {
    if (v !== DPM_MIN_INTENSITY + k) throw new Error('damage-matrix.json: intensities must be consecutive integers');
  });
  STRUCTURE_CLASSES.forEach((cls, c) => {
    const rows = (dm.classes as Record<string, number[][]>)[cls];
    if (!rows || rows.length !== DPM_NODES) throw new Error(`damage-matrix.json: class ${cls} needs ${DPM_NODES} rows`);
    rows.forEach((row, k) => {
      const sum = row.reduce((a, b) => a + b, 0);
      if (row.length !== NS || Math.abs(sum - 1) > 1e-9) throw new Error(`damage-matrix.json: ${cls} row ${k} must have ${NS} probabilities summing to 1`);
      t.set(row, (c * DPM_NODES + k) * NS);
    });
  });
  return t;
})();

/** Node index and weight of the upper node for a continuous intensity, clamped to the table. */
export function dpmPosition(intensity: number): { k: number; t: number } {
  const x = Math.min(Math.max(intensity, DPM_MIN_INTENSITY), DPM_MAX_INTENSITY) - DPM_MIN_INTENSITY;
  const k = Math.min(Math.floor(x), DPM_NODES - 2);
  return { k, t: x - k };
}

/**
 * Damage-state probabilities of one structure class at a continuous intensity: linear
 * interpolation between integer rows, which keeps rows summing to 1 and keeps the
 * exceedance probabilities monotonic because both neighbouring rows are.
 */
export function damageProbabilities(classIndex: number, intensity: number, out: Float64Array = new Float64Array(NS)): Float64Array {
  const { k, t } = dpmPosition(intensity);
  const o = (classIndex * DPM_NODES + k) * NS;
  for (let s = 0; s < NS; s++) out[s] = (1 - t) * DPM_TABLE[o + s] + t * DPM_TABLE[o + NS + s];
  return out;
}

/** P(damage ≥ state) for state index 1..4 (0 gives 1). */
export function exceedanceProbability(classIndex: number, intensity: number, stateIndex: number): number {
  const p = damageProbabilities(classIndex, intensity);
  let sum = 0;
  for (let s = stateIndex; s < NS; s++) sum += p[s];
  return sum;
}

/** Mean damage index Σ P(ds)·d(ds), d = [0, 0.2, 0.4, 0.7, 1.0], for checks against GB/T 17742. */
export function meanDamageIndex(classIndex: number, intensity: number): number {
  const p = damageProbabilities(classIndex, intensity);
  let sum = 0;
  for (let s = 0; s < NS; s++) sum += p[s] * dm.damageIndex[s];
  return sum;
}
