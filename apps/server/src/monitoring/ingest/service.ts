/**
 * Readings ingestion: validates a batch, stores the accepted readings and quarantines the rejected
 * ones in one transaction, committed before the answer; one bus event per region and request.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError, NATIONAL_CODE, NotFoundError, ValidationError, type Clock, type RegionScope } from '@anlan/core';
import { acquireDirLock } from '@anlan/db';
import type { Database } from '@anlan/db';
import type { EventBus } from '../../events/bus.ts';
import type { Actor } from '../../caller.ts';
import { readSetting } from '../../system/settings.ts';
import * as registry from '../store.ts';
import { CODE_PATTERN } from '../validate.ts';
import { SensorDirectory, type DirectoryEntry } from './directory.ts';
import { parseTimestamp, type RawReading } from './parse.ts';
import * as store from './store.ts';
import { LatestValues } from './latest.ts';
import { ReadingFlusher } from './flusher.ts';
import { READINGS_FRAME, decodeBatch, encodeBatch, type DurableBatch } from './batch.ts';
import { WalWriter, readFrames, writeFileDurably } from './wal.ts';

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
  /** The readings' write-ahead log directory (one per process). */
  walDir: string;
  log?: Logger;
}

/** Rows waiting for the database above which a new batch waits (bounds memory under overload). */
const MAX_BACKLOG = 400_000;
const LATEST_WRITE_MS = 15_000;
const LATEST_WRITE_ROWS = 20_000;
const SNAPSHOT_EVERY_MS = 10_000;

/**
 * What was received, as text a database column takes: at most 200 characters, and no U+0000
 * (PostgreSQL refuses it in text, and a refused row would hold up the whole log behind it).
 */
export function storableText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.slice(0, 200).replaceAll('\u0000', '\uFFFD');
}

interface InflightBatch extends DurableBatch {
  /** `sensorId:ts` of its readings, built only when a late reading must be checked against it. */
  keys?: Set<string>;
}

function keysOf(b: InflightBatch): Set<string> {
  if (!b.keys) {
    b.keys = new Set();
    for (let i = 0; i < b.ids.length; i++) b.keys.add(`${b.ids[i]}:${b.ts[i]}`);
  }
  return b.keys;
}

/**
 * The per-process state of the ingest: the sensor directory, the log and its writer to the
 * database, the latest values, the retention.
 *
 * A batch is validated, its accepted readings claimed (so a concurrent batch cannot accept the same
 * sensor and instant), appended to the log and fsync'ed; then it is answered and handed to the
 * rule engine, and written to the database behind. Reads of stored readings wait for the writer
 * to catch up, so what was answered is what is read.
 */
export class ReadingIngest {
  readonly directory: SensorDirectory;
  readonly partitions = new store.Partitions();
  private readonly latest = new LatestValues();
  private retention: { days: number; readAt: number } | null = null;
  private readonly listeners = new Set<AcceptedListener>();
  private readonly inflight = new Set<InflightBatch>();
  private wal: WalWriter | null = null;
  private flusher: ReadingFlusher | null = null;
  private starting: Promise<void> | null = null;
  private releaseLock: () => void = () => {};
  private latestTimer: NodeJS.Timeout | null = null;
  private latestWriting: Promise<void> | null = null;
  private lastSnapshot = 0;
  private closed = false;

  constructor(private readonly deps: IngestDeps) {
    this.directory = new SensorDirectory(deps.db);
  }

  /** Opens the log and replays into the database what a previous process left unwritten. */
  start(): Promise<void> {
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    const dir = this.deps.walDir;
    mkdirSync(dir, { recursive: true });
    this.releaseLock = acquireDirLock(dir);
    const idFile = join(dir, 'log-id');
    if (!existsSync(idFile)) writeFileDurably(dir, 'log-id', Buffer.from(randomUUID()));
    const logId = readFileSync(idFile, 'utf8').trim();
    const checkpoint = await store.readCheckpoint(this.deps.db, logId);
    let saved: number | null = null;
    if (existsSync(join(dir, 'latest.bin'))) saved = this.latest.load(readFileSync(join(dir, 'latest.bin')));
    if (saved === null) {
      for (const r of await store.readAllLatest(this.deps.db)) this.latest.commit(r.id, r.ts, r.value);
      saved = 0;
    }
    this.flusher = new ReadingFlusher({
      db: this.deps.db,
      logId,
      partitions: this.partitions,
      describe: (id) => this.directory.byId(id),
      flushed: (b) => this.inflight.delete(b),
      afterCheckpoint: (pos) => this.afterCheckpoint(pos),
      onError: (err) => this.deps.log?.error({ err }, 'writing readings to the database failed; they stay in the log and are retried'),
    });
    this.flusher.start(checkpoint);
    const frames = readFrames(dir, Math.min(checkpoint, saved));
    let replayed = 0;
    for (const f of frames) {
      if (f.kind !== READINGS_FRAME) continue;
      const b = decodeBatch(f.payload, f.end);
      for (let i = 0; i < b.ids.length; i++) this.latest.commit(b.ids[i], b.ts[i], b.values[i]);
      if (f.end > checkpoint) {
        this.flusher.push(b);
        replayed += b.ids.length + b.quarantine.length;
      }
    }
    if (frames.length > 0) {
      await this.flusher.waitFor(frames[frames.length - 1].end, true);
      if (replayed > 0) this.deps.log?.info({ readings: replayed }, 'replayed readings from the log');
    }
    this.wal = await WalWriter.open(dir);
    this.latestTimer = setInterval(() => void this.writeLatest(), LATEST_WRITE_MS);
    this.latestTimer.unref();
  }

  private afterCheckpoint(position: number): void {
    // The latest values are saved at most every few seconds: at 700,000 sensors the file is 11 MB.
    if (!this.closed && Date.now() - this.lastSnapshot < SNAPSHOT_EVERY_MS) return;
    writeFileDurably(this.deps.walDir, 'latest.bin', this.latest.serialize(position));
    this.lastSnapshot = Date.now();
    this.wal?.release(position);
  }

  /** Copies changed latest values into monitoring_latest, for SQL readers (lags a few seconds under load). */
  private writeLatest(): Promise<void> {
    this.latestWriting ??= (async () => {
      // Yield first: with nothing to write the body would finish, and its finally clear the field,
      // before `??=` stores the promise, which would then stay stored and finished for good.
      await Promise.resolve();
      try {
        while (this.latest.pendingWrites > 0) {
          const d = this.latest.takeDirty(LATEST_WRITE_ROWS);
          try {
            await store.upsertLatest(this.deps.db, d.ids, d.ts, d.values);
          } catch (err) {
            this.latest.markDirty(d.ids);
            throw err;
          }
        }
      } catch (err) {
        this.deps.log?.warn({ err }, 'updating monitoring_latest failed; retried');
      } finally {
        this.latestWriting = null;
      }
    })();
    return this.latestWriting;
  }

  /**
   * Waits until every reading answered so far is in the database (with its rollups, when asked),
   * or `maxWaitMs` passed: a reader is never held up indefinitely by a database that fails.
   */
  async settled(opts: { rollups?: boolean; maxWaitMs?: number } = {}): Promise<void> {
    await this.start();
    if (!this.wal || !this.flusher) return;
    let last = 0;
    for (const b of this.inflight) if (b.end > last) last = b.end;
    // Flushed batches leave `inflight` before their rollups are checkpointed.
    if (opts.rollups && this.flusher.flushedPosition > last) last = this.flusher.flushedPosition;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.maxWaitMs ?? 15_000)));
    const work = (async () => {
      if (last > 0) await this.flusher!.waitFor(last, opts.rollups === true);
      if (opts.rollups) await this.writeLatest();
    })();
    await Promise.race([work, bound]);
    clearTimeout(timer);
  }

  /**
   * Brings monitoring_latest up to the hot values before a query that reads it (the map, the
   * device status); gives up waiting after `maxWaitMs` under heavy load, when the table may lag.
   */
  async syncLatest(maxWaitMs = 2000): Promise<void> {
    await this.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.writeLatest(), new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)))]);
    clearTimeout(timer);
  }

  /** The newest durable reading of a sensor (hot, in memory). */
  latestOf(sensorId: number): { ts: number; value: number } | undefined {
    return this.latest.get(sensorId);
  }

  stats(): { inflightBatches: number; backlogRows: number; latestPending: number } {
    return { inflightBatches: this.inflight.size, backlogRows: this.flusher?.backlog ?? 0, latestPending: this.latest.pendingWrites };
  }

  async close(): Promise<void> {
    if (!this.starting) return;
    this.closed = true;
    await this.starting.catch(() => undefined);
    if (this.latestTimer) clearInterval(this.latestTimer);
    await this.wal?.close();
    await this.flusher?.drain();
    await this.writeLatest();
    this.releaseLock();
  }

  async retentionDays(fresh = false): Promise<number> {
    const now = Date.now();
    if (fresh || !this.retention || now - this.retention.readAt > 60_000) {
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
    await this.start();
    if (this.closed) throw new AppError(503, 'Service Unavailable', 'the server is shutting down');
    const flusher = this.flusher!;
    while (flusher.backlog > MAX_BACKLOG) await flusher.waitFor(flusher.headEnd());
    const now = this.deps.clock.now().getTime();
    const oldest = now - (await this.retentionDays()) * DAY_MS;
    const newest = now + FUTURE_TOLERANCE_MS;

    const codeOf = (item: unknown): string | null => {
      const s = (item as { sensor?: unknown } | null)?.sensor;
      return typeof s === 'string' && s.length > 0 && s.length <= 64 ? s : null;
    };
    const codes = new Set<string>();
    for (const r of items) {
      const c = codeOf(r.item);
      // Only what could be a registered code is looked up (a code with U+0000 would fail the query).
      if (c && CODE_PATTERN.test(c)) codes.add(c.toLowerCase());
    }
    const sensors = await this.directory.resolve(codes);

    // From here to the append to the log nothing awaits but the check of late readings, which
    // runs after this batch is registered in flight: claims and in-flight batches stay consistent.
    const rejected: (Rejected & { regionCode: string | null; raw: unknown })[] = [];
    const accepted: (AcceptedReading & { index: number })[] = [];
    const late: number[] = [];
    const seen = new Set<string>();
    const reject = (r: RawReading, sensor: string | null, reason: RejectReason, message: string, regionCode: string | null) =>
      rejected.push({ index: r.index, sensor, reason, message, regionCode, raw: r.item });

    for (const r of items) {
      if (r.error) {
        // A transport may know the sensor of an unreadable payload (MQTT: from the topic); then the
        // rejection is filed under the sensor's region, where its bureau sees it.
        const c = codeOf(r.item);
        const known = c ? sensors.get(c.toLowerCase()) : undefined;
        const mine = known && known.regionCode.startsWith(who.scope.prefix);
        reject(r, c, 'malformed', r.error, mine ? known.regionCode : null);
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
      if (!this.latest.claim(s.id, tsMs)) late.push(accepted.length);
      accepted.push({ index: r.index, sensorId: s.id, tsMs, value, regionCode: s.regionCode, code: s.code, pointId: s.pointId });
    }

    const duplicates = this.checkInFlight(accepted, late);
    const batch: InflightBatch = { ids: [], ts: [], values: [], receivedBy: who.actor.name, quarantine: [], end: 0, replayed: false };
    const fill = () => {
      batch.ids = accepted.map((a) => a.sensorId);
      batch.ts = accepted.map((a) => a.tsMs);
      batch.values = accepted.map((a) => a.value);
      batch.keys = undefined;
    };
    fill();
    this.inflight.add(batch);
    try {
      const unsure = late.filter((i) => !duplicates.has(i));
      if (unsure.length > 0) {
        const stored = await store.findStored(this.deps.db, unsure.map((i) => accepted[i].sensorId), unsure.map((i) => accepted[i].tsMs));
        for (const i of unsure) if (stored.has(`${accepted[i].sensorId}:${accepted[i].tsMs}`)) duplicates.add(i);
      }
      if (duplicates.size > 0) {
        for (const i of duplicates) {
          const a = accepted[i];
          rejected.push({ index: a.index, sensor: a.code, reason: 'duplicate', message: 'a reading of this sensor at the same instant is already stored', regionCode: a.regionCode, raw: { sensor: a.code, ts: new Date(a.tsMs).toISOString(), value: a.value } });
        }
        let k = 0;
        for (let i = 0; i < accepted.length; i++) if (!duplicates.has(i)) accepted[k++] = accepted[i];
        accepted.length = k;
        fill();
      }
      rejected.sort((a, b) => a.index - b.index);
      batch.quarantine = rejected.map((q) => {
        const o = typeof q.raw === 'object' && q.raw !== null ? (q.raw as Record<string, unknown>) : { raw: q.raw };
        return { index: q.index, sensorCode: storableText(q.sensor), ts: storableText(o.ts), value: storableText(o.value ?? o.raw), reason: q.reason, message: storableText(q.message) ?? '', regionCode: q.regionCode };
      });
      if (batch.ids.length + batch.quarantine.length > 0) {
        batch.end = await this.wal!.append(READINGS_FRAME, encodeBatch(batch));
      }
    } catch (err) {
      this.inflight.delete(batch);
      throw err;
    }
    if (batch.end === 0) {
      this.inflight.delete(batch);
    } else {
      for (let i = 0; i < batch.ids.length; i++) this.latest.commit(batch.ids[i], batch.ts[i], batch.values[i]);
      flusher.push(batch);
    }
    this.notify(accepted, receivedAtMs);
    await this.publish(accepted, rejected);
    return { accepted: accepted.length, rejected: rejected.map(({ index, sensor, reason, message }) => ({ index, sensor, reason, message })) };
  }

  /** Which of the late readings (at or before their sensor's newest claim) another batch in flight holds. */
  private checkInFlight(accepted: readonly AcceptedReading[], late: readonly number[]): Set<number> {
    const dup = new Set<number>();
    if (late.length === 0 || this.inflight.size === 0) return dup;
    for (const i of late) {
      const key = `${accepted[i].sensorId}:${accepted[i].tsMs}`;
      for (const b of this.inflight) {
        if (keysOf(b).has(key)) {
          dup.add(i);
          break;
        }
      }
    }
    return dup;
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
    await this.settled({ rollups: true });
    const cutoff = new Date(this.deps.clock.now().getTime() - (await this.retentionDays(true)) * DAY_MS);
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
