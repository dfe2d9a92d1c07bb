import { isoseismalAxes } from './hazard/attenuation.ts';
import type { QuakeEvent } from './types.ts';

/**
 * How far from the epicentre exposure must be read: beyond the intensity-V isoseismal nothing is
 * damaged, so rows past it only cost time. The margin covers the rupture line and the equal-area
 * circle used when no strike is known.
 */
export function exposureRadiusKm(event: QuakeEvent): number {
  const shape = isoseismalAxes(event, 5);
  return Math.min(2000, Math.max(shape.aKm, shape.bKm) + shape.halfLengthKm + 50);
}
