import type { Queryable } from '@anlan/db';
import { scopeLikePattern, type RegionScope } from '@anlan/core';
import type { EarthquakeReport } from '@anlan/quake';

export type ReportOutcome = 'assessed' | 'below_threshold' | 'not_actual' | 'no_exposure' | 'cancelled';

export interface StoredReport {
  id: number;
  receivedAt: Date;
  receivedBy: string;
  format: string;
  source: string;
  externalId: string;
  msgType: string;
  status: string;
  references: string[];
  event: EarthquakeReport['event'];
  place: string | null;
  notes: string[];
  outcome: ReportOutcome;
  outcomeMessage: string | null;
  threadId: number;
  assessmentId: number | null;
  regionCode: string;
  cancelledAt: Date | null;
  body?: string;
}

const COLUMNS = `r.id, r.received_at AS "receivedAt", r.received_by_name AS "receivedBy", r.format, r.source, r.external_id AS "externalId",
  r.msg_type AS "msgType", r.status, r.reference_ids AS "references", r.event, r.place, r.notes, r.outcome,
  r.outcome_message AS "outcomeMessage", r.thread_id AS "threadId", r.assessment_id AS "assessmentId", r.region_code AS "regionCode",
  r.cancelled_at AS "cancelledAt"`;

// A report is readable where its epicentre county is, or where its assessment is readable.
const VISIBLE = `(r.region_code LIKE $1 OR EXISTS (SELECT 1 FROM earthquake_assessments a, unnest(a.affected_codes) c
  WHERE a.id = r.assessment_id AND c LIKE $1))`;

function toReport(row: StoredReport): StoredReport {
  return {
    ...row,
    id: Number(row.id),
    threadId: Number(row.threadId),
    assessmentId: row.assessmentId === null ? null : Number(row.assessmentId),
  };
}

/** Serialises the handling of one source's reports, so a report sent twice at once is stored once. */
export async function lockSource(tx: Queryable, source: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`earthquake_report:${source}`]);
}

export async function findBySourceIds(tx: Queryable, source: string, externalIds: string[]): Promise<StoredReport[]> {
  if (externalIds.length === 0) return [];
  const r = await tx.query<StoredReport>(`SELECT ${COLUMNS} FROM earthquake_reports r WHERE r.source = $1 AND r.external_id = ANY($2::text[]) ORDER BY r.id`, [
    source,
    externalIds,
  ]);
  return r.rows.map(toReport);
}

/**
 * The earliest live report of the same earthquake from any source: origin within `seconds` and
 * epicentre within `km` (sources disagree by tens of kilometres and a few seconds).
 */
export async function findSameEarthquake(tx: Queryable, event: { lon: number; lat: number; time?: string }, seconds: number, km: number): Promise<StoredReport | null> {
  if (!event.time) return null;
  const r = await tx.query<StoredReport>(
    `SELECT ${COLUMNS} FROM earthquake_reports r
     WHERE r.event IS NOT NULL AND r.cancelled_at IS NULL AND r.event ? 'time'
       AND abs(extract(epoch FROM ((r.event->>'time')::timestamptz - $3::timestamptz))) <= $4
       AND ST_DWithin(ST_SetSRID(ST_MakePoint((r.event->>'lon')::float8, (r.event->>'lat')::float8), 4326)::geography,
                      ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $5)
     ORDER BY r.id LIMIT 1`,
    [event.lon, event.lat, event.time, seconds, km * 1000],
  );
  return r.rows[0] ? toReport(r.rows[0]) : null;
}

export async function insertReport(
  tx: Queryable,
  r: {
    receivedBy: number | null; receivedByName: string; report: EarthquakeReport; outcome: ReportOutcome; outcomeMessage: string | null;
    threadId: number | null; regionCode: string; body: string;
  },
): Promise<number> {
  // The id is drawn first: a report that starts a thread is its own thread.
  const id = Number((await tx.query<{ id: number }>("SELECT nextval('earthquake_reports_id_seq') AS id")).rows[0].id);
  await tx.query(
    `INSERT INTO earthquake_reports (id, received_by, received_by_name, format, source, external_id, msg_type, status, reference_ids, event, place, notes,
       outcome, outcome_message, thread_id, region_code, body)
     VALUES ($17, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    [
      r.receivedBy, r.receivedByName, r.report.format, r.report.source, r.report.externalId, r.report.msgType, r.report.status, r.report.references,
      r.report.event ? JSON.stringify(r.report.event) : null, r.report.place ?? null, r.report.notes, r.outcome, r.outcomeMessage, r.threadId ?? id,
      r.regionCode, r.body, id,
    ],
  );
  return id;
}

export async function linkAssessment(tx: Queryable, reportId: number, assessmentId: number): Promise<void> {
  await tx.query('UPDATE earthquake_reports SET assessment_id = $2 WHERE id = $1', [reportId, assessmentId]);
}

/** Assessments of a thread still standing (not superseded, not cancelled). */
export async function liveAssessmentsOfThread(tx: Queryable, threadId: number): Promise<number[]> {
  const r = await tx.query<{ id: number }>(
    `SELECT a.id FROM earthquake_assessments a JOIN earthquake_reports r ON r.id = a.report_id
     WHERE r.thread_id = $1 AND a.superseded_by IS NULL AND a.cancelled_at IS NULL`,
    [threadId],
  );
  return r.rows.map((x) => Number(x.id));
}

export async function cancelReports(tx: Queryable, ids: number[], at: Date): Promise<number[]> {
  const r = await tx.query<{ assessmentId: number | null }>(
    'UPDATE earthquake_reports SET cancelled_at = $2 WHERE id = ANY($1::bigint[]) AND cancelled_at IS NULL RETURNING assessment_id AS "assessmentId"',
    [ids, at],
  );
  return r.rows.flatMap((x) => (x.assessmentId === null ? [] : [Number(x.assessmentId)]));
}

export async function listReports(db: Queryable, scope: RegionScope, limit: number): Promise<StoredReport[]> {
  const r = await db.query<StoredReport>(`SELECT ${COLUMNS} FROM earthquake_reports r WHERE ${VISIBLE} ORDER BY r.id DESC LIMIT $2`, [scopeLikePattern(scope), limit]);
  return r.rows.map(toReport);
}

export async function findReport(db: Queryable, scope: RegionScope, id: number): Promise<StoredReport | null> {
  const r = await db.query<StoredReport>(`SELECT ${COLUMNS}, r.body FROM earthquake_reports r WHERE r.id = $2 AND ${VISIBLE}`, [scopeLikePattern(scope), id]);
  return r.rows[0] ? toReport(r.rows[0]) : null;
}
