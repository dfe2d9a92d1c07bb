import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';

for (const target of testTargets()) {
  describe(`auth (${target.name})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer({ target });
    });
    after(() => s.close());

    test('login sets an HttpOnly SameSite=Strict cookie and me returns the user with a CSRF token', async () => {
      const c = new Client(s.url);
      const res = await c.post('/api/v1/auth/login', { username: 'admin', password: s.adminPassword });
      assert.equal(res.status, 200);
      const cookie = res.headers.getSetCookie().find((h) => h.startsWith('anlan_session='));
      assert.ok(cookie, 'session cookie set');
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Strict/i);
      const me = await c.get('/api/v1/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.user.username, 'admin');
      assert.equal(me.body.user.role, 'admin');
      assert.equal(me.body.csrfToken, c.csrfToken);
      assert.equal(me.body.user.passwordHash, undefined);
    });

    test('a wrong password is 401 problem+json and is audited', async () => {
      const c = new Client(s.url);
      const res = await c.post('/api/v1/auth/login', { username: 'ld-duty', password: 'wrong-password' });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(res.body.status, 401);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      const audit = await admin.get('/api/v1/audit?limit=20');
      assert.ok(audit.body.items.some((e: { action: string; actorName: string }) => e.action === 'auth.login_failed' && e.actorName === 'ld-duty'));
    });

    test('login is rate-limited per account after repeated failures', async () => {
      const c = new Client(s.url);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await c.post('/api/v1/auth/login', { username: 'gz-duty', password: `bad-${i}` })).status);
      assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
      assert.equal(statuses[5], 429);
      const locked = await c.post('/api/v1/auth/login', { username: 'gz-duty', password: s.demoPassword });
      assert.equal(locked.status, 429, 'even the right password waits out the window');
      assert.ok(Number(locked.headers.get('retry-after')) > 0);
    });

    test('cookie-authenticated mutations need the CSRF header', async () => {
      const c = await Client.login(s.url, 'admin', s.adminPassword);
      const token = c.csrfToken;
      c.csrfToken = '';
      const res = await c.post('/api/v1/tokens', { name: 'x', regionCode: '513322' });
      assert.equal(res.status, 403);
      c.csrfToken = token;
      assert.equal((await c.post('/api/v1/tokens', { name: 'x', regionCode: '513322' })).status, 201);
    });

    test('logout ends the session', async () => {
      const c = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const cookieBefore = (c as unknown as { cookie: string }).cookie;
      assert.equal((await c.post('/api/v1/auth/logout')).status, 204);
      const stale = new Client(s.url);
      (stale as unknown as { cookie: string }).cookie = cookieBefore;
      assert.equal((await stale.get('/api/v1/auth/me')).status, 401);
    });

    test('API tokens authenticate as Bearer, only inside their region, and cannot manage users', async () => {
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      const created = await admin.post('/api/v1/tokens', { name: 'rain gauge gateway', regionCode: '513322' });
      assert.equal(created.status, 201);
      assert.match(created.body.token, /^alt_/);
      const bearer = { authorization: `Bearer ${created.body.token}` };
      const anon = new Client(s.url);
      assert.equal((await anon.request('GET', '/api/v1/regions/513322', undefined, bearer)).status, 200);
      assert.equal((await anon.request('GET', '/api/v1/regions/513321', undefined, bearer)).status, 404);
      assert.equal((await anon.request('GET', '/api/v1/users', undefined, bearer)).status, 403);
      const list = await admin.get('/api/v1/tokens');
      assert.ok(list.body.items.every((t: Record<string, unknown>) => !('token' in t) && !('tokenHash' in t)));
      assert.equal((await admin.delete(`/api/v1/tokens/${created.body.id}`)).status, 204);
      assert.equal((await anon.request('GET', '/api/v1/regions/513322', undefined, bearer)).status, 401);
    });

    test('changing your own password checks the current one and keeps this session', async () => {
      const c = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      const wrong = await c.post('/api/v1/auth/password', { currentPassword: 'nope-nope', newPassword: 'new-password-1' });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.errors[0].field, 'currentPassword');
      const short = await c.post('/api/v1/auth/password', { currentPassword: s.demoPassword, newPassword: 'short' });
      assert.equal(short.status, 400);
      assert.equal((await c.post('/api/v1/auth/password', { currentPassword: s.demoPassword, newPassword: 'new-password-1' })).status, 204);
      assert.equal((await c.get('/api/v1/auth/me')).status, 200);
      await Client.login(s.url, 'ld-inspector', 'new-password-1');
    });
  });
}
