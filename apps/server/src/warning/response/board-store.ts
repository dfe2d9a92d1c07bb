/**
 * The SQL of the call-response board (叫应看板) and the evacuation ledger (转移台账). A caller sees
 * a warning when it lies in their region or reaches someone in it, and only the recipients inside
 * their region: a township's duty officer sees their township's part of a county-wide warning.
 */
import type { Queryable } from '@anlan/db';
import { scopeLikePattern, scopePrefix, type RegionScope } from '@anlan/core';
import type { WarningSummary } from './store.ts';

export const RECIPIENT_STATUSES = ['queued', 'sent', 'delivered', 'answered', 'escalated', 'silent', 'failed'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const int = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function visibleWarning(db: Queryable, scope: RegionScope, id: number): Promise<WarningSummary | null> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT w.id, w.event, w.level, w.stage, w.msg_type AS "msgType", w.state, w.headline, w.description, w.instruction,
       w.region_code AS "regionCode", w.issued_at AS "issuedAt", w.expires_at AS "expiresAt"
     FROM warnings w
     WHERE w.id = $1 AND (w.region_code LIKE $2 OR EXISTS (SELECT 1 FROM warning_recipients r WHERE r.warning_id = w.id AND r.region_code LIKE $2))`,
    [id, scopeLikePattern(scope)],
  );
  const x = r.rows[0];
  if (!x) return null;
  return {
    id: Number(x.id),
    event: String(x.event),
    level: String(x.level),
    stage: String(x.stage),
    msgType: String(x.msgType),
    state: String(x.state),
    headline: String(x.headline),
    description: String(x.description),
    instruction: String(x.instruction),
    regionCode: String(x.regionCode),
    issuedAt: iso(x.issuedAt),
    expiresAt: iso(x.expiresAt)!,
  };
}

export interface RecipientFilter {
  status?: RecipientStatus;
  /** Only this region and below. */
  regionCode?: string;
  /** Part of the name or the phone number. */
  q?: string;
  /** region: by township and village (default); deadline: the most urgent first. */
  sort?: 'region' | 'deadline';
  limit: number;
  offset: number;
}

export interface BoardRecipient {
  id: number;
  personId: number;
  name: string;
  phone: string;
  regionCode: string;
  regionName: string | null;
  townshipCode: string | null;
  townshipName: string | null;
  villageCode: string | null;
  villageName: string | null;
  reason: string;
  viaRecipientId: number | null;
  viaName: string | null;
  planned: number;
  status: RecipientStatus;
  deadlineAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  answeredAt: string | null;
  escalatedAt: string | null;
  feedback: { moved: number | null; sheltered: number | null; atRisk: number | null; note: string | null; answeredAt: string } | null;
  /** The latest answer with a photo, for GET …/answers/:answerId/photo. */
  photoAnswerId: number | null;
}

class Where {
  readonly clauses: string[] = [];
  constructor(readonly params: unknown[]) {}
  add(sql: (n: (v: unknown) => string) => string): void {
    this.clauses.push(sql((v) => `$${this.params.push(v)}`));
  }
  toString(): string {
    return this.clauses.join(' AND ');
  }
}

function likeContains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function recipientWhere(scope: RegionScope, warningId: number, f: Omit<RecipientFilter, 'limit' | 'offset' | 'sort'>): Where {
  const w = new Where([]);
  w.add((n) => `r.warning_id = ${n(warningId)}`);
  w.add((n) => `r.region_code LIKE ${n(scopeLikePattern(scope))}`);
  if (f.status) w.add((n) => `r.status = ${n(f.status)}`);
  if (f.regionCode) w.add((n) => `r.region_code LIKE ${n(`${scopePrefix(f.regionCode!)}%`)}`);
  if (f.q) w.add((n) => `(r.name ILIKE ${n(likeContains(f.q!))} OR r.phone LIKE ${n(likeContains(f.q!))})`);
  return w;
}

const TOWNSHIP = `CASE WHEN length(r.region_code) >= 9 THEN left(r.region_code, 9) END`;
const VILLAGE = `CASE WHEN length(r.region_code) = 12 THEN r.region_code END`;

export async function listRecipients(db: Queryable, scope: RegionScope, warningId: number, f: RecipientFilter): Promise<{ items: BoardRecipient[]; total: number }> {
  const w = recipientWhere(scope, warningId, f);
  const total = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM warning_recipients r WHERE ${w}`, w.params)).rows[0].n);
  const order =
    f.sort === 'deadline'
      ? `CASE r.status WHEN 'silent' THEN 0 WHEN 'escalated' THEN 1 WHEN 'failed' THEN 2 WHEN 'answered' THEN 4 ELSE 3 END, r.deadline_at NULLS LAST, r.id`
      : 'r.region_code, r.id';
  const limit = w.params.push(f.limit);
  const offset = w.params.push(f.offset);
  const r = await db.query<Record<string, unknown>>(
    `SELECT r.id, r.person_id AS "personId", r.name, r.phone, r.region_code AS "regionCode",
       (SELECT g.name FROM regions g WHERE g.code = r.region_code) AS "regionName",
       ${TOWNSHIP} AS "townshipCode", (SELECT g.name FROM regions g WHERE g.code = ${TOWNSHIP}) AS "townshipName",
       ${VILLAGE} AS "villageCode", (SELECT g.name FROM regions g WHERE g.code = ${VILLAGE}) AS "villageName",
       r.reason, r.via_recipient_id AS "viaRecipientId", (SELECT v.name FROM warning_recipients v WHERE v.id = r.via_recipient_id) AS "viaName",
       r.planned, r.status, r.deadline_at AS "deadlineAt", r.sent_at AS "sentAt", r.delivered_at AS "deliveredAt",
       r.answered_at AS "answeredAt", r.escalated_at AS "escalatedAt",
       (SELECT json_build_object(
          'moved', (array_agg(a.moved ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.moved IS NOT NULL))[1],
          'sheltered', (array_agg(a.sheltered ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.sheltered IS NOT NULL))[1],
          'atRisk', (array_agg(a.at_risk ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.at_risk IS NOT NULL))[1],
          'note', (array_agg(a.note ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.note IS NOT NULL))[1],
          'answeredAt', max(a.answered_at))
        FROM warning_answers a WHERE a.recipient_id = r.id AND a.kind = 'feedback' HAVING count(*) > 0) AS feedback,
       (SELECT a.id FROM warning_answers a WHERE a.recipient_id = r.id AND a.photo_path IS NOT NULL ORDER BY a.answered_at DESC, a.id DESC LIMIT 1) AS "photoAnswerId"
     FROM warning_recipients r WHERE ${w}
     ORDER BY ${order} LIMIT $${limit} OFFSET $${offset}`,
    w.params,
  );
  return { items: r.rows.map(toRecipient), total };
}

function toRecipient(x: Record<string, unknown>): BoardRecipient {
  const fb = x.feedback ? ((typeof x.feedback === 'string' ? JSON.parse(x.feedback) : x.feedback) as Record<string, unknown>) : null;
  return {
    id: Number(x.id),
    personId: Number(x.personId),
    name: String(x.name),
    phone: String(x.phone),
    regionCode: String(x.regionCode),
    regionName: (x.regionName as string | null) ?? null,
    townshipCode: (x.townshipCode as string | null) ?? null,
    townshipName: (x.townshipName as string | null) ?? null,
    villageCode: (x.villageCode as string | null) ?? null,
    villageName: (x.villageName as string | null) ?? null,
    reason: String(x.reason),
    viaRecipientId: int(x.viaRecipientId),
    viaName: (x.viaName as string | null) ?? null,
    planned: Number(x.planned),
    status: x.status as RecipientStatus,
    deadlineAt: iso(x.deadlineAt),
    sentAt: iso(x.sentAt),
    deliveredAt: iso(x.deliveredAt),
    answeredAt: iso(x.answeredAt),
    escalatedAt: iso(x.escalatedAt),
    feedback: fb ? { moved: int(fb.moved), sheltered: int(fb.sheltered), atRisk: int(fb.atRisk), note: (fb.note as string | null) ?? null, answeredAt: iso(fb.answeredAt)! } : null,
    photoAnswerId: int(x.photoAnswerId),
  };
}

/** Recipients of the warning in the scope, per region code and status (the board's counts). */
export async function statusCounts(db: Queryable, scope: RegionScope, warningId: number): Promise<{ regionCode: string; status: RecipientStatus; n: number }[]> {
  const r = await db.query<{ regionCode: string; status: RecipientStatus; n: string }>(
    `SELECT r.region_code AS "regionCode", r.status, count(*) AS n FROM warning_recipients r
     WHERE r.warning_id = $1 AND r.region_code LIKE $2 GROUP BY r.region_code, r.status`,
    [warningId, scopeLikePattern(scope)],
  );
  return r.rows.map((x) => ({ regionCode: x.regionCode, status: x.status, n: Number(x.n) }));
}

export interface EvacuationRegionRow {
  regionCode: string;
  recipients: number;
  planned: number;
  moved: number;
  sheltered: number;
  atRisk: number;
  /** Recipients who reported any count. */
  reported: number;
}

/**
 * Planned, moved, sheltered and at-risk per recipient region: planned is the sum of what the
 * recipients must move; the others sum each recipient's latest report of that count.
 */
export async function evacuationByRegion(db: Queryable, scope: RegionScope, warningId: number, regionCode?: string): Promise<EvacuationRegionRow[]> {
  const r = await db.query<Record<string, string>>(
    `WITH fb AS (
       SELECT a.recipient_id,
         (array_agg(a.moved ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.moved IS NOT NULL))[1] AS moved,
         (array_agg(a.sheltered ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.sheltered IS NOT NULL))[1] AS sheltered,
         (array_agg(a.at_risk ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.at_risk IS NOT NULL))[1] AS at_risk
       FROM warning_answers a WHERE a.warning_id = $1 AND a.kind = 'feedback'
       GROUP BY a.recipient_id
     )
     SELECT r.region_code AS "regionCode", count(*) AS recipients, COALESCE(sum(r.planned), 0) AS planned,
       COALESCE(sum(fb.moved), 0) AS moved, COALESCE(sum(fb.sheltered), 0) AS sheltered, COALESCE(sum(fb.at_risk), 0) AS "atRisk",
       count(*) FILTER (WHERE fb.moved IS NOT NULL OR fb.sheltered IS NOT NULL OR fb.at_risk IS NOT NULL) AS reported
     FROM warning_recipients r LEFT JOIN fb ON fb.recipient_id = r.id
     WHERE r.warning_id = $1 AND r.region_code LIKE $2 AND r.region_code LIKE $3
     GROUP BY r.region_code`,
    [warningId, scopeLikePattern(scope), regionCode ? `${scopePrefix(regionCode)}%` : '%'],
  );
  return r.rows.map((x) => ({
    regionCode: x.regionCode,
    recipients: Number(x.recipients),
    planned: Number(x.planned),
    moved: Number(x.moved),
    sheltered: Number(x.sheltered),
    atRisk: Number(x.atRisk),
    reported: Number(x.reported),
  }));
}

/** Names of these regions (those in the regions table; villages often are not). */
export async function regionNames(db: Queryable, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const r = await db.query<{ code: string; name: string }>('SELECT code, name FROM regions WHERE code = ANY($1::text[])', [codes]);
  return new Map(r.rows.map((x) => [x.code, x.name]));
}

export interface ExportRow {
  name: string;
  phone: string;
  regionCode: string;
  reason: string;
  viaName: string | null;
  planned: number;
  status: RecipientStatus;
  deadlineAt: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  answeredAt: Date | null;
  escalatedAt: Date | null;
  moved: number | null;
  sheltered: number | null;
  atRisk: number | null;
  note: string | null;
}

/** Every recipient matching the filter, for the spreadsheet (one statement, no per-row lookups). */
export async function exportRows(db: Queryable, scope: RegionScope, warningId: number, f: Omit<RecipientFilter, 'limit' | 'offset' | 'sort'>, max: number): Promise<ExportRow[]> {
  const w = recipientWhere(scope, warningId, f);
  const limit = w.params.push(max);
  const r = await db.query<Record<string, unknown>>(
    `WITH fb AS (
       SELECT a.recipient_id,
         (array_agg(a.moved ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.moved IS NOT NULL))[1] AS moved,
         (array_agg(a.sheltered ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.sheltered IS NOT NULL))[1] AS sheltered,
         (array_agg(a.at_risk ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.at_risk IS NOT NULL))[1] AS at_risk,
         (array_agg(a.note ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.note IS NOT NULL))[1] AS note
       FROM warning_answers a WHERE a.warning_id = $1 AND a.kind = 'feedback'
       GROUP BY a.recipient_id
     )
     SELECT r.name, r.phone, r.region_code AS "regionCode", r.reason, v.name AS "viaName", r.planned, r.status,
       r.deadline_at AS "deadlineAt", r.sent_at AS "sentAt", r.delivered_at AS "deliveredAt", r.answered_at AS "answeredAt", r.escalated_at AS "escalatedAt",
       fb.moved, fb.sheltered, fb.at_risk AS "atRisk", fb.note
     FROM warning_recipients r LEFT JOIN fb ON fb.recipient_id = r.id LEFT JOIN warning_recipients v ON v.id = r.via_recipient_id
     WHERE ${w}
     ORDER BY r.region_code, r.id LIMIT $${limit}`,
    w.params,
  );
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return r.rows.map((x) => ({
    name: String(x.name),
    phone: String(x.phone),
    regionCode: String(x.regionCode),
    reason: String(x.reason),
    viaName: (x.viaName as string | null) ?? null,
    planned: Number(x.planned),
    status: x.status as RecipientStatus,
    deadlineAt: date(x.deadlineAt),
    sentAt: date(x.sentAt),
    deliveredAt: date(x.deliveredAt),
    answeredAt: date(x.answeredAt),
    escalatedAt: date(x.escalatedAt),
    moved: int(x.moved),
    sheltered: int(x.sheltered),
    atRisk: int(x.atRisk),
    note: (x.note as string | null) ?? null,
  }));
}
