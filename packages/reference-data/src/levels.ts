/**
 * Simplifies a set of neighbouring regions to the three display detail levels at once, sharing
 * borders (see topology.ts) so adjacent regions stay seamless, and repairs any ring the
 * simplification made invalid by re-simplifying that ring's arcs at a finer tolerance.
 *
 * Tolerances are in degrees (1e-3 deg ≈ 111 m north–south, ≈ 96 m east–west at 30°N):
 * - "0" 0.02  deg (≈2 km): national / provincial overview;
 * - "1" 0.005 deg (≈500 m): prefecture and county maps;
 * - "2" 0.0005 deg (≈50 m): detailed maps and spatial queries (which county contains a point);
 *   on the reference data it already keeps ~90% of the vertices, so finer would buy little.
 * Rings smaller than tolerance² (≈4.9 km² at "0", ≈0.3 km² at "1") are dropped at the coarse
 * levels because they are invisible there; "2" keeps every ring. A region always keeps its
 * largest polygon.
 */
import { polygonArea, signedRingArea, type MultiPolygonCoords, type Position, type Ring } from './geometry.ts';
import { findInvalidSpots } from './ring-validity.ts';
import { simplifyLine } from './simplify.ts';
import { arcOfSegment, assembleRing, buildTopology, type ArcRef } from './topology.ts';

export type LevelKey = '0' | '1' | '2';
export type LeveledGeometry = Record<LevelKey, MultiPolygonCoords>;

export interface DetailLevel {
  key: LevelKey;
  tolerance: number;
  /** Rings with a smaller area (deg²) are dropped at this level. */
  minRingArea: number;
}

export const DETAIL_LEVELS: readonly DetailLevel[] = [
  { key: '0', tolerance: 0.02, minRingArea: 0.02 ** 2 },
  { key: '1', tolerance: 0.005, minRingArea: 0.005 ** 2 },
  { key: '2', tolerance: 0.0005, minRingArea: 0 },
];

/** Below this an arc is simply kept as in the source (grid step is 1e-5). */
const MIN_TOLERANCE = 2e-5;

export interface SimplifyReport {
  /** Arc simplifications redone at a finer tolerance to keep rings valid. */
  refinedArcs: number;
  /** Rings dropped as too small, summed over the coarse levels. */
  droppedRings: number;
  /** Indices of input features that are invalid even unsimplified (left as they are). */
  invalidSources: number[];
}

interface RingPlan {
  refs: ArcRef[];
  hole: boolean;
}

/** Which rings of a feature survive at a level: big-enough rings, and always the largest polygon. */
function planRings(feature: MultiPolygonCoords, refs: ArcRef[][][], minRingArea: number): RingPlan[][] {
  let largest = 0;
  feature.forEach((polygon, p) => {
    if (polygonArea(polygon) > polygonArea(feature[largest])) largest = p;
  });
  const plan: RingPlan[][] = [];
  feature.forEach((polygon, p) => {
    if (p !== largest && Math.abs(signedRingArea(polygon[0])) < minRingArea) return;
    const rings: RingPlan[] = [{ refs: refs[p][0], hole: false }];
    polygon.forEach((ring, r) => {
      if (r > 0 && Math.abs(signedRingArea(ring)) >= minRingArea) rings.push({ refs: refs[p][r], hole: true });
    });
    plan.push(rings);
  });
  return plan;
}

/** RFC 7946 winding: shells counter-clockwise, holes clockwise. */
function wind(ring: Ring, hole: boolean): Ring {
  const ccw = signedRingArea(ring) > 0;
  return ccw === hole ? ring.slice().reverse() : ring;
}

export function simplifyToLevels(
  features: MultiPolygonCoords[],
  levels: readonly DetailLevel[] = DETAIL_LEVELS,
): { geometries: LeveledGeometry[]; report: SimplifyReport } {
  const topology = buildTopology(features);
  const { arcs } = topology;
  const arcUsers: number[][] = arcs.map(() => []);
  topology.features.forEach((polygons, f) => {
    for (const rings of polygons) for (const refs of rings) for (const ref of refs) arcUsers[ref >= 0 ? ref : ~ref].push(f);
  });

  const report: SimplifyReport = { refinedArcs: 0, droppedRings: 0, invalidSources: [] };
  const invalidSources = new Set<number>();
  const geometries: LeveledGeometry[] = features.map(() => ({ '0': [], '1': [], '2': [] }));

  for (const level of levels) {
    const tolerance = new Float64Array(arcs.length).fill(level.tolerance);
    const simplifyArc = (i: number): Position[] => {
      const pts = arcs[i];
      const closedArc = pts[0][0] === pts[pts.length - 1][0] && pts[0][1] === pts[pts.length - 1][1];
      return tolerance[i] < MIN_TOLERANCE ? pts : simplifyLine(pts, tolerance[i], closedArc);
    };
    const arcPoints = arcs.map((_, i) => simplifyArc(i));
    const plans = features.map((feature, f) => planRings(feature, topology.features[f], level.minRingArea));
    plans.forEach((plan, f) => {
      const kept = plan.reduce((n, rings) => n + rings.length, 0);
      const total = features[f].reduce((n, polygon) => n + polygon.length, 0);
      report.droppedRings += total - kept;
    });

    let dirty = new Set<number>(features.map((_, f) => f));
    while (dirty.size > 0) {
      const next = new Set<number>();
      for (const f of dirty) {
        const flat = plans[f].flat();
        const spans = flat.map((): number[] => []);
        const spots = findInvalidSpots(flat.map((ring, r) => assembleRing(ring.refs, arcPoints, spans[r])));
        if (spots.length === 0) continue;
        // Refine only the arcs holding a bad segment, so one sharp corner does not cost the
        // whole region its coarse outline.
        const culprits = new Set<number>();
        for (const spot of spots) {
          const refs = flat[spot.ring].refs;
          const chosen = spot.segment < 0 ? refs : [refs[arcOfSegment(spans[spot.ring], spot.segment)]];
          for (const ref of chosen) culprits.add(ref >= 0 ? ref : ~ref);
        }
        let refined = false;
        for (const a of culprits) {
          if (tolerance[a] < MIN_TOLERANCE) continue;
          tolerance[a] = tolerance[a] / 2 < MIN_TOLERANCE ? 0 : tolerance[a] / 2;
          arcPoints[a] = simplifyArc(a);
          report.refinedArcs++;
          refined = true;
          for (const user of arcUsers[a]) next.add(user);
        }
        if (!refined) invalidSources.add(f);
      }
      dirty = next;
    }

    plans.forEach((plan, f) => {
      geometries[f][level.key] = plan.map((rings) => rings.map((ring) => wind(assembleRing(ring.refs, arcPoints), ring.hole)));
    });
  }
  report.invalidSources = [...invalidSources].sort((a, b) => a - b);
  return { geometries, report };
}
