import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';
import { verifyAuditChain } from '../src/audit/service.ts';

for (const target of testTargets()) {
  describe(`audit log (${target.name})`, () => {
    let s: TestServer;
    let admin: Client;
    before(async () => {
      s = await startTestServer({ target });
      admin = await Client.login(s.url, 'admin', s.adminPassword);
    });
    after(() => s.close());

    test('login, logout and user changes are recorded with who, what, where from, before and after', async () => {
      const created = await admin.post('/api/v1/users', { username: 'audited', password: 'audited-123', displayName: '被审计', role: 'duty', regionCode: '513322' });
      const u = await Client.login(s.url, 'audited', 'audited-123');
      await u.post('/api/v1/auth/logout');
      const { body } = await admin.get('/api/v1/audit?limit=10');
      const actions = body.items.map((e: { action: string }) => e.action);
      assert.deepEqual(actions.slice(0, 3), ['auth.logout', 'auth.login', 'user.created']);
      const creation = body.items[2];
      assert.equal(creation.actorName, 'admin');
      assert.equal(creation.ip, '127.0.0.1');
      assert.equal(creation.after.username, 'audited');
      assert.equal(creation.after.password, undefined);
      assert.equal(creation.targetId, String(created.body.id));
      const ids = body.items.map((e: { id: number }) => e.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    });

    test('paging with before walks back without overlap', async () => {
      const first = await admin.get('/api/v1/audit?limit=3');
      assert.equal(first.body.items.length, 3);
      const second = await admin.get(`/api/v1/audit?limit=3&before=${first.body.nextBefore}`);
      assert.ok(second.body.items[0].id < first.body.items[2].id);
    });

    test('the log is append-only: UPDATE and DELETE are refused by the database', async () => {
      const db = s.anlan.ctx.db;
      await assert.rejects(db.query("UPDATE audit_log SET action = 'x' WHERE id = 1"), /append-only/);
      await assert.rejects(db.query('DELETE FROM audit_log WHERE id = 1'), /append-only/);
    });

    test('the chain verifies, and an edited row is found', async () => {
      const db = s.anlan.ctx.db;
      const intact = await verifyAuditChain(db);
      assert.ok(intact.ok);
      assert.ok(intact.rows > 10);
      const victim = (await db.query<{ id: number }>("SELECT id FROM audit_log WHERE action = 'user.created' ORDER BY id LIMIT 1 OFFSET 3")).rows[0].id;
      // Someone with database superuser rights bypasses the trigger and rewrites history.
      await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
      await db.query(`UPDATE audit_log SET after = jsonb_set(after, '{role}', '"admin"') WHERE id = $1`, [Number(victim)]);
      await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
      const broken = await verifyAuditChain(db);
      assert.equal(broken.ok, false);
      assert.equal(!broken.ok && broken.brokenId, Number(victim));
      assert.match(!broken.ok ? broken.reason : '', /edited/);
    });
  });
}
