/**
 * Where an enterprise or a place may be registered: a known region inside the caller's scope,
 * with its coordinates (when given) inside that region. The region and box checks are the
 * monitoring registry's (one rule for everything placed on the map); this adds what the risk
 * registry needs on top: an enterprise given only coordinates is placed in the county they lie
 * in, and a place belongs to a township or village — the grid that registered it.
 */
import { levelOfCode, type FieldError, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { PlacementChecker } from '../monitoring/placement.ts';
import * as store from './store.ts';

interface Placed {
  regionCode: string;
  lon: number | null;
  lat: number | null;
}

export class RegistryPlacement {
  private readonly checker: PlacementChecker;

  constructor(private readonly q: Queryable) {
    this.checker = new PlacementChecker(q);
  }

  /** Fills in the region of an enterprise given only coordinates; field errors for regionCode, lon, lat. */
  async placeEnterprise(scope: RegionScope, record: Placed): Promise<FieldError[]> {
    if (!record.regionCode) {
      if (record.lon === null || record.lat === null) return [{ field: 'regionCode', message: 'is required (or give lon and lat to place the enterprise in the county they lie in)' }];
      const county = await store.countyAt(this.q, record.lon, record.lat);
      if (!county) return [{ field: 'regionCode', message: `is required: ${record.lon}, ${record.lat} lies in no county Anlan has a boundary for` }];
      record.regionCode = county.code;
    }
    return this.checker.check(scope, record.regionCode, record.lon ?? NaN, record.lat ?? NaN);
  }

  /**
   * A place is registered in its township or village; without a region it goes to the caller's
   * own, when the caller is a township or village (the grid worker registering in their grid).
   */
  async placePlace(scope: RegionScope, record: Placed): Promise<FieldError[]> {
    if (!record.regionCode) {
      const own = levelOfCode(scope.code);
      if (own === 'township' || own === 'village') record.regionCode = scope.code;
      else return [{ field: 'regionCode', message: 'is required: the township or village the place is in' }];
    }
    const errors = await this.checker.check(scope, record.regionCode, record.lon ?? NaN, record.lat ?? NaN);
    if (errors.length === 0 && levelOfCode(record.regionCode) === 'county') {
      const name = await this.checker.regionName(record.regionCode);
      errors.push({ field: 'regionCode', message: `${name ?? record.regionCode} (${record.regionCode}) is a county: give the township or village the place is in` });
    }
    return errors;
  }
}
