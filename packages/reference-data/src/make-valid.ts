/**
 * Last-resort repair for a region whose pieces overlap or whose ring crosses itself, which the
 * reference source has in a handful of places (two pieces of one coastal district overlapping by a
 * few hundred metres, say). It computes the union of the pieces: split every segment where it
 * meets another, then keep only the edges with the region on exactly one side (winding number
 * ≥ 1 there, < 1 on the other) and re-trace rings from them.
 */
import { edgesOf, orientedRingsOf, ringsToPolygons, traceRings } from './dissolve.ts';
import { roundTo, type MultiPolygonCoords, type Position, type Ring } from './geometry.ts';
import { COORDINATE_DECIMALS } from './clean.ts';

interface Cut {
  t: number;
  p: Position;
}

function snap(x: number, y: number): Position {
  return [roundTo(x, COORDINATE_DECIMALS), roundTo(y, COORDINATE_DECIMALS)];
}

function paramOn(a: Position, b: Position, p: Position): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  return ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy);
}

function cross(ax: number, ay: number, bx: number, by: number): number {
  return ax * by - ay * bx;
}

/** Splits segments at every point where they meet another segment; returns whether anything changed. */
function node(rings: Ring[]): { rings: Ring[]; changed: boolean } {
  const cuts: Cut[][][] = rings.map((ring) => ring.slice(1).map((): Cut[] => []));
  const segs: { r: number; i: number; a: Position; b: Position }[] = [];
  rings.forEach((ring, r) => {
    for (let i = 0; i + 1 < ring.length; i++) segs.push({ r, i, a: ring[i], b: ring[i + 1] });
  });
  segs.sort((s, t) => Math.min(s.a[0], s.b[0]) - Math.min(t.a[0], t.b[0]));
  const addCut = (r: number, i: number, p: Position): void => {
    const [a, b] = [rings[r][i], rings[r][i + 1]];
    if ((p[0] === a[0] && p[1] === a[1]) || (p[0] === b[0] && p[1] === b[1])) return;
    cuts[r][i].push({ t: paramOn(a, b, p), p });
  };
  const active: typeof segs = [];
  for (const s of segs) {
    const sMin = Math.min(s.a[0], s.b[0]);
    for (let k = active.length - 1; k >= 0; k--) if (Math.max(active[k].a[0], active[k].b[0]) < sMin) active.splice(k, 1);
    for (const t of active) {
      const rx = s.b[0] - s.a[0];
      const ry = s.b[1] - s.a[1];
      const qx = t.b[0] - t.a[0];
      const qy = t.b[1] - t.a[1];
      const denom = cross(rx, ry, qx, qy);
      const wx = t.a[0] - s.a[0];
      const wy = t.a[1] - s.a[1];
      if (denom === 0) {
        if (cross(wx, wy, rx, ry) !== 0) continue; // parallel, apart
        // Collinear: each endpoint inside the other segment becomes a cut there.
        for (const p of [t.a, t.b]) {
          const u = paramOn(s.a, s.b, p);
          if (u > 0 && u < 1) addCut(s.r, s.i, p);
        }
        for (const p of [s.a, s.b]) {
          const u = paramOn(t.a, t.b, p);
          if (u > 0 && u < 1) addCut(t.r, t.i, p);
        }
        continue;
      }
      const u = cross(wx, wy, qx, qy) / denom;
      const v = cross(wx, wy, rx, ry) / denom;
      if (u < 0 || u > 1 || v < 0 || v > 1) continue;
      const p = snap(s.a[0] + u * rx, s.a[1] + u * ry);
      addCut(s.r, s.i, p);
      addCut(t.r, t.i, p);
    }
    active.push(s);
  }
  let changed = false;
  const out = rings.map((ring, r) => {
    const result: Position[] = [ring[0]];
    for (let i = 0; i + 1 < ring.length; i++) {
      const list = cuts[r][i].sort((x, y) => x.t - y.t);
      for (const c of list) {
        const last = result[result.length - 1];
        if (last[0] !== c.p[0] || last[1] !== c.p[1]) {
          result.push(c.p);
          changed = true;
        }
      }
      const last = result[result.length - 1];
      if (last[0] !== ring[i + 1][0] || last[1] !== ring[i + 1][1]) result.push(ring[i + 1]);
    }
    return result;
  });
  return { rings: out, changed };
}

/** Winding number of all (oriented) rings around p. */
function winding(p: Position, rings: Ring[]): number {
  let w = 0;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i];
      const [bx, by] = ring[i + 1];
      const side = (bx - ax) * (p[1] - ay) - (p[0] - ax) * (by - ay);
      if (ay <= p[1]) {
        if (by > p[1] && side > 0) w++;
      } else if (by <= p[1] && side < 0) {
        w--;
      }
    }
  }
  return w;
}

/** Union of a region's pieces as valid polygons; empty when nothing could be traced. */
export function makeValid(coords: MultiPolygonCoords): MultiPolygonCoords {
  let rings = orientedRingsOf(coords);
  // Snapped cut points can land a hair off their segments and create new meetings; a few rounds settle it.
  for (let round = 0; round < 4; round++) {
    const noded = node(rings);
    rings = noded.rings;
    if (!noded.changed) break;
  }
  const { points, counts } = edgesOf(rings);
  // Grid points are 1e-5 apart, so no other edge passes within ~1e-9 of an edge's midpoint;
  // probing 1e-10 to either side therefore tells the two faces apart.
  const OFFSET = 1e-10;
  const kept = new Map<string, number>();
  for (const [edge, n] of counts) {
    if (n === 0) continue;
    const [ka, kb] = edge.split('>').map(Number);
    const a = points.get(ka)!;
    const b = points.get(kb)!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const mx = (a[0] + b[0]) / 2;
    const my = (a[1] + b[1]) / 2;
    const nx = (b[1] - a[1]) / len;
    const ny = -(b[0] - a[0]) / len;
    const insideRight = winding([mx + nx * OFFSET, my + ny * OFFSET], rings) >= 1;
    const insideLeft = winding([mx - nx * OFFSET, my - ny * OFFSET], rings) >= 1;
    if (insideLeft && !insideRight) kept.set(`${ka}>${kb}`, 1);
    else if (insideRight && !insideLeft) kept.set(`${kb}>${ka}`, 1);
  }
  return ringsToPolygons(traceRings({ points, counts: kept }));
}
