export * from './types.ts';
export { openEmbedded, isFreshDataDir } from './embedded.ts';
export { openPostgres } from './postgres.ts';
export { openDatabase } from './open.ts';
export { migrate, listMigrations } from './migrate.ts';
