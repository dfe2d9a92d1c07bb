/**
 * Where a warning's areas lie: each region must exist and be inside the caller's scope; each
 * polygon must be a valid geometry (ST_IsValid) and each polygon or circle is placed in the
 * smallest region whose boundary holds it. The warning's region is the smallest region holding
 * all its areas, and it decides who may see and approve the warning.
 */
import { NATIONAL_CODE, isWithinScope, type FieldError, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import type { AreaRecord } from './draft.ts';
import * as store from './store.ts';

/**
 * The share of a shape's area that must fall inside a region for the shape to count as inside it.
 * Not 1: the reference boundaries are simplified, and a polygon drawn along a county's edge should
 * not become the prefecture's warning because of a sliver the simplification moved (the 泸定
 * sample's rectangle has 4 % of its area across the line in 石棉县).
 */
export const INSIDE_SHARE = 0.95;
/** A region touched by less than this share of a shape is not where the shape lies. */
const NEGLIGIBLE_SHARE = 0.02;
const LEVEL_DEPTH: Record<string, number> = { country: 0, province: 1, prefecture: 2, county: 3, township: 4, village: 5 };

export interface Placement {
  areas: store.PlacedArea[];
  /** The smallest region holding every area ('000000' when only the whole country does). */
  regionCode: string;
  errors: FieldError[];
}

/** The deepest region that every chain contains; NATIONAL_CODE when they share none. */
export function commonOfChains(chains: string[][]): string {
  if (chains.length === 0) return NATIONAL_CODE;
  // Chains run from the region up to its province; compare from the top down.
  const tops = chains.map((c) => [...c].reverse());
  let common = NATIONAL_CODE;
  for (let depth = 0; ; depth++) {
    const code = tops[0][depth];
    if (code === undefined || !tops.every((t) => t[depth] === code)) return common;
    common = code;
  }
}

/** The smallest region containing all these regions. */
export async function commonRegion(db: Queryable, codes: string[]): Promise<string> {
  const unique = [...new Set(codes)];
  if (unique.length === 1) return unique[0];
  const chains = await store.ancestorChains(db, unique);
  return commonOfChains(unique.map((c) => chains.get(c) ?? [c]));
}

function circleLabel(a: Extract<AreaRecord, { kind: 'circle' }>, within: string | null): string {
  return `${within ?? ''}以 ${a.lon.toFixed(4)}°E ${a.lat.toFixed(4)}°N 为中心半径 ${a.radiusKm} 公里范围`;
}

/**
 * Checks and places the areas of a draft for a caller of `scope`. Field errors name the area
 * (`areas[1].polygon`); a shape outside every known boundary, or reaching outside the caller's
 * region, is an error like a region outside it.
 */
export async function placeAreas(db: Queryable, scope: RegionScope, areas: AreaRecord[]): Promise<Placement> {
  const errors: FieldError[] = [];
  const regionCodes = areas.flatMap((a) => (a.kind === 'region' ? [a.regionCode] : []));
  const hints = areas.flatMap((a) => (a.kind !== 'region' && a.within ? [a.within] : []));
  const names = await store.regionNames(db, [...regionCodes, ...hints]);
  const placed: store.PlacedArea[] = [];
  const codes: string[] = [];
  let polygonCount = 0;

  for (const [i, a] of areas.entries()) {
    if (a.kind === 'region') {
      const field = `areas[${i}].regionCode`;
      // Scope first: a region of another county gets the same answer whether or not it exists.
      if (!isWithinScope(a.regionCode, scope.code)) errors.push({ field, message: `region ${a.regionCode} is outside your region (${scope.code})` });
      else if (!names.has(a.regionCode)) errors.push({ field, message: `unknown region code ${a.regionCode}` });
      else {
        placed.push({ ...a, label: a.label ?? names.get(a.regionCode)!, withinCode: null });
        codes.push(a.regionCode);
      }
      continue;
    }
    const field = `areas[${i}].${a.kind}`;
    const shape = await store.checkShape(db, a);
    if (!shape.valid) {
      errors.push({ field, message: `is not a valid polygon${shape.reason ? `: ${shape.reason}` : ''} (the edges may not cross or touch each other)` });
      continue;
    }
    const inside = shape.regions.filter((r) => r.share >= INSIDE_SHARE).sort((x, y) => (LEVEL_DEPTH[y.level] ?? 0) - (LEVEL_DEPTH[x.level] ?? 0));
    const touched = shape.regions.filter((r) => r.share >= NEGLIGIBLE_SHARE).map((r) => r.code);
    let within: string;
    // The issuer's word for where the shape is (an imported area's geocode) counts when the shape
    // touches that region, or the county of that township.
    if (a.within && names.has(a.within) && touched.some((c) => c === a.within || c === a.within!.slice(0, 6))) within = a.within;
    else if (inside.length > 0) within = inside[0].code;
    else {
      if (touched.length === 0) {
        errors.push({ field, message: 'lies outside every region Anlan has a boundary for' });
        continue;
      }
      within = await commonRegion(db, touched);
    }
    const withinNames = await store.regionNames(db, [within]);
    if (!isWithinScope(within, scope.code)) {
      const spread = shape.regions
        .filter((r) => r.level === 'county' && r.share >= NEGLIGIBLE_SHARE)
        .sort((x, y) => y.share - x.share)
        .map((r) => `${r.code} ${Math.round(r.share * 100)}%`);
      errors.push({
        field,
        message: `reaches outside your region (${scope.code}): the smallest region holding it is ${withinNames.get(within) ?? ''} (${within})${spread.length ? `; it covers ${spread.join(', ')}` : ''}`,
      });
      continue;
    }
    const withinName = withinNames.get(within) ?? null;
    if (a.kind === 'polygon') polygonCount += 1;
    placed.push({ ...a, label: a.label ?? (a.kind === 'polygon' ? `${withinName ?? ''}多边形区域${polygonCount}` : circleLabel(a, withinName)), withinCode: within });
    codes.push(within);
  }
  const regionCode = errors.length === 0 && codes.length > 0 ? await commonRegion(db, codes) : scope.code;
  return { areas: placed, regionCode, errors };
}
