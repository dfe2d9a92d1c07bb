/**
 * Test support for the warning core's suites (not part of the running server): a real Anlan over a
 * fresh copy of the test database, optionally on a clock the test sets, with the CAP feeds it is
 * given. Tests that read the dated CAP samples (July 2026) run on such a clock, so that what is
 * "still in force" does not depend on the day the suite runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@anlan/core';
import { startAnlan, type RunningAnlan } from '../../server.ts';
import type { CapFeed } from './feed-poller.ts';
import type { TestTarget } from '../../../../../tests/helpers/targets.ts';

/** A clock the test moves; starts where it is told. */
export class SettableClock implements Clock {
  constructor(private ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
  set(at: Date | string): void {
    this.ms = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface WarningTestServer {
  url: string;
  adminPassword: string;
  demoPassword: string;
  anlan: RunningAnlan;
  close(): Promise<void>;
}

export async function startWarningServer(target: TestTarget, opts: { clock?: Clock; capFeeds?: CapFeed[] } = {}): Promise<WarningTestServer> {
  const fresh = await target.fresh();
  const adminPassword = `admin-${randomBytes(6).toString('hex')}`;
  const demoPassword = `demo-${randomBytes(6).toString('hex')}`;
  const filesDir = mkdtempSync(join(tmpdir(), 'anlan-warning-'));
  const anlan = await startAnlan({
    ...fresh.start,
    dataDir: '',
    filesDir,
    port: 0,
    host: '127.0.0.1',
    adminPassword,
    demo: true,
    demoPassword,
    clock: opts.clock,
    capFeeds: opts.capFeeds ?? [],
    serveWeb: false,
    logLevel: process.env.ANLAN_TEST_LOG_LEVEL ?? 'silent',
  });
  return {
    url: anlan.url,
    adminPassword,
    demoPassword,
    anlan,
    async close() {
      await anlan.close();
      await fresh.dispose();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
