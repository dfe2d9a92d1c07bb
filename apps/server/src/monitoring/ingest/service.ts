/**
 * Readings ingestion: validates a batch, stores the accepted readings and quarantines the rejected
 * ones in one transaction, committed before the answer; one bus event per region and request.
 */
import { NATIONAL_CODE, NotFoundError, ValidationError, type Clock, type RegionScope } from '@anlan/core';
import type { Database } from '@anlan/db';
import type { EventBus } from '../../events/bus.ts';
import type { Actor } from '../../caller.ts';
import { readSetting } from '../../system/settings.ts';
import * as registry from '../store.ts';
import { SensorDirectory, type DirectoryEntry } from './directory.ts';
import { parseTimestamp, type RawReading } from './parse.ts';
import * as store from './store.ts';

export const RETENTION_SETTING = 'monitoring.retention_days';
export const DEFAULT_RETENTION_DAYS = 400;
/** Readings up to this far ahead of the server clock are accepted (device clocks drift). */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type RejectReason =
  | 'malformed'
  | 'unknown_sensor'
  | 'not_in_scope'
  | 'sensor_disabled'
  | 'invalid_value'
  | 'out_of_range'
  | 'invalid_timestamp'
  | 'future_timestamp'
  | 'too_old'
  | 'duplicate';

export interface Rejected {
  index: number;
  sensor: string | null;
  reason: RejectReason;
  message: string;
}

export interface IngestResult {
  accepted: number;
  rejected: Rejected[];
}

/** A reading that is durable: handed to the listeners (the rule engine) right after it is. */
export interface AcceptedReading {
  sensorId: number;
  code: string;
  pointId: number;
  regionCode: string;
  tsMs: number;
  value: number;
}

/** Called once per batch, in the order batches became durable; `receivedAtMs` is when the batch arrived. */
export type AcceptedListener = (readings: readonly AcceptedReading[], receivedAtMs: number) => void;

export interface IngestDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
}

/** The per-process state of the ingest: the sensor directory, the known partitions, the retention. */
export class ReadingIngest {
  readonly directory: SensorDirectory;
  readonly partitions = new store.Partitions();
  private retention: { days: number; readAt: number } | null = null;
  private readonly listeners = new Set<AcceptedListener>();

  constructor(private readonly deps: IngestDeps) {
    this.directory = new SensorDirectory(deps.db);
  }

  async retentionDays(): Promise<number> {
    const now = Date.now();
    if (!this.retention || now - this.retention.readAt > 60_000) {
      const v = await readSetting<number>(this.deps.db, RETENTION_SETTING);
      const days = typeof v === 'number' && Number.isFinite(v) && v >= 1 ? v : DEFAULT_RETENTION_DAYS;
      this.retention = { days, readAt: now };
    }
    return this.retention.days;
  }

  /** Subscribes to durable readings; a throwing listener harms neither the ingest nor the others. */
  onAccepted(listener: AcceptedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async ingest(who: { actor: Actor; scope: RegionScope }, items: RawReading[]): Promise<IngestResult> {
    const receivedAtMs = Date.now();
    const now = this.deps.clock.now().getTime();
    const oldest = now - (await this.retentionDays()) * DAY_MS;
    const newest = now + FUTURE_TOLERANCE_MS;

    const codeOf = (item: unknown): string | null => {
      const s = (item as { sensor?: unknown } | null)?.sensor;
      return typeof s === 'string' && s.length > 0 && s.length <= 64 ? s : null;
    };
    const codes = new Set<string>();
    for (const r of items) {
      const c = r.error ? null : codeOf(r.item);
      if (c) codes.add(c.toLowerCase());
    }
    const sensors = await this.directory.resolve(codes);

    const rejected: (Rejected & { regionCode: string | null; raw: unknown })[] = [];
    const accepted: (AcceptedReading & { index: number })[] = [];
    const seen = new Set<string>();
    const reject = (r: RawReading, sensor: string | null, reason: RejectReason, message: string, regionCode: string | null) =>
      rejected.push({ index: r.index, sensor, reason, message, regionCode, raw: r.item });

    for (const r of items) {
      if (r.error) {
        reject(r, null, 'malformed', r.error, null);
        continue;
      }
      const item = r.item;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        reject(r, null, 'malformed', 'a reading must be an object { "sensor", "ts", "value" }', null);
        continue;
      }
      const code = codeOf(item);
      if (!code) {
        reject(r, null, 'malformed', '"sensor" must be a sensor code (text, 1–64 characters)', null);
        continue;
      }
      const s: DirectoryEntry | undefined = sensors.get(code.toLowerCase());
      if (!s) {
        reject(r, code, 'unknown_sensor', `no sensor "${code}" is registered`, null);
        continue;
      }
      if (!s.regionCode.startsWith(who.scope.prefix)) {
        // Quarantined under the writer's region: it is the writer's device that is misconfigured.
        reject(r, code, 'not_in_scope', `sensor "${code}" is not in your region (${who.scope.code})`, who.scope.code === NATIONAL_CODE ? null : who.scope.code);
        continue;
      }
      const { ts, value } = item as { ts?: unknown; value?: unknown };
      if (!s.enabled) {
        reject(r, code, 'sensor_disabled', `sensor "${code}" is disabled`, s.regionCode);
        continue;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        reject(r, code, 'invalid_value', '"value" must be a finite number', s.regionCode);
        continue;
      }
      if (s.rangeMin !== null && s.rangeMax !== null && (value < s.rangeMin || value > s.rangeMax)) {
        reject(r, code, 'out_of_range', `${value} is outside the sensor's measuring range ${s.rangeMin} – ${s.rangeMax}`, s.regionCode);
        continue;
      }
      const tsMs = parseTimestamp(ts);
      if (tsMs === null) {
        reject(r, code, 'invalid_timestamp', '"ts" must be ISO 8601 with a time zone offset (2026-11-23T10:00:00+08:00) or epoch milliseconds', s.regionCode);
        continue;
      }
      if (tsMs > newest) {
        reject(r, code, 'future_timestamp', `${new Date(tsMs).toISOString()} is more than 5 minutes ahead of the server clock`, s.regionCode);
        continue;
      }
      if (tsMs < oldest) {
        reject(r, code, 'too_old', `${new Date(tsMs).toISOString()} is older than the retention window`, s.regionCode);
        continue;
      }
      const key = `${s.id}:${tsMs}`;
      if (seen.has(key)) {
        reject(r, code, 'duplicate', 'another reading of this sensor at the same instant is earlier in the batch', s.regionCode);
        continue;
      }
      seen.add(key);
      accepted.push({ index: r.index, sensorId: s.id, tsMs, value, regionCode: s.regionCode, code: s.code, pointId: s.pointId });
    }

    await this.partitions.ensure(this.deps.db, new Set(accepted.map((a) => store.monthKey(a.tsMs))));
    const text = (v: unknown) => (v === undefined || v === null ? null : typeof v === 'string' ? v.slice(0, 200) : JSON.stringify(v).slice(0, 200));

    await this.deps.db.transaction(async (tx) => {
      const inserted = await store.insertReadings(tx, accepted);
      if (inserted.size < accepted.length) {
        for (const a of accepted) {
          if (inserted.has(`${a.sensorId}:${a.tsMs}`)) continue;
          rejected.push({ index: a.index, sensor: a.code, reason: 'duplicate', message: 'a reading of this sensor at the same instant is already stored', regionCode: a.regionCode, raw: { sensor: a.code, ts: new Date(a.tsMs).toISOString(), value: a.value } });
        }
      }
      await store.insertQuarantine(
        tx,
        who.actor.name,
        rejected.map((q) => {
          const o = typeof q.raw === 'object' && q.raw !== null ? (q.raw as Record<string, unknown>) : { raw: q.raw };
          return { index: q.index, sensorCode: q.sensor, ts: text(o.ts), value: text(o.value ?? o.raw), reason: q.reason, message: q.message, regionCode: q.regionCode };
        }),
      );
      const dup = new Set(rejected.filter((q) => q.reason === 'duplicate').map((q) => q.index));
      for (let i = accepted.length - 1; i >= 0; i--) if (dup.has(accepted[i].index)) accepted.splice(i, 1);
    });

    rejected.sort((a, b) => a.index - b.index);
    this.notify(accepted, receivedAtMs);
    await this.publish(accepted, rejected);
    return { accepted: accepted.length, rejected: rejected.map(({ index, sensor, reason, message }) => ({ index, sensor, reason, message })) };
  }

  private notify(readings: readonly AcceptedReading[], receivedAtMs: number): void {
    if (readings.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(readings, receivedAtMs);
      } catch {
        // The readings are stored; a failing listener must not turn that into an error for the device.
      }
    }
  }

  /** One event per region of the batch, with counts; never one per reading. */
  private async publish(accepted: { regionCode: string; sensorId: number }[], rejected: { regionCode: string | null }[]): Promise<void> {
    const byRegion = new Map<string, { accepted: number; rejected: number; sensors: Set<number> }>();
    const at = (code: string) => {
      let e = byRegion.get(code);
      if (!e) byRegion.set(code, (e = { accepted: 0, rejected: 0, sensors: new Set() }));
      return e;
    };
    for (const a of accepted) {
      const e = at(a.regionCode);
      e.accepted += 1;
      e.sensors.add(a.sensorId);
    }
    for (const r of rejected) at(r.regionCode ?? NATIONAL_CODE).rejected += 1;
    const when = this.deps.clock.now().toISOString();
    for (const [regionCode, e] of byRegion) {
      await this.deps.bus.publish({ type: 'monitoring.readings_ingested', regionCode, at: when, data: { accepted: e.accepted, rejected: e.rejected, sensors: e.sensors.size } });
    }
  }

  /** Drops what is older than the retention window (run daily by the routes' timer). */
  async purge(): Promise<store.PurgeReport> {
    const cutoff = new Date(this.deps.clock.now().getTime() - (await this.retentionDays()) * DAY_MS);
    return store.purgeBefore(this.deps.db, this.partitions, cutoff);
  }
}

// ---- reading back ----

export type Resolution = 'raw' | 'minute' | 'hour';
export const MAX_POINTS = 10_000;

export async function sensorReadings(
  deps: { db: Database; clock: Clock },
  scope: RegionScope,
  code: string,
  q: { from?: string; to?: string; resolution?: Resolution; limit?: number },
) {
  const [sensor] = await registry.findSensorsByCode(deps.db, scope, [code]);
  if (!sensor) throw new NotFoundError(`Sensor ${code}`);
  const to = q.to ? parseTimestamp(q.to) : deps.clock.now().getTime();
  const from = q.from ? parseTimestamp(q.from) : (to ?? 0) - DAY_MS;
  const errors = [];
  if (to === null) errors.push({ field: 'to', message: 'must be ISO 8601 with a time zone offset' });
  if (from === null) errors.push({ field: 'from', message: 'must be ISO 8601 with a time zone offset' });
  if (errors.length) throw new ValidationError(errors);
  if (from! >= to!) throw new ValidationError([{ field: 'from', message: 'must be before to' }]);
  const resolution = q.resolution ?? 'raw';
  const limit = Math.min(q.limit ?? MAX_POINTS, MAX_POINTS);
  const f = new Date(from!);
  const t = new Date(to!);
  const points = resolution === 'raw' ? await store.readRaw(deps.db, sensor.id, f, t, limit + 1) : await store.readRollup(deps.db, resolution, sensor.id, f, t, limit + 1);
  const truncated = points.length > limit;
  if (truncated) points.length = limit;
  return {
    sensor: { id: sensor.id, code: sensor.code, quantity: sensor.quantity, unit: sensor.unit, pointId: sensor.pointId, regionCode: sensor.regionCode },
    resolution,
    from: f.toISOString(),
    to: t.toISOString(),
    truncated,
    points,
  };
}
