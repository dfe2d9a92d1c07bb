/**
 * Earthquake reports start assessments by themselves: a report arrives (CAP, JSON, GeoJSON, CENC
 * text), is checked, recorded as received, and — when it is real, strong enough and within reach
 * of the exposure — assessed, so the duty officer opens the page to a result, not a form.
 */
import { NATIONAL_CODE, NotFoundError, ValidationError, canonicalJson, isWithinScope, type RegionScope } from '@anlan/core';
import { parseEarthquakeReports, type EarthquakeReport, type ReportError } from '@anlan/quake';
import { appendAudit } from '../audit/service.ts';
import type { ScopedActor } from '../users/service.ts';
import { readSetting, writeSetting } from '../system/settings.ts';
import * as store from './store.ts';
import * as reports from './report-store.ts';
import {
  computeAssessment, isAssessmentInScope, outOfScopeError, publishAssessmentCompleted, storeAssessment,
  type AssessmentDeps,
} from './service.ts';

export interface AutoAssessSettings {
  /** Reports below this magnitude (Ms) are recorded but not assessed. */
  minMagnitude: number;
}
export const DEFAULT_AUTO_ASSESS: AutoAssessSettings = { minMagnitude: 4.5 };
const SETTINGS_KEY = 'quake_auto_assess';

// Two reports are one earthquake when their origins are this close (sources differ by seconds
// and by tens of kilometres in the first hour).
const SAME_QUAKE_SECONDS = 120;
const SAME_QUAKE_KM = 150;

export async function readAutoAssessSettings(db: AssessmentDeps['db']): Promise<AutoAssessSettings> {
  return { ...DEFAULT_AUTO_ASSESS, ...((await readSetting<Partial<AutoAssessSettings>>(db, SETTINGS_KEY)) ?? {}) };
}

export async function updateAutoAssessSettings(deps: AssessmentDeps, who: ScopedActor, next: AutoAssessSettings): Promise<AutoAssessSettings> {
  if (!(next.minMagnitude >= 3 && next.minMagnitude <= 9)) throw new ValidationError([{ field: 'minMagnitude', message: 'minMagnitude must be between 3 and 9' }]);
  const before = await readAutoAssessSettings(deps.db);
  await deps.db.transaction(async (tx) => {
    await writeSetting(tx, SETTINGS_KEY, next);
    await appendAudit(tx, deps.clock, who.actor, { action: 'assessment.auto_settings_changed', targetType: 'setting', targetId: SETTINGS_KEY, regionCode: NATIONAL_CODE, before, after: next });
  });
  return next;
}

export interface ReportOutcomeView {
  index: number;
  reportId: number;
  source: string;
  externalId: string;
  msgType: string;
  outcome: reports.ReportOutcome;
  message: string | null;
  duplicate: boolean;
  assessmentId: number | null;
  threadId: number;
}

export interface ReceiveResult {
  accepted: ReportOutcomeView[];
  rejected: (ReportError & { index: number })[];
}

const sameEvent = (a: EarthquakeReport['event'], b: EarthquakeReport['event']) => canonicalJson(a) === canonicalJson(b);

function outcomeView(index: number, r: reports.StoredReport, duplicate: boolean): ReportOutcomeView {
  return {
    index, reportId: r.id, source: r.source, externalId: r.externalId, msgType: r.msgType, outcome: r.outcome, message: r.outcomeMessage,
    duplicate, assessmentId: r.assessmentId, threadId: r.threadId,
  };
}

/** What to do with a report that is not a Cancel, before anything is stored. */
async function decide(deps: AssessmentDeps, report: EarthquakeReport, settings: AutoAssessSettings) {
  const event = report.event!;
  if (report.status !== 'Actual' && report.status !== 'Exercise') {
    const county = await store.countyAt(deps.db, event.lon, event.lat);
    return { outcome: 'not_actual' as const, message: `status ${report.status}: recorded, not assessed`, regionCode: county?.code ?? NATIONAL_CODE, computed: null };
  }
  if (event.magnitude < settings.minMagnitude) {
    const county = await store.countyAt(deps.db, event.lon, event.lat);
    return { outcome: 'below_threshold' as const, message: `Ms ${event.magnitude} is below the automatic assessment threshold Ms ${settings.minMagnitude}`, regionCode: county?.code ?? NATIONAL_CODE, computed: null };
  }
  const computed = await computeAssessment(deps, event);
  // An assessment that finds no county at VI is still kept: "no damage expected" is an answer the duty officer reports upward.
  if (computed.exposureRows === 0) {
    return { outcome: 'no_exposure' as const, message: 'no exposure within reach: the epicentre is too far from China for the national exposure', regionCode: NATIONAL_CODE, computed: null };
  }
  return { outcome: 'assessed' as const, message: null, regionCode: computed.epicentre.code, computed };
}

async function receiveOne(deps: AssessmentDeps, who: ScopedActor, report: EarthquakeReport, body: string, index: number, settings: AutoAssessSettings) {
  const known = await reports.findBySourceIds(deps.db, report.source, [report.externalId]);
  const repeat = known.find((k) => k.msgType === report.msgType && sameEvent(k.event, report.event));
  if (repeat) return { view: outcomeView(index, repeat, true), publish: null };

  if (report.msgType === 'Cancel') return { view: await receiveCancel(deps, who, report, body, index), publish: null };

  const decision = await decide(deps, report, settings);
  if (decision.computed && !isAssessmentInScope(decision.computed, who.scope)) throw outOfScopeError(decision.computed);
  if (!decision.computed && !isWithinScope(decision.regionCode, who.scope.code)) {
    throw new ValidationError([{ field: 'lon', message: `this earthquake (epicentre county ${decision.regionCode}) is outside your scope` }]);
  }
  const name = [report.status === 'Exercise' ? '【演练】' : '', report.place ?? '', `${report.event!.magnitude} 级地震`].join('').trim();

  const stored = await deps.db.transaction(async (tx) => {
    await reports.lockSource(tx, report.source);
    // Checked again under the lock: the same report sent twice at once is stored once.
    const again = await reports.findBySourceIds(tx, report.source, [report.externalId]);
    const dup = again.find((k) => k.msgType === report.msgType && sameEvent(k.event, report.event));
    if (dup) return { report: dup, duplicate: true, assessmentId: null as number | null };
    // A thread: what it updates, an earlier version with the same id, or the same earthquake from another source.
    const referenced = await reports.findBySourceIds(tx, report.source, report.references);
    const thread = referenced[0] ?? again[0] ?? (await reports.findSameEarthquake(tx, report.event!, SAME_QUAKE_SECONDS, SAME_QUAKE_KM));
    const reportId = await reports.insertReport(tx, {
      receivedBy: who.actor.id, receivedByName: who.actor.name, report, outcome: decision.outcome, outcomeMessage: decision.message,
      threadId: thread?.threadId ?? null, regionCode: decision.regionCode, body,
    });
    let assessmentId: number | null = null;
    if (decision.outcome === 'assessed' && decision.computed) {
      const earlier = thread ? await reports.liveAssessmentsOfThread(tx, thread.threadId) : [];
      assessmentId = await storeAssessment(tx, deps.clock, who.actor, decision.computed, { name, reportId });
      await reports.linkAssessment(tx, reportId, assessmentId);
      await store.supersedeAssessments(tx, earlier, assessmentId);
    }
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'assessment.earthquake_report_received',
      targetType: 'earthquake_report',
      targetId: reportId,
      regionCode: decision.regionCode,
      after: { format: report.format, source: report.source, externalId: report.externalId, msgType: report.msgType, event: report.event, outcome: decision.outcome, assessmentId },
    });
    const [row] = await reports.findBySourceIds(tx, report.source, [report.externalId]).then((rows) => rows.filter((x) => x.id === reportId));
    return { report: row, duplicate: false, assessmentId };
  });
  const publish = stored.assessmentId !== null && decision.computed
    ? { computed: decision.computed, id: stored.assessmentId, report: { id: stored.report.id, source: report.source, ...(report.place ? { place: report.place } : {}) } }
    : null;
  return { view: outcomeView(index, stored.report, stored.duplicate), publish };
}

async function receiveCancel(deps: AssessmentDeps, who: ScopedActor, report: EarthquakeReport, body: string, index: number): Promise<ReportOutcomeView> {
  return deps.db.transaction(async (tx) => {
    await reports.lockSource(tx, report.source);
    const targets = (await reports.findBySourceIds(tx, report.source, report.references)).filter((t) => isWithinScope(t.regionCode, who.scope.code));
    if (targets.length === 0) {
      throw new ValidationError([{ field: 'references', message: `no report ${report.references.join(', ')} from ${report.source} is known in your scope` }]);
    }
    const cancelledAssessments = await reports.cancelReports(tx, targets.map((t) => t.id), deps.clock.now());
    await store.cancelAssessments(tx, cancelledAssessments, deps.clock.now());
    const reportId = await reports.insertReport(tx, {
      receivedBy: who.actor.id, receivedByName: who.actor.name, report, outcome: 'cancelled',
      outcomeMessage: `cancels ${targets.map((t) => t.externalId).join(', ')}`, threadId: targets[0].threadId, regionCode: targets[0].regionCode, body,
    });
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'assessment.earthquake_report_cancelled',
      targetType: 'earthquake_report',
      targetId: reportId,
      regionCode: targets[0].regionCode,
      after: { source: report.source, cancels: targets.map((t) => t.id), assessments: cancelledAssessments },
    });
    const [row] = (await reports.findBySourceIds(tx, report.source, [report.externalId])).filter((x) => x.id === reportId);
    return outcomeView(index, row, false);
  });
}

/**
 * Receives one request body holding one or more reports. Good reports are kept even when others
 * in the same body are rejected; each rejection says which report and which field.
 */
export async function receiveEarthquakeReports(deps: AssessmentDeps, who: ScopedActor, body: unknown, contentType: string): Promise<ReceiveResult> {
  const { reports: parsed, errors } = parseEarthquakeReports(typeof body === 'string' ? body : body ?? null, contentType, deps.clock.now());
  const rejected: ReceiveResult['rejected'] = errors.map((e) => ({ ...e, index: e.index ?? 0 }));
  const accepted: ReportOutcomeView[] = [];
  const settings = await readAutoAssessSettings(deps.db);
  for (const report of parsed) {
    try {
      const raw = typeof body === 'string' ? body : canonicalJson(items(body)?.[report.index] ?? body);
      const { view, publish } = await receiveOne(deps, who, report, raw, report.index, settings);
      accepted.push(view);
      if (publish) await publishAssessmentCompleted(deps.bus, deps.clock, publish.computed, publish.id, publish.report);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      for (const fe of e.errors ?? []) rejected.push({ index: report.index, field: fe.field, message: fe.message });
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  return { accepted, rejected };
}

/** The items of a JSON batch body (an array or a FeatureCollection). */
function items(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && (body as { type?: unknown }).type === 'FeatureCollection') return ((body as { features?: unknown[] }).features ?? []);
  return null;
}

export async function listEarthquakeReports(deps: Pick<AssessmentDeps, 'db'>, scope: RegionScope, limit = 100) {
  return reports.listReports(deps.db, scope, limit);
}

export async function getEarthquakeReport(deps: Pick<AssessmentDeps, 'db'>, scope: RegionScope, id: number) {
  const r = await reports.findReport(deps.db, scope, id);
  if (!r) throw new NotFoundError('Earthquake report');
  return r;
}
