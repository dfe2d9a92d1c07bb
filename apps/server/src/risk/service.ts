/**
 * The registry's rules: validation against the catalogue and the regions, one enterprise per
 * credit code, optimistic concurrency, the audit entry in the same transaction as the change,
 * and the bus event after it commits. The GB 18218 units are in installations.ts.
 */
import { AppError, ConflictError, NotFoundError, ValidationError, isWithinScope, type Clock, type FieldError, type RegionScope } from '@anlan/core';
import type { Database, Queryable } from '@anlan/db';
import { appendAudit } from '../audit/service.ts';
import type { EventBus } from '../events/bus.ts';
import type { ScopedActor } from '../users/service.ts';
import { RegistryPlacement } from './placement.ts';
import * as store from './store.ts';
import {
  checkEnterpriseFields,
  checkPlaceFields,
  mergeEnterprise,
  mergePlace,
  sameRecord,
  type EnterpriseInput,
  type EnterpriseRecord,
  type PlaceInput,
  type PlaceRecord,
} from './validate.ts';

export interface RiskDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
}

export type EnterpriseView = store.EnterpriseView;
export type PlaceView = store.PlaceView;

export function enterpriseRecordOf(e: EnterpriseView): EnterpriseRecord {
  return {
    name: e.name, uscc: e.uscc, industry: e.industry, scale: e.scale, address: e.address, lon: e.lon, lat: e.lat, regionCode: e.regionCode,
    department: e.department, notes: e.notes, persons: e.persons.map((p) => ({ role: p.role, name: p.name, phone: p.phone })),
  };
}

export function placeRecordOf(p: PlaceView): PlaceRecord {
  return {
    name: p.name, kind: p.kind, address: p.address, lon: p.lon, lat: p.lat, regionCode: p.regionCode, operatorName: p.operatorName,
    operatorPhone: p.operatorPhone, notes: p.notes,
  };
}

export async function publish(deps: Pick<RiskDeps, 'bus' | 'clock'>, type: string, regionCodes: string[], data: Record<string, unknown>): Promise<void> {
  for (const regionCode of new Set(regionCodes)) await deps.bus.publish({ type, regionCode, at: deps.clock.now().toISOString(), data });
}

export function stale(what: string, id: number, sent: number, now: number): ConflictError {
  return new ConflictError(`${what} ${id} was changed by someone else (you sent version ${sent}, it is now at version ${now}); reload it and apply your change again`);
}

function sqlState(e: unknown): unknown {
  return typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
}

/**
 * The placement errors of a record, given the field errors found so far: the region is checked
 * even when the coordinates are malformed (so an out-of-scope region is reported with them), but
 * malformed coordinates are neither checked against it nor used to find it.
 */
async function placeWith<T extends { regionCode: string; lon: number | null; lat: number | null }>(
  record: T,
  errors: FieldError[],
  place: (r: T) => Promise<FieldError[]>,
): Promise<FieldError[]> {
  if (errors.some((e) => e.field === 'regionCode')) return [];
  const coordsBad = errors.some((e) => e.field === 'lon' || e.field === 'lat');
  if (!coordsBad) return place(record);
  const found = await place({ ...record, lon: null, lat: null });
  return found.filter((e) => e.field === 'regionCode' && record.regionCode !== '');
}

// ---- enterprises ----

/** Who already holds a credit code, said so that a bureau can find it — or not, outside its region. */
export function usccTakenMessage(existing: { id: number; name: string; regionCode: string }, scope: RegionScope): string {
  // Another county's register is not this caller's to read: say only that it exists.
  if (!isWithinScope(existing.regionCode, scope.code)) return 'is already registered for an enterprise outside your region; ask the bureau where it is registered';
  return `is already registered for ${existing.name} (enterprise ${existing.id})`;
}

/** A duplicate credit code: 409 naming the enterprise that holds it, with the field. */
export function usccConflict(uscc: string, existing: { id: number; name: string; regionCode: string }, scope: RegionScope): AppError {
  const message = usccTakenMessage(existing, scope);
  return new AppError(409, 'Conflict', `统一社会信用代码 ${uscc} ${message}`, [{ field: 'uscc', message }]);
}

export interface EnterpriseCheckOptions {
  /** The enterprise being updated, so its own code does not count as taken. */
  selfId?: number | null;
  /** Credit codes the import already looked up; else the database is asked. */
  taken?: ReadonlyMap<string, { id: number; name: string; regionCode: string }>;
}

/** The enterprise a create or update would store, every field problem, and the holder of its code if taken. */
export async function prepareEnterprise(
  q: Queryable,
  scope: RegionScope,
  current: EnterpriseRecord | null,
  input: EnterpriseInput,
  placement: RegistryPlacement,
  opts: EnterpriseCheckOptions = {},
): Promise<{ record: EnterpriseRecord; errors: FieldError[]; duplicateOf: { id: number; name: string; regionCode: string } | null }> {
  const { record, errors } = mergeEnterprise(current, input);
  errors.push(...checkEnterpriseFields(record).filter((e) => !errors.some((x) => x.field === e.field)));
  const moved = !current || record.regionCode !== current.regionCode || record.lon !== current.lon || record.lat !== current.lat;
  if (moved) errors.push(...(await placeWith(record, errors, (r) => placement.placeEnterprise(scope, r))));
  let duplicateOf: { id: number; name: string; regionCode: string } | null = null;
  if (record.uscc && !errors.some((e) => e.field === 'uscc') && (!current || current.uscc !== record.uscc)) {
    duplicateOf = opts.taken ? (opts.taken.get(record.uscc) ?? null) : ((await store.findByUscc(q, [record.uscc], opts.selfId ?? null))[0] ?? null);
  }
  return { record, errors, duplicateOf };
}

export async function getEnterprise(deps: Pick<RiskDeps, 'db'>, scope: RegionScope, id: number): Promise<EnterpriseView> {
  const e = await store.findEnterprise(deps.db, scope, id);
  if (!e) throw new NotFoundError('Enterprise');
  return e;
}

export function listEnterprises(deps: Pick<RiskDeps, 'db'>, scope: RegionScope, filter: store.EnterpriseFilter): Promise<store.Page<EnterpriseView>> {
  return store.listEnterprises(deps.db, scope, filter);
}

/** Two requests registering one code at the same moment: the unique index decides; the loser hears who won. */
async function duplicateAfterRace(deps: RiskDeps, e: unknown, uscc: string, scope: RegionScope): Promise<Error | null> {
  if (sqlState(e) !== '23505') return null;
  const holder = (await store.findByUscc(deps.db, [uscc]))[0];
  return holder ? usccConflict(uscc, holder, scope) : null;
}

export async function createEnterprise(deps: RiskDeps, who: ScopedActor, input: EnterpriseInput): Promise<EnterpriseView> {
  const { record, errors, duplicateOf } = await prepareEnterprise(deps.db, who.scope, null, input, new RegistryPlacement(deps.db));
  // An enterprise registered already is the news, whatever else the form lacks.
  if (duplicateOf) throw usccConflict(record.uscc, duplicateOf, who.scope);
  if (errors.length) throw new ValidationError(errors);
  let view: EnterpriseView;
  try {
    view = await deps.db.transaction(async (tx) => {
      const id = await store.insertEnterprise(tx, record, who.actor);
      await appendAudit(tx, deps.clock, who.actor, { action: 'risk.enterprise_created', targetType: 'risk_enterprise', targetId: id, regionCode: record.regionCode, after: { id, ...record } });
      return (await store.findEnterprise(tx, who.scope, id))!;
    });
  } catch (e) {
    throw (await duplicateAfterRace(deps, e, record.uscc, who.scope)) ?? e;
  }
  await publish(deps, 'risk.enterprise_created', [view.regionCode], { id: view.id, name: view.name, industry: view.industry });
  return view;
}

export async function updateEnterprise(deps: RiskDeps, who: ScopedActor, id: number, input: EnterpriseInput & { version: number }): Promise<EnterpriseView> {
  const { version, ...patch } = input;
  const current = await getEnterprise(deps, who.scope, id);
  if (current.version !== version) throw stale('Enterprise', id, version, current.version);
  const before = enterpriseRecordOf(current);
  const { record, errors, duplicateOf } = await prepareEnterprise(deps.db, who.scope, before, patch, new RegistryPlacement(deps.db), { selfId: id });
  if (duplicateOf) throw usccConflict(record.uscc, duplicateOf, who.scope);
  if (errors.length) throw new ValidationError(errors);
  // Saving an unchanged form is not a change: no new version, no audit entry.
  if (sameRecord(record, before)) return current;
  let view: EnterpriseView;
  try {
    view = await deps.db.transaction(async (tx) => {
      if (!(await store.updateEnterprise(tx, who.scope, id, version, record, who.actor))) {
        const now = await store.findEnterprise(tx, who.scope, id);
        if (!now) throw new NotFoundError('Enterprise');
        throw stale('Enterprise', id, version, now.version);
      }
      await appendAudit(tx, deps.clock, who.actor, {
        action: 'risk.enterprise_updated', targetType: 'risk_enterprise', targetId: id, regionCode: record.regionCode, before: { id, ...before }, after: { id, ...record },
      });
      return (await store.findEnterprise(tx, who.scope, id))!;
    });
  } catch (e) {
    throw (await duplicateAfterRace(deps, e, record.uscc, who.scope)) ?? e;
  }
  await publish(deps, 'risk.enterprise_updated', [before.regionCode, view.regionCode], { id, name: view.name, industry: view.industry });
  return view;
}

/** Removes an enterprise and its persons; one with GB 18218 units only with `cascade`, which removes them too. */
export async function deleteEnterprise(deps: RiskDeps, who: ScopedActor, id: number, opts: { cascade: boolean; version: number | null }): Promise<void> {
  const current = await getEnterprise(deps, who.scope, id);
  await deps.db.transaction(async (tx) => {
    // Holds off units being added while they are counted and removed.
    await tx.query('SELECT 1 FROM risk_enterprises WHERE id = $1 FOR UPDATE', [id]);
    const now = await store.findEnterprise(tx, who.scope, id);
    if (!now) throw new NotFoundError('Enterprise');
    if (opts.version !== null && now.version !== opts.version) throw stale('Enterprise', id, opts.version, now.version);
    if (now.installationCount > 0 && !opts.cascade) {
      throw new ConflictError(`Enterprise ${id} still has ${now.installationCount} GB 18218 unit(s); delete them first, or delete with ?cascade=true to remove them with the enterprise`);
    }
    const units = await store.deleteInstallationsOf(tx, id);
    for (const u of units) {
      await appendAudit(tx, deps.clock, who.actor, {
        action: 'risk.installation_deleted', targetType: 'risk_installation', targetId: u.id, regionCode: now.regionCode, before: { id: u.id, name: u.name, enterpriseId: id }, after: { cascadeFromEnterprise: id },
      });
    }
    await store.deleteEnterprise(tx, who.scope, id, null);
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'risk.enterprise_deleted', targetType: 'risk_enterprise', targetId: id, regionCode: now.regionCode, before: { id, ...enterpriseRecordOf(now), installations: units.map((u) => u.id) },
    });
  });
  await publish(deps, 'risk.enterprise_deleted', [current.regionCode], { id, name: current.name });
}

// ---- places ----

export async function preparePlace(scope: RegionScope, current: PlaceRecord | null, input: PlaceInput, placement: RegistryPlacement): Promise<{ record: PlaceRecord; errors: FieldError[] }> {
  const { record, errors } = mergePlace(current, input);
  errors.push(...checkPlaceFields(record).filter((e) => !errors.some((x) => x.field === e.field)));
  const moved = !current || record.regionCode !== current.regionCode || record.lon !== current.lon || record.lat !== current.lat;
  if (moved) errors.push(...(await placeWith(record, errors, (r) => placement.placePlace(scope, r))));
  return { record, errors };
}

export async function getPlace(deps: Pick<RiskDeps, 'db'>, scope: RegionScope, id: number): Promise<PlaceView> {
  const p = await store.findPlace(deps.db, scope, id);
  if (!p) throw new NotFoundError('Place');
  return p;
}

export function listPlaces(deps: Pick<RiskDeps, 'db'>, scope: RegionScope, filter: store.PlaceFilter): Promise<store.Page<PlaceView>> {
  return store.listPlaces(deps.db, scope, filter);
}

export async function createPlace(deps: RiskDeps, who: ScopedActor, input: PlaceInput): Promise<PlaceView> {
  const { record, errors } = await preparePlace(who.scope, null, input, new RegistryPlacement(deps.db));
  if (errors.length) throw new ValidationError(errors);
  const view = await deps.db.transaction(async (tx) => {
    const id = await store.insertPlace(tx, record, who.actor);
    await appendAudit(tx, deps.clock, who.actor, { action: 'risk.place_created', targetType: 'risk_place', targetId: id, regionCode: record.regionCode, after: { id, ...record } });
    return (await store.findPlace(tx, who.scope, id))!;
  });
  await publish(deps, 'risk.place_created', [view.regionCode], { id: view.id, name: view.name, kind: view.kind });
  return view;
}

export async function updatePlace(deps: RiskDeps, who: ScopedActor, id: number, input: PlaceInput & { version: number }): Promise<PlaceView> {
  const { version, ...patch } = input;
  const current = await getPlace(deps, who.scope, id);
  if (current.version !== version) throw stale('Place', id, version, current.version);
  const before = placeRecordOf(current);
  const { record, errors } = await preparePlace(who.scope, before, patch, new RegistryPlacement(deps.db));
  if (errors.length) throw new ValidationError(errors);
  if (sameRecord(record, before)) return current;
  const view = await deps.db.transaction(async (tx) => {
    if (!(await store.updatePlace(tx, who.scope, id, version, record, who.actor))) {
      const now = await store.findPlace(tx, who.scope, id);
      if (!now) throw new NotFoundError('Place');
      throw stale('Place', id, version, now.version);
    }
    await appendAudit(tx, deps.clock, who.actor, { action: 'risk.place_updated', targetType: 'risk_place', targetId: id, regionCode: record.regionCode, before: { id, ...before }, after: { id, ...record } });
    return (await store.findPlace(tx, who.scope, id))!;
  });
  await publish(deps, 'risk.place_updated', [before.regionCode, view.regionCode], { id, name: view.name, kind: view.kind });
  return view;
}

export async function deletePlace(deps: RiskDeps, who: ScopedActor, id: number, version: number | null): Promise<void> {
  const current = await getPlace(deps, who.scope, id);
  await deps.db.transaction(async (tx) => {
    if (!(await store.deletePlace(tx, who.scope, id, version))) {
      const now = await store.findPlace(tx, who.scope, id);
      if (!now) throw new NotFoundError('Place');
      throw stale('Place', id, version ?? 0, now.version);
    }
    await appendAudit(tx, deps.clock, who.actor, { action: 'risk.place_deleted', targetType: 'risk_place', targetId: id, regionCode: current.regionCode, before: { id, ...placeRecordOf(current), registeredBy: current.registeredBy } });
  });
  await publish(deps, 'risk.place_deleted', [current.regionCode], { id, name: current.name });
}
