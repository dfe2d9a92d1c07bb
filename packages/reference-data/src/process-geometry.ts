/**
 * The whole geometry pipeline shared by the reference-data build and by a bureau's import:
 * datum transform and grid rounding, border harmonisation (reference data only), repair of
 * regions stored as touching or overlapping pieces, then shared-border simplification to the
 * three detail levels.
 */
import { cleanMultiPolygon, type PositionTransform } from './clean.ts';
import { dissolve, hasInternalEdges } from './dissolve.ts';
import type { MultiPolygonCoords } from './geometry.ts';
import { harmonizeSharedBorders } from './harmonize.ts';
import { simplifyToLevels, type LeveledGeometry, type SimplifyReport } from './levels.ts';
import { makeValid } from './make-valid.ts';
import { findInvalidRings } from './ring-validity.ts';

export interface ProcessReport extends SimplifyReport {
  harmonizedStretches: number;
  /** Features rebuilt because their pieces shared edges, touched themselves or overlapped. */
  dissolved: number;
  /** Of those, features whose pieces overlapped or crossed and needed a full union. */
  unioned: number;
  /** Features that had no polygon left after cleaning (all rings degenerate). */
  empty: number[];
}

export interface ProcessedGeometry {
  levels: LeveledGeometry;
  /** Cleaned, unsimplified outline, e.g. for centroids. */
  full: MultiPolygonCoords;
}

/**
 * Cheap dissolve first (pieces that share edges); the full union only when pieces still cross or
 * overlap. Whatever cannot be repaired is returned unchanged and shows up as an invalid source.
 */
export function repairFeature(coords: MultiPolygonCoords): { coords: MultiPolygonCoords; repair: 'none' | 'dissolve' | 'union' } {
  if (!hasInternalEdges(coords) && findInvalidRings(coords.flat()).size === 0) return { coords, repair: 'none' };
  const merged = dissolve(coords);
  if (merged.length > 0 && findInvalidRings(merged.flat()).size === 0) return { coords: merged, repair: 'dissolve' };
  const union = makeValid(coords);
  if (union.length > 0 && findInvalidRings(union.flat()).size === 0) return { coords: union, repair: 'union' };
  return merged.length > 0 ? { coords: merged, repair: 'dissolve' } : { coords, repair: 'none' };
}

export interface ProcessOptions {
  transform?: PositionTransform;
  /**
   * Give neighbours the same border vertices where they nearly match (harmonize.ts). Right for
   * the separately simplified reference data; off for official data, which must not move.
   */
  harmonize?: boolean;
  onStage?: (stage: string) => void;
}

export function processGeometries(
  raw: MultiPolygonCoords[],
  { transform, harmonize = false, onStage = () => {} }: ProcessOptions = {},
): { geometries: ProcessedGeometry[]; report: ProcessReport } {
  onStage('cleaning');
  const cleaned = raw.map((coords) => cleanMultiPolygon(coords, transform));
  onStage('matching shared borders');
  const harmonizedStretches = harmonize ? harmonizeSharedBorders(cleaned) : 0;
  onStage('repairing');
  let dissolved = 0;
  let unioned = 0;
  const repaired = cleaned.map((coords) => {
    const result = repairFeature(coords);
    if (result.repair !== 'none') dissolved++;
    if (result.repair === 'union') unioned++;
    return result.coords;
  });
  onStage('simplifying');
  const { geometries, report } = simplifyToLevels(repaired);
  const empty = repaired.flatMap((coords, i) => (coords.length === 0 ? [i] : []));
  return {
    geometries: geometries.map((levels, i) => ({ levels, full: repaired[i] })),
    report: { ...report, harmonizedStretches, dissolved, unioned, empty },
  };
}
