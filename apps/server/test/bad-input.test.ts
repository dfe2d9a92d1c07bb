import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';

// Every route answers bad input with a 4xx problem+json that names the field, and never 5xx.
describe('bad input on every route', () => {
  let s: TestServer;
  let admin: Client;
  before(async () => {
    s = await startTestServer();
    admin = await Client.login(s.url, 'admin', s.adminPassword);
  });
  after(() => s.close());

  function assertProblem(res: { status: number; headers: Headers; body: any }, status: number, label: string) {
    assert.equal(res.status, status, `${label}: ${JSON.stringify(res.body)}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, label);
    assert.equal(res.body.status, status, label);
    assert.equal(typeof res.body.title, 'string', label);
  }

  const cases: { label: string; method: string; path: string; body?: unknown; status: number; field?: string }[] = [
    { label: 'login missing password', method: 'POST', path: '/api/v1/auth/login', body: { username: 'admin' }, status: 400, field: 'password' },
    { label: 'login wrong type', method: 'POST', path: '/api/v1/auth/login', body: { username: 1, password: true }, status: 400, field: 'username' },
    { label: 'login SQL-looking username', method: 'POST', path: '/api/v1/auth/login', body: { username: "admin' OR '1'='1", password: "' OR 1=1 --" }, status: 401 },
    { label: 'user unknown role', method: 'POST', path: '/api/v1/users', body: { username: 'abc', password: 'abcdefgh1', displayName: 'x', role: 'king', regionCode: '513322' }, status: 400, field: 'role' },
    { label: 'user region not a code', method: 'POST', path: '/api/v1/users', body: { username: 'abc', password: 'abcdefgh1', displayName: 'x', role: 'duty', regionCode: "513322'; DROP TABLE users; --" }, status: 400, field: 'regionCode' },
    { label: 'user region 5 digits', method: 'POST', path: '/api/v1/users', body: { username: 'abc', password: 'abcdefgh1', displayName: 'x', role: 'duty', regionCode: '51332' }, status: 400, field: 'regionCode' },
    { label: 'user unknown field', method: 'POST', path: '/api/v1/users', body: { username: 'abc', password: 'abcdefgh1', displayName: 'x', role: 'duty', regionCode: '513322', isAdmin: true }, status: 400, field: 'isAdmin' },
    { label: 'user missing everything', method: 'POST', path: '/api/v1/users', body: {}, status: 400, field: 'username' },
    { label: 'user bad username chars', method: 'POST', path: '/api/v1/users', body: { username: '<script>', password: 'abcdefgh1', displayName: 'x', role: 'duty', regionCode: '513322' }, status: 400, field: 'username' },
    { label: 'patch empty', method: 'PATCH', path: '/api/v1/users/1', body: {}, status: 400 },
    { label: 'patch enabled wrong type', method: 'PATCH', path: '/api/v1/users/1', body: { enabled: 'no' }, status: 400, field: 'enabled' },
    { label: 'user id not a number', method: 'GET', path: '/api/v1/users/abc', status: 400, field: 'id' },
    { label: 'user id SQL', method: 'GET', path: "/api/v1/users/1%20OR%201=1", status: 400, field: 'id' },
    { label: 'user id unknown', method: 'GET', path: '/api/v1/users/999999', status: 404 },
    { label: 'password reset missing', method: 'POST', path: '/api/v1/users/1/password', body: {}, status: 400, field: 'password' },
    { label: 'token missing name', method: 'POST', path: '/api/v1/tokens', body: { regionCode: '513322' }, status: 400, field: 'name' },
    { label: 'token bad region', method: 'POST', path: '/api/v1/tokens', body: { name: 'x', regionCode: 'abcdef' }, status: 400, field: 'regionCode' },
    { label: 'token unknown region', method: 'POST', path: '/api/v1/tokens', body: { name: 'x', regionCode: '999999' }, status: 400, field: 'regionCode' },
    { label: 'token delete unknown', method: 'DELETE', path: '/api/v1/tokens/424242', status: 404 },
    { label: 'audit limit too big', method: 'GET', path: '/api/v1/audit?limit=100000', status: 400, field: 'limit' },
    { label: 'audit before not a number', method: 'GET', path: '/api/v1/audit?before=x', status: 400, field: 'before' },
    { label: 'region code malformed', method: 'GET', path: '/api/v1/regions/51a322', status: 400, field: 'code' },
    { label: 'region code SQL', method: 'GET', path: "/api/v1/regions/513322'--", status: 400, field: 'code' },
    { label: 'region unknown', method: 'GET', path: '/api/v1/regions/999999', status: 404 },
    { label: 'boundaries bad detail', method: 'GET', path: '/api/v1/regions/513322/boundaries?detail=7', status: 400, field: 'detail' },
    { label: 'boundaries bad include', method: 'GET', path: '/api/v1/regions/513322/boundaries?include=all', status: 400, field: 'include' },
    { label: 'unknown route', method: 'GET', path: '/api/v1/nothing-here', status: 404 },
  ];

  for (const c of cases) {
    test(c.label, async () => {
      const res = await admin.request(c.method, c.path, c.body);
      assertProblem(res, c.status, c.label);
      if (c.field) assert.ok(res.body.errors?.some((e: { field: string }) => e.field === c.field), `${c.label}: errors name ${c.field}: ${JSON.stringify(res.body.errors)}`);
    });
  }

  test('malformed JSON is a 400 problem', async () => {
    assertProblem(await admin.request('POST', '/api/v1/users', '{"username": '), 400, 'malformed');
  });

  test('a body over 1 MiB is 413', async () => {
    const huge = { username: 'x'.repeat(2 * 1024 * 1024), password: 'y' };
    assertProblem(await admin.request('POST', '/api/v1/auth/login', huge), 413, 'huge');
  });

  test('unauthenticated calls are 401 problems', async () => {
    const anon = new Client(s.url);
    for (const path of ['/api/v1/users', '/api/v1/regions', '/api/v1/audit', '/api/v1/auth/me', '/api/v1/tokens']) {
      assertProblem(await anon.get(path), 401, path);
    }
  });

  test('the server survives all of it', async () => {
    assert.equal((await admin.get('/api/v1/health')).status, 200);
  });
});
