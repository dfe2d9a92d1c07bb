import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ManualClock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { InProcessBus, type BusEvent } from '../../events/bus.ts';
import { regionScope } from '@anlan/core';
import { loadAckKey, verifyAckToken } from '../ack-token.ts';
import { ANSWER_GRACE_MS } from './enqueue.ts';
import { messageIdOf } from './channels/email.ts';
import { DeliveryService, type DeliveryOptions } from './service.ts';
import { signedHeaders, verifySignature } from './signing.ts';
import { DEFAULT_RATES, loadDeliveryConfig, type Env } from './config.ts';
import { loadDeadlinePolicy } from './deadline.ts';
import type { DeliveryWorker } from './worker.ts';
import { FakeSmsGateway } from './testing/fake-sms-gateway.ts';
import { SmtpSink } from './testing/smtp-sink.ts';
import { WebhookReceiver } from './testing/webhook-receiver.ts';
import { LocalPushService } from './testing/push-service.ts';
import * as fx from './testing/fixtures.ts';
import { claimDue } from './store.ts';
import { SmsGatewayChannel } from './channels/sms-gateway.ts';

const SEC = 1000;
const MIN = 60 * SEC;
const SMS_SECRET = 'gateway-secret-0123456789abcdef';
const HOOK_SECRET = 'webhook-secret-0123456789abcdef';
const PUBLIC = 'https://yj.luding.example.gov.cn';

for (const target of testTargets()) {
  describe(`warning delivery (${target.name})`, () => {
    let fresh: Awaited<ReturnType<typeof target.fresh>>;
    let db: Database;
    let gateway: FakeSmsGateway;
    const clock = new ManualClock(new Date());
    const now = () => clock.now();

    const smsEnv = (): Env => ({ ANLAN_PUBLIC_URL: PUBLIC, ANLAN_SMS_URL: gateway.url, ANLAN_SMS_ACCOUNT: 'anlan-test', ANLAN_SMS_SECRET: SMS_SECRET });

    async function open(env: Env, opts: Partial<DeliveryOptions> = {}): Promise<{ service: DeliveryService; worker: DeliveryWorker; events: BusEvent[] }> {
      const bus = new InProcessBus();
      const events: BusEvent[] = [];
      bus.subscribe((e) => events.push(e));
      const service = await DeliveryService.open({ db, clock, bus, log: pino({ level: 'silent' }) }, { env, fallbackPublicUrl: 'http://localhost:3000', random: () => 0.5, ...opts });
      opened.push(service);
      return { service, worker: service.createWorker(), events };
    }

    const opened: DeliveryService[] = [];
    async function closeAll(): Promise<void> {
      for (const s of opened.splice(0)) await s.close();
    }

    /** A warning issued now to `n` new persons (the given specs, or plain ones). */
    async function issued(specs: fx.PersonSpec[] | number, w: Partial<fx.WarningSpec> = {}) {
      const warning = await fx.insertWarning(db, { issuedAt: now(), ...w });
      const personIds = await fx.insertPersons(db, typeof specs === 'number' ? Array.from({ length: specs }, () => ({})) : specs);
      const recipientIds = await fx.insertRecipients(db, warning.id, personIds);
      return { warning, personIds, recipientIds };
    }

    before(async () => {
      fresh = await target.fresh();
      db = await fresh.openDb();
      gateway = await FakeSmsGateway.start({ account: 'anlan-test', secret: SMS_SECRET, now });
    });
    after(async () => {
      await closeAll();
      await gateway.close();
      await db.close();
      await fresh.dispose();
    });

    test('enqueue writes every channel\'s message once per recipient, with the one-tap link and the 叫应 deadline; enqueueing again writes nothing', async () => {
      const push = await LocalPushService.start();
      const sink = await SmtpSink.start();
      try {
        const env = { ...smsEnv(), ANLAN_SMTP_URL: sink.url, ANLAN_SMTP_FROM: '泸定县应急管理局 <warning@luding.example.gov.cn>', ANLAN_WARNING_WEBHOOKS: JSON.stringify([{ name: 'province-eoc', url: 'https://eoc.example.gov.cn/hook', secret: HOOK_SECRET }]) };
        const { service } = await open(env);
        const { warning, personIds, recipientIds } = await issued([{ email: 'a@luding.example.gov.cn' }, {}, {}], { level: 'red', stage: 'callresponse' });
        await fx.insertSubscription(db, personIds[1], push.subscribe());

        const first = await service.enqueuer.enqueue(db, warning);
        assert.deepEqual(first, { enqueued: 3 + 3 + 1 + 1 + 1, deferred: false });
        const rows = await fx.outbox(db, warning.id);
        const count = (ch: string) => rows.filter((r) => r.channel === ch).length;
        assert.deepEqual([count('inapp'), count('sms'), count('email'), count('webpush'), count('webhook')], [3, 3, 1, 1, 1]);
        assert.ok(rows.filter((r) => r.channel === 'inapp').every((r) => r.state === 'sent'), 'in-app messages are on the mobile page at once');
        assert.ok(rows.filter((r) => r.channel !== 'inapp').every((r) => r.state === 'queued'));
        for (const r of rows.filter((x) => x.channel === 'sms' || x.channel === 'email')) assert.equal(r.idempotency_key, `${warning.id}:${r.recipient_id}:${r.channel}`);
        assert.match(rows.find((r) => r.channel === 'webhook')!.idempotency_key, new RegExp(`^${warning.id}:hook-province-eoc:webhook$`));

        // Each SMS carries its recipient's own link, which the one-tap route will accept.
        const key = await loadAckKey(db);
        for (const r of rows.filter((x) => x.channel === 'sms')) {
          assert.match(r.body, /回复1确认收到/);
          const token = new RegExp(`${PUBLIC.replace(/[./]/g, '\\$&')}/a/([^ ]+) `).exec(r.body)?.[1];
          assert.ok(token, r.body);
          const check = verifyAckToken(key, token, now());
          assert.ok(check.ok, `token of recipient ${r.recipient_id}: ${JSON.stringify(check)}`);
          assert.equal(check.recipientId, r.recipient_id);
          assert.equal(check.expiresAt.getTime(), Math.floor((warning.expiresAt.getTime() + ANSWER_GRACE_MS) / 1000) * 1000);
        }
        // 叫应 of a red warning: 30 minutes by default.
        for (const r of await fx.recipients(db, warning.id)) assert.equal(r.deadline_at?.getTime(), warning.issuedAt.getTime() + 30 * MIN);

        const again = await service.enqueuer.enqueue(db, warning);
        assert.deepEqual(again, { enqueued: 0, deferred: false });
        assert.deepEqual((await fx.outbox(db, warning.id)).map((r) => r.id), rows.map((r) => r.id));
        assert.equal(recipientIds.length, 3);
      } finally {
        await closeAll();
        await push.close();
        await sink.close();
      }
    });

    test('a configured deadline applies; a Cancel starts no timers; someone added by escalation gets the full deadline from now', async () => {
      await db.query(`INSERT INTO system_settings (key, value) VALUES ('warning.deadline_sec.callresponse.orange', '1200')`);
      try {
        const { service } = await open(smsEnv());
        const { warning, recipientIds } = await issued(1, { level: 'orange' });
        await service.enqueuer.enqueue(db, warning);
        assert.equal((await fx.recipients(db, warning.id))[0].deadline_at?.getTime(), warning.issuedAt.getTime() + 20 * MIN);

        clock.advance(25 * MIN);
        const [superior] = await fx.insertPersons(db, [{ regionCode: '513322' }]);
        const [added] = await fx.insertRecipients(db, warning.id, [superior], 'escalation');
        await service.enqueuer.enqueue(db, warning);
        const after = await fx.recipients(db, warning.id);
        assert.equal(after.find((r) => r.id === added)!.deadline_at?.getTime(), now().getTime() + 20 * MIN);
        assert.equal(after.find((r) => r.id === recipientIds[0])!.deadline_at?.getTime(), warning.issuedAt.getTime() + 20 * MIN, 'the first timer is left alone');
        assert.equal((await fx.outbox(db, warning.id, 'sms')).length, 2);

        const cancel = await issued(1, { msgType: 'Cancel' });
        await service.enqueuer.enqueue(db, cancel.warning);
        assert.equal((await fx.recipients(db, cancel.warning.id))[0].deadline_at, null);
        assert.match((await fx.outbox(db, cancel.warning.id, 'sms'))[0].body, /解除/);
      } finally {
        await db.query(`DELETE FROM system_settings WHERE key LIKE 'warning.deadline\\_sec.%'`);
      }
    });

    test('a large warning: the first chunk is written at once, the worker writes the rest, the board sees the pending count', async () => {
      const { service, worker } = await open(smsEnv(), { synchronousRecipients: 10, chunkRecipients: 10 });
      const warning = await fx.insertWarning(db, { issuedAt: now() });
      await fx.insertManyPersons(db, 35, '513322102');
      await fx.insertRecipients(db, warning.id, await fx.allPersonIds(db, '513322102'));
      const r = await service.enqueuer.enqueue(db, warning);
      assert.deepEqual(r, { enqueued: 20, deferred: true });
      const stats = await service.outboxStats(regionScope('513322'), warning.id);
      assert.equal(stats.pendingRecipients, 25);
      assert.deepEqual(stats.channels.find((c) => c.channel === 'inapp'), { channel: 'inapp', queued: 0, sending: 0, sent: 10, delivered: 0, failed: 0, total: 10 });
      await worker.drain();
      const rows = await fx.outbox(db, warning.id);
      assert.equal(rows.filter((x) => x.channel === 'sms').length, 35);
      assert.equal(new Set(rows.map((x) => x.idempotency_key)).size, rows.length);
      assert.ok((await fx.recipients(db, warning.id)).every((x) => x.deadline_at !== null), 'every timer is started');
      assert.equal((await service.outboxStats(regionScope('513322'), warning.id)).pendingRecipients, 0);
      assert.equal((await db.query('SELECT 1 FROM warning_delivery_backlog WHERE warning_id = $1', [warning.id])).rows.length, 0);
    });

    test('SMS through the gateway: sent with the operator\'s ids, receipts mark messages and recipients delivered, bad receipt rows are named and the good kept', async () => {
      const { service, worker, events } = await open(smsEnv());
      const { warning, recipientIds } = await issued(3);
      await service.enqueuer.enqueue(db, warning);
      await worker.drain();
      const sms = await fx.outbox(db, warning.id, 'sms');
      assert.ok(sms.every((r) => r.state === 'sent' && r.provider_id?.startsWith('GW')), JSON.stringify(sms));
      assert.ok(sms.every((r) => gateway.delivered.get(r.idempotency_key)?.messageId === r.provider_id));
      const got = gateway.delivered.get(sms[0].idempotency_key)!;
      assert.equal(got.text, sms[0].body);
      assert.equal(got.to, sms[0].address);
      assert.ok((await fx.recipients(db, warning.id)).every((r) => r.status === 'sent' && r.sent_at !== null));
      assert.ok(events.some((e) => e.type === 'warning.recipients' && e.regionCode === '513322'), 'the board hears of it');

      // Receipts: one good, one for a message we never sent, one malformed.
      const receipts = { receipts: [
        { messageId: sms[0].provider_id, status: 'delivered', at: now().toISOString() },
        { messageId: 'GW-NOT-OURS', status: 'delivered' },
        { messageId: sms[1].provider_id, status: 'arrived' },
      ] };
      const raw = JSON.stringify(receipts);
      const res = await service.smsReceipts(raw, receipts, signedHeaders(SMS_SECRET, raw, now()));
      assert.equal(res.accepted, 1);
      assert.deepEqual(res.unknown, ['GW-NOT-OURS']);
      assert.deepEqual(res.errors.map((e) => e.field), ['receipts[2].status']);
      assert.equal((await fx.outbox(db, warning.id, 'sms'))[0].state, 'delivered');
      const rs = await fx.recipients(db, warning.id);
      assert.equal(rs.find((r) => r.id === recipientIds[0])!.status, 'delivered');
      assert.equal(rs.find((r) => r.id === recipientIds[1])!.status, 'sent');

      // The mobile page showed the third one its warning: in-app delivered.
      await service.inappDelivered([recipientIds[2]]);
      assert.equal((await fx.recipients(db, warning.id)).find((r) => r.id === recipientIds[2])!.status, 'delivered');
      assert.equal((await fx.outbox(db, warning.id, 'inapp')).find((r) => r.recipient_id === recipientIds[2])!.state, 'delivered');

      // A forged or stale callback changes nothing.
      await assert.rejects(service.smsReceipts(raw, receipts, signedHeaders('not-the-secret-0123456789', raw, now())), /signature does not match/);
      await assert.rejects(service.smsReceipts(raw, receipts, signedHeaders(SMS_SECRET, raw, new Date(now().getTime() - 10 * MIN))), /300 s/);
    });

    test('429 from the gateway: retried after Retry-After without using up an attempt; the lane waits', async () => {
      const { service, worker } = await open(smsEnv());
      const { warning } = await issued(2);
      await service.enqueuer.enqueue(db, warning);
      gateway.rateLimitNext(1, 20);
      await worker.drain();
      let sms = await fx.outbox(db, warning.id, 'sms');
      assert.ok(sms.every((r) => r.state === 'queued' && r.attempts === 0 && r.last_error?.includes('429')), JSON.stringify(sms));
      assert.deepEqual(sms.map((r) => r.next_attempt_at.getTime() - now().getTime()), [20 * SEC, 20 * SEC]);
      clock.advance(19 * SEC);
      await worker.drain();
      assert.ok((await fx.outbox(db, warning.id, 'sms')).every((r) => r.state === 'queued'), 'not before Retry-After');
      clock.advance(1 * SEC);
      await worker.drain();
      sms = await fx.outbox(db, warning.id, 'sms');
      assert.ok(sms.every((r) => r.state === 'sent' && r.attempts === 1));
    });

    test('a permanent refusal fails the message at once; a recipient fails only when every channel failed', async () => {
      const sink = await SmtpSink.start();
      try {
        const { service, worker } = await open({ ...smsEnv(), ANLAN_SMTP_URL: sink.url, ANLAN_SMTP_FROM: 'warning@luding.example.gov.cn' });
        const { warning, recipientIds } = await issued([{ email: 'ok@luding.example.gov.cn' }, {}]);
        await service.enqueuer.enqueue(db, warning);
        gateway.failNext(1, 400);
        await worker.drain();
        const sms = await fx.outbox(db, warning.id, 'sms');
        assert.ok(sms.every((r) => r.state === 'failed' && r.attempts === 1 && /HTTP 400/.test(r.last_error!)), JSON.stringify(sms));
        const rs = await fx.recipients(db, warning.id);
        assert.equal(rs.find((r) => r.id === recipientIds[0])!.status, 'sent', 'the e-mail went');
        assert.equal(rs.find((r) => r.id === recipientIds[1])!.status, 'failed', 'SMS was the only channel');
        const stats = await service.outboxStats(regionScope('513322'), warning.id);
        assert.equal(stats.failures.length, 2);
        assert.match(stats.failures[0].lastError!, /refused the request/);

        // An empty number is rejected per message; the others in the batch go.
        const two = await issued(2);
        await service.enqueuer.enqueue(db, two.warning);
        const [bad] = await fx.outbox(db, two.warning.id, 'sms');
        gateway.rejectNumbers.add(bad.address);
        await worker.drain();
        const states = (await fx.outbox(db, two.warning.id, 'sms')).map((r) => r.state);
        assert.deepEqual(states, ['failed', 'sent']);
      } finally {
        await closeAll();
        await sink.close();
      }
    });

    test('gateway down: retried with exponential backoff, sent when it is back; after the last attempt the message fails and says why', async () => {
      await db.query(`INSERT INTO system_settings (key, value) VALUES ('warning.delivery.retry.sms', '{"maxAttempts": 3, "baseSec": 10, "maxSec": 600}')`);
      try {
        const { service, worker } = await open(smsEnv());
        const { warning } = await issued(1);
        await service.enqueuer.enqueue(db, warning);
        await gateway.down();
        await worker.drain();
        let [m] = await fx.outbox(db, warning.id, 'sms');
        assert.equal(m.state, 'queued');
        assert.equal(m.attempts, 1);
        assert.match(m.last_error!, /unreachable/);
        // Equal jitter with random pinned at 0.5: 10 s × 2^0 × 0.75.
        assert.equal(m.next_attempt_at.getTime(), now().getTime() + 7.5 * SEC);
        clock.advance(7.5 * SEC);
        await worker.drain();
        [m] = await fx.outbox(db, warning.id, 'sms');
        assert.equal(m.attempts, 2);
        assert.equal(m.next_attempt_at.getTime(), now().getTime() + 15 * SEC, 'the second wait is twice the first');
        await gateway.up();
        clock.advance(15 * SEC);
        await worker.drain();
        [m] = await fx.outbox(db, warning.id, 'sms');
        assert.equal(m.state, 'sent');
        assert.equal(m.attempts, 3);

        const lost = await issued(1);
        await service.enqueuer.enqueue(db, lost.warning);
        gateway.failNext(3, 503);
        for (let i = 0; i < 3; i++) {
          await worker.drain();
          clock.advance(10 * MIN);
        }
        [m] = await fx.outbox(db, lost.warning.id, 'sms');
        assert.equal(m.state, 'failed');
        assert.match(m.last_error!, /gave up after 3 attempts: SMS gateway answered HTTP 503/);
        assert.equal((await fx.recipients(db, lost.warning.id))[0].status, 'failed');
      } finally {
        await db.query(`DELETE FROM system_settings WHERE key = 'warning.delivery.retry.sms'`);
        await gateway.up().catch(() => undefined);
      }
    });

    test('a crash mid-send: after a restart the message is sent once more at most, with the same idempotency key, and the phone gets it once', async () => {
      const { service, worker } = await open(smsEnv());
      const { warning } = await issued(2);
      await service.enqueuer.enqueue(db, warning);
      // The dying process: claims the batch, the gateway takes it, the process ends before recording.
      const claimed = await claimDue(db, 'sms', now(), 10, 2 * MIN);
      assert.equal(claimed.length, 2);
      const sent = gateway.requests.length;
      const dying = new SmsGatewayChannel(service.config.sms!, { clock, receiptUrl: 'http://127.0.0.1:9/r', inboundUrl: 'http://127.0.0.1:9/i' });
      await dying.send(claimed, new AbortController().signal);
      assert.equal(gateway.requests.length, sent + 1);
      assert.ok((await fx.outbox(db, warning.id, 'sms')).every((r) => r.state === 'sending'));

      // While the lease holds nobody takes the rows again.
      await worker.drain();
      assert.equal(gateway.requests.length, sent + 1, 'a row under lease is left alone');
      // A new process: on the embedded database it retries at once; on PostgreSQL after the lease.
      const restarted = await open(smsEnv());
      if (db.kind === 'embedded') assert.equal(await restarted.worker.recover(), 2);
      else clock.advance(2 * MIN);
      await restarted.worker.drain();
      const rows = await fx.outbox(db, warning.id, 'sms');
      assert.ok(rows.every((r) => r.state === 'sent' && r.attempts === 2), JSON.stringify(rows));
      const keys = gateway.requests.slice(sent).flat().map((m) => m.id);
      for (const r of rows) {
        assert.equal(keys.filter((k) => k === r.idempotency_key).length, 2, 'sent twice under one key');
        assert.equal(r.provider_id, gateway.delivered.get(r.idempotency_key)!.messageId, 'and the operator knew it was the same message');
      }
    });

    test('per-channel rate limit: no more sends in a window than the bucket allows (counted with the injected clock)', async () => {
      await db.query(`INSERT INTO system_settings (key, value) VALUES ('warning.delivery.rate.sms', '{"perSecond": 10, "burst": 10}')`);
      try {
        const { service, worker } = await open(smsEnv());
        const warning = await fx.insertWarning(db, { issuedAt: now() });
        await fx.insertManyPersons(db, 35, '513322103');
        await fx.insertRecipients(db, warning.id, await fx.allPersonIds(db, '513322103'));
        await service.enqueuer.enqueue(db, warning);
        const sentNow = async () => (await fx.outbox(db, warning.id, 'sms')).filter((r) => r.state === 'sent').length;
        await worker.drain();
        assert.equal(await sentNow(), 10, 'the burst');
        await worker.drain();
        assert.equal(await sentNow(), 10, 'nothing more without time passing');
        clock.advance(1 * SEC);
        await worker.drain();
        assert.equal(await sentNow(), 20, 'ten more a second later');
        clock.advance(500);
        await worker.drain();
        assert.equal(await sentNow(), 25, 'five in half a second');
        clock.advance(5 * SEC);
        await worker.drain();
        assert.equal(await sentNow(), 35, 'the bucket holds no more than its burst after a pause');
      } finally {
        await db.query(`DELETE FROM system_settings WHERE key = 'warning.delivery.rate.sms'`);
      }
    });

    test('e-mail over SMTP: received and parsed by a local server, Message-ID from the idempotency key; 451 retried, 550 failed', async () => {
      const sink = await SmtpSink.start();
      try {
        const { service, worker } = await open({ ...smsEnv(), ANLAN_SMTP_URL: sink.url, ANLAN_SMTP_FROM: '泸定县应急管理局 <warning@luding.example.gov.cn>' });
        const { warning } = await issued([{ email: 'zhang@luding.example.gov.cn' }, { email: 'busy@luding.example.gov.cn' }, { email: 'nobody@luding.example.gov.cn' }]);
        sink.busy.set('busy@luding.example.gov.cn', 1);
        sink.unknown.add('nobody@luding.example.gov.cn');
        await service.enqueuer.enqueue(db, warning);
        await worker.drain();
        let mail = await fx.outbox(db, warning.id, 'email');
        assert.deepEqual(mail.map((m) => m.state), ['sent', 'queued', 'failed']);
        assert.match(mail[2].last_error!, /550|no such mailbox/);
        clock.advance(1 * MIN);
        await worker.drain();
        mail = await fx.outbox(db, warning.id, 'email');
        assert.deepEqual(mail.map((m) => m.state), ['sent', 'sent', 'failed']);
        const got = sink.received.find((m) => m.to.includes('zhang@luding.example.gov.cn'))!;
        assert.ok(got, 'the mail arrived');
        assert.match(got.subject, /暴雨红色预警/);
        assert.match(got.text, new RegExp(`请确认收到：${PUBLIC.replace(/[./]/g, '\\$&')}/a/[0-9]+\\.[0-9]+\\.[A-Za-z0-9_-]{16}`));
        assert.equal(got.messageId, messageIdOf(mail[0].idempotency_key));
        assert.equal(got.idempotencyKey, mail[0].idempotency_key);
        assert.equal(got.from, 'warning@luding.example.gov.cn');
      } finally {
        await closeAll();
        await sink.close();
      }
    });

    test('webhook: the warning as signed JSON with its CAP link, verified by the receiver; a 503 is retried', async () => {
      const receiver = await WebhookReceiver.start(HOOK_SECRET, now);
      try {
        const { service, worker } = await open({ ...smsEnv(), ANLAN_WARNING_WEBHOOKS: JSON.stringify([{ name: 'city-eoc', url: receiver.url, secret: HOOK_SECRET }]) });
        const { warning } = await issued(2);
        await service.enqueuer.enqueue(db, warning);
        assert.equal((await fx.outbox(db, warning.id, 'webhook')).length, 1, 'one message per warning, not per recipient');
        receiver.failNext(503);
        await worker.drain();
        let [hook] = await fx.outbox(db, warning.id, 'webhook');
        assert.equal(hook.state, 'queued', JSON.stringify(hook));
        assert.match(hook.last_error!, /503/);
        clock.advance(10 * MIN);
        await worker.drain();
        [hook] = await fx.outbox(db, warning.id, 'webhook');
        assert.equal(hook.state, 'sent');
        assert.match(hook.provider_id!, /^hook-[0-9]+$/);
        const got = receiver.received.find((r) => r.headers['idempotency-key'] === hook.idempotency_key)!;
        assert.ok(got.verified, got.reason ?? '');
        assert.equal(got.headers['idempotency-key'], hook.idempotency_key);
        const body = JSON.parse(got.body);
        assert.equal(body.type, 'warning.issued');
        assert.equal(body.warning.id, warning.id);
        assert.equal(body.warning.level, 'red');
        assert.equal(body.capUrl, `${PUBLIC}/api/v1/warnings/${warning.id}/cap`);
        // The receiver's own check: the same body with another secret does not verify.
        assert.equal(verifySignature('another-secret-0123456789', got.headers, got.body, now()).ok, false);
      } finally {
        await receiver.close();
      }
    });

    test('web push: the encrypted, VAPID-signed request reaches the push service and decrypts to the link; a dropped subscription is not used again', async () => {
      const push = await LocalPushService.start();
      try {
        const { service, worker } = await open({ ...smsEnv(), ANLAN_PUSH_ALLOW_HTTP: '1' });
        const { warning, personIds } = await issued(2);
        const keep = push.subscribe();
        const drop = push.subscribe();
        await fx.insertSubscription(db, personIds[0], keep);
        await fx.insertSubscription(db, personIds[1], drop);
        push.drop(drop.endpoint);
        await service.enqueuer.enqueue(db, warning);
        await worker.drain();
        const rows = await fx.outbox(db, warning.id, 'webpush');
        const byEndpoint = new Map(rows.map((r) => [r.address, r]));
        assert.equal(byEndpoint.get(keep.endpoint)!.state, 'sent');
        assert.equal(byEndpoint.get(drop.endpoint)!.state, 'failed');
        assert.equal(push.received.length, 1);
        const got = push.received[0];
        assert.equal(got.headers['content-encoding'], 'aes128gcm');
        assert.ok(got.vapid.ok, JSON.stringify(got.vapid));
        assert.equal(got.vapid.publicKey, await service.pushPublicKey());
        assert.equal(got.headers.urgency, 'high');
        assert.equal(got.headers.topic?.length, 32);
        const payload = JSON.parse(got.payload!);
        assert.equal(payload.warningId, warning.id);
        assert.match(payload.title, /暴雨红色预警/);
        assert.match(payload.url, new RegExp(`^${PUBLIC.replace(/[./]/g, '\\$&')}/a/`));
        const gone = await db.query<{ gone: boolean }>('SELECT gone_at IS NOT NULL AS gone FROM warning_push_subscriptions WHERE endpoint = $1', [drop.endpoint]);
        assert.equal(gone.rows[0].gone, true);

        const next = await fx.insertWarning(db, { issuedAt: now() });
        await fx.insertRecipients(db, next.id, personIds);
        await service.enqueuer.enqueue(db, next);
        assert.deepEqual((await fx.outbox(db, next.id, 'webpush')).map((r) => r.address), [keep.endpoint]);
      } finally {
        await push.close();
      }
    });

    test('messages of a warning cancelled or expired before they went are not sent, and say so', async () => {
      const { service, worker } = await open(smsEnv());
      const { warning } = await issued(1);
      await service.enqueuer.enqueue(db, warning);
      await db.query(`UPDATE warnings SET state = 'cancelled' WHERE id = $1`, [warning.id]);
      const before = gateway.requests.length;
      await worker.drain();
      const [m] = await fx.outbox(db, warning.id, 'sms');
      assert.equal(m.state, 'failed');
      assert.match(m.last_error!, /cancelled first/);
      assert.ok(!gateway.requests.slice(before).flat().some((x) => x.id === m.idempotency_key), 'the gateway never saw it');

      const old = await issued(1, { expiresAt: new Date(now().getTime() + MIN) });
      await service.enqueuer.enqueue(db, old.warning);
      clock.advance(2 * MIN);
      await worker.drain();
      assert.match((await fx.outbox(db, old.warning.id, 'sms'))[0].last_error!, /expired first/);
    });

    test('bad configuration is reported naming the key, and disables only what it configures', async () => {
      await db.query(
        `INSERT INTO system_settings (key, value) VALUES ('warning.delivery.rate.email', '{"perSecond": -1}'),
           ('warning.webhooks', '[{"name": "ok", "url": "https://a.example.gov.cn/h", "secret": "0123456789abcdef0"}, {"name": "ftp", "url": "ftp://b", "secret": "0123456789abcdef0"}]'),
           ('warning.deadline_sec.callresponse.purple', '60'), ('warning.deadline_sec.short', '10')`,
      );
      try {
        const { config, problems } = await loadDeliveryConfig(db, { ANLAN_SMS_URL: 'not a url', ANLAN_SMS_ACCOUNT: 'a', ANLAN_SMS_SECRET: 'short' }, 'http://localhost:3000');
        assert.equal(config.sms, null);
        assert.equal(config.smsCallbackSecret, null);
        const said = problems.join('\n');
        for (const key of ['warning.sms.url', 'warning.sms.secret', 'warning.delivery.rate.email', 'warning.webhooks[1].url']) assert.ok(said.includes(key), `${key} in ${said}`);
        assert.deepEqual(config.rates.email, DEFAULT_RATES.email);
        assert.deepEqual(config.webhooks.map((w) => w.name), ['ok']);
        const { policy, problems: dp } = await loadDeadlinePolicy(db);
        assert.match(dp.join('\n'), /warning\.deadline_sec\.callresponse\.purple ignored/);
        assert.match(dp.join('\n'), /warning\.deadline_sec\.short ignored: must be whole seconds/);
        assert.equal(policy.deadlineSec('short', 'red'), 60 * 60);
      } finally {
        await db.query(`DELETE FROM system_settings WHERE key IN ('warning.delivery.rate.email', 'warning.webhooks') OR key LIKE 'warning.deadline\\_sec.%'`);
      }
    });

    test('the outbox counts follow the region scope', async () => {
      const { service } = await open(smsEnv());
      const warning = await fx.insertWarning(db, { issuedAt: now(), regionCode: '5133' + '00' });
      const ld = await fx.insertPersons(db, [{ regionCode: '513322100' }, { regionCode: '513322101' }]);
      const kd = await fx.insertPersons(db, [{ regionCode: '513301001' }]);
      await fx.insertRecipients(db, warning.id, [...ld, ...kd]);
      await service.enqueuer.enqueue(db, warning);
      const sms = (s: string) => service.outboxStats(regionScope(s), warning.id).then((x) => x.channels.find((c) => c.channel === 'sms')!.total);
      assert.equal(await sms('513300'), 3);
      assert.equal(await sms('513322'), 2);
      assert.equal(await sms('513301'), 1);
      await assert.rejects(service.outboxStats(regionScope('510100'), warning.id), /not found/);
    });
  });
}
