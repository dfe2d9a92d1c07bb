import table from '../../data/models/east-west.json' with { type: 'json' };
import type { IntensityRegion } from '../types.ts';

const WEST: Record<string, string> = table.west;
const SPLIT: Record<string, string> = table.split;

/**
 * Which attenuation coefficient set applies to an epicentre. The province (2-digit GB/T 2260
 * prefix, or any longer code) decides when known, because the split follows provinces in the
 * data table; provinces marked "split" and unknown provinces fall back to the longitude line.
 */
export function attenuationRegion(lon: number, provinceCode?: string): IntensityRegion {
  const p = provinceCode?.slice(0, 2);
  if (p && p.length === 2 && !(p in SPLIT)) return p in WEST ? 'west' : 'east';
  return lon < table.splitLongitude ? 'west' : 'east';
}
