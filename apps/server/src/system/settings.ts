import type { Queryable } from '@anlan/db';

/** Small named facts about the installation (boundary source, demo data) kept as JSON. */
export async function readSetting<T>(db: Queryable, key: string): Promise<T | null> {
  const r = await db.query<{ value: T }>('SELECT value FROM system_settings WHERE key = $1', [key]);
  return r.rows[0]?.value ?? null;
}

export async function writeSetting(db: Queryable, key: string, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO system_settings (key, value, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}

export async function deleteSetting(db: Queryable, key: string): Promise<void> {
  await db.query('DELETE FROM system_settings WHERE key = $1', [key]);
}
