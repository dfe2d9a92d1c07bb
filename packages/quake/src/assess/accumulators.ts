import { PAGER_MAX_BIN } from '../consequence/pager.ts';

/**
 * Per-region fields, in this order, at region·REGION_FIELDS. Damage states take the first five.
 * The _LO / _HI fields are the same sums with the whole intensity field lowered / raised by one
 * standard deviation of the attenuation relation (the range of the result).
 */
export const F_DEATHS = 5, F_INJURIES = 6, F_LOSS = 7, F_POPULATION = 8, F_EXPOSED = 9, F_ROWS = 10;
export const F_DEATHS_LO = 11, F_DEATHS_HI = 12, F_INJURIES_LO = 13, F_INJURIES_HI = 14, F_LOSS_LO = 15, F_LOSS_HI = 16;
export const REGION_FIELDS = 17;
/** Integer intensity bands VI..XII reported for exposed population. */
export const BAND_MIN = 6, BAND_COUNT = 7;

/**
 * Partial sums of one row range. Everything is a typed array so a worker can transfer it
 * back and the merge is an element-wise sum (max for intensities).
 */
export interface AssessAccumulators {
  region: Float64Array;              // regionCount × REGION_FIELDS
  regionMaxIntensity: Float32Array;  // max over rows of each region
  bandPopulation: Float64Array;      // population whose floor(I) is BAND_MIN + k
  pagerPopulation: Float64Array;     // population by PAGER bin (rounded intensity), 0..PAGER_MAX_BIN
}

export function createAccumulators(regionCount: number): AssessAccumulators {
  return {
    region: new Float64Array(regionCount * REGION_FIELDS),
    regionMaxIntensity: new Float32Array(regionCount),
    bandPopulation: new Float64Array(BAND_COUNT),
    pagerPopulation: new Float64Array(PAGER_MAX_BIN + 1),
  };
}

/** Adds `from` into `into` (order-independent, so worker results can merge as they arrive). */
export function mergeAccumulators(into: AssessAccumulators, from: AssessAccumulators): AssessAccumulators {
  if (into.region.length !== from.region.length) throw new Error('mergeAccumulators: different region counts');
  for (let i = 0; i < from.region.length; i++) into.region[i] += from.region[i];
  for (let i = 0; i < from.regionMaxIntensity.length; i++) if (from.regionMaxIntensity[i] > into.regionMaxIntensity[i]) into.regionMaxIntensity[i] = from.regionMaxIntensity[i];
  for (let i = 0; i < from.bandPopulation.length; i++) into.bandPopulation[i] += from.bandPopulation[i];
  for (let i = 0; i < from.pagerPopulation.length; i++) into.pagerPopulation[i] += from.pagerPopulation[i];
  return into;
}
