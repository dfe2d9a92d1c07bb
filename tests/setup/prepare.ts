// Builds the test templates once per `npm test`: an embedded snapshot and (when
// ANLAN_TEST_DATABASE_URL is set) a PostgreSQL template database, both migrated and loaded with
// the regions, so each test starts from a copy in about two seconds instead of fifteen.
import { mkdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { openEmbedded, openPostgres, migrate } from '@anlan/db';
import { loadReferenceRegions } from '../../apps/server/src/regions/loader.ts';
import { EMBEDDED_TEMPLATE_PATH, POSTGRES_TEMPLATE_NAME, TMP_DIR, withDatabaseName } from './paths.ts';

function inputsDigest(): string {
  const h = createHash('sha256');
  const migrations = new URL('../../packages/db/migrations/', import.meta.url);
  for (const f of readdirSync(migrations).sort()) h.update(f).update(readFileSync(new URL(f, migrations)));
  const ref = new URL('../../packages/reference-data/data/boundaries.ndjson.gz', import.meta.url);
  if (existsSync(ref)) h.update(String(statSync(ref).size)).update(String(statSync(ref).mtimeMs));
  h.update(readFileSync(new URL('../../apps/server/src/regions/loader.ts', import.meta.url)));
  return h.digest('hex').slice(0, 16);
}

async function prepareEmbedded(digest: string): Promise<void> {
  const stamp = `${EMBEDDED_TEMPLATE_PATH}.${digest}`;
  if (existsSync(EMBEDDED_TEMPLATE_PATH) && existsSync(stamp)) return;
  const started = Date.now();
  const db = await openEmbedded({});
  await migrate(db);
  await loadReferenceRegions(db);
  const blob = await db.dump();
  await db.close();
  mkdirSync(TMP_DIR, { recursive: true });
  writeFileSync(EMBEDDED_TEMPLATE_PATH, Buffer.from(await blob.arrayBuffer()));
  writeFileSync(stamp, '');
  console.error(`embedded test template built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function preparePostgres(adminUrl: string): Promise<void> {
  const started = Date.now();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${POSTGRES_TEMPLATE_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${POSTGRES_TEMPLATE_NAME}`);
  await admin.end();
  const db = await openPostgres(withDatabaseName(adminUrl, POSTGRES_TEMPLATE_NAME), 2);
  await migrate(db);
  await loadReferenceRegions(db);
  await db.close();
  console.error(`postgres test template built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const digest = inputsDigest();
await prepareEmbedded(digest);
if (process.env.ANLAN_TEST_DATABASE_URL) await preparePostgres(process.env.ANLAN_TEST_DATABASE_URL);
