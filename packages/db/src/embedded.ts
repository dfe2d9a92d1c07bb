import { mkdirSync, existsSync, readdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Database, Queryable, QueryResult } from './types.ts';
import { acquireDirLock } from './lock.ts';

function wrap(q: PGlite | Transaction): Queryable {
  return {
    async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params);
      return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
    async copyCsv(copySql: string, csv: string): Promise<number> {
      // PGlite reads COPY input from the blob it is given under the name /dev/blob.
      const r = await q.query(`${copySql} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
      return r.affectedRows ?? 0;
    },
  };
}

export interface EmbeddedOptions {
  /** Directory on disk; undefined keeps everything in memory (tests). */
  dataDir?: string;
  /** A dumped data directory (tar) to start from, so tests skip initdb. */
  loadDataDir?: Blob;
}

export function isFreshDataDir(dataDir: string): boolean {
  return !existsSync(dataDir) || readdirSync(dataDir).length === 0;
}

/** PGlite is one connection in one process; PGlite itself serialises queries and transactions. */
export async function openEmbedded(opts: EmbeddedOptions): Promise<Database & { dump(): Promise<Blob> }> {
  let release = () => {};
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    release = acquireDirLock(opts.dataDir);
  }
  let pg: PGlite;
  try {
    pg = await PGlite.create({ dataDir: opts.dataDir, loadDataDir: opts.loadDataDir, extensions: { postgis } });
  } catch (err) {
    release();
    throw err;
  }
  const base = wrap(pg);
  return {
    kind: 'embedded',
    ...base,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: async () => {
      await pg.close();
      release();
    },
    dump: () => pg.dumpDataDir('none') as Promise<Blob>,
  };
}
