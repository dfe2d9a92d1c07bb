/**
 * All SQL of the alarms, and of the map's overview and the online status that read them with
 * the registry and the latest values. Every read for a caller is filtered by its scope here.
 */
import type { Queryable } from '@anlan/db';
import { NATIONAL_CODE, scopeLikePattern, scopePrefix, type RegionScope } from '@anlan/core';
import type { Level, RuleKind } from '@anlan/rules';

export type AlarmState = 'raised' | 'acknowledged' | 'handled' | 'cleared';
export type AlarmScope = 'sensor' | 'point' | 'area';
export type ClearReason = 'recovered' | 'manual' | 'rule_changed' | 'rule_removed' | 'sensor_unbound';
export type EventKind = 'raised' | 'level_changed' | 'acknowledged' | 'handled' | 'cleared';

/** An alarm as the API shows it; times are ISO 8601 strings. */
export interface Alarm {
  id: number;
  ruleId: string;
  ruleVersion: number;
  ruleKind: RuleKind;
  ruleName: string | null;
  scope: AlarmScope;
  subject: string;
  sensorId: number | null;
  sensorCode: string | null;
  pointId: number | null;
  pointName: string | null;
  regionCode: string;
  regionName: string | null;
  level: Level;
  maxLevel: Level;
  state: AlarmState;
  value: number | null;
  message: string;
  observedAt: string | null;
  raisedAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  handledAt: string | null;
  handledBy: string | null;
  handleNote: string | null;
  clearedAt: string | null;
  clearedBy: string | null;
  clearReason: ClearReason | null;
}

export interface AlarmEvent {
  id: number;
  at: string;
  kind: EventKind;
  level: Level | null;
  previousLevel: Level | null;
  value: number | null;
  message: string | null;
  by: string | null;
  note: string | null;
}

export interface AlarmKey {
  ruleId: string;
  scope: AlarmScope;
  subject: string;
}

const ALARM_SELECT = `SELECT a.id, a.rule_id AS "ruleId", a.rule_version AS "ruleVersion", a.rule_kind AS "ruleKind", a.rule_name AS "ruleName",
  a.scope, a.subject, a.sensor_id AS "sensorId", a.sensor_code AS "sensorCode", a.point_id AS "pointId",
  (SELECT p.name FROM monitoring_points p WHERE p.id = a.point_id) AS "pointName",
  a.region_code AS "regionCode", (SELECT g.name FROM regions g WHERE g.code = a.region_code) AS "regionName",
  a.level, a.max_level AS "maxLevel", a.state, a.value, a.message, a.observed_at AS "observedAt", a.raised_at AS "raisedAt", a.updated_at AS "updatedAt",
  a.acknowledged_at AS "acknowledgedAt", a.acknowledged_by AS "acknowledgedBy", a.handled_at AS "handledAt", a.handled_by AS "handledBy",
  a.handle_note AS "handleNote", a.cleared_at AS "clearedAt", a.cleared_by AS "clearedBy", a.clear_reason AS "clearReason"
  FROM monitoring_alarms a`;

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toAlarm(r: Record<string, unknown>): Alarm {
  return {
    ...(r as unknown as Alarm),
    id: Number(r.id),
    ruleVersion: Number(r.ruleVersion),
    sensorId: numOrNull(r.sensorId),
    pointId: numOrNull(r.pointId),
    value: numOrNull(r.value),
    observedAt: iso(r.observedAt),
    raisedAt: iso(r.raisedAt)!,
    updatedAt: iso(r.updatedAt)!,
    acknowledgedAt: iso(r.acknowledgedAt),
    handledAt: iso(r.handledAt),
    clearedAt: iso(r.clearedAt),
  };
}

/**
 * Every alarm write appends to the audit log, whose append lock is table-wide. Taking it before
 * any alarm row makes one order for all alarm writers (the queue's batches, people's actions),
 * so that on PostgreSQL they cannot deadlock each other.
 */
export async function lockAuditFirst(tx: Queryable): Promise<void> {
  await tx.query('LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE');
}

/** Any alarm by id, whatever the scope: for the alarm service, which acts for the engine. */
export async function alarmById(db: Queryable, id: number): Promise<Alarm | null> {
  const r = await db.query(`${ALARM_SELECT} WHERE a.id = $1`, [id]);
  return r.rows[0] ? toAlarm(r.rows[0]) : null;
}

export async function findAlarm(db: Queryable, scope: RegionScope, id: number, forUpdate = false): Promise<Alarm | null> {
  const r = await db.query(`${ALARM_SELECT} WHERE a.id = $1 AND a.region_code LIKE $2${forUpdate ? ' FOR UPDATE OF a' : ''}`, [id, scopeLikePattern(scope)]);
  return r.rows[0] ? toAlarm(r.rows[0]) : null;
}

/** The open alarm of a key, locked for the transaction. */
export async function openAlarmOf(tx: Queryable, key: AlarmKey): Promise<Alarm | null> {
  const r = await tx.query(`${ALARM_SELECT} WHERE a.rule_id = $1 AND a.scope = $2 AND a.subject = $3 AND a.state <> 'cleared' FOR UPDATE OF a`, [key.ruleId, key.scope, key.subject]);
  return r.rows[0] ? toAlarm(r.rows[0]) : null;
}

/** The newest alarm of a key, open or not, locked. */
export async function latestAlarmOf(tx: Queryable, key: AlarmKey): Promise<Alarm | null> {
  const r = await tx.query(`${ALARM_SELECT} WHERE a.rule_id = $1 AND a.scope = $2 AND a.subject = $3 ORDER BY a.id DESC LIMIT 1 FOR UPDATE OF a`, [key.ruleId, key.scope, key.subject]);
  return r.rows[0] ? toAlarm(r.rows[0]) : null;
}

/** Every open alarm (the engine host reconciles with them on start). */
export async function allOpenAlarms(db: Queryable): Promise<Alarm[]> {
  const r = await db.query(`${ALARM_SELECT} WHERE a.state <> 'cleared' ORDER BY a.id`);
  return r.rows.map(toAlarm);
}

export interface NewAlarm {
  ruleId: string;
  ruleVersion: number;
  ruleKind: RuleKind;
  ruleName: string | null;
  scope: AlarmScope;
  subject: string;
  sensorId: number | null;
  sensorCode: string | null;
  pointId: number | null;
  regionCode: string;
  level: Level;
  value: number | null;
  message: string;
  observedAt: Date | null;
  at: Date;
}

/** Inserts an open alarm; null when the key already has one (another writer was first). */
export async function insertAlarm(tx: Queryable, a: NewAlarm): Promise<number | null> {
  const r = await tx.query<{ id: string | number }>(
    `INSERT INTO monitoring_alarms (rule_id, rule_version, rule_kind, rule_name, scope, subject, sensor_id, sensor_code, point_id, region_code,
       level, max_level, state, value, message, observed_at, raised_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 'raised', $12, $13, $14, $15, $15)
     ON CONFLICT (rule_id, scope, subject) WHERE state <> 'cleared' DO NOTHING
     RETURNING id`,
    [a.ruleId, a.ruleVersion, a.ruleKind, a.ruleName, a.scope, a.subject, a.sensorId, a.sensorCode, a.pointId, a.regionCode, a.level, a.value, a.message, a.observedAt, a.at],
  );
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

const RANK = `CASE %s WHEN 'red' THEN 4 WHEN 'orange' THEN 3 WHEN 'yellow' THEN 2 WHEN 'blue' THEN 1 ELSE 0 END`;
const rank = (col: string) => RANK.replace('%s', col);

export async function changeLevel(tx: Queryable, id: number, c: { level: Level; ruleVersion: number; value: number | null; message: string; observedAt: Date | null; at: Date }): Promise<void> {
  await tx.query(
    `UPDATE monitoring_alarms SET level = $2, max_level = CASE WHEN ${rank('$2::text')} > ${rank('max_level')} THEN $2 ELSE max_level END,
       rule_version = $3, value = $4, message = $5, observed_at = $6, updated_at = $7
     WHERE id = $1`,
    [id, c.level, c.ruleVersion, c.value, c.message, c.observedAt, c.at],
  );
}

export async function clearAlarm(tx: Queryable, id: number, c: { reason: ClearReason; by: string | null; value?: number | null; message?: string; observedAt?: Date | null; at: Date }): Promise<void> {
  await tx.query(
    `UPDATE monitoring_alarms SET state = 'cleared', cleared_at = $2, cleared_by = $3, clear_reason = $4, updated_at = $2,
       value = CASE WHEN $5::boolean THEN $6 ELSE value END, message = coalesce($7, message), observed_at = coalesce($8, observed_at)
     WHERE id = $1`,
    [id, c.at, c.by, c.reason, c.value !== undefined && c.value !== null, c.value ?? null, c.message ?? null, c.observedAt ?? null],
  );
}

/**
 * Opens a cleared alarm again (a re-raise soon after it recovered): acknowledged if someone had
 * acknowledged it, else raised; what was handled must be handled again.
 */
export async function reopenAlarm(tx: Queryable, id: number, c: { level: Level; ruleVersion: number; value: number | null; message: string; observedAt: Date | null; at: Date }): Promise<void> {
  await tx.query(
    `UPDATE monitoring_alarms SET state = CASE WHEN acknowledged_at IS NULL THEN 'raised' ELSE 'acknowledged' END,
       level = $2, max_level = CASE WHEN ${rank('$2::text')} > ${rank('max_level')} THEN $2 ELSE max_level END,
       rule_version = $3, value = $4, message = $5, observed_at = $6, updated_at = $7,
       cleared_at = NULL, cleared_by = NULL, clear_reason = NULL, handled_at = NULL, handled_by = NULL, handle_note = NULL
     WHERE id = $1`,
    [id, c.level, c.ruleVersion, c.value, c.message, c.observedAt, c.at],
  );
}

export async function acknowledge(tx: Queryable, id: number, by: string, at: Date): Promise<void> {
  await tx.query(`UPDATE monitoring_alarms SET state = CASE WHEN state = 'raised' THEN 'acknowledged' ELSE state END, acknowledged_at = $2, acknowledged_by = $3, updated_at = $2 WHERE id = $1`, [id, at, by]);
}

export async function handle(tx: Queryable, id: number, by: string, note: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE monitoring_alarms SET state = 'handled', handled_at = $2, handled_by = $3, handle_note = $4, updated_at = $2,
       acknowledged_at = coalesce(acknowledged_at, $2), acknowledged_by = coalesce(acknowledged_by, $3)
     WHERE id = $1`,
    [id, at, by, note],
  );
}

export async function insertEvent(
  tx: Queryable,
  e: { alarmId: number; at: Date; kind: EventKind; level: Level | null; previousLevel: Level | null; value: number | null; message: string | null; by: string | null; note: string | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO monitoring_alarm_events (alarm_id, at, kind, level, previous_level, value, message, by_name, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.alarmId, e.at, e.kind, e.level, e.previousLevel, e.value, e.message, e.by, e.note],
  );
}

export async function listEvents(db: Queryable, alarmId: number): Promise<AlarmEvent[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT id, at, kind, level, previous_level AS "previousLevel", value, message, by_name AS "by", note FROM monitoring_alarm_events WHERE alarm_id = $1 ORDER BY id`,
    [alarmId],
  );
  return r.rows.map((e) => ({ ...(e as unknown as AlarmEvent), id: Number(e.id), at: iso(e.at)!, value: numOrNull(e.value) }));
}

export interface AlarmFilter {
  state?: 'open' | AlarmState;
  level?: Level;
  regionCode?: string;
  pointId?: number;
  sensor?: string;
  ruleId?: string;
  limit: number;
  before?: number;
}

/** Newest first; `before` is an id cursor. */
export async function listAlarms(db: Queryable, scope: RegionScope, f: AlarmFilter): Promise<Alarm[]> {
  const params: unknown[] = [scopeLikePattern(scope)];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['a.region_code LIKE $1'];
  if (f.state === 'open') where.push(`a.state <> 'cleared'`);
  else if (f.state) where.push(`a.state = ${p(f.state)}`);
  if (f.level) where.push(`a.level = ${p(f.level)}`);
  if (f.regionCode) where.push(`a.region_code LIKE ${p(`${scopePrefix(f.regionCode)}%`)}`);
  if (f.pointId !== undefined) where.push(`a.point_id = ${p(f.pointId)}`);
  if (f.sensor) where.push(`lower(a.sensor_code) = ${p(f.sensor.toLowerCase())}`);
  if (f.ruleId) where.push(`a.rule_id = ${p(f.ruleId)}`);
  if (f.before !== undefined) where.push(`a.id < ${p(f.before)}`);
  const r = await db.query(`${ALARM_SELECT} WHERE ${where.join(' AND ')} ORDER BY a.id DESC LIMIT ${p(f.limit)}`, params);
  return r.rows.map(toAlarm);
}

// ---- the map ----

/**
 * Every point of the scope with its state, in one statement that also writes the JSON answer
 * `{"items":[…]}`: handing 50,000 rows one by one from the embedded database to JavaScript costs
 * five times the query, one string does not. A point's state is the highest level among its open
 * alarms (offline alarms excepted: offline is a state of its own), else offline when none of its
 * enabled sensors has reported within `intervals` sampling intervals though one has reported
 * before, else no data when none ever reported, else normal.
 */
export async function overviewJson(db: Queryable, scope: RegionScope, f: { type?: string; regionCode?: string }, nowMs: number, intervals: number): Promise<string> {
  const params: unknown[] = [scopeLikePattern(scope), nowMs, intervals];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['p.region_code LIKE $1'];
  if (f.regionCode) where.push(`p.region_code LIKE ${p(`${scopePrefix(f.regionCode)}%`)}`);
  if (f.type) where.push(`p.type = ${p(f.type)}`);
  const w = where.join(' AND ');
  // The whole country's sensors are aggregated without joining their points first (the join of a
  // hundred thousand rows is what is slow); a region's only for the points it has.
  const sensorsOf = scope.prefix === '' && !f.regionCode && !f.type ? '' : `WHERE s.point_id IN (SELECT p.id FROM monitoring_points p WHERE ${w})`;
  const r = await db.query<{ json: string }>(
    `WITH sen AS (
       SELECT s.point_id, count(*) AS n, count(l.ts) FILTER (WHERE s.enabled) AS reported,
         count(*) FILTER (WHERE s.enabled AND l.ts >= to_timestamp($2 / 1000.0) - s.sampling_interval_sec * $3 * interval '1 second') AS fresh
       FROM monitoring_sensors s LEFT JOIN monitoring_latest l ON l.sensor_id = s.id
       ${sensorsOf}
       GROUP BY s.point_id
     ),
     alm AS (
       SELECT a.point_id, count(*) AS n, max(CASE WHEN a.rule_kind = 'offline' THEN 0 ELSE ${rank('a.level')} END) AS lvl
       FROM monitoring_alarms a
       WHERE a.state <> 'cleared' AND a.point_id IS NOT NULL AND a.region_code LIKE $1
       GROUP BY a.point_id
     ),
     x AS (
       SELECT p.id, p.name, p.type, p.region_code, p.lon, p.lat, coalesce(sen.n, 0) AS sensors, coalesce(alm.n, 0) AS open_alarms,
         CASE coalesce(alm.lvl, 0) WHEN 4 THEN 'red' WHEN 3 THEN 'orange' WHEN 2 THEN 'yellow' WHEN 1 THEN 'blue'
           ELSE CASE WHEN coalesce(sen.reported, 0) = 0 THEN 'no_data' WHEN sen.fresh = 0 THEN 'offline' ELSE 'normal' END END AS state
       FROM monitoring_points p LEFT JOIN sen ON sen.point_id = p.id LEFT JOIN alm ON alm.point_id = p.id
       WHERE ${w}
     )
     SELECT '{"items":[' || coalesce(string_agg(format('{"id":%s,"name":%s,"type":%s,"regionCode":%s,"lon":%s,"lat":%s,"state":"%s","sensors":%s,"openAlarms":%s}',
         x.id, to_json(x.name), to_json(x.type), to_json(x.region_code), x.lon, x.lat, x.state, x.sensors, x.open_alarms), ',' ORDER BY x.id), '') || ']}' AS json
     FROM x`,
    params,
  );
  return r.rows[0]?.json ?? '{"items":[]}';
}

export interface StatusCounts {
  sensors: number;
  online: number;
  offline: number;
  noData: number;
}

/**
 * The length of the code of the regions one level below a scope prefix: provinces under the
 * country, prefectures under a province, counties under a prefecture, townships under a county.
 */
function childCodeLength(prefixLength: number): number {
  return prefixLength < 2 ? 2 : prefixLength < 4 ? 4 : prefixLength < 6 ? 6 : prefixLength < 9 ? 9 : 12;
}

/** Enabled sensors of the scope by region one level down and by type: online, offline, never reported. */
export async function status(db: Queryable, scope: RegionScope, regionCode: string | undefined, nowMs: number, intervals: number): Promise<{ byRegion: (StatusCounts & { regionCode: string; regionName: string | null })[]; byType: (StatusCounts & { type: string })[] }> {
  const prefix = regionCode ? scopePrefix(regionCode) : scope.prefix;
  const len = childCodeLength(prefix.length);
  // A point registered on the county itself stays in the county's row when the rows are townships.
  const group = len <= 6 ? `rpad(substr(p.region_code, 1, ${len}), 6, '0')` : `substr(p.region_code, 1, ${len})`;
  const params: unknown[] = [scopeLikePattern(scope), `${prefix}%`, nowMs, intervals];
  const base = `FROM monitoring_sensors s JOIN monitoring_points p ON p.id = s.point_id LEFT JOIN monitoring_latest l ON l.sensor_id = s.id
    WHERE s.enabled AND p.region_code LIKE $1 AND p.region_code LIKE $2`;
  const counts = `count(*) AS sensors,
    count(*) FILTER (WHERE l.ts >= to_timestamp($3 / 1000.0) - s.sampling_interval_sec * $4 * interval '1 second') AS online,
    count(*) FILTER (WHERE l.ts < to_timestamp($3 / 1000.0) - s.sampling_interval_sec * $4 * interval '1 second') AS offline,
    count(*) FILTER (WHERE l.ts IS NULL) AS "noData"`;
  type Row = { key: string; sensors: string | number; online: string | number; offline: string | number; noData: string | number; name?: string | null };
  const byRegion = await db.query<Row>(
    `SELECT g.key, (SELECT r.name FROM regions r WHERE r.code = g.key) AS name, g.sensors, g.online, g.offline, g."noData"
     FROM (SELECT ${group} AS key, ${counts} ${base} GROUP BY 1) g ORDER BY g.key`,
    params,
  );
  const byType = await db.query<Row>(`SELECT s.type AS key, ${counts} ${base} GROUP BY 1 ORDER BY 1`, params);
  const n = (r: Row): StatusCounts => ({ sensors: Number(r.sensors), online: Number(r.online), offline: Number(r.offline), noData: Number(r.noData) });
  return {
    byRegion: byRegion.rows.map((r) => ({ regionCode: r.key === '' ? NATIONAL_CODE : r.key, regionName: r.name ?? null, ...n(r) })),
    byType: byType.rows.map((r) => ({ type: r.key, ...n(r) })),
  };
}
