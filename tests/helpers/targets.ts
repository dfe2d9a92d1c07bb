import { readFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openEmbedded, openPostgres, type Database } from '@anlan/db';
import { EMBEDDED_TEMPLATE_PATH, POSTGRES_TEMPLATE_NAME, withDatabaseName } from '../setup/paths.ts';

/**
 * A database the contract tests run against. Every suite runs on the embedded database, and
 * again on PostgreSQL + PostGIS when ANLAN_TEST_DATABASE_URL is set. Each call gets a fresh copy
 * of a template that tests/setup/prepare.ts migrated and loaded with the regions once.
 */
export interface TestTarget {
  name: 'embedded' | 'postgres';
  /** A fresh database; connect with either openDb() or the start options. */
  fresh(): Promise<FreshDatabase>;
}

export interface FreshDatabase {
  start: { embeddedSnapshot?: Blob; databaseUrl?: string };
  openDb(): Promise<Database>;
  dispose(): Promise<void>;
}

function embeddedTarget(): TestTarget {
  return {
    name: 'embedded',
    async fresh() {
      if (!existsSync(EMBEDDED_TEMPLATE_PATH)) throw new Error('test template missing: run the tests with `npm test`');
      const snapshot = new Blob([readFileSync(EMBEDDED_TEMPLATE_PATH)]);
      return {
        start: { embeddedSnapshot: snapshot },
        openDb: () => openEmbedded({ loadDataDir: snapshot }),
        dispose: async () => undefined,
      };
    },
  };
}

function postgresTarget(adminUrl: string): TestTarget {
  return {
    name: 'postgres',
    async fresh() {
      const name = `anlan_t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${POSTGRES_TEMPLATE_NAME}`);
      await admin.end();
      const url = withDatabaseName(adminUrl, name);
      return {
        start: { databaseUrl: url },
        openDb: () => openPostgres(url, 4),
        async dispose() {
          const c = new pg.Client({ connectionString: adminUrl });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        },
      };
    },
  };
}

export function testTargets(): TestTarget[] {
  const targets = [embeddedTarget()];
  const url = process.env.ANLAN_TEST_DATABASE_URL;
  if (url) targets.push(postgresTarget(url));
  return targets;
}
