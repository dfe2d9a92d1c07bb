/**
 * VAPID keys (RFC 8292) identify this installation to the browsers' push services. Generated
 * once per installation on first use and kept in system_settings, never in the repository or
 * the logs; the public half is what the mobile page subscribes with.
 */
import webPush from 'web-push';
import type { Queryable } from '@anlan/db';

const KEY_SETTING = 'warning.vapid_keys';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

function isKeys(v: unknown): v is VapidKeys {
  const k = v as VapidKeys | null;
  return !!k && typeof k.publicKey === 'string' && /^[A-Za-z0-9_-]{80,90}$/.test(k.publicKey) && typeof k.privateKey === 'string' && /^[A-Za-z0-9_-]{40,45}$/.test(k.privateKey);
}

/** The installation's keys, created on first use. Safe when two processes race: the first insert wins. */
export async function loadVapidKeys(db: Queryable): Promise<VapidKeys> {
  const fresh = webPush.generateVAPIDKeys();
  await db.query(`INSERT INTO system_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING`, [KEY_SETTING, JSON.stringify(fresh)]);
  const { rows } = await db.query<{ value: unknown }>('SELECT value FROM system_settings WHERE key = $1', [KEY_SETTING]);
  if (!isKeys(rows[0]?.value)) throw new Error(`system setting ${KEY_SETTING} does not hold VAPID keys`);
  return { publicKey: rows[0].value.publicKey, privateKey: rows[0].value.privateKey };
}
