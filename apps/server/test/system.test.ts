import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';

for (const target of testTargets()) {
  describe(`system (${target.name})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer({ target });
    });
    after(() => s.close());

    test('health names the database kind and version', async () => {
      const res = await fetch(`${s.url}/api/v1/health`);
      const body = await res.json();
      assert.deepEqual(Object.keys(body).sort(), ['database', 'status', 'version']);
      assert.equal(body.status, 'ok');
      assert.equal(body.database, target.name);
    });

    test('system info reports demo data', async () => {
      const body = await (await fetch(`${s.url}/api/v1/system/info`)).json();
      assert.equal(body.demoData, true);
      assert.equal(body.boundarySource.kind, 'reference');
    });

    test('OpenAPI 3 documents every API route with its schemas', async () => {
      const doc = await (await fetch(`${s.url}/api/docs/json`)).json();
      assert.match(doc.openapi, /^3\./);
      for (const path of ['/api/v1/auth/login', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/tokens', '/api/v1/audit', '/api/v1/regions/{code}', '/api/v1/regions/{code}/boundaries', '/api/v1/events', '/api/v1/health']) {
        assert.ok(doc.paths[path], `documented: ${path}`);
      }
      assert.ok(doc.paths['/api/v1/users'].post.requestBody);
      assert.ok(doc.paths['/api/v1/users'].post.responses['201']);
      const ui = await fetch(`${s.url}/api/docs`, { redirect: 'follow' });
      assert.equal(ui.status, 200);
    });

    test('Prometheus metrics', async () => {
      await fetch(`${s.url}/api/v1/health`);
      const text = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(text, /anlan_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/health"/);
      assert.match(text, /anlan_process_cpu_seconds_total/);
    });
  });
}

describe('web app serving', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ demo: false });
  });
  after(() => s.close());

  test('app routes get index.html; missing files and API routes stay 404', async () => {
    const page = await fetch(`${s.url}/regions/513322`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="app"/);
    assert.equal((await fetch(`${s.url}/assets/no-such-file.js`)).status, 404);
    const api = await fetch(`${s.url}/api/v1/no-such-route`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
  });
});
