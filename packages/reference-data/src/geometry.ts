/**
 * Plain GeoJSON-style coordinate types and the few planar measures the package needs.
 * Lon/lat degrees are treated as planar: every measure here is used to compare or rank shapes
 * of one region, never to report an area in km².
 */

export type Position = [number, number];
/** Closed: first and last positions are equal. */
export type Ring = Position[];
/** Outer ring first, then holes. */
export type PolygonCoords = Ring[];
export type MultiPolygonCoords = PolygonCoords[];
export type BBox = [number, number, number, number];

/**
 * Exact integer identity of a position on the stored 1e-5° grid: lon steps · 2^25 + lat steps
 * shifted positive (|lat| < 2^24 steps); stays below 2^53, so shared vertices can be matched in
 * Maps without building strings.
 */
export function gridKey(p: Position): number {
  return Math.round(p[0] * 1e5) * 2 ** 25 + (Math.round(p[1] * 1e5) + 2 ** 24);
}

export function samePosition(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

export function isClosed(ring: Ring): boolean {
  return ring.length > 0 && samePosition(ring[0], ring[ring.length - 1]);
}

/** Shoelace formula; positive for counter-clockwise rings. */
export function signedRingArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) {
    sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  }
  return sum / 2;
}

export function polygonArea(polygon: PolygonCoords): number {
  let area = 0;
  polygon.forEach((ring, i) => {
    const a = Math.abs(signedRingArea(ring));
    area += i === 0 ? a : -a;
  });
  return area;
}

export function multiPolygonBBox(coords: MultiPolygonCoords): BBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const polygon of coords) {
    for (const [x, y] of polygon[0] ?? []) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/**
 * Area-weighted centroid of all rings (holes subtract). Falls back to the bbox centre for
 * degenerate input so callers always get a point.
 */
export function multiPolygonCentroid(coords: MultiPolygonCoords): Position {
  let area = 0;
  let cx = 0;
  let cy = 0;
  for (const polygon of coords) {
    polygon.forEach((ring, ringIndex) => {
      // Normalise orientation so the outer ring counts positive and holes negative,
      // whatever winding the source used.
      const raw = signedRingArea(ring);
      const sign = (ringIndex === 0 ? 1 : -1) * Math.sign(raw);
      for (let i = 0, n = ring.length - 1; i < n; i++) {
        const [x0, y0] = ring[i];
        const [x1, y1] = ring[i + 1];
        const cross = (x0 * y1 - x1 * y0) * sign;
        area += cross / 2;
        cx += ((x0 + x1) * cross) / 6;
        cy += ((y0 + y1) * cross) / 6;
      }
    });
  }
  if (Math.abs(area) < 1e-12) {
    const [minX, minY, maxX, maxY] = multiPolygonBBox(coords);
    return [(minX + maxX) / 2, (minY + maxY) / 2];
  }
  return [cx / area, cy / area];
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Accepts a GeoJSON Polygon or MultiPolygon geometry's coordinates as MultiPolygon coords. */
export function asMultiPolygon(type: 'Polygon' | 'MultiPolygon', coordinates: unknown): MultiPolygonCoords {
  return (type === 'Polygon' ? [coordinates] : coordinates) as MultiPolygonCoords;
}

/** Even-odd point-in-polygon over all rings, so holes count as outside. Boundary: either answer. */
export function pointInMultiPolygon(p: Position, coords: MultiPolygonCoords): boolean {
  let inside = false;
  for (const polygon of coords) {
    for (const ring of polygon) {
      for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}
