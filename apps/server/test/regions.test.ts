import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';

for (const target of testTargets()) {
  describe(`regions (${target.name})`, () => {
    let s: TestServer;
    let admin: Client;
    before(async () => {
      s = await startTestServer({ target });
      admin = await Client.login(s.url, 'admin', s.adminPassword);
    });
    after(() => s.close());

    test('the national tree starts with the 31 provinces', async () => {
      const roots = await admin.get('/api/v1/regions');
      assert.equal(roots.body.items.length, 31);
      const sichuan = roots.body.items.find((r: { code: string }) => r.code === '510000');
      assert.equal(sichuan.name, '四川省');
      assert.equal(sichuan.level, 'province');
      assert.ok(sichuan.hasBoundary);
    });

    test('泸定县 has its real code, name, level, parent, centroid and townships', async () => {
      const r = await admin.get('/api/v1/regions/513322');
      assert.equal(r.status, 200);
      assert.equal(r.body.name, '泸定县');
      assert.equal(r.body.level, 'county');
      assert.equal(r.body.parentCode, '513300');
      assert.equal(r.body.parentName, '甘孜藏族自治州');
      const [lon, lat] = r.body.centroid;
      assert.ok(lon > 101.9 && lon < 102.5 && lat > 29.5 && lat < 30.3, `centroid ${lon},${lat}`);
      assert.ok(r.body.bbox[0] < lon && r.body.bbox[2] > lon);
      const towns = await admin.get('/api/v1/regions/513322/children');
      assert.ok(towns.body.items.length >= 8);
      assert.ok(towns.body.items.every((t: { code: string; level: string }) => t.code.length === 9 && t.level === 'township'));
    });

    test('boundaries come as GeoJSON at three details, finer ones with more vertices', async () => {
      const sizes: number[] = [];
      for (const detail of [0, 1, 2]) {
        const res = await admin.get(`/api/v1/regions/513300/boundaries?detail=${detail}&include=both`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /geo\+json/);
        assert.equal(res.body.type, 'FeatureCollection');
        const self = res.body.features.filter((f: { properties: { role: string } }) => f.properties.role === 'self');
        assert.equal(self.length, 1);
        assert.equal(res.body.features.length, 19, '甘孜州 and its 18 counties');
        assert.equal(res.body.features[0].geometry.type, 'MultiPolygon');
        sizes.push(res.text.length);
      }
      assert.ok(sizes[0] < sizes[1] && sizes[1] < sizes[2], `sizes ${sizes}`);
    });

    test('boundaries are in WGS84: 泸定县 polygon contains its WGS84 centroid (not shifted ~500 m as GCJ-02)', async () => {
      const db = s.anlan.ctx.db;
      const r = await db.query<{ inside: boolean }>(
        'SELECT ST_Contains(geom, ST_SetSRID(ST_MakePoint(102.2339, 29.9146), 4326)) AS inside FROM region_boundaries WHERE code = $1',
        ['513322'],
      );
      assert.equal(r.rows[0].inside, true);
    });

    test('the boundary source is reported', async () => {
      const res = await admin.get('/api/v1/regions/boundary-source');
      assert.equal(res.body.kind, 'reference');
      assert.match(res.body.name, /DataV|参考/);
    });
  });
}
