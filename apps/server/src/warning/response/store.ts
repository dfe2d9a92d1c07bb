/**
 * The SQL of answering (叫应): storing answers in batches, what a one-tap link shows, and the
 * warnings of the person behind a logged-in account. Reads for a logged-in caller are filtered by
 * its region scope here; the one-tap link has no caller, its token names the one recipient.
 */
import type { Queryable } from '@anlan/db';
import { scopeLikePattern, type RegionScope } from '@anlan/core';
import type { AnswerChannel, AnswerKind } from './answer-input.ts';

export interface AnswerRow {
  recipientId: number;
  kind: AnswerKind;
  channel: AnswerChannel;
  clientKey: string;
  moved: number | null;
  sheltered: number | null;
  atRisk: number | null;
  note: string | null;
  photoPath: string | null;
  answeredAt: Date;
}

export interface StoredAnswer {
  answerId: number;
  recipientId: number;
  clientKey: string;
  warningId: number;
  regionCode: string;
  kind: AnswerKind;
  answeredAt: Date;
  /** This answer made the recipient 'answered' (its first): its escalation timer is now off. */
  first: boolean;
}

/**
 * Stores a batch of answers in one statement: answers to recipients that do not exist are left
 * out, a (recipient, client key) already stored is left as it was (ON CONFLICT DO NOTHING — a
 * retry counts once), and each recipient's first answer marks it answered. Returns the rows stored.
 */
export async function insertAnswers(tx: Queryable, rows: AnswerRow[], now: Date): Promise<StoredAnswer[]> {
  if (rows.length === 0) return [];
  // The recipients are fetched by `= ANY(ARRAY(SELECT …))`: an index lookup per answer whatever
  // the size of the warning. Joined directly, a batch of a thousand answers makes the planner hash
  // all 100,000 recipients of a county-wide warning, twice. The array is built in the statement so
  // that planning does not estimate a thousand constants one by one.
  const r = await tx.query<Record<string, unknown>>(
    `WITH input AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::text[], $9::text[], $10::timestamptz[])
         AS u(recipient_id, kind, channel, client_key, moved, sheltered, at_risk, note, photo_path, answered_at)
     ), rec AS MATERIALIZED (
       SELECT r.id, r.warning_id, r.region_code FROM warning_recipients r WHERE r.id = ANY (ARRAY(SELECT DISTINCT recipient_id FROM input))
     ), ins AS (
       INSERT INTO warning_answers (warning_id, recipient_id, kind, channel, client_key, moved, sheltered, at_risk, note, photo_path, answered_at, received_at)
       SELECT rec.warning_id, i.recipient_id, i.kind, i.channel, i.client_key, i.moved, i.sheltered, i.at_risk, i.note, i.photo_path, i.answered_at, $11
       FROM input i JOIN rec ON rec.id = i.recipient_id
       ON CONFLICT (recipient_id, client_key) DO NOTHING
       RETURNING id, recipient_id, client_key, warning_id, kind, answered_at
     ), firsts AS MATERIALIZED (
       SELECT recipient_id, min(answered_at) AS answered_at FROM ins GROUP BY recipient_id
     ), upd AS (
       UPDATE warning_recipients r SET answered_at = f.answered_at, status = 'answered'
       FROM firsts f
       WHERE r.id = ANY (ARRAY(SELECT recipient_id FROM firsts)) AND r.id = f.recipient_id AND r.answered_at IS NULL
       RETURNING r.id
     )
     SELECT ins.id, ins.recipient_id AS "recipientId", ins.client_key AS "clientKey", ins.warning_id AS "warningId", ins.kind,
       ins.answered_at AS "answeredAt", rec.region_code AS "regionCode", (upd.id IS NOT NULL) AS first
     FROM ins JOIN rec ON rec.id = ins.recipient_id LEFT JOIN upd ON upd.id = ins.recipient_id`,
    [
      rows.map((a) => a.recipientId),
      rows.map((a) => a.kind),
      rows.map((a) => a.channel),
      rows.map((a) => a.clientKey),
      rows.map((a) => a.moved),
      rows.map((a) => a.sheltered),
      rows.map((a) => a.atRisk),
      rows.map((a) => a.note),
      rows.map((a) => a.photoPath),
      rows.map((a) => a.answeredAt.toISOString()),
      now,
    ],
  );
  // A recipient with two answers in one batch is 'first' for the earlier one only.
  const firstSeen = new Set<number>();
  return r.rows
    .map((x) => ({
      answerId: Number(x.id),
      recipientId: Number(x.recipientId),
      clientKey: String(x.clientKey),
      warningId: Number(x.warningId),
      regionCode: String(x.regionCode),
      kind: x.kind as AnswerKind,
      answeredAt: new Date(x.answeredAt as string),
      first: x.first === true,
    }))
    .sort((a, b) => a.answeredAt.getTime() - b.answeredAt.getTime() || a.answerId - b.answerId)
    .map((a) => {
      const first = a.first && !firstSeen.has(a.recipientId);
      if (a.first) firstSeen.add(a.recipientId);
      return { ...a, first };
    });
}

/** Which of these recipients exist (to tell a duplicate answer from one to nobody). */
export async function existingRecipients(db: Queryable, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const r = await db.query<{ id: string | number }>('SELECT id FROM warning_recipients WHERE id = ANY($1::bigint[])', [ids]);
  return new Set(r.rows.map((x) => Number(x.id)));
}

/** The warning a one-tap link is about, and the recipient it was sent to: nothing about anyone else. */
export interface LinkView {
  recipient: {
    id: number;
    name: string;
    status: string;
    deadlineAt: string | null;
    answeredAt: string | null;
    planned: number;
    regionCode: string;
  };
  warning: WarningSummary;
  lastFeedback: Feedback | null;
}

export interface WarningSummary {
  id: number;
  event: string;
  level: string;
  stage: string;
  msgType: string;
  state: string;
  headline: string;
  description: string;
  instruction: string;
  regionCode: string;
  issuedAt: string | null;
  expiresAt: string;
}

export interface Feedback {
  moved: number | null;
  sheltered: number | null;
  atRisk: number | null;
  note: string | null;
  answeredAt: string;
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const int = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const WARNING_COLUMNS = `w.id AS "wId", w.event, w.level, w.stage, w.msg_type AS "msgType", w.state, w.headline, w.description, w.instruction,
  w.region_code AS "wRegionCode", w.issued_at AS "issuedAt", w.expires_at AS "expiresAt"`;

/**
 * Each recipient's latest feedback, field by field: a later report of only the sheltered count
 * does not erase the moved count reported before it.
 */
const LATEST_FEEDBACK = `(SELECT json_build_object(
    'moved', (array_agg(a.moved ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.moved IS NOT NULL))[1],
    'sheltered', (array_agg(a.sheltered ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.sheltered IS NOT NULL))[1],
    'atRisk', (array_agg(a.at_risk ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.at_risk IS NOT NULL))[1],
    'note', (array_agg(a.note ORDER BY a.answered_at DESC, a.id DESC) FILTER (WHERE a.note IS NOT NULL))[1],
    'answeredAt', max(a.answered_at))
  FROM warning_answers a WHERE a.recipient_id = r.id AND a.kind = 'feedback' HAVING count(*) > 0)`;

function warningOf(x: Record<string, unknown>): WarningSummary {
  return {
    id: Number(x.wId),
    event: String(x.event),
    level: String(x.level),
    stage: String(x.stage),
    msgType: String(x.msgType),
    state: String(x.state),
    headline: String(x.headline),
    description: String(x.description),
    instruction: String(x.instruction),
    regionCode: String(x.wRegionCode),
    issuedAt: iso(x.issuedAt),
    expiresAt: iso(x.expiresAt)!,
  };
}

function feedbackOf(v: unknown): Feedback | null {
  if (!v) return null;
  const f = (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
  return { moved: int(f.moved), sheltered: int(f.sheltered), atRisk: int(f.atRisk), note: (f.note as string | null) ?? null, answeredAt: iso(f.answeredAt)! };
}

export async function linkView(db: Queryable, recipientId: number): Promise<LinkView | null> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT r.id, r.name, r.status, r.deadline_at AS "deadlineAt", r.answered_at AS "answeredAt", r.planned, r.region_code AS "regionCode",
       ${WARNING_COLUMNS}, ${LATEST_FEEDBACK} AS feedback
     FROM warning_recipients r JOIN warnings w ON w.id = r.warning_id WHERE r.id = $1`,
    [recipientId],
  );
  const x = r.rows[0];
  if (!x) return null;
  return {
    recipient: {
      id: Number(x.id),
      name: String(x.name),
      status: String(x.status),
      deadlineAt: iso(x.deadlineAt),
      answeredAt: iso(x.answeredAt),
      planned: Number(x.planned),
      regionCode: String(x.regionCode),
    },
    warning: warningOf(x),
    lastFeedback: feedbackOf(x.feedback),
  };
}

// ---- the mobile page (一键通): the warnings of the person behind the account ----

export interface LinkedPerson {
  id: number;
  name: string;
  regionCode: string;
}

export async function personOfUser(db: Queryable, scope: RegionScope, userId: number): Promise<LinkedPerson | null> {
  const r = await db.query<{ id: string; name: string; regionCode: string }>(
    `SELECT id, name, region_code AS "regionCode" FROM responsible_persons WHERE user_id = $1 AND region_code LIKE $2`,
    [userId, scopeLikePattern(scope)],
  );
  const x = r.rows[0];
  return x ? { id: Number(x.id), name: x.name, regionCode: x.regionCode } : null;
}

export interface MyWarning {
  recipientId: number;
  status: string;
  reason: string;
  planned: number;
  deadlineAt: string | null;
  answeredAt: string | null;
  escalatedAt: string | null;
  /** The warning is issued and not yet expired: answers are still asked for. */
  open: boolean;
  warning: WarningSummary;
  lastFeedback: Feedback | null;
}

/** Newest first: the open warnings, then the last week's closed ones. */
export async function myWarnings(db: Queryable, scope: RegionScope, personId: number, now: Date, limit: number): Promise<MyWarning[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT r.id, r.status, r.reason, r.planned, r.deadline_at AS "deadlineAt", r.answered_at AS "answeredAt", r.escalated_at AS "escalatedAt",
       (w.state = 'issued' AND w.expires_at > $3) AS open, ${WARNING_COLUMNS}, ${LATEST_FEEDBACK} AS feedback
     FROM warning_recipients r JOIN warnings w ON w.id = r.warning_id
     WHERE r.person_id = $1 AND r.region_code LIKE $2 AND (w.state = 'issued' OR w.updated_at > $3::timestamptz - interval '7 days')
     ORDER BY (w.state = 'issued' AND w.expires_at > $3) DESC, w.issued_at DESC NULLS LAST, r.id DESC
     LIMIT $4`,
    [personId, scopeLikePattern(scope), now, limit],
  );
  return r.rows.map((x) => ({
    recipientId: Number(x.id),
    status: String(x.status),
    reason: String(x.reason),
    planned: Number(x.planned),
    deadlineAt: iso(x.deadlineAt),
    answeredAt: iso(x.answeredAt),
    escalatedAt: iso(x.escalatedAt),
    open: x.open === true,
    warning: warningOf(x),
    lastFeedback: feedbackOf(x.feedback),
  }));
}

/** A recipient row of this person, inside the scope: whether the account may answer for it. */
export async function isRecipientOfPerson(db: Queryable, scope: RegionScope, recipientId: number, personId: number): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM warning_recipients WHERE id = $1 AND person_id = $2 AND region_code LIKE $3', [recipientId, personId, scopeLikePattern(scope)]);
  return r.rows.length > 0;
}

/** A recipient of a warning inside the caller's scope (staff answering on someone's behalf). */
export async function recipientInScope(db: Queryable, scope: RegionScope, warningId: number, recipientId: number): Promise<{ id: number; name: string; regionCode: string } | null> {
  const r = await db.query<{ id: string; name: string; regionCode: string }>(
    'SELECT id, name, region_code AS "regionCode" FROM warning_recipients WHERE id = $1 AND warning_id = $2 AND region_code LIKE $3',
    [recipientId, warningId, scopeLikePattern(scope)],
  );
  const x = r.rows[0];
  return x ? { id: Number(x.id), name: x.name, regionCode: x.regionCode } : null;
}

/** The stored photo of an answer of a recipient in the caller's scope. */
export async function photoOfAnswer(db: Queryable, scope: RegionScope, warningId: number, answerId: number): Promise<string | null> {
  const r = await db.query<{ photoPath: string | null }>(
    `SELECT a.photo_path AS "photoPath" FROM warning_answers a JOIN warning_recipients r ON r.id = a.recipient_id
     WHERE a.id = $1 AND a.warning_id = $2 AND r.region_code LIKE $3`,
    [answerId, warningId, scopeLikePattern(scope)],
  );
  return r.rows[0]?.photoPath ?? null;
}
