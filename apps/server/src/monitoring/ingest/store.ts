/**
 * All SQL of the readings: partitions, the batch insert (readings, latest, rollups in one
 * statement), the quarantine, the chart queries and retention.
 */
import type { Database, Queryable } from '@anlan/db';
import { NATIONAL_CODE, scopeLikePattern, type RegionScope } from '@anlan/core';
import type { DurableBatch } from './batch.ts';
import type { RollupRows } from './rollups.ts';

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

/** An instant in ms as SQL computes it from a float8 parameter, exactly (to_timestamp rounds through seconds). */
const MS_TO_TS = (param: string) => `'epoch'::timestamptz + ${param} * interval '1 millisecond'`;

/** Bulk load of readings the ingest has already checked for duplicates (embedded database). */
export async function copyReadings(tx: Queryable, group: DurableBatch[]): Promise<void> {
  const parts: string[] = [];
  for (const b of group) for (let i = 0; i < b.ids.length; i++) parts.push(`${b.ids[i]},${new Date(b.ts[i]).toISOString()},${b.values[i]}`);
  if (parts.length === 0) return;
  await tx.copyCsv!('COPY monitoring_readings (sensor_id, ts, value)', parts.join('\n'));
}

/**
 * INSERT … ON CONFLICT DO NOTHING; returns for each batch the indexes of its readings that were
 * already stored (same sensor and instant).
 */
export async function insertReadingsIgnoringDuplicates(tx: Queryable, group: DurableBatch[]): Promise<Set<number>[]> {
  const ids: number[] = [];
  const ts: number[] = [];
  const values: number[] = [];
  // Element by element: a spread of a 250,000-reading batch would exceed the call stack.
  for (const b of group) {
    for (let i = 0; i < b.ids.length; i++) {
      ids.push(b.ids[i]);
      ts.push(b.ts[i]);
      values.push(b.values[i]);
    }
  }
  const inserted = new Set<string>();
  for (let i = 0; i < ids.length; i += 20_000) {
    const r = await tx.query<{ s: string | number; ms: string | number }>(
      `INSERT INTO monitoring_readings (sensor_id, ts, value)
       SELECT s, ${MS_TO_TS('t')}, v FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS u(s, t, v)
       ON CONFLICT (sensor_id, ts) DO NOTHING
       RETURNING sensor_id AS s, round(extract(epoch FROM ts) * 1000)::bigint AS ms`,
      [ids.slice(i, i + 20_000), ts.slice(i, i + 20_000), values.slice(i, i + 20_000)],
    );
    for (const row of r.rows) inserted.add(`${Number(row.s)}:${Number(row.ms)}`);
  }
  return group.map((b) => {
    const dup = new Set<number>();
    for (let i = 0; i < b.ids.length; i++) {
      const key = `${b.ids[i]}:${b.ts[i]}`;
      // A key inserted once serves the first reading that carries it; any later one is the duplicate.
      if (inserted.has(key)) inserted.delete(key);
      else dup.add(i);
    }
    return dup;
  });
}

/** Which of these (sensor, instant) pairs are stored. */
export async function findStored(db: Queryable, ids: number[], ts: number[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await db.query<{ s: string | number; ms: string | number }>(
    `SELECT r.sensor_id AS s, round(extract(epoch FROM r.ts) * 1000)::bigint AS ms
     FROM unnest($1::bigint[], $2::float8[]) AS u(s, t)
     JOIN monitoring_readings r ON r.sensor_id = u.s AND r.ts = ${MS_TO_TS('u.t')}`,
    [ids, ts],
  );
  return new Set(r.rows.map((row) => `${Number(row.s)}:${Number(row.ms)}`));
}

/**
 * The quarantined readings of the batches, tagged with their log position; a replayed batch's rows
 * are skipped when that position is already there.
 */
export async function insertQuarantineBatches(tx: Queryable, group: DurableBatch[]): Promise<void> {
  for (const b of group) {
    if (b.quarantine.length === 0) continue;
    if (b.replayed) {
      const seen = await tx.query('SELECT 1 FROM monitoring_quarantine WHERE log_position = $1 LIMIT 1', [b.end]);
      if (seen.rows.length > 0) continue;
    }
    await insertQuarantine(tx, b.receivedBy, b.quarantine, b.end);
  }
}

export async function upsertRollups(tx: Queryable, table: 'monitoring_rollup_minute' | 'monitoring_rollup_hour', r: RollupRows): Promise<void> {
  for (let i = 0; i < r.sensorIds.length; i += 20_000) {
    const j = i + 20_000;
    await tx.query(
      `INSERT INTO ${table} AS r (sensor_id, bucket, count, sum, min, max)
       SELECT s, ${MS_TO_TS('b')}, c, su, mi, ma FROM unnest($1::bigint[], $2::float8[], $3::integer[], $4::float8[], $5::float8[], $6::float8[]) AS u(s, b, c, su, mi, ma)
       ON CONFLICT (sensor_id, bucket) DO UPDATE SET count = r.count + EXCLUDED.count, sum = r.sum + EXCLUDED.sum,
         min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max)`,
      [r.sensorIds.slice(i, j), r.buckets.slice(i, j), r.count.slice(i, j), r.sum.slice(i, j), r.min.slice(i, j), r.max.slice(i, j)],
    );
  }
}

/** Writes the hot latest values into monitoring_latest (for SQL readers); never moves a value back in time. */
export async function upsertLatest(db: Queryable, ids: number[], ts: number[], values: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `INSERT INTO monitoring_latest AS l (sensor_id, ts, value)
     SELECT s, ${MS_TO_TS('t')}, v FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS u(s, t, v)
     ON CONFLICT (sensor_id) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value, received_at = now() WHERE l.ts < EXCLUDED.ts`,
    [ids, ts, values],
  );
}

/** Every latest value stored, to start from when the process has no saved state. */
export async function readAllLatest(db: Queryable): Promise<{ id: number; ts: number; value: number }[]> {
  const r = await db.query<{ id: string | number; ms: string | number; value: number }>(
    'SELECT sensor_id AS id, round(extract(epoch FROM ts) * 1000)::bigint AS ms, value FROM monitoring_latest',
  );
  return r.rows.map((row) => ({ id: Number(row.id), ts: Number(row.ms), value: Number(row.value) }));
}

export async function readCheckpoint(db: Queryable, logId: string): Promise<number> {
  const r = await db.query<{ position: number }>('SELECT position FROM monitoring_ingest_checkpoints WHERE log_id = $1', [logId]);
  return r.rows.length ? Number(r.rows[0].position) : 0;
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

export async function insertQuarantine(tx: Queryable, receivedBy: string, rows: QuarantineRow[], logPosition: number | null = null): Promise<void> {
  // Logs written before U+0000 was cleaned at the ingest must not block the writer.
  const clean = (v: string | null) => (v === null ? null : v.replaceAll('\u0000', '\uFFFD'));
  rows = rows.map((q) => ({ ...q, sensorCode: clean(q.sensorCode), ts: clean(q.ts), value: clean(q.value), message: clean(q.message) ?? '' }));
  receivedBy = clean(receivedBy) ?? '';
  for (let i = 0; i < rows.length; i += 5000) {
    const b = rows.slice(i, i + 5000);
    await tx.query(
      `INSERT INTO monitoring_quarantine (received_by, batch_index, sensor_code, ts, value, reason, message, region_code, log_position)
       SELECT $1, i, s, t, v, r, m, g, $9 FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(i, s, t, v, r, m, g)`,
      [receivedBy, b.map((q) => q.index), b.map((q) => q.sensorCode), b.map((q) => q.ts), b.map((q) => q.value), b.map((q) => q.reason), b.map((q) => q.message), b.map((q) => q.regionCode), logPosition],
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
