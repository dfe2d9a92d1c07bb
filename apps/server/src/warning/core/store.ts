/**
 * All SQL of warnings, their areas and their events. Every read and write on behalf of a caller
 * is filtered by the caller's region scope here (a warning belongs to its region_code, the
 * smallest region holding all its areas); the few scope-free reads say so in their names.
 */
import type { Queryable } from '@anlan/db';
import { scopeLikePattern, scopePrefix, type RegionScope } from '@anlan/core';
import type { WarningLevel } from '@anlan/cap';
import type { Actor } from '../../caller.ts';
import type { WarningMsgType, WarningStage } from '../contracts.ts';
import type { AreaRecord, DraftRecord, DraftStatus, Translation } from './draft.ts';

export type WarningState = 'draft' | 'pending' | 'rejected' | 'issued' | 'superseded' | 'cancelled' | 'expired';
export const WARNING_STATES: readonly WarningState[] = ['draft', 'pending', 'rejected', 'issued', 'superseded', 'cancelled', 'expired'];
export type WarningOrigin = 'local' | 'imported';
export type EventKind = 'drafted' | 'edited' | 'submitted' | 'approved' | 'rejected' | 'issued' | 'imported' | 'superseded' | 'cancelled' | 'expired';

/** An area as the API shows it. */
export interface WarningArea {
  ord: number;
  kind: 'region' | 'polygon' | 'circle';
  label: string;
  regionCode: string | null;
  regionName: string | null;
  /** [[lon, lat], …], closed. */
  polygon: [number, number][] | null;
  circle: { lon: number; lat: number; radiusKm: number } | null;
  /** For shapes: the smallest region holding it. */
  withinCode: string | null;
  withinName: string | null;
  /** Whether the area has a geometry (a region has one when its boundary is known). */
  hasGeometry: boolean;
}

/** A warning as the API shows it (without areas and history); times are ISO 8601. */
export interface Warning {
  id: number;
  threadId: number;
  previousId: number | null;
  identifier: string;
  sender: string;
  senderName: string | null;
  /** The CAP <sent> of the issued or imported message. */
  sent: string | null;
  msgType: WarningMsgType;
  status: string;
  stage: WarningStage;
  event: string;
  level: WarningLevel;
  headline: string;
  description: string;
  instruction: string;
  translations: Translation[];
  regionCode: string;
  regionName: string | null;
  state: WarningState;
  origin: WarningOrigin;
  sourceAlarmId: number | null;
  source: string | null;
  onset: string | null;
  expires: string;
  draftedBy: string;
  draftedById: number | null;
  submittedAt: string | null;
  approvedBy: string | null;
  approvedById: number | null;
  issuedAt: string | null;
  rejectNote: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  areaCount: number;
}

export interface WarningEvent {
  id: number;
  warningId: number;
  at: string;
  kind: EventKind;
  by: string;
  byId: number | null;
  note: string | null;
}

export interface ListFilter {
  state?: WarningState[];
  event?: string;
  level?: WarningLevel;
  stage?: WarningStage;
  origin?: WarningOrigin;
  /** Only warnings of this region and below. */
  regionCode?: string;
  threadId?: number;
  /** Substring of the headline or identifier. */
  q?: string;
  limit: number;
  offset: number;
}

const SELECT = `SELECT w.id, w.thread_id AS "threadId", w.previous_id AS "previousId", w.identifier, w.sender, w.sender_name AS "senderName",
  w.cap_sent AS sent, w.msg_type AS "msgType", w.status, w.stage, w.event, w.level, w.headline, w.description, w.instruction, w.translations,
  w.region_code AS "regionCode", (SELECT r.name FROM regions r WHERE r.code = w.region_code) AS "regionName",
  w.state, w.origin, w.source_alarm_id AS "sourceAlarmId", w.source, w.onset_at AS onset, w.expires_at AS expires,
  w.drafted_by_name AS "draftedBy", w.drafted_by AS "draftedById", w.submitted_at AS "submittedAt", w.approved_by_name AS "approvedBy",
  w.approved_by AS "approvedById", w.issued_at AS "issuedAt", w.reject_note AS "rejectNote", w.created_at AS "createdAt",
  w.updated_at AS "updatedAt", w.version, (SELECT count(*) FROM warning_areas a WHERE a.warning_id = w.id) AS "areaCount"
  FROM warnings w`;

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toWarning(r: Record<string, unknown>): Warning {
  return {
    ...(r as unknown as Warning),
    id: Number(r.id),
    threadId: Number(r.threadId),
    previousId: numOrNull(r.previousId),
    sourceAlarmId: numOrNull(r.sourceAlarmId),
    draftedById: numOrNull(r.draftedById),
    approvedById: numOrNull(r.approvedById),
    translations: (typeof r.translations === 'string' ? JSON.parse(r.translations) : r.translations) as Translation[],
    onset: iso(r.onset),
    expires: iso(r.expires)!,
    submittedAt: iso(r.submittedAt),
    issuedAt: iso(r.issuedAt),
    createdAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt)!,
    version: Number(r.version),
    areaCount: Number(r.areaCount),
  };
}

export async function findWarning(db: Queryable, scope: RegionScope, id: number, forUpdate = false): Promise<Warning | null> {
  const r = await db.query(`${SELECT} WHERE w.id = $1 AND w.region_code LIKE $2${forUpdate ? ' FOR UPDATE OF w' : ''}`, [id, scopeLikePattern(scope)]);
  return r.rows[0] ? toWarning(r.rows[0]) : null;
}

/** Any warning by id, whatever the scope: for what acts for the system (import, sweeps, references). */
export async function warningById(db: Queryable, id: number, forUpdate = false): Promise<Warning | null> {
  const r = await db.query(`${SELECT} WHERE w.id = $1${forUpdate ? ' FOR UPDATE OF w' : ''}`, [id]);
  return r.rows[0] ? toWarning(r.rows[0]) : null;
}

export async function warningByIdentifier(db: Queryable, identifier: string): Promise<Warning | null> {
  const r = await db.query(`${SELECT} WHERE w.identifier = $1`, [identifier]);
  return r.rows[0] ? toWarning(r.rows[0]) : null;
}

/** Warnings we hold among CAP references (sender, identifier), oldest first; scope-free, for imports. */
export async function warningsReferenced(db: Queryable, refs: { sender: string; identifier: string }[]): Promise<Warning[]> {
  if (refs.length === 0) return [];
  const r = await db.query(
    `${SELECT} JOIN unnest($1::text[], $2::text[]) AS ref(sender, identifier) ON ref.sender = w.sender AND ref.identifier = w.identifier ORDER BY w.id`,
    [refs.map((x) => x.sender), refs.map((x) => x.identifier)],
  );
  return r.rows.map(toWarning);
}

export async function listWarnings(db: Queryable, scope: RegionScope, f: ListFilter): Promise<{ items: Warning[]; total: number }> {
  const params: unknown[] = [scopeLikePattern(scope)];
  const where = ['w.region_code LIKE $1'];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (f.state?.length) where.push(`w.state = ANY(${p(f.state)}::text[])`);
  if (f.event) where.push(`w.event = ${p(f.event)}`);
  if (f.level) where.push(`w.level = ${p(f.level)}`);
  if (f.stage) where.push(`w.stage = ${p(f.stage)}`);
  if (f.origin) where.push(`w.origin = ${p(f.origin)}`);
  if (f.threadId !== undefined) where.push(`w.thread_id = ${p(f.threadId)}`);
  if (f.regionCode) where.push(`w.region_code LIKE ${p(`${scopePrefix(f.regionCode)}%`)}`);
  if (f.q) {
    const like = p(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(w.headline ILIKE ${like} OR w.identifier ILIKE ${like})`);
  }
  const clause = `WHERE ${where.join(' AND ')}`;
  const total = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM warnings w ${clause}`, params);
  const rows = await db.query(`${SELECT} ${clause} ORDER BY w.id DESC LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`, params);
  return { items: rows.rows.map(toWarning), total: Number(total.rows[0].n) };
}

/** The steps of a thread the caller may see, oldest first. */
export async function threadOf(db: Queryable, scope: RegionScope, threadId: number): Promise<Warning[]> {
  const r = await db.query(`${SELECT} WHERE w.thread_id = $1 AND w.region_code LIKE $2 ORDER BY w.id`, [threadId, scopeLikePattern(scope)]);
  return r.rows.map(toWarning);
}

/** Every step of a thread, scope-free and locked: the issuing transaction's view of it. */
export async function lockThread(db: Queryable, threadId: number): Promise<Warning[]> {
  const r = await db.query(`${SELECT} WHERE w.thread_id = $1 ORDER BY w.id FOR UPDATE OF w`, [threadId]);
  return r.rows.map(toWarning);
}

export async function areasOf(db: Queryable, warningId: number): Promise<WarningArea[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT a.ord, a.kind, a.label, a.region_code AS "regionCode", (SELECT r.name FROM regions r WHERE r.code = a.region_code) AS "regionName",
       a.polygon, a.center_lon AS lon, a.center_lat AS lat, a.radius_km AS "radiusKm", a.within_code AS "withinCode",
       (SELECT r.name FROM regions r WHERE r.code = a.within_code) AS "withinName", a.geom IS NOT NULL AS "hasGeometry"
     FROM warning_areas a WHERE a.warning_id = $1 ORDER BY a.ord`,
    [warningId],
  );
  return r.rows.map((a) => ({
    ord: Number(a.ord),
    kind: a.kind as WarningArea['kind'],
    label: a.label as string,
    regionCode: (a.regionCode as string | null) ?? null,
    regionName: (a.regionName as string | null) ?? null,
    polygon: a.polygon === null ? null : ((typeof a.polygon === 'string' ? JSON.parse(a.polygon) : a.polygon) as [number, number][]),
    circle: a.radiusKm === null ? null : { lon: Number(a.lon), lat: Number(a.lat), radiusKm: Number(a.radiusKm) },
    withinCode: (a.withinCode as string | null) ?? null,
    withinName: (a.withinName as string | null) ?? null,
    hasGeometry: a.hasGeometry === true,
  }));
}

/** The areas as a draft record holds them (what an edit or a next step starts from). */
export function areaRecordsOf(areas: WarningArea[]): AreaRecord[] {
  return areas.map((a): AreaRecord => {
    if (a.kind === 'region') return { kind: 'region', regionCode: a.regionCode!, label: a.label };
    if (a.kind === 'polygon') return { kind: 'polygon', polygon: a.polygon!, label: a.label };
    return { kind: 'circle', lon: a.circle!.lon, lat: a.circle!.lat, radiusKm: a.circle!.radiusKm, label: a.label };
  });
}

export function draftRecordOf(w: Warning, areas: WarningArea[]): DraftRecord {
  return {
    event: w.event,
    level: w.level,
    headline: w.headline,
    description: w.description,
    instruction: w.instruction,
    areas: areaRecordsOf(areas),
    expiresAt: new Date(w.expires),
    onsetAt: w.onset ? new Date(w.onset) : null,
    stage: w.stage,
    status: (w.status === 'Exercise' ? 'Exercise' : 'Actual') as DraftStatus,
    translations: w.translations,
    sourceAlarmId: w.sourceAlarmId,
  };
}

export async function eventsOf(db: Queryable, warningIds: number[]): Promise<WarningEvent[]> {
  if (warningIds.length === 0) return [];
  const r = await db.query<Record<string, unknown>>(
    `SELECT id, warning_id AS "warningId", at, kind, by_name AS by, by_id AS "byId", note FROM warning_events WHERE warning_id = ANY($1::bigint[]) ORDER BY id`,
    [warningIds],
  );
  return r.rows.map((e) => ({ id: Number(e.id), warningId: Number(e.warningId), at: iso(e.at)!, kind: e.kind as EventKind, by: e.by as string, byId: numOrNull(e.byId), note: (e.note as string | null) ?? null }));
}

/** Ids of the users who drafted or edited a warning: none of them may approve it. */
export async function authorsOf(db: Queryable, warningId: number): Promise<Set<number>> {
  const r = await db.query<{ id: string | number }>(
    `SELECT by_id AS id FROM warning_events WHERE warning_id = $1 AND kind IN ('drafted', 'edited') AND by_id IS NOT NULL
     UNION SELECT drafted_by FROM warnings WHERE id = $1 AND drafted_by IS NOT NULL`,
    [warningId],
  );
  return new Set(r.rows.map((x) => Number(x.id)));
}

export async function insertEvent(db: Queryable, e: { warningId: number; at: Date; kind: EventKind; actor: Actor; note?: string | null }): Promise<void> {
  await db.query('INSERT INTO warning_events (warning_id, at, kind, by_id, by_name, note) VALUES ($1, $2, $3, $4, $5, $6)', [
    e.warningId,
    e.at,
    e.kind,
    e.actor.id,
    e.actor.name,
    e.note ?? null,
  ]);
}

export async function nextWarningId(db: Queryable): Promise<number> {
  const r = await db.query<{ id: string | number }>(`SELECT nextval(pg_get_serial_sequence('warnings', 'id')) AS id`);
  return Number(r.rows[0].id);
}

export interface NewWarning {
  id: number;
  threadId: number;
  previousId: number | null;
  identifier: string;
  sender: string;
  senderName: string | null;
  msgType: WarningMsgType;
  status: string;
  record: DraftRecord;
  regionCode: string;
  state: WarningState;
  origin: WarningOrigin;
  source: string | null;
  capSent: string | null;
  capXml: string | null;
  draftedBy: Actor;
  submittedAt: Date | null;
  issuedAt: Date | null;
  at: Date;
}

export async function insertWarning(db: Queryable, w: NewWarning): Promise<void> {
  const r = w.record;
  await db.query(
    `INSERT INTO warnings (id, thread_id, previous_id, identifier, sender, sender_name, msg_type, status, stage, event, level, headline, description,
       instruction, translations, region_code, state, origin, source_alarm_id, source, onset_at, expires_at, cap_sent, cap_xml, drafted_by,
       drafted_by_name, submitted_at, issued_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $29)`,
    [
      w.id, w.threadId, w.previousId, w.identifier, w.sender, w.senderName, w.msgType, w.status, r.stage, r.event, r.level, r.headline, r.description,
      r.instruction, JSON.stringify(r.translations), w.regionCode, w.state, w.origin, r.sourceAlarmId, w.source, r.onsetAt, r.expiresAt, w.capSent, w.capXml,
      w.draftedBy.id, w.draftedBy.name, w.submittedAt, w.issuedAt, w.at,
    ],
  );
}

/** An area ready to store: its label resolved and, for shapes, the region it lies in. */
export type PlacedArea = AreaRecord & { label: string; withinCode: string | null };

/** Writes a warning's areas, replacing any it had; each gets its geometry (regions: the boundary when known). */
export async function replaceAreas(db: Queryable, warningId: number, areas: PlacedArea[]): Promise<void> {
  await db.query('DELETE FROM warning_areas WHERE warning_id = $1', [warningId]);
  for (const [ord, a] of areas.entries()) {
    if (a.kind === 'region') {
      await db.query(
        `INSERT INTO warning_areas (warning_id, ord, kind, label, region_code, geom)
         VALUES ($1, $2, 'region', $3, $4, (SELECT b.geom FROM region_boundaries b WHERE b.code = $4))`,
        [warningId, ord, a.label, a.regionCode],
      );
    } else if (a.kind === 'polygon') {
      await db.query(
        `INSERT INTO warning_areas (warning_id, ord, kind, label, polygon, within_code, geom)
         VALUES ($1, $2, 'polygon', $3, $4::jsonb, $5, ST_SetSRID(ST_GeomFromGeoJSON($6), 4326))`,
        [warningId, ord, a.label, JSON.stringify(a.polygon), a.withinCode, JSON.stringify({ type: 'Polygon', coordinates: [a.polygon] })],
      );
    } else {
      await db.query(
        `INSERT INTO warning_areas (warning_id, ord, kind, label, center_lon, center_lat, radius_km, within_code, geom)
         VALUES ($1, $2, 'circle', $3, $4::float8, $5::float8, $6::float8, $7, ST_Buffer(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8 * 1000)::geometry)`,
        [warningId, ord, a.label, a.lon, a.lat, a.radiusKm, a.withinCode],
      );
    }
  }
}

/** Writes an edited draft if it is still at `version`; false when it was not (or is out of scope). */
export async function updateDraft(db: Queryable, scope: RegionScope, id: number, version: number, r: DraftRecord, regionCode: string, state: WarningState, at: Date): Promise<boolean> {
  const res = await db.query(
    `UPDATE warnings SET event = $4, level = $5, headline = $6, description = $7, instruction = $8, translations = $9::jsonb, stage = $10, status = $11,
       onset_at = $12, expires_at = $13, source_alarm_id = $14, region_code = $15, state = $16, updated_at = $17, version = version + 1
     WHERE id = $1 AND region_code LIKE $2 AND version = $3`,
    [id, scopeLikePattern(scope), version, r.event, r.level, r.headline, r.description, r.instruction, JSON.stringify(r.translations), r.stage, r.status,
      r.onsetAt, r.expiresAt, r.sourceAlarmId, regionCode, state, at],
  );
  return res.affectedRows > 0;
}

/** Moves a warning on in its lifecycle (already found in scope and locked by the caller). */
export async function setState(
  db: Queryable,
  id: number,
  state: WarningState,
  at: Date,
  extra: { submittedAt?: Date; approvedBy?: Actor; issuedAt?: Date; capSent?: string; capXml?: string; rejectNote?: string | null; senderName?: string; previousId?: number | null } = {},
): Promise<void> {
  const sets = ['state = $2', 'updated_at = $3', 'version = version + 1'];
  const params: unknown[] = [id, state, at];
  const set = (col: string, v: unknown) => sets.push(`${col} = $${params.push(v)}`);
  if (extra.submittedAt) set('submitted_at', extra.submittedAt);
  if (extra.approvedBy) {
    set('approved_by', extra.approvedBy.id);
    set('approved_by_name', extra.approvedBy.name);
  }
  if (extra.issuedAt) set('issued_at', extra.issuedAt);
  if (extra.capSent !== undefined) set('cap_sent', extra.capSent);
  if (extra.capXml !== undefined) set('cap_xml', extra.capXml);
  if (extra.rejectNote !== undefined) set('reject_note', extra.rejectNote);
  if (extra.senderName !== undefined) set('sender_name', extra.senderName);
  if (extra.previousId !== undefined) set('previous_id', extra.previousId);
  await db.query(`UPDATE warnings SET ${sets.join(', ')} WHERE id = $1`, params);
}

export async function deleteWarning(db: Queryable, id: number): Promise<void> {
  await db.query('DELETE FROM warnings WHERE id = $1', [id]);
}

export async function capXmlOf(db: Queryable, scope: RegionScope, id: number): Promise<string | null> {
  const r = await db.query<{ xml: string | null }>('SELECT cap_xml AS xml FROM warnings WHERE id = $1 AND region_code LIKE $2', [id, scopeLikePattern(scope)]);
  return r.rows[0]?.xml ?? null;
}

/** Issued warnings whose time is up, locked, oldest first: the expiry sweep's work. */
export async function dueForExpiry(db: Queryable, now: Date, limit: number): Promise<Warning[]> {
  const r = await db.query(`${SELECT} WHERE w.state = 'issued' AND w.expires_at <= $1 ORDER BY w.expires_at, w.id LIMIT $2 FOR UPDATE OF w SKIP LOCKED`, [now, limit]);
  return r.rows.map(toWarning);
}

/** Names of regions by code (for labels and messages). */
export async function regionNames(db: Queryable, codes: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const r = await db.query<{ code: string; name: string }>('SELECT code, name FROM regions WHERE code = ANY($1::text[])', [unique]);
  return new Map(r.rows.map((x) => [x.code, x.name]));
}

/** The chain of each code up to its province (itself first), from regions.parent_code. */
export async function ancestorChains(db: Queryable, codes: string[]): Promise<Map<string, string[]>> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const r = await db.query<{ start: string; code: string; depth: number }>(
    `WITH RECURSIVE up(start, code, parent, depth) AS (
       SELECT code, code, parent_code, 0 FROM regions WHERE code = ANY($1::text[])
       UNION ALL
       SELECT up.start, r.code, r.parent_code, up.depth + 1 FROM up JOIN regions r ON r.code = up.parent WHERE up.depth < 6
     ) SELECT start, code, depth FROM up ORDER BY start, depth`,
    [unique],
  );
  const chains = new Map<string, string[]>();
  for (const row of r.rows) {
    const list = chains.get(row.start) ?? [];
    list.push(row.code);
    chains.set(row.start, list);
  }
  return chains;
}

export interface ShapeCheck {
  valid: boolean;
  reason: string | null;
  /** Boundaries the shape touches, with the share of the shape's area inside each. */
  regions: { code: string; level: string; share: number }[];
}

/** Validity (ST_IsValid) of a polygon or circle and where it lies among the known boundaries. */
export async function checkShape(db: Queryable, a: Extract<AreaRecord, { kind: 'polygon' | 'circle' }>): Promise<ShapeCheck> {
  const [expr, params] =
    a.kind === 'polygon'
      ? [`ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)`, [JSON.stringify({ type: 'Polygon', coordinates: [a.polygon] })]]
      : [`ST_Buffer(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography, $3::float8 * 1000)::geometry`, [a.lon, a.lat, a.radiusKm]];
  const v = await db.query<{ valid: boolean; reason: string | null }>(`SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason FROM (SELECT ${expr} AS g) s`, params);
  if (!v.rows[0]?.valid) return { valid: false, reason: v.rows[0]?.reason ?? null, regions: [] };
  const r = await db.query<{ code: string; level: string; share: number | string | null }>(
    `WITH s AS (SELECT ${expr} AS g)
     SELECT b.code, g.level, ST_Area(ST_Intersection(s.g, b.geom)::geography) / NULLIF(ST_Area(s.g::geography), 0) AS share
     FROM s JOIN region_boundaries b ON ST_Intersects(b.geom, s.g) JOIN regions g ON g.code = b.code`,
    params,
  );
  return { valid: true, reason: null, regions: r.rows.map((x) => ({ code: x.code, level: x.level, share: x.share === null ? 0 : Number(x.share) })) };
}

// ---- feeds ----

export async function feedItemSeen(db: Queryable, feed: string, item: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM warning_feed_items WHERE feed = $1 AND item = $2', [feed, item]);
  return r.rows.length > 0;
}

export async function recordFeedItem(db: Queryable, f: { feed: string; item: string; outcome: 'imported' | 'duplicate' | 'rejected'; warningId: number | null; message: string | null; at: Date }): Promise<void> {
  await db.query(
    `INSERT INTO warning_feed_items (feed, item, seen_at, outcome, warning_id, message) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (feed, item) DO NOTHING`,
    [f.feed, f.item, f.at, f.outcome, f.warningId, f.message],
  );
}
