/**
 * Detects rings that PostGIS would reject: self-crossings, self-touching vertices, spikes
 * (a segment doubling back over its predecessor) and rings crossing or overlapping each other.
 * Simplification can create all of these, so every simplified geometry goes through here.
 *
 * Coordinates are compared on the 1e-5 degree grid we store, as integers, so the orientation
 * tests are exact (grid values < 2^24, products < 2^53).
 */
import type { Ring } from './geometry.ts';

const GRID = 1e5;

interface Segment {
  ring: number;
  index: number; // segment i joins vertex i and i+1
  ax: number;
  ay: number;
  bx: number;
  by: number;
  minX: number;
  maxX: number;
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
}

/** c lies on segment a-b given that a, b, c are collinear. */
function onSegment(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

type Contact = 'none' | 'touch' | 'cross' | 'overlap';

function contact(s: Segment, t: Segment): Contact {
  const o1 = orient(s.ax, s.ay, s.bx, s.by, t.ax, t.ay);
  const o2 = orient(s.ax, s.ay, s.bx, s.by, t.bx, t.by);
  const o3 = orient(t.ax, t.ay, t.bx, t.by, s.ax, s.ay);
  const o4 = orient(t.ax, t.ay, t.bx, t.by, s.bx, s.by);
  if (o1 === 0 && o2 === 0) {
    // Collinear: overlapping with positive length, touching at one point, or apart.
    const horizontalish = s.ax !== s.bx;
    const [s0, s1] = horizontalish ? [Math.min(s.ax, s.bx), Math.max(s.ax, s.bx)] : [Math.min(s.ay, s.by), Math.max(s.ay, s.by)];
    const [t0, t1] = horizontalish ? [Math.min(t.ax, t.bx), Math.max(t.ax, t.bx)] : [Math.min(t.ay, t.by), Math.max(t.ay, t.by)];
    const lo = Math.max(s0, t0);
    const hi = Math.min(s1, t1);
    if (lo < hi) return 'overlap';
    return lo === hi ? 'touch' : 'none';
  }
  if (o1 * o2 < 0 && o3 * o4 < 0) return 'cross';
  if (
    (o1 === 0 && onSegment(s.ax, s.ay, s.bx, s.by, t.ax, t.ay)) ||
    (o2 === 0 && onSegment(s.ax, s.ay, s.bx, s.by, t.bx, t.by)) ||
    (o3 === 0 && onSegment(t.ax, t.ay, t.bx, t.by, s.ax, s.ay)) ||
    (o4 === 0 && onSegment(t.ax, t.ay, t.bx, t.by, s.bx, s.by))
  ) {
    return 'touch';
  }
  return 'none';
}

function toSegments(rings: Ring[]): Segment[] {
  const segments: Segment[] = [];
  rings.forEach((ring, r) => {
    for (let i = 0; i + 1 < ring.length; i++) {
      const ax = Math.round(ring[i][0] * GRID);
      const ay = Math.round(ring[i][1] * GRID);
      const bx = Math.round(ring[i + 1][0] * GRID);
      const by = Math.round(ring[i + 1][1] * GRID);
      segments.push({ ring: r, index: i, ax, ay, bx, by, minX: Math.min(ax, bx), maxX: Math.max(ax, bx) });
    }
  });
  return segments;
}

/** Whether two segments of one ring are neighbours along it (including across the closing vertex). */
function adjacent(s: Segment, t: Segment, ringSegmentCount: number): boolean {
  const d = Math.abs(s.index - t.index);
  return d === 1 || d === ringSegmentCount - 1;
}

export interface InvalidSpot {
  ring: number;
  /** Segment i joins vertex i and i+1; -1 when the ring as a whole is malformed. */
  segment: number;
}

/**
 * Everything wrong with a set of rings, as (ring, segment) spots so a caller can repair locally.
 * Touching at a single point is allowed between different rings (a hole may touch its shell) but
 * not within one ring.
 */
export function findInvalidSpots(rings: Ring[]): InvalidSpot[] {
  const spots: InvalidSpot[] = [];
  rings.forEach((ring, r) => {
    const n = ring.length;
    if (n < 4 || ring[0][0] !== ring[n - 1][0] || ring[0][1] !== ring[n - 1][1]) spots.push({ ring: r, segment: -1 });
  });
  const segments = toSegments(rings).sort((a, b) => a.minX - b.minX);
  const counts = rings.map((ring) => ring.length - 1);
  // Sweep along x: only segments whose x-ranges overlap can meet.
  const active: Segment[] = [];
  for (const s of segments) {
    let w = 0;
    for (const t of active) {
      if (t.maxX >= s.minX) active[w++] = t;
    }
    active.length = w;
    for (const t of active) {
      if (Math.max(s.ay, s.by) < Math.min(t.ay, t.by) || Math.max(t.ay, t.by) < Math.min(s.ay, s.by)) continue;
      const c = contact(s, t);
      if (c === 'none') continue;
      const sameRing = s.ring === t.ring;
      if (sameRing && adjacent(s, t, counts[s.ring])) {
        // Neighbours always share their joint vertex; only doubling back is wrong.
        if (c === 'overlap') spots.push({ ring: s.ring, segment: s.index }, { ring: t.ring, segment: t.index });
        continue;
      }
      if (c === 'touch' && !sameRing) continue;
      spots.push({ ring: s.ring, segment: s.index }, { ring: t.ring, segment: t.index });
    }
    active.push(s);
  }
  return spots;
}

/** Indices of rings that are malformed or take part in an invalid contact. */
export function findInvalidRings(rings: Ring[]): Set<number> {
  return new Set(findInvalidSpots(rings).map((spot) => spot.ring));
}

export function ringsAreValid(rings: Ring[]): boolean {
  return findInvalidSpots(rings).length === 0;
}
