/**
 * The SQL of escalation (逐级叫应). A timer is a recipient row: deadline_at set, no answer, not yet
 * escalated (warning_recipients_due_idx holds exactly those). Everything here runs inside the
 * escalation's transaction; due rows are locked (SKIP LOCKED), so with several API processes on one
 * PostgreSQL each silent recipient is escalated by one of them, once.
 */
import type { Queryable } from '@anlan/db';
import type { WarningLevel } from '@anlan/cap';
import type { IssuedWarning, WarningMsgType, WarningStage } from '../contracts.ts';

export interface DueRecipient {
  id: number;
  warningId: number;
  personId: number;
  name: string;
  regionCode: string;
  /** The warning is issued and unexpired; otherwise the timer is simply dropped. */
  open: boolean;
}

export async function lockDue(tx: Queryable, now: Date, limit: number): Promise<DueRecipient[]> {
  const r = await tx.query<Record<string, unknown>>(
    `SELECT r.id, r.warning_id AS "warningId", r.person_id AS "personId", r.name, r.region_code AS "regionCode",
       (w.state = 'issued' AND w.expires_at > $1) AS open
     FROM warning_recipients r JOIN warnings w ON w.id = r.warning_id
     WHERE r.deadline_at <= $1 AND r.answered_at IS NULL AND r.escalated_at IS NULL AND r.deadline_at IS NOT NULL
     ORDER BY r.deadline_at, r.id
     LIMIT $2
     FOR UPDATE OF r SKIP LOCKED`,
    [now, limit],
  );
  return r.rows.map((x) => ({
    id: Number(x.id),
    warningId: Number(x.warningId),
    personId: Number(x.personId),
    name: String(x.name),
    regionCode: String(x.regionCode),
    open: x.open === true,
  }));
}

/** Timers of warnings no longer asking for answers (cancelled, superseded, expired) are dropped. */
export async function dropTimers(tx: Queryable, ids: number[]): Promise<void> {
  if (ids.length) await tx.query('UPDATE warning_recipients SET deadline_at = NULL WHERE id = ANY($1::bigint[])', [ids]);
}

export interface Superior {
  id: number;
  name: string;
}

/**
 * The superior of each person: the nearest active one up the chain (an inactive superior — moved
 * away, on leave — is passed over to theirs), at most eight steps up.
 */
export async function superiorsOf(tx: Queryable, personIds: number[]): Promise<Map<number, Superior>> {
  if (personIds.length === 0) return new Map();
  const r = await tx.query<{ start: string; id: string; name: string }>(
    `WITH RECURSIVE chain AS (
       SELECT p.id AS start, p.superior_id AS sid, 1 AS depth FROM responsible_persons p WHERE p.id = ANY($1::bigint[]) AND p.superior_id IS NOT NULL
       UNION ALL
       SELECT c.start, s.superior_id, c.depth + 1 FROM chain c JOIN responsible_persons s ON s.id = c.sid
       WHERE NOT s.active AND s.superior_id IS NOT NULL AND c.depth < 8
     )
     SELECT DISTINCT ON (c.start) c.start, s.id, s.name
     FROM chain c JOIN responsible_persons s ON s.id = c.sid
     WHERE s.active AND s.id <> c.start
     ORDER BY c.start, c.depth`,
    [personIds],
  );
  return new Map(r.rows.map((x) => [Number(x.start), { id: Number(x.id), name: x.name }]));
}

export interface EscalationRow {
  warningId: number;
  personId: number;
  viaRecipientId: number;
  deadlineAt: Date;
}

export interface AddedRecipient {
  id: number;
  warningId: number;
  personId: number;
  regionCode: string;
  viaRecipientId: number;
}

/**
 * Adds superiors as recipients of the same warning (reason 'escalation'). A superior who already
 * is a recipient (reached by the area, the chain, or an earlier escalation) is not added twice.
 */
export async function addEscalationRecipients(tx: Queryable, rows: EscalationRow[]): Promise<AddedRecipient[]> {
  if (rows.length === 0) return [];
  const r = await tx.query<Record<string, unknown>>(
    `INSERT INTO warning_recipients (warning_id, thread_id, person_id, name, phone, region_code, reason, via_recipient_id, planned, status, deadline_at)
     SELECT u.warning_id, w.thread_id, p.id, p.name, p.phone, p.region_code, 'escalation', u.via, 0, 'queued', u.deadline
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[]) AS u(warning_id, person_id, via, deadline)
     JOIN warnings w ON w.id = u.warning_id JOIN responsible_persons p ON p.id = u.person_id
     ORDER BY u.via
     ON CONFLICT (warning_id, person_id) DO NOTHING
     RETURNING id, warning_id AS "warningId", person_id AS "personId", region_code AS "regionCode", via_recipient_id AS "viaRecipientId"`,
    [rows.map((x) => x.warningId), rows.map((x) => x.personId), rows.map((x) => x.viaRecipientId), rows.map((x) => x.deadlineAt.toISOString())],
  );
  return r.rows.map((x) => ({
    id: Number(x.id),
    warningId: Number(x.warningId),
    personId: Number(x.personId),
    regionCode: String(x.regionCode),
    viaRecipientId: Number(x.viaRecipientId),
  }));
}

/** escalated_at closes the timer for both outcomes; status tells which one it was. */
export async function closeTimers(tx: Queryable, ids: number[], status: 'escalated' | 'silent', now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(`UPDATE warning_recipients SET escalated_at = $2, status = $3 WHERE id = ANY($1::bigint[]) AND escalated_at IS NULL`, [ids, now, status]);
}

/** The recipient rows of these persons in these warnings (a superior who already was one). */
export async function recipientsOfPersons(tx: Queryable, pairs: { warningId: number; personId: number }[]): Promise<Map<string, number>> {
  if (pairs.length === 0) return new Map();
  const r = await tx.query<{ id: string; warningId: string; personId: string }>(
    `SELECT r.id, r.warning_id AS "warningId", r.person_id AS "personId" FROM warning_recipients r
     JOIN unnest($1::bigint[], $2::bigint[]) AS u(warning_id, person_id) ON r.warning_id = u.warning_id AND r.person_id = u.person_id`,
    [pairs.map((p) => p.warningId), pairs.map((p) => p.personId)],
  );
  return new Map(r.rows.map((x) => [`${x.warningId}|${x.personId}`, Number(x.id)]));
}

/** What the delivery enqueuer needs of a warning. */
export async function issuedWarnings(tx: Queryable, ids: number[]): Promise<Map<number, IssuedWarning>> {
  if (ids.length === 0) return new Map();
  const r = await tx.query<Record<string, unknown>>(
    `SELECT id, thread_id AS "threadId", previous_id AS "previousId", identifier, msg_type AS "msgType", stage, event, level, headline,
       description, instruction, region_code AS "regionCode", COALESCE(issued_at, created_at) AS "issuedAt", expires_at AS "expiresAt"
     FROM warnings WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(
    r.rows.map((x) => [
      Number(x.id),
      {
        id: Number(x.id),
        threadId: Number(x.threadId),
        previousId: x.previousId === null ? null : Number(x.previousId),
        identifier: String(x.identifier),
        msgType: x.msgType as WarningMsgType,
        stage: x.stage as WarningStage,
        event: String(x.event),
        level: x.level as WarningLevel,
        headline: String(x.headline),
        description: String(x.description),
        instruction: String(x.instruction),
        regionCode: String(x.regionCode),
        issuedAt: new Date(x.issuedAt as string),
        expiresAt: new Date(x.expiresAt as string),
      },
    ]),
  );
}
