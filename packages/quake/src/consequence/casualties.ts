import cr from '../../data/models/casualty-rates.json' with { type: 'json' };
import { DAMAGE_STATES, STRUCTURE_CLASSES } from '../types.ts';

export type OccupancyPeriod = 'day' | 'night';
/** Log standard deviations of the casualty rates given the damage state (model uncertainty, see data file). */
export const DEATHS_BETA: number = cr.uncertainty.deathsBeta;
export const INJURIES_BETA: number = cr.uncertainty.injuriesBeta;

type Rates = Record<(typeof DAMAGE_STATES)[number] | 'collapse', number>;

/**
 * Occupancy period from the event time, read in Asia/Shanghai (UTC+8 all year, no DST, so a
 * fixed offset is exact): day in [08:00, 20:00). No or unparsable time → night, the case with
 * most people indoors.
 */
export function occupancyPeriod(time?: string): OccupancyPeriod {
  if (!time) return 'night';
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return 'night';
  const hour = new Date(ms + cr.utcOffsetHours * 3600_000).getUTCHours();
  return hour >= cr.dayStartHour && hour < cr.dayEndHour ? 'day' : 'night';
}

/**
 * Expected death and injury rate of occupants per damage state for each class; "complete"
 * blends collapse and non-collapse with the class's collapse share.
 */
export interface ClassCasualtyRates { death: Float64Array; injury: Float64Array }

function blend(r: Rates, collapse: number): Float64Array {
  return Float64Array.from(DAMAGE_STATES, (ds) => (ds === 'complete' ? (1 - collapse) * r.complete + collapse * r.collapse : r[ds]));
}

export const CASUALTY_RATES: ClassCasualtyRates[] = STRUCTURE_CLASSES.map((cls) => {
  const c = cr.classes[cls];
  const set = cr.rates[c.rates as keyof typeof cr.rates];
  return { death: blend(set.death, c.collapseGivenComplete), injury: blend(set.injury, c.collapseGivenComplete) };
});

/** Expected deaths and injuries among `occupants` given damage-state probabilities. */
export function expectedCasualties(classIndex: number, occupants: number, probabilities: ArrayLike<number>): { deaths: number; injuries: number } {
  const r = CASUALTY_RATES[classIndex];
  let d = 0, j = 0;
  for (let s = 0; s < DAMAGE_STATES.length; s++) { d += probabilities[s] * r.death[s]; j += probabilities[s] * r.injury[s]; }
  return { deaths: occupants * d, injuries: occupants * j };
}
