import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Database } from './types.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 3)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrateReport {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending migrations in order, each in its own transaction, recording version and
 * checksum. An edited migration that was already applied is an error: schema history must not
 * silently diverge between installations.
 */
export async function migrate(
  db: Database,
  onStep?: (done: number, total: number, name: string) => void,
): Promise<MigrateReport> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const all = listMigrations();
  const done = new Map(
    (await db.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')).rows.map(
      (r) => [r.version, r.checksum],
    ),
  );
  const applied: string[] = [];
  for (const [i, m] of all.entries()) {
    const existing = done.get(m.version);
    if (existing !== undefined) {
      if (existing !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`);
      continue;
    }
    onStep?.(i, all.length, m.name);
    await db.transaction(async (tx) => {
      // Serialise concurrent migrators on PostgreSQL (several API processes starting at once).
      if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7411)');
      const again = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (again.rows.length > 0) return;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
    });
    applied.push(m.name);
  }
  if (applied.length > 0) onStep?.(all.length, all.length, 'done');
  return { applied, alreadyApplied: all.length - applied.length };
}
