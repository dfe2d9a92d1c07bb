import type { Queryable } from '@anlan/db';
import { scopeLikePattern, type RegionScope } from '@anlan/core';

export interface StoredAssessment {
  id: number;
  name: string | null;
  createdAt: Date;
  createdBy: string;
  epicentre: { code: string; name: string };
  event: Record<string, unknown>;
  summary: Record<string, unknown>;
  regions: { code: string }[];
  contours: unknown;
  seconds: number;
  /** Set when an earthquake report started it. */
  report: { id: number; source: string; format: string; place: string | null; status: string } | null;
  supersededBy: number | null;
  cancelledAt: Date | null;
}

interface Row {
  id: number;
  name: string | null;
  createdAt: Date;
  createdBy: string;
  regionCode: string;
  regionName: string;
  event: Record<string, unknown>;
  summary: Record<string, unknown>;
  regions?: { code: string }[];
  contours?: unknown;
  seconds: number;
  reportId: number | null;
  reportSource: string | null;
  reportFormat: string | null;
  reportPlace: string | null;
  reportStatus: string | null;
  supersededBy: number | null;
  cancelledAt: Date | null;
}

// Readable when the epicentre county, or any county shaken to VI or more, is inside the scope.
const VISIBLE = `(a.region_code LIKE $1 OR EXISTS (SELECT 1 FROM unnest(a.affected_codes) c WHERE c LIKE $1))`;

const SUMMARY_COLUMNS = `a.id, a.name, a.created_at AS "createdAt", a.created_by_name AS "createdBy", a.region_code AS "regionCode",
  a.region_name AS "regionName", a.event, a.summary, a.seconds, a.report_id AS "reportId", rep.source AS "reportSource",
  rep.format AS "reportFormat", rep.place AS "reportPlace", rep.status AS "reportStatus", a.superseded_by AS "supersededBy",
  a.cancelled_at AS "cancelledAt"`;
const FROM = 'earthquake_assessments a LEFT JOIN earthquake_reports rep ON rep.id = a.report_id';

function toStored(r: Row): StoredAssessment {
  return {
    id: Number(r.id),
    name: r.name,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    epicentre: { code: r.regionCode, name: r.regionName },
    event: r.event,
    summary: r.summary,
    regions: r.regions ?? [],
    contours: r.contours ?? null,
    seconds: Number(r.seconds),
    report:
      r.reportId === null
        ? null
        : { id: Number(r.reportId), source: r.reportSource ?? '', format: r.reportFormat ?? '', place: r.reportPlace, status: r.reportStatus ?? 'Actual' },
    supersededBy: r.supersededBy === null ? null : Number(r.supersededBy),
    cancelledAt: r.cancelledAt,
  };
}

/** The county whose polygon holds the point, else the nearest county (an offshore epicentre). */
export async function countyAt(db: Queryable, lon: number, lat: number): Promise<{ code: string; name: string } | null> {
  const point = 'ST_SetSRID(ST_MakePoint($1, $2), 4326)';
  const inside = await db.query<{ code: string; name: string }>(
    `SELECT r.code, r.name FROM region_boundaries b JOIN regions r ON r.code = b.code
     WHERE r.level = 'county' AND ST_Intersects(b.geom, ${point}) ORDER BY r.code LIMIT 1`,
    [lon, lat],
  );
  if (inside.rows[0]) return inside.rows[0];
  // Index-assisted nearest neighbour: no distance is computed for the other 2,900 polygons.
  const nearest = await db.query<{ code: string; name: string }>(
    `SELECT r.code, r.name FROM region_boundaries b JOIN regions r ON r.code = b.code
     WHERE r.level = 'county' ORDER BY b.geom <-> ${point} LIMIT 1`,
    [lon, lat],
  );
  return nearest.rows[0] ?? null;
}

export async function insertAssessment(
  tx: Queryable,
  a: {
    name: string | null;
    createdBy: number | null;
    createdByName: string;
    regionCode: string;
    regionName: string;
    affectedCodes: string[];
    event: unknown;
    summary: unknown;
    regions: unknown;
    contours: unknown;
    seconds: number;
    reportId?: number | null;
    inventoryId?: number | null;
  },
): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO earthquake_assessments (name, created_by, created_by_name, region_code, region_name, affected_codes, event, summary, regions, contours, seconds, report_id, inventory_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
    [
      a.name,
      a.createdBy,
      a.createdByName,
      a.regionCode,
      a.regionName,
      a.affectedCodes,
      JSON.stringify(a.event),
      JSON.stringify(a.summary),
      JSON.stringify(a.regions),
      JSON.stringify(a.contours),
      a.seconds,
      a.reportId ?? null,
      a.inventoryId ?? null,
    ],
  );
  return Number(r.rows[0].id);
}

/** Marks earlier assessments of the same earthquake as replaced by a newer one. */
export async function supersedeAssessments(tx: Queryable, ids: number[], by: number): Promise<void> {
  if (ids.length === 0) return;
  await tx.query('UPDATE earthquake_assessments SET superseded_by = $2 WHERE id = ANY($1::bigint[]) AND superseded_by IS NULL', [ids, by]);
}

export async function cancelAssessments(tx: Queryable, ids: number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.query('UPDATE earthquake_assessments SET cancelled_at = $2 WHERE id = ANY($1::bigint[]) AND cancelled_at IS NULL', [ids, at]);
}

export async function listAssessments(db: Queryable, scope: RegionScope, limit: number): Promise<StoredAssessment[]> {
  const r = await db.query<Row>(`SELECT ${SUMMARY_COLUMNS} FROM ${FROM} WHERE ${VISIBLE} ORDER BY a.id DESC LIMIT $2`, [
    scopeLikePattern(scope),
    limit,
  ]);
  return r.rows.map(toStored);
}

export async function findAssessment(db: Queryable, scope: RegionScope, id: number): Promise<StoredAssessment | null> {
  const r = await db.query<Row>(`SELECT ${SUMMARY_COLUMNS}, a.regions, a.contours FROM ${FROM} WHERE a.id = $2 AND ${VISIBLE}`, [
    scopeLikePattern(scope),
    id,
  ]);
  return r.rows[0] ? toStored(r.rows[0]) : null;
}
