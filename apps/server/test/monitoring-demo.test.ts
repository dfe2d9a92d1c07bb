import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAnlan, type RunningAnlan } from '../src/server.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { DEMO_NETWORK, TOWNSHIPS } from '../src/seed/demo-monitoring.ts';
import { LEVELS, sensorType, type AccumulationThreshold, type Thresholds } from '../src/monitoring/catalogue.ts';
import { DemoSimulator, type SimulatorLog, type StepReport } from '../src/monitoring/simulator/simulator.ts';
import { recordSample, sampleCsv } from '../src/monitoring/simulator/sample.ts';
import { normaliseAccumulation } from '../src/monitoring/validate.ts';
import { testTargets, type TestTarget } from '../../../tests/helpers/targets.ts';
import { Client } from '../../../tests/helpers/http.ts';

const BASE = '/api/v1/monitoring';
const MIN = 60_000;
const SAMPLE = fileURLToPath(new URL('../../cli/examples/luding-storm.csv', import.meta.url));
const DEF_CODES = DEMO_NETWORK.flatMap((p) => p.sensors.map((s) => s.code)).sort();

const quiet: SimulatorLog = { info() {}, warn() {}, error() {} };

interface SensorLike {
  code: string;
  type: string;
  thresholds: Thresholds;
  accumulation: AccumulationThreshold[] | null;
}

/**
 * Levels a run of readings reached, per sensor: its own thresholds, its own windows and, for
 * rainfall, the catalogue's windows (the rule engine applies those to every rain sensor).
 */
function crossings(sensors: SensorLike[], readings: Map<string, { ts: number; value: number }[]>): string[] {
  const out: string[] = [];
  for (const s of sensors) {
    const list = readings.get(s.code) ?? [];
    if (list.length === 0) continue;
    const values = list.map((r) => r.value);
    const max = Math.max(...values);
    const min = Math.min(...values);
    for (const l of LEVELS) {
      const v = s.thresholds[l];
      if (v !== undefined && (s.thresholds.direction === 'above' ? max >= v : min <= v)) out.push(`${s.code} ${l}`);
    }
    const standard = sensorType(s.type)?.accumulation ?? [];
    // As the rule engine reads it: a copy of the type's default windows is not a rule of its own.
    const own = JSON.stringify(normaliseAccumulation(s.accumulation)) === JSON.stringify(normaliseAccumulation(standard.map((w) => ({ ...w })))) ? [] : (s.accumulation ?? []);
    const windows = [...own.map((w) => ({ w, tag: 'own' })), ...standard.map((w) => ({ w, tag: 'type' }))];
    for (const { w, tag } of windows) {
      let best = 0;
      let sum = 0;
      let j = 0;
      for (let i = 0; i < list.length; i++) {
        sum += list[i].value;
        while (list[j].ts <= list[i].ts - w.windowSec * 1000) sum -= list[j++].value;
        best = Math.max(best, sum);
      }
      for (const l of LEVELS) {
        const v = w[l];
        if (v !== undefined && best >= v - 1e-9) out.push(`${s.code} ${tag} ${w.windowSec / 3600}h ${l}`);
      }
    }
  }
  return out.sort();
}

function byCode(rows: { sensor: string; ts: number; value: number }[]): Map<string, { ts: number; value: number }[]> {
  const m = new Map<string, { ts: number; value: number }[]>();
  for (const r of rows) {
    let list = m.get(r.sensor);
    if (!list) m.set(r.sensor, (list = []));
    list.push({ ts: r.ts, value: r.value });
  }
  for (const list of m.values()) list.sort((a, b) => a.ts - b.ts);
  return m;
}

const DEFINED: SensorLike[] = DEMO_NETWORK.flatMap((p) =>
  p.sensors.map((s) => ({ code: s.code, type: s.type, thresholds: s.thresholds ?? sensorType(s.type)!.thresholds, accumulation: s.accumulation ?? null })),
);

describe('demo network and simulator (no database)', () => {
  test('the network is the size the demo promises, in 泸定 townships, with site values where the catalogue asks for them', () => {
    const sensors = DEMO_NETWORK.flatMap((p) => p.sensors);
    assert.ok(DEMO_NETWORK.length >= 20 && DEMO_NETWORK.length <= 40, `${DEMO_NETWORK.length} points`);
    assert.ok(sensors.length >= 40 && sensors.length <= 80, `${sensors.length} sensors`);
    assert.equal(new Set(DEF_CODES.map((c) => c.toLowerCase())).size, DEF_CODES.length, 'codes are unique');
    const townships = new Set<string>(Object.values(TOWNSHIPS));
    for (const p of DEMO_NETWORK) assert.ok(townships.has(p.regionCode), `${p.name} in ${p.regionCode}`);
    assert.ok(new Set(DEMO_NETWORK.map((p) => p.regionCode)).size >= 7, 'spread over the townships');
    for (const s of sensors) {
      const def = sensorType(s.type)!;
      const own = s.thresholds ?? def.thresholds;
      if (def.siteSpecific) assert.ok(LEVELS.some((l) => own[l] !== undefined), `${s.code} (${s.type}) needs site thresholds`);
      assert.match(s.notes, /^【演示数据】/);
    }
  });

  test('same seed, same readings; another seed, other noise', () => {
    const a = recordSample({ seed: 11, minutes: 15 });
    assert.deepEqual(recordSample({ seed: 11, minutes: 15 }), a);
    assert.notDeepEqual(recordSample({ seed: 12, minutes: 15 }), a);
  });

  test('(regression) seeds 1–4 over 8 h: only the scripted events cross a threshold', () => {
    for (const seed of [1, 2, 3, 4]) {
      // 8 h: two storms (泸桥镇, then 冷碛镇), sixteen gas leaks, two gales on the bridge.
      const found = new Set(crossings(DEFINED, byCode(recordSample({ seed, minutes: 8 * 60 }))));
      const expected = new Set([
        'LD-GAS-001 yellow', 'LD-GAS-002 yellow', 'LD-WIND-002 blue',
        'LD-RAIN-001 type 1h blue', 'LD-RAIN-001 own 1h yellow', 'LD-RAIN-002 type 1h blue', 'LD-RAIN-003 type 1h blue',
        'LD-RAIN-004 type 1h blue', 'LD-RAIN-004 own 1h yellow',
      ]);
      assert.deepEqual([...found].sort(), [...expected].sort(), `seed ${seed}`);
    }
  });

  test('the shipped sample recording is what the generator makes', () => {
    assert.equal(readFileSync(SAMPLE, 'utf8'), sampleCsv(), 'regenerate: node --import tsx apps/server/src/monitoring/simulator/sample.ts > apps/cli/examples/luding-storm.csv');
  });
});

/** startTestServer with the demo network on (it has no option for it). */
async function startDemoServer(target: TestTarget): Promise<{ anlan: RunningAnlan; demoPassword: string; close(): Promise<void> }> {
  const fresh = await target.fresh();
  const filesDir = mkdtempSync(join(tmpdir(), 'anlan-files-'));
  const demoPassword = `demo-${randomBytes(6).toString('hex')}`;
  const anlan = await startAnlan({
    ...fresh.start,
    dataDir: '',
    filesDir,
    port: 0,
    host: '127.0.0.1',
    adminPassword: `admin-${randomBytes(6).toString('hex')}`,
    demo: true,
    demoPassword,
    demoNetwork: true,
    simulator: false,
    logLevel: process.env.ANLAN_TEST_LOG_LEVEL ?? 'silent',
  });
  return {
    anlan,
    demoPassword,
    async close() {
      await anlan.close();
      await fresh.dispose();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

for (const target of testTargets()) {
  describe(`demo monitoring network (${target.name})`, () => {
    let s: Awaited<ReturnType<typeof startDemoServer>>;
    let duty: Client;

    before(async () => {
      s = await startDemoServer(target);
      duty = await Client.login(s.anlan.url, 'ld-duty', s.demoPassword);
    });
    after(() => s.close());

    test('the demo seed creates the network through the registry, in 泸定, audited', async () => {
      const points = await duty.get(`${BASE}/points?limit=1000`);
      assert.equal(points.status, 200, points.text);
      assert.equal(points.body.total, DEMO_NETWORK.length);
      assert.deepEqual(points.body.items.map((p: { name: string }) => p.name).sort(), DEMO_NETWORK.map((p) => p.name).sort());
      assert.ok(points.body.items.every((p: { regionCode: string; createdBy: string }) => p.regionCode.startsWith('513322') && p.createdBy === 'system:demo'));
      const sensors = await duty.get(`${BASE}/sensors?limit=1000`);
      assert.deepEqual(sensors.body.items.map((x: { code: string }) => x.code).sort(), DEF_CODES);
      const rain = sensors.body.items.find((x: { code: string }) => x.code === 'LD-RAIN-001');
      assert.equal(rain.regionCode, TOWNSHIPS.泸桥镇);
      assert.deepEqual(rain.accumulation, [{ windowSec: 3600, yellow: 25, orange: 35, red: 50 }]);

      // Inside the county's outline, not only its bounding box.
      const inside = await s.anlan.ctx.db.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM monitoring_points p JOIN region_boundaries b ON b.code = '513322' WHERE ST_Contains(b.geom, p.geom)`,
      );
      assert.equal(Number(inside.rows[0].n), DEMO_NETWORK.length);
      const audit = await s.anlan.ctx.db.query<{ action: string; n: string | number }>(
        `SELECT action, count(*) AS n FROM audit_log WHERE actor_name = 'system:demo' AND action LIKE 'monitoring.%' GROUP BY action ORDER BY action`,
      );
      assert.deepEqual(audit.rows.map((r) => [r.action, Number(r.n)]), [['monitoring.point_created', DEMO_NETWORK.length], ['monitoring.sensor_created', DEF_CODES.length]]);
    });

    test("the simulator's readings are accepted, and its first cycle crosses what the script intends", async () => {
      const ctx = s.anlan.ctx;
      // Synthetic time in the past of the server's clock: the ingest takes it, and nothing waits.
      const anchor = Math.floor((Date.now() - 45 * MIN) / MIN) * MIN;
      const sim = new DemoSimulator({ ...ctx, log: quiet }, { seed: 7, anchorMs: anchor });
      const reports: StepReport[] = [];
      for (let t = anchor; t <= anchor + 40 * MIN; t += MIN) reports.push(await sim.step(t));
      const sent = reports.reduce((n, r) => n + r.sent, 0);
      assert.ok(sent > 1000, `sent ${sent}`);
      assert.deepEqual(
        reports.filter((r) => r.failed || r.rejected > 0 || r.accepted !== r.sent),
        [],
        'every reading accepted',
      );
      assert.equal((await sim.step(anchor + 40 * MIN)).sent, 0, 'a step at the same time sends nothing again');

      const sensors = (await duty.get(`${BASE}/sensors?limit=1000`)).body.items as SensorLike[];
      const readings = new Map<string, { ts: number; value: number }[]>();
      let stored = 0;
      for (const x of sensors) {
        const r = await duty.get(`${BASE}/sensors/${x.code}/readings?from=${new Date(anchor - MIN).toISOString()}&to=${new Date(anchor + 41 * MIN).toISOString()}`);
        assert.equal(r.status, 200, r.text);
        readings.set(x.code, r.body.points.map((p: { ts: string; value: number }) => ({ ts: Date.parse(p.ts), value: p.value })));
        stored += r.body.points.length;
      }
      assert.equal(stored, sent, 'everything sent is stored');
      assert.deepEqual(crossings(sensors, readings), [
        'LD-GAS-001 yellow', 'LD-GAS-002 yellow',
        'LD-RAIN-001 own 1h yellow', 'LD-RAIN-001 type 1h blue', 'LD-RAIN-002 type 1h blue', 'LD-RAIN-003 type 1h blue',
      ]);
      // Then it recovers: the leak is ventilated, the cell has passed.
      const after = (code: string, fromMin: number, toMin: number) => readings.get(code)!.filter((r) => r.ts >= anchor + fromMin * MIN && r.ts < anchor + toMin * MIN).map((r) => r.value);
      assert.ok(Math.max(...after('LD-GAS-001', 12, 30)) < 5);
      assert.ok(Math.max(...after('LD-RAIN-001', 25, 41)) === 0);
      // The river felt the storm without nearing its demo 警戒水位.
      assert.ok(Math.max(...after('LD-WL-001', 0, 41)) < 1310.5);

      // The rule engine (when this build has one) raised the alarms a newcomer is promised.
      if (ctx.monitoringRules) {
        await ctx.monitoringRules.idle();
        // Offline alarms are left out: the synthetic run ended minutes before the engine's clock.
        const levels = async (sensor: string) =>
          ((await duty.get(`${BASE}/alarms?sensor=${sensor}&limit=100`)).body.items as { maxLevel: string; ruleId: string }[])
            .filter((a) => !a.ruleId.endsWith(':offline'))
            .map((a) => `${a.ruleId} ${a.maxLevel}`)
            .sort();
        const gas = await levels('LD-GAS-001');
        assert.ok(gas.length > 0 && gas.every((a) => a.endsWith(' yellow')), JSON.stringify(gas));
        assert.deepEqual(await levels('LD-RAIN-001'), ['sensor:LD-RAIN-001:acc-1h yellow', 'type:rainfall:acc-1h blue']);
      }
    });

    test('a failing ingest is logged and the simulator goes on', async () => {
      const errors: object[] = [];
      const failing = { ingest: async () => Promise.reject(new Error('disk full')) };
      const sim = new DemoSimulator({ ...s.anlan.ctx, readings: failing, log: { ...quiet, error: (o) => errors.push(o) } }, { seed: 1, anchorMs: Date.now() - 5 * MIN });
      const first = await sim.step(Date.now() - 2 * MIN);
      assert.ok(first.failed && first.sent > 0);
      assert.ok((await sim.step(Date.now() - MIN)).failed);
      assert.equal(errors.length, 2);
    });

    test('reset removes what the demo created and creates it again; records of the bureau stay', async () => {
      const own = await duty.post(`${BASE}/points`, { name: '县应急局自建雨量站', type: 'rain_gauge', regionCode: TOWNSHIPS.泸桥镇, lon: 102.236, lat: 29.917 });
      assert.equal(own.status, 201, own.text);
      assert.equal((await duty.post(`${BASE}/sensors`, { code: 'LD-OWN-001', pointId: own.body.id, type: 'rainfall' })).status, 201);
      const demoPoint = (await duty.get(`${BASE}/points?q=${encodeURIComponent('泸定水文站')}`)).body.items[0];
      assert.equal((await duty.post(`${BASE}/sensors`, { code: 'LD-EXTRA-001', pointId: demoPoint.id, type: 'rainfall' })).status, 201);
      const before = (await duty.get(`${BASE}/points?limit=1000`)).body.items.map((p: { id: number }) => p.id);

      const ctx = s.anlan.ctx;
      const reset = await seedDemo({ db: ctx.db, clock: ctx.clock, bus: ctx.bus }, { password: s.demoPassword, reset: true });
      assert.deepEqual(reset.network, { points: DEMO_NETWORK.length, sensors: DEF_CODES.length, skipped: [] });
      duty = await Client.login(s.anlan.url, 'ld-duty', s.demoPassword);
      const points = (await duty.get(`${BASE}/points?limit=1000`)).body.items as { id: number; name: string }[];
      assert.equal(points.length, DEMO_NETWORK.length + 1);
      assert.deepEqual(points.filter((p) => before.includes(p.id)).map((p) => p.name), ['县应急局自建雨量站'], 'only the bureau’s own point keeps its id');
      const codes = ((await duty.get(`${BASE}/sensors?limit=1000`)).body.items as { code: string }[]).map((x) => x.code);
      assert.deepEqual(codes.sort(), [...DEF_CODES, 'LD-OWN-001'].sort(), 'the sensor added to a demo point went with it');
      const gone = await ctx.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'monitoring.point_deleted' AND after->>'demoReset' = 'true'`);
      assert.equal(Number(gone.rows[0].n), DEMO_NETWORK.length);

      // The recreated sensors take readings under their new ids (the ingest heard the registry events).
      const sim = new DemoSimulator({ ...ctx, log: quiet }, { anchorMs: Date.now() - 3 * MIN });
      const r = await sim.step(Date.now() - MIN);
      assert.ok(r.sent > 0 && r.accepted === r.sent, JSON.stringify(r));

      const again = await seedDemo({ db: ctx.db, clock: ctx.clock, bus: ctx.bus }, { password: s.demoPassword });
      assert.equal(again.seeded, false);
      assert.equal(again.network, undefined, 'an existing network is not created twice');
    });
  });
}
