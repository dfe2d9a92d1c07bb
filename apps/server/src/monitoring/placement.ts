/**
 * Where a point may be registered: a known county, township or village inside the caller's
 * region, with coordinates inside that region's bounding box. The box catches the common
 * spreadsheet mistakes (lon and lat swapped, a digit lost, a point of the neighbouring county).
 */
import { NATIONAL_CODE, NATIONAL_SCOPE, NotFoundError, isRegionCodeShape, isWithinScope, type FieldError, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { getRegion } from '../regions/service.ts';

/** Reference outlines are simplified; a point on the border must not be refused for that. */
const BBOX_MARGIN_DEG = 0.01;
const POINT_LEVELS = new Set(['county', 'township', 'village']);

interface RegionFacts {
  code: string;
  name: string;
  level: string;
  /** Its own box, or the nearest ancestor's when it has no outline (townships). */
  bbox: { box: [number, number, number, number]; code: string; name: string } | null;
}

/** One per request or import: a spreadsheet names the same few regions thousands of times. */
export class PlacementChecker {
  private readonly regions = new Map<string, Promise<RegionFacts | null>>();

  constructor(private readonly q: Queryable) {}

  private async load(code: string): Promise<RegionFacts | null> {
    let region;
    try {
      // Ancestors may lie outside the caller's scope; only their boxes are read.
      region = await getRegion(this.q, NATIONAL_SCOPE, code);
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
    let bbox: RegionFacts['bbox'] = region.bbox ? { box: region.bbox, code: region.code, name: region.name } : null;
    if (!bbox && region.parentCode && region.parentCode !== NATIONAL_CODE) bbox = (await this.facts(region.parentCode))?.bbox ?? null;
    return { code: region.code, name: region.name, level: region.level, bbox };
  }

  private facts(code: string): Promise<RegionFacts | null> {
    let p = this.regions.get(code);
    if (!p) {
      p = this.load(code);
      this.regions.set(code, p);
    }
    return p;
  }

  async regionName(code: string): Promise<string | null> {
    return (await this.facts(code))?.name ?? null;
  }

  /** Field errors for regionCode, lon and lat; none when the point may stand there. */
  async check(scope: RegionScope, regionCode: string, lon: number, lat: number): Promise<FieldError[]> {
    if (!isRegionCodeShape(regionCode)) return [{ field: 'regionCode', message: 'must be a GB/T 2260 code of 6, 9 or 12 digits' }];
    if (!isWithinScope(regionCode, scope.code)) return [{ field: 'regionCode', message: `region ${regionCode} is outside your region ${scope.code}` }];
    const region = await this.facts(regionCode);
    if (!region) return [{ field: 'regionCode', message: `unknown region code ${regionCode}` }];
    if (!POINT_LEVELS.has(region.level)) {
      return [{ field: 'regionCode', message: `${region.name} (${regionCode}) is a ${region.level}: give the county or township the point lies in` }];
    }
    if (!region.bbox || !Number.isFinite(lon) || !Number.isFinite(lat)) return [];
    const [minLon, minLat, maxLon, maxLat] = region.bbox.box;
    const lonOut = lon < minLon - BBOX_MARGIN_DEG || lon > maxLon + BBOX_MARGIN_DEG;
    const latOut = lat < minLat - BBOX_MARGIN_DEG || lat > maxLat + BBOX_MARGIN_DEG;
    if (!lonOut && !latOut) return [];
    const box = `${minLon.toFixed(3)}–${maxLon.toFixed(3)}°E, ${minLat.toFixed(3)}–${maxLat.toFixed(3)}°N`;
    const where = region.bbox.code === region.code
      ? `${region.name} (${region.code}), which spans ${box}`
      : `${region.bbox.name} (${region.bbox.code}), which contains ${region.name} and spans ${box}`;
    const swapped = lat >= minLon && lat <= maxLon && lon >= minLat && lon <= maxLat ? '; lon and lat look swapped' : '';
    const errors: FieldError[] = [];
    if (lonOut) errors.push({ field: 'lon', message: `${lon} is outside ${where}${swapped}` });
    if (latOut) errors.push({ field: 'lat', message: `${lat} is outside ${where}${swapped}` });
    return errors;
  }
}
