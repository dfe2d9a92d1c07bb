export * from './types.ts';
export { openEmbedded, isFreshDataDir } from './embedded.ts';
export { acquireDirLock } from './lock.ts';
export { openPostgres } from './postgres.ts';
export { openDatabase } from './open.ts';
export { migrate, listMigrations } from './migrate.ts';
