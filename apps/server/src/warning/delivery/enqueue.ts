/**
 * DeliveryEnqueuer: writes the outbox rows of a warning's recipients and starts their 叫应
 * timers (warning_recipients.deadline_at). Set-based throughout: one INSERT … SELECT per chunk
 * of recipients writes every channel's message, each recipient's one-tap token minted inside
 * the statement (the same HMAC as ack-token.ts, from PostgreSQL's built-in sha256()), so no
 * recipient passes through JavaScript.
 *
 * The first chunks are written before enqueue() returns; the rest of a county-wide warning is
 * left in warning_delivery_backlog for the worker (see 012_warning_delivery.sql for why). Every
 * step is idempotent: a recipient that has outbox rows is skipped, and idempotency keys
 * (`<warningId>:<recipientId>:<channel>`) are unique, so enqueueing twice writes nothing twice.
 */
import type { Clock } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { loadAckKey } from '../ack-token.ts';
import type { DeadlinePolicy, DeliveryEnqueuer, IssuedWarning } from '../contracts.ts';
import type { DeliveryConfig } from './config.ts';
import { emailTemplate, inappText, oneTapPath, pushTemplate, smsTemplate, webhookBody, type SmsExtras } from './messages.ts';

/** One-tap links stay valid this long after the warning expires: 转移 feedback often comes late. */
export const ANSWER_GRACE_MS = 24 * 60 * 60 * 1000;

export interface EnqueueOptions {
  clock: Clock;
  config: () => DeliveryConfig;
  deadlines: () => DeadlinePolicy;
  /** Recipients per INSERT. */
  chunk?: number;
  /** Recipients written before enqueue() returns; the worker writes the rest. */
  synchronous?: number;
  /** Told when there are new messages, so the worker need not wait for its next poll. */
  onQueued?: () => void;
}

export interface EnqueueResult {
  /** Outbox rows written by this call. */
  enqueued: number;
  /** Whether recipients are left for the worker to write. */
  deferred: boolean;
}

/** HMAC-SHA256 with the key pre-mixed into the inner and outer pads (RFC 2104), for SQL. */
function hmacPads(key: Buffer): { inner: Buffer; outer: Buffer } {
  if (key.length > 64) throw new Error('ack key longer than the SHA-256 block');
  const inner = Buffer.alloc(64, 0x36);
  const outer = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] ^= key[i];
    outer[i] ^= key[i];
  }
  return { inner, outer };
}

// $1 warning, $2..$3 recipient id range, $4 token expiry (epoch s), $5/$6 HMAC pads, $7 now,
// $8 in-app text, $9/$10 SMS around the token, $11 e-mail on, $12 subject, $13/$14 e-mail body,
// $15/$16 push payload. The token is ack-token.ts's `<id>.<exp>.<base64url(HMAC[0..12))>`.
const MATERIALIZE_SQL = `
WITH chunk AS (
  SELECT r.id, r.phone, r.person_id, p.email, r.id::text || '.' || $4::text AS signed
  FROM warning_recipients r JOIN responsible_persons p ON p.id = r.person_id
  WHERE r.warning_id = $1 AND r.id > $2 AND r.id <= $3
    AND NOT EXISTS (SELECT 1 FROM warning_outbox o WHERE o.recipient_id = r.id)
), tokens AS (
  SELECT id, phone, person_id, email,
    signed || '.' || rtrim(translate(encode(substr(sha256($6::bytea || sha256($5::bytea || convert_to(signed, 'UTF8'))), 1, 12), 'base64'), '+/', '-_'), '=') AS token
  FROM chunk
)
INSERT INTO warning_outbox (warning_id, recipient_id, channel, address, subject, body, idempotency_key, state, sent_at, next_attempt_at)
SELECT $1, t.id, m.channel, m.address, m.subject, m.body, $1::text || ':' || t.id::text || ':' || m.channel, m.state, m.sent_at, $7::timestamptz
FROM tokens t CROSS JOIN LATERAL (VALUES
  ('inapp', t.person_id::text, NULL::text, $8::text, 'sent', $7::timestamptz),
  ('sms', t.phone, NULL, $9::text || t.token || $10::text, 'queued', NULL),
  ('email', CASE WHEN $11::boolean AND t.email LIKE '_%@_%' THEN t.email END, $12::text, $13::text || t.token || $14::text, 'queued', NULL)
) AS m (channel, address, subject, body, state, sent_at)
WHERE m.address IS NOT NULL
UNION ALL
SELECT $1, t.id, 'webpush', s.endpoint, NULL, $15::text || t.token || $16::text,
  $1::text || ':' || t.id::text || ':webpush:' || s.id::text, 'queued', NULL, $7::timestamptz
FROM tokens t JOIN warning_push_subscriptions s ON s.person_id = t.person_id AND s.gone_at IS NULL
ON CONFLICT (idempotency_key) DO NOTHING`;

/** The sender's name (core's migration 010), CAP status and region name, which the SMS states. */
async function smsExtras(db: Queryable, warningId: number): Promise<SmsExtras> {
  const r = await db.query<SmsExtras>(
    `SELECT w.status, w.sender_name AS "senderName", (SELECT g.name FROM regions g WHERE g.code = w.region_code) AS "regionName"
     FROM warnings w WHERE w.id = $1`,
    [warningId],
  );
  return r.rows[0] ?? { status: 'Actual', senderName: null, regionName: null };
}

export class OutboxEnqueuer implements DeliveryEnqueuer {
  private key: Buffer | null = null;
  private readonly chunk: number;
  private readonly synchronous: number;

  constructor(private readonly opts: EnqueueOptions) {
    this.chunk = opts.chunk ?? 2000;
    this.synchronous = opts.synchronous ?? 2000;
  }

  async enqueue(db: Queryable, warning: IssuedWarning): Promise<EnqueueResult> {
    await db.query(
      `INSERT INTO warning_delivery_backlog (warning_id, requested_at) VALUES ($1, $2)
       ON CONFLICT (warning_id) DO UPDATE SET after_recipient_id = 0, generation = warning_delivery_backlog.generation + 1, requested_at = EXCLUDED.requested_at`,
      [warning.id, this.opts.clock.now()],
    );
    let enqueued = await this.enqueueWebhooks(db, warning);
    let done = false;
    for (let written = 0; !done && written < this.synchronous; written += this.chunk) {
      const pass = await this.materialize(db, warning);
      enqueued += pass.enqueued;
      done = pass.done;
    }
    if (enqueued > 0 || !done) this.opts.onQueued?.();
    return { enqueued, deferred: !done };
  }

  /**
   * Writes the next chunk of the warning's backlog: timers, then messages, then the cursor.
   * Without a transaction on purpose: a crash between steps leaves work the next pass redoes
   * without writing anything twice.
   */
  async materialize(db: Queryable, warning: IssuedWarning): Promise<{ enqueued: number; done: boolean }> {
    const b = await db.query<{ after: string; generation: number }>(
      'SELECT after_recipient_id AS after, generation FROM warning_delivery_backlog WHERE warning_id = $1',
      [warning.id],
    );
    if (!b.rows[0]) return { enqueued: 0, done: true };
    const after = Number(b.rows[0].after);
    const generation = b.rows[0].generation;
    const range = await db.query<{ last: string | null; n: string | number }>(
      `SELECT max(id) AS last, count(*) AS n FROM (SELECT id FROM warning_recipients WHERE warning_id = $1 AND id > $2 ORDER BY id LIMIT $3) c`,
      [warning.id, after, this.chunk],
    );
    const n = Number(range.rows[0].n);
    let enqueued = 0;
    if (n > 0) {
      const last = Number(range.rows[0].last);
      await this.startTimers(db, warning, after, last);
      enqueued = await this.writeMessages(db, warning, after, last);
    }
    const done = n < this.chunk;
    if (done) {
      await db.query('DELETE FROM warning_delivery_backlog WHERE warning_id = $1 AND generation = $2', [warning.id, generation]);
    } else {
      await db.query('UPDATE warning_delivery_backlog SET after_recipient_id = $3 WHERE warning_id = $1 AND generation = $2', [warning.id, generation, Number(range.rows[0].last)]);
    }
    return { enqueued, done };
  }

  /**
   * deadline_at from the issue time (the people of a Cancel need not answer: no timer). Someone
   * added by escalation gets the full deadline from now, not from the original issue.
   */
  private async startTimers(db: Queryable, w: IssuedWarning, after: number, last: number): Promise<void> {
    if (w.msgType === 'Cancel') return;
    const sec = this.opts.deadlines().deadlineSec(w.stage, w.level);
    await db.query(
      `UPDATE warning_recipients
       SET deadline_at = (CASE WHEN reason = 'escalation' THEN GREATEST($4::timestamptz, $5::timestamptz) ELSE $4::timestamptz END) + make_interval(secs => $6)
       WHERE warning_id = $1 AND id > $2 AND id <= $3 AND deadline_at IS NULL AND answered_at IS NULL`,
      [w.id, after, last, w.issuedAt, this.opts.clock.now(), sec],
    );
  }

  private async writeMessages(db: Queryable, w: IssuedWarning, after: number, last: number): Promise<number> {
    const config = this.opts.config();
    this.key ??= await loadAckKey(db);
    const { inner, outer } = hmacPads(this.key);
    const linkBase = `${config.publicUrl}${oneTapPath('')}`;
    const sms = smsTemplate({ ...w, ...(await smsExtras(db, w.id)) }, linkBase);
    const email = emailTemplate(w, linkBase);
    const push = pushTemplate(w, linkBase);
    const expires = Math.floor((w.expiresAt.getTime() + ANSWER_GRACE_MS) / 1000);
    const r = await db.query(MATERIALIZE_SQL, [
      w.id, after, last, expires, inner, outer, this.opts.clock.now(),
      inappText(w), sms.before, sms.after, config.smtp !== null, email.subject, email.body.before, email.body.after, push.before, push.after,
    ]);
    return r.affectedRows;
  }

  /** One message per configured endpoint and warning; subject holds the endpoint's name. */
  private async enqueueWebhooks(db: Queryable, w: IssuedWarning): Promise<number> {
    const hooks = this.opts.config().webhooks;
    if (hooks.length === 0) return 0;
    const config = this.opts.config();
    const r = await db.query(
      `INSERT INTO warning_outbox (warning_id, recipient_id, channel, address, subject, body, idempotency_key, next_attempt_at)
       SELECT $1::bigint, NULL, 'webhook', h.url, h.name, $4, $1::bigint::text || ':hook-' || h.name || ':webhook', $5
       FROM unnest($2::text[], $3::text[]) AS h (name, url)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [w.id, hooks.map((h) => h.name), hooks.map((h) => h.url), webhookBody(w, config.publicUrl), this.opts.clock.now()],
    );
    return r.affectedRows;
  }
}
