import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnlan, type RunningAnlan, type StartOptions } from '@anlan/server';
import { testTargets, type TestTarget } from './targets.ts';

export interface TestServer {
  url: string;
  adminPassword: string;
  demoPassword: string;
  anlan: RunningAnlan;
  close(): Promise<void>;
}

/**
 * A real Anlan on a free port, over a fresh copy of the test database. `mqtt: true` adds the
 * embedded MQTT broker on a free port (off by default, so that tests do not fight over 1883).
 */
export async function startTestServer(opts: { demo?: boolean; target?: TestTarget; assessmentJobRows?: number; quakeFeeds?: StartOptions['quakeFeeds']; mqtt?: boolean | Pick<StartOptions, 'mqttUrl' | 'mqttToken' | 'mqttTopicPrefix' | 'mqttClientId'> } = {}): Promise<TestServer> {
  const target = opts.target ?? testTargets()[0];
  const fresh = await target.fresh();
  const adminPassword = `admin-${randomBytes(6).toString('hex')}`;
  const demoPassword = `demo-${randomBytes(6).toString('hex')}`;
  const filesDir = mkdtempSync(join(tmpdir(), 'anlan-files-'));
  const anlan = await startAnlan({
    ...fresh.start,
    dataDir: '',
    filesDir,
    assessmentJobRows: opts.assessmentJobRows,
    quakeFeeds: opts.quakeFeeds,
    ...(opts.mqtt === true ? { mqttPort: 0 } : opts.mqtt || {}),
    port: 0,
    host: '127.0.0.1',
    adminPassword,
    demo: opts.demo ?? true,
    demoPassword,
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
