import { DPM_MIN_INTENSITY, DPM_NODES, DPM_TABLE } from '../damage/dpm.ts';
import { CASUALTY_RATES } from '../consequence/casualties.ts';
import { LOSS_RATIOS } from '../consequence/loss.ts';
import { DAMAGE_STATES, STRUCTURE_CLASSES } from '../types.ts';

const NS = DAMAGE_STATES.length;
/** Per node: P(ds)×5, expected death rate, expected injury rate, mean loss ratio. */
export const K_FIELDS = NS + 3;
export const K_DEATH = NS, K_INJURY = NS + 1, K_LOSS = NS + 2;

/**
 * Everything a row needs, pre-multiplied per class and integer intensity. Death, injury and
 * loss are linear in the damage probabilities, and those are linear in intensity between
 * nodes, so interpolating these expectations is exact and saves three dot products per row.
 */
export const KERNEL: Float64Array = (() => {
  const t = new Float64Array(STRUCTURE_CLASSES.length * DPM_NODES * K_FIELDS);
  for (let c = 0; c < STRUCTURE_CLASSES.length; c++) {
    for (let k = 0; k < DPM_NODES; k++) {
      const p = (c * DPM_NODES + k) * NS;
      const o = (c * DPM_NODES + k) * K_FIELDS;
      let d = 0, j = 0, l = 0;
      for (let s = 0; s < NS; s++) {
        t[o + s] = DPM_TABLE[p + s];
        d += DPM_TABLE[p + s] * CASUALTY_RATES[c].death[s];
        j += DPM_TABLE[p + s] * CASUALTY_RATES[c].injury[s];
        l += DPM_TABLE[p + s] * LOSS_RATIOS[s];
      }
      t[o + K_DEATH] = d; t[o + K_INJURY] = j; t[o + K_LOSS] = l;
    }
  }
  return t;
})();
export const KERNEL_MIN_INTENSITY = DPM_MIN_INTENSITY;
export const KERNEL_NODES = DPM_NODES;
