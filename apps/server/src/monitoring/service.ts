/**
 * The registry's rules: who may change what, validation against the catalogue and the regions,
 * optimistic concurrency, the audit entry in the same transaction as the change, and the bus
 * event after it commits.
 */
import { ConflictError, NotFoundError, ValidationError, type Clock, type FieldError, type RegionScope } from '@anlan/core';
import type { Database, Queryable } from '@anlan/db';
import { appendAudit } from '../audit/service.ts';
import type { EventBus } from '../events/bus.ts';
import type { ScopedActor } from '../users/service.ts';
import { PlacementChecker } from './placement.ts';
import * as store from './store.ts';
import { mergePoint, mergeSensor, checkPointFields, type PointInput, type PointRecord, type SensorInput, type SensorRecord } from './validate.ts';

export interface MonitoringDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
}

export type PointView = store.PointView;
export type SensorView = store.SensorView;

export function pointRecordOf(p: PointView): PointRecord {
  return { name: p.name, type: p.type, regionCode: p.regionCode, lon: p.lon, lat: p.lat, ownerUnit: p.ownerUnit, watchesKind: p.watchesKind, watchesRef: p.watchesRef, watchesName: p.watchesName, notes: p.notes };
}

export function sensorRecordOf(s: SensorView): SensorRecord {
  return {
    code: s.code, pointId: s.pointId, type: s.type, quantity: s.quantity, unit: s.unit, unitOverride: s.unitOverride,
    samplingIntervalSec: s.samplingIntervalSec, rangeMin: s.rangeMin, rangeMax: s.rangeMax, thresholds: s.thresholds,
    accumulation: s.accumulation, enabled: s.enabled, notes: s.notes,
  };
}

export function sameRecord(a: PointRecord | SensorRecord, b: PointRecord | SensorRecord): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function publish(deps: MonitoringDeps, type: string, regionCodes: string[], data: Record<string, unknown>): Promise<void> {
  for (const regionCode of new Set(regionCodes)) await deps.bus.publish({ type, regionCode, at: deps.clock.now().toISOString(), data });
}

function stale(what: string, id: number, sent: number, now: number): ConflictError {
  return new ConflictError(`${what} ${id} was changed by someone else (you sent version ${sent}, it is now at version ${now}); reload it and apply your change again`);
}

function sqlState(e: unknown): unknown {
  return typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
}

/** What a lost race with another request looks like to the database, said in the API's words. */
function raceError(e: unknown, pointId: number): Error | null {
  if (sqlState(e) === '23505') return new ValidationError([{ field: 'code', message: CODE_TAKEN }]);
  // The point was deleted between the check and the write.
  if (sqlState(e) === '23503') return new ValidationError([{ field: 'pointId', message: `there is no monitoring point ${pointId} in your region` }]);
  return null;
}

export const CODE_TAKEN = 'is already used by another sensor (codes are unique, letter case ignored)';

// ---- points ----

/** The point a create or update would store, with every reason it may not. */
export async function preparePoint(scope: RegionScope, current: PointRecord | null, input: PointInput, placement: PlacementChecker): Promise<{ record: PointRecord; errors: FieldError[] }> {
  const { record, errors } = mergePoint(current, input);
  errors.push(...checkPointFields(record).filter((e) => !errors.some((x) => x.field === e.field)));
  const moved = !current || record.regionCode !== current.regionCode || record.lon !== current.lon || record.lat !== current.lat;
  if (moved && record.regionCode && !errors.some((e) => e.field === 'regionCode')) {
    const placed = await placement.check(scope, record.regionCode, record.lon, record.lat);
    errors.push(...placed.filter((e) => !errors.some((x) => x.field === e.field)));
  }
  return { record, errors };
}

export async function createPoint(deps: MonitoringDeps, who: ScopedActor, input: PointInput): Promise<PointView> {
  const { record, errors } = await preparePoint(who.scope, null, input, new PlacementChecker(deps.db));
  if (errors.length) throw new ValidationError(errors);
  const point = await deps.db.transaction(async (tx) => {
    const id = await store.insertPoint(tx, record, who.actor);
    await appendAudit(tx, deps.clock, who.actor, { action: 'monitoring.point_created', targetType: 'monitoring_point', targetId: id, regionCode: record.regionCode, after: { id, ...record } });
    return (await store.findPoint(tx, who.scope, id))!;
  });
  await publish(deps, 'monitoring.point_created', [point.regionCode], { id: point.id, name: point.name, type: point.type });
  return point;
}

export async function getPoint(deps: Pick<MonitoringDeps, 'db'>, scope: RegionScope, id: number): Promise<PointView> {
  const p = await store.findPoint(deps.db, scope, id);
  if (!p) throw new NotFoundError('Monitoring point');
  return p;
}

export function listPoints(deps: Pick<MonitoringDeps, 'db'>, scope: RegionScope, filter: store.ListFilter): Promise<store.Page<PointView>> {
  return store.listPoints(deps.db, scope, filter);
}

export async function updatePoint(deps: MonitoringDeps, who: ScopedActor, id: number, input: PointInput & { version: number }): Promise<PointView> {
  const { version, ...patch } = input;
  const current = await getPoint(deps, who.scope, id);
  if (current.version !== version) throw stale('Monitoring point', id, version, current.version);
  const before = pointRecordOf(current);
  const { record, errors } = await preparePoint(who.scope, before, patch, new PlacementChecker(deps.db));
  if (errors.length) throw new ValidationError(errors);
  // Saving an unchanged form is not a change: no new version, no audit entry.
  if (sameRecord(record, before)) return current;
  const point = await deps.db.transaction(async (tx) => {
    if (!(await store.updatePoint(tx, who.scope, id, version, record, who.actor))) {
      const now = await store.findPoint(tx, who.scope, id);
      if (!now) throw new NotFoundError('Monitoring point');
      throw stale('Monitoring point', id, version, now.version);
    }
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'monitoring.point_updated', targetType: 'monitoring_point', targetId: id, regionCode: record.regionCode, before: { id, ...before }, after: { id, ...record },
    });
    return (await store.findPoint(tx, who.scope, id))!;
  });
  await publish(deps, 'monitoring.point_updated', [before.regionCode, point.regionCode], { id, name: point.name, type: point.type });
  return point;
}

/** Removes a point; one with sensors only with `cascade`, which removes them too. */
export async function deletePoint(deps: MonitoringDeps, who: ScopedActor, id: number, opts: { cascade: boolean; version: number | null }): Promise<void> {
  const current = await getPoint(deps, who.scope, id);
  const removed = await deps.db.transaction(async (tx) => {
    // Holds off sensors being added to the point while it is counted and removed.
    await tx.query('SELECT 1 FROM monitoring_points WHERE id = $1 FOR UPDATE', [id]);
    const now = await store.findPoint(tx, who.scope, id);
    if (!now) throw new NotFoundError('Monitoring point');
    if (opts.version !== null && now.version !== opts.version) throw stale('Monitoring point', id, opts.version, now.version);
    if (now.sensorCount > 0 && !opts.cascade) {
      throw new ConflictError(`Monitoring point ${id} still has ${now.sensorCount} sensor(s); delete them first, or delete with ?cascade=true to remove them with the point`);
    }
    const sensors = await store.deleteSensorsOfPoint(tx, id);
    for (const s of sensors) {
      await appendAudit(tx, deps.clock, who.actor, {
        action: 'monitoring.sensor_deleted', targetType: 'monitoring_sensor', targetId: s.id, regionCode: now.regionCode, before: { id: s.id, code: s.code, pointId: id }, after: { cascadeFromPoint: id },
      });
    }
    await store.deletePoint(tx, who.scope, id, null);
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'monitoring.point_deleted', targetType: 'monitoring_point', targetId: id, regionCode: now.regionCode, before: { id, ...pointRecordOf(now), sensors: sensors.map((s) => s.code) },
    });
    return sensors;
  });
  for (const s of removed) await publish(deps, 'monitoring.sensor_deleted', [current.regionCode], { id: s.id, code: s.code, pointId: id });
  await publish(deps, 'monitoring.point_deleted', [current.regionCode], { id, name: current.name });
}

// ---- sensors ----

export interface SensorCheckOptions {
  /** The points the import already resolved, by id; else the point is looked up. */
  points?: Map<number, PointView>;
  /** Codes (lower case) known to be taken by other sensors; else the database is asked. */
  taken?: ReadonlySet<string>;
  /** The sensor being updated, so its own code does not count as taken. */
  selfId?: number | null;
}

/** The sensor a create or update would store, with every reason it may not, and its point. */
export async function prepareSensor(
  q: Queryable,
  scope: RegionScope,
  current: SensorRecord | null,
  input: SensorInput,
  opts: SensorCheckOptions = {},
): Promise<{ record: SensorRecord; errors: FieldError[]; point: PointView | null }> {
  const { record, errors } = mergeSensor(current, input);
  let point: PointView | null = null;
  if (record.pointId > 0 && !errors.some((e) => e.field === 'pointId')) {
    point = opts.points?.get(record.pointId) ?? (await store.findPoint(q, scope, record.pointId));
    // The same answer for a point of another county as for none at all.
    if (!point) errors.push({ field: 'pointId', message: `there is no monitoring point ${record.pointId} in your region` });
  }
  const codeChanged = !current || record.code.toLowerCase() !== current.code.toLowerCase();
  if (codeChanged && record.code && !errors.some((e) => e.field === 'code')) {
    const key = record.code.toLowerCase();
    const taken = opts.taken ? opts.taken.has(key) : (await store.takenCodes(q, [record.code], opts.selfId ?? null)).has(key);
    if (taken) errors.push({ field: 'code', message: CODE_TAKEN });
  }
  return { record, errors, point };
}

export async function createSensor(deps: MonitoringDeps, who: ScopedActor, input: SensorInput): Promise<SensorView> {
  const { record, errors, point } = await prepareSensor(deps.db, who.scope, null, input);
  if (errors.length) throw new ValidationError(errors);
  let sensor: SensorView;
  try {
    sensor = await deps.db.transaction(async (tx) => {
      const id = await store.insertSensor(tx, record, who.actor);
      await appendAudit(tx, deps.clock, who.actor, { action: 'monitoring.sensor_created', targetType: 'monitoring_sensor', targetId: id, regionCode: point!.regionCode, after: { id, ...record } });
      return (await store.findSensor(tx, who.scope, id))!;
    });
  } catch (e) {
    // Two requests with one new code at the same moment: the index decides, the loser hears why.
    throw raceError(e, record.pointId) ?? e;
  }
  await publish(deps, 'monitoring.sensor_created', [sensor.regionCode], { id: sensor.id, code: sensor.code, pointId: sensor.pointId, type: sensor.type });
  return sensor;
}

export async function getSensor(deps: Pick<MonitoringDeps, 'db'>, scope: RegionScope, id: number): Promise<SensorView> {
  const s = await store.findSensor(deps.db, scope, id);
  if (!s) throw new NotFoundError('Sensor');
  return s;
}

export function listSensors(deps: Pick<MonitoringDeps, 'db'>, scope: RegionScope, filter: store.ListFilter): Promise<store.Page<SensorView>> {
  return store.listSensors(deps.db, scope, filter);
}

export async function updateSensor(deps: MonitoringDeps, who: ScopedActor, id: number, input: SensorInput & { version: number }): Promise<SensorView> {
  const { version, ...patch } = input;
  const current = await getSensor(deps, who.scope, id);
  if (current.version !== version) throw stale('Sensor', id, version, current.version);
  const before = sensorRecordOf(current);
  const { record, errors, point } = await prepareSensor(deps.db, who.scope, before, patch, { selfId: id });
  if (errors.length) throw new ValidationError(errors);
  if (sameRecord(record, before)) return current;
  let sensor: SensorView;
  try {
    sensor = await deps.db.transaction(async (tx) => {
      if (!(await store.updateSensor(tx, who.scope, id, version, record, who.actor))) {
        const now = await store.findSensor(tx, who.scope, id);
        if (!now) throw new NotFoundError('Sensor');
        throw stale('Sensor', id, version, now.version);
      }
      await appendAudit(tx, deps.clock, who.actor, {
        action: 'monitoring.sensor_updated', targetType: 'monitoring_sensor', targetId: id, regionCode: point!.regionCode, before: { id, ...before }, after: { id, ...record },
      });
      return (await store.findSensor(tx, who.scope, id))!;
    });
  } catch (e) {
    throw raceError(e, record.pointId) ?? e;
  }
  await publish(deps, 'monitoring.sensor_updated', [current.regionCode, sensor.regionCode], { id, code: sensor.code, pointId: sensor.pointId, type: sensor.type });
  return sensor;
}

export async function deleteSensor(deps: MonitoringDeps, who: ScopedActor, id: number, version: number | null): Promise<void> {
  const current = await getSensor(deps, who.scope, id);
  await deps.db.transaction(async (tx) => {
    if (!(await store.deleteSensor(tx, who.scope, id, version))) {
      const now = await store.findSensor(tx, who.scope, id);
      if (!now) throw new NotFoundError('Sensor');
      throw stale('Sensor', id, version ?? 0, now.version);
    }
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'monitoring.sensor_deleted', targetType: 'monitoring_sensor', targetId: id, regionCode: current.regionCode, before: { id, ...sensorRecordOf(current) },
    });
  });
  await publish(deps, 'monitoring.sensor_deleted', [current.regionCode], { id, code: current.code, pointId: current.pointId });
}
