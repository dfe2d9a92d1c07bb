import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedDemo } from '@anlan/server';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { main } from '../src/main.ts';
import { Client } from '../../../tests/helpers/http.ts';

const BIN = fileURLToPath(new URL('../bin/anlan.js', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../examples/luding-storm.csv', import.meta.url));
const BASE = '/api/v1/monitoring';
const MIN = 60_000;

function spawnAnlan(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ANLAN_TOKEN: '', ANLAN_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * The command in this process, output captured: a spawned CLI loads the whole server first, which
 * takes seconds on a busy machine. One test still goes through bin/anlan.js.
 */
async function anlan(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, error: console.error, write: process.stderr.write, env: { ANLAN_TOKEN: process.env.ANLAN_TOKEN, ANLAN_URL: process.env.ANLAN_URL } };
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  console.error = (...a: unknown[]) => void (stderr += `${a.join(' ')}\n`);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.env.ANLAN_TOKEN = env.ANLAN_TOKEN ?? '';
  process.env.ANLAN_URL = env.ANLAN_URL ?? '';
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    process.stderr.write = saved.write;
    for (const [k, v] of Object.entries(saved.env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** 2026-11-23T10:00:00+08:00 for an instant: recordings carry the bureau's local time. */
function beijing(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

describe('anlan monitoring replay', () => {
  let s: TestServer;
  let duty: Client;
  let token: string;
  let dir: string;

  before(async () => {
    s = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'anlan-replay-'));
    const admin = await Client.login(s.url, 'admin', s.adminPassword);
    const t = await admin.post('/api/v1/tokens', { name: '回放测试', regionCode: '513322' });
    assert.equal(t.status, 201, t.text);
    token = t.body.token;
    duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
    const p = await duty.post(`${BASE}/points`, { name: '回放测试点', type: 'rain_gauge', regionCode: '513322100', lon: 102.234, lat: 29.915 });
    assert.equal(p.status, 201, p.text);
    for (const code of ['RP-RAIN-1', 'RP-RAIN-2', 'RP-RAIN-3']) assert.equal((await duty.post(`${BASE}/sensors`, { code, pointId: p.body.id, type: 'rainfall' })).status, 201);
  });
  after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const values = async (code: string) => ((await duty.get(`${BASE}/sensors/${code}/readings`)).body.points as { value: number }[]).map((p) => p.value);

  test('a CSV, out of order, with the recorded pace sped up: every reading stored', async () => {
    const t0 = Date.now() - 10 * MIN;
    const file = join(dir, 'small.csv');
    // Beijing time with its offset, epoch milliseconds, a BOM and CRLF as Excel writes them.
    writeFileSync(file, `\uFEFFsensor,ts,value\r\nRP-RAIN-1,${beijing(t0 + 2000)},0.4\r\nRP-RAIN-1,${t0},0.2\r\nRP-RAIN-1,${beijing(t0 + 4000)},1.6\r\nRP-RAIN-2,${new Date(t0).toISOString()},3\r\n`);
    const r = await spawnAnlan(['monitoring', 'replay', file, '--url', s.url, '--token', token, '--speed', '20']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /发送 sent: 4，接受 accepted: 4，拒绝 rejected: 0/);
    assert.deepEqual(await values('RP-RAIN-1'), [0.2, 0.4, 1.6]);
    assert.deepEqual(await values('RP-RAIN-2'), [3]);
  });

  test('NDJSON: bad lines are reported by line number and skipped, the rest sent', async () => {
    const t0 = Date.now() - 20 * MIN;
    const file = join(dir, 'feed.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ sensor: 'RP-RAIN-3', ts: new Date(t0).toISOString(), value: 1.1 }),
        JSON.stringify({ sensor: 'RP-RAIN-3', ts: t0 + MIN, value: 1.2 }),
        '{"sensor": "RP-RAIN-3", "ts": ',
        '',
        JSON.stringify({ sensor: 'RP-RAIN-3', ts: t0 + 2 * MIN, value: '1.3' }),
        JSON.stringify({ sensor: 'RP-RAIN-3', ts: '2026-01-01 10:00', value: 1 }),
        JSON.stringify({ sensor: 'NO-SUCH-SENSOR', ts: t0, value: 1 }),
        JSON.stringify({ sensor: 'RP-RAIN-3', ts: t0 + 3 * MIN, value: 1.4 }),
      ].join('\n'),
    );
    const r = await anlan(['monitoring', 'replay', file, '--speed', 'max', '--batch', '2'], { ANLAN_URL: s.url, ANLAN_TOKEN: token });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /第 3 行 \(line 3\): 不是 JSON/);
    assert.match(r.stderr, /第 5 行 \(line 5\): 数值无效/);
    assert.match(r.stderr, /第 6 行 \(line 6\): 时间无法识别/);
    assert.match(r.stdout, /坏行 bad lines: 3/);
    assert.match(r.stdout, /发送 sent: 4，接受 accepted: 3，拒绝 rejected: 1/);
    assert.match(r.stdout, /unknown_sensor +1 +例 e\.g\. 第 7 行 \(line 7\) NO-SUCH-SENSOR/);
    assert.deepEqual(await values('RP-RAIN-3'), [1.1, 1.2, 1.4]);
  });

  test('an old recording is refused as too_old unless shifted to now', async () => {
    const file = join(dir, 'old.csv');
    writeFileSync(file, 'sensor,ts,value\nRP-RAIN-2,2020-07-01T10:00:00+08:00,5\nRP-RAIN-2,2020-07-01T10:01:00+08:00,6\n');
    const old = await anlan(['monitoring', 'replay', file, '--url', s.url, '--token', token, '--speed', '0']);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /接受 accepted: 0，拒绝 rejected: 2/);
    assert.match(old.stdout, /too_old/);
    assert.match(old.stdout, /--shift-to-now/);
    const shifted = await anlan(['monitoring', 'replay', file, '--url', s.url, '--token', token, '--speed', '0', '--shift-to-now']);
    assert.equal(shifted.code, 0, shifted.stderr);
    assert.match(shifted.stdout, /接受 accepted: 2，拒绝 rejected: 0/);
    assert.deepEqual(await values('RP-RAIN-2'), [3, 5, 6]);
  });

  test('usage and server errors', async () => {
    const file = join(dir, 'small.csv');
    assert.equal((await anlan(['monitoring', 'replay', file, '--url', s.url])).code, 2, 'no token');
    assert.equal((await anlan(['monitoring', 'replay', file, '--url', s.url, '--token', token, '--speed', 'fast'])).code, 2);
    assert.equal((await anlan(['monitoring', 'frobnicate'])).code, 2);
    assert.equal((await anlan(['monitoring', 'replay', '--help'])).code, 0);
    const denied = await anlan(['monitoring', 'replay', file, '--url', s.url, '--token', 'alt_not-a-token']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /HTTP 401/);
    const missing = await anlan(['monitoring', 'replay', join(dir, 'nope.csv'), '--url', s.url, '--token', token]);
    assert.equal(missing.code, 1);
    const headerless = join(dir, 'headerless.csv');
    writeFileSync(headerless, 'RP-RAIN-1,2026-01-01T00:00:00Z,1\n');
    const h = await anlan(['monitoring', 'replay', headerless, '--url', s.url, '--token', token]);
    assert.equal(h.code, 1);
    assert.match(h.stderr, /sensor,ts,value/);
  });

  test('the shipped sample recording replays cleanly into the demo network', async () => {
    const ctx = s.anlan.ctx;
    // Adds the network to this server's demo, and tells its ingest through the bus.
    const made = await seedDemo({ db: ctx.db, clock: ctx.clock, bus: ctx.bus }, { password: s.demoPassword, network: true });
    assert.ok(made.network && made.network.sensors > 40);
    const r = await anlan(['monitoring', 'replay', SAMPLE, '--url', s.url, '--token', token, '--speed', 'max', '--shift-to-now']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /坏行 bad lines: 0/);
    const m = /发送 sent: (\d+)，接受 accepted: (\d+)，拒绝 rejected: 0/.exec(r.stdout);
    assert.ok(m && Number(m[1]) > 1500 && m[1] === m[2], r.stdout);
    assert.ok((await values('LD-GAS-001')).some((v) => v >= 25), 'the leak is in it');
  });
});
