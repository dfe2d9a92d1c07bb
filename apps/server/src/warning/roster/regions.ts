/**
 * Where a person may serve and an assignment may lie: a known county, township or village inside
 * the caller's region (villages loaded on first use, villages.ts), and for an assignment with
 * coordinates a position inside that region's box (the monitoring registry's PlacementChecker,
 * which catches swapped lon/lat and points of the neighbouring county).
 */
import { isRegionCodeShape, isWithinScope, type FieldError, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { PlacementChecker } from '../../monitoring/placement.ts';
import { regionFacts } from './store.ts';
import { ensureVillages } from './villages.ts';

const LEVELS = new Set(['county', 'township', 'village']);

/** One per request or import: a spreadsheet names the same few regions thousands of times. */
export class RosterRegions {
  private readonly facts = new Map<string, { name: string; level: string } | null>();
  private readonly placement: PlacementChecker;

  constructor(private readonly q: Queryable) {
    this.placement = new PlacementChecker(q);
  }

  /** Looks up many codes at once (imports), loading the villages of their counties first. */
  async preload(codes: Iterable<string>): Promise<void> {
    const todo = [...new Set(codes)].filter((c) => isRegionCodeShape(c) && !this.facts.has(c));
    if (todo.length === 0) return;
    if (todo.some((c) => c.length === 12)) await ensureVillages(this.q, todo.filter((c) => c.length === 12));
    const found = await regionFacts(this.q, todo);
    for (const c of todo) this.facts.set(c, found.get(c) ?? null);
  }

  async name(code: string): Promise<string | null> {
    await this.preload([code]);
    return this.facts.get(code)?.name ?? null;
  }

  /** A field error when the code names no county, township or village of the scope. */
  async check(scope: RegionScope, code: string, field = 'regionCode'): Promise<FieldError | null> {
    if (!isRegionCodeShape(code)) return { field, message: 'must be a GB/T 2260 code of 6 (county), 9 (township) or 12 (village) digits' };
    if (!isWithinScope(code, scope.code)) return { field, message: `region ${code} is outside your region ${scope.code}` };
    await this.preload([code]);
    const region = this.facts.get(code);
    if (!region) return { field, message: `unknown region code ${code}` };
    if (!LEVELS.has(region.level)) return { field, message: `${region.name} (${code}) is a ${region.level}: give a county, township or village` };
    return null;
  }

  /** Errors for lon and lat when the position lies outside the region's box. */
  async checkPosition(scope: RegionScope, code: string, lon: number, lat: number): Promise<FieldError[]> {
    const errors = await this.placement.check(scope, code, lon, lat);
    return errors.filter((e) => e.field === 'lon' || e.field === 'lat');
  }
}
