import type { Database } from '@anlan/db';
import { NATIONAL_CODE, NotFoundError, ValidationError, isWithinScope, type Clock, type RegionScope } from '@anlan/core';
import { affectedRegions, assess, bboxAround, exposureRadiusKm, loadNationalExposure, parseEvent, type RawEventInput } from '@anlan/quake';
import { appendAudit } from '../audit/service.ts';
import type { EventBus } from '../events/bus.ts';
import type { ScopedActor } from '../users/service.ts';
import * as store from './store.ts';

export interface AssessmentDeps {
  db: Database;
  clock: Clock;
  bus: EventBus;
}

export interface RunInput extends RawEventInput {
  name?: string;
}

/** A stored assessment as the API shows it: per-county rows only inside the caller's scope. */
function view(a: store.StoredAssessment, scope: RegionScope, detail: boolean) {
  const base = { id: a.id, name: a.name, createdAt: a.createdAt, createdBy: a.createdBy, event: a.event, epicentre: a.epicentre, seconds: a.seconds, ...a.summary };
  if (!detail) {
    const { maxIntensity, deaths, injuries, economicLossCny, pagerAlert } = a.summary as Record<string, unknown>;
    return { id: a.id, name: a.name, createdAt: a.createdAt, createdBy: a.createdBy, event: a.event, epicentre: a.epicentre, seconds: a.seconds, maxIntensity, deaths, injuries, economicLossCny, pagerAlert };
  }
  return { ...base, regions: a.regions.filter((r) => isWithinScope(r.code, scope.code)), contours: a.contours };
}

/**
 * Runs the national-default assessment of an earthquake and keeps its aggregated results. The
 * engine takes about 0.2 s, so it runs inside the request; the caller must have the epicentre
 * or a strongly shaken county in scope, or it could never read what it created.
 */
export async function runEarthquakeAssessment(deps: AssessmentDeps, who: ScopedActor, input: RunInput) {
  const { event, errors } = parseEvent(input);
  if (!event) throw new ValidationError(errors);
  const started = performance.now();
  const exposure = loadNationalExposure({ bbox: bboxAround(event.lon, event.lat, exposureRadiusKm(event)) });
  const result = assess(event, exposure);
  const regions = affectedRegions(result);
  const epicentre = (await store.countyAt(deps.db, event.lon, event.lat)) ?? { code: NATIONAL_CODE, name: '全国' };
  const affectedCodes = regions.filter((r) => r.maxIntensity >= 6).map((r) => r.code);
  if (!isWithinScope(epicentre.code, who.scope.code) && !affectedCodes.some((c) => isWithinScope(c, who.scope.code))) {
    throw new ValidationError([{ field: 'lon', message: `this earthquake (epicentre in ${epicentre.name} ${epicentre.code}) does not shake any county in your scope` }]);
  }
  const { contours, regions: _all, ...totals } = result;
  const seconds = (performance.now() - started) / 1000;
  const id = await deps.db.transaction(async (tx) => {
    const newId = await store.insertAssessment(tx, {
      name: input.name?.trim() || null,
      createdBy: who.actor.id,
      createdByName: who.actor.name,
      regionCode: epicentre.code,
      regionName: epicentre.name,
      affectedCodes,
      event,
      summary: totals,
      regions,
      contours,
      seconds,
    });
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'assessment.earthquake_created',
      targetType: 'earthquake_assessment',
      targetId: newId,
      regionCode: epicentre.code,
      after: { event, maxIntensity: result.maxIntensity, deaths: result.deaths.median, pagerAlert: result.pagerAlert },
    });
    return newId;
  });
  await deps.bus.publish({
    type: 'assessment.earthquake_completed',
    regionCode: epicentre.code,
    at: deps.clock.now().toISOString(),
    data: { id, magnitude: event.magnitude, maxIntensity: result.maxIntensity, pagerAlert: result.pagerAlert },
  });
  return getEarthquakeAssessment(deps, who.scope, id);
}

export async function listEarthquakeAssessments(deps: Pick<AssessmentDeps, 'db'>, scope: RegionScope, limit = 100) {
  return (await store.listAssessments(deps.db, scope, limit)).map((a) => view(a, scope, false));
}

export async function getEarthquakeAssessment(deps: Pick<AssessmentDeps, 'db'>, scope: RegionScope, id: number) {
  const a = await store.findAssessment(deps.db, scope, id);
  if (!a) throw new NotFoundError('Assessment');
  return view(a, scope, true);
}
