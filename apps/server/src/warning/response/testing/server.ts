/**
 * A real Anlan for the call-response tests, like tests/helpers/server.ts but with an injected
 * clock (deadlines and link expiry are tested by moving it, never by waiting), and, for the restart
 * test, on a data directory that outlives the process's first start.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@anlan/core';
import { openEmbedded } from '@anlan/db';
import { startAnlan, type RunningAnlan, type StartOptions } from '../../../server.ts';
import type { FreshDatabase, TestTarget } from '../../../../../../tests/helpers/targets.ts';

export interface ResponseServer {
  url: string;
  anlan: RunningAnlan;
  clock: ManualClock;
  demoPassword: string;
  adminPassword: string;
  /** Closes the server only; the data stay for `reopen`. */
  stop(): Promise<void>;
  /** Starts again on the same data, with the same clock. */
  reopen(): Promise<ResponseServer>;
  /** Closes and removes everything. */
  close(): Promise<void>;
}

const quiet = process.env.ANLAN_TEST_LOG_LEVEL ?? 'silent';

/**
 * `persistent`: the embedded database lives in a directory on disk (loaded from the template once),
 * so that a second start opens the same data, as a restart of `anlan start` would.
 */
export async function startResponseServer(target: TestTarget, opts: { clock?: ManualClock; persistent?: boolean } = {}): Promise<ResponseServer> {
  const clock = opts.clock ?? new ManualClock(new Date());
  const fresh: FreshDatabase = await target.fresh();
  const dir = mkdtempSync(join(tmpdir(), 'anlan-response-'));
  const adminPassword = `admin-${randomBytes(6).toString('hex')}`;
  const demoPassword = `demo-${randomBytes(6).toString('hex')}`;
  let start: Partial<StartOptions> = { ...fresh.start, dataDir: '' };
  if (opts.persistent && fresh.start.embeddedSnapshot) {
    // Unpack the template into <dir>/pg, where startAnlan looks for an embedded data directory.
    const db = await openEmbedded({ dataDir: join(dir, 'pg'), loadDataDir: fresh.start.embeddedSnapshot });
    await db.close();
    start = { dataDir: dir };
  }
  const launch = async (): Promise<ResponseServer> => {
    const anlan = await startAnlan({
      ...start,
      dataDir: start.dataDir ?? '',
      filesDir: join(dir, 'files'),
      walDir: join(dir, 'wal'),
      clock,
      port: 0,
      host: '127.0.0.1',
      adminPassword,
      demo: true,
      demoPassword,
      logLevel: quiet,
    });
    let stopped = false;
    const server: ResponseServer = {
      url: anlan.url,
      anlan,
      clock,
      demoPassword,
      adminPassword,
      async stop() {
        if (stopped) return;
        stopped = true;
        await anlan.close();
      },
      async reopen() {
        if (fresh.start.embeddedSnapshot && !opts.persistent) throw new Error('reopen needs { persistent: true } on the embedded database');
        await server.stop();
        return launch();
      },
      async close() {
        await server.stop();
        await fresh.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  };
  return launch();
}
