import type { Database, Queryable } from '@anlan/db';
import { NATIONAL_CODE, NotFoundError, ValidationError, isWithinScope, regionScope, type Clock, type RegionScope } from '@anlan/core';
import {
  affectedRegions, assess, bboxAround, exposureRadiusKm, loadNationalExposure, parseEvent,
  type AssessmentResult, type ExposureColumns, type QuakeEvent, type RawEventInput,
} from '@anlan/quake';
import { loadInventoryExposure } from './inventories.ts';
import type { AssessFn, AssessmentJobRunner, JobView, JobWork } from './jobs.ts';
import type { Actor } from '../caller.ts';
import { appendAudit } from '../audit/service.ts';
import type { EventBus } from '../events/bus.ts';
import type { ScopedActor } from '../users/service.ts';
import * as store from './store.ts';

export interface AssessmentDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
  /** Uploaded inventories live under it. */
  filesDir: string;
  assessmentJobs: AssessmentJobRunner;
  /** The engine off the event loop (worker threads). */
  runAssess: AssessFn;
  /** Inventories with more rows run as a job (default JOB_ROWS). */
  assessmentJobRows?: number;
}

/** Inventories with more rows than this run as a job (about 0.3 s of engine time inside a request at most). */
export const JOB_ROWS = 1_000_000;

export interface RunInput extends RawEventInput {
  name?: string;
  /** Assess a building inventory uploaded earlier instead of the national default exposure. */
  inventoryId?: number;
}

/** What the assessment was run over. */
export type ExposureSource = { kind: 'national' } | { kind: 'inventory'; id: number; name: string; rows: number };

/** A stored assessment as the API shows it: per-county rows only inside the caller's scope. */
function view(a: store.StoredAssessment, scope: RegionScope, detail: boolean) {
  const head = {
    id: a.id, name: a.name, createdAt: a.createdAt, createdBy: a.createdBy, event: a.event, epicentre: a.epicentre, seconds: a.seconds,
    trigger: a.report ? ('report' as const) : ('manual' as const), report: a.report, supersededBy: a.supersededBy, cancelledAt: a.cancelledAt,
  };
  if (!detail) {
    const { maxIntensity, deaths, injuries, economicLossCny, pagerAlert, exposure } = a.summary as Record<string, unknown>;
    return { ...head, maxIntensity, deaths, injuries, economicLossCny, pagerAlert, exposure: exposure ?? { kind: 'national' } };
  }
  return { ...head, exposure: { kind: 'national' }, ...a.summary, regions: a.regions.filter((r) => isWithinScope(r.code, scope.code)), contours: a.contours };
}

/** An assessment computed but not stored yet. */
export interface ComputedAssessment {
  event: QuakeEvent;
  result: AssessmentResult;
  regions: ReturnType<typeof affectedRegions>;
  epicentre: { code: string; name: string };
  /** Counties shaken to VI or more. */
  affectedCodes: string[];
  exposureRows: number;
  exposureSource: ExposureSource;
  seconds: number;
}

/**
 * The assessment of an event over the national default exposure (about 0.2 s) or over a given
 * exposure (an inventory), and the county holding its epicentre.
 */
export async function computeAssessment(
  deps: Pick<AssessmentDeps, 'db'>, event: QuakeEvent,
  over?: { exposure: ExposureColumns; source: ExposureSource; run: AssessFn },
): Promise<ComputedAssessment> {
  const started = performance.now();
  const exposure = over?.exposure ?? loadNationalExposure({ bbox: bboxAround(event.lon, event.lat, exposureRadiusKm(event)) });
  const result = over ? await over.run(event, exposure) : assess(event, exposure);
  const regions = affectedRegions(result);
  const epicentre = (await store.countyAt(deps.db, event.lon, event.lat)) ?? { code: NATIONAL_CODE, name: '全国' };
  const affectedCodes = regions.filter((r) => r.maxIntensity >= 6).map((r) => r.code);
  return {
    event, result, regions, epicentre, affectedCodes, exposureRows: exposure.count, exposureSource: over?.source ?? { kind: 'national' },
    seconds: (performance.now() - started) / 1000,
  };
}

/** Whether a caller could read the assessment: the epicentre or a strongly shaken county in scope. */
export function isAssessmentInScope(c: ComputedAssessment, scope: RegionScope): boolean {
  return isWithinScope(c.epicentre.code, scope.code) || c.affectedCodes.some((code) => isWithinScope(code, scope.code));
}

export function outOfScopeError(c: ComputedAssessment): ValidationError {
  return new ValidationError([{ field: 'lon', message: `this earthquake (epicentre in ${c.epicentre.name} ${c.epicentre.code}) does not shake any county in your scope` }]);
}

/** Stores a computed assessment with its audit entry, inside the caller's transaction. */
export async function storeAssessment(
  tx: Queryable, clock: Clock, actor: Actor, c: ComputedAssessment, opts: { name: string | null; reportId?: number | null },
): Promise<number> {
  const { contours, regions: _all, ...totals } = c.result;
  const id = await store.insertAssessment(tx, {
    inventoryId: c.exposureSource.kind === 'inventory' ? c.exposureSource.id : null,
    name: opts.name,
    createdBy: actor.id,
    createdByName: actor.name,
    regionCode: c.epicentre.code,
    regionName: c.epicentre.name,
    affectedCodes: c.affectedCodes,
    event: c.event,
    summary: { ...totals, exposure: c.exposureSource, exposureRows: c.exposureRows },
    regions: c.regions,
    contours,
    seconds: c.seconds,
    reportId: opts.reportId ?? null,
  });
  await appendAudit(tx, clock, actor, {
    action: 'assessment.earthquake_created',
    targetType: 'earthquake_assessment',
    targetId: id,
    regionCode: c.epicentre.code,
    after: { event: c.event, maxIntensity: c.result.maxIntensity, deaths: c.result.deaths.median, pagerAlert: c.result.pagerAlert, reportId: opts.reportId ?? null },
  });
  return id;
}

export async function publishAssessmentCompleted(bus: EventBus, clock: Clock, c: ComputedAssessment, id: number, report?: { id: number; source: string; place?: string }) {
  await bus.publish({
    type: 'assessment.earthquake_completed',
    regionCode: c.epicentre.code,
    at: clock.now().toISOString(),
    data: {
      id, magnitude: c.event.magnitude, maxIntensity: c.result.maxIntensity, pagerAlert: c.result.pagerAlert,
      epicentre: c.epicentre, trigger: report ? 'report' : 'manual', ...(report ? { report } : {}),
    },
  });
}

/**
 * Runs the national-default assessment of an earthquake and keeps its aggregated results. The
 * engine takes about 0.2 s, so it runs inside the request; the caller must have the epicentre
 * or a strongly shaken county in scope, or it could never read what it created.
 */
export async function runEarthquakeAssessment(deps: AssessmentDeps, who: ScopedActor, input: RunInput): Promise<{ assessment: Awaited<ReturnType<typeof getEarthquakeAssessment>> } | { job: JobView }> {
  const { event, errors } = parseEvent(input);
  if (!event) throw new ValidationError(errors);
  const name = input.name?.trim() || null;
  let over: Parameters<typeof computeAssessment>[2];
  if (input.inventoryId !== undefined) {
    const { inventory, exposure } = await loadInventoryExposure(deps, who.scope, input.inventoryId);
    if (exposure.count > (deps.assessmentJobRows ?? JOB_ROWS)) {
      const job = await deps.assessmentJobs.submit({ actor: who.actor, regionCode: inventory.regionCode, scope: who.scope, inventoryId: inventory.id, name, event });
      return { job };
    }
    over = { exposure, source: { kind: 'inventory', id: inventory.id, name: inventory.name, rows: inventory.rows }, run: deps.runAssess };
  }
  const computed = await computeAssessment(deps, event, over);
  if (!isAssessmentInScope(computed, who.scope)) throw outOfScopeError(computed);
  const id = await deps.db.transaction((tx) => storeAssessment(tx, deps.clock, who.actor, computed, { name }));
  await publishAssessmentCompleted(deps.bus, deps.clock, computed, id);
  return { assessment: await getEarthquakeAssessment(deps, who.scope, id) };
}

/** The work of one job: the same chain as a request, with the job's owner as the actor. */
export function assessmentJobWork(deps: AssessmentDeps) {
  return async ({ job, setStage }: JobWork): Promise<number> => {
    const scope = regionScope(job.scopeCode);
    const { inventory, exposure } = await loadInventoryExposure(deps, scope, job.inventoryId);
    await setStage('assessing');
    const computed = await computeAssessment(deps, job.event, {
      exposure, source: { kind: 'inventory', id: inventory.id, name: inventory.name, rows: inventory.rows }, run: deps.runAssess,
    });
    if (!isAssessmentInScope(computed, scope)) throw new Error(outOfScopeError(computed).errors?.[0]?.message ?? 'out of scope');
    await setStage('storing');
    const actor: Actor = { id: job.createdById, name: job.createdBy, ip: null };
    const id = await deps.db.transaction((tx) => storeAssessment(tx, deps.clock, actor, computed, { name: job.name }));
    await publishAssessmentCompleted(deps.bus, deps.clock, computed, id);
    return id;
  };
}

export async function listEarthquakeAssessments(deps: Pick<AssessmentDeps, 'db'>, scope: RegionScope, limit = 100) {
  return (await store.listAssessments(deps.db, scope, limit)).map((a) => view(a, scope, false));
}

export async function getEarthquakeAssessment(deps: Pick<AssessmentDeps, 'db'>, scope: RegionScope, id: number) {
  const a = await store.findAssessment(deps.db, scope, id);
  if (!a) throw new NotFoundError('Assessment');
  return view(a, scope, true);
}
