import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { usccCheckCharacter } from '@anlan/core';
import { testTargets } from '../../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../../tests/helpers/server.ts';
import { Client } from '../../../../tests/helpers/http.ts';
import { buildXlsx, readXlsxRows, XLSX_CONTENT_TYPE } from '../http/xlsx.ts';
import type { BusEvent } from '../events/bus.ts';
import { DEMO_ENTERPRISES, DEMO_PLACES, demoUscc } from '../seed/demo-risk.ts';

const BASE = '/api/v1/risk';
/** 康定市 (513301), a county of the same prefecture as the demo's 泸定县. */
const KANGDING = '513301';
const KD_SEAT = { lon: 101.96, lat: 30.05 };

type FieldErr = { field: string; message: string };
const fields = (res: { body: { errors?: FieldErr[] } }) => (res.body.errors ?? []).map((e) => e.field);

/** A valid code for a test enterprise of county `county`, number n. */
function code(n: number, county = '513322'): string {
  const body = `91${county}TEQ${String(n).padStart(6, '0')}`;
  return body + usccCheckCharacter(body);
}

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
  describe(`risk: enterprises, places and GB 18218 units (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let inspector: Client;
    let responder: Client;
    let enterpriseUser: Client;
    let gz: Client;
    let kd: Client;
    const events: BusEvent[] = [];

    before(async () => {
      s = await startTestServer({ target });
      s.anlan.ctx.bus.subscribe((e) => events.push(e));
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      inspector = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      responder = await Client.login(s.url, 'ld-responder', s.demoPassword);
      enterpriseUser = await Client.login(s.url, 'ld-enterprise', s.demoPassword);
      gz = await Client.login(s.url, 'gz-admin', s.demoPassword);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      const made = await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: KANGDING });
      assert.equal(made.status, 201, made.text);
      kd = await Client.login(s.url, 'kd-duty', 'kangding-123');
    });
    after(() => s.close());

    test('the demo register of 泸定县: 20 enterprises with valid fictitious codes, 15 places, an LPG depot that is a major hazard', async () => {
      const list = await duty.get(`${BASE}/enterprises?limit=100`);
      assert.equal(list.status, 200, list.text);
      assert.equal(list.body.total, DEMO_ENTERPRISES.length);
      assert.ok(list.body.items.every((e: { uscc: string; notes: string }) => /^91513322DEM0/.test(e.uscc) && e.notes.startsWith('【演示数据】')));
      assert.equal(list.body.items.find((e: { name: string }) => e.name === '泸定县城北加油站').uscc, demoUscc(1));
      const places = await duty.get(`${BASE}/places?limit=100`);
      assert.equal(places.body.total, DEMO_PLACES.length);
      const major = await duty.get(`${BASE}/enterprises?major=true`);
      assert.deepEqual(major.body.items.map((e: { name: string }) => e.name), ['泸定县液化石油气储配站']);
      const depot = major.body.items[0];
      assert.equal(depot.topGrade, 4);
      assert.equal(depot.departmentName, '住房和城乡建设局');
      const units = await duty.get(`${BASE}/enterprises/${depot.id}/installations`);
      const tank = units.body.items.find((u: { name: string }) => u.name === '液化石油气储罐区');
      // 63 t / 50 t = 1.26; R = 2.0 (150 people) × 1.5 × 1.26 = 3.78 → 四级
      assert.equal(tank.major, true);
      assert.ok(Math.abs(tank.s - 1.26) < 1e-9);
      assert.ok(Math.abs(tank.r - 3.78) < 1e-9);
      assert.equal(tank.grade, 4);
      assert.equal(tank.computation.terms[0].betaSource, 'GB 18218-2018 表4 W2');
      // The prefecture sees the county's register; another county sees none of it.
      assert.equal((await gz.get(`${BASE}/enterprises?limit=1`)).body.total, DEMO_ENTERPRISES.length);
      assert.equal((await kd.get(`${BASE}/enterprises`)).body.total, 0);
      assert.equal((await kd.get(`${BASE}/places`)).body.total, 0);
      assert.equal((await kd.get(`${BASE}/enterprises/${depot.id}`)).status, 404);
      assert.equal((await kd.get(`${BASE}/enterprises/${depot.id}/installations`)).status, 404);
      assert.equal((await kd.get(`${BASE}/enterprises/${depot.id}/installations/${tank.id}`)).status, 404);
      const map = await kd.get(`${BASE}/map`);
      assert.deepEqual([map.body.enterprises.length, map.body.places.length], [0, 0]);
    });

    test('an enterprise account reads none of the register; nobody reads it without logging in', async () => {
      for (const path of ['/enterprises', '/places', '/map', '/export.xlsx?kind=enterprises']) {
        assert.equal((await enterpriseUser.get(`${BASE}${path}`)).status, 403, path);
        assert.equal((await new Client(s.url).get(`${BASE}${path}`)).status, 401, path);
      }
      assert.equal((await enterpriseUser.post(`${BASE}/enterprises`, { name: 'x', uscc: code(1), industry: 'commerce' })).status, 403);
      // The calculator holds nobody's data.
      const calc = await enterpriseUser.post(`${BASE}/gb18218/compute`, { exposedPopulation: 0, chemicals: [{ name: '氯', quantityTonnes: 5 }] });
      assert.equal(calc.status, 200, calc.text);
      assert.equal(calc.body.major, true);
    });

    test('the catalogue, the GB 18218 tables and the chemical search', async () => {
      const cat = await duty.get(`${BASE}/catalogue`);
      const industries = cat.body.industries.map((i: { name: string }) => i.name);
      for (const n of ['危险化学品', '煤矿', '非煤矿山', '冶金', '有色', '建材', '机械', '轻工', '纺织', '烟草', '商贸', '烟花爆竹', '燃气', '交通运输', '建筑施工', '人员密集场所']) assert.ok(industries.includes(n), n);
      assert.deepEqual(cat.body.scales.map((x: { name: string }) => x.name), ['大型', '中型', '小型', '微型']);
      assert.ok(cat.body.placeKinds.length >= 8);
      const tables = await duty.get(`${BASE}/gb18218`);
      assert.equal(tables.body.standard, 'GB 18218-2018');
      assert.equal(tables.body.toxicGases.find((g: { name: string }) => g.name === '氯').beta, 4);
      assert.ok(tables.body.notes.length > 0);
      assert.deepEqual(tables.body.alphaBands.map((b: { alpha: number }) => b.alpha), [2, 1.5, 1.2, 1, 0.5]);
      const chlorine = await duty.get(`${BASE}/chemicals?q=${encodeURIComponent('液氯')}`);
      assert.equal(chlorine.body.items[0].name, '氯');
      assert.equal(chlorine.body.items[0].criticalQuantity, 5);
      assert.equal(chlorine.body.items[0].beta, 4);
      assert.equal(chlorine.body.items[0].betaSource, 'GB 18218-2018 表3 氯');
      const petrol = await duty.get(`${BASE}/chemicals?q=86290-81-5`);
      assert.equal(petrol.body.items[0].betaNeedsClass, true);
    });

    let enterprise: any;

    test('enterprises: the credit code checked naming the position, other fields named, created, read, listed and filtered', async () => {
      const good = code(1);
      const wrongCheck = good.slice(0, 17) + (good[17] === 'A' ? 'B' : 'A');
      const bad = await duty.post(`${BASE}/enterprises`, { name: '泸定县测试化工有限公司', uscc: wrongCheck, industry: 'hazchem', regionCode: '513322' });
      assert.equal(bad.status, 400);
      assert.deepEqual(fields(bad), ['uscc']);
      assert.equal(bad.body.errors[0].message, `position 18: check character should be ${good[17]}`);
      const illegal = await duty.post(`${BASE}/enterprises`, { name: 'x', uscc: `${good.slice(0, 10)}O${good.slice(11)}`, industry: 'hazchem', regionCode: '513322' });
      assert.match(illegal.body.errors[0].message, /^position 11: "O" is not a code character/);
      const short = await duty.post(`${BASE}/enterprises`, { name: 'x', uscc: good.slice(0, 15), industry: 'hazchem' });
      assert.match(short.body.errors[0].message, /must be 18 characters, not 15/);
      const empty = await duty.post(`${BASE}/enterprises`, {});
      assert.deepEqual(fields(empty).sort(), ['industry', 'name', 'uscc']);
      const many = await duty.post(`${BASE}/enterprises`, {
        name: 'x', uscc: good, industry: 'crowded_place', lon: 104.06, regionCode: KANGDING,
        persons: [{ role: 'principal', name: '张三', phone: '12345' }],
      });
      assert.equal(many.status, 400);
      assert.deepEqual(fields(many).sort(), ['department', 'lat', 'persons.0.phone', 'regionCode'].sort());
      const far = await duty.post(`${BASE}/enterprises`, { name: 'x', uscc: good, industry: 'hazchem', regionCode: '513322100', lon: 104.06, lat: 30.67 });
      assert.deepEqual(fields(far).sort(), ['lat', 'lon']);

      const res = await duty.post(`${BASE}/enterprises`, {
        name: '泸定县测试化工有限公司', uscc: ` ${good.toLowerCase().slice(0, 9)} ${good.toLowerCase().slice(9)} `, industry: 'hazchem', scale: 'small',
        address: '泸桥镇工业园', lon: 102.24, lat: 29.93, regionCode: '513322100',
        persons: [{ role: 'principal', name: '张三', phone: '139-0836-9001' }, { role: 'safety_manager', name: '李四', phone: '0836-2821234' }],
      });
      assert.equal(res.status, 201, res.text);
      enterprise = res.body;
      assert.equal(enterprise.uscc, good);
      assert.equal(enterprise.department, 'emergency');
      assert.equal(enterprise.departmentName, '应急管理局');
      assert.equal(enterprise.industryName, '危险化学品');
      assert.equal(enterprise.regionName, '泸桥镇');
      assert.deepEqual(enterprise.persons, [{ role: 'principal', name: '张三', phone: '13908369001' }, { role: 'safety_manager', name: '李四', phone: '08362821234' }]);
      assert.equal(enterprise.version, 1);
      assert.equal(enterprise.createdBy, 'ld-duty');
      assert.ok(events.some((e) => e.type === 'risk.enterprise_created' && e.data.id === enterprise.id && e.regionCode === '513322100'));
      assert.deepEqual((await duty.get(`${BASE}/enterprises/${enterprise.id}`)).body, enterprise);

      const byName = await duty.get(`${BASE}/enterprises?q=${encodeURIComponent('测试化工')}`);
      assert.deepEqual(byName.body.items.map((e: { id: number }) => e.id), [enterprise.id]);
      assert.equal((await duty.get(`${BASE}/enterprises?q=${good.slice(0, 12)}`)).body.total, 1);
      const hazchem = await duty.get(`${BASE}/enterprises?industry=hazchem`);
      assert.ok(hazchem.body.items.every((e: { industry: string }) => e.industry === 'hazchem'));
      assert.equal(hazchem.body.total, 3);
      assert.equal((await duty.get(`${BASE}/enterprises?regionCode=513322103`)).body.total, DEMO_ENTERPRISES.filter((e) => e.regionCode === '513322103').length);
      const paged = await duty.get(`${BASE}/enterprises?limit=5&offset=5`);
      assert.equal(paged.body.items.length, 5);
      assert.equal(paged.body.total, DEMO_ENTERPRISES.length + 1);

      // Coordinates alone place an enterprise in their county.
      const placed = await duty.post(`${BASE}/enterprises`, { name: '泸定县坐标定位测试商店', uscc: code(2), industry: 'commerce', lon: 102.22, lat: 29.8 });
      assert.equal(placed.status, 201, placed.text);
      assert.equal(placed.body.regionCode, '513322');
      const outside = await duty.post(`${BASE}/enterprises`, { name: 'x', uscc: code(3), industry: 'commerce', ...KD_SEAT });
      assert.equal(outside.status, 400);
      assert.deepEqual(fields(outside), ['regionCode']);
      assert.equal((await duty.delete(`${BASE}/enterprises/${placed.body.id}`)).status, 204);
    });

    test('a credit code registers one enterprise: 409 naming it, and not naming another county\'s', async () => {
      const dup = await inspector.post(`${BASE}/enterprises`, { name: '另一家公司', uscc: enterprise.uscc, industry: 'commerce' });
      assert.equal(dup.status, 409);
      assert.deepEqual(fields(dup), ['uscc']);
      assert.match(dup.body.detail, new RegExp(`${enterprise.uscc} is already registered for 泸定县测试化工有限公司 \\(enterprise ${enterprise.id}\\)`));
      const kdDup = await kd.post(`${BASE}/enterprises`, { name: '康定某公司', uscc: enterprise.uscc, industry: 'commerce', regionCode: KANGDING });
      assert.equal(kdDup.status, 409);
      assert.doesNotMatch(kdDup.text, /测试化工/);
      assert.match(kdDup.body.errors[0].message, /outside your region/);
      // Changing another enterprise's code to a taken one is refused too.
      const other = (await duty.get(`${BASE}/enterprises?q=${encodeURIComponent('冷碛加油站')}`)).body.items[0];
      const taken = await duty.request('PUT', `${BASE}/enterprises/${other.id}`, { uscc: enterprise.uscc, version: other.version });
      assert.equal(taken.status, 409);
    });

    test('enterprises: changed with the version read, stale versions refused, out of scope invisible, every change audited', async () => {
      const stale = await duty.request('PUT', `${BASE}/enterprises/${enterprise.id}`, { name: 'x', version: 7 });
      assert.equal(stale.status, 409);
      assert.match(stale.body.detail, /version 7.*version 1/);
      const changed = await inspector.request('PUT', `${BASE}/enterprises/${enterprise.id}`, {
        scale: 'medium', persons: [{ role: 'principal', name: '张三', phone: '13908369001' }], version: 1,
      });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.version, 2);
      assert.equal(changed.body.scale, 'medium');
      assert.equal(changed.body.persons.length, 1);
      assert.equal(changed.body.name, '泸定县测试化工有限公司');
      assert.equal(changed.body.updatedBy, 'ld-inspector');
      const same = await inspector.request('PUT', `${BASE}/enterprises/${enterprise.id}`, { scale: 'medium', version: 2 });
      assert.equal(same.body.version, 2);
      assert.equal((await kd.request('PUT', `${BASE}/enterprises/${enterprise.id}`, { name: 'x', version: 2 })).status, 404);
      assert.equal((await kd.delete(`${BASE}/enterprises/${enterprise.id}`)).status, 404);
      assert.equal((await duty.request('PUT', `${BASE}/enterprises/${enterprise.id}`, { regionCode: KANGDING, version: 2 })).status, 400);
      // Responders register places, not enterprises.
      assert.equal((await responder.post(`${BASE}/enterprises`, { name: 'x', uscc: code(9), industry: 'commerce' })).status, 403);
      const audit = await gz.get('/api/v1/audit?limit=200');
      const mine = audit.body.items.filter((a: { targetType: string; targetId: string }) => a.targetType === 'risk_enterprise' && a.targetId === String(enterprise.id));
      assert.deepEqual(mine.map((a: { action: string }) => a.action).sort(), ['risk.enterprise_created', 'risk.enterprise_updated']);
      const upd = mine.find((a: { action: string }) => a.action === 'risk.enterprise_updated');
      assert.equal(upd.before.scale, 'small');
      assert.equal(upd.after.scale, 'medium');
    });

    test('GB 18218 units: declared with chemicals, computed term by term, recomputed on change, refused naming the line', async () => {
      const base = `${BASE}/enterprises/${enterprise.id}/installations`;
      const bad = await duty.post(base, {
        name: '储罐区', kind: 'storage', exposedPopulation: 120,
        chemicals: [{ name: '液氯', quantityTonnes: -2 }, { name: '神秘物质', quantityTonnes: 3 }, { cas: '7782-50-4', quantityTonnes: 1 }],
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(fields(bad).sort(), ['chemicals.0.quantityTonnes', 'chemicals.1.name', 'chemicals.2.cas']);
      assert.equal((await duty.post(base, { name: 'x', kind: 'warehouse', exposedPopulation: 1, chemicals: [{ name: '氯', quantityTonnes: 1 }] })).status, 400);
      assert.deepEqual(fields(await duty.post(base, { name: 'x', kind: 'storage', exposedPopulation: 1, chemicals: [] })), ['chemicals']);

      const res = await duty.post(base, {
        name: '液氯储存库', kind: 'storage', exposedPopulation: 120,
        chemicals: [{ name: '液氯', quantityTonnes: 30 }, { name: '柴油', hazardClasses: ['W5.4'], quantityTonnes: 500 }],
      });
      assert.equal(res.status, 201, res.text);
      const unit = res.body;
      // S = 30/5 + 500/5000 = 6.1; Σβq/Q = 4×6 + 1×0.1 = 24.1; R = 2 × 24.1 = 48.2 → 三级
      assert.ok(Math.abs(unit.s - 6.1) < 1e-9);
      assert.ok(Math.abs(unit.r - 48.2) < 1e-9);
      assert.equal(unit.major, true);
      assert.equal(unit.grade, 3);
      assert.equal(unit.kindName, '储存单元');
      assert.equal(unit.computation.gradeLabel, '三级');
      assert.equal(unit.computation.alpha, 2);
      assert.deepEqual(unit.computation.terms.map((t: { criticalQuantity: number; beta: number }) => [t.criticalQuantity, t.beta]), [[5, 4], [5000, 1]]);
      assert.deepEqual(unit.chemicals[1], { name: '柴油', cas: null, quantityTonnes: 500, hazardClasses: ['W5.4'], betaClass: null });
      const read = await duty.get(`${base}/${unit.id}`);
      assert.deepEqual(read.body, unit);
      assert.equal((await duty.get(`${BASE}/enterprises/${enterprise.id}`)).body.topGrade, 3);

      // Fewer people and less chlorine: S = 4/5 + 0.1 = 0.9 — no longer a major hazard.
      const changed = await inspector.request('PUT', `${base}/${unit.id}`, { exposedPopulation: 20, chemicals: [{ name: '氯', quantityTonnes: 4 }, { name: '柴油', hazardClasses: ['W5.4'], quantityTonnes: 500 }], version: 1 });
      assert.equal(changed.status, 200, changed.text);
      assert.ok(Math.abs(changed.body.s - 0.9) < 1e-9);
      assert.equal(changed.body.major, false);
      assert.equal(changed.body.grade, null);
      assert.equal(changed.body.version, 2);
      assert.equal((await inspector.request('PUT', `${base}/${unit.id}`, { name: 'x', version: 1 })).status, 409);
      assert.equal((await kd.request('PUT', `${BASE}/enterprises/${enterprise.id}/installations/${unit.id}`, { name: 'x', version: 2 })).status, 404);
      assert.equal((await duty.get(`${BASE}/enterprises/${enterprise.id}`)).body.topGrade, null);
      const list = await duty.get(base);
      assert.equal(list.body.items.length, 1);

      // An enterprise with units is deleted only with cascade.
      const refused = await duty.delete(`${BASE}/enterprises/${enterprise.id}`);
      assert.equal(refused.status, 409);
      assert.match(refused.body.detail, /1 GB 18218 unit/);
      const audit = await gz.get('/api/v1/audit?limit=50');
      const unitAudit = audit.body.items.filter((a: { targetType: string; targetId: string }) => a.targetType === 'risk_installation' && a.targetId === String(unit.id));
      assert.deepEqual(unitAudit.map((a: { action: string }) => a.action).sort(), ['risk.installation_created', 'risk.installation_updated']);
      assert.equal(unitAudit.find((a: { action: string }) => a.action === 'risk.installation_updated').before.grade, 3);
    });

    test('places: registered by a grid worker in their own township, kinds named, counties refused, others\' scope kept', async () => {
      const mine = await responder.post(`${BASE}/places`, { name: '泸桥镇测试小餐馆', kind: 'small_restaurant', address: '泸桥镇老街 1 号', operatorName: '赵六', operatorPhone: '13908369100', lon: 102.2336, lat: 29.9166 });
      assert.equal(mine.status, 201, mine.text);
      assert.equal(mine.body.regionCode, '513322100');
      assert.equal(mine.body.kindName, '小餐饮');
      assert.equal(mine.body.registeredBy, 'ld-responder');
      const county = await duty.post(`${BASE}/places`, { name: 'x', kind: 'small_shop', regionCode: '513322' });
      assert.equal(county.status, 400);
      assert.match(county.body.errors[0].message, /is a county: give the township or village/);
      assert.deepEqual(fields(await duty.post(`${BASE}/places`, { name: 'x', kind: 'small_shop' })), ['regionCode']);
      assert.deepEqual(fields(await duty.post(`${BASE}/places`, { name: 'x', kind: 'castle', regionCode: '513322103' })), ['kind']);
      assert.deepEqual(fields(await duty.post(`${BASE}/places`, { name: 'x', kind: 'small_shop', regionCode: '513322103', operatorPhone: '110' })), ['operatorPhone']);
      // The grid worker of 泸桥镇 cannot register in 磨西镇.
      const elsewhere = await responder.post(`${BASE}/places`, { name: 'x', kind: 'small_shop', regionCode: '513322103' });
      assert.equal(elsewhere.status, 400);
      assert.match(elsewhere.body.errors[0].message, /outside your region/);
      const edited = await duty.request('PUT', `${BASE}/places/${mine.body.id}`, { kind: 'small_hotel', version: 1 });
      assert.equal(edited.status, 200);
      assert.equal(edited.body.registeredBy, 'ld-responder');
      assert.equal(edited.body.updatedBy, 'ld-duty');
      const responderList = await responder.get(`${BASE}/places?limit=100`);
      assert.ok(responderList.body.items.every((p: { regionCode: string }) => p.regionCode.startsWith('513322100')));
      assert.equal((await duty.get(`${BASE}/places?kind=small_hotel&regionCode=513322100`)).body.total, 2);
      assert.equal((await kd.get(`${BASE}/places/${mine.body.id}`)).status, 404);
      assert.equal((await duty.request('DELETE', `${BASE}/places/${mine.body.id}?version=1`)).status, 409);
      assert.equal((await duty.request('DELETE', `${BASE}/places/${mine.body.id}?version=2`)).status, 204);
      assert.equal((await duty.get(`${BASE}/places/${mine.body.id}`)).status, 404);
    });

    test('import from CSV: bad rows reported by row, column and reason, duplicates in the file and the register caught, good rows kept', async () => {
      const csv = [
        '企业名称,统一社会信用代码,行业,行业主管部门,区划代码,经度,纬度,主要负责人,主要负责人电话,安全管理人员,安全管理人员电话,企业规模,无关列',
        `泸定县导入甲公司,${code(11)},建材,,513322101,102.215,29.80,王五,13908369201,,,小型,x`,
        `泸定县导入乙公司,${code(12).slice(0, 17)}Z,商贸,商务局,513322,,,,,,,,`,
        `泸定县导入丙公司,${code(13)},木材,,513322,,,,,,,,`,
        `泸定县导入丁公司,${code(11)},机械,,513322,,,,,,,,`,
        `泸定县导入戊公司,${enterprise.uscc},商贸,,513322,,,,,,,,`,
        `泸定县导入己公司,${code(14)},人员密集场所,文旅局,513322103,102.116,29.645,"孙七、周八","13908369202、0836-3261234",吴九,13908369203,中型,`,
        `泸定县导入庚公司,${code(15)},冶金,,513322,,,钱十,123,,,,`,
      ].join('\r\n');
      const res = await upload(duty, `${BASE}/import?kind=enterprises`, csv, 'text/csv');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.rows, 7);
      assert.equal(res.body.inserted, 2);
      assert.equal(res.body.rejected, 5);
      assert.deepEqual(res.body.ignoredColumns, ['无关列']);
      const byRow = (row: number) => res.body.errors.filter((e: { row: number }) => e.row === row);
      assert.match(byRow(3)[0].message, /position 18: "Z" is not a code character/);
      assert.equal(byRow(3)[0].column, '统一社会信用代码');
      assert.equal(byRow(4)[0].column, '行业');
      assert.match(byRow(4)[0].message, /unknown industry "木材"/);
      assert.match(byRow(5)[0].message, /appears again \(first on row 2\)/);
      assert.match(byRow(6)[0].message, /already registered for 泸定县测试化工有限公司/);
      assert.equal(byRow(8)[0].column, '主要负责人电话');
      const mine = await duty.get(`${BASE}/enterprises?q=${encodeURIComponent('导入')}`);
      assert.deepEqual(mine.body.items.map((e: { name: string }) => e.name).sort(), ['泸定县导入甲公司', '泸定县导入己公司'].sort());
      const ji = mine.body.items.find((e: { name: string }) => e.name === '泸定县导入己公司');
      assert.deepEqual(ji.persons.map((p: { role: string; phone: string }) => `${p.role}:${p.phone}`), ['principal:13908369202', 'principal:08363261234', 'safety_manager:13908369203']);
      assert.equal(ji.department, 'culture_tourism');
      assert.equal(ji.scale, 'medium');
      const audit = await gz.get('/api/v1/audit?limit=20');
      const imported = audit.body.items.find((a: { action: string }) => a.action === 'risk.imported');
      assert.equal(imported.after.inserted, 2);
      // Nothing importable: 400 with the reasons.
      const none = await upload(duty, `${BASE}/import?kind=enterprises`, `企业名称,统一社会信用代码,行业\r\nx,${code(16)},木材\r\n`, 'text/csv');
      assert.equal(none.status, 400);
      assert.match(none.body.errors[0].field, /^row 2/);
      const noColumn = await upload(duty, `${BASE}/import?kind=enterprises`, '名称,行业\r\nx,商贸\r\n', 'text/csv');
      assert.equal(noColumn.status, 400);
      assert.match(noColumn.body.errors[0].message, /missing column 统一社会信用代码/);
      // Another county imports none of 泸定's rows.
      const foreign = await upload(kd, `${BASE}/import?kind=enterprises`, csv, 'text/csv');
      assert.equal(foreign.status, 400);
      assert.ok(foreign.body.errors.some((e: FieldErr) => /outside your region/.test(e.message)));
    });

    test('export to xlsx and back: upsert leaves unchanged rows unchanged and applies edits; places import by 编号', async () => {
      const file = await download(duty, `${BASE}/export.xlsx?kind=enterprises&industry=crowded_place`);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), XLSX_CONTENT_TYPE);
      assert.match(file.headers.get('content-disposition') ?? '', /filename\*=UTF-8''/);
      const sheet = await readXlsxRows(file.bytes);
      const header = sheet.rows[0].cells.map(String);
      assert.deepEqual(header.slice(0, 3), ['编号', '企业名称', '统一社会信用代码']);
      const rows = sheet.rows.length - 1;
      assert.equal(rows, DEMO_ENTERPRISES.filter((e) => e.industry === 'crowded_place').length + 1);
      const again = await upload(duty, `${BASE}/import?kind=enterprises&mode=upsert`, file.bytes, XLSX_CONTENT_TYPE);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual([again.body.inserted, again.body.updated, again.body.unchanged, again.body.rejected], [0, 0, rows, 0]);
      // Insert mode refuses the same rows, pointing at upsert.
      const insert = await upload(duty, `${BASE}/import?kind=enterprises&mode=insert&dryRun=true`, file.bytes, XLSX_CONTENT_TYPE);
      assert.equal(insert.status, 400);
      assert.match(insert.body.errors[0].message, /mode=upsert/);

      const nameCol = header.indexOf('企业名称');
      const edited = await buildXlsx({
        sheets: [{ name: 'x', columns: header.map((h, i) => ({ header: h, key: String(i) })), rows: sheet.rows.slice(1, 2).map((r) => Object.fromEntries(header.map((_, i) => [String(i), i === nameCol ? `${r.cells[i]}（改）` : (r.cells[i] ?? null)]))) }],
      });
      const upd = await upload(duty, `${BASE}/import?kind=enterprises&mode=upsert`, edited, XLSX_CONTENT_TYPE);
      assert.equal(upd.body.updated, 1, upd.text);
      assert.equal((await duty.get(`${BASE}/enterprises?q=${encodeURIComponent('（改）')}`)).body.total, 1);

      const places = await download(duty, `${BASE}/export.csv?kind=places&regionCode=513322103`);
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(places.bytes);
      assert.ok(text.startsWith('\uFEFF编号,场所名称,场所类型'));
      const csv = [
        '场所名称,场所类型,区划代码,联系电话',
        '磨西镇导入小卖部,小商店,513322103,13908369300',
        '磨西镇导入无类型,,513322103,',
        '磨西镇导入县级,小商店,513322,',
      ].join('\n');
      const res = await upload(duty, `${BASE}/import?kind=places`, csv, 'text/csv');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.inserted, 1);
      assert.deepEqual(res.body.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`), ['3:kind', '4:regionCode']);
      // A grid worker's import lands in their township.
      const grid = await upload(responder, `${BASE}/import?kind=places`, '场所名称,场所类型\n泸桥镇网格导入,出租屋\n', 'text/csv');
      assert.equal(grid.body.inserted, 1, grid.text);
      assert.equal((await duty.get(`${BASE}/places?q=${encodeURIComponent('网格导入')}`)).body.items[0].regionCode, '513322100');
    });

    test('the map: enterprises and places with coordinates, the major ones marked', async () => {
      const map = await duty.get(`${BASE}/map`);
      assert.equal(map.status, 200);
      assert.ok(map.body.enterprises.length >= DEMO_ENTERPRISES.length);
      assert.ok(map.body.places.length >= DEMO_PLACES.length);
      const depot = map.body.enterprises.find((e: { name: string }) => e.name === '泸定县液化石油气储配站');
      assert.deepEqual([depot.major, depot.topGrade], [true, 4]);
      const fuel = await duty.get(`${BASE}/map?industry=hazchem`);
      assert.ok(fuel.body.enterprises.every((e: { industry: string }) => e.industry === 'hazchem'));
      assert.equal(fuel.body.places.length, 0);
    });

    test('deleting an enterprise with cascade removes its units, audited', async () => {
      const gone = await duty.request('DELETE', `${BASE}/enterprises/${enterprise.id}?cascade=true`);
      assert.equal(gone.status, 204);
      assert.equal((await duty.get(`${BASE}/enterprises/${enterprise.id}`)).status, 404);
      const audit = await gz.get('/api/v1/audit?limit=10');
      const actions = audit.body.items.map((a: { action: string }) => a.action);
      assert.ok(actions.includes('risk.enterprise_deleted'));
      assert.ok(actions.includes('risk.installation_deleted'));
    });
  });
}
