import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import { LUDING_2022 } from '../../../tests/helpers/quake-events.ts';

const LUDING = { ...LUDING_2022, name: '泸定 6.8 级地震' };

for (const target of testTargets()) {
  describe(`earthquake assessments (${target.name})`, () => {
    let s: TestServer;
    let duty: Client;
    let national: Client;
    let created: any;
    before(async () => {
      s = await startTestServer({ target });
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      national = await Client.login(s.url, 'admin', s.adminPassword);
      const res = await duty.post('/api/v1/assessments/earthquake', LUDING);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      created = res.body;
    });
    after(() => s.close());

    test('a duty officer runs an assessment: epicentre county, totals, contours, counties in scope', () => {
      assert.deepEqual(created.epicentre, { code: '513322', name: '泸定县' });
      assert.ok(created.maxIntensity >= 8 && created.maxIntensity < 10.5);
      assert.ok(created.deaths.median > 0 && created.deaths.low <= created.deaths.median && created.deaths.median <= created.deaths.high);
      assert.ok(['green', 'yellow', 'orange', 'red'].includes(created.pagerAlert));
      assert.ok(created.areaKm2ByIntensity['6'] > created.areaKm2ByIntensity['8']);
      assert.equal(created.contours.type, 'FeatureCollection');
      assert.deepEqual(created.regions.map((r: { code: string }) => r.code), ['513322'], 'a county user sees only its own county row');
      assert.equal(created.name, '泸定 6.8 级地震');
    });

    test('the national view lists every shaken county; the totals equal their sum', async () => {
      const res = await national.get(`/api/v1/assessments/earthquake/${created.id}`);
      assert.equal(res.status, 200);
      assert.ok(res.body.regions.length >= 5);
      const sum = res.body.regions.reduce((a: number, r: { deaths: number }) => a + r.deaths, 0);
      assert.ok(Math.abs(sum - res.body.deaths.median) < 0.5 + 1e-6 * res.body.deaths.median);
    });

    test('the list is scoped: 甘孜州 sees it, 北京 does not', async () => {
      const gz = await Client.login(s.url, 'gz-commander', s.demoPassword);
      assert.ok((await gz.get('/api/v1/assessments/earthquake')).body.items.some((a: { id: number }) => a.id === created.id));
      await national.post('/api/v1/users', { username: 'bj-duty', password: 'beijing-123', displayName: '北京值班员', role: 'duty', regionCode: '110101' });
      const bj = await Client.login(s.url, 'bj-duty', 'beijing-123');
      assert.equal((await bj.get('/api/v1/assessments/earthquake')).body.items.length, 0);
      assert.equal((await bj.get(`/api/v1/assessments/earthquake/${created.id}`)).status, 404);
      const far = await bj.post('/api/v1/assessments/earthquake', LUDING);
      assert.equal(far.status, 400, 'cannot create what it could never read');
    });

    test('bad parameters name each field; roles without command duty cannot run one', async () => {
      const bad = await duty.post('/api/v1/assessments/earthquake', { lon: 102, lat: 95, depthKm: 10, magnitude: 15 });
      assert.equal(bad.status, 400);
      const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
      assert.deepEqual(fields, ['lat', 'magnitude']);
      const wrongType = await duty.post('/api/v1/assessments/earthquake', { lon: '102', lat: 29, depthKm: 10, magnitude: 6 });
      assert.equal(wrongType.status, 400);
      assert.equal(wrongType.body.errors[0].field, 'lon');
      const inspector = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      assert.equal((await inspector.post('/api/v1/assessments/earthquake', LUDING)).status, 403);
      assert.equal((await inspector.get(`/api/v1/assessments/earthquake/${created.id}`)).status, 200, 'everyone in scope may read');
    });

    test('the run is audited', async () => {
      const audit = await national.get('/api/v1/audit?limit=50');
      const entry = audit.body.items.find((e: { action: string }) => e.action === 'assessment.earthquake_created');
      assert.equal(entry.actorName, 'ld-duty');
      assert.equal(entry.regionCode, '513322');
      assert.equal(entry.after.event.magnitude, 6.8);
    });
  });
}
