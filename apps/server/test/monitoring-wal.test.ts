// The readings' write-ahead log: frames and torn tails, the latest values' state file, rollups
// merged in memory, and the ingest's replay of a log into the database after a crash.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATIONAL_SCOPE, systemClock } from '@anlan/core';
import { WalWriter, readFrames } from '../src/monitoring/ingest/wal.ts';
import { LatestValues } from '../src/monitoring/ingest/latest.ts';
import { RollupAccumulator } from '../src/monitoring/ingest/rollups.ts';
import { READINGS_FRAME, decodeBatch, encodeBatch, type DurableBatch } from '../src/monitoring/ingest/batch.ts';
import { ReadingIngest } from '../src/monitoring/ingest/service.ts';
import { InProcessBus } from '../src/events/bus.ts';
import { SYSTEM_ACTOR } from '../src/caller.ts';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'anlan-wal-'));
const batchOf = (ids: number[], ts: number[], values: number[], quarantine: DurableBatch['quarantine'] = []): DurableBatch => ({
  ids, ts, values, receivedBy: 'test', quarantine, end: 0, replayed: false,
});

describe('readings log', () => {
  test('frames come back in order with their end positions; a torn tail is cut off', async () => {
    const dir = tempDir();
    try {
      const w = await WalWriter.open(dir);
      const a = await w.append(READINGS_FRAME, encodeBatch(batchOf([1, 2], [1000, 2000], [0.5, 1.5])));
      const b = await w.append(READINGS_FRAME, encodeBatch(batchOf([3], [3000], [2.5], [{ index: 4, sensorCode: 'X', ts: null, value: null, reason: 'malformed', message: 'm', regionCode: null }])));
      await w.close();
      assert.ok(b > a);
      const file = join(dir, readdirSync(dir)[0]);
      const size = statSync(file).size;
      appendFileSync(file, Buffer.from([200, 0, 0, 0, 1, 2, 3])); // a frame the process died writing
      const frames = readFrames(dir, 0);
      assert.deepEqual(frames.map((f) => f.end), [a, b]);
      const second = decodeBatch(frames[1].payload, frames[1].end);
      assert.deepEqual([second.ids, second.ts, second.values], [[3], [3000], [2.5]]);
      assert.equal(second.quarantine[0].reason, 'malformed');
      assert.equal(statSync(file).size, size, 'the torn tail is truncated');
      assert.deepEqual(readFrames(dir, a).map((f) => f.end), [b], 'reading from a position skips what is before');
      const again = await WalWriter.open(dir);
      const c = await again.append(READINGS_FRAME, encodeBatch(batchOf([4], [4000], [1])));
      await again.close();
      assert.deepEqual(readFrames(dir, 0).map((f) => f.end), [a, b, c]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a corrupted frame ends the log there', async () => {
    const dir = tempDir();
    try {
      const w = await WalWriter.open(dir);
      await w.append(READINGS_FRAME, encodeBatch(batchOf([1], [1], [1])));
      await w.close();
      const file = join(dir, readdirSync(dir)[0]);
      const { openSync, writeSync, closeSync } = await import('node:fs');
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.from([0xff]), 0, 1, 12); // a byte of the payload: the checksum fails
      closeSync(fd);
      assert.equal(readFrames(dir, 0).length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('latest values: claims refuse repeats, late readings never replace newer ones, state round-trips', () => {
    const l = new LatestValues();
    assert.equal(l.claim(5, 1000), true);
    assert.equal(l.claim(5, 1000), false, 'the same instant again is a possible duplicate');
    assert.equal(l.claim(5, 900), false, 'an earlier instant is late');
    l.commit(5, 1000, 7);
    l.commit(5, 900, 3);
    assert.deepEqual(l.get(5), { ts: 1000, value: 7 });
    assert.equal(l.get(6), undefined);
    const copy = new LatestValues();
    assert.equal(copy.load(l.serialize(12345)), 12345);
    assert.deepEqual(copy.get(5), { ts: 1000, value: 7 });
    assert.equal(copy.claim(5, 1000), false, 'a loaded state still refuses repeats');
    assert.equal(copy.load(new Uint8Array([1, 2, 3])), null);
  });

  test('rollups merge per sensor and bucket; a failed write is put back', () => {
    const r = new RollupAccumulator();
    const t = Date.UTC(2026, 10, 23, 10, 0, 0);
    r.add(1, t, 2);
    r.add(1, t + 30_000, 4);
    r.add(1, t + 60_000, 1);
    r.add(2, t, 5);
    const taken = r.take();
    const minute = taken.minute.sensorIds.map((id, i) => [id, taken.minute.buckets[i] - t, taken.minute.count[i], taken.minute.sum[i], taken.minute.min[i], taken.minute.max[i]]);
    assert.deepEqual(minute, [[1, 0, 2, 6, 2, 4], [1, 60_000, 1, 1, 1, 1], [2, 0, 1, 5, 5, 5]]);
    assert.deepEqual(taken.hour.count, [3, 1]);
    assert.equal(r.take().minute.sensorIds.length, 0);
    r.restore(taken);
    r.add(2, t, 1);
    const back = r.take();
    assert.deepEqual(back.hour.sensorIds, [1, 2]);
    assert.deepEqual(back.hour.count, [3, 2]);
  });
});

for (const target of testTargets()) {
  describe(`readings log with the ingest (${target.name})`, () => {
    let s: TestServer;
    let sensorId: number;
    const code = 'WAL-GAS-1';

    before(async () => {
      s = await startTestServer({ target, demo: true });
      const duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const p = await duty.post('/api/v1/monitoring/points', { name: '日志测试站', type: 'hazchem_site', regionCode: '513322', lon: 102.234, lat: 29.915 });
      assert.equal(p.status, 201, p.text);
      const sensor = await duty.post('/api/v1/monitoring/sensors', { code, pointId: p.body.id, type: 'gas_combustible' });
      assert.equal(sensor.status, 201, sensor.text);
      sensorId = sensor.body.id;
    });
    after(() => s.close());

    const who = { actor: SYSTEM_ACTOR, scope: NATIONAL_SCOPE };
    const item = (index: number, ts: number, value: number) => ({ index, item: { sensor: code, ts, value } });

    test('the same reading in two concurrent batches is accepted once', async () => {
      const ts = Date.now() - 60_000;
      const [a, b] = await Promise.all([s.anlan.ctx.readings.ingest(who, [item(0, ts, 1)]), s.anlan.ctx.readings.ingest(who, [item(0, ts, 2)])]);
      assert.equal(a.accepted + b.accepted, 1);
      assert.deepEqual([...a.rejected, ...b.rejected].map((r) => r.reason), ['duplicate']);
    });

    test('late readings: a new one is accepted, a repeat of a stored one is a duplicate', async () => {
      const base = Date.now() - 120_000;
      assert.equal((await s.anlan.ctx.readings.ingest(who, [item(0, base + 10_000, 1)])).accepted, 1);
      await s.anlan.ctx.readings.settled();
      const late = await s.anlan.ctx.readings.ingest(who, [item(0, base, 3), item(1, base + 10_000, 4)]);
      assert.equal(late.accepted, 1);
      assert.deepEqual(late.rejected.map((r) => [r.index, r.reason]), [[1, 'duplicate']]);
      assert.equal(s.anlan.ctx.readings.latestOf(sensorId)?.value !== 3, true, 'a late reading does not become the latest value');
    });

    test('a batch of 150,000 readings in one call is taken whole', async () => {
      const base = Date.now() - 4 * 3600_000;
      const items = Array.from({ length: 150_000 }, (_, i) => item(i, base + i * 10, i % 50));
      const r = await s.anlan.ctx.readings.ingest(who, items);
      assert.equal(r.accepted, 150_000);
      const again = await s.anlan.ctx.readings.ingest(who, items.slice(0, 3));
      assert.deepEqual(again.rejected.map((x) => x.reason), ['duplicate', 'duplicate', 'duplicate']);
    });

    test('U+0000 in what is quarantined does not hold up the database writer', async () => {
      const r = await s.anlan.ctx.readings.ingest(who, [{ index: 0, item: { sensor: code, ts: '\u0000', value: 1 } }, { index: 1, item: { sensor: 'NUL\u0000', ts: 1, value: 1 } }]);
      assert.deepEqual(r.rejected.map((x) => x.reason), ['invalid_timestamp', 'unknown_sensor']);
      await s.anlan.ctx.readings.settled();
      const q = await s.anlan.ctx.db.query<{ ts: string }>(`SELECT ts FROM monitoring_quarantine WHERE sensor_code = $1 ORDER BY id DESC LIMIT 1`, [code]);
      assert.equal(q.rows[0]?.ts, '\uFFFD');
      assert.equal(s.anlan.ctx.readings.stats().backlogRows, 0);
    });

    test('a log left by a crashed process is replayed once: readings, rollups and quarantine', async () => {
      const dir = tempDir();
      try {
        const minute = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
        const times = [minute + 1_000, minute + 2_000, minute + 3_000];
        const w = await WalWriter.open(dir);
        await w.append(READINGS_FRAME, encodeBatch({ ...batchOf([sensorId, sensorId], times.slice(0, 2), [1, 3]), quarantine: [{ index: 2, sensorCode: 'NOPE', ts: null, value: null, reason: 'unknown_sensor', message: 'replay test', regionCode: null }] }));
        await w.append(READINGS_FRAME, encodeBatch(batchOf([sensorId], times.slice(2), [5])));
        await w.close();
        const db = s.anlan.ctx.db;
        // The crash came after the first reading reached the database but before the checkpoint.
        await db.query(`INSERT INTO monitoring_readings (sensor_id, ts, value) VALUES ($1, $2, 1)`, [sensorId, new Date(times[0])]);
        const open = async () => {
          const ingest = new ReadingIngest({ db, clock: systemClock, bus: new InProcessBus(), walDir: dir });
          await ingest.start();
          await ingest.close();
        };
        await open();
        await open(); // a second start finds everything checkpointed: nothing twice
        const readings = await db.query<{ n: string }>('SELECT count(*) AS n FROM monitoring_readings WHERE sensor_id = $1 AND ts >= $2 AND ts < $3', [sensorId, new Date(minute), new Date(minute + 60_000)]);
        assert.equal(Number(readings.rows[0].n), 3);
        const rollup = await db.query<{ count: number; sum: number; min: number; max: number }>('SELECT count, sum, min, max FROM monitoring_rollup_minute WHERE sensor_id = $1 AND bucket = $2', [sensorId, new Date(minute)]);
        assert.deepEqual(rollup.rows.map((r) => [Number(r.count), Number(r.sum), Number(r.min), Number(r.max)]), [[3, 9, 1, 5]]);
        const q = await db.query<{ n: string }>(`SELECT count(*) AS n FROM monitoring_quarantine WHERE message = 'replay test'`);
        assert.equal(Number(q.rows[0].n), 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
