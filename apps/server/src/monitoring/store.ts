/**
 * All SQL of the monitoring registry. Every read and write of a point or sensor is filtered by
 * the caller's region scope here; a sensor's region is its point's.
 */
import type { Queryable } from '@anlan/db';
import { scopeLikePattern, scopePrefix, type RegionScope } from '@anlan/core';
import type { Actor } from '../caller.ts';
import { pointTypeName, sensorType, type AccumulationThreshold, type PointTypeKey, type Thresholds, type WatchesKind } from './catalogue.ts';
import { normaliseAccumulation, normaliseThresholds, type PointRecord, type SensorRecord } from './validate.ts';

interface Bookkeeping {
  id: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  version: number;
}

export interface PointView extends PointRecord, Bookkeeping {
  typeName: string;
  regionName: string | null;
  sensorCount: number;
}

export interface SensorView extends SensorRecord, Bookkeeping {
  typeName: string;
  pointName: string;
  regionCode: string;
  regionName: string | null;
}

export interface ListFilter {
  type?: string;
  /** Only records in this region and below. */
  regionCode?: string;
  /** Substring of the name (points) or code / point name (sensors), case-insensitive. */
  q?: string;
  /** minLon, minLat, maxLon, maxLat (WGS84). */
  bbox?: [number, number, number, number];
  pointId?: number;
  enabled?: boolean;
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

// Region names are correlated lookups, as in the users store: the planner keeps to the primary key.
const POINT_SELECT = `SELECT p.id, p.name, p.type, p.region_code AS "regionCode",
  (SELECT r.name FROM regions r WHERE r.code = p.region_code) AS "regionName",
  p.lon, p.lat, p.owner_unit AS "ownerUnit", p.watches_kind AS "watchesKind", p.watches_ref AS "watchesRef",
  p.watches_name AS "watchesName", p.notes,
  (SELECT count(*) FROM monitoring_sensors s WHERE s.point_id = p.id) AS "sensorCount",
  p.created_at AS "createdAt", p.created_by_name AS "createdBy", p.updated_at AS "updatedAt", p.updated_by_name AS "updatedBy", p.version
  FROM monitoring_points p`;

const SENSOR_SELECT = `SELECT s.id, s.code, s.point_id AS "pointId", p.name AS "pointName", p.region_code AS "regionCode",
  (SELECT r.name FROM regions r WHERE r.code = p.region_code) AS "regionName",
  s.type, s.quantity, s.unit, s.unit_override AS "unitOverride", s.sampling_interval_sec AS "samplingIntervalSec",
  s.range_min AS "rangeMin", s.range_max AS "rangeMax", s.thresholds, s.accumulation, s.enabled, s.notes,
  s.created_at AS "createdAt", s.created_by_name AS "createdBy", s.updated_at AS "updatedAt", s.updated_by_name AS "updatedBy", s.version
  FROM monitoring_sensors s JOIN monitoring_points p ON p.id = s.point_id`;

type PointRow = Omit<PointView, 'typeName'> & { type: PointTypeKey; watchesKind: WatchesKind | null };
type SensorRow = Omit<SensorView, 'typeName'> & { thresholds: Thresholds; accumulation: AccumulationThreshold[] | null };

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function toPoint(r: PointRow): PointView {
  return { ...r, id: Number(r.id), lon: Number(r.lon), lat: Number(r.lat), sensorCount: Number(r.sensorCount), version: Number(r.version), typeName: pointTypeName(r.type) };
}

function toSensor(r: SensorRow): SensorView {
  return {
    ...r,
    id: Number(r.id),
    pointId: Number(r.pointId),
    samplingIntervalSec: Number(r.samplingIntervalSec),
    rangeMin: num(r.rangeMin),
    rangeMax: num(r.rangeMax),
    // jsonb keeps its own key order; the views and the change detection want the catalogue's.
    thresholds: normaliseThresholds(r.thresholds),
    accumulation: normaliseAccumulation(r.accumulation),
    version: Number(r.version),
    typeName: sensorType(r.type)?.name ?? r.type,
  };
}

/** WHERE clauses and their parameters, numbered after the ones already taken. */
class Where {
  readonly clauses: string[] = [];
  constructor(readonly params: unknown[]) {}
  add(sql: (n: (v: unknown) => string) => string): void {
    this.clauses.push(sql((v) => `$${this.params.push(v)}`));
  }
  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

function likeContains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function regionPrefixPattern(code: string): string {
  return `${scopePrefix(code)}%`;
}

// ---- points ----

export async function findPoint(db: Queryable, scope: RegionScope, id: number): Promise<PointView | null> {
  const r = await db.query<PointRow>(`${POINT_SELECT} WHERE p.id = $1 AND p.region_code LIKE $2`, [id, scopeLikePattern(scope)]);
  return r.rows[0] ? toPoint(r.rows[0]) : null;
}

/** Points of the scope with these ids or names, for the import's point column. */
export async function findPointsByIdOrName(db: Queryable, scope: RegionScope, ids: number[], names: string[]): Promise<PointView[]> {
  if (ids.length === 0 && names.length === 0) return [];
  const r = await db.query<PointRow>(`${POINT_SELECT} WHERE p.region_code LIKE $1 AND (p.id = ANY($2::bigint[]) OR p.name = ANY($3::text[]))`, [scopeLikePattern(scope), ids, names]);
  return r.rows.map(toPoint);
}

export async function listPoints(db: Queryable, scope: RegionScope, f: ListFilter): Promise<Page<PointView>> {
  const w = new Where([]);
  w.add((n) => `p.region_code LIKE ${n(scopeLikePattern(scope))}`);
  if (f.regionCode) w.add((n) => `p.region_code LIKE ${n(regionPrefixPattern(f.regionCode!))}`);
  if (f.type) w.add((n) => `p.type = ${n(f.type)}`);
  if (f.q) {
    w.add((n) => {
      const p = n(likeContains(f.q!));
      return `(p.name ILIKE ${p} OR p.owner_unit ILIKE ${p} OR p.watches_name ILIKE ${p})`;
    });
  }
  if (f.bbox) w.add((n) => `p.geom && ST_MakeEnvelope(${n(f.bbox![0])}, ${n(f.bbox![1])}, ${n(f.bbox![2])}, ${n(f.bbox![3])}, 4326)`);
  const total = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM monitoring_points p ${w}`, w.params);
  const params = [...w.params, f.limit, f.offset];
  const r = await db.query<PointRow>(`${POINT_SELECT} ${w} ORDER BY p.region_code, p.name, p.id LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { items: r.rows.map(toPoint), total: Number(total.rows[0].n), limit: f.limit, offset: f.offset };
}

export async function insertPoint(tx: Queryable, p: PointRecord, actor: Actor): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO monitoring_points (name, type, region_code, lon, lat, owner_unit, watches_kind, watches_ref, watches_name, notes,
       created_by, created_by_name, updated_by, updated_by_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12) RETURNING id`,
    [p.name, p.type, p.regionCode, p.lon, p.lat, p.ownerUnit, p.watchesKind, p.watchesRef, p.watchesName, p.notes, actor.id, actor.name],
  );
  return Number(r.rows[0].id);
}

const BATCH = 2000;

/** Many points in a few statements (imports): row-at-a-time inserts are slow on the embedded database. */
export async function insertPoints(tx: Queryable, points: PointRecord[], actor: Actor): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < points.length; i += BATCH) {
    const b = points.slice(i, i + BATCH);
    const r = await tx.query<{ id: number }>(
      `INSERT INTO monitoring_points (name, type, region_code, lon, lat, owner_unit, watches_kind, watches_ref, watches_name, notes,
         created_by, created_by_name, updated_by, updated_by_name)
       SELECT t.*, $11::bigint, $12::text, $11::bigint, $12::text
       FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS t
       RETURNING id`,
      [
        b.map((p) => p.name), b.map((p) => p.type), b.map((p) => p.regionCode), b.map((p) => p.lon), b.map((p) => p.lat), b.map((p) => p.ownerUnit),
        b.map((p) => p.watchesKind), b.map((p) => p.watchesRef), b.map((p) => p.watchesName), b.map((p) => p.notes), actor.id, actor.name,
      ],
    );
    ids.push(...r.rows.map((row) => Number(row.id)));
  }
  return ids;
}

/** Writes the point if it is still at `version` (null: whatever it is); false when it was not. */
export async function updatePoint(tx: Queryable, scope: RegionScope, id: number, version: number | null, p: PointRecord, actor: Actor): Promise<boolean> {
  const r = await tx.query(
    `UPDATE monitoring_points SET name = $4, type = $5, region_code = $6, lon = $7, lat = $8, owner_unit = $9, watches_kind = $10,
       watches_ref = $11, watches_name = $12, notes = $13, updated_at = now(), updated_by = $14, updated_by_name = $15, version = version + 1
     WHERE id = $1 AND region_code LIKE $2 AND ($3::integer IS NULL OR version = $3)`,
    [id, scopeLikePattern(scope), version, p.name, p.type, p.regionCode, p.lon, p.lat, p.ownerUnit, p.watchesKind, p.watchesRef, p.watchesName, p.notes, actor.id, actor.name],
  );
  return r.affectedRows > 0;
}

export async function deletePoint(tx: Queryable, scope: RegionScope, id: number, version: number | null): Promise<boolean> {
  const r = await tx.query('DELETE FROM monitoring_points WHERE id = $1 AND region_code LIKE $2 AND ($3::integer IS NULL OR version = $3)', [id, scopeLikePattern(scope), version]);
  return r.affectedRows > 0;
}

// ---- sensors ----

export async function findSensor(db: Queryable, scope: RegionScope, id: number): Promise<SensorView | null> {
  const r = await db.query<SensorRow>(`${SENSOR_SELECT} WHERE s.id = $1 AND p.region_code LIKE $2`, [id, scopeLikePattern(scope)]);
  return r.rows[0] ? toSensor(r.rows[0]) : null;
}

/** Sensors of the scope with these codes (case-insensitive), for imports. */
export async function findSensorsByCode(db: Queryable, scope: RegionScope, codes: string[]): Promise<SensorView[]> {
  if (codes.length === 0) return [];
  const r = await db.query<SensorRow>(`${SENSOR_SELECT} WHERE lower(s.code) = ANY($1::text[]) AND p.region_code LIKE $2`, [codes.map((c) => c.toLowerCase()), scopeLikePattern(scope)]);
  return r.rows.map(toSensor);
}

/**
 * Codes already taken anywhere, case-insensitively, other than by `exceptId`. Codes are unique
 * across the country: a device must never report into two sensors.
 */
export async function takenCodes(db: Queryable, codes: string[], exceptId: number | null = null): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const r = await db.query<{ code: string }>('SELECT lower(code) AS code FROM monitoring_sensors WHERE lower(code) = ANY($1::text[]) AND ($2::bigint IS NULL OR id <> $2)', [
    codes.map((c) => c.toLowerCase()),
    exceptId,
  ]);
  return new Set(r.rows.map((row) => row.code));
}

export async function listSensors(db: Queryable, scope: RegionScope, f: ListFilter): Promise<Page<SensorView>> {
  const w = new Where([]);
  w.add((n) => `p.region_code LIKE ${n(scopeLikePattern(scope))}`);
  if (f.regionCode) w.add((n) => `p.region_code LIKE ${n(regionPrefixPattern(f.regionCode!))}`);
  if (f.type) w.add((n) => `s.type = ${n(f.type)}`);
  if (f.pointId !== undefined) w.add((n) => `s.point_id = ${n(f.pointId)}`);
  if (f.enabled !== undefined) w.add((n) => `s.enabled = ${n(f.enabled)}`);
  if (f.q) {
    w.add((n) => {
      const p = n(likeContains(f.q!));
      return `(s.code ILIKE ${p} OR p.name ILIKE ${p})`;
    });
  }
  if (f.bbox) w.add((n) => `p.geom && ST_MakeEnvelope(${n(f.bbox![0])}, ${n(f.bbox![1])}, ${n(f.bbox![2])}, ${n(f.bbox![3])}, 4326)`);
  const total = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM monitoring_sensors s JOIN monitoring_points p ON p.id = s.point_id ${w}`, w.params);
  const params = [...w.params, f.limit, f.offset];
  const r = await db.query<SensorRow>(`${SENSOR_SELECT} ${w} ORDER BY s.code, s.id LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { items: r.rows.map(toSensor), total: Number(total.rows[0].n), limit: f.limit, offset: f.offset };
}

function sensorValues(s: SensorRecord): unknown[] {
  return [
    s.code, s.pointId, s.type, s.quantity, s.unit, s.unitOverride, s.samplingIntervalSec, s.rangeMin, s.rangeMax,
    JSON.stringify(s.thresholds), s.accumulation === null ? null : JSON.stringify(s.accumulation), s.enabled, s.notes,
  ];
}

export async function insertSensor(tx: Queryable, s: SensorRecord, actor: Actor): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO monitoring_sensors (code, point_id, type, quantity, unit, unit_override, sampling_interval_sec, range_min, range_max,
       thresholds, accumulation, enabled, notes, created_by, created_by_name, updated_by, updated_by_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $15, $14, $15) RETURNING id`,
    [...sensorValues(s), actor.id, actor.name],
  );
  return Number(r.rows[0].id);
}

export async function insertSensors(tx: Queryable, sensors: SensorRecord[], actor: Actor): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < sensors.length; i += BATCH) {
    const b = sensors.slice(i, i + BATCH);
    const values = b.map(sensorValues);
    const column = (k: number) => values.map((v) => v[k]);
    const r = await tx.query<{ id: number }>(
      `INSERT INTO monitoring_sensors (code, point_id, type, quantity, unit, unit_override, sampling_interval_sec, range_min, range_max,
         thresholds, accumulation, enabled, notes, created_by, created_by_name, updated_by, updated_by_name)
       SELECT c, p, t, q, u, o, i, rmin, rmax, th::jsonb, acc::jsonb, e, n, $14::bigint, $15::text, $14::bigint, $15::text
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::integer[], $8::float8[], $9::float8[],
         $10::text[], $11::text[], $12::boolean[], $13::text[]) AS t(c, p, t, q, u, o, i, rmin, rmax, th, acc, e, n)
       RETURNING id`,
      [...Array.from({ length: 13 }, (_, k) => column(k)), actor.id, actor.name],
    );
    ids.push(...r.rows.map((row) => Number(row.id)));
  }
  return ids;
}

export async function updateSensor(tx: Queryable, scope: RegionScope, id: number, version: number | null, s: SensorRecord, actor: Actor): Promise<boolean> {
  const r = await tx.query(
    `UPDATE monitoring_sensors s SET code = $1, point_id = $2, type = $3, quantity = $4, unit = $5, unit_override = $6,
       sampling_interval_sec = $7, range_min = $8, range_max = $9, thresholds = $10::jsonb, accumulation = $11::jsonb, enabled = $12,
       notes = $13, updated_at = now(), updated_by = $14, updated_by_name = $15, version = s.version + 1
     FROM monitoring_points p
     WHERE s.id = $16 AND p.id = s.point_id AND p.region_code LIKE $17 AND ($18::integer IS NULL OR s.version = $18)`,
    [...sensorValues(s), actor.id, actor.name, id, scopeLikePattern(scope), version],
  );
  return r.affectedRows > 0;
}

export async function deleteSensor(tx: Queryable, scope: RegionScope, id: number, version: number | null): Promise<boolean> {
  const r = await tx.query(
    `DELETE FROM monitoring_sensors s USING monitoring_points p
     WHERE s.id = $1 AND p.id = s.point_id AND p.region_code LIKE $2 AND ($3::integer IS NULL OR s.version = $3)`,
    [id, scopeLikePattern(scope), version],
  );
  return r.affectedRows > 0;
}

/** Removes the sensors of a point the caller has already found in scope; returns what was removed. */
export async function deleteSensorsOfPoint(tx: Queryable, pointId: number): Promise<{ id: number; code: string }[]> {
  const r = await tx.query<{ id: number; code: string }>('DELETE FROM monitoring_sensors WHERE point_id = $1 RETURNING id, code', [pointId]);
  return r.rows.map((row) => ({ id: Number(row.id), code: row.code }));
}
