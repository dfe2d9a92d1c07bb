/**
 * Merges polygons that share edges into one outline, by cancelling every edge that is walked in
 * both directions and re-tracing what is left. Two uses:
 * - the source sometimes stores one region as several polygons that share a border (or touch
 *   themselves), which PostGIS rejects as invalid;
 * - a pseudo-prefecture such as 重庆 500200 "县" needs the outline of its counties together.
 * It relies on neighbours sharing exact vertices (see harmonize.ts); borders that do not match
 * vertex for vertex stay as separate polygons.
 */
import { gridKey, signedRingArea, type MultiPolygonCoords, type PolygonCoords, type Position, type Ring } from './geometry.ts';

/** Shells counter-clockwise and holes clockwise, so the region is always on the left of an edge. */
export function orientedRingsOf(coords: MultiPolygonCoords): Ring[] {
  const out: Ring[] = [];
  for (const polygon of coords) {
    polygon.forEach((ring, i) => {
      const ccw = signedRingArea(ring) > 0;
      out.push(ccw === (i === 0) ? ring : ring.slice().reverse());
    });
  }
  return out;
}

/** Point in ring by crossing count; boundary points count as outside. */
function inside(p: Position, ring: Ring): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/** A point on the hole's longest edge: inside whatever shell holds the hole, never on that shell. */
function probe(ring: Ring): Position {
  let best = 0;
  let bestLen = -1;
  for (let i = 0; i + 1 < ring.length; i++) {
    const len = (ring[i + 1][0] - ring[i][0]) ** 2 + (ring[i + 1][1] - ring[i][1]) ** 2;
    if (len > bestLen) {
      bestLen = len;
      best = i;
    }
  }
  return [(ring[best][0] + ring[best + 1][0]) / 2, (ring[best][1] + ring[best + 1][1]) / 2];
}

function angle(from: Position, to: Position): number {
  return Math.atan2(to[1] - from[1], to[0] - from[0]);
}

/** Whether any edge of the geometry is also walked the other way, i.e. dissolve has work to do. */
export function hasInternalEdges(coords: MultiPolygonCoords): boolean {
  const edges = new Set<string>();
  for (const ring of orientedRingsOf(coords)) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = gridKey(ring[i]);
      const b = gridKey(ring[i + 1]);
      if (edges.has(`${b}>${a}`)) return true;
      edges.add(`${a}>${b}`);
    }
  }
  return false;
}

/** Directed edges between grid points, with multiplicity; the raw material of an outline. */
export interface EdgeSet {
  points: Map<number, Position>;
  /** "a>b" → how many times edge a→b is walked. */
  counts: Map<string, number>;
}

/** Edges of the oriented rings, with each edge cancelled against one walked the other way. */
export function edgesOf(rings: Ring[]): EdgeSet {
  const points = new Map<number, Position>();
  const counts = new Map<string, number>();
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = gridKey(ring[i]);
      const b = gridKey(ring[i + 1]);
      if (a === b) continue;
      points.set(a, ring[i]);
      points.set(b, ring[i + 1]);
      const back = `${b}>${a}`;
      const n = counts.get(back) ?? 0;
      if (n > 0) counts.set(back, n - 1); // the two sides of an inner border cancel
      else counts.set(`${a}>${b}`, (counts.get(`${a}>${b}`) ?? 0) + 1);
    }
  }
  return { points, counts };
}

/** Re-traces closed rings from a set of directed edges (every vertex must balance in and out). */
export function traceRings({ points, counts }: EdgeSet): Ring[] {
  const outgoing = new Map<number, number[]>();
  for (const [edge, n] of counts) {
    const [a, b] = edge.split('>').map(Number);
    for (let i = 0; i < n; i++) {
      const list = outgoing.get(a) ?? [];
      list.push(b);
      outgoing.set(a, list);
    }
  }
  const rings: Ring[] = [];
  for (const start of [...outgoing.keys()]) {
    while ((outgoing.get(start)?.length ?? 0) > 0) {
      const ring: Position[] = [points.get(start)!];
      let prev = start;
      let current = outgoing.get(start)!.pop()!;
      let guard = counts.size + 1;
      while (current !== start && guard-- > 0) {
        ring.push(points.get(current)!);
        const options = outgoing.get(current);
        if (!options || options.length === 0) break; // unbalanced input: give up on this ring
        // At a vertex where outlines touch, turn as far left as possible: that traces the face
        // on our left alone, so touching parts come out as separate simple rings.
        const incoming = angle(points.get(prev)!, points.get(current)!);
        let pick = 0;
        let bestTurn = -Infinity;
        options.forEach((next, i) => {
          let turn = angle(points.get(current)!, points.get(next)!) - incoming;
          while (turn <= -Math.PI) turn += 2 * Math.PI;
          while (turn > Math.PI) turn -= 2 * Math.PI;
          if (turn > bestTurn) {
            bestTurn = turn;
            pick = i;
          }
        });
        prev = current;
        current = options.splice(pick, 1)[0];
      }
      if (current !== start) continue;
      ring.push(points.get(start)!);
      if (ring.length >= 4) rings.push(ring);
    }
  }
  return rings;
}

/** Counter-clockwise rings become shells; each clockwise ring goes to the smallest shell around it. */
export function ringsToPolygons(rings: Ring[]): MultiPolygonCoords {
  const shells = rings.filter((r) => signedRingArea(r) > 0).sort((a, b) => signedRingArea(a) - signedRingArea(b));
  const holes = rings.filter((r) => signedRingArea(r) < 0);
  const polygons: PolygonCoords[] = shells.map((shell) => [shell]);
  for (const hole of holes) {
    const p = probe(hole);
    const owner = shells.findIndex((shell) => inside(p, shell));
    if (owner >= 0) polygons[owner].push(hole);
  }
  return polygons;
}

export function dissolve(coords: MultiPolygonCoords): MultiPolygonCoords {
  return ringsToPolygons(traceRings(edgesOf(orientedRingsOf(coords))));
}

