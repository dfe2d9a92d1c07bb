import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import { LUDING_2022 } from '../../../tests/helpers/quake-events.ts';
import { AssessmentJobRunner } from '../src/assessment/jobs.ts';
import { assessmentJobWork } from '../src/assessment/service.ts';

const LUDING = LUDING_2022;
const BASE = '/api/v1/assessments/earthquake';
const CLASSES = ['A1', 'B', '砖混', '框架', 'E'];

/** `n` buildings of 泸定县 around the 2022 epicentre, deterministic. */
function ludingCsv(n: number, extra: string[] = []): string {
  const lines = ['lon,lat,class,floors,floor_area_m2,occupants_day,occupants_night,value_cny,region_code'];
  for (let i = 0; i < n; i++) {
    const lon = (102.1 + ((i * 37) % 100) / 1000).toFixed(4);
    const lat = (29.6 + ((i * 53) % 100) / 1000).toFixed(4);
    lines.push(`${lon},${lat},${CLASSES[i % CLASSES.length]},${1 + (i % 6)},${120 + i},${i % 9},${(i % 7) + 1},,513322`);
  }
  return [...lines, ...extra].join('\n');
}

async function waitForJob(c: Client, id: number): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const job = (await c.get(`${BASE}/jobs/${id}`)).body;
    if (job.state === 'done' || job.state === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}

for (const target of testTargets()) {
  describe(`earthquake assessment over an uploaded inventory (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let small: any;
    const upload = (c: Client, name: string, body: string, type = 'text/csv') =>
      c.request('POST', `${BASE}/inventories?name=${encodeURIComponent(name)}`, body, { 'content-type': type });

    before(async () => {
      s = await startTestServer({ target, assessmentJobRows: 50 });
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
    });
    after(() => s.close());

    test('an upload keeps the good rows and lists each bad one by row and field, outside-scope rows included', async () => {
      const res = await upload(duty, '泸定县城区房屋', ludingCsv(20, ['102.2,29.7,Z9,2,100,1,1,,513322', '101.9,30.0,C,2,100,1,1,,513301']));
      assert.equal(res.status, 201, res.text);
      small = res.body;
      assert.equal(small.rows, 20);
      assert.equal(small.rejectedRows, 2);
      assert.deepEqual(small.errors.map((e: { row: number; field: string }) => [e.row, e.field]), [[22, 'class'], [23, 'region_code']]);
      assert.match(small.errors[1].message, /outside your region 513322/);
      assert.deepEqual(small.counties, ['513322']);
    });

    test('GeoJSON uploads too; a file with no good row is refused with the reasons', async () => {
      const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [102.2, 29.7] }, properties: { 结构类型: '砖混', 建筑面积: 300, 白天人数: 5, 夜间人数: 8 } }] };
      const geo = await upload(duty, '单栋', JSON.stringify(fc), 'application/geo+json');
      assert.equal(geo.status, 201, geo.text);
      assert.equal(geo.body.rows, 1);
      const bad = await upload(duty, '坏文件', 'lon,lat\n1,2\n');
      assert.equal(bad.status, 400);
      assert.ok(bad.body.errors.some((e: { field: string }) => e.field.includes('class')), bad.text);
      const noName = await duty.request('POST', `${BASE}/inventories`, ludingCsv(2), { 'content-type': 'text/csv' });
      assert.equal(noName.status, 400);
    });

    test('a small inventory is assessed inside the request, over its own buildings', async () => {
      const res = await duty.post(BASE, { ...LUDING, inventoryId: small.id, name: '城区房屋情景' });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body.exposure, { kind: 'inventory', id: small.id, name: '泸定县城区房屋', rows: 20 });
      const buildings = res.body.buildingsByDamageState.reduce((a: number, b: number) => a + b, 0);
      assert.ok(Math.abs(buildings - 20) < 1e-6, `20 buildings in, ${buildings} out`);
      assert.deepEqual(res.body.regions.map((r: { code: string }) => r.code), ['513322']);
    });

    test('a large inventory runs as a job that ends with a stored assessment', async () => {
      const big = await upload(duty, '全县房屋', ludingCsv(120));
      assert.equal(big.status, 201, big.text);
      const res = await duty.post(BASE, { ...LUDING, inventoryId: big.body.id });
      assert.equal(res.status, 202, res.text);
      assert.equal(res.headers.get('location'), `${BASE}/jobs/${res.body.id}`);
      const job = await waitForJob(duty, res.body.id);
      assert.equal(job.state, 'done', job.error);
      const a = await duty.get(`${BASE}/${job.assessmentId}`);
      assert.equal(a.status, 200);
      assert.equal(a.body.exposure.rows, 120);
      assert.ok((await duty.get(`${BASE}/jobs`)).body.items.some((j: { id: number }) => j.id === job.id));
    });

    test('a job left running by a stopped server is run again on start', async () => {
      const { ctx } = s.anlan;
      const user = await ctx.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'ld-duty'");
      const inserted = await ctx.db.query<{ id: number }>(
        `INSERT INTO earthquake_assessment_jobs (created_by, created_by_name, region_code, scope_code, inventory_id, event, state, stage)
         VALUES ($1, 'ld-duty', '513322', '513322', $2, $3, 'running', 'assessing') RETURNING id`,
        [user.rows[0].id, small.id, JSON.stringify(LUDING)],
      );
      const runner = new AssessmentJobRunner({ db: ctx.db, clock: ctx.clock, bus: ctx.bus, log: ctx.log });
      await runner.start(assessmentJobWork(ctx));
      const job = await waitForJob(duty, Number(inserted.rows[0].id));
      await runner.close();
      assert.equal(job.state, 'done', job.error);
      assert.ok(job.assessmentId > 0);
    });

    test('another county neither sees nor uses the inventory; deleting it keeps the assessments', async () => {
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定值班员', role: 'duty', regionCode: '513301' });
      const other = await Client.login(s.url, 'kd-duty', 'kangding-123');
      assert.equal((await other.get(`${BASE}/inventories/${small.id}`)).status, 404);
      assert.equal((await other.get(`${BASE}/inventories`)).body.items.length, 0);
      assert.equal((await other.post(BASE, { ...LUDING, inventoryId: small.id })).status, 404);
      const viewer = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      assert.equal((await upload(viewer, 'x', ludingCsv(2))).status, 403);

      assert.equal((await duty.delete(`${BASE}/inventories/${small.id}`)).status, 204);
      assert.equal((await duty.get(`${BASE}/inventories/${small.id}`)).status, 404);
      const audit = (await admin.get('/api/v1/audit?limit=100')).body.items.map((e: { action: string }) => e.action);
      assert.ok(audit.includes('assessment.inventory_uploaded') && audit.includes('assessment.inventory_deleted'));
    });
  });
}
