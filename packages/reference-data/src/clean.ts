/**
 * Brings raw polygon coordinates onto the stored grid before any topology or simplification:
 * optional datum transform, rounding to 5 decimals (≈1 m), and removal of the artefacts common in
 * scraped data (repeated vertices, back-and-forth spikes, unclosed rings). Doing this first means
 * two regions that share a source vertex still share it exactly afterwards.
 */
import { roundTo, samePosition, type MultiPolygonCoords, type Position, type Ring } from './geometry.ts';

export const COORDINATE_DECIMALS = 5;

export type PositionTransform = (lon: number, lat: number) => [number, number];

function isSpike(prev: Position, p: Position, next: Position): boolean {
  // A vertex whose neighbours coincide (A-B-A) or that doubles back along the same line.
  if (samePosition(prev, next)) return true;
  const cross = (p[0] - prev[0]) * (next[1] - p[1]) - (p[1] - prev[1]) * (next[0] - p[0]);
  if (cross !== 0) return false;
  const dot = (p[0] - prev[0]) * (next[0] - p[0]) + (p[1] - prev[1]) * (next[1] - p[1]);
  return dot < 0;
}

/** Returns a closed ring with no repeated neighbours or spikes, or null when too few points remain. */
export function cleanRing(raw: Position[], transform?: PositionTransform): Ring | null {
  const pts: Position[] = [];
  for (const p of raw) {
    const [x, y] = transform ? transform(p[0], p[1]) : [p[0], p[1]];
    const q: Position = [roundTo(x, COORDINATE_DECIMALS), roundTo(y, COORDINATE_DECIMALS)];
    if (pts.length === 0 || !samePosition(pts[pts.length - 1], q)) pts.push(q);
  }
  // Work on the open ring so spikes across the closing vertex are seen too.
  if (pts.length > 1 && samePosition(pts[0], pts[pts.length - 1])) pts.pop();
  let changed = true;
  while (changed && pts.length >= 3) {
    changed = false;
    const out: Position[] = [];
    const n = pts.length;
    for (let i = 0; i < n; i++) {
      const prev = out.length > 0 ? out[out.length - 1] : pts[n - 1];
      const p = pts[i];
      const next = pts[(i + 1) % n];
      if (samePosition(prev, p) || isSpike(prev, p, next)) {
        changed = true;
        continue;
      }
      out.push(p);
    }
    pts.length = 0;
    pts.push(...out);
  }
  if (pts.length < 3) return null;
  pts.push([pts[0][0], pts[0][1]]);
  return pts;
}

/** Cleans every ring; a polygon whose outer ring collapses is dropped with its holes. */
export function cleanMultiPolygon(coords: MultiPolygonCoords, transform?: PositionTransform): MultiPolygonCoords {
  const out: MultiPolygonCoords = [];
  for (const polygon of coords) {
    const shell = polygon[0] ? cleanRing(polygon[0], transform) : null;
    if (!shell) continue;
    const rings: Ring[] = [shell];
    for (const hole of polygon.slice(1)) {
      const h = cleanRing(hole, transform);
      if (h) rings.push(h);
    }
    out.push(rings);
  }
  return out;
}
