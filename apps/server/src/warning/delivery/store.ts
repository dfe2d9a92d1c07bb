/**
 * All SQL of delivery except enqueueing: claiming due messages, recording what the channels
 * said, delivery receipts, recipient status, per-channel counts and push subscriptions. Region
 * scope is applied here for everything a caller reads.
 */
import { scopeLikePattern, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import type { IssuedWarning } from '../contracts.ts';
import { CHANNELS, type ChannelName, type OutboxMessage, type SendingChannel } from './channel.ts';

const ISSUED_COLUMNS = `id, thread_id AS "threadId", previous_id AS "previousId", identifier, msg_type AS "msgType", stage, event, level,
  headline, description, instruction, region_code AS "regionCode", issued_at AS "issuedAt", expires_at AS "expiresAt"`;

type IssuedRow = Omit<IssuedWarning, 'id' | 'threadId' | 'previousId'> & { id: string | number; threadId: string | number; previousId: string | number | null };

function toIssued(r: IssuedRow): IssuedWarning {
  return {
    ...r,
    id: Number(r.id),
    threadId: Number(r.threadId),
    previousId: r.previousId === null ? null : Number(r.previousId),
    issuedAt: new Date(r.issuedAt),
    expiresAt: new Date(r.expiresAt),
  };
}

/** An issued warning as dispatch describes it, for the worker's backlog passes. */
export async function loadIssuedWarning(db: Queryable, id: number): Promise<IssuedWarning | null> {
  const r = await db.query<IssuedRow>(`SELECT ${ISSUED_COLUMNS} FROM warnings WHERE id = $1 AND issued_at IS NOT NULL`, [id]);
  return r.rows[0] ? toIssued(r.rows[0]) : null;
}

/** Warnings with recipients still to be written to the outbox, oldest request first. */
export async function backlogWarnings(db: Queryable, limit: number): Promise<number[]> {
  const r = await db.query<{ id: string }>('SELECT warning_id AS id FROM warning_delivery_backlog ORDER BY requested_at, warning_id LIMIT $1', [limit]);
  return r.rows.map((row) => Number(row.id));
}

export async function dropBacklog(db: Queryable, warningId: number): Promise<void> {
  await db.query('DELETE FROM warning_delivery_backlog WHERE warning_id = $1', [warningId]);
}

export interface ClaimedMessage extends OutboxMessage {
  warningRegion: string;
  /** The warning was cancelled, superseded or expired before this message went out. */
  withdrawn: string | null;
}

/**
 * Takes up to `limit` due messages of a channel: queued ones whose time has come, and 'sending'
 * ones whose lease ran out (their process died mid-send). The lease is next_attempt_at, so a
 * row being sent is not taken twice while its sender lives.
 */
export async function claimDue(db: Queryable, channel: SendingChannel, now: Date, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  const r = await db.query<{
    id: string; warningId: string; recipientId: string | null; address: string; subject: string | null; body: string;
    idempotencyKey: string; attempts: number; warningRegion: string; warningState: string; expiresAt: Date;
  }>(
    `WITH due AS (
       SELECT id FROM warning_outbox
       WHERE channel = $1 AND state IN ('queued', 'sending') AND next_attempt_at <= $2
       ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     UPDATE warning_outbox o SET state = 'sending', attempts = o.attempts + 1, next_attempt_at = $2::timestamptz + make_interval(secs => $4)
     FROM due, warnings w
     WHERE o.id = due.id AND w.id = o.warning_id
     RETURNING o.id, o.warning_id AS "warningId", o.recipient_id AS "recipientId", o.address, o.subject, o.body,
       o.idempotency_key AS "idempotencyKey", o.attempts, w.region_code AS "warningRegion", w.state AS "warningState", w.expires_at AS "expiresAt"`,
    [channel, now, limit, leaseMs / 1000],
  );
  return r.rows
    .map((row) => {
      let withdrawn: string | null = null;
      // A person told to evacuate after the all-clear is worse off than one not told at all;
      // webhooks still get every message, since their systems keep the record.
      if (channel !== 'webhook') {
        if (row.warningState === 'cancelled' || row.warningState === 'superseded') withdrawn = `not sent: the warning was ${row.warningState} first`;
        else if (new Date(row.expiresAt).getTime() <= now.getTime()) withdrawn = 'not sent: the warning expired first';
      }
      return {
        id: Number(row.id), warningId: Number(row.warningId), recipientId: row.recipientId === null ? null : Number(row.recipientId), channel,
        address: row.address, subject: row.subject, body: row.body, idempotencyKey: row.idempotencyKey, attempts: Number(row.attempts),
        warningRegion: row.warningRegion, withdrawn,
      };
    })
    .sort((a, b) => a.id - b.id);
}

/** What became of one claimed message. */
export type Outcome =
  | { id: number; state: 'sent'; providerId: string | null }
  | { id: number; state: 'queued'; error: string; nextAttemptAt: Date; refundAttempt: boolean }
  | { id: number; state: 'failed'; error: string };

/** Records a batch's outcomes in one statement; rows no longer 'sending' (a receipt got there first) keep their state. */
export async function recordOutcomes(db: Queryable, now: Date, outcomes: readonly Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `UPDATE warning_outbox o SET
       state = x.state,
       sent_at = CASE WHEN x.state = 'sent' THEN $7::timestamptz ELSE o.sent_at END,
       provider_id = COALESCE(x.provider_id, o.provider_id),
       last_error = CASE WHEN x.state = 'sent' THEN NULL ELSE x.error END,
       next_attempt_at = COALESCE(x.next_at, o.next_attempt_at),
       attempts = o.attempts - x.refund
     FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int[]) AS x (id, state, provider_id, error, next_at, refund)
     WHERE o.id = x.id AND o.state = 'sending'`,
    [
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.state),
      outcomes.map((o) => (o.state === 'sent' ? o.providerId : null)),
      outcomes.map((o) => (o.state === 'sent' ? null : o.error.slice(0, 1000))),
      outcomes.map((o) => (o.state === 'queued' ? o.nextAttemptAt : null)),
      outcomes.map((o) => (o.state === 'queued' && o.refundAttempt ? 1 : 0)),
      now,
    ],
  );
}

export interface RecipientChange {
  recipientId: number;
  warningId: number;
  regionCode: string;
  status: string;
}

/**
 * Moves recipients forward after their messages changed: queued → sent when any channel that
 * leaves the machine sent; → failed when every such channel failed (the in-app message stays
 * on the mobile page, so it is not counted either way). Never moves answered, escalated or
 * silent recipients, and never backwards.
 */
export async function advanceRecipients(db: Queryable, recipientIds: readonly number[]): Promise<RecipientChange[]> {
  if (recipientIds.length === 0) return [];
  const r = await db.query<{ id: string; warningId: string; regionCode: string; status: string }>(
    `UPDATE warning_recipients r SET
       sent_at = COALESCE(r.sent_at, s.first_sent),
       status = CASE
         WHEN r.status = 'queued' AND s.sent_any > 0 THEN 'sent'
         WHEN r.status IN ('queued', 'sent') AND s.pending = 0 AND s.sent_any = 0 THEN 'failed'
         ELSE r.status END
     FROM (
       SELECT recipient_id, min(sent_at) AS first_sent,
         count(*) FILTER (WHERE state IN ('queued', 'sending')) AS pending,
         count(*) FILTER (WHERE state IN ('sent', 'delivered')) AS sent_any
       FROM warning_outbox WHERE recipient_id = ANY($1::bigint[]) AND channel <> 'inapp'
       GROUP BY recipient_id
     ) s
     WHERE r.id = s.recipient_id
       AND (r.sent_at IS DISTINCT FROM COALESCE(r.sent_at, s.first_sent)
         OR (r.status = 'queued' AND s.sent_any > 0)
         OR (r.status IN ('queued', 'sent') AND s.pending = 0 AND s.sent_any = 0))
     RETURNING r.id, r.warning_id AS "warningId", r.region_code AS "regionCode", r.status`,
    [recipientIds],
  );
  return r.rows.map((row) => ({ recipientId: Number(row.id), warningId: Number(row.warningId), regionCode: row.regionCode, status: row.status }));
}

/** Recipients reached (each at its time): delivered, unless they already answered or were escalated. */
async function deliverRecipients(db: Queryable, reached: readonly { recipientId: number; at: Date }[]): Promise<RecipientChange[]> {
  if (reached.length === 0) return [];
  const r = await db.query<{ id: string; warningId: string; regionCode: string; status: string }>(
    `UPDATE warning_recipients r SET
       delivered_at = COALESCE(r.delivered_at, x.at),
       status = CASE WHEN r.status IN ('queued', 'sent', 'failed') THEN 'delivered' ELSE r.status END
     FROM (SELECT id, min(at) AS at FROM unnest($1::bigint[], $2::timestamptz[]) AS u (id, at) GROUP BY id) x
     WHERE r.id = x.id AND (r.delivered_at IS NULL OR r.status IN ('queued', 'sent', 'failed'))
     RETURNING r.id, r.warning_id AS "warningId", r.region_code AS "regionCode", r.status`,
    [reached.map((x) => x.recipientId), reached.map((x) => x.at)],
  );
  return r.rows.map((row) => ({ recipientId: Number(row.id), warningId: Number(row.warningId), regionCode: row.regionCode, status: row.status }));
}

export interface Receipt {
  providerId: string;
  status: 'delivered' | 'failed';
  at: Date;
  error: string | null;
}

/** Applies SMS delivery receipts; returns the provider ids it did not know and the recipients that changed. */
export async function applySmsReceipts(db: Queryable, receipts: readonly Receipt[]): Promise<{ matched: number; unknown: string[]; changes: RecipientChange[] }> {
  if (receipts.length === 0) return { matched: 0, unknown: [], changes: [] };
  const r = await db.query<{ recipientId: string | null; providerId: string; state: string; at: Date }>(
    `UPDATE warning_outbox o SET
       state = CASE WHEN x.status = 'delivered' THEN 'delivered' ELSE 'failed' END,
       delivered_at = CASE WHEN x.status = 'delivered' THEN x.at ELSE o.delivered_at END,
       last_error = CASE WHEN x.status = 'failed' THEN x.error ELSE o.last_error END
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) AS x (provider_id, status, at, error)
     WHERE o.channel = 'sms' AND o.provider_id = x.provider_id
       AND (o.state IN ('sending', 'sent') OR (o.state = 'failed' AND x.status = 'delivered'))
     RETURNING o.recipient_id AS "recipientId", x.provider_id AS "providerId", o.state, x.at`,
    [receipts.map((x) => x.providerId), receipts.map((x) => x.status), receipts.map((x) => x.at), receipts.map((x) => x.error ?? 'the operator could not deliver it')],
  );
  const seen = new Set(r.rows.map((row) => row.providerId));
  // Receipts for messages already final are known too: a gateway repeating itself is not an error.
  const notYet = receipts.filter((x) => !seen.has(x.providerId)).map((x) => x.providerId);
  let known = new Set<string>();
  if (notYet.length) {
    const k = await db.query<{ p: string }>(`SELECT provider_id AS p FROM warning_outbox WHERE channel = 'sms' AND provider_id = ANY($1::text[])`, [notYet]);
    known = new Set(k.rows.map((row) => row.p));
  }
  const changes = await deliverRecipients(
    db,
    r.rows.filter((x) => x.state === 'delivered' && x.recipientId !== null).map((x) => ({ recipientId: Number(x.recipientId), at: new Date(x.at) })),
  );
  const failed = r.rows.filter((x) => x.state === 'failed' && x.recipientId !== null).map((x) => Number(x.recipientId));
  changes.push(...(await advanceRecipients(db, failed)));
  return { matched: r.rows.length + known.size, unknown: notYet.filter((p) => !known.has(p)), changes };
}

/** The mobile page fetched these recipients' in-app messages. */
export async function markInappDelivered(db: Queryable, recipientIds: readonly number[], at: Date): Promise<RecipientChange[]> {
  if (recipientIds.length === 0) return [];
  await db.query(
    `UPDATE warning_outbox SET state = 'delivered', delivered_at = $2
     WHERE recipient_id = ANY($1::bigint[]) AND channel = 'inapp' AND state = 'sent'`,
    [recipientIds, at],
  );
  return deliverRecipients(db, recipientIds.map((recipientId) => ({ recipientId, at })));
}

/** The recipients whose messages these are (webhook rows have none). */
export function recipientsOf(messages: readonly { recipientId: number | null }[]): number[] {
  return [...new Set(messages.map((m) => m.recipientId).filter((id): id is number => id !== null))];
}

// ---- the board's counts ----

export interface ChannelCounts {
  channel: ChannelName;
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  failed: number;
  total: number;
}

export interface OutboxFailure {
  recipientId: number | null;
  name: string | null;
  regionCode: string | null;
  channel: ChannelName;
  address: string;
  attempts: number;
  lastError: string | null;
}

export interface OutboxStats {
  warningId: number;
  channels: ChannelCounts[];
  /** Recipients (in scope) whose messages are not written yet: the worker is on it. */
  pendingRecipients: number;
  /** Messages that will not be sent, most recent first (at most 50). */
  failures: OutboxFailure[];
}

/**
 * Counts per channel and state of one warning, of the recipients in the caller's region; the
 * webhook rows only for callers whose region holds the whole warning. Null when the caller may
 * not see the warning at all.
 */
export async function outboxStats(db: Queryable, scope: RegionScope, warningId: number): Promise<OutboxStats | null> {
  const like = scopeLikePattern(scope);
  const w = await db.query<{ inScope: boolean; reaches: boolean }>(
    `SELECT w.region_code LIKE $2 AS "inScope",
       EXISTS (SELECT 1 FROM warning_recipients r WHERE r.warning_id = w.id AND r.region_code LIKE $2) AS reaches
     FROM warnings w WHERE w.id = $1`,
    [warningId, like],
  );
  const seen = w.rows[0];
  if (!seen || (!seen.inScope && !seen.reaches)) return null;
  const counts = await db.query<{ channel: ChannelName; state: string; n: string | number }>(
    `SELECT o.channel, o.state, count(*) AS n
     FROM warning_outbox o LEFT JOIN warning_recipients r ON r.id = o.recipient_id
     WHERE o.warning_id = $1 AND (r.region_code LIKE $2 OR (o.recipient_id IS NULL AND $3))
     GROUP BY o.channel, o.state`,
    [warningId, like, seen.inScope],
  );
  const channels = new Map<ChannelName, ChannelCounts>();
  for (const row of counts.rows) {
    const c = channels.get(row.channel) ?? { channel: row.channel, queued: 0, sending: 0, sent: 0, delivered: 0, failed: 0, total: 0 };
    const n = Number(row.n);
    c[row.state as 'queued' | 'sending' | 'sent' | 'delivered' | 'failed'] += n;
    c.total += n;
    channels.set(row.channel, c);
  }
  const pending = await db.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM warning_recipients r
     WHERE r.warning_id = $1 AND r.region_code LIKE $2
       AND EXISTS (SELECT 1 FROM warning_delivery_backlog b WHERE b.warning_id = r.warning_id)
       AND NOT EXISTS (SELECT 1 FROM warning_outbox o WHERE o.recipient_id = r.id)`,
    [warningId, like],
  );
  const failures = await db.query<{ recipientId: string | null; name: string | null; regionCode: string | null; channel: ChannelName; address: string; attempts: number; lastError: string | null }>(
    // A push endpoint is a capability of the device and a webhook URL may hold a key: shown by origin and name.
    `SELECT o.recipient_id AS "recipientId", r.name, r.region_code AS "regionCode", o.channel,
       CASE o.channel WHEN 'webhook' THEN 'webhook:' || o.subject WHEN 'webpush' THEN substring(o.address from '^[a-z]+://[^/]+') ELSE o.address END AS address,
       o.attempts, o.last_error AS "lastError"
     FROM warning_outbox o LEFT JOIN warning_recipients r ON r.id = o.recipient_id
     WHERE o.warning_id = $1 AND o.state = 'failed' AND (r.region_code LIKE $2 OR (o.recipient_id IS NULL AND $3))
     ORDER BY o.id DESC LIMIT 50`,
    [warningId, like, seen.inScope],
  );
  return {
    warningId,
    channels: CHANNELS.filter((c) => channels.has(c)).map((c) => channels.get(c)!),
    pendingRecipients: Number(pending.rows[0].n),
    failures: failures.rows.map((f) => ({ ...f, recipientId: f.recipientId === null ? null : Number(f.recipientId), attempts: Number(f.attempts) })),
  };
}

// ---- push subscriptions ----

export interface PushKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** The responsible person an account answers as on the mobile page, in the caller's region. */
export async function personOfUser(db: Queryable, scope: RegionScope, userId: number): Promise<{ id: number; name: string; regionCode: string } | null> {
  const r = await db.query<{ id: string; name: string; regionCode: string }>(
    `SELECT id, name, region_code AS "regionCode" FROM responsible_persons WHERE user_id = $1 AND active AND region_code LIKE $2`,
    [userId, scopeLikePattern(scope)],
  );
  return r.rows[0] ? { ...r.rows[0], id: Number(r.rows[0].id) } : null;
}

/** Registers (or moves to this person, or revives) a subscription; returns its id and whether it is new. */
export async function upsertSubscription(db: Queryable, personId: number, userId: number, keys: PushKeys, userAgent: string | null): Promise<{ id: number; created: boolean }> {
  const r = await db.query<{ id: string; created: boolean }>(
    `INSERT INTO warning_push_subscriptions (person_id, user_id, endpoint, p256dh, auth, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (endpoint) DO UPDATE SET person_id = EXCLUDED.person_id, user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh,
       auth = EXCLUDED.auth, user_agent = EXCLUDED.user_agent, gone_at = NULL
     RETURNING id, (xmax = 0) AS created`,
    [personId, userId, keys.endpoint, keys.p256dh, keys.auth, userAgent],
  );
  return { id: Number(r.rows[0].id), created: r.rows[0].created };
}

export async function deleteSubscription(db: Queryable, personId: number, endpoint: string): Promise<number | null> {
  const r = await db.query<{ id: string }>('DELETE FROM warning_push_subscriptions WHERE person_id = $1 AND endpoint = $2 RETURNING id', [personId, endpoint]);
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

export async function subscriptionKeys(db: Queryable, endpoints: readonly string[]): Promise<Map<string, PushKeys>> {
  const r = await db.query<PushKeys>('SELECT endpoint, p256dh, auth FROM warning_push_subscriptions WHERE endpoint = ANY($1::text[]) AND gone_at IS NULL', [endpoints]);
  return new Map(r.rows.map((k) => [k.endpoint, k]));
}

/** The push service said the subscription is gone (404/410): stop using it. */
export async function markSubscriptionsGone(db: Queryable, endpoints: readonly string[], at: Date): Promise<void> {
  if (endpoints.length) await db.query('UPDATE warning_push_subscriptions SET gone_at = $2 WHERE endpoint = ANY($1::text[]) AND gone_at IS NULL', [endpoints, at]);
}

export async function touchSubscriptions(db: Queryable, endpoints: readonly string[], at: Date): Promise<void> {
  if (endpoints.length) await db.query('UPDATE warning_push_subscriptions SET last_sent_at = $2 WHERE endpoint = ANY($1::text[])', [endpoints, at]);
}

/** On a restart of the embedded database nobody else can be sending: what was 'sending' is due now. */
export async function releaseInterrupted(db: Queryable, now: Date): Promise<number> {
  const r = await db.query(`UPDATE warning_outbox SET next_attempt_at = $1 WHERE state = 'sending' AND next_attempt_at > $1`, [now]);
  return r.affectedRows;
}
