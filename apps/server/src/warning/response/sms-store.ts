/** The SQL of SMS replies: who wrote, which warning the reply answers, and replies matching nobody. */
import type { Queryable } from '@anlan/db';
import { scopeLikePattern, type RegionScope } from '@anlan/core';

export async function personByPhone(db: Queryable, phone: string): Promise<{ id: number; regionCode: string } | null> {
  const r = await db.query<{ id: string; regionCode: string }>('SELECT id, region_code AS "regionCode" FROM responsible_persons WHERE phone = $1', [phone]);
  const x = r.rows[0];
  return x ? { id: Number(x.id), regionCode: x.regionCode } : null;
}

/**
 * The recipient row an SMS reply answers: among the person's warnings that are issued and not
 * expired, the most recent; for 收到, the most recent still waiting for an answer first.
 */
export async function openRecipientOf(db: Queryable, personId: number, now: Date, preferPending: boolean): Promise<{ id: number; warningId: number } | null> {
  const r = await db.query<{ id: string; warningId: string }>(
    `SELECT r.id, r.warning_id AS "warningId" FROM warning_recipients r JOIN warnings w ON w.id = r.warning_id
     WHERE r.person_id = $1 AND w.state = 'issued' AND w.expires_at > $2
     ORDER BY ${preferPending ? '(r.answered_at IS NULL) DESC,' : ''} COALESCE(w.issued_at, w.created_at) DESC, r.id DESC
     LIMIT 1`,
    [personId, now],
  );
  const x = r.rows[0];
  return x ? { id: Number(x.id), warningId: Number(x.warningId) } : null;
}

/** The answer an SMS already made (by its client key), on any warning of the person. */
export async function smsAnswerOf(db: Queryable, personId: number, clientKey: string): Promise<{ recipientId: number; warningId: number; kind: 'received' | 'feedback' } | null> {
  const r = await db.query<{ recipientId: string; warningId: string; kind: 'received' | 'feedback' }>(
    `SELECT a.recipient_id AS "recipientId", a.warning_id AS "warningId", a.kind FROM warning_answers a
     JOIN warning_recipients r ON r.id = a.recipient_id
     WHERE r.person_id = $1 AND a.client_key = $2 LIMIT 1`,
    [personId, clientKey],
  );
  const x = r.rows[0];
  return x ? { recipientId: Number(x.recipientId), warningId: Number(x.warningId), kind: x.kind } : null;
}

export interface UnmatchedSms {
  messageId: string;
  phone: string;
  text: string;
  reason: 'unknown_phone' | 'unparseable' | 'no_open_warning';
  personId: number | null;
  regionCode: string | null;
  receivedAt: Date;
}

/** Records a reply that answered nothing; the same message id twice is recorded once. */
export async function insertUnmatched(db: Queryable, u: UnmatchedSms): Promise<void> {
  await db.query(
    `INSERT INTO warning_sms_unmatched (message_id, phone, text, reason, person_id, region_code, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id) DO NOTHING`,
    [u.messageId, u.phone, u.text, u.reason, u.personId, u.regionCode, u.receivedAt],
  );
}

export interface UnmatchedView {
  id: number;
  messageId: string;
  phone: string;
  text: string;
  reason: string;
  personId: number | null;
  regionCode: string | null;
  receivedAt: string;
}

/** Unmatched replies in the scope, newest first; those from unknown phones only for a national scope. */
export async function listUnmatched(db: Queryable, scope: RegionScope, limit: number, before: number | null): Promise<UnmatchedView[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT id, message_id AS "messageId", phone, text, reason, person_id AS "personId", region_code AS "regionCode", received_at AS "receivedAt"
     FROM warning_sms_unmatched
     WHERE (region_code LIKE $1 OR ($2 AND region_code IS NULL)) AND ($3::bigint IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [scopeLikePattern(scope), scope.prefix === '', before, limit],
  );
  return r.rows.map((x) => ({
    id: Number(x.id),
    messageId: String(x.messageId),
    phone: String(x.phone),
    text: String(x.text),
    reason: String(x.reason),
    personId: x.personId === null ? null : Number(x.personId),
    regionCode: (x.regionCode as string | null) ?? null,
    receivedAt: new Date(x.receivedAt as string).toISOString(),
  }));
}
