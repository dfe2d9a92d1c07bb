import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbedded } from '@anlan/db';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import { EMBEDDED_TEMPLATE_PATH } from '../../../tests/setup/paths.ts';
import type { BusEvent } from '../src/events/bus.ts';

const BASE = '/api/v1/monitoring';
const LUQIAO = { lon: 102.234, lat: 29.915 };
const KANGDING = { lon: 101.96, lat: 30.05 };
const MIN = 60_000;

async function post(url: string, token: string, body: string, contentType = 'application/json') {
  const res = await fetch(`${url}/api/v1/readings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, text };
}

const reasons = (res: { body: { rejected: { index: number; reason: string }[] } }) => Object.fromEntries(res.body.rejected.map((r) => [r.index, r.reason]));

async function makeSensor(c: Client, code: string, point: { regionCode: string; lon: number; lat: number }, extra: Record<string, unknown> = {}) {
  const p = await c.post(`${BASE}/points`, { name: `${code} 站`, type: 'rain_gauge', ...point });
  assert.equal(p.status, 201, p.text);
  const s = await c.post(`${BASE}/sensors`, { code, pointId: p.body.id, type: 'rainfall', ...extra });
  assert.equal(s.status, 201, s.text);
  return { pointId: p.body.id as number, sensorId: s.body.id as number };
}

for (const target of testTargets()) {
  describe(`monitoring readings (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let kd: Client;
    let admin: Client;
    let token: string;
    let ld: { pointId: number; sensorId: number };
    const events: BusEvent[] = [];
    const now = () => Date.now();

    before(async () => {
      s = await startTestServer({ target });
      s.anlan.ctx.bus.subscribe((e) => events.push(e));
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      admin = await Client.login(s.url, 'admin', s.adminPassword);
      const made = await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: '513301' });
      assert.equal(made.status, 201, made.text);
      kd = await Client.login(s.url, 'kd-duty', 'kangding-123');
      const t = await admin.post('/api/v1/tokens', { name: '泸定 网关', regionCode: '513322' });
      assert.equal(t.status, 201, t.text);
      token = t.body.token;
      ld = await makeSensor(duty, 'LD-RAIN-R1', { regionCode: '513322', ...LUQIAO });
      await makeSensor(duty, 'LD-RAIN-OFF', { regionCode: '513322', ...LUQIAO }, { enabled: false });
      await makeSensor(kd, 'KD-RAIN-R1', { regionCode: '513301', ...KANGDING });
    });
    after(() => s.close());

    test('a mixed batch: accepted ones stored, each rejected one listed with its reason and quarantined', async () => {
      const t0 = now() - 10 * MIN;
      const batch = [
        { sensor: 'LD-RAIN-R1', ts: new Date(t0).toISOString(), value: 1.5 }, // 0 ok
        { sensor: 'ld-rain-r1', ts: t0 + MIN, value: 2 }, // 1 ok, epoch ms, code case ignored
        { sensor: 'NOPE-1', ts: t0, value: 1 }, // 2 unknown
        { sensor: 'LD-RAIN-R1', ts: t0 + 2 * MIN, value: 999 }, // 3 out of range (0–300)
        { sensor: 'LD-RAIN-R1', ts: now() + 60 * MIN, value: 1 }, // 4 future
        { sensor: 'LD-RAIN-R1', ts: now() - 500 * 24 * 60 * MIN, value: 1 }, // 5 too old
        { sensor: 'LD-RAIN-R1', ts: 'yesterday', value: 1 }, // 6 invalid ts
        { sensor: 'LD-RAIN-R1', ts: '2026-01-01T10:00:00', value: 1 }, // 7 no offset
        { sensor: 'LD-RAIN-R1', ts: t0 + 3 * MIN, value: '3' }, // 8 invalid value
        { sensor: 'LD-RAIN-OFF', ts: t0, value: 1 }, // 9 disabled
        { sensor: 'KD-RAIN-R1', ts: t0, value: 1 }, // 10 not in scope
        { sensor: 'LD-RAIN-R1', ts: new Date(t0).toISOString(), value: 9 }, // 11 duplicate in batch
        42, // 12 malformed
        { ts: t0, value: 1 }, // 13 malformed (no sensor)
      ];
      const res = await post(s.url, token, JSON.stringify(batch));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.accepted, 2);
      assert.deepEqual(reasons(res), {
        2: 'unknown_sensor', 3: 'out_of_range', 4: 'future_timestamp', 5: 'too_old', 6: 'invalid_timestamp', 7: 'invalid_timestamp', 8: 'invalid_value',
        9: 'sensor_disabled', 10: 'not_in_scope', 11: 'duplicate', 12: 'malformed', 13: 'malformed',
      });
      assert.ok(res.body.rejected.every((r: { message: string }) => r.message.length > 0));

      const read = await duty.get(`${BASE}/sensors/LD-RAIN-R1/readings?from=${new Date(t0 - MIN).toISOString()}`);
      assert.equal(read.status, 200, read.text);
      assert.deepEqual(read.body.points.map((p: { value: number }) => p.value), [1.5, 2]);

      const ev = events.filter((e) => e.type === 'monitoring.readings_ingested');
      assert.ok(ev.some((e) => e.regionCode === '513322' && e.data.accepted === 2), JSON.stringify(ev));
    });

    test('NDJSON: a bad line is rejected alone, the others kept', async () => {
      const t0 = now() - 30 * MIN;
      const body = [
        JSON.stringify({ sensor: 'LD-RAIN-R1', ts: t0, value: 0.5 }),
        '{"sensor": "LD-RAIN-R1", "ts": ',
        '',
        JSON.stringify({ sensor: 'LD-RAIN-R1', ts: t0 + 1000, value: 0.7 }),
      ].join('\n');
      const res = await post(s.url, token, body, 'application/x-ndjson');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.accepted, 2);
      assert.deepEqual(reasons(res), { 1: 'malformed' });
    });

    test('a malformed JSON body is a 400; an object that is not an array too', async () => {
      assert.equal((await post(s.url, token, '[{"sensor": ')).status, 400);
      assert.equal((await post(s.url, token, '{"sensor": "LD-RAIN-R1"}')).status, 400);
    });

    test('duplicates across requests are rejected; a late reading lands in the rollups but does not replace the latest', async () => {
      const base = Math.floor((now() - 3 * 60 * MIN) / (60 * MIN)) * 60 * MIN; // an hour boundary, 2–3 h ago
      const first = await post(s.url, token, JSON.stringify([{ sensor: 'LD-RAIN-R1', ts: base + 20 * MIN, value: 4 }, { sensor: 'LD-RAIN-R1', ts: now() - MIN, value: 7 }]));
      assert.equal(first.body.accepted, 2, first.text);
      const again = await post(s.url, token, JSON.stringify([{ sensor: 'LD-RAIN-R1', ts: new Date(base + 20 * MIN).toISOString(), value: 5 }]));
      assert.equal(again.body.accepted, 0);
      assert.deepEqual(reasons(again), { 0: 'duplicate' });

      const late = await post(s.url, token, JSON.stringify([{ sensor: 'LD-RAIN-R1', ts: base + 20 * MIN + 10_000, value: 6 }]));
      assert.equal(late.body.accepted, 1, late.text);
      const latest = await duty.get(`${BASE}/latest?pointId=${ld.pointId}`);
      assert.equal(latest.status, 200, latest.text);
      assert.equal(latest.body.items[0].value, 7);

      const range = `from=${new Date(base).toISOString()}&to=${new Date(base + 60 * MIN).toISOString()}`;
      const minute = await duty.get(`${BASE}/sensors/LD-RAIN-R1/readings?${range}&resolution=minute`);
      assert.equal(minute.status, 200, minute.text);
      assert.deepEqual(minute.body.points.map((p: any) => [p.count, p.min, p.max, p.avg]), [[2, 4, 6, 5]]);
      const hour = await duty.get(`${BASE}/sensors/LD-RAIN-R1/readings?${range}&resolution=hour`);
      assert.deepEqual(hour.body.points.map((p: any) => [new Date(p.ts).getTime(), p.count]), [[base, 2]]);
    });

    test('scope: users read only their region; quarantine is scoped; unknown sensors for national users only', async () => {
      assert.equal((await kd.get(`${BASE}/sensors/LD-RAIN-R1/readings`)).status, 404);
      assert.equal((await kd.get(`${BASE}/latest?pointId=${ld.pointId}`)).status, 404);
      const q = await duty.get(`${BASE}/quarantine?limit=1000`);
      assert.equal(q.status, 200, q.text);
      const got = new Set(q.body.items.map((r: { reason: string }) => r.reason));
      for (const r of ['out_of_range', 'future_timestamp', 'too_old', 'invalid_timestamp', 'invalid_value', 'sensor_disabled', 'not_in_scope', 'duplicate']) assert.ok(got.has(r), r);
      assert.ok(!got.has('unknown_sensor'));
      assert.ok(q.body.items.every((r: { regionCode: string }) => r.regionCode.startsWith('513322')));
      assert.equal((await kd.get(`${BASE}/quarantine`)).body.items.length, 0);
      const national = await admin.get(`${BASE}/quarantine?limit=1000`);
      assert.ok(national.body.items.some((r: { reason: string; sensor: string }) => r.reason === 'unknown_sensor' && r.sensor === 'NOPE-1'));
      const page = await admin.get(`${BASE}/quarantine?limit=2&before=${national.body.items[1].id}`);
      assert.ok(page.body.items.every((r: { id: number }) => r.id < national.body.items[1].id));
    });

    test('users: duty may write; a sensor disabled after the first batch is refused at once', async () => {
      const res = await duty.request('POST', '/api/v1/readings', [{ sensor: 'LD-RAIN-R1', ts: now() - 2 * MIN, value: 1 }]);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.accepted, 1);
      const sensor = await duty.get(`${BASE}/sensors/${ld.sensorId}`);
      const off = await duty.request('PUT', `${BASE}/sensors/${ld.sensorId}`, { version: sensor.body.version, enabled: false });
      assert.equal(off.status, 200, off.text);
      const refused = await post(s.url, token, JSON.stringify([{ sensor: 'LD-RAIN-R1', ts: now() - 3 * MIN, value: 1 }]));
      assert.deepEqual(reasons(refused), { 0: 'sensor_disabled' });
      const back = await duty.request('PUT', `${BASE}/sensors/${ld.sensorId}`, { version: off.body.version, enabled: true });
      assert.equal(back.status, 200, back.text);
    });

    test('retention purge removes readings older than the window', async () => {
      const old = await post(s.url, token, JSON.stringify([{ sensor: 'LD-RAIN-R1', ts: now() - 3 * 24 * 60 * MIN, value: 1 }]));
      assert.equal(old.body.accepted, 1, old.text);
      const db = s.anlan.ctx.db;
      await db.query(`INSERT INTO system_settings (key, value) VALUES ('monitoring.retention_days', '1') ON CONFLICT (key) DO UPDATE SET value = '1'`);
      // The purge reads the setting afresh (the ingest caches it a minute).
      const report = await s.anlan.ctx.readings.purge();
      assert.ok(report.deletedReadings >= 1, JSON.stringify(report));
      const left = await db.query<{ n: string }>(`SELECT count(*) AS n FROM monitoring_readings WHERE ts < now() - interval '1 day'`);
      assert.equal(Number(left.rows[0].n), 0);
      await db.query(`DELETE FROM system_settings WHERE key = 'monitoring.retention_days'`);
    });
  });
}

// ---- durability: 200 means committed, even when the server is killed right after ----

const BIN = fileURLToPath(new URL('../../cli/bin/anlan.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startChild(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--port', String(port), '--no-mqtt', '--no-simulator'], {
    env: { ...process.env, ANLAN_DATABASE_URL: '', ANLAN_ADMIN_PASSWORD: 'durable-admin-1', ANLAN_DEMO_PASSWORD: 'durable-demo-1', ANLAN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 120_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('http://')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${err}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('monitoring readings durability (embedded, child process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anlan-durable-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('readings answered 200 survive SIGKILL right after the answer', { timeout: 240_000 }, async () => {
    // Start from the migrated test template instead of an initdb and a region load.
    const db = await openEmbedded({ dataDir: join(dir, 'pg'), loadDataDir: new Blob([readFileSync(EMBEDDED_TEMPLATE_PATH)]) });
    await db.close();
    const port = await freePort();
    let run = await startChild(dir, port);
    const duty = await Client.login(run.url, 'ld-duty', 'durable-demo-1');
    const admin = await Client.login(run.url, 'admin', 'durable-admin-1');
    await makeSensor(duty, 'DUR-RAIN-1', { regionCode: '513322', ...LUQIAO });
    const token = (await admin.post('/api/v1/tokens', { name: 'durable', regionCode: '513322' })).body.token as string;
    const t0 = Date.now() - 60 * MIN;
    const batch = Array.from({ length: 500 }, (_, i) => ({ sensor: 'DUR-RAIN-1', ts: t0 + i * 1000, value: (i % 100) / 10 }));
    const res = await post(run.url, token, JSON.stringify(batch));
    assert.equal(res.status, 200, res.text);
    await kill9(run.child);
    assert.equal(res.body.accepted, 500);

    run = await startChild(dir, port);
    try {
      const again = await Client.login(run.url, 'ld-duty', 'durable-demo-1');
      const read = await again.get(`${BASE}/sensors/DUR-RAIN-1/readings?from=${new Date(t0 - MIN).toISOString()}`);
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.points.length, 500);
    } finally {
      await kill9(run.child);
    }
  });
});
