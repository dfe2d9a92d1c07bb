import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../../../tests/helpers/server.ts';
import { Client } from '../../../../../tests/helpers/http.ts';
import type { Database } from '@anlan/db';
import { FakeSmsGateway } from './testing/fake-sms-gateway.ts';
import { LocalPushService } from './testing/push-service.ts';
import * as fx from './testing/fixtures.ts';

const SMS_SECRET = 'gateway-secret-0123456789abcdef';

/** Waits for a condition the running worker brings about; fails with what was last seen. */
async function eventually<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, limitMs = 20_000): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > until) assert.fail(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const target of testTargets()) {
  describe(`warning delivery over HTTP (${target.name})`, () => {
    let s: TestServer;
    let db: Database;
    let gateway: FakeSmsGateway;
    let push: LocalPushService;

    before(async () => {
      gateway = await FakeSmsGateway.start({ account: 'anlan-test', secret: SMS_SECRET });
      push = await LocalPushService.start();
      // The running server reads its delivery configuration from the environment, as `anlan start` does.
      Object.assign(process.env, { ANLAN_SMS_URL: gateway.url, ANLAN_SMS_ACCOUNT: 'anlan-test', ANLAN_SMS_SECRET: SMS_SECRET, ANLAN_PUSH_ALLOW_HTTP: '1' });
      s = await startTestServer({ target });
      db = s.anlan.ctx.db;
    });
    after(async () => {
      await s.close();
      await push.close();
      await gateway.close();
    });

    test('SMS end to end: the worker sends through the gateway, whose receipts and replies come back to the signed callback routes', async () => {
      const delivery = s.anlan.ctx.warningDelivery!;
      const warning = await fx.insertWarning(db, { issuedAt: new Date() });
      const personIds = await fx.insertPersons(db, [{}, {}]);
      const [r1, r2] = await fx.insertRecipients(db, warning.id, personIds);
      await delivery.enqueuer.enqueue(db, warning);
      const port = new URL(s.url).port;
      const rows = await eventually('SMS sent', () => fx.outbox(db, warning.id, 'sms'), (x) => x.every((r) => r.state === 'sent'));
      const sms = [rows.find((r) => r.recipient_id === r1)!, rows.find((r) => r.recipient_id === r2)!];
      assert.match(sms[0].body, new RegExp(`http://localhost:${port}/a/${r1}\\.`), 'the link names the port listened on');
      assert.equal(gateway.receiptsUrl, `http://localhost:${port}/api/v1/warning/sms/receipts`);

      // The gateway's URLs say localhost; the test talks to 127.0.0.1 as the server listens there.
      const receipts = `${s.url}/api/v1/warning/sms/receipts`;
      const inbound = `${s.url}/api/v1/warning/sms/inbound`;
      const res = await gateway.callback(receipts, { receipts: [{ messageId: sms[0].provider_id, status: 'delivered' }, { messageId: sms[1].provider_id, status: 'failed', error: '用户关机' }, { status: 'delivered' }] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.accepted, 2);
      assert.deepEqual(res.body.errors, [{ index: 2, field: 'receipts[2].messageId', message: res.body.errors[0].message }]);
      const rs = await fx.recipients(db, warning.id);
      assert.equal(rs.find((r) => r.id === r1)!.status, 'delivered');
      assert.equal(rs.find((r) => r.id === r2)!.status, 'failed', 'SMS was its only channel and the operator could not deliver it');
      const failed = (await fx.outbox(db, warning.id, 'sms')).find((r) => r.recipient_id === r2)!;
      assert.equal(failed.last_error, '用户关机');

      // Replies go to the response part; an unknown number is recorded, not an error.
      const phone = (await db.query<{ phone: string }>('SELECT phone FROM warning_recipients WHERE id = $1', [r1])).rows[0].phone;
      const reply = await gateway.callback(inbound, { messages: [{ messageId: 'MO-1', phone: `+86 ${phone}`, text: '1', receivedAt: new Date().toISOString() }, { messageId: 'MO-2', phone: '13000000000', text: '1' }, { messageId: 'MO-3', phone: 'x' }] });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.accepted, 2);
      assert.equal(reply.body.results[0].outcome.matched, true, JSON.stringify(reply.body.results[0]));
      assert.equal(reply.body.results[1].outcome.reason, 'unknown_phone');
      assert.deepEqual(reply.body.errors.map((e: { field: string }) => e.field), ['messages[2].phone']);

      // Unsigned, forged or unreadable callbacks are refused as problems.
      const unsigned = await fetch(receipts, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"receipts":[]}' });
      assert.equal(unsigned.status, 401);
      assert.match(unsigned.headers.get('content-type')!, /problem\+json/);
      const forged = await gateway.callback(receipts, { receipts: [] }, { secret: 'not-the-secret-0123456789' });
      assert.equal(forged.status, 401);
      assert.match(forged.body.detail, /signature does not match/);
      const garbled = await gateway.callback(receipts, null, { raw: '{"receipts": [' });
      assert.equal(garbled.status, 400);
      const shapeless = await gateway.callback(receipts, { receipt: [] });
      assert.equal(shapeless.status, 400);
      assert.equal(shapeless.body.errors[0].field, 'receipts');
    });

    test('Web Push subscriptions: the logged-in responder registers a browser; others are told why not; the outbox counts keep to the region', async () => {
      const responder = await Client.login(s.url, 'ld-responder', s.demoPassword);
      const duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const user = (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'ld-responder'`)).rows[0];
      let person = (await db.query<{ id: string }>('SELECT id FROM responsible_persons WHERE user_id = $1', [user.id])).rows[0];
      if (!person) [person] = (await fx.insertPersons(db, [{ userId: Number(user.id) }])).map((id) => ({ id: String(id) }));

      assert.equal((await new Client(s.url).get('/api/v1/warning/push/key')).status, 401);
      const key = await responder.get('/api/v1/warning/push/key');
      assert.equal(key.status, 200);
      assert.match(key.body.publicKey, /^[A-Za-z0-9_-]{87}$/);

      const sub = push.subscribe();
      const made = await responder.post('/api/v1/warning/push/subscriptions', sub);
      assert.equal(made.status, 201, made.text);
      assert.equal(made.body.personId, Number(person.id));
      assert.equal((await responder.post('/api/v1/warning/push/subscriptions', sub)).status, 200, 'the same browser again');
      const audit = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'warning.push_subscribed' AND target_id = $1`, [String(made.body.id)]);
      assert.equal(Number(audit.rows[0].n), 2);

      const notPush = await responder.post('/api/v1/warning/push/subscriptions', { ...sub, endpoint: 'http://push.example.com/x' });
      assert.equal(notPush.status, 400);
      assert.equal(notPush.body.errors[0].field, 'endpoint');
      const badKey = await responder.post('/api/v1/warning/push/subscriptions', { ...sub, keys: { p256dh: 'short', auth: sub.keys.auth } });
      assert.equal(badKey.status, 400);
      assert.equal(badKey.body.errors[0].field, 'keys.p256dh');
      const unlinked = await duty.post('/api/v1/warning/push/subscriptions', push.subscribe());
      assert.equal(unlinked.status, 409);
      assert.match(unlinked.body.detail, /not linked to a responsible person/);

      // The subscription is used: a warning to this person is pushed by the running worker.
      const warning = await fx.insertWarning(db, { issuedAt: new Date() });
      await fx.insertRecipients(db, warning.id, [Number(person.id)]);
      await s.anlan.ctx.warningDelivery!.enqueuer.enqueue(db, warning);
      await eventually('push sent', () => fx.outbox(db, warning.id, 'webpush'), (rows) => rows.length === 1 && rows[0].state === 'sent');
      assert.ok(push.received.some((p) => p.vapid.ok && JSON.parse(p.payload ?? '{}').warningId === warning.id));

      // Counts: the county sees its people; another county does not see the warning at all.
      const counts = await duty.get(`/api/v1/warnings/${warning.id}/outbox`);
      assert.equal(counts.status, 200, counts.text);
      assert.deepEqual(counts.body.channels.map((c: { channel: string }) => c.channel), ['inapp', 'sms', 'webpush']);
      assert.ok(counts.body.sms.segments >= 1);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      const kd = await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: '513301' });
      assert.equal(kd.status, 201, kd.text);
      const kangding = await Client.login(s.url, 'kd-duty', 'kangding-123');
      assert.equal((await kangding.get(`/api/v1/warnings/${warning.id}/outbox`)).status, 404);

      assert.equal((await responder.request('DELETE', '/api/v1/warning/push/subscriptions', { endpoint: sub.endpoint })).status, 204);
      assert.equal((await responder.request('DELETE', '/api/v1/warning/push/subscriptions', { endpoint: sub.endpoint })).status, 404);
    });
  });
}
