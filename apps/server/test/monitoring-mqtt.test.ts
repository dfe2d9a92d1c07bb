import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import { digestSecret, newSecret } from '../src/auth/secret.ts';
import { insertToken } from '../src/tokens/store.ts';
import { parsePayload, parseTopic } from '../src/monitoring/mqtt/payload.ts';
import { EmbeddedBroker, MAX_PACKET_BYTES } from '../src/monitoring/mqtt/broker.ts';
import { ExternalBridge } from '../src/monitoring/mqtt/bridge.ts';
import { ReadingBatcher } from '../src/monitoring/mqtt/batcher.ts';
import { publishLoad } from '../src/monitoring/mqtt/load.ts';

const BASE = '/api/v1/monitoring';
const LUQIAO = { lon: 102.234, lat: 29.915 };
const KANGDING = { lon: 101.96, lat: 30.05 };
const MIN = 60_000;
const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
// Under CI (which installs mosquitto-clients and runs Mosquitto) a missing tool or broker fails the tests instead of skipping them.
const noPub = existsSync(MOSQUITTO_PUB) || process.env.CI ? false : `${MOSQUITTO_PUB} missing (apt-get install mosquitto-clients)`;

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** mosquitto_pub at QoS 1: it exits once the broker acknowledged the message. */
function pub(port: number, password: string | null, topic: string, message: string, extra: string[] = []) {
  const auth = password === null ? [] : ['-u', 'test-device', '-P', password];
  return run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(port), '-q', '1', ...auth, '-t', topic, '-m', message, ...extra]);
}

async function makeSensor(c: Client, code: string, point: { regionCode: string; lon: number; lat: number }) {
  const p = await c.post(`${BASE}/points`, { name: `${code} 站`, type: 'rain_gauge', ...point });
  assert.equal(p.status, 201, p.text);
  const s = await c.post(`${BASE}/sensors`, { code, pointId: p.body.id, type: 'rainfall' });
  assert.equal(s.status, 201, s.text);
}

async function readings(c: Client, code: string, fromMs: number): Promise<{ ts: number; value: number }[]> {
  const r = await c.get(`${BASE}/sensors/${code}/readings?from=${new Date(fromMs).toISOString()}&to=${new Date(Date.now() + 10 * MIN).toISOString()}`);
  assert.equal(r.status, 200, r.text);
  return r.body.points.map((p: { ts: string; value: number }) => ({ ts: new Date(p.ts).getTime(), value: p.value }));
}

/** Waits for a condition that depends on another process (a broker relaying a message); fails after a generous deadline. */
async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const suffix = () => randomBytes(4).toString('hex').toUpperCase();

describe('MQTT topics and payloads', () => {
  const at = Date.UTC(2026, 10, 23, 2, 0, 0);
  const items = (topic: string, payload: string) => parsePayload(parseTopic(topic)!, Buffer.from(payload), at);

  test('topics: readings/<code> and readings; anything else is not a readings topic', () => {
    assert.deepEqual(parseTopic('readings/LD-1'), { sensor: 'LD-1' });
    assert.deepEqual(parseTopic('readings'), { sensor: null });
    assert.deepEqual(parseTopic('county/1/readings/X', 'county/1/'), { sensor: 'X' });
    for (const t of ['readings/', 'readings/a/b', 'readings2', 'foo/readings/x', '$SYS/x', '']) assert.equal(parseTopic(t), null, t);
  });

  test('JSON, arrays and the compact form become raw readings; what cannot be read is malformed', () => {
    assert.deepEqual(items('readings/A', '{"ts": 1, "value": 2}'), [{ index: 0, item: { sensor: 'A', ts: 1, value: 2 } }]);
    assert.deepEqual(items('readings/A', '{"value": 2}'), [{ index: 0, item: { sensor: 'A', ts: at, value: 2 } }]);
    assert.deepEqual(
      items('readings/A', '[{"ts": "2026-11-23T10:00:00+08:00", "value": 1}, 5]').map((r) => [r.index, r.error ? 'error' : r.item]),
      [[0, { sensor: 'A', ts: '2026-11-23T10:00:00+08:00', value: 1 }], [1, 'error']],
    );
    assert.deepEqual(items('readings/A', '1732345678000,12.5\n\n 1732345679000 , -1e1 \r\n3'), [
      { index: 0, item: { sensor: 'A', ts: 1732345678000, value: 12.5 } },
      { index: 2, item: { sensor: 'A', ts: 1732345679000, value: -10 } },
      { index: 3, item: { sensor: 'A', ts: at, value: 3 } },
    ]);
    assert.deepEqual(items('readings/A', '2026-11-23T10:00:00+08:00,4').map((r) => r.item), [{ sensor: 'A', ts: '2026-11-23T10:00:00+08:00', value: 4 }]);
    assert.deepEqual(items('readings', 'B,1732345678000,1\nC,2').map((r) => r.item), [{ sensor: 'B', ts: 1732345678000, value: 1 }, { sensor: 'C', ts: at, value: 2 }]);
    assert.deepEqual(items('readings', '[{"sensor": "B", "value": 1}]').map((r) => r.item), [{ sensor: 'B', ts: at, value: 1 }]);
    for (const bad of ['', 'abc', '1,2,3', '{"ts": ', '12,abc', '{"sensor": "OTHER", "value": 1}']) {
      const r = items('readings/A', bad);
      assert.equal(r.length, 1, bad);
      assert.ok(r[0].error, bad);
      assert.equal((r[0].item as { sensor: string }).sensor, 'A', bad);
    }
    // U+0000 cannot be stored in PostgreSQL text: it must not reach the quarantine.
    for (const nul of ['{"ts": "\\u0000", "value": 1}', '\u0000,1', '\u0000', '{"ts": \u0000']) {
      assert.ok(!JSON.stringify(items('readings/A', nul)).includes('\\u0000'), nul);
    }
    const big = parsePayload({ sensor: 'A' }, Buffer.alloc(1024 * 1024 + 1, 0x31), at);
    assert.match(big[0].error ?? '', /over the limit/);
  });
});

for (const target of testTargets()) {
  describe(`monitoring readings over the embedded MQTT broker (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let kd: Client;
    let admin: Client;
    let token: string;
    let kdToken: string;
    let port: number;
    const id = suffix();
    const A = `MQ-${id}-A`;
    const B = `MQ-${id}-B`;
    const C = `MQ-${id}-C`;
    const F = `MQ-${id}-F`;
    const KD = `MQ-${id}-KD`;

    before(async () => {
      s = await startTestServer({ target, mqtt: true });
      port = s.anlan.ctx.mqtt!.broker!.port;
      admin = await Client.login(s.url, 'admin', s.adminPassword);
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const made = await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: '513301' });
      assert.equal(made.status, 201, made.text);
      kd = await Client.login(s.url, 'kd-duty', 'kangding-123');
      const t = await admin.post('/api/v1/tokens', { name: '泸定 雨量计', regionCode: '513322' });
      assert.equal(t.status, 201, t.text);
      token = t.body.token;
      const t2 = await admin.post('/api/v1/tokens', { name: '康定 网关', regionCode: '513301' });
      kdToken = t2.body.token;
      for (const code of [A, B, C, F]) await makeSensor(duty, code, { regionCode: '513322', ...LUQIAO });
      await makeSensor(kd, KD, { regionCode: '513301', ...KANGDING });
    });
    after(() => s?.close());

    test('mosquitto_pub with a device token: JSON, arrays and the compact form are stored before the PUBACK', { skip: noPub }, async () => {
      const t0 = Date.now() - 20 * MIN;
      const iso = (ms: number) => new Date(ms + 8 * 60 * MIN).toISOString().replace('Z', '+08:00');
      let r = await pub(port, token, `readings/${A}`, JSON.stringify({ ts: iso(t0), value: 1.5 }));
      assert.equal(r.code, 0, r.stderr);
      r = await pub(port, token, `readings/${A}`, JSON.stringify([{ ts: t0 + 1000, value: 2 }, { ts: t0 + 2000, value: 2.5 }]));
      assert.equal(r.code, 0, r.stderr);
      r = await pub(port, token, `readings/${A.toLowerCase()}`, `${t0 + 3000},3\n${t0 + 4000},3.5`);
      assert.equal(r.code, 0, r.stderr);
      // No reading query in between: the acknowledgement itself means stored.
      assert.deepEqual(
        (await readings(duty, A, t0 - MIN)).map((p) => [p.ts - t0, p.value]),
        [[0, 1.5], [1000, 2], [2000, 2.5], [3000, 3], [4000, 3.5]],
      );

      const before = Date.now();
      r = await pub(port, token, `readings/${B}`, '4.5');
      assert.equal(r.code, 0, r.stderr);
      const b = await readings(duty, B, before - MIN);
      assert.equal(b.length, 1);
      assert.equal(b[0].value, 4.5);
      assert.ok(b[0].ts >= before - 5000 && b[0].ts <= Date.now() + 5000, 'a bare number takes the arrival time');

      r = await pub(port, token, 'readings', JSON.stringify([{ sensor: C, ts: t0, value: 7 }]));
      assert.equal(r.code, 0, r.stderr);
      r = await pub(port, token, 'readings', `${C},${t0 + 1000},8`);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await readings(duty, C, t0 - MIN)).map((p) => p.value), [7, 8]);
    });

    test('a wrong or revoked token is refused; subscriptions are refused', { skip: noPub }, async () => {
      const wrong = await pub(port, 'alt_not-a-token', `readings/${A}`, '1');
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /refused|not authori[sz]ed|bad user/i);
      assert.notEqual((await pub(port, null, `readings/${A}`, '1')).code, 0);

      const t = await admin.post('/api/v1/tokens', { name: 'revoked', regionCode: '513322' });
      assert.equal((await admin.delete(`/api/v1/tokens/${t.body.id}`)).status, 204);
      assert.notEqual((await pub(port, t.body.token, `readings/${A}`, '1')).code, 0);

      const c = await connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'sub', password: token, reconnectPeriod: 0 });
      try {
        await assert.rejects(c.subscribeAsync(`readings/${A}`, { qos: 1 }), (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0] === 128);
      } finally {
        await c.endAsync();
      }
    });

    test('revoking a token closes its live connections', async () => {
      const ctx = s.anlan.ctx;
      // A second broker on the same server, checking tokens every 200 ms instead of every minute.
      const broker = await EmbeddedBroker.start(ctx, { port: 0, host: '127.0.0.1', batcher: new ReadingBatcher(ctx.readings.ingest.bind(ctx.readings)), recheckMs: 200 });
      try {
        const t = await admin.post('/api/v1/tokens', { name: 'to be revoked', regionCode: '513322' });
        const c = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: 'doomed', password: t.body.token, reconnectPeriod: 0 });
        c.on('error', () => undefined);
        const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
        await c.publishAsync(`readings/${A}`, `${Date.now() - 40 * MIN},1`, { qos: 1 });
        assert.deepEqual(broker.connections().map((x) => x.device), ['doomed']);
        assert.equal((await admin.delete(`/api/v1/tokens/${t.body.id}`)).status, 204);
        await closed;
        c.end(true);
        assert.deepEqual(broker.connections(), []);
      } finally {
        await broker.close();
      }
    });

    test('a token of another county cannot write a sensor outside its region: quarantined as not_in_scope', { skip: noPub }, async () => {
      const t0 = Date.now() - 5 * MIN;
      const r = await pub(port, kdToken, `readings/${A}`, `${t0},9`);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await readings(duty, A, t0 - 1000), []);
      const row = await eventually('the quarantine row', async () => {
        const q = await kd.get(`${BASE}/quarantine?limit=1000`);
        assert.equal(q.status, 200, q.text);
        return q.body.items.find((i: { sensor: string; reason: string }) => i.sensor === A && i.reason === 'not_in_scope');
      });
      assert.equal(row.regionCode, '513301');
      assert.equal(row.receivedBy, 'token:康定 网关');
      // The county's own sensor works with the same token.
      assert.equal((await pub(port, kdToken, `readings/${KD}`, `${t0},1`)).code, 0);
      assert.equal((await readings(kd, KD, t0 - 1000)).length, 1);
    });

    test('a flood of malformed messages leaves the broker up and the good readings between them stored', async () => {
      const broker = s.anlan.ctx.mqtt!.broker!;
      const rejectedBefore = broker.totals.rejected;
      const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'flood', password: token, reconnectPeriod: 0 });
      client.on('error', () => undefined);
      const t0 = Date.now() - 30 * MIN;
      const garbage: [string, string | Buffer][] = [
        [`readings/${F}`, Buffer.from('fffe00c328a0e282a1f09f98ff0d0a1b5b41', 'hex')],
        [`readings/${F}`, '{"ts": '],
        [`readings/${F}`, 'abc,def'],
        [`readings/${F}`, '[1, 2, 3]'],
        [`readings/${F}`, ''],
        [`readings/${F}`, Buffer.alloc(1024 * 1024 + 10, 0x20)],
        [`readings/NO-SUCH-${id}`, '1'],
        ['readings', 'just-a-code'],
        ['devices/x/status', 'online'],
        [`readings/${F}/ack`, '1'],
      ];
      const sent: Promise<unknown>[] = [];
      const good = 60;
      for (let i = 0; i < good; i++) {
        sent.push(client.publishAsync(`readings/${F}`, JSON.stringify({ ts: t0 + i * 1000, value: i % 10 }), { qos: 1 }));
        const [topic, payload] = garbage[i % garbage.length];
        sent.push(client.publishAsync(topic, payload, { qos: 1 }));
      }
      await Promise.all(sent);
      await client.endAsync();

      // Packets too large to read, and bytes that are not MQTT at all, only cost their connection.
      const big = await connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'big', password: token, reconnectPeriod: 0 });
      big.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => big.once('close', () => resolve()));
      big.publish(`readings/${F}`, Buffer.alloc(MAX_PACKET_BYTES + 1024, 0x31), { qos: 1 });
      await closed;
      big.end(true);
      await new Promise<void>((resolve) => {
        const sock = connectTcp(port, '127.0.0.1', () => sock.end(randomBytes(4096)));
        sock.on('close', () => resolve());
        sock.on('error', () => resolve());
      });

      const stored = await readings(duty, F, t0 - MIN);
      assert.equal(stored.length, good);
      assert.ok(broker.totals.rejected - rejectedBefore >= 6, `rejected ${broker.totals.rejected - rejectedBefore}`);
      assert.ok(broker.totals.dropped >= 2);
      assert.ok(broker.totals.refused >= 1);
      await eventually('the quarantine rows', async () => {
        const q = await admin.get(`${BASE}/quarantine?limit=1000`);
        const malformed = q.body.items.filter((i: { reason: string; message: string }) => i.reason === 'malformed' && i.message.includes(F));
        return malformed.length >= 5 && q.body.items.some((i: { reason: string; sensor: string }) => i.reason === 'unknown_sensor' && i.sensor === `NO-SUCH-${id}`);
      });

      assert.equal((await fetch(`${s.url}/api/v1/health`)).status, 200);
      if (!noPub) assert.equal((await pub(port, token, `readings/${F}`, `${t0 + good * 1000},1`)).code, 0);
    });

    test('the load generator: several connections, one reading a message, every one acknowledged and stored', async () => {
      const sensors = [A, B, C];
      const startMs = Date.now() - 3 * 60 * MIN;
      const r = await publishLoad({ url: `mqtt://127.0.0.1:${port}`, token, sensors, readings: 1500, connections: 4, startMs, stepMs: 1000 });
      assert.deepEqual(r.errors, []);
      assert.equal(r.acked, r.messages);
      assert.equal(r.ackedReadings, 1500);
      for (const code of sensors) {
        const got = await duty.get(`${BASE}/sensors/${code}/readings?from=${new Date(startMs).toISOString()}&to=${new Date(startMs + 500 * 1000).toISOString()}`);
        assert.equal(got.body.points.length, 500, code);
      }
      const compact = await publishLoad({ url: `mqtt://127.0.0.1:${port}`, token, sensors, readings: 600, connections: 2, perMessage: 50, format: 'compact', startMs: startMs + 600 * 1000, stepMs: 1000 });
      assert.equal(compact.ackedReadings, 600);
    });
  });

  describe(`monitoring readings from an external MQTT broker (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let probe: MqttClient | null = null;
    const id = suffix();
    const prefix = `anlan-test/${id}/`;
    const clientId = `anlan-test-${id}`;
    const secret = newSecret('alt');
    const E = `MQ-${id}-E`;
    let skip: string | false = false;

    before(async () => {
      try {
        probe = await connectAsync('mqtt://127.0.0.1:1883', { reconnectPeriod: 0, connectTimeout: 3000 });
      } catch (err) {
        if (process.env.CI) throw err;
        skip = `no MQTT broker without login on 127.0.0.1:1883 (${(err as Error).message})`;
        return;
      }
      // The token is not there yet: the bridge must keep trying rather than give up.
      s = await startTestServer({ target, mqtt: { mqttUrl: 'mqtt://127.0.0.1:1883', mqttToken: secret, mqttTopicPrefix: prefix, mqttClientId: clientId } });
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      await makeSensor(duty, E, { regionCode: '513322', ...LUQIAO });
      await insertToken(s.anlan.ctx.db, { name: 'broker', hash: digestSecret(secret), regionCode: '513322', createdBy: null });
    });
    after(async () => {
      await s?.close();
      // Ends the broker's persistent sessions of this run.
      for (const cid of [clientId, `${clientId}-2`]) {
        if (!probe) break;
        const c = await connectAsync('mqtt://127.0.0.1:1883', { clientId: cid, clean: true, reconnectPeriod: 0 }).catch(() => null);
        await c?.endAsync();
      }
      await probe?.endAsync();
    });

    test('Anlan subscribes, a device publishes to the broker, the reading is stored; the broker keeps readings while Anlan is away', async (t) => {
      if (skip || noPub) return t.skip(skip || noPub || '');
      const bridge = s.anlan.ctx.mqtt!.bridge!;
      await eventually('the bridge to subscribe', async () => bridge.ready);
      const t0 = Date.now() - 2 * MIN;
      const r = await pub(1883, null, `${prefix}readings/${E}`, `${t0},12.5`);
      assert.equal(r.code, 0, r.stderr);
      const got = await eventually('the reading', async () => {
        const p = await readings(duty, E, t0 - MIN);
        return p.length > 0 && p;
      });
      assert.deepEqual(got.map((p) => [p.ts, p.value]), [[t0, 12.5]]);
      // Elsewhere than under the prefix is not Anlan's.
      assert.equal((await pub(1883, null, `readings/${E}`, `${t0 + 1},1`)).code, 0);

      // A second bridge session: subscribe once, go away, readings published meanwhile arrive on return.
      const ctx = s.anlan.ctx;
      const make = () =>
        new ExternalBridge(ctx, { url: 'mqtt://127.0.0.1:1883', token: secret, topicPrefix: `${prefix}2/`, clientId: `${clientId}-2`, batcher: new ReadingBatcher(ctx.readings.ingest.bind(ctx.readings), { maxDelayMs: 0 }) });
      let second = make();
      second.start();
      await eventually('the second bridge to subscribe', async () => second.ready);
      await second.close();
      assert.equal((await pub(1883, null, `${prefix}2/readings/${E}`, JSON.stringify({ ts: t0 + 5000, value: 13 }))).code, 0);
      second = make();
      second.start();
      try {
        await eventually('the reading kept by the broker', async () => (await readings(duty, E, t0 - MIN)).some((p) => p.value === 13));
      } finally {
        await second.close();
      }
      assert.deepEqual((await readings(duty, E, t0 - MIN)).map((p) => p.value), [12.5, 13]);
    });

    test('a refused token and an unreachable broker are not fatal', async () => {
      const other = await startTestServer({ target, mqtt: { mqttUrl: 'mqtt://127.0.0.1:1', mqttToken: secret } });
      try {
        const bridge = other.anlan.ctx.mqtt!.bridge!;
        await eventually('the token to be refused', async () => bridge.status === 'token refused');
        await insertToken(other.anlan.ctx.db, { name: 'broker', hash: digestSecret(secret), regionCode: '513322', createdBy: null });
        await eventually('the bridge to try the broker', async () => bridge.status === 'connecting');
        assert.equal((await fetch(`${other.url}/api/v1/health`)).status, 200);
      } finally {
        await other.close();
      }
      assert.equal(other.anlan.ctx.mqtt!.bridge!.status, 'stopped');
    });
  });
}
