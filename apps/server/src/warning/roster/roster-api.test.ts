import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../../../tests/helpers/server.ts';
import { Client } from '../../../../../tests/helpers/http.ts';

const BASE = '/api/v1/warning';
type FieldErr = { field: string; message: string };
const fields = (res: { body: { errors?: FieldErr[] } }) => (res.body.errors ?? []).map((e) => e.field).sort();
const message = (res: { body: { errors?: FieldErr[] } }, field: string) => res.body.errors?.find((e) => e.field === field)?.message ?? '';

const put = (c: Client, path: string, body: unknown) => c.request('PUT', path, body);

async function ok<T = any>(p: Promise<{ status: number; body: T; text: string }>, status = 200): Promise<T> {
  const res = await p;
  assert.equal(res.status, status, res.text);
  return res.body;
}

for (const target of testTargets()) {
  describe(`warning roster API (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let inspector: Client;
    let responder: Client;
    let gz: Client;
    let kd: Client;
    let town: Client;
    let ldAdmin: Client;
    let county: any;
    let township: any;
    let village: any;

    before(async () => {
      s = await startTestServer({ target });
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      inspector = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      responder = await Client.login(s.url, 'ld-responder', s.demoPassword);
      gz = await Client.login(s.url, 'gz-admin', s.demoPassword);
      ldAdmin = await Client.login(s.url, 'ld-admin', s.demoPassword);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      await ok(admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: '513301' }), 201);
      await ok(admin.post('/api/v1/users', { username: 'lq-duty', password: 'luqiao-1234', displayName: '泸桥镇值班员', role: 'duty', regionCode: '513322100' }), 201);
      kd = await Client.login(s.url, 'kd-duty', 'kangding-123');
      town = await Client.login(s.url, 'lq-duty', 'luqiao-1234');
    });
    after(() => s.close());

    test('the vocabulary names the roles, kinds and categories in Chinese and English', async () => {
      const v = await ok(duty.get(`${BASE}/roster/vocabulary`));
      const zh = (list: { key: string; zh: string }[]) => Object.fromEntries(list.map((x) => [x.key, x.zh]));
      assert.deepEqual(zh(v.roles), { flood: '防汛责任人', guardian: '包保责任人', grid: '网格员', informant: '灾害信息员', cadre: '村干部', township: '乡镇责任人', county: '县级责任人', other: '其他' });
      assert.equal(zh(v.vulnerableCategories).elderly_alone, '独居老人');
      assert.equal(zh(v.vulnerableCategories).left_behind_child, '留守儿童');
      assert.deepEqual(v.assignmentKinds.map((k: { key: string }) => k.key), ['place', 'household', 'vulnerable', 'point', 'region']);
    });

    test('persons: validation names the field and says why', async () => {
      assert.deepEqual(fields(await duty.post(`${BASE}/persons`, {})), ['name', 'phone', 'regionCode', 'roles']);
      const badPhone = await duty.post(`${BASE}/persons`, { name: '张三', phone: '12345678901', roles: ['grid'], regionCode: '513322100' });
      assert.equal(badPhone.status, 400);
      assert.match(message(badPhone, 'phone'), /mainland mobile/);
      const shortPhone = await duty.post(`${BASE}/persons`, { name: '张三', phone: '1390000123', roles: ['grid'], regionCode: '513322100' });
      assert.match(message(shortPhone, 'phone'), /11 digits \(got 10\)/);
      const role = await duty.post(`${BASE}/persons`, { name: '张三', phone: '13900001234', roles: ['mayor'], regionCode: '513322100' });
      assert.equal(role.status, 400);
      assert.deepEqual(fields(role), ['roles.0']);
      const outside = await duty.post(`${BASE}/persons`, { name: '张三', phone: '13900001234', roles: ['grid'], regionCode: '513301' });
      assert.match(message(outside, 'regionCode'), /outside your region 513322/);
      const unknown = await duty.post(`${BASE}/persons`, { name: '张三', phone: '13900001234', roles: ['grid'], regionCode: '513322999' });
      assert.match(message(unknown, 'regionCode'), /unknown region code 513322999/);
      const level = await gz.post(`${BASE}/persons`, { name: '张三', phone: '13900001234', roles: ['other'], regionCode: '513300' });
      assert.match(message(level, 'regionCode'), /is a prefecture/);
      const email = await duty.post(`${BASE}/persons`, { name: '张三', phone: '13900001234', roles: ['grid'], regionCode: '513322100', email: '13900001234' });
      assert.deepEqual(fields(email), ['email']);
      const superior = await duty.post(`${BASE}/persons`, { name: '张三', phone: '13900001234', roles: ['grid'], regionCode: '513322100', superiorId: 999999 });
      assert.match(message(superior, 'superiorId'), /no responsible person 999999 in your region/);
    });

    test('persons: the chain village → township → county is built, phones normalised and unique', async () => {
      county = await ok(duty.post(`${BASE}/persons`, { name: '罗县长', phone: '+86 139-0000-0101', roles: ['county', 'flood'], regionCode: '513322' }), 201);
      assert.equal(county.phone, '13900000101');
      assert.deepEqual(county.roles, ['flood', 'county'], 'roles in the vocabulary\'s order');
      assert.equal(county.version, 1);
      assert.equal(county.createdBy, 'ld-duty');
      township = await ok(duty.post(`${BASE}/persons`, { name: '泸桥镇李镇长', phone: '13900000102', roles: ['township'], regionCode: '513322100', superiorId: county.id }), 201);
      assert.equal(township.superiorName, '罗县长');
      // A village: the roster loads the county's villages into the region tree on first use.
      village = await ok(duty.post(`${BASE}/persons`, { name: '王网格', phone: '13900000103', roles: ['grid', 'informant'], regionCode: '513322100001', superiorId: township.id }), 201);
      assert.equal(village.regionName, '南段社区');
      const taken = await duty.post(`${BASE}/persons`, { name: '重复', phone: '139 0000 0103', roles: ['grid'], regionCode: '513322100' });
      assert.equal(taken.status, 400);
      assert.match(message(taken, 'phone'), /already the phone of 王网格/);
      const elsewhere = await kd.post(`${BASE}/persons`, { name: '重复', phone: '13900000103', roles: ['grid'], regionCode: '513301' });
      assert.match(message(elsewhere, 'phone'), /outside your region/);
      const villages = await ok(duty.get(`${BASE}/roster/regions/513322103/villages`));
      assert.ok(villages.items.some((v: { name: string }) => v.name === '共和村'), JSON.stringify(villages.items));
    });

    test('persons: a loop in the chain is refused, naming who is on it; stale versions answer 409', async () => {
      const self = await put(duty, `${BASE}/persons/${county.id}`, { version: county.version, superiorId: county.id });
      assert.match(message(self, 'superiorId'), /own superior/);
      const loop = await put(duty, `${BASE}/persons/${county.id}`, { version: county.version, superiorId: village.id });
      assert.equal(loop.status, 400);
      assert.match(message(loop, 'superiorId'), /loop in the chain of superiors \(罗县长 → 王网格 → 泸桥镇李镇长 → 罗县长\)/);
      const renamed = await ok(put(duty, `${BASE}/persons/${village.id}`, { version: village.version, email: 'wang@example.cn', notes: '新桥片区' }));
      assert.equal(renamed.version, 2);
      assert.equal(renamed.email, 'wang@example.cn');
      assert.equal(renamed.superiorId, township.id, 'fields not given stay');
      const same = await ok(put(duty, `${BASE}/persons/${village.id}`, { version: 2, email: 'wang@example.cn' }));
      assert.equal(same.version, 2, 'an unchanged save is no change');
      const stale = await put(duty, `${BASE}/persons/${village.id}`, { version: 1, notes: 'x' });
      assert.equal(stale.status, 409);
      village = renamed;
    });

    test('persons: listed and filtered in scope only; who may read and write', async () => {
      const all = await ok(duty.get(`${BASE}/persons`));
      assert.equal(all.total, 3);
      assert.equal((await ok(duty.get(`${BASE}/persons?role=grid`))).total, 1);
      assert.equal((await ok(duty.get(`${BASE}/persons?regionCode=513322100`))).total, 2);
      assert.equal((await ok(duty.get(`${BASE}/persons?q=0102`))).items[0].name, '泸桥镇李镇长');
      assert.equal((await ok(duty.get(`${BASE}/persons?q=${encodeURIComponent('网格')}`))).total, 1);
      assert.equal((await ok(duty.get(`${BASE}/persons?superiorId=${township.id}`))).items[0].id, village.id);
      assert.equal((await ok(gz.get(`${BASE}/persons`))).total, 3, 'the prefecture sees its counties');
      assert.equal((await ok(kd.get(`${BASE}/persons`))).total, 0, '康定 sees nobody of 泸定');
      assert.equal((await kd.get(`${BASE}/persons/${village.id}`)).status, 404);
      assert.equal((await put(kd, `${BASE}/persons/${village.id}`, { version: 2, notes: 'x' })).status, 404);
      assert.equal((await kd.delete(`${BASE}/persons/${village.id}`)).status, 404);
      assert.equal((await ok(town.get(`${BASE}/persons`))).total, 2, 'a township sees its own and its villages\' persons');
      assert.equal((await ok(inspector.get(`${BASE}/persons`))).total, 3);
      assert.equal((await inspector.post(`${BASE}/persons`, { name: 'x', phone: '13900000999', roles: ['grid'], regionCode: '513322' })).status, 403);
      assert.equal((await responder.get(`${BASE}/persons`)).status, 403);
      assert.equal((await new Client(s.url).get(`${BASE}/persons`)).status, 401);
      // A township user may not hang a person below the county's officer, who is outside its region.
      const up = await town.post(`${BASE}/persons`, { name: '赵', phone: '13900000104', roles: ['cadre'], regionCode: '513322100', superiorId: county.id });
      assert.match(message(up, 'superiorId'), /no responsible person \d+ in your region/);
    });

    test('the chain upwards; above the caller\'s region without the phone', async () => {
      const chain = (await ok(duty.get(`${BASE}/persons/${village.id}/chain`))).items;
      assert.deepEqual(chain.map((c: { level: number; name: string }) => [c.level, c.name]), [[0, '王网格'], [1, '泸桥镇李镇长'], [2, '罗县长']]);
      assert.equal(chain[2].phone, '13900000101');
      const seenFromTown = (await ok(town.get(`${BASE}/persons/${village.id}/chain`))).items;
      assert.equal(seenFromTown[2].name, '罗县长');
      assert.equal(seenFromTown[2].inScope, false);
      assert.equal(seenFromTown[2].phone, null);
      assert.equal((await kd.get(`${BASE}/persons/${village.id}/chain`)).status, 404);
    });

    test('a person may be linked to a login account of the region, once', async () => {
      const users = await ok(ldAdmin.get('/api/v1/users'));
      const responderUser = users.items.find((u: { username: string }) => u.username === 'ld-responder');
      const linked = await ok(put(duty, `${BASE}/persons/${village.id}`, { version: village.version, userId: responderUser.id }));
      assert.equal(linked.username, 'ld-responder');
      village = linked;
      const twice = await put(duty, `${BASE}/persons/${township.id}`, { version: township.version, userId: responderUser.id });
      assert.match(message(twice, 'userId'), /already linked to responsible person/);
      const kdUser = (await ok(gz.get('/api/v1/users'))).items.find((u: { regionCode: string }) => u.regionCode === '513301');
      if (kdUser) assert.match(message(await put(duty, `${BASE}/persons/${township.id}`, { version: township.version, userId: kdUser.id }), 'userId'), /no user/);
    });

    let household: any;
    test('assignments: validated, positioned, listed per person and across persons', async () => {
      const base = `${BASE}/persons/${village.id}/assignments`;
      assert.deepEqual(fields(await duty.post(base, {})), ['kind', 'name', 'regionCode']);
      assert.match(message(await duty.post(base, { kind: 'vulnerable', name: '陈奶奶', regionCode: '513322100001', people: 1 }), 'category'), /required for a vulnerable person/);
      assert.match(message(await duty.post(base, { kind: 'household', category: 'ill', name: '陈家', regionCode: '513322100001' }), 'category'), /only for kind vulnerable/);
      assert.match(message(await duty.post(base, { kind: 'household', name: '陈家', regionCode: '513322100001', lon: 102.23 }), 'lat'), /both lon and lat/);
      // A position in 成都 for a household of 泸定.
      const far = await duty.post(base, { kind: 'household', name: '陈家', regionCode: '513322100001', lon: 104.06, lat: 30.67 });
      assert.equal(far.status, 400);
      assert.deepEqual(fields(far), ['lat', 'lon']);
      assert.match(message(far, 'lon'), /outside 泸定县 \(513322\)/);
      assert.match(message(await duty.post(base, { kind: 'household', name: '陈家', regionCode: '513301' }), 'regionCode'), /outside your region/);
      household = await ok(duty.post(base, { kind: 'household', name: '陈家', regionCode: '513322100001', lon: 102.236, lat: 29.919, people: 5 }), 201);
      assert.equal(household.personName, '王网格');
      assert.equal(household.regionName, '南段社区');
      const elder = await ok(duty.post(base, { kind: 'vulnerable', category: 'elderly_alone', name: '陈奶奶', regionCode: '513322100001', people: 1 }), 201);
      assert.equal(elder.lon, null);
      // A monitoring point named by id lends its position.
      const point = await ok(duty.post('/api/v1/monitoring/points', { name: '南段滑坡', type: 'landslide', regionCode: '513322100', lon: 102.231, lat: 29.915 }), 201);
      const slope = await ok(duty.post(base, { kind: 'point', name: '南段滑坡', regionCode: '513322100', ref: String(point.id), people: 30 }), 201);
      assert.deepEqual([slope.lon, slope.lat], [102.231, 29.915]);
      const mine = await ok(duty.get(base));
      assert.equal(mine.total, 3);
      const person = await ok(duty.get(`${BASE}/persons/${village.id}`));
      assert.equal(person.assignmentCount, 3);
      assert.equal(person.people, 36);
      const vulnerable = await ok(duty.get(`${BASE}/assignments?kind=vulnerable&regionCode=513322100`));
      assert.deepEqual(vulnerable.items.map((a: { name: string }) => a.name), ['陈奶奶']);
      assert.equal((await ok(kd.get(`${BASE}/assignments`))).total, 0);
      assert.equal((await kd.get(base)).status, 404);
      const moved = await ok(put(duty, `${base}/${household.id}`, { version: 1, people: 6, kind: 'household' }));
      assert.equal(moved.people, 6);
      assert.equal(moved.version, 2);
      assert.equal((await put(duty, `${base}/${household.id}`, { version: 1, people: 7 })).status, 409);
      const off = await ok(put(duty, `${base}/${elder.id}`, { version: 1, active: false }));
      assert.equal(off.active, false);
      assert.equal((await ok(duty.get(`${BASE}/persons/${village.id}`))).people, 36, 'an inactive assignment does not count');
      household = moved;
    });

    test('deleting: refused while others report to the person or a warning reached them; audited', async () => {
      const busy = await duty.delete(`${BASE}/persons/${township.id}`);
      assert.equal(busy.status, 409);
      assert.match(busy.body.detail, /1 responsible person\(s\) have 泸桥镇李镇长 as their superior/);
      const extra = await ok(duty.post(`${BASE}/persons`, { name: '临时', phone: '13900000105', roles: ['other'], regionCode: '513322' }), 201);
      await ok(duty.post(`${BASE}/persons/${extra.id}/assignments`, { kind: 'place', name: '临时安置点', regionCode: '513322', people: 0 }), 201);
      // A warning that reached the person keeps them on record.
      const db = s.anlan.ctx.db;
      const w = await db.query<{ id: number }>(
        `INSERT INTO warnings (thread_id, identifier, sender, msg_type, stage, event, level, headline, description, region_code, state, expires_at, drafted_by_name)
         VALUES (0, 'roster-delete-test', 's', 'Alert', 'forecast', 'rainstorm', 'blue', 'h', 'd', '513322', 'issued', now() + interval '1 day', 't') RETURNING id`,
      );
      await db.query(`INSERT INTO warning_recipients (warning_id, thread_id, person_id, name, phone, region_code, reason) VALUES ($1, $1, $2, '临时', '13900000105', '513322', 'region')`, [w.rows[0].id, extra.id]);
      const warned = await duty.delete(`${BASE}/persons/${extra.id}`);
      assert.equal(warned.status, 409);
      assert.match(warned.body.detail, /deactivate/);
      await db.query('DELETE FROM warning_recipients WHERE person_id = $1', [extra.id]);
      assert.equal((await duty.delete(`${BASE}/persons/${extra.id}?version=9`)).status, 409);
      assert.equal((await duty.delete(`${BASE}/persons/${extra.id}`)).status, 204);
      assert.equal((await duty.get(`${BASE}/persons/${extra.id}`)).status, 404);
      assert.equal((await duty.delete(`${BASE}/persons/${village.id}/assignments/${household.id}?version=1`)).status, 409);
      assert.equal((await duty.delete(`${BASE}/persons/${village.id}/assignments/${household.id}`)).status, 204);
      const audit = (await ok(ldAdmin.get('/api/v1/audit?limit=200'))).items as { action: string; targetId: string; before: any; after: any }[];
      const actions = new Set(audit.map((a) => a.action));
      for (const a of ['warning.person_created', 'warning.person_updated', 'warning.person_deleted', 'warning.assignment_created', 'warning.assignment_updated', 'warning.assignment_deleted']) assert.ok(actions.has(a), a);
      const deleted = audit.find((a) => a.action === 'warning.person_deleted' && a.targetId === String(extra.id))!;
      assert.equal(deleted.before.assignments[0].name, '临时安置点', 'the assignments go with the person, on record');
      const update = audit.find((a) => a.action === 'warning.person_updated' && a.targetId === String(village.id))!;
      assert.ok(update.before && update.after);
    });

    test('settings: chain levels read by readers, changed by administrators only', async () => {
      assert.deepEqual(await ok(duty.get(`${BASE}/roster/settings`)), { chainLevels: 1 });
      assert.equal((await put(duty, `${BASE}/roster/settings`, { chainLevels: 2 })).status, 403);
      assert.equal((await put(ldAdmin, `${BASE}/roster/settings`, { chainLevels: 9 })).status, 400);
      assert.deepEqual(await ok(put(ldAdmin, `${BASE}/roster/settings`, { chainLevels: 2 })), { chainLevels: 2 });
      assert.deepEqual(await ok(inspector.get(`${BASE}/roster/settings`)), { chainLevels: 2 });
      const audit = (await ok(ldAdmin.get('/api/v1/audit?limit=20'))).items as { action: string; before: any; after: any }[];
      const change = audit.find((a) => a.action === 'warning.chain_levels_changed')!;
      assert.deepEqual([change.before, change.after], [{ chainLevels: 1 }, { chainLevels: 2 }]);
    });
  });
}
