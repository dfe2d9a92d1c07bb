/**
 * Douglas–Peucker simplification of one line. It only ever removes vertices, so the output stays
 * on the input's coordinate grid, and endpoints are fixed, which is what lets neighbouring
 * regions that share a border (an arc with the same endpoints) get the identical simplified border.
 */
import type { Position } from './geometry.ts';

/** Squared distance from p to segment a-b. */
function segmentDistanceSq(p: Position, a: Position, b: Position): number {
  let x = a[0];
  let y = a[1];
  let dx = b[0] - x;
  let dy = b[1] - y;
  if (dx !== 0 || dy !== 0) {
    const t = ((p[0] - x) * dx + (p[1] - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) {
      x = b[0];
      y = b[1];
    } else if (t > 0) {
      x += dx * t;
      y += dy * t;
    }
  }
  dx = p[0] - x;
  dy = p[1] - y;
  return dx * dx + dy * dy;
}

/** Marks, in `keep`, the vertices between first and last that Douglas–Peucker retains. */
function markKept(points: Position[], first: number, last: number, tolSq: number, keep: Uint8Array): void {
  // Explicit stack: arcs run to tens of thousands of vertices, too deep for recursion.
  const stack: [number, number][] = [[first, last]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    let maxSq = -1;
    let index = -1;
    for (let k = i + 1; k < j; k++) {
      const d = segmentDistanceSq(points[k], points[i], points[j]);
      if (d > maxSq) {
        maxSq = d;
        index = k;
      }
    }
    if (index >= 0 && maxSq > tolSq) {
      keep[index] = 1;
      stack.push([i, index], [index, j]);
    }
  }
}

/**
 * Simplifies an open line, or a closed one (first point equal to last) when `closed` is set.
 * A closed line always keeps at least four points (three distinct), the minimum for a ring.
 */
export function simplifyLine(points: Position[], tolerance: number, closed = false): Position[] {
  const n = points.length;
  if (n <= 2 || tolerance <= 0) return points.slice();
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  if (!closed) {
    markKept(points, 0, n - 1, tolerance * tolerance, keep);
    return points.filter((_, i) => keep[i] === 1);
  }
  if (n <= 4) return points.slice();
  // A closed line has no chord to measure against, so anchor it on the vertex farthest from the
  // start, and on the vertex farthest from that chord so the ring cannot collapse to a line.
  let far = 1;
  let farSq = -1;
  for (let k = 1; k < n - 1; k++) {
    const d = segmentDistanceSq(points[k], points[0], points[0]);
    if (d > farSq) {
      farSq = d;
      far = k;
    }
  }
  let third = -1;
  let thirdSq = -1;
  for (let k = 1; k < n - 1; k++) {
    if (k === far) continue;
    const d = segmentDistanceSq(points[k], points[0], points[far]);
    if (d > thirdSq) {
      thirdSq = d;
      third = k;
    }
  }
  keep[far] = 1;
  keep[third] = 1;
  const anchors = [0, Math.min(far, third), Math.max(far, third), n - 1];
  for (let a = 0; a < 3; a++) markKept(points, anchors[a], anchors[a + 1], tolerance * tolerance, keep);
  return points.filter((_, i) => keep[i] === 1);
}
