import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';

// A user of 泸定县 (513322) must not read, list, change or see on the map anything of another
// county, through any route; objects outside the scope answer 404, never 403.
for (const target of testTargets()) {
  describe(`region scope isolation (${target.name})`, () => {
    let s: TestServer;
    let national: Client;
    let ldAdmin: Client;
    let ldDuty: Client;
    let gzDutyId: number;
    let otherTokenId: number;
    before(async () => {
      s = await startTestServer({ target });
      national = await Client.login(s.url, 'admin', s.adminPassword);
      ldAdmin = await Client.login(s.url, 'ld-admin', s.demoPassword);
      ldDuty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const users = await national.get('/api/v1/users');
      gzDutyId = users.body.items.find((u: { username: string }) => u.username === 'gz-duty').id;
      otherTokenId = (await national.post('/api/v1/tokens', { name: 'kangding sensor', regionCode: '513301' })).body.id;
    });
    after(() => s.close());

    test('the region tree starts at 泸定县 and nothing above or beside it is readable', async () => {
      const roots = await ldDuty.get('/api/v1/regions');
      assert.deepEqual(roots.body.items.map((r: { code: string }) => r.code), ['513322']);
      for (const path of ['/api/v1/regions/513321', '/api/v1/regions/513300', '/api/v1/regions/510000', '/api/v1/regions/000000', '/api/v1/regions/513300/children', '/api/v1/regions/513301/boundaries']) {
        const res = await ldDuty.get(path);
        assert.equal(res.status, 404, path);
        assert.doesNotMatch(res.text, /康定|甘孜/, `${path} must not leak names`);
      }
      const children = await ldDuty.get('/api/v1/regions/513322/children');
      assert.equal(children.status, 200);
      assert.ok(children.body.items.length > 5);
      assert.ok(children.body.items.every((r: { code: string }) => r.code.startsWith('513322')));
    });

    test('map layers contain only the scope', async () => {
      const own = await ldDuty.get('/api/v1/regions/513322/boundaries?include=both&detail=0');
      assert.equal(own.status, 200);
      assert.deepEqual(own.body.features.map((f: { properties: { code: string } }) => f.properties.code), ['513322']);
      const gz = await national.get('/api/v1/regions/513300/boundaries?include=children&detail=0');
      assert.ok(gz.body.features.length >= 18, 'the national admin sees all 18 counties of 甘孜州');
    });

    test('a county administrator lists only users of the county', async () => {
      const users = await ldAdmin.get('/api/v1/users');
      assert.equal(users.status, 200);
      assert.ok(users.body.items.length >= 6);
      assert.ok(users.body.items.every((u: { regionCode: string }) => u.regionCode.startsWith('513322')));
    });

    test('a county administrator cannot read, change or reset a user of the prefecture', async () => {
      assert.equal((await ldAdmin.get(`/api/v1/users/${gzDutyId}`)).status, 404);
      assert.equal((await ldAdmin.patch(`/api/v1/users/${gzDutyId}`, { displayName: 'hijacked' })).status, 404);
      assert.equal((await ldAdmin.post(`/api/v1/users/${gzDutyId}/password`, { password: 'hijacked-123' })).status, 404);
      const check = await national.get(`/api/v1/users/${gzDutyId}`);
      assert.notEqual(check.body.displayName, 'hijacked');
    });

    test('a county administrator cannot create users or tokens outside the county, nor move a user out', async () => {
      const res = await ldAdmin.post('/api/v1/users', { username: 'outsider', password: 'outsider-123', displayName: 'x', role: 'duty', regionCode: '513301' });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].field, 'regionCode');
      const tok = await ldAdmin.post('/api/v1/tokens', { name: 'x', regionCode: '513300' });
      assert.equal(tok.status, 400);
      const own = (await ldAdmin.get('/api/v1/users')).body.items.find((u: { username: string }) => u.username === 'ld-inspector');
      assert.equal((await ldAdmin.patch(`/api/v1/users/${own.id}`, { regionCode: '513301' })).status, 400);
    });

    test('tokens and audit entries of other regions are invisible', async () => {
      const tokens = await ldAdmin.get('/api/v1/tokens');
      assert.ok(tokens.body.items.every((t: { regionCode: string }) => t.regionCode.startsWith('513322')));
      assert.equal((await ldAdmin.delete(`/api/v1/tokens/${otherTokenId}`)).status, 404);
      const audit = await ldAdmin.get('/api/v1/audit?limit=500');
      assert.ok(audit.body.items.length > 0);
      assert.ok(audit.body.items.every((e: { regionCode: string }) => e.regionCode.startsWith('513322')));
    });

    test('live events are delivered only inside the scope', async () => {
      const controller = new AbortController();
      const res = await fetch(`${s.url}/api/v1/events`, {
        headers: { cookie: (ldAdmin as unknown as { cookie: string }).cookie },
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const received: string[] = [];
      const reading = (async () => {
        const decoder = new TextDecoder();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          received.push(decoder.decode(value));
          if (received.join('').includes('"outside-marker"') || received.join('').includes('inside-marker')) break;
        }
      })();
      await national.post('/api/v1/users', { username: 'outside-marker', password: 'outside-123', displayName: 'outside', role: 'duty', regionCode: '513301' });
      const inside = await national.post('/api/v1/users', { username: 'inside-marker', password: 'inside-123', displayName: 'inside', role: 'duty', regionCode: '513322' });
      await Promise.race([reading, new Promise((r) => setTimeout(r, 3000))]);
      controller.abort();
      const text = received.join('');
      assert.match(text, /event: user\.created/);
      assert.match(text, new RegExp(`"id":${inside.body.id}`));
      assert.doesNotMatch(text, /513301/);
    });
  });
}
