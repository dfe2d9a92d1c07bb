import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';

for (const target of testTargets()) {
  describe(`users (${target.name})`, () => {
    let s: TestServer;
    let admin: Client;
    before(async () => {
      s = await startTestServer({ target });
      admin = await Client.login(s.url, 'admin', s.adminPassword);
    });
    after(() => s.close());

    test('an administrator creates a duty officer of 泸定县 who can log in', async () => {
      const res = await admin.post('/api/v1/users', { username: 'luding-duty-2', password: 'duty-pass-123', displayName: '值班员 二', role: 'duty', regionCode: '513322' });
      assert.equal(res.status, 201);
      assert.equal(res.body.regionName, '泸定县');
      assert.equal(res.body.role, 'duty');
      const c = await Client.login(s.url, 'luding-duty-2', 'duty-pass-123');
      const me = await c.get('/api/v1/auth/me');
      assert.equal(me.body.user.regionCode, '513322');
    });

    test('duplicate usernames, unknown regions and short passwords are field errors', async () => {
      const dup = await admin.post('/api/v1/users', { username: 'ld-duty', password: 'whatever-123', displayName: 'x', role: 'duty', regionCode: '513399' });
      assert.equal(dup.status, 400);
      const fields = dup.body.errors.map((e: { field: string }) => e.field).sort();
      assert.deepEqual(fields, ['regionCode', 'username']);
      const short = await admin.post('/api/v1/users', { username: 'newbie', password: 'x', displayName: 'x', role: 'duty', regionCode: '513322' });
      assert.equal(short.body.errors[0].field, 'password');
    });

    test('role changes are audited with before and after, and end the user\'s sessions', async () => {
      const created = await admin.post('/api/v1/users', { username: 'to-promote', password: 'promote-123', displayName: '待调整', role: 'duty', regionCode: '513322' });
      const session = await Client.login(s.url, 'to-promote', 'promote-123');
      const res = await admin.patch(`/api/v1/users/${created.body.id}`, { role: 'commander' });
      assert.equal(res.status, 200);
      assert.equal(res.body.role, 'commander');
      assert.equal((await session.get('/api/v1/auth/me')).status, 401);
      const audit = await admin.get('/api/v1/audit?limit=5');
      const entry = audit.body.items.find((e: { action: string }) => e.action === 'user.role_changed');
      assert.equal(entry.before.role, 'duty');
      assert.equal(entry.after.role, 'commander');
      assert.equal(entry.targetId, String(created.body.id));
    });

    test('a disabled user cannot log in', async () => {
      const created = await admin.post('/api/v1/users', { username: 'to-disable', password: 'disable-123', displayName: '停用', role: 'inspector', regionCode: '513322' });
      await admin.patch(`/api/v1/users/${created.body.id}`, { enabled: false });
      const res = await new Client(s.url).post('/api/v1/auth/login', { username: 'to-disable', password: 'disable-123' });
      assert.equal(res.status, 403);
    });

    test('the last national administrator cannot be disabled or demoted', async () => {
      const me = await admin.get('/api/v1/auth/me');
      const id = me.body.user.id;
      assert.equal((await admin.patch(`/api/v1/users/${id}`, { enabled: false })).status, 409);
      assert.equal((await admin.patch(`/api/v1/users/${id}`, { role: 'duty' })).status, 409);
      assert.equal((await admin.patch(`/api/v1/users/${id}`, { regionCode: '513322' })).status, 409);
      // With a second national administrator, the first may step down.
      await admin.post('/api/v1/users', { username: 'admin2', password: 'second-admin-1', displayName: '第二管理员', role: 'admin', regionCode: '000000' });
      assert.equal((await admin.patch(`/api/v1/users/${id}`, { displayName: '系统管理员（原）' })).status, 200);
    });

    test('an administrator resets a password; the old one stops working', async () => {
      const created = await admin.post('/api/v1/users', { username: 'forgetful', password: 'forgot-123', displayName: '健忘', role: 'responder', regionCode: '513322100' });
      assert.equal((await admin.post(`/api/v1/users/${created.body.id}/password`, { password: 'remembered-456' })).status, 204);
      assert.equal((await new Client(s.url).post('/api/v1/auth/login', { username: 'forgetful', password: 'forgot-123' })).status, 401);
      await Client.login(s.url, 'forgetful', 'remembered-456');
    });

    test('non-administrators cannot manage users', async () => {
      const duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      assert.equal((await duty.get('/api/v1/users')).status, 403);
      assert.equal((await duty.post('/api/v1/users', { username: 'sneaky', password: 'sneaky-123', displayName: 'x', role: 'admin', regionCode: '513322' })).status, 403);
      assert.equal((await duty.get('/api/v1/audit')).status, 403);
    });
  });
}
