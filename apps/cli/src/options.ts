import { resolve } from 'node:path';

export class UsageError extends Error {}

/** Where the data lives: --data-dir, else ANLAN_DATA_DIR, else ./data under the current folder. */
export function dataDirOf(flag: string | undefined): string {
  return resolve(flag ?? process.env.ANLAN_DATA_DIR ?? 'data');
}

export function databaseUrlOf(): string | undefined {
  return process.env.ANLAN_DATABASE_URL || undefined;
}

export function portOf(flag: string | undefined, fallback: number): number {
  const raw = flag ?? process.env.ANLAN_PORT;
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${raw}"`);
  return port;
}

/** Common flags every command that touches the database accepts. */
export const DB_OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
