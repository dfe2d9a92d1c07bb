/**
 * GB 18218-2018 units of an enterprise (危险化学品重大危险源辨识): the enterprise declares a
 * production or storage unit with the quantity of each hazardous chemical; Anlan computes S, R and
 * the grade (gb18218/compute.ts) and stores them with the input, recomputing on every change so a
 * stored grade is never older than its chemicals.
 */
import { NotFoundError, ValidationError, type FieldError, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { appendAudit } from '../audit/service.ts';
import type { ScopedActor } from '../users/service.ts';
import { UNIT_KIND_KEYS, type UnitKindKey } from './catalogue.ts';
import { computeUnit, type ChemicalInput, type Computation } from './gb18218/compute.ts';
import { getEnterprise, publish, stale, type RiskDeps } from './service.ts';
import * as store from './store.ts';
import { LIMITS } from './validate.ts';

export type InstallationView = store.InstallationView;

export interface InstallationInput {
  name?: string;
  kind?: UnitKindKey;
  exposedPopulation?: number;
  notes?: string | null;
  chemicals?: ChemicalInput[];
}

function recordOf(v: InstallationView): store.InstallationRecord {
  return { name: v.name, kind: v.kind, exposedPopulation: v.exposedPopulation, notes: v.notes, chemicals: v.chemicals.map((c) => ({ ...c, hazardClasses: [...c.hazardClasses] })) };
}

function storedChemical(c: ChemicalInput): store.StoredChemical {
  const text = (v: string | null | undefined) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return { name: text(c.name), cas: text(c.cas), quantityTonnes: c.quantityTonnes, hazardClasses: (c.hazardClasses ?? []).map((h) => String(h).trim()), betaClass: text(c.betaClass) };
}

/** The unit a create or update would store with its computation, or every reason it may not. */
export function prepareInstallation(current: store.InstallationRecord | null, input: InstallationInput): { record: store.InstallationRecord; computation: Computation | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!current) {
    for (const f of ['name', 'kind', 'exposedPopulation', 'chemicals'] as const) if (input[f] === undefined) errors.push({ field: f, message: 'is required' });
  }
  const base = current ?? { name: '', kind: 'storage' as UnitKindKey, exposedPopulation: 0, notes: null, chemicals: [] };
  const record: store.InstallationRecord = {
    name: (input.name ?? base.name).trim(),
    kind: input.kind ?? base.kind,
    exposedPopulation: input.exposedPopulation ?? base.exposedPopulation,
    notes: input.notes === undefined ? base.notes : input.notes === null || input.notes.trim() === '' ? null : input.notes.trim(),
    chemicals: input.chemicals ? input.chemicals.map(storedChemical) : base.chemicals,
  };
  const missing = new Set(errors.map((e) => e.field));
  if (!missing.has('name')) {
    if (record.name === '') errors.push({ field: 'name', message: 'must not be empty' });
    else if (record.name.length > LIMITS.name) errors.push({ field: 'name', message: `must be at most ${LIMITS.name} characters` });
  }
  if (!missing.has('kind') && !UNIT_KIND_KEYS.includes(record.kind)) errors.push({ field: 'kind', message: `must be one of ${UNIT_KIND_KEYS.join(', ')} (生产单元 / 储存单元)` });
  if (record.notes !== null && record.notes.length > LIMITS.notes) errors.push({ field: 'notes', message: `must be at most ${LIMITS.notes} characters` });
  if (missing.has('chemicals') || missing.has('exposedPopulation')) return { record, computation: null, errors };
  const computed = computeUnit({ exposedPopulation: record.exposedPopulation, chemicals: record.chemicals });
  if (!computed.ok) return { record, computation: null, errors: [...errors, ...computed.errors] };
  return { record, computation: computed.computation, errors };
}

export async function listInstallations(deps: Pick<RiskDeps, 'db'>, scope: RegionScope, enterpriseId: number): Promise<InstallationView[]> {
  // An enterprise of another county is as absent as one that does not exist.
  await getEnterprise(deps, scope, enterpriseId);
  return store.listInstallations(deps.db, scope, enterpriseId);
}

export async function getInstallation(deps: Pick<RiskDeps, 'db'>, scope: RegionScope, enterpriseId: number, id: number): Promise<InstallationView> {
  const v = await store.findInstallation(deps.db, scope, enterpriseId, id);
  if (!v) throw new NotFoundError('GB 18218 unit');
  return v;
}

function auditView(id: number, enterpriseId: number, r: store.InstallationRecord, c: Computation) {
  return { id, enterpriseId, ...r, s: c.s, r: c.r, major: c.major, grade: c.grade };
}

export async function createInstallation(deps: RiskDeps, who: ScopedActor, enterpriseId: number, input: InstallationInput): Promise<InstallationView> {
  const enterprise = await getEnterprise(deps, who.scope, enterpriseId);
  const { record, computation, errors } = prepareInstallation(null, input);
  if (errors.length || !computation) throw new ValidationError(errors);
  const view = await deps.db.transaction(async (tx: Queryable) => {
    // The enterprise may have been deleted since it was read.
    const locked = await tx.query('SELECT 1 FROM risk_enterprises WHERE id = $1 FOR UPDATE', [enterpriseId]);
    if (locked.rows.length === 0) throw new NotFoundError('Enterprise');
    const id = await store.insertInstallation(tx, enterpriseId, record, computation, who.actor);
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'risk.installation_created', targetType: 'risk_installation', targetId: id, regionCode: enterprise.regionCode, after: auditView(id, enterpriseId, record, computation),
    });
    return (await store.findInstallation(tx, who.scope, enterpriseId, id))!;
  });
  await publish(deps, 'risk.installation_created', [enterprise.regionCode], { id: view.id, enterpriseId, name: view.name, major: view.major, grade: view.grade });
  return view;
}

export async function updateInstallation(deps: RiskDeps, who: ScopedActor, enterpriseId: number, id: number, input: InstallationInput & { version: number }): Promise<InstallationView> {
  const { version, ...patch } = input;
  const current = await getInstallation(deps, who.scope, enterpriseId, id);
  if (current.version !== version) throw stale('GB 18218 unit', id, version, current.version);
  const before = recordOf(current);
  const { record, computation, errors } = prepareInstallation(before, patch);
  if (errors.length || !computation) throw new ValidationError(errors);
  if (JSON.stringify(record) === JSON.stringify(before)) return current;
  const view = await deps.db.transaction(async (tx) => {
    if (!(await store.updateInstallation(tx, who.scope, enterpriseId, id, version, record, computation, who.actor))) {
      const now = await store.findInstallation(tx, who.scope, enterpriseId, id);
      if (!now) throw new NotFoundError('GB 18218 unit');
      throw stale('GB 18218 unit', id, version, now.version);
    }
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'risk.installation_updated', targetType: 'risk_installation', targetId: id, regionCode: current.regionCode,
      before: auditView(id, enterpriseId, before, current.computation), after: auditView(id, enterpriseId, record, computation),
    });
    return (await store.findInstallation(tx, who.scope, enterpriseId, id))!;
  });
  await publish(deps, 'risk.installation_updated', [current.regionCode], { id, enterpriseId, name: view.name, major: view.major, grade: view.grade });
  return view;
}

export async function deleteInstallation(deps: RiskDeps, who: ScopedActor, enterpriseId: number, id: number, version: number | null): Promise<void> {
  const current = await getInstallation(deps, who.scope, enterpriseId, id);
  await deps.db.transaction(async (tx) => {
    if (!(await store.deleteInstallation(tx, who.scope, enterpriseId, id, version))) {
      const now = await store.findInstallation(tx, who.scope, enterpriseId, id);
      if (!now) throw new NotFoundError('GB 18218 unit');
      throw stale('GB 18218 unit', id, version ?? 0, now.version);
    }
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'risk.installation_deleted', targetType: 'risk_installation', targetId: id, regionCode: current.regionCode, before: auditView(id, enterpriseId, recordOf(current), current.computation),
    });
  });
  await publish(deps, 'risk.installation_deleted', [current.regionCode], { id, enterpriseId, name: current.name });
}
