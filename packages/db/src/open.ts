import { openEmbedded } from './embedded.ts';
import { openPostgres } from './postgres.ts';
import type { Database } from './types.ts';

export interface OpenOptions {
  /** postgres://… ; when absent the embedded database under dataDir is used. */
  url?: string;
  dataDir?: string;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url);
  return openEmbedded({ dataDir: opts.dataDir });
}
