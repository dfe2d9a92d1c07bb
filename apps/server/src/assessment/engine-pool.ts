import { createAssessPool, type AssessPool } from '@anlan/quake';
import type { AssessFn } from './jobs.ts';

/**
 * The earthquake engine on worker threads, started on first use: most servers never assess an
 * inventory, and a pool costs a few hundred milliseconds and a heap per thread. A failed run
 * discards the pool (a dead worker would fail every later run) and the next run starts a new one.
 */
export function createPooledAssess(threads?: number): { run: AssessFn; close(): Promise<void> } {
  let pool: Promise<AssessPool> | null = null;
  const discard = async (p: Promise<AssessPool>) => {
    if (pool === p) pool = null;
    await (await p.catch(() => null))?.close().catch(() => undefined);
  };
  return {
    async run(event, exposure) {
      const current = (pool ??= createAssessPool({ threads }));
      try {
        return await (await current).assess(event, exposure);
      } catch (e) {
        await discard(current);
        throw e;
      }
    },
    async close() {
      if (pool) await discard(pool);
    },
  };
}
