import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnlan, type RunningAnlan } from '@anlan/server';
import { testTargets, type TestTarget } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import type { BusEvent } from '../src/events/bus.ts';
import type { RunningAnlan as Running } from '../src/server.ts';

const BASE = '/api/v1/monitoring';
const LUQIAO = { regionCode: '513322', lon: 102.234, lat: 29.915 };
const KANGDING = { regionCode: '513301', lon: 101.96, lat: 30.05 };
const SEC = 1000;
const MIN = 60 * SEC;

/** Everything handed to the engine so far is evaluated, and its alarms written and published. */
async function settle(anlan: Running): Promise<void> {
  await anlan.ctx.monitoringRules!.idle();
  // The readings' own writer may lag behind the answer (monitoring_latest, for the map).
  await (anlan.ctx.readings as unknown as { settled?: (o: { rollups?: boolean }) => Promise<void> }).settled?.({ rollups: true });
}

async function sensorOn(c: Client, code: string, type: string, pointType: string, place: { regionCode: string; lon: number; lat: number }, extra: Record<string, unknown> = {}) {
  const p = await c.post(`${BASE}/points`, { name: `${code} 监测点`, type: pointType, ...place });
  assert.equal(p.status, 201, p.text);
  const s = await c.post(`${BASE}/sensors`, { code, pointId: p.body.id, type, ...extra });
  assert.equal(s.status, 201, s.text);
  return { pointId: p.body.id as number, sensorId: s.body.id as number };
}

async function send(c: Client, readings: { sensor: string; ts: number; value: number }[]) {
  const res = await c.request('POST', '/api/v1/readings', readings);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.accepted, readings.length, res.text);
}

async function alarmsOf(c: Client, query: string) {
  const res = await c.get(`${BASE}/alarms?${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items as any[];
}

for (const target of testTargets()) {
  describe(`monitoring alarms (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let commander: Client;
    let kd: Client;
    let gz: Client;
    const events: BusEvent[] = [];
    const at = (ago: number) => Date.now() - ago;

    before(async () => {
      s = await startTestServer({ target });
      s.anlan.ctx.bus.subscribe((e) => events.push(e));
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      commander = await Client.login(s.url, 'ld-commander', s.demoPassword);
      gz = await Client.login(s.url, 'gz-duty', s.demoPassword);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      const made = await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: '513301' });
      assert.equal(made.status, 201, made.text);
      kd = await Client.login(s.url, 'kd-duty', 'kangding-123');
    });
    after(() => s.close());

    test('a threshold alarm: raised, acknowledged, handled, cleared by the value — each step an event, an audit entry and a bus event', async () => {
      await sensorOn(duty, 'LD-GAS-01', 'gas_combustible', 'hazchem_site', LUQIAO);
      await send(duty, [{ sensor: 'LD-GAS-01', ts: at(20 * SEC), value: 30 }]);
      await settle(s.anlan);
      const [alarm] = await alarmsOf(duty, 'sensor=LD-GAS-01&ruleId=sensor:LD-GAS-01');
      assert.ok(alarm, 'an alarm is raised');
      assert.equal(alarm.state, 'raised');
      assert.equal(alarm.level, 'yellow');
      assert.equal(alarm.maxLevel, 'yellow');
      assert.equal(alarm.ruleKind, 'threshold');
      assert.equal(alarm.ruleName, '可燃气体浓度');
      assert.equal(alarm.scope, 'sensor');
      assert.equal(alarm.subject, 'LD-GAS-01');
      assert.equal(alarm.sensorCode, 'LD-GAS-01');
      assert.equal(alarm.pointName, 'LD-GAS-01 监测点');
      assert.equal(alarm.regionCode, '513322');
      assert.equal(alarm.regionName, '泸定县');
      assert.equal(alarm.value, 30);
      assert.match(alarm.message, /LD-GAS-01 可燃气体浓度 30 %LEL，超过黄色阈值 25 %LEL/);
      const raised = events.find((e) => e.type === 'alarm.raised' && e.data.id === alarm.id)!;
      assert.ok(raised, 'alarm.raised is published');
      assert.equal(raised.regionCode, '513322');
      assert.equal(raised.data.level, 'yellow');
      assert.equal(typeof raised.data.latencyMs, 'number');

      const ack = await duty.post(`${BASE}/alarms/${alarm.id}/ack`, { note: '已电话通知企业' });
      assert.equal(ack.status, 200, ack.text);
      assert.equal(ack.body.state, 'acknowledged');
      assert.equal(ack.body.acknowledgedBy, 'ld-duty');
      assert.equal((await duty.request('POST', `${BASE}/alarms/${alarm.id}/ack`)).status, 409, 'no body is no note');

      const noNote = await duty.post(`${BASE}/alarms/${alarm.id}/handle`, {});
      assert.equal(noNote.status, 400, noNote.text);
      assert.ok(noNote.body.errors.some((e: { field: string }) => e.field === 'note'));
      const handled = await commander.post(`${BASE}/alarms/${alarm.id}/handle`, { note: '企业已关闭阀门，现场通风' });
      assert.equal(handled.status, 200, handled.text);
      assert.equal(handled.body.state, 'handled');
      assert.equal(handled.body.handleNote, '企业已关闭阀门，现场通风');
      assert.equal(handled.body.handledBy, 'ld-commander');

      await send(duty, [{ sensor: 'LD-GAS-01', ts: at(10 * SEC), value: 5 }]);
      await settle(s.anlan);
      const detail = await duty.get(`${BASE}/alarms/${alarm.id}`);
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.body.state, 'cleared');
      assert.equal(detail.body.clearReason, 'recovered');
      assert.equal(detail.body.clearedBy, null);
      assert.equal(detail.body.handleNote, '企业已关闭阀门，现场通风');
      assert.deepEqual(detail.body.events.map((e: { kind: string }) => e.kind), ['raised', 'acknowledged', 'handled', 'cleared']);
      assert.equal(detail.body.events[1].note, '已电话通知企业');
      assert.equal(detail.body.events[2].by, 'ld-commander');

      assert.equal((await duty.post(`${BASE}/alarms/${alarm.id}/handle`, { note: '再次处置' })).status, 409);
      assert.equal((await duty.post(`${BASE}/alarms/${alarm.id}/clear`, {})).status, 409);

      const audit = await s.anlan.ctx.db.query<{ action: string; region_code: string }>(
        `SELECT action, region_code FROM audit_log WHERE target_type = 'monitoring_alarm' AND target_id = $1 ORDER BY id`,
        [String(alarm.id)],
      );
      assert.deepEqual(audit.rows.map((r) => r.action), ['alarm.raised', 'alarm.acknowledged', 'alarm.handled', 'alarm.cleared']);
      assert.ok(audit.rows.every((r) => r.region_code === '513322'));
      const published = events.filter((e) => e.data.id === alarm.id && e.type.startsWith('alarm.')).map((e) => e.type);
      assert.deepEqual(published, ['alarm.raised', 'alarm.acknowledged', 'alarm.handled', 'alarm.cleared']);
      assert.ok(events.filter((e) => e.data.id === alarm.id).every((e) => e.regionCode === '513322'));
    });

    test('level changes are recorded; a hand-cleared alarm comes back only when the level rises', async () => {
      await sensorOn(duty, 'LD-GAS-02', 'gas_combustible', 'hazchem_site', LUQIAO);
      await send(duty, [{ sensor: 'LD-GAS-02', ts: at(30 * SEC), value: 30 }]);
      await send(duty, [{ sensor: 'LD-GAS-02', ts: at(25 * SEC), value: 55 }]);
      await send(duty, [{ sensor: 'LD-GAS-02', ts: at(20 * SEC), value: 40 }]);
      await settle(s.anlan);
      const [alarm, ...more] = await alarmsOf(duty, 'ruleId=sensor:LD-GAS-02');
      assert.equal(more.length, 0);
      assert.equal(alarm.level, 'yellow');
      assert.equal(alarm.maxLevel, 'red');
      const detail = await duty.get(`${BASE}/alarms/${alarm.id}`);
      assert.deepEqual(detail.body.events.map((e: any) => [e.kind, e.previousLevel, e.level]), [['raised', null, 'yellow'], ['level_changed', 'yellow', 'red'], ['level_changed', 'red', 'yellow']]);
      assert.match(detail.body.events[1].message, /超过红色阈值 50 %LEL（原为黄色）/);
      assert.equal(events.filter((e) => e.type === 'alarm.level_changed' && e.data.id === alarm.id).length, 2);

      const cleared = await commander.post(`${BASE}/alarms/${alarm.id}/clear`, { note: '传感器标定中' });
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal(cleared.body.clearReason, 'manual');
      assert.equal(cleared.body.clearedBy, 'ld-commander');
      // Still yellow to the engine: nothing new.
      await send(duty, [{ sensor: 'LD-GAS-02', ts: at(15 * SEC), value: 45 }]);
      await settle(s.anlan);
      assert.equal((await alarmsOf(duty, 'ruleId=sensor:LD-GAS-02&state=open')).length, 0);
      // A rise is news again.
      await send(duty, [{ sensor: 'LD-GAS-02', ts: at(10 * SEC), value: 60 }]);
      await settle(s.anlan);
      const open = await alarmsOf(duty, 'ruleId=sensor:LD-GAS-02&state=open');
      assert.equal(open.length, 1);
      assert.notEqual(open[0].id, alarm.id);
      assert.equal(open[0].level, 'red');
    });

    test('a re-raise within the reopen window continues the alarm that just recovered', async () => {
      await sensorOn(duty, 'LD-GAS-03', 'gas_combustible', 'hazchem_site', LUQIAO);
      await send(duty, [{ sensor: 'LD-GAS-03', ts: at(30 * SEC), value: 30 }]);
      await send(duty, [{ sensor: 'LD-GAS-03', ts: at(25 * SEC), value: 2 }]);
      await send(duty, [{ sensor: 'LD-GAS-03', ts: at(20 * SEC), value: 31 }]);
      await settle(s.anlan);
      const all = await alarmsOf(duty, 'ruleId=sensor:LD-GAS-03');
      assert.equal(all.length, 1);
      assert.equal(all[0].state, 'raised');
      assert.equal(all[0].clearReason, null);
      const detail = await duty.get(`${BASE}/alarms/${all[0].id}`);
      assert.deepEqual(detail.body.events.map((e: any) => [e.kind, e.note]), [['raised', null], ['cleared', 'recovered'], ['raised', 'reopened']]);
      assert.ok(events.some((e) => e.type === 'alarm.raised' && e.data.id === all[0].id && e.data.reopened === true));
    });

    test('scope: another county neither sees nor acts on an alarm; the prefecture sees both', async () => {
      await sensorOn(kd, 'KD-GAS-01', 'gas_combustible', 'hazchem_site', KANGDING);
      await send(kd, [{ sensor: 'KD-GAS-01', ts: at(10 * SEC), value: 70 }]);
      await settle(s.anlan);
      const [ld] = await alarmsOf(duty, 'ruleId=sensor:LD-GAS-02&state=open');
      const [kdAlarm] = await alarmsOf(kd, 'ruleId=sensor:KD-GAS-01');
      assert.equal(kdAlarm.regionCode, '513301');
      assert.equal(kdAlarm.level, 'red');

      const kdSees = await alarmsOf(kd, 'limit=1000');
      assert.ok(kdSees.length > 0 && kdSees.every((a) => a.regionCode.startsWith('513301')), JSON.stringify(kdSees.map((a) => a.regionCode)));
      assert.ok((await alarmsOf(duty, 'limit=1000')).every((a) => a.regionCode.startsWith('513322')));
      assert.equal((await kd.get(`${BASE}/alarms/${ld.id}`)).status, 404);
      assert.equal((await kd.post(`${BASE}/alarms/${ld.id}/ack`, {})).status, 404);
      assert.equal((await kd.post(`${BASE}/alarms/${ld.id}/clear`, {})).status, 404);
      assert.equal((await duty.get(`${BASE}/alarms/${kdAlarm.id}`)).status, 404);
      assert.equal((await alarmsOf(kd, 'regionCode=513322')).length, 0);
      const both = await alarmsOf(gz, 'state=open&limit=1000');
      assert.ok(both.some((a) => a.id === ld.id) && both.some((a) => a.id === kdAlarm.id));

      const inspector = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      assert.equal((await inspector.get(`${BASE}/alarms/${ld.id}`)).status, 200);
      assert.equal((await inspector.post(`${BASE}/alarms/${ld.id}/ack`, {})).status, 403);
    });

    test('two batches crossing the same threshold at once raise exactly one alarm', async () => {
      await sensorOn(duty, 'LD-GAS-04', 'gas_combustible', 'hazchem_site', LUQIAO);
      const ingest = s.anlan.ctx.readings;
      const who = { actor: { id: null, name: 'test', ip: null }, scope: { code: '513322', prefix: '513322' } };
      const batch = (offset: number, value: number) => [{ index: 0, item: { sensor: 'LD-GAS-04', ts: at(30 * SEC - offset), value } }];
      const results = await Promise.all([ingest.ingest(who, batch(0, 60)), ingest.ingest(who, batch(1, 70)), ingest.ingest(who, batch(2, 30)), ingest.ingest(who, batch(3, 80))]);
      assert.ok(results.every((r) => r.accepted === 1), JSON.stringify(results));
      // And over HTTP at the same time.
      await Promise.all([send(duty, [{ sensor: 'LD-GAS-04', ts: at(20 * SEC), value: 65 }]), send(commander, [{ sensor: 'LD-GAS-04', ts: at(20 * SEC - 1), value: 66 }])]);
      await settle(s.anlan);
      const open = await alarmsOf(duty, 'ruleId=sensor:LD-GAS-04&state=open');
      assert.equal(open.length, 1, JSON.stringify(open));
      const rows = await s.anlan.ctx.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM monitoring_alarms WHERE rule_id = 'sensor:LD-GAS-04'`);
      assert.equal(Number(rows.rows[0].n), 1);
    });

    test('rainfall over one hour: the catalogue\'s 1 h accumulation rule raises blue at 20 mm', async () => {
      await sensorOn(duty, 'LD-RAIN-01', 'rainfall', 'rain_gauge', LUQIAO);
      await send(duty, [0, 1, 2, 3, 4, 5].map((i) => ({ sensor: 'LD-RAIN-01', ts: at((50 - 9 * i) * MIN), value: 4 })));
      await settle(s.anlan);
      const got = (await alarmsOf(duty, 'sensor=LD-RAIN-01&state=open')).filter((a) => a.ruleKind === 'accumulation');
      assert.deepEqual(got.map((a) => a.ruleId), ['type:rainfall:acc-1h']);
      assert.equal(got[0].level, 'blue');
      // The sum when it crossed: the alarm keeps the value of its last transition.
      assert.equal(got[0].value, 20);
      assert.equal(got[0].ruleName, '1小时累计雨量');
      assert.match(got[0].message, /LD-RAIN-01 1小时累计雨量 20 mm，超过蓝色阈值 20 mm/);
    });

    test('offline: a sensor silent for three sampling intervals raises at the tick and clears when it reports', async () => {
      await sensorOn(duty, 'LD-WIND-01', 'wind_speed', 'weather_station', LUQIAO);
      await send(duty, [{ sensor: 'LD-WIND-01', ts: at(10 * MIN), value: 3 }]);
      await settle(s.anlan);
      await s.anlan.ctx.monitoringRules!.tick(Date.now());
      await settle(s.anlan);
      const [offline] = await alarmsOf(duty, 'ruleId=type:wind_speed:offline&sensor=LD-WIND-01');
      assert.ok(offline, 'offline alarm raised');
      assert.equal(offline.state, 'raised');
      assert.equal(offline.ruleKind, 'offline');
      assert.equal(offline.level, 'blue');
      assert.match(offline.message, /LD-WIND-01 已 \d+分钟无数据（超过 3 个上报周期 × 1分钟），判定离线/);

      await send(duty, [{ sensor: 'LD-WIND-01', ts: at(SEC), value: 4 }]);
      await settle(s.anlan);
      const back = await duty.get(`${BASE}/alarms/${offline.id}`);
      assert.equal(back.body.state, 'cleared');
      assert.equal(back.body.clearReason, 'recovered');
      assert.match(back.body.message, /恢复上报/);
    });

    test('the map: each point\'s state and open alarms in one list; online status by region and type', async () => {
      await sensorOn(duty, 'LD-WIND-02', 'wind_speed', 'weather_station', LUQIAO);
      await send(duty, [{ sensor: 'LD-WIND-02', ts: at(20 * MIN), value: 3 }]);
      const silent = await sensorOn(duty, 'LD-WIND-03', 'wind_speed', 'weather_station', LUQIAO);
      await settle(s.anlan);

      const res = await duty.get(`${BASE}/overview`);
      assert.equal(res.status, 200, res.text);
      const byName = new Map(res.body.items.map((p: any) => [p.name, p]));
      const red = byName.get('LD-GAS-02 监测点') as any;
      assert.equal(red.state, 'red');
      assert.ok(red.openAlarms >= 1);
      assert.equal(red.sensors, 1);
      assert.equal((byName.get('LD-WIND-02 监测点') as any).state, 'offline');
      assert.equal((byName.get('LD-WIND-03 监测点') as any).state, 'no_data');
      assert.equal((byName.get('LD-WIND-01 监测点') as any).state, 'normal');
      assert.deepEqual(Object.keys(red).sort(), ['id', 'lat', 'lon', 'name', 'openAlarms', 'regionCode', 'sensors', 'state', 'type']);
      assert.ok(res.body.items.every((p: any) => p.regionCode.startsWith('513322')));
      const kdMap = await kd.get(`${BASE}/overview`);
      assert.ok(kdMap.body.items.length > 0 && kdMap.body.items.every((p: any) => p.regionCode.startsWith('513301')));
      const wind = await duty.get(`${BASE}/overview?type=weather_station`);
      assert.ok(wind.body.items.length === 3 && wind.body.items.some((p: any) => p.id === silent.pointId));

      const st = await duty.get(`${BASE}/status`);
      assert.equal(st.status, 200, st.text);
      assert.deepEqual(st.body.byRegion.map((r: any) => r.regionCode), ['513322']);
      const windRow = st.body.byType.find((t: any) => t.type === 'wind_speed');
      assert.deepEqual([windRow.typeName, windRow.sensors, windRow.online, windRow.offline, windRow.noData], ['风速', 3, 1, 1, 1]);
      for (const r of [...st.body.byRegion, ...st.body.byType]) assert.equal(r.sensors, r.online + r.offline + r.noData);
      const pref = await gz.get(`${BASE}/status`);
      assert.deepEqual(pref.body.byRegion.map((r: any) => [r.regionCode, r.regionName]), [['513301', '康定市'], ['513322', '泸定县']]);
    });
  });

  describe(`monitoring alarms across a restart (${target.name})`, () => {
    test('the open alarm stays the one alarm, and the rain of the last hour is remembered', async () => {
      const run = await restartable(target);
      try {
        let duty = await Client.login(run.anlan.url, 'ld-duty', run.demoPassword);
        await sensorOn(duty, 'LD-GAS-R', 'gas_combustible', 'hazchem_site', LUQIAO);
        await sensorOn(duty, 'LD-RAIN-R', 'rainfall', 'rain_gauge', LUQIAO);
        await send(duty, [{ sensor: 'LD-GAS-R', ts: Date.now() - 20 * SEC, value: 60 }]);
        await send(duty, [{ sensor: 'LD-RAIN-R', ts: Date.now() - 40 * MIN, value: 12 }]);
        await settle(run.anlan);
        const [before] = await alarmsOf(duty, 'ruleId=sensor:LD-GAS-R');
        assert.equal(before.level, 'red');
        assert.equal((await alarmsOf(duty, 'sensor=LD-RAIN-R&state=open')).filter((a) => a.ruleKind === 'accumulation').length, 0);

        await run.restart();
        duty = await Client.login(run.anlan.url, 'ld-duty', run.demoPassword);
        await settle(run.anlan);
        const after = await alarmsOf(duty, 'ruleId=sensor:LD-GAS-R');
        assert.equal(after.length, 1, JSON.stringify(after));
        assert.equal(after[0].id, before.id);
        assert.equal(after[0].state, 'raised');
        assert.equal(after[0].level, 'red');

        await send(duty, [{ sensor: 'LD-GAS-R', ts: Date.now() - 10 * SEC, value: 65 }]);
        await send(duty, [{ sensor: 'LD-RAIN-R', ts: Date.now() - 5 * MIN, value: 10 }]);
        await settle(run.anlan);
        const still = await alarmsOf(duty, 'ruleId=sensor:LD-GAS-R');
        assert.equal(still.length, 1);
        const detail = await duty.get(`${BASE}/alarms/${before.id}`);
        assert.deepEqual(detail.body.events.map((e: { kind: string }) => e.kind), ['raised']);
        const rain = (await alarmsOf(duty, 'sensor=LD-RAIN-R&state=open')).filter((a) => a.ruleKind === 'accumulation');
        assert.deepEqual(rain.map((a) => [a.ruleId, a.level, a.value]), [['type:rainfall:acc-1h', 'blue', 22]]);
      } finally {
        await run.close();
      }
    });
  });
}

/** A server that can be stopped and started again on the same database. */
async function restartable(target: TestTarget) {
  const fresh = await target.fresh();
  const adminPassword = `admin-${randomBytes(6).toString('hex')}`;
  const demoPassword = `demo-${randomBytes(6).toString('hex')}`;
  const dirs: string[] = [];
  const start = async (start: { embeddedSnapshot?: Blob; databaseUrl?: string }) => {
    const filesDir = mkdtempSync(join(tmpdir(), 'anlan-files-'));
    dirs.push(filesDir);
    return startAnlan({ ...start, dataDir: '', filesDir, port: 0, host: '127.0.0.1', adminPassword, demoPassword, logLevel: process.env.ANLAN_TEST_LOG_LEVEL ?? 'silent' });
  };
  const state = { anlan: await start(fresh.start) as RunningAnlan };
  return {
    demoPassword,
    get anlan() {
      return state.anlan;
    },
    async restart() {
      const db = state.anlan.ctx.db as { dump?: () => Promise<Blob> };
      // The embedded database lives in memory: carry its files over, as a disk would.
      const snapshot = db.dump ? await db.dump() : undefined;
      await state.anlan.close();
      state.anlan = await start(snapshot ? { embeddedSnapshot: snapshot } : fresh.start);
    },
    async close() {
      await state.anlan.close();
      await fresh.dispose();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
