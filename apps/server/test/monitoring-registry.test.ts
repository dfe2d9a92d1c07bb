import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import { buildXlsx, readXlsxRows, XLSX_CONTENT_TYPE } from '../src/http/xlsx.ts';
import type { BusEvent } from '../src/events/bus.ts';

const BASE = '/api/v1/monitoring';
/** 泸桥镇, the seat of 泸定县. */
const LUQIAO = { lon: 102.234, lat: 29.915 };

type FieldErr = { field: string; message: string };
const fields = (res: { body: { errors?: FieldErr[] } }) => (res.body.errors ?? []).map((e) => e.field);

/** Sends raw bytes (an .xlsx) with the client's session; the shared helper sends text only. */
async function upload(c: Client, path: string, data: Uint8Array | string, contentType: string) {
  const res = await fetch(c.baseUrl + path, {
    method: 'POST',
    headers: { cookie: (c as unknown as { cookie: string }).cookie, 'x-csrf-token': c.csrfToken, 'content-type': contentType },
    body: typeof data === 'string' ? data : Buffer.from(data),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, text };
}

async function download(c: Client, path: string) {
  const res = await fetch(c.baseUrl + path, { headers: { cookie: (c as unknown as { cookie: string }).cookie } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

for (const target of testTargets()) {
  describe(`monitoring registry (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let gz: Client;
    let admin: Client;
    let kd: Client;
    const events: BusEvent[] = [];

    before(async () => {
      s = await startTestServer({ target });
      s.anlan.ctx.bus.subscribe((e) => events.push(e));
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      gz = await Client.login(s.url, 'gz-admin', s.demoPassword);
      admin = await Client.login(s.url, 'admin', s.adminPassword);
      const made = await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: '513301' });
      assert.equal(made.status, 201, made.text);
      kd = await Client.login(s.url, 'kd-duty', 'kangding-123');
    });
    after(() => s.close());

    test('the catalogue lists every required type with its unit, thresholds and sources', async () => {
      const res = await duty.get(`${BASE}/types`);
      assert.equal(res.status, 200, res.text);
      const units = Object.fromEntries(res.body.sensorTypes.map((t: { key: string; unit: string }) => [t.key, t.unit]));
      assert.deepEqual(
        {
          rainfall: 'mm', water_level_river: 'm', water_level_reservoir: 'm', gas_combustible: '%LEL', gas_toxic: 'ppm', tank_temperature: '°C', tank_pressure: 'MPa',
          tank_level: 'm', tailings_saturation_line: 'm', tailings_seepage: 'L/s', gnss_displacement: 'mm', crack_width: 'mm', bridge_strain: 'με',
          bridge_deflection: 'mm', pipeline_pressure: 'MPa', wind_speed: 'm/s',
        },
        Object.fromEntries(Object.entries(units).filter(([k]) => k !== 'other')),
      );
      const byKey = Object.fromEntries(res.body.sensorTypes.map((t: any) => [t.key, t]));
      assert.equal(byKey.rainfall.name, '雨量');
      const windows = byKey.rainfall.accumulation.map((w: { windowSec: number }) => w.windowSec);
      for (const h of [1, 3, 6, 24]) assert.ok(windows.includes(h * 3600), `rainfall ${h} h window`);
      assert.deepEqual(byKey.rainfall.accumulation.find((w: any) => w.windowSec === 10800), { windowSec: 10800, orange: 50, red: 100 });
      assert.deepEqual(byKey.wind_speed.thresholds, { direction: 'above', blue: 10.8, yellow: 17.2, orange: 24.5, red: 32.7 });
      assert.deepEqual(byKey.gas_combustible.thresholds, { direction: 'above', yellow: 25, red: 50 });
      assert.equal(byKey.tailings_saturation_line.thresholds.direction, 'below');
      assert.equal(byKey.water_level_river.siteSpecific, true);
      assert.ok(byKey.water_level_river.levelMeaning.yellow.includes('警戒水位'));
      for (const t of res.body.sensorTypes) assert.ok(t.source && t.name && t.nameEn && t.samplingIntervalSec > 0, t.key);
      assert.ok(res.body.pointTypes.some((p: { name: string }) => p.name === '尾矿库'));
      assert.equal((await new Client(s.url).get(`${BASE}/types`)).status, 401);
    });

    let point: any;
    let rain: any;

    test('points: created with validation naming the fields, read, listed, filtered and paged', async () => {
      const empty = await duty.post(`${BASE}/points`, {});
      assert.equal(empty.status, 400);
      assert.deepEqual(fields(empty).sort(), ['lat', 'lon', 'name', 'regionCode', 'type']);
      const unknownField = await duty.post(`${BASE}/points`, { name: 'x', type: 'rain_gauge', regionCode: '513322', ...LUQIAO, colour: 'red' });
      assert.deepEqual(fields(unknownField), ['colour']);

      const far = await duty.post(`${BASE}/points`, { name: '泸桥镇雨量站', type: 'rain_gauge', regionCode: '513322100', lon: 104.06, lat: 30.67 });
      assert.equal(far.status, 400);
      assert.deepEqual(fields(far).sort(), ['lat', 'lon']);
      assert.match(far.body.errors[0].message, /泸定县 \(513322\)/);
      const swapped = await duty.post(`${BASE}/points`, { name: '泸桥镇雨量站', type: 'rain_gauge', regionCode: '513322', lon: LUQIAO.lat, lat: LUQIAO.lon });
      assert.deepEqual(fields(swapped), ['lat']);
      const watches = await duty.post(`${BASE}/points`, { name: 'x', type: 'reservoir', regionCode: '513322', ...LUQIAO, watchesName: '某水库' });
      assert.deepEqual(fields(watches), ['watchesKind']);

      const res = await duty.post(`${BASE}/points`, {
        name: '泸桥镇雨量站', type: 'rain_gauge', regionCode: '513322100', ...LUQIAO, ownerUnit: '泸定县气象局', watchesKind: 'slope', watchesRef: 'HP-001', watchesName: '泸桥镇滑坡',
      });
      assert.equal(res.status, 201, res.text);
      point = res.body;
      assert.equal(point.regionName, '泸桥镇');
      assert.equal(point.typeName, '雨量站');
      assert.equal(point.version, 1);
      assert.equal(point.sensorCount, 0);
      assert.equal(point.createdBy, 'ld-duty');
      assert.ok(events.some((e) => e.type === 'monitoring.point_created' && e.regionCode === '513322100' && e.data.id === point.id));

      await duty.post(`${BASE}/points`, { name: '磨西镇燃气调压站', type: 'gas_pipeline', regionCode: '513322', lon: 102.11, lat: 29.65 });
      assert.deepEqual((await duty.get(`${BASE}/points/${point.id}`)).body, point);
      const all = await duty.get(`${BASE}/points?limit=1`);
      assert.equal(all.body.total, 2);
      assert.equal(all.body.items.length, 1);
      assert.equal((await duty.get(`${BASE}/points?limit=1&offset=1`)).body.items.length, 1);
      assert.deepEqual((await duty.get(`${BASE}/points?q=${encodeURIComponent('燃气')}`)).body.items.map((p: any) => p.name), ['磨西镇燃气调压站']);
      assert.equal((await duty.get(`${BASE}/points?type=rain_gauge`)).body.total, 1);
      assert.equal((await duty.get(`${BASE}/points?regionCode=513322100`)).body.total, 1);
      assert.equal((await duty.get(`${BASE}/points?bbox=102.2,29.9,102.3,30.0`)).body.total, 1);
      assert.equal((await duty.get(`${BASE}/points?bbox=102.3,29.9,102.2,30.0`)).status, 400);
      assert.equal((await duty.get(`${BASE}/points/999999`)).status, 404);
    });

    test('sensors: defaults from the catalogue, the issue\'s minimal body, and every validation naming its field', async () => {
      const res = await duty.post(`${BASE}/sensors`, { code: 'LD-RAIN-001', pointId: point.id, type: 'rainfall' });
      assert.equal(res.status, 201, res.text);
      rain = res.body;
      assert.equal(rain.unit, 'mm');
      assert.equal(rain.samplingIntervalSec, 300);
      assert.equal(rain.regionCode, '513322100');
      assert.deepEqual(rain.accumulation[0], { windowSec: 3600, blue: 20 });
      assert.deepEqual(rain.thresholds, { direction: 'above' });

      // The minimum: code, pointId, quantity, unit, thresholds — the type follows from the quantity.
      const wind = await duty.post(`${BASE}/sensors`, { code: 'LD-WIND-001', pointId: point.id, quantity: 'wind_speed', unit: 'm/s', thresholds: { direction: 'above', yellow: 17.2, red: 32.7 } });
      assert.equal(wind.status, 201, wind.text);
      assert.equal(wind.body.type, 'wind_speed');
      assert.deepEqual(wind.body.thresholds, { direction: 'above', yellow: 17.2, red: 32.7 });
      assert.equal(wind.body.accumulation, null);

      const bad = async (body: object, expected: string[], pattern?: RegExp) => {
        const r = await duty.post(`${BASE}/sensors`, { pointId: point.id, ...body });
        assert.equal(r.status, 400, r.text);
        assert.deepEqual(fields(r).sort(), expected.sort(), r.text);
        if (pattern) assert.match(r.text, pattern);
      };
      await bad({ code: 'LD-WL-001', quantity: 'water_level', unit: 'm' }, ['type'], /water_level_river/);
      await bad({ code: 'LD-WL-001', type: 'water_level_river', unit: 'cm' }, ['unit'], /unitOverride/);
      await bad({ code: 'LD-WIND-002', type: 'wind_speed', thresholds: { direction: 'above', blue: 20, yellow: 17.2 } }, ['thresholds.yellow']);
      await bad({ code: 'LD-WIND-002', type: 'wind_speed', thresholds: { direction: 'above', red: 80 } }, ['thresholds.red'], /measuring range 0–60 m\/s/);
      await bad({ code: 'LD-WIND-002', type: 'wind_speed', rangeMin: 10, rangeMax: 5 }, ['rangeMax']);
      await bad({ code: 'LD-WIND-002', type: 'wind_speed', rangeMin: null }, ['rangeMin']);
      await bad({ code: 'LD-GAS-001', type: 'gas_combustible', accumulation: [{ windowSec: 3600, red: 10 }] }, ['accumulation']);
      await bad({ code: 'LD-RAIN-002', type: 'rainfall', accumulation: [{ windowSec: 3600, red: 10, orange: 20 }] }, ['accumulation.0.red']);
      await bad({ code: '-bad code', type: 'rainfall' }, ['code']);
      await bad({ code: 'LD-RAIN-001', type: 'rainfall' }, ['code'], /already used/);
      await bad({ code: 'ld-rain-001', type: 'rainfall' }, ['code'], /already used/);
      await bad({ code: 'LD-X-001', type: 'other' }, ['quantity', 'unit']);
      await bad({ code: 'LD-X-001', type: 'rainfall', pointId: 999999 }, ['pointId']);

      const overridden = await duty.post(`${BASE}/sensors`, { code: 'LD-WL-001', pointId: point.id, type: 'water_level_river', unit: 'cm', unitOverride: true, rangeMin: 0, rangeMax: 2000, thresholds: { direction: 'above', yellow: 850, orange: 920 } });
      assert.equal(overridden.status, 201, overridden.text);
      // Burial depth of the saturation line: the danger is a shallow line, so the levels fall.
      const tail = await duty.post(`${BASE}/sensors`, { code: 'LD-TAIL-001', pointId: point.id, type: 'tailings_saturation_line', thresholds: { direction: 'below', yellow: 8, orange: 6.6, red: 6 } });
      assert.equal(tail.status, 201, tail.text);
      await bad({ code: 'LD-TAIL-002', type: 'tailings_saturation_line', thresholds: { direction: 'below', yellow: 6, red: 8 } }, ['thresholds.red'], /less than yellow/);

      const list = await duty.get(`${BASE}/sensors?pointId=${point.id}`);
      assert.equal(list.body.total, 4);
      assert.deepEqual((await duty.get(`${BASE}/sensors?q=wind`)).body.items.map((x: any) => x.code), ['LD-WIND-001']);
      assert.equal((await duty.get(`${BASE}/sensors?type=rainfall`)).body.total, 1);
      assert.equal((await duty.get(`${BASE}/points/${point.id}`)).body.sensorCount, 4);
    });

    test('PUT changes only what it is given, checks the version (409 when stale) and needs a writing role', async () => {
      const p1 = await duty.request('PUT', `${BASE}/points/${point.id}`, { version: point.version, ownerUnit: '泸定县应急管理局' });
      assert.equal(p1.status, 200, p1.text);
      assert.equal(p1.body.version, point.version + 1);
      assert.equal(p1.body.name, point.name);
      assert.equal(p1.body.ownerUnit, '泸定县应急管理局');
      const stalePut = await duty.request('PUT', `${BASE}/points/${point.id}`, { version: point.version, name: '改名' });
      assert.equal(stalePut.status, 409, stalePut.text);
      assert.match(stalePut.body.detail, /version/);
      const same = await duty.request('PUT', `${BASE}/points/${point.id}`, { version: p1.body.version, ownerUnit: '泸定县应急管理局' });
      assert.equal(same.body.version, p1.body.version, 'an unchanged save is no new version');
      const moved = await duty.request('PUT', `${BASE}/points/${point.id}`, { version: p1.body.version, lon: 104.06 });
      assert.deepEqual(fields(moved), ['lon']);
      point = p1.body;

      const s1 = await duty.request('PUT', `${BASE}/sensors/${rain.id}`, { version: 1, thresholds: { direction: 'above', red: 30 }, samplingIntervalSec: 60 });
      assert.equal(s1.status, 200, s1.text);
      assert.deepEqual(s1.body.thresholds, { direction: 'above', red: 30 });
      assert.equal(s1.body.unit, 'mm');
      assert.equal(s1.body.accumulation.length, 5, 'untouched fields stay');
      assert.equal((await duty.request('PUT', `${BASE}/sensors/${rain.id}`, { version: 1, enabled: false })).status, 409);
      const retyped = await duty.request('PUT', `${BASE}/sensors/${rain.id}`, { version: 2, type: 'wind_speed' });
      assert.equal(retyped.status, 200, retyped.text);
      assert.equal(retyped.body.unit, 'm/s', 'a new type brings its defaults');
      assert.equal(retyped.body.accumulation, null);
      const back = await duty.request('PUT', `${BASE}/sensors/${rain.id}`, { version: 3, type: 'rainfall' });
      rain = back.body;
      assert.equal(rain.unit, 'mm');

      const inspector = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      assert.equal((await inspector.get(`${BASE}/sensors/${rain.id}`)).status, 200);
      assert.equal((await inspector.request('PUT', `${BASE}/sensors/${rain.id}`, { version: rain.version, enabled: false })).status, 403);
      assert.equal((await inspector.post(`${BASE}/points`, { name: 'x', type: 'other', regionCode: '513322', ...LUQIAO })).status, 403);
    });

    let kdPoint: any;

    test('scope: another county neither sees nor changes; a county cannot register outside itself; the prefecture sees both', async () => {
      for (const code of ['513321', '513301']) {
        const r = await duty.post(`${BASE}/points`, { name: '越界点', type: 'rain_gauge', regionCode: code, lon: 101.96, lat: 30.05 });
        assert.equal(r.status, 400);
        assert.deepEqual(fields(r), ['regionCode']);
        assert.match(r.body.errors[0].message, /outside your region 513322/);
      }
      const made = await kd.post(`${BASE}/points`, { name: '康定城区雨量站', type: 'rain_gauge', regionCode: '513301', lon: 101.96, lat: 30.05 });
      assert.equal(made.status, 201, made.text);
      kdPoint = made.body;
      const kdSensor = await kd.post(`${BASE}/sensors`, { code: 'KD-RAIN-001', pointId: kdPoint.id, type: 'rainfall' });
      assert.equal(kdSensor.status, 201, kdSensor.text);

      assert.equal((await kd.get(`${BASE}/points/${point.id}`)).status, 404);
      assert.equal((await kd.get(`${BASE}/sensors/${rain.id}`)).status, 404);
      assert.equal((await kd.request('PUT', `${BASE}/points/${point.id}`, { version: point.version, name: 'x' })).status, 404);
      assert.equal((await kd.request('PUT', `${BASE}/sensors/${rain.id}`, { version: rain.version, enabled: false })).status, 404);
      assert.equal((await kd.delete(`${BASE}/points/${point.id}?cascade=true`)).status, 404);
      assert.equal((await kd.delete(`${BASE}/sensors/${rain.id}`)).status, 404);
      assert.deepEqual((await kd.get(`${BASE}/points`)).body.items.map((p: any) => p.id), [kdPoint.id]);
      assert.deepEqual((await kd.get(`${BASE}/sensors`)).body.items.map((x: any) => x.code), ['KD-RAIN-001']);
      const onForeign = await kd.post(`${BASE}/sensors`, { code: 'KD-RAIN-002', pointId: point.id, type: 'rainfall' });
      assert.deepEqual(fields(onForeign), ['pointId']);
      const moveAway = await kd.request('PUT', `${BASE}/sensors/${kdSensor.body.id}`, { version: 1, pointId: point.id });
      assert.deepEqual(fields(moveAway), ['pointId']);
      assert.equal((await duty.get(`${BASE}/sensors/${kdSensor.body.id}`)).status, 404);
      assert.equal((await duty.get(`${BASE}/points?q=${encodeURIComponent('康定')}`)).body.total, 0);

      const gzPoints = (await gz.get(`${BASE}/points?limit=1000`)).body.items.map((p: any) => p.regionCode);
      assert.ok(gzPoints.includes('513301') && gzPoints.includes('513322100'), JSON.stringify(gzPoints));
      assert.ok((await gz.get(`${BASE}/sensors?q=KD-`)).body.total === 1);
      assert.equal((await gz.get(`${BASE}/sensors/${rain.id}`)).status, 200);
      const prefecture = await gz.post(`${BASE}/points`, { name: '州级点', type: 'other', regionCode: '513300', lon: 101.96, lat: 30.05 });
      assert.deepEqual(fields(prefecture), ['regionCode']);
      assert.match(prefecture.body.errors[0].message, /county or township/);
      assert.ok(!events.some((e) => e.type.startsWith('monitoring.point') && e.data.id === kdPoint.id && !e.regionCode.startsWith('513301')));
    });

    test('delete: a point with sensors answers 409 unless cascade; stale versions 409', async () => {
      const p = (await duty.post(`${BASE}/points`, { name: '待删除点', type: 'landslide', regionCode: '513322', ...LUQIAO })).body;
      const sensor = (await duty.post(`${BASE}/sensors`, { code: 'LD-GNSS-009', pointId: p.id, type: 'gnss_displacement' })).body;
      assert.equal(sensor.unit, 'mm');
      const refused = await duty.delete(`${BASE}/points/${p.id}`);
      assert.equal(refused.status, 409);
      assert.match(refused.body.detail, /cascade=true/);
      assert.equal((await duty.delete(`${BASE}/sensors/${sensor.id}?version=7`)).status, 409);
      assert.equal((await duty.delete(`${BASE}/points/${p.id}?cascade=true&version=${p.version}`)).status, 204);
      assert.equal((await duty.get(`${BASE}/points/${p.id}`)).status, 404);
      assert.equal((await duty.get(`${BASE}/sensors/${sensor.id}`)).status, 404);
      const lone = (await duty.post(`${BASE}/points`, { name: '空点', type: 'other', regionCode: '513322', ...LUQIAO })).body;
      assert.equal((await duty.delete(`${BASE}/points/${lone.id}`)).status, 204);
    });

    test('import: CSV points with good and bad rows keeps the good ones and reports the bad by row number', async () => {
      const csv = [
        '名称,类型,区划代码,经度,纬度,权属单位,备注,颜色',
        '冷碛镇雨量站,雨量站,513322101,102.21,29.78,泸定县水利局,,蓝',
        '坏经度,雨量站,513322,abc,29.8,,,',
        '外县点,雨量站,513301,101.96,30.05,,,',
        ',水文站,513322,102.2,29.8,,,',
        '未知类型,火山站,513322,102.2,29.8,,,',
        '"泸定水文站, 大渡河",hydrological_station,513322,102.233,29.91,"省水文局 ""泸定站""",,',
      ].join('\n');
      const res = await upload(duty, `${BASE}/import?kind=points`, csv, 'text/csv');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.format, 'csv');
      assert.equal(res.body.rows, 6);
      assert.equal(res.body.inserted, 2);
      assert.equal(res.body.rejected, 4);
      assert.deepEqual(res.body.ignoredColumns, ['颜色']);
      assert.deepEqual(res.body.errors.map((e: any) => [e.row, e.field]), [[3, 'lon'], [4, 'regionCode'], [5, 'name'], [6, 'type']]);
      assert.equal(res.body.errors[0].column, '经度');
      const names = (await duty.get(`${BASE}/points?limit=1000`)).body.items.map((p: any) => p.name);
      assert.ok(names.includes('冷碛镇雨量站') && names.includes('泸定水文站, 大渡河'));
      const hydro = (await duty.get(`${BASE}/points?q=${encodeURIComponent('大渡河')}`)).body.items[0];
      assert.equal(hydro.ownerUnit, '省水文局 "泸定站"');

      const allBad = await upload(duty, `${BASE}/import?kind=points`, '名称,类型,区划代码,经度,纬度\n坏,雨量站,513322,999,29.8\n', 'text/csv');
      assert.equal(allBad.status, 400);
      assert.deepEqual(fields(allBad), ['row 2: lon']);
      const noColumn = await upload(duty, `${BASE}/import?kind=points`, 'name,type\nx,rain_gauge\n', 'text/csv');
      assert.equal(noColumn.status, 400);
      assert.match(noColumn.body.detail, /区划代码/);
      const dry = await upload(duty, `${BASE}/import?kind=points&dryRun=true`, 'name,type,regionCode,lon,lat\n演练点,other,513322,102.2,29.8\n', 'text/csv');
      assert.equal(dry.body.inserted, 1);
      assert.equal((await duty.get(`${BASE}/points?q=${encodeURIComponent('演练点')}`)).body.total, 0, 'a dry run stores nothing');
      const viewer = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      assert.equal((await upload(viewer, `${BASE}/import?kind=points`, csv, 'text/csv')).status, 403);
    });

    test('import: xlsx sensors by point name, with mixed rows and upsert', async () => {
      const rows = [
        { code: 'LD-RAIN-101', point: '冷碛镇雨量站', type: '雨量', red: null, acc: '1h:20/30/-/-; 3h:-/-/50/100' },
        { code: 'LD-RAIN-102', point: '冷碛镇雨量站', type: 'rainfall', red: 5, acc: '无' },
        { code: 'LD-RAIN-101', point: '冷碛镇雨量站', type: '雨量', red: null, acc: null },
        { code: 'LD-RAIN-103', point: '没有这个点', type: '雨量', red: null, acc: null },
        { code: 'KD-RAIN-001', point: '冷碛镇雨量站', type: '雨量', red: null, acc: null },
        { code: 'LD-WIND-101', point: '冷碛镇雨量站', type: '风速', red: 99, acc: null },
        { code: 'LD-RAIN-104', point: '冷碛镇雨量站', type: '雨量', red: null, acc: '1h:20/10/-/-' },
      ];
      const xlsx = await buildXlsx({
        sheets: [{
          name: '传感器',
          columns: [
            { header: '编码', key: 'code' }, { header: '监测点', key: 'point' }, { header: '监测项', key: 'type' }, { header: '红色阈值', key: 'red' }, { header: '累计雨量阈值', key: 'acc' },
          ],
          rows,
        }],
      });
      const res = await upload(duty, `${BASE}/import?kind=sensors`, xlsx, XLSX_CONTENT_TYPE);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.format, 'xlsx');
      assert.equal(res.body.inserted, 2);
      assert.deepEqual(res.body.errors.map((e: any) => [e.row, e.field]), [[4, 'code'], [5, 'pointId'], [6, 'code'], [7, 'thresholds.red'], [8, 'accumulation.0.yellow']]);
      assert.match(res.body.errors[0].message, /first on row 2/);
      assert.equal(res.body.errors[1].column, '监测点');
      const r101 = (await duty.get(`${BASE}/sensors?q=LD-RAIN-101`)).body.items[0];
      assert.deepEqual(r101.accumulation, [{ windowSec: 3600, blue: 20, yellow: 30 }, { windowSec: 10800, orange: 50, red: 100 }]);
      assert.equal(r101.pointName, '冷碛镇雨量站');
      const r102 = (await duty.get(`${BASE}/sensors?q=LD-RAIN-102`)).body.items[0];
      assert.equal(r102.accumulation, null);
      assert.deepEqual(r102.thresholds, { direction: 'above', red: 5 });

      const again = await upload(duty, `${BASE}/import?kind=sensors`, '编码,监测点,监测项\nLD-RAIN-101,冷碛镇雨量站,雨量\n', 'text/csv');
      assert.equal(again.status, 400);
      assert.match(again.text, /mode=upsert/);
      const upsert = await upload(duty, `${BASE}/import?kind=sensors&mode=upsert`, 'code,enabled,备注\nLD-RAIN-101,否,停用检修\nLD-RAIN-105,,\n', 'text/csv');
      assert.equal(upsert.status, 200, upsert.text);
      assert.equal(upsert.body.updated, 1);
      assert.deepEqual(upsert.body.errors.map((e: any) => [e.row, e.field]), [[3, 'pointId'], [3, 'type']]);
      const changed = (await duty.get(`${BASE}/sensors/${r101.id}`)).body;
      assert.equal(changed.enabled, false);
      assert.equal(changed.notes, '停用检修');
      assert.equal(changed.version, 2);
      assert.deepEqual(changed.accumulation, r101.accumulation, 'empty cells keep the values');
    });

    test('export → import round trip: both formats re-import unchanged; re-keyed sensors come back identical', async () => {
      for (const kind of ['points', 'sensors']) {
        const xlsx = await download(duty, `${BASE}/export.xlsx?kind=${kind}`);
        assert.equal(xlsx.status, 200);
        assert.equal(xlsx.headers.get('content-type'), XLSX_CONTENT_TYPE);
        assert.match(xlsx.headers.get('content-disposition') ?? '', /filename\*=UTF-8''/);
        const sheet = await readXlsxRows(xlsx.bytes);
        assert.deepEqual(sheet.sheets, [kind === 'points' ? '监测点' : '传感器', '说明']);
        const count = (await duty.get(`${BASE}/${kind}?limit=1`)).body.total;
        assert.equal(sheet.rows.length, count + 1);
        const back = await upload(duty, `${BASE}/import?kind=${kind}&mode=upsert`, xlsx.bytes, XLSX_CONTENT_TYPE);
        assert.equal(back.status, 200, back.text);
        assert.deepEqual([back.body.inserted, back.body.updated, back.body.unchanged, back.body.rejected], [0, 0, count, 0], back.text);

        const csv = await download(duty, `${BASE}/export.csv?kind=${kind}`);
        assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
        assert.deepEqual([...csv.bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
        const backCsv = await upload(duty, `${BASE}/import?kind=${kind}&mode=upsert`, csv.bytes, 'text/csv');
        assert.deepEqual([backCsv.body.inserted, backCsv.body.updated, backCsv.body.unchanged, backCsv.body.rejected], [0, 0, count, 0], backCsv.text);
      }
      // The exported points carry their 编号: inserting them again is refused row by row.
      const points = await download(duty, `${BASE}/export.csv?kind=points`);
      const dup = await upload(duty, `${BASE}/import?kind=points`, points.bytes, 'text/csv');
      assert.equal(dup.status, 400);

      const before = (await duty.get(`${BASE}/sensors?limit=1000`)).body.items;
      const text = new TextDecoder().decode((await download(duty, `${BASE}/export.csv?kind=sensors`)).bytes);
      const rekeyed = text.replace(/^(\uFEFF?)(LD|ld)-/gm, '$1RT-');
      const inserted = await upload(duty, `${BASE}/import?kind=sensors`, rekeyed, 'text/csv');
      assert.equal(inserted.status, 200, inserted.text);
      assert.equal(inserted.body.inserted, before.length);
      const after = (await duty.get(`${BASE}/sensors?q=RT-&limit=1000`)).body.items;
      const strip = (x: any) => {
        const { id: _i, code, createdAt: _c, updatedAt: _u, createdBy: _cb, updatedBy: _ub, version: _v, ...rest } = x;
        return { ...rest, code: code.replace(/^(LD|RT)-/, '') };
      };
      assert.deepEqual(after.map(strip).sort((a: any, b: any) => a.code.localeCompare(b.code)), before.map(strip).sort((a: any, b: any) => a.code.localeCompare(b.code)));

      const gzExport = await readXlsxRows((await download(gz, `${BASE}/export.xlsx?kind=points`)).bytes);
      assert.ok(gzExport.rows.some((r) => r.cells.includes('康定城区雨量站')));
      const ldExport = await readXlsxRows((await download(duty, `${BASE}/export.xlsx?kind=points`)).bytes);
      assert.ok(!ldExport.rows.some((r) => r.cells.includes('康定城区雨量站')));
    });

    test('every change is in the audit log, one entry per import', async () => {
      const items = (await admin.get('/api/v1/audit?limit=500')).body.items;
      const actions = new Set(items.map((e: { action: string }) => e.action));
      for (const a of ['monitoring.point_created', 'monitoring.point_updated', 'monitoring.point_deleted', 'monitoring.sensor_created', 'monitoring.sensor_updated', 'monitoring.sensor_deleted', 'monitoring.imported']) {
        assert.ok(actions.has(a), a);
      }
      const imports = items.filter((e: any) => e.action === 'monitoring.imported');
      const first = imports.find((e: any) => e.after.kind === 'points' && e.after.inserted === 2);
      assert.ok(first, JSON.stringify(imports.map((e: any) => e.after)));
      assert.equal(first.after.rejected, 4);
      assert.equal(first.regionCode, '513322');
      const update = items.find((e: any) => e.action === 'monitoring.point_updated');
      assert.equal(update.before.ownerUnit, '泸定县气象局');
      assert.equal(update.after.ownerUnit, '泸定县应急管理局');
    });
  });
}
