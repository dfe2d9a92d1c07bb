import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '@anlan/db';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import type { BusEvent } from '../../events/bus.ts';
import { loadDeliveryConfig } from '../delivery/config.ts';
import { loadDeadlinePolicy } from '../delivery/deadline.ts';
import { OutboxEnqueuer } from '../delivery/enqueue.ts';
import type { AckEscalatedData } from './escalation.ts';
import type { WarningResponse } from './host.ts';
import { startResponseServer, type ResponseServer } from './testing/server.ts';
import * as fx from './testing/fixtures.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

interface Row {
  id: number;
  person_id: number;
  status: string;
  reason: string;
  via_recipient_id: number | null;
  deadline_at: Date | null;
  escalated_at: Date | null;
  answered_at: Date | null;
}

async function recipientsOf(db: Database, warningId: number): Promise<Row[]> {
  const r = await db.query<Row>(
    'SELECT id, person_id, status, reason, via_recipient_id, deadline_at, escalated_at, answered_at FROM warning_recipients WHERE warning_id = $1 ORDER BY id',
    [warningId],
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id), person_id: Number(x.person_id), via_recipient_id: x.via_recipient_id === null ? null : Number(x.via_recipient_id) }));
}

for (const target of testTargets()) {
  describe(`warning escalation (${target.name})`, () => {
    let s: ResponseServer;
    let db: Database;
    let wr: WarningResponse;
    const events: BusEvent[] = [];
    const now = () => s.clock.now();
    const at = (ms: number) => new Date(now().getTime() + ms);

    before(async () => {
      s = await startResponseServer(target);
      db = s.anlan.ctx.db;
      wr = s.anlan.ctx.warningResponse!;
      s.anlan.ctx.bus.subscribe((e) => events.push(e));
      // Passes are made by the test, after it moved the clock, not by the timer in between.
      await wr.escalation.stop();
    });
    after(() => s.close());

    test('after the deadline, by the injected clock: the silent escalate to their superior, the top of a chain goes silent, an answer in time stops the timer', async () => {
      const warningId = await fx.insertWarning(db, { issuedAt: now(), expiresAt: at(6 * HOUR), level: 'orange', stage: 'callresponse' });
      const chain = await fx.ludingChain(db);
      const deadline = at(45 * MIN);
      const rA = await fx.insertRecipient(db, { warningId, personId: chain.villageA, planned: 10, deadlineAt: deadline });
      const rB = await fx.insertRecipient(db, { warningId, personId: chain.villageB, planned: 7, deadlineAt: deadline });
      const rL = await fx.insertRecipient(db, { warningId, personId: chain.loner, planned: 2, deadlineAt: deadline });

      assert.deepEqual(await wr.escalation.tick(), { escalated: 0, silent: 0, dropped: 0, added: 0 }, 'nothing is due yet');
      const token = await fx.tokenFor(db, rB, at(HOUR));
      const answered = await fetch(`${s.url}/api/v1/acks/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"received"}' });
      assert.equal(answered.status, 200);
      s.clock.advance(44 * MIN);
      assert.equal((await wr.escalation.tick()).escalated, 0, 'a minute before the deadline');

      s.clock.advance(2 * MIN);
      const escalatedAt = now();
      assert.deepEqual(await wr.escalation.tick(), { escalated: 1, silent: 1, dropped: 0, added: 1 });
      const rows = await recipientsOf(db, warningId);
      const byId = new Map(rows.map((r) => [r.id, r]));
      assert.equal(byId.get(rA)!.status, 'escalated');
      assert.equal(byId.get(rA)!.escalated_at!.getTime(), escalatedAt.getTime());
      assert.equal(byId.get(rL)!.status, 'silent', 'nobody above 孙信息员: silent');
      assert.ok(byId.get(rL)!.escalated_at, 'the timer is closed');
      assert.equal(byId.get(rB)!.status, 'answered');
      assert.equal(byId.get(rB)!.escalated_at, null, 'answered in time: never escalated');
      const township = rows.find((r) => r.person_id === chain.township)!;
      assert.ok(township, '李镇长 became a recipient');
      assert.equal(township.reason, 'escalation');
      assert.equal(township.via_recipient_id, rA);
      const { policy } = await loadDeadlinePolicy(db);
      assert.equal(township.deadline_at!.getTime(), escalatedAt.getTime() + policy.deadlineSec('callresponse', 'orange') * 1000, 'their own deadline, from the moment they were called');

      const event = events.find((e) => e.type === 'ack.escalated' && (e.data as AckEscalatedData).escalated.some((x) => x.id === rA))!;
      assert.ok(event, 'ack.escalated is published');
      assert.equal(event.regionCode, '513322100201');
      assert.deepEqual((event.data as AckEscalatedData).escalated, [{ id: rA, superiorRecipientId: township.id }]);
      assert.ok(events.some((e) => e.type === 'ack.escalated' && (e.data as AckEscalatedData).silent.includes(rL)));
      const audit = await db.query<{ after: { escalated: { recipientId: number }[]; silent: { recipientId: number }[] } }>(
        `SELECT after FROM audit_log WHERE action = 'warning.recipients_escalated' AND target_id = $1`,
        [String(warningId)],
      );
      assert.equal(audit.rows.length, 1);
      assert.deepEqual(audit.rows[0].after.escalated.map((e) => e.recipientId), [rA]);
      assert.deepEqual(audit.rows[0].after.silent.map((e) => e.recipientId), [rL]);

      assert.deepEqual(await wr.escalation.tick(), { escalated: 0, silent: 0, dropped: 0, added: 0 }, 'each timer fires once');

      s.clock.advance(policy.deadlineSec('callresponse', 'orange') * 1000 + MIN);
      assert.deepEqual(await wr.escalation.tick(), { escalated: 1, silent: 0, dropped: 0, added: 1 }, 'the township head was silent too: up to the county');
      const county = (await recipientsOf(db, warningId)).find((r) => r.person_id === chain.county)!;
      assert.equal(county.via_recipient_id, township.id);
      assert.equal((await recipientsOf(db, warningId)).length, 5, 'A, B, L, the township head, the county head: nobody twice');
    });

    test('a cancelled warning drops its timers; an inactive superior is passed over; a superior already on the list is not added again', async () => {
      const cancelled = await fx.insertWarning(db, { issuedAt: now(), expiresAt: at(6 * HOUR), state: 'cancelled' });
      const x = await fx.insertPerson(db, { name: '钱组长', regionCode: fx.LUQIAO });
      const rX = await fx.insertRecipient(db, { warningId: cancelled, personId: x.id, deadlineAt: at(-MIN) });

      const warningId = await fx.insertWarning(db, { issuedAt: now(), expiresAt: at(6 * HOUR), level: 'red' });
      const top = await fx.insertPerson(db, { name: '吴书记', regionCode: fx.LUDING });
      const away = await fx.insertPerson(db, { name: '郑副镇长', regionCode: fx.LUQIAO, superiorId: top.id, active: false });
      const worker = await fx.insertPerson(db, { name: '冯网格员', regionCode: fx.LUQIAO, superiorId: away.id });
      const rWorker = await fx.insertRecipient(db, { warningId, personId: worker.id, deadlineAt: at(-MIN) });
      const boss = await fx.insertPerson(db, { name: '陈镇长', regionCode: fx.LENGQI });
      const sub = await fx.insertPerson(db, { name: '褚网格员', regionCode: fx.LENGQI, superiorId: boss.id });
      const rBoss = await fx.insertRecipient(db, { warningId, personId: boss.id, reason: 'chain', deadlineAt: at(HOUR) });
      const rSub = await fx.insertRecipient(db, { warningId, personId: sub.id, deadlineAt: at(-MIN) });

      const lead = await fx.insertPerson(db, { name: '褚组长', regionCode: fx.LENGQI });
      const twins: number[] = [];
      for (const name of ['卫网格员', '蒋网格员']) {
        const p = await fx.insertPerson(db, { name, regionCode: fx.LENGQI, superiorId: lead.id });
        twins.push(await fx.insertRecipient(db, { warningId, personId: p.id, deadlineAt: at(-MIN) }));
      }

      assert.deepEqual(await wr.escalation.tick(), { escalated: 4, silent: 0, dropped: 1, added: 2 });
      const dropped = (await recipientsOf(db, cancelled))[0];
      assert.equal(dropped.id, rX);
      assert.equal(dropped.deadline_at, null, 'the timer is gone');
      assert.equal(dropped.status, 'delivered', 'and nothing else changed');
      assert.equal(dropped.escalated_at, null);

      const rows = await recipientsOf(db, warningId);
      assert.ok(!rows.some((r) => r.person_id === away.id), 'the inactive 郑副镇长 is not called');
      const topRow = rows.find((r) => r.person_id === top.id)!;
      assert.equal(topRow.via_recipient_id, rWorker, '吴书记, above them, is');
      assert.equal(rows.filter((r) => r.person_id === boss.id).length, 1, '陈镇长 already had the warning');
      assert.equal(rows.find((r) => r.id === rSub)!.status, 'escalated');
      const leadRows = rows.filter((r) => r.person_id === lead.id);
      assert.equal(leadRows.length, 1, 'two silent in one pass, one superior: called once');
      assert.ok(twins.includes(leadRows[0].via_recipient_id!));
      for (const id of twins) assert.equal(rows.find((r) => r.id === id)!.status, 'escalated');
      const event = events.find((e) => e.type === 'ack.escalated' && (e.data as AckEscalatedData).escalated.some((y) => y.id === rSub))!;
      assert.deepEqual((event.data as AckEscalatedData).escalated.find((y) => y.id === rSub), { id: rSub, superiorRecipientId: rBoss });
      const twinEvents = events.flatMap((e) => (e.type === 'ack.escalated' ? (e.data as AckEscalatedData).escalated : [])).filter((y) => twins.includes(y.id));
      assert.deepEqual(twinEvents.map((y) => y.superiorRecipientId), [leadRows[0].id, leadRows[0].id]);
    });

    test('with the delivery part\'s enqueuer, a superior called in is sent the warning', async () => {
      const { config } = await loadDeliveryConfig(db, {}, s.url);
      const { policy } = await loadDeadlinePolicy(db);
      const wired = wr.escalation.enqueuer;
      wr.setEnqueuer(new OutboxEnqueuer({ clock: s.clock, config: () => config, deadlines: () => policy }));
      try {
        const warningId = await fx.insertWarning(db, { issuedAt: now(), expiresAt: at(6 * HOUR) });
        const head = await fx.insertPerson(db, { name: '蒋镇长', regionCode: fx.LUQIAO });
        const worker = await fx.insertPerson(db, { name: '沈网格员', regionCode: fx.LUQIAO, superiorId: head.id });
        const rWorker = await fx.insertRecipient(db, { warningId, personId: worker.id, deadlineAt: at(-MIN) });
        assert.equal((await wr.escalation.tick()).added, 1);
        const superior = (await recipientsOf(db, warningId)).find((r) => r.via_recipient_id === rWorker)!;
        const outbox = await db.query<{ channel: string; body: string }>('SELECT channel, body FROM warning_outbox WHERE recipient_id = $1', [superior.id]);
        const sms = outbox.rows.find((o) => o.channel === 'sms');
        assert.ok(sms, 'an SMS to the superior is queued');
        assert.match(sms.body, new RegExp(`/a/${superior.id}\\.`), 'with their own one-tap link');
      } finally {
        wr.setEnqueuer(wired);
      }
    });
  });
}
