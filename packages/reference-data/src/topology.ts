/**
 * Splits a set of polygons into shared arcs, like TopoJSON: a border between two regions becomes
 * one arc referenced by both, so simplifying each arc once keeps neighbours gap- and overlap-free.
 *
 * A vertex is a junction when it is met with different neighbours in different places (where a
 * shared border ends). Rings are cut at junctions; rings without any (islands, or a ring shared
 * whole) become one closed arc, rotated to a canonical start so duplicates are recognised.
 */
import { gridKey, type MultiPolygonCoords, type Position } from './geometry.ts';

/** Arc reference: `i` walks arc i forwards, `~i` (= -i-1) walks it backwards. */
export type ArcRef = number;

export interface Topology {
  arcs: Position[][];
  /** Whether an arc is a whole closed ring (first point = last point, no junction on it). */
  closed: boolean[];
  /** features[f][polygon][ring] = arc references forming that ring in order. */
  features: ArcRef[][][][];
}

function findJunctions(features: MultiPolygonCoords[]): Set<number> {
  const neighbours = new Map<number, [number, number]>();
  const junctions = new Set<number>();
  for (const feature of features) {
    for (const polygon of feature) {
      for (const ring of polygon) {
        const n = ring.length - 1; // ring is closed; treat as cyclic over n vertices
        for (let i = 0; i < n; i++) {
          const k = gridKey(ring[i]);
          const a = gridKey(ring[(i + n - 1) % n]);
          const b = gridKey(ring[(i + 1) % n]);
          const pair: [number, number] = a < b ? [a, b] : [b, a];
          const seen = neighbours.get(k);
          if (!seen) neighbours.set(k, pair);
          else if (seen[0] !== pair[0] || seen[1] !== pair[1]) junctions.add(k);
        }
      }
    }
  }
  return junctions;
}

function sameSequence(a: Position[], b: Position[], reversed: boolean): boolean {
  if (a.length !== b.length) return false;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const q = reversed ? b[n - 1 - i] : b[i];
    if (a[i][0] !== q[0] || a[i][1] !== q[1]) return false;
  }
  return true;
}

/** Rotates a closed ring (open form, no repeated last point) to start at its smallest key. */
function canonicalClosed(open: Position[]): Position[] {
  let best = 0;
  let bestKey = gridKey(open[0]);
  for (let i = 1; i < open.length; i++) {
    const k = gridKey(open[i]);
    if (k < bestKey) {
      bestKey = k;
      best = i;
    }
  }
  const rotated = open.slice(best).concat(open.slice(0, best));
  rotated.push(rotated[0]);
  return rotated;
}

export function buildTopology(features: MultiPolygonCoords[]): Topology {
  const junctions = findJunctions(features);
  const arcs: Position[][] = [];
  const closed: boolean[] = [];
  const index = new Map<string, number[]>();

  const intern = (points: Position[], isClosed: boolean): ArcRef => {
    const a = gridKey(points[0]);
    const b = gridKey(points[points.length - 1]);
    const bucketKey = `${Math.min(a, b)}:${Math.max(a, b)}:${points.length}`;
    const bucket = index.get(bucketKey) ?? [];
    for (const i of bucket) {
      if (sameSequence(arcs[i], points, false)) return i;
      // Canonical rotation makes a closed ring walked the other way exactly the reverse, too.
      if (sameSequence(arcs[i], points, true)) return ~i;
    }
    bucket.push(arcs.length);
    index.set(bucketKey, bucket);
    arcs.push(points);
    closed.push(isClosed);
    return arcs.length - 1;
  };

  const refs = features.map((feature) =>
    feature.map((polygon) =>
      polygon.map((ring) => {
        const open = ring.slice(0, -1);
        const n = open.length;
        let start = -1;
        for (let i = 0; i < n; i++) {
          if (junctions.has(gridKey(open[i]))) {
            start = i;
            break;
          }
        }
        if (start < 0) {
          return [intern(canonicalClosed(open), true)];
        }
        const out: ArcRef[] = [];
        let current: Position[] = [open[start]];
        for (let step = 1; step <= n; step++) {
          const p = open[(start + step) % n];
          current.push(p);
          if (step === n || junctions.has(gridKey(p))) {
            out.push(intern(current, false));
            current = [p];
          }
        }
        return out;
      }),
    ),
  );
  return { arcs, closed, features: refs };
}

/**
 * Joins arcs (already simplified or not) back into a closed ring. `spans`, if given, receives for
 * each arc reference the index of its first segment in the ring, to map a bad segment to its arc.
 */
export function assembleRing(refs: ArcRef[], arcPoints: Position[][], spans?: number[]): Position[] {
  const ring: Position[] = [];
  for (const ref of refs) {
    const pts = ref >= 0 ? arcPoints[ref] : arcPoints[~ref].slice().reverse();
    spans?.push(Math.max(0, ring.length - 1));
    // Consecutive arcs share their junction vertex; keep it once.
    ring.push(...(ring.length > 0 ? pts.slice(1) : pts));
  }
  return ring;
}

/** The arc (index into `refs`) that segment `segment` of an assembled ring belongs to. */
export function arcOfSegment(spans: number[], segment: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid] <= segment) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
