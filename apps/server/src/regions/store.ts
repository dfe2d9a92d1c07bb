import type { Queryable } from '@anlan/db';
import { NATIONAL_CODE, scopeLikePattern, type RegionLevel, type RegionScope } from '@anlan/core';

export interface Region {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  parentName: string | null;
  centroid: [number, number] | null;
  bbox: [number, number, number, number] | null;
  childCount: number;
  hasBoundary: boolean;
}

interface RegionRow {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  parentName: string | null;
  lon: number | null;
  lat: number | null;
  bbox: number[] | null;
  childCount: number;
}

// Correlated lookups keep every plan on the primary keys, whatever the statistics say.
const SELECT = `SELECT r.code, r.name, r.level, r.parent_code AS "parentCode",
  (SELECT p.name FROM regions p WHERE p.code = r.parent_code) AS "parentName",
  r.centroid_lon AS lon, r.centroid_lat AS lat,
  (SELECT b.bbox FROM region_boundaries b WHERE b.code = r.code) AS bbox, r.child_count AS "childCount"
  FROM regions r`;

function toRegion(r: RegionRow): Region {
  return {
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parentCode,
    parentName: r.parentName,
    centroid: r.lon === null || r.lat === null ? null : [r.lon, r.lat],
    bbox: r.bbox ? [r.bbox[0], r.bbox[1], r.bbox[2], r.bbox[3]] : null,
    childCount: Number(r.childCount),
    hasBoundary: r.bbox !== null,
  };
}

export async function findRegion(db: Queryable, scope: RegionScope, code: string): Promise<Region | null> {
  const r = await db.query<RegionRow>(`${SELECT} WHERE r.code = $1 AND r.code LIKE $2`, [code, scopeLikePattern(scope)]);
  return r.rows[0] ? toRegion(r.rows[0]) : null;
}

export async function listChildren(db: Queryable, scope: RegionScope, code: string): Promise<Region[]> {
  const r = await db.query<RegionRow>(`${SELECT} WHERE r.parent_code = $1 AND r.code LIKE $2 ORDER BY r.code`, [
    code,
    scopeLikePattern(scope),
  ]);
  return r.rows.map(toRegion);
}

/** The top of the tree a caller sees: the provinces for the whole country, else the scope itself. */
export async function listRoots(db: Queryable, scope: RegionScope): Promise<Region[]> {
  if (scope.code === NATIONAL_CODE) return listChildren(db, scope, NATIONAL_CODE);
  const own = await findRegion(db, scope, scope.code);
  return own ? [own] : [];
}

export type BoundaryDetail = 0 | 1 | 2;

export interface BoundaryFeatureRow {
  code: string;
  name: string;
  level: RegionLevel;
  source: string;
  geojson: string;
  isSelf: boolean;
}

/** GeoJSON text of the region and/or its children, pre-simplified at the requested detail. */
export async function listBoundaries(
  db: Queryable,
  scope: RegionScope,
  code: string,
  detail: BoundaryDetail,
  include: { self: boolean; children: boolean },
): Promise<BoundaryFeatureRow[]> {
  const column = (['geojson_0', 'geojson_1', 'geojson_2'] as const)[detail];
  const r = await db.query<BoundaryFeatureRow>(
    `SELECT r.code, r.name, r.level, b.source, b.${column} AS geojson, r.code = $1 AS "isSelf"
     FROM regions r JOIN region_boundaries b ON b.code = r.code
     WHERE r.code LIKE $2 AND ((r.code = $1 AND $3) OR (r.parent_code = $1 AND $4))
     ORDER BY r.code`,
    [code, scopeLikePattern(scope), include.self, include.children],
  );
  return r.rows;
}

export async function countRegions(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number | string }>('SELECT count(*) AS n FROM regions');
  return Number(r.rows[0].n);
}
