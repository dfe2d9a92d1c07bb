import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import type { BusEvent } from '../src/events/bus.ts';

const BASE = '/api/v1/monitoring';
const RULES = `${BASE}/rules`;
const LUQIAO = { regionCode: '513322', lon: 102.234, lat: 29.915 };
const MIN = 60_000;

const fields = (res: { body: { errors?: { field: string }[] } }) => (res.body.errors ?? []).map((e) => e.field).sort();
const rule = (id: string) => `${RULES}/${encodeURIComponent(id)}`;

async function sensorOn(c: Client, code: string, type: string, pointType: string, place: { regionCode: string; lon: number; lat: number }, extra: Record<string, unknown> = {}) {
  const p = await c.post(`${BASE}/points`, { name: `${code} 监测点`, type: pointType, ...place });
  assert.equal(p.status, 201, p.text);
  const s = await c.post(`${BASE}/sensors`, { code, pointId: p.body.id, type, ...extra });
  assert.equal(s.status, 201, s.text);
  return { pointId: p.body.id as number, sensorId: s.body.id as number, version: s.body.version as number };
}

async function send(c: Client, readings: { sensor: string; ts: number; value: number }[]) {
  const res = await c.request('POST', '/api/v1/readings', readings);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.accepted, readings.length, res.text);
}

for (const target of testTargets()) {
  describe(`monitoring rules (${target.name})`, () => {
    let s: TestServer;
    let admin: Client;
    let commander: Client;
    let duty: Client;
    let kd: Client;
    const events: BusEvent[] = [];
    const settle = () => s.anlan.ctx.monitoringRules!.idle();
    const alarms = async (query: string) => {
      const res = await duty.get(`${BASE}/alarms?${query}`);
      assert.equal(res.status, 200, res.text);
      return res.body.items as any[];
    };

    before(async () => {
      s = await startTestServer({ target });
      s.anlan.ctx.bus.subscribe((e) => events.push(e));
      admin = await Client.login(s.url, 'admin', s.adminPassword);
      commander = await Client.login(s.url, 'ld-commander', s.demoPassword);
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const made = await admin.post('/api/v1/users', { username: 'kd-commander', password: 'kangding-123', displayName: '康定市指挥长', role: 'commander', regionCode: '513301' });
      assert.equal(made.status, 201, made.text);
      kd = await Client.login(s.url, 'kd-commander', 'kangding-123');
    });
    after(() => s.close());

    test('the catalogue\'s type rules are seeded as national rules: everyone reads them, only a national administrator edits them', async () => {
      const res = await duty.get(`${RULES}?sensorType=rainfall&limit=50`);
      assert.equal(res.status, 200, res.text);
      const ids = res.body.items.map((r: { id: string }) => r.id).sort();
      assert.deepEqual(ids, ['type:rainfall:acc-12h', 'type:rainfall:acc-1h', 'type:rainfall:acc-24h', 'type:rainfall:acc-3h', 'type:rainfall:acc-6h', 'type:rainfall:offline']);
      const day = res.body.items.find((r: { id: string }) => r.id === 'type:rainfall:acc-24h');
      assert.deepEqual([day.regionCode, day.origin, day.source, day.editable, day.version], ['000000', 'catalogue', 'stored', false, 1]);
      assert.deepEqual(day.definition.levels, { blue: 50, orange: 100, red: 250 });
      assert.deepEqual([day.definition.windowSec, day.definition.bucketSec, day.name], [86400, 600, '24小时累计雨量']);
      const offline = await duty.get(rule('type:gas_combustible:offline'));
      assert.deepEqual([offline.body.definition.intervals, offline.body.definition.intervalSec, offline.body.definition.level], [3, 10, 'blue']);

      const national = await admin.get(rule('type:rainfall:acc-1h'));
      assert.equal(national.body.editable, true);
      const county = await commander.request('PUT', rule('type:rainfall:acc-1h'), { ...national.body.definition, version: 1, levels: { blue: 15 } });
      assert.equal(county.status, 403, county.text);
      const changed = await admin.request('PUT', rule('type:rainfall:acc-1h'), { ...national.body.definition, version: 1, levels: { blue: 15, yellow: 30 } });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.version, 2);
      const versions = await duty.get(`${rule('type:rainfall:acc-1h')}/versions`);
      assert.deepEqual(versions.body.items.map((v: any) => [v.version, v.change, v.changedBy]), [[2, 'updated', 'admin'], [1, 'created', 'system']]);
      const typeRule = await commander.post(RULES, { kind: 'threshold', sensorType: 'wind_speed', levels: { red: 40 } });
      assert.equal(typeRule.status, 403, typeRule.text);
    });

    test('a sensor rule: saved with defaults, validated with field paths, versioned on every change, audited, deleted', async () => {
      await sensorOn(commander, 'LD-LVL-01', 'water_level_river', 'hydrological_station', LUQIAO);
      // Site-specific thresholds left empty: the sensor implies no threshold rule.
      assert.equal((await duty.get(rule('sensor:LD-LVL-01'))).status, 404);

      const body = { kind: 'threshold', id: 'LD-LVL-01-T', sensor: 'ld-lvl-01', name: '泸桥水位', unit: 'm', levels: { yellow: 1320, red: 1322 }, hysteresis: 0.2 };
      assert.equal((await duty.post(RULES, body)).status, 403);
      const created = await commander.post(RULES, body);
      assert.equal(created.status, 201, created.text);
      assert.deepEqual([created.body.id, created.body.version, created.body.regionCode, created.body.source, created.body.origin, created.body.editable], ['LD-LVL-01-T', 1, '513322', 'stored', 'user', true]);
      assert.equal(created.body.definition.sensor, 'LD-LVL-01');
      assert.equal(created.body.definition.direction, 'above');
      assert.equal(created.body.definition.minDurationSec, 0);
      assert.ok(events.some((e) => e.type === 'monitoring.rule_created' && e.data.id === 'LD-LVL-01-T' && e.regionCode === '513322'));

      const bad = await commander.post(RULES, { kind: 'threshold', sensor: 'LD-LVL-01', levels: { yellow: 5, red: 3 }, colour: 'red' });
      assert.equal(bad.status, 400, bad.text);
      assert.deepEqual(fields(bad), ['colour', 'levels.red']);
      const window = await commander.post(RULES, { kind: 'accumulation', sensor: 'LD-LVL-01', windowSec: 3600, bucketSec: 7, levels: { blue: 10 } });
      assert.deepEqual(fields(window), ['bucketSec']);
      const elsewhere = await commander.post(RULES, { kind: 'threshold', sensor: 'KD-NOPE', levels: { red: 1 } });
      assert.deepEqual(fields(elsewhere), ['sensor']);
      assert.deepEqual(fields(await commander.post(RULES, { ...body, id: 'sensor:LD-LVL-01' })), ['id']);
      assert.deepEqual(fields(await commander.post(RULES, body)), ['id']);
      const member = await commander.post(RULES, { kind: 'composite', all: [{ rule: 'NO-SUCH-RULE', atLeast: 'red' }], level: 'red', scope: { point: 999999 } });
      assert.deepEqual(fields(member), ['all[0].rule', 'scope.point']);

      const dry = await commander.post(`${RULES}/validate`, { kind: 'threshold', sensor: 'LD-LVL-01', levels: { yellow: 5, red: 3 } });
      assert.equal(dry.status, 200, dry.text);
      assert.equal(dry.body.valid, false);
      assert.deepEqual(dry.body.errors.map((e: { field: string }) => e.field), ['levels.red']);
      const good = await commander.post(`${RULES}/validate`, { kind: 'rate', sensor: 'LD-LVL-01', windowSec: 3600, levels: { red: 1 } });
      assert.equal(good.body.valid, true, good.text);
      assert.deepEqual([good.body.rule.bucketSec, good.body.rule.unitSec, good.body.rule.minSpanSec, good.body.regionCode], [300, 3600, 1800, '513322']);
      assert.equal((await commander.get(rule(good.body.rule.id))).status, 404, 'a dry run saves nothing');

      assert.equal((await commander.request('PUT', rule('LD-LVL-01-T'), { ...body, version: 7 })).status, 409);
      assert.deepEqual(fields(await commander.request('PUT', rule('LD-LVL-01-T'), body)), ['version']);
      const v2 = await commander.request('PUT', rule('LD-LVL-01-T'), { ...body, version: 1, levels: { blue: 1319, yellow: 1320, red: 1322 } });
      assert.equal(v2.status, 200, v2.text);
      assert.equal(v2.body.version, 2);
      const same = await commander.request('PUT', rule('LD-LVL-01-T'), { ...body, version: 2, levels: { blue: 1319, yellow: 1320, red: 1322 } });
      assert.equal(same.body.version, 2, 'an unchanged save is no new version');

      // The engine runs the saved version at once.
      await send(duty, [{ sensor: 'LD-LVL-01', ts: Date.now() - MIN, value: 1321 }]);
      await settle();
      const [alarm] = await alarms('ruleId=LD-LVL-01-T');
      assert.deepEqual([alarm.level, alarm.ruleVersion, alarm.ruleName], ['yellow', 2, '泸桥水位']);
      // A changed threshold starts the rule afresh: its alarm is closed as such.
      const v3 = await commander.request('PUT', rule('LD-LVL-01-T'), { ...body, version: 2, levels: { yellow: 1325 } });
      assert.equal(v3.body.version, 3);
      await settle();
      const closed = await duty.get(`${BASE}/alarms/${alarm.id}`);
      assert.deepEqual([closed.body.state, closed.body.clearReason], ['cleared', 'rule_changed']);

      const kdView = await kd.get(rule('LD-LVL-01-T'));
      assert.equal(kdView.status, 404);
      assert.equal((await kd.request('PUT', rule('LD-LVL-01-T'), { ...body, version: 3 })).status, 404);
      assert.equal((await kd.delete(rule('LD-LVL-01-T'))).status, 404);
      assert.ok(!(await kd.get(`${RULES}?limit=1000`)).body.items.some((r: { id: string }) => r.id === 'LD-LVL-01-T'));
      const gz = await Client.login(s.url, 'gz-duty', s.demoPassword);
      assert.equal((await gz.get(rule('LD-LVL-01-T'))).body.editable, false);
      const inspector = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      assert.equal((await inspector.get(rule('LD-LVL-01-T'))).status, 200);

      assert.equal((await commander.delete(`${rule('LD-LVL-01-T')}?version=2`)).status, 409);
      assert.equal((await commander.delete(`${rule('LD-LVL-01-T')}?version=3`)).status, 204);
      assert.equal((await commander.get(rule('LD-LVL-01-T'))).status, 404);
      const history = await commander.get(`${rule('LD-LVL-01-T')}/versions`);
      assert.deepEqual(history.body.items.map((v: any) => [v.version, v.change]), [[4, 'deleted'], [3, 'updated'], [2, 'updated'], [1, 'created']]);
      assert.equal((await kd.get(`${rule('LD-LVL-01-T')}/versions`)).status, 404);
      const again = await commander.post(RULES, body);
      assert.equal(again.body.version, 5, 'a rule created again under the same id continues the numbering');

      const audit = await s.anlan.ctx.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target_type = 'monitoring_rule' AND target_id = 'LD-LVL-01-T' ORDER BY id`);
      assert.deepEqual(audit.rows.map((r) => r.action), ['monitoring.rule_created', 'monitoring.rule_updated', 'monitoring.rule_updated', 'monitoring.rule_deleted', 'monitoring.rule_created']);
    });

    test('a sensor\'s own thresholds are its rule: changing or deleting the sensor reloads the engine', async () => {
      const made = await sensorOn(duty, 'LD-GAS-X', 'gas_combustible', 'hazchem_site', LUQIAO);
      const applies = await duty.get(`${RULES}?appliesTo=LD-GAS-X`);
      assert.equal(applies.status, 200, applies.text);
      assert.deepEqual(applies.body.items.map((r: any) => [r.id, r.source]), [['sensor:LD-GAS-X', 'sensor'], ['type:gas_combustible:offline', 'stored']]);
      assert.deepEqual(applies.body.items[0].definition.levels, { yellow: 25, red: 50 });
      assert.equal((await commander.request('PUT', rule('sensor:LD-GAS-X'), { kind: 'threshold', sensor: 'LD-GAS-X', levels: { red: 1 }, version: 1 })).status, 409);

      await send(duty, [{ sensor: 'LD-GAS-X', ts: Date.now() - 20_000, value: 30 }]);
      await settle();
      const [first] = await alarms('ruleId=sensor:LD-GAS-X&state=open');
      assert.equal(first.level, 'yellow');

      const changed = await duty.request('PUT', `${BASE}/sensors/${made.sensorId}`, { version: made.version, thresholds: { direction: 'above', yellow: 35, red: 60 } });
      assert.equal(changed.status, 200, changed.text);
      await settle();
      assert.equal((await duty.get(`${BASE}/alarms/${first.id}`)).body.clearReason, 'rule_changed');
      await send(duty, [{ sensor: 'LD-GAS-X', ts: Date.now() - 15_000, value: 32 }]);
      await settle();
      assert.equal((await alarms('ruleId=sensor:LD-GAS-X&state=open')).length, 0);
      await send(duty, [{ sensor: 'LD-GAS-X', ts: Date.now() - 10_000, value: 40 }]);
      await settle();
      const [second] = await alarms('ruleId=sensor:LD-GAS-X&state=open');
      assert.ok(second && second.id !== first.id);
      assert.match(second.message, /超过黄色阈值 35 %LEL/);

      assert.equal((await duty.delete(`${BASE}/sensors/${made.sensorId}`)).status, 204);
      await settle();
      const gone = await duty.get(`${BASE}/alarms/${second.id}`);
      assert.equal(gone.body.state, 'cleared');
      assert.ok(['rule_removed', 'sensor_unbound'].includes(gone.body.clearReason), gone.body.clearReason);
    });

    test('the landslide chain: 24 h rain at orange and GNSS moving at yellow raise one red alarm for the point', async () => {
      const p = await commander.post(`${BASE}/points`, { name: 'HP-012 磨西滑坡', type: 'landslide', ...LUQIAO });
      assert.equal(p.status, 201, p.text);
      for (const [code, type] of [['LD-HP-RAIN', 'rainfall'], ['LD-HP-GNSS', 'gnss_displacement']]) {
        assert.equal((await commander.post(`${BASE}/sensors`, { code, pointId: p.body.id, type })).status, 201);
      }
      const rate = await commander.post(RULES, {
        kind: 'rate', id: 'LD-HP-GNSS-RATE', sensor: 'LD-HP-GNSS', name: 'GNSS位移速率', unit: 'mm/h', windowSec: 3600, bucketSec: 300, levels: { yellow: 2, orange: 5, red: 10 },
      });
      assert.equal(rate.status, 201, rate.text);
      const chain = { kind: 'composite', id: 'LD-HP-LANDSLIDE', name: '滑坡灾害链预警', all: [{ rule: 'type:rainfall:acc-24h', atLeast: 'orange' }, { rule: 'LD-HP-GNSS-RATE', atLeast: 'yellow' }], level: 'red' };
      assert.equal((await commander.post(RULES, { ...chain, scope: 'point' })).status, 403, 'a composite over every point is national');
      const kdChain = await kd.post(RULES, { ...chain, id: 'KD-CHAIN', scope: { point: p.body.id } });
      assert.deepEqual(fields(kdChain), ['all[1].rule', 'scope.point']);
      const created = await commander.post(RULES, { ...chain, scope: { point: p.body.id } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual([created.body.definition.scope, created.body.regionCode], [{ point: String(p.body.id) }, '513322']);

      const now = Date.now();
      await send(duty, Array.from({ length: 10 }, (_, i) => ({ sensor: 'LD-HP-RAIN', ts: now - (120 - 12 * i) * MIN, value: 12 })));
      await send(duty, [{ sensor: 'LD-HP-GNSS', ts: now - 50 * MIN, value: 10 }, { sensor: 'LD-HP-GNSS', ts: now - 25 * MIN, value: 12 }, { sensor: 'LD-HP-GNSS', ts: now - MIN, value: 15 }]);
      await send(duty, [{ sensor: 'LD-HP-GNSS', ts: now - 30_000, value: 15.2 }]);
      await settle();
      const chainAlarms = await alarms('ruleId=LD-HP-LANDSLIDE');
      assert.equal(chainAlarms.length, 1, JSON.stringify(chainAlarms));
      const [a] = chainAlarms;
      assert.deepEqual([a.scope, a.subject, a.pointId, a.pointName, a.level, a.ruleKind, a.state, a.regionCode], ['point', String(p.body.id), p.body.id, 'HP-012 磨西滑坡', 'red', 'composite', 'raised', '513322']);
      assert.equal(a.message, '监测点 HP-012 磨西滑坡 滑坡灾害链预警（红色）：24小时累计雨量达到橙色，GNSS位移速率达到黄色');
      const members = await alarms(`pointId=${p.body.id}&state=open`);
      assert.ok(members.some((m) => m.ruleId === 'type:rainfall:acc-24h' && m.level === 'orange'), JSON.stringify(members.map((m) => [m.ruleId, m.level])));
      assert.ok(members.some((m) => m.ruleId === 'LD-HP-GNSS-RATE'));

      const used = await commander.delete(rule('LD-HP-GNSS-RATE'));
      assert.equal(used.status, 409, used.text);
      assert.match(used.body.detail, /LD-HP-LANDSLIDE/);
    });
  });
}
