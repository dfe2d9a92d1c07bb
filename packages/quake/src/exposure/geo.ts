/**
 * Planar helpers on WGS84 lon/lat for the exposure model: grid cells inside a MultiPolygon
 * (scanline, even–odd, so holes and several parts just work), point-in-polygon with a bucket
 * index over many regions, and great-circle distances.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { REFERENCE_BOUNDARY_FILE, type BoundaryRecord, type MultiPolygonCoords } from '@anlan/reference-data';

const EARTH_RADIUS_KM = 6371.0088;
const DEG = Math.PI / 180;

export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * DEG;
  const dLon = (lon2 - lon1) * DEG;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Area of a step×step degree cell centred at `lat`, km². */
export function cellAreaKm2(stepDeg: number, lat: number): number {
  const km = EARTH_RADIUS_KM * DEG * stepDeg;
  return km * km * Math.cos(lat * DEG);
}

/**
 * Centres of the cells of a global grid of `step` degrees (centres at (i + ½)·step) that lie inside
 * the MultiPolygon. Scanline per grid row: crossings of every ring edge with the row's latitude,
 * sorted, taken in pairs (even–odd rule).
 */
export function gridCellsInside(coords: MultiPolygonCoords, bbox: readonly [number, number, number, number], step: number): { lon: number[]; lat: number[] } {
  const lon: number[] = [];
  const lat: number[] = [];
  const [minLon, minLat, maxLon, maxLat] = bbox;
  const j0 = Math.floor(minLat / step - 0.5);
  const j1 = Math.ceil(maxLat / step - 0.5);
  const xs: number[] = [];
  for (let j = j0; j <= j1; j++) {
    const y = (j + 0.5) * step;
    if (y < minLat || y > maxLat) continue;
    xs.length = 0;
    for (const polygon of coords) {
      for (const ring of polygon) {
        for (let k = 0; k + 1 < ring.length; k++) {
          const [xa, ya] = ring[k];
          const [xb, yb] = ring[k + 1];
          // Half-open rule so a vertex exactly on the scanline is counted once.
          if ((ya <= y && yb > y) || (yb <= y && ya > y)) xs.push(xa + ((y - ya) / (yb - ya)) * (xb - xa));
        }
      }
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const i0 = Math.ceil(xs[k] / step - 0.5);
      for (let i = i0; (i + 0.5) * step < xs[k + 1]; i++) {
        const x = (i + 0.5) * step;
        if (x < minLon || x > maxLon) continue;
        lon.push(x);
        lat.push(y);
      }
    }
  }
  return { lon, lat };
}

/** Even–odd point-in-MultiPolygon (holes included). */
export function pointInMultiPolygon(coords: MultiPolygonCoords, x: number, y: number): boolean {
  let inside = false;
  for (const polygon of coords) {
    for (const ring of polygon) {
      for (let k = 0, n = ring.length - 1; k < n; k++) {
        const [xa, ya] = ring[k];
        const [xb, yb] = ring[k + 1];
        if ((ya <= y && yb > y) || (yb <= y && ya > y)) {
          if (x < xa + ((y - ya) / (yb - ya)) * (xb - xa)) inside = !inside;
        }
      }
    }
  }
  return inside;
}

export interface LocatableRegion {
  code: string;
  name: string;
  bbox: [number, number, number, number];
  coords: MultiPolygonCoords;
}

/** Point → region with a 1° bucket index over the regions' bounding boxes. */
export class RegionLocator {
  readonly regions: LocatableRegion[];
  private readonly buckets = new Map<number, number[]>();

  constructor(regions: LocatableRegion[]) {
    this.regions = regions;
    regions.forEach((region, index) => {
      const [minLon, minLat, maxLon, maxLat] = region.bbox;
      for (let i = Math.floor(minLon); i <= Math.floor(maxLon); i++) {
        for (let j = Math.floor(minLat); j <= Math.floor(maxLat); j++) {
          const key = i * 1000 + j;
          const list = this.buckets.get(key);
          if (list) list.push(index);
          else this.buckets.set(key, [index]);
        }
      }
    });
  }

  /** The region containing the point, or null (sea, abroad, or a gap between outlines). */
  locate(lon: number, lat: number): LocatableRegion | null {
    const list = this.buckets.get(Math.floor(lon) * 1000 + Math.floor(lat));
    if (!list) return null;
    for (const index of list) {
      const region = this.regions[index];
      const [minLon, minLat, maxLon, maxLat] = region.bbox;
      if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) continue;
      if (pointInMultiPolygon(region.coords, lon, lat)) return region;
    }
    return null;
  }
}

/**
 * The county-level outlines of the shipped reference boundaries (detail "2"), read synchronously:
 * county records plus prefecture-level cities without counties (东莞 441900, 中山 442000,
 * 儋州 460400), which GB/T 2260 files as their own county-level unit. ≈ 0.5–1 s; callers cache it.
 */
export function readCountyOutlinesSync(path: string = REFERENCE_BOUNDARY_FILE): LocatableRegion[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const records: BoundaryRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() !== '') records.push(JSON.parse(line) as BoundaryRecord);
  }
  const prefecturesWithCounties = new Set(records.filter((r) => r.level === 'county' && r.parentCode).map((r) => r.parentCode));
  return records
    .filter((r) => r.level === 'county' || (r.level === 'prefecture' && !prefecturesWithCounties.has(r.code)))
    .map((r) => ({ code: r.code, name: r.name, bbox: r.bbox, coords: r.geometry['2'] }));
}
