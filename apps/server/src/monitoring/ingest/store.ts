/**
 * All SQL of the readings: partitions, the batch insert (readings, latest, rollups in one
 * statement), the quarantine, the chart queries and retention.
 */
import type { Database, Queryable } from '@anlan/db';
import { NATIONAL_CODE, scopeLikePattern, type RegionScope } from '@anlan/core';

// ---- partitions ----

const PARTITION_PREFIX = 'monitoring_readings_p';

/** UTC month key 202611 of an instant (ms). */
export function monthKey(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

function monthStart(key: number): Date {
  return new Date(Date.UTC(Math.floor(key / 100), (key % 100) - 1, 1));
}

function nextMonth(key: number): number {
  const y = Math.floor(key / 100);
  const m = key % 100;
  return m === 12 ? (y + 1) * 100 + 1 : key + 1;
}

/**
 * The monthly partitions that exist, cached per process. A partition is created before the first
 * insert into its month, outside the request transaction (DDL would hold a lock on the parent for
 * the whole batch), with IF NOT EXISTS so two processes may race for it.
 */
export class Partitions {
  private known: Set<number> | null = null;

  async ensure(db: Queryable, months: Iterable<number>): Promise<void> {
    if (!this.known) await this.reload(db);
    for (const key of months) {
      if (this.known!.has(key)) continue;
      const from = monthStart(key).toISOString();
      const to = monthStart(nextMonth(key)).toISOString();
      try {
        await db.exec(`CREATE TABLE IF NOT EXISTS ${PARTITION_PREFIX}${key} PARTITION OF monitoring_readings FOR VALUES FROM ('${from}') TO ('${to}')`);
      } catch (err) {
        // Another process created it between our check and our CREATE (catalog race): fine if it now exists.
        await this.reload(db);
        if (!this.known!.has(key)) throw err;
      }
      this.known!.add(key);
    }
  }

  /** Forget what we know (another process may have dropped a partition). */
  invalidate(): void {
    this.known = null;
  }

  async list(db: Queryable): Promise<number[]> {
    await this.reload(db);
    return [...this.known!].sort((a, b) => a - b);
  }

  private async reload(db: Queryable): Promise<void> {
    const r = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = 'monitoring_readings'`,
    );
    this.known = new Set(r.rows.map((row) => Number(row.name.slice(PARTITION_PREFIX.length))).filter(Number.isInteger));
  }
}

// ---- the batch ----

export interface AcceptedRow {
  sensorId: number;
  tsMs: number;
  value: number;
}

/**
 * Inserts the readings, skipping those already stored (same sensor and instant), and in the same
 * statement folds the inserted ones into the latest values and the rollups. Returns the keys
 * `sensorId:tsMs` of the rows inserted; the others were duplicates of stored readings.
 */
export async function insertReadings(tx: Queryable, rows: AcceptedRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  // Sorted, so that concurrent batches (PostgreSQL) lock rollup and latest rows in the same order.
  const sorted = [...rows].sort((a, b) => a.sensorId - b.sensorId || a.tsMs - b.tsMs);
  const rollup = (table: string, unit: string) => `
    ${table} AS (
      INSERT INTO ${table} AS r (sensor_id, bucket, count, sum, min, max)
      SELECT sensor_id, date_trunc('${unit}', ts, 'UTC'), count(*), sum(value), min(value), max(value)
      FROM ins GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (sensor_id, bucket) DO UPDATE SET count = r.count + EXCLUDED.count, sum = r.sum + EXCLUDED.sum,
        min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max)
      RETURNING 1
    )`;
  const r = await tx.query<{ sensor_id: string | number; ms: string | number }>(
    `WITH ins AS (
       INSERT INTO monitoring_readings (sensor_id, ts, value)
       SELECT s, to_timestamp(t / 1000.0), v FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS u(s, t, v)
       ON CONFLICT (sensor_id, ts) DO NOTHING
       RETURNING sensor_id, ts, value
     ),
     latest AS (
       INSERT INTO monitoring_latest AS l (sensor_id, ts, value)
       SELECT DISTINCT ON (sensor_id) sensor_id, ts, value FROM ins ORDER BY sensor_id, ts DESC
       ON CONFLICT (sensor_id) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value, received_at = now()
         WHERE l.ts < EXCLUDED.ts
       RETURNING 1
     ),
     ${rollup('monitoring_rollup_minute', 'minute')},
     ${rollup('monitoring_rollup_hour', 'hour')}
     SELECT sensor_id, round(extract(epoch FROM ts) * 1000)::bigint AS ms FROM ins`,
    [sorted.map((x) => x.sensorId), sorted.map((x) => x.tsMs), sorted.map((x) => x.value)],
  );
  return new Set(r.rows.map((row) => `${Number(row.sensor_id)}:${Number(row.ms)}`));
}

export interface QuarantineRow {
  index: number;
  sensorCode: string | null;
  ts: string | null;
  value: string | null;
  reason: string;
  message: string;
  regionCode: string | null;
}

export async function insertQuarantine(tx: Queryable, receivedBy: string, rows: QuarantineRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const b = rows.slice(i, i + 5000);
    await tx.query(
      `INSERT INTO monitoring_quarantine (received_by, batch_index, sensor_code, ts, value, reason, message, region_code)
       SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [receivedBy, b.map((q) => q.index), b.map((q) => q.sensorCode), b.map((q) => q.ts), b.map((q) => q.value), b.map((q) => q.reason), b.map((q) => q.message), b.map((q) => q.regionCode)],
    );
  }
}

// ---- reading back ----

export interface RawPoint {
  ts: Date;
  value: number;
}

export interface RollupPoint {
  ts: Date;
  count: number;
  avg: number;
  min: number;
  max: number;
}

export async function readRaw(db: Queryable, sensorId: number, from: Date, to: Date, limit: number): Promise<RawPoint[]> {
  const r = await db.query<{ ts: Date; value: number }>('SELECT ts, value FROM monitoring_readings WHERE sensor_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4', [
    sensorId, from, to, limit,
  ]);
  return r.rows.map((row) => ({ ts: new Date(row.ts), value: Number(row.value) }));
}

export async function readRollup(db: Queryable, table: 'minute' | 'hour', sensorId: number, from: Date, to: Date, limit: number): Promise<RollupPoint[]> {
  const r = await db.query<{ ts: Date; count: number; sum: number; min: number; max: number }>(
    `SELECT bucket AS ts, count, sum, min, max FROM monitoring_rollup_${table} WHERE sensor_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket LIMIT $4`,
    [sensorId, from, to, limit],
  );
  return r.rows.map((row) => ({ ts: new Date(row.ts), count: Number(row.count), avg: Number(row.sum) / Number(row.count), min: Number(row.min), max: Number(row.max) }));
}

export interface LatestView {
  sensorId: number;
  code: string;
  quantity: string;
  unit: string;
  ts: Date | null;
  value: number | null;
}

/** Latest values of the sensors of one point (the caller has found the point in scope). */
export async function latestOfPoint(db: Queryable, pointId: number): Promise<LatestView[]> {
  const r = await db.query<{ sensorId: number; code: string; quantity: string; unit: string; ts: Date | null; value: number | null }>(
    `SELECT s.id AS "sensorId", s.code, s.quantity, s.unit, l.ts, l.value
     FROM monitoring_sensors s LEFT JOIN monitoring_latest l ON l.sensor_id = s.id WHERE s.point_id = $1 ORDER BY s.code`,
    [pointId],
  );
  return r.rows.map((row) => ({ ...row, sensorId: Number(row.sensorId), ts: row.ts ? new Date(row.ts) : null, value: row.value === null ? null : Number(row.value) }));
}

export interface QuarantineView {
  id: number;
  receivedAt: Date;
  receivedBy: string;
  index: number;
  sensor: string | null;
  ts: string | null;
  value: string | null;
  reason: string;
  message: string | null;
  regionCode: string | null;
}

/** Newest first. A national caller also sees the rows of unknown sensors (no region). */
export async function listQuarantine(db: Queryable, scope: RegionScope, limit: number, before: number | null): Promise<QuarantineView[]> {
  const r = await db.query<QuarantineView>(
    `SELECT id, received_at AS "receivedAt", received_by AS "receivedBy", batch_index AS "index", sensor_code AS sensor, ts, value, reason, message,
       region_code AS "regionCode"
     FROM monitoring_quarantine
     WHERE ($1::boolean OR region_code LIKE $2) AND ($3::bigint IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [scope.code === NATIONAL_CODE, scopeLikePattern(scope), before, limit],
  );
  return r.rows.map((row) => ({ ...row, id: Number(row.id), index: Number(row.index), receivedAt: new Date(row.receivedAt) }));
}

// ---- retention ----

export interface PurgeReport {
  droppedPartitions: string[];
  deletedReadings: number;
  deletedRollups: number;
  deletedQuarantine: number;
}

/**
 * Removes what is older than the cutoff: whole monthly partitions that end before it are dropped,
 * the rest of the readings older than it deleted from the partition it falls in; rollups and
 * quarantine rows likewise. The latest values stay (they are one row per sensor).
 */
export async function purgeBefore(db: Database, partitions: Partitions, cutoff: Date): Promise<PurgeReport> {
  const report: PurgeReport = { droppedPartitions: [], deletedReadings: 0, deletedRollups: 0, deletedQuarantine: 0 };
  for (const key of await partitions.list(db)) {
    if (monthStart(nextMonth(key)).getTime() <= cutoff.getTime()) {
      await db.exec(`DROP TABLE IF EXISTS ${PARTITION_PREFIX}${key}`);
      report.droppedPartitions.push(`${PARTITION_PREFIX}${key}`);
    }
  }
  partitions.invalidate();
  report.deletedReadings = (await db.query('DELETE FROM monitoring_readings WHERE ts < $1', [cutoff])).affectedRows;
  report.deletedRollups += (await db.query('DELETE FROM monitoring_rollup_minute WHERE bucket < $1', [cutoff])).affectedRows;
  report.deletedRollups += (await db.query('DELETE FROM monitoring_rollup_hour WHERE bucket < $1', [cutoff])).affectedRows;
  report.deletedQuarantine = (await db.query('DELETE FROM monitoring_quarantine WHERE received_at < $1', [cutoff])).affectedRows;
  return report;
}
