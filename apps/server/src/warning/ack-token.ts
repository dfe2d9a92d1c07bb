/**
 * One-tap answer links (一键叫应): `/api/v1/acks/<token>` answers for one recipient without a login,
 * so the token itself must be unforgeable and must expire. It is `<recipientId>.<expiresEpochSec>.<mac>`
 * with an HMAC-SHA256 over the first two parts under a key generated once per installation and
 * kept in system_settings (never in the repository, never logged). Short enough for an SMS.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '@anlan/db';

const KEY_SETTING = 'warning.ack_key';
const MAC_BYTES = 12;

export type AckTokenCheck =
  | { ok: true; recipientId: number; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** The installation's key, created on first use. Safe to call concurrently on one database. */
export async function loadAckKey(db: Queryable): Promise<Buffer> {
  const fresh = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO system_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING`,
    [KEY_SETTING, JSON.stringify(fresh)],
  );
  const { rows } = await db.query<{ value: unknown }>(`SELECT value FROM system_settings WHERE key = $1`, [KEY_SETTING]);
  const stored = rows[0]?.value;
  if (typeof stored !== 'string' || stored.length < 32) throw new Error(`system setting ${KEY_SETTING} is not a key`);
  return Buffer.from(stored, 'base64url');
}

function mac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES);
}

export function mintAckToken(key: Buffer, recipientId: number, expiresAt: Date): string {
  const body = `${recipientId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${body}.${mac(key, body).toString('base64url')}`;
}

export function verifyAckToken(key: Buffer, token: string, now: Date): AckTokenCheck {
  const match = /^([1-9][0-9]{0,15})\.([0-9]{1,12})\.([A-Za-z0-9_-]{16})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, id, exp, given] = match as unknown as [string, string, string, string];
  const expected = mac(key, `${id}.${exp}`);
  const presented = Buffer.from(given, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return { ok: false, reason: 'forged' };
  const expiresAt = new Date(Number(exp) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, recipientId: Number(id), expiresAt };
}
