import lr from '../../data/models/loss-ratios.json' with { type: 'json' };
import { DAMAGE_STATES } from '../types.ts';

/** Repair cost / replacement value per damage state (Hazus RES1 fallback, see data file). */
export const LOSS_RATIOS: Float64Array = Float64Array.from(lr.lossRatio);
/** Log standard deviation of the mean loss ratio given the damage state (model uncertainty, see data file). */
export const LOSS_BETA: number = lr.lossBeta;
if (LOSS_RATIOS.length !== DAMAGE_STATES.length) throw new Error('loss-ratios.json: one ratio per damage state');

/** Σ_ds P(ds)·lossRatio(ds). */
export function meanLossRatio(probabilities: ArrayLike<number>): number {
  let sum = 0;
  for (let s = 0; s < LOSS_RATIOS.length; s++) sum += probabilities[s] * LOSS_RATIOS[s];
  return sum;
}

/** Economic loss of one asset: value × Σ_ds P(ds)·lossRatio(ds). */
export function economicLoss(valueCny: number, probabilities: ArrayLike<number>): number {
  return valueCny * meanLossRatio(probabilities);
}
