/**
 * All SQL of the rules: stored rules and their versions (scoped here), and the reads of the
 * registry and the readings that the engine host needs (unscoped: the engine serves everyone).
 */
import type { Queryable } from '@anlan/db';
import { NATIONAL_CODE, scopeLikePattern, scopePrefix, type RegionScope } from '@anlan/core';
import type { Rule, RuleKind } from '@anlan/rules';
import type { Actor } from '../../caller.ts';
import type { SensorMeta } from './defaults.ts';
import { normaliseAccumulation, normaliseThresholds } from '../validate.ts';

export interface StoredRule {
  id: string;
  kind: RuleKind;
  definition: Rule;
  version: number;
  enabled: boolean;
  regionCode: string;
  regionName: string | null;
  origin: 'catalogue' | 'user';
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
}

export interface RuleVersion {
  version: number;
  change: 'created' | 'updated' | 'deleted';
  kind: RuleKind;
  definition: Rule;
  enabled: boolean;
  regionCode: string;
  changedAt: Date;
  changedBy: string;
}

const RULE_SELECT = `SELECT r.id, r.kind, r.definition, r.version, r.enabled, r.region_code AS "regionCode",
  (SELECT g.name FROM regions g WHERE g.code = r.region_code) AS "regionName", r.origin,
  r.created_at AS "createdAt", r.created_by_name AS "createdBy", r.updated_at AS "updatedAt", r.updated_by_name AS "updatedBy"
  FROM monitoring_rules r`;

// National rules (type rules, composites over every point) apply to every region's sensors, so
// every region reads them.
const VISIBLE = `(r.region_code LIKE $1 OR r.region_code = '${NATIONAL_CODE}')`;

function toRule(r: StoredRule): StoredRule {
  return { ...r, version: Number(r.version), createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) };
}

/** Every stored rule, for the engine. */
export async function allRules(db: Queryable): Promise<StoredRule[]> {
  const r = await db.query<StoredRule>(`${RULE_SELECT} ORDER BY r.id`);
  return r.rows.map(toRule);
}

export async function findRule(db: Queryable, scope: RegionScope, id: string, forUpdate = false): Promise<StoredRule | null> {
  const r = await db.query<StoredRule>(`${RULE_SELECT} WHERE r.id = $2 AND ${VISIBLE}${forUpdate ? ' FOR UPDATE OF r' : ''}`, [scopeLikePattern(scope), id]);
  return r.rows[0] ? toRule(r.rows[0]) : null;
}

/** Whether a rule of this id exists anywhere (ids are global: the engine knows no regions). */
export async function ruleExists(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM monitoring_rules WHERE id = $1', [id]);
  return r.rows.length > 0;
}

export interface RuleFilter {
  kind?: string;
  sensorType?: string;
  /** Rules naming this sensor code. */
  sensor?: string;
  /** Rules about this sensor: naming it or its type. */
  sensorOrType?: { code: string; type: string };
  regionCode?: string;
  enabled?: boolean;
  q?: string;
  limit: number;
  offset: number;
}

export async function listRules(db: Queryable, scope: RegionScope, f: RuleFilter): Promise<{ items: StoredRule[]; total: number }> {
  const params: unknown[] = [scopeLikePattern(scope)];
  const where = [VISIBLE];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (f.kind) where.push(`r.kind = ${p(f.kind)}`);
  if (f.sensorType) where.push(`r.definition->>'sensorType' = ${p(f.sensorType)}`);
  if (f.sensor) where.push(`lower(r.definition->>'sensor') = ${p(f.sensor.toLowerCase())}`);
  if (f.sensorOrType) where.push(`(r.definition->>'sensor' = ${p(f.sensorOrType.code)} OR r.definition->>'sensorType' = ${p(f.sensorOrType.type)})`);
  if (f.regionCode) where.push(`(r.region_code LIKE ${p(`${scopePrefix(f.regionCode)}%`)} OR r.region_code = '${NATIONAL_CODE}')`);
  if (f.enabled !== undefined) where.push(`r.enabled = ${p(f.enabled)}`);
  if (f.q) {
    const like = p(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(r.id ILIKE ${like} OR r.definition->>'name' ILIKE ${like})`);
  }
  const w = `WHERE ${where.join(' AND ')}`;
  const total = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM monitoring_rules r ${w}`, params);
  const r = await db.query<StoredRule>(`${RULE_SELECT} ${w} ORDER BY r.region_code, r.id LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`, params);
  return { items: r.rows.map(toRule), total: Number(total.rows[0].n) };
}

/** The version a new save of this id gets: one past every version ever saved under it. */
export async function nextVersion(tx: Queryable, id: string): Promise<number> {
  const r = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM monitoring_rule_versions WHERE rule_id = $1', [id]);
  return Number(r.rows[0]?.v ?? 0) + 1;
}

export async function insertRule(tx: Queryable, rule: Rule, regionCode: string, origin: 'catalogue' | 'user', actor: Actor): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO monitoring_rules (id, kind, definition, version, enabled, region_code, origin, created_by, created_by_name, updated_by, updated_by_name)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [rule.id, rule.kind, JSON.stringify(rule), rule.version, rule.enabled, regionCode, origin, actor.id, actor.name],
  );
  return r.affectedRows > 0;
}

/** Replaces the definition if the rule is still at `expected`; false when it is not. */
export async function updateRule(tx: Queryable, rule: Rule, expected: number, regionCode: string, actor: Actor): Promise<boolean> {
  const r = await tx.query(
    `UPDATE monitoring_rules SET kind = $2, definition = $3::jsonb, version = $4, enabled = $5, region_code = $6,
       updated_at = now(), updated_by = $7, updated_by_name = $8
     WHERE id = $1 AND version = $9`,
    [rule.id, rule.kind, JSON.stringify(rule), rule.version, rule.enabled, regionCode, actor.id, actor.name, expected],
  );
  return r.affectedRows > 0;
}

export async function deleteRule(tx: Queryable, id: string, expected: number | null): Promise<boolean> {
  const r = await tx.query('DELETE FROM monitoring_rules WHERE id = $1 AND ($2::integer IS NULL OR version = $2)', [id, expected]);
  return r.affectedRows > 0;
}

export async function insertVersion(tx: Queryable, v: { rule: Rule; version: number; change: RuleVersion['change']; regionCode: string }, actor: Actor): Promise<void> {
  await tx.query(
    `INSERT INTO monitoring_rule_versions (rule_id, version, change, kind, definition, enabled, region_code, changed_by, changed_by_name)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)`,
    [v.rule.id, v.version, v.change, v.rule.kind, JSON.stringify(v.rule), v.rule.enabled, v.regionCode, actor.id, actor.name],
  );
}

/** Newest first. The caller has checked that the rule (or its last version) is in scope. */
export async function listVersions(db: Queryable, id: string): Promise<RuleVersion[]> {
  const r = await db.query<RuleVersion>(
    `SELECT version, change, kind, definition, enabled, region_code AS "regionCode", changed_at AS "changedAt", changed_by_name AS "changedBy"
     FROM monitoring_rule_versions WHERE rule_id = $1 ORDER BY version DESC`,
    [id],
  );
  return r.rows.map((v) => ({ ...v, version: Number(v.version), changedAt: new Date(v.changedAt) }));
}

/** The region of the newest version of a rule, deleted or not (for the versions of a deleted rule). */
export async function lastVersionRegion(db: Queryable, id: string): Promise<string | null> {
  const r = await db.query<{ regionCode: string }>('SELECT region_code AS "regionCode" FROM monitoring_rule_versions WHERE rule_id = $1 ORDER BY version DESC LIMIT 1', [id]);
  return r.rows[0]?.regionCode ?? null;
}

// ---- for the engine host ----

type SensorRow = Omit<SensorMeta, 'id' | 'pointId' | 'samplingIntervalSec'> & { id: string | number; pointId: string | number; samplingIntervalSec: string | number };

const SENSOR_META = `SELECT s.id, s.code, s.type, s.point_id AS "pointId", p.region_code AS "regionCode", s.unit, s.quantity,
  s.sampling_interval_sec AS "samplingIntervalSec", s.thresholds, s.accumulation, s.enabled
  FROM monitoring_sensors s JOIN monitoring_points p ON p.id = s.point_id`;

function toMeta(r: SensorRow): SensorMeta {
  return {
    ...r,
    id: Number(r.id),
    pointId: Number(r.pointId),
    samplingIntervalSec: Number(r.samplingIntervalSec),
    thresholds: normaliseThresholds(r.thresholds),
    accumulation: normaliseAccumulation(r.accumulation),
  };
}

/** Sensors with what the engine needs; all of them, or those with these ids or on these points. */
export async function loadSensors(db: Queryable, only?: { ids: number[]; pointIds: number[] }): Promise<SensorMeta[]> {
  const r = only
    ? await db.query<SensorRow>(`${SENSOR_META} WHERE s.id = ANY($1::bigint[]) OR s.point_id = ANY($2::bigint[])`, [only.ids, only.pointIds])
    : await db.query<SensorRow>(SENSOR_META);
  return r.rows.map(toMeta);
}

export interface PointMeta {
  id: number;
  name: string;
  regionCode: string;
}

export async function loadPoints(db: Queryable, ids?: number[]): Promise<PointMeta[]> {
  const r = ids
    ? await db.query<PointMeta>('SELECT id, name, region_code AS "regionCode" FROM monitoring_points WHERE id = ANY($1::bigint[])', [ids])
    : await db.query<PointMeta>('SELECT id, name, region_code AS "regionCode" FROM monitoring_points');
  return r.rows.map((p) => ({ ...p, id: Number(p.id) }));
}

export async function regionNames(db: Queryable, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const r = await db.query<{ code: string; name: string }>('SELECT code, name FROM regions WHERE code = ANY($1::text[])', [codes]);
  return new Map(r.rows.map((x) => [x.code, x.name]));
}

/** The newest reading of every sensor (the ingest keeps it; it may lag the readings by a moment). */
export async function latestReadings(db: Queryable): Promise<{ sensorId: number; tsMs: number; value: number }[]> {
  const r = await db.query<{ sensorId: string | number; ms: string | number; value: number }>(
    'SELECT sensor_id AS "sensorId", round(extract(epoch FROM ts) * 1000)::bigint AS ms, value FROM monitoring_latest',
  );
  return r.rows.map((x) => ({ sensorId: Number(x.sensorId), tsMs: Number(x.ms), value: Number(x.value) }));
}

/**
 * Readings of these sensors, each after its own start, in [fromMs, toMs), oldest first: one slice
 * of the warm-up, so that memory stays bounded whatever the history.
 */
export async function readingsSlice(db: Queryable, sensors: { ids: number[]; sinceMs: number[] }, fromMs: number, toMs: number): Promise<{ sensorId: number; tsMs: number; value: number }[]> {
  const r = await db.query<{ sensorId: string | number; ms: string | number; value: number }>(
    `SELECT r.sensor_id AS "sensorId", round(extract(epoch FROM r.ts) * 1000)::bigint AS ms, r.value
     FROM monitoring_readings r JOIN unnest($1::bigint[], $2::float8[]) AS h(id, since) ON r.sensor_id = h.id
     WHERE r.ts >= to_timestamp($3 / 1000.0) AND r.ts < to_timestamp($4 / 1000.0) AND r.ts >= to_timestamp(h.since / 1000.0)
     ORDER BY r.ts, r.sensor_id`,
    [sensors.ids, sensors.sinceMs, fromMs, toMs],
  );
  return r.rows.map((x) => ({ sensorId: Number(x.sensorId), tsMs: Number(x.ms), value: Number(x.value) }));
}
