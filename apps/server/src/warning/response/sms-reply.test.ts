import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '@anlan/db';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { normaliseSmsText, parseChineseNumber, parseSmsReply, type SmsReply } from './sms-grammar.ts';
import { answerBySms, normalisePhone } from './sms-reply.ts';
import { startResponseServer, type ResponseServer } from './testing/server.ts';
import * as fx from './testing/fixtures.ts';

const HOUR = 3600_000;

describe('SMS reply grammar', () => {
  const reads: [string, SmsReply][] = [
    ['1', { kind: 'received' }],
    ['１', { kind: 'received' }],
    [' 收到。', { kind: 'received' }],
    ['已收到！', { kind: 'received' }],
    ['OK', { kind: 'received' }],
    ['2 15', { kind: 'feedback', moved: 15 }],
    ['２　１５', { kind: 'feedback', moved: 15 }],
    ['2:15', { kind: 'feedback', moved: 15 }],
    ['2，15人', { kind: 'feedback', moved: 15 }],
    ['转移 15', { kind: 'feedback', moved: 15 }],
    ['转移15人', { kind: 'feedback', moved: 15 }],
    ['已转移十五人', { kind: 'feedback', moved: 15 }],
    ['转移两百零三人', { kind: 'feedback', moved: 203 }],
    ['2 15 3 12 4 2', { kind: 'feedback', moved: 15, sheltered: 12, atRisk: 2 }],
    ['转移15，安置12，危险3', { kind: 'feedback', moved: 15, sheltered: 12, atRisk: 3 }],
    ['收到，转移15人；仍在危险区2人', { kind: 'feedback', moved: 15, atRisk: 2 }],
    ['1 2 15', { kind: 'feedback', moved: 15 }],
    ['安置８户', { kind: 'feedback', sheltered: 8 }],
    ['转移15 备注 张家老人已接走', { kind: 'feedback', moved: 15, note: '张家老人已接走' }],
    ['收到 说明：桥已断，改走后山', { kind: 'feedback', note: '桥已断,改走后山' }],
  ];
  for (const [text, reply] of reads) {
    test(`"${text}" reads as ${JSON.stringify(reply)}`, () => {
      assert.deepEqual(parseSmsReply(text), { ok: true, reply });
    });
  }

  const refused = ['', '   ', '好的谢谢', '215', '2', '转移', '转移很多人', '5 10', '2 15 2 16', '2 2000000', '12', '收到了吗？'];
  for (const text of refused) {
    test(`"${text}" is not guessed at`, () => {
      const r = parseSmsReply(text);
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.ok(!r.ok && r.reason.length > 0);
    });
  }

  test('Chinese numerals', () => {
    const cases: [string, number | null][] = [['十', 10], ['十五', 15], ['二十', 20], ['一百零五', 105], ['两千', 2000], ['一万二千', 12000], ['三万', 30000], ['〇', 0], ['甲', null]];
    for (const [s, n] of cases) assert.equal(parseChineseNumber(s), n, s);
  });

  test('full-width text and phone numbers are normalised', () => {
    assert.equal(normaliseSmsText('  ２：１５人。'), '2:15人');
    assert.equal(normalisePhone('+86 139-1234-5678'), '13912345678');
    assert.equal(normalisePhone('008613912345678'), '13912345678');
    assert.equal(normalisePhone('１３９１２３４５６７８'), '13912345678');
    assert.equal(normalisePhone('10086'), '10086');
  });
});

for (const target of testTargets()) {
  describe(`SMS replies applied to warnings (${target.name})`, () => {
    let s: ResponseServer;
    let db: Database;
    let older: number;
    let newer: number;
    let person: { id: number; phone: string };
    let rOld: number;
    let rNew: number;
    const now = () => s.clock.now();
    const sms = (phone: string, text: string, messageId: string) => answerBySms(s.anlan.ctx, { phone, text, messageId, receivedAt: now() });

    before(async () => {
      s = await startResponseServer(target);
      db = s.anlan.ctx.db;
      older = await fx.insertWarning(db, { issuedAt: new Date(now().getTime() - HOUR), expiresAt: new Date(now().getTime() + 5 * HOUR), headline: '较早的预警' });
      newer = await fx.insertWarning(db, { issuedAt: now(), expiresAt: new Date(now().getTime() + 5 * HOUR), headline: '最新的预警' });
      person = await fx.insertPerson(db, { name: '韩村干部', regionCode: fx.LUQIAO });
      rOld = await fx.insertRecipient(db, { warningId: older, personId: person.id, planned: 20 });
      rNew = await fx.insertRecipient(db, { warningId: newer, personId: person.id, planned: 20 });
    });
    after(() => s.close());

    const answers = async (recipientId: number) =>
      (await db.query<{ kind: string; channel: string; moved: number | null; client_key: string }>('SELECT kind, channel, moved, client_key FROM warning_answers WHERE recipient_id = $1 ORDER BY id', [recipientId])).rows;

    test('收到 answers the most recent open warning still waiting, then the next one', async () => {
      const first = await sms(`+86 ${person.phone}`, '收到', 'gw-0001');
      assert.deepEqual(first, { matched: true, recipientId: rNew, warningId: newer, kind: 'received', duplicate: false });
      assert.deepEqual(await answers(rNew), [{ kind: 'received', channel: 'sms', moved: null, client_key: 'sms:gw-0001' }]);
      const again = await sms(person.phone, '1', 'gw-0001');
      assert.equal(again.matched && again.duplicate, true, 'the gateway delivered the same reply twice: counted once');
      assert.equal((await answers(rNew)).length, 1);
      const second = await sms(person.phone, '１', 'gw-0002');
      assert.equal(second.matched && second.recipientId, rOld, 'the newest is answered, so the older one waiting is next');
      const status = await db.query<{ status: string }>('SELECT status FROM warning_recipients WHERE id = ANY($1::bigint[])', [[rOld, rNew]]);
      assert.deepEqual(status.rows.map((r) => r.status), ['answered', 'answered']);
    });

    test('a count goes to the most recent open warning', async () => {
      const r = await sms(person.phone, '转移 １５ 人，安置12', 'gw-0003');
      assert.deepEqual(r, { matched: true, recipientId: rNew, warningId: newer, kind: 'feedback', duplicate: false });
      const fb = await db.query<{ moved: number; sheltered: number }>(`SELECT moved, sheltered FROM warning_answers WHERE client_key = 'sms:gw-0003'`);
      assert.deepEqual(fb.rows[0], { moved: 15, sheltered: 12 });
    });

    test('an unknown number, text that follows no code, or nothing to answer is recorded as unmatched, never thrown', async () => {
      const unknown = await sms('13000000000', '1', 'gw-0101');
      assert.equal(unknown.matched, false);
      assert.equal(!unknown.matched && unknown.reason, 'unknown_phone');
      const garbled = await sms(person.phone, '好的，谢谢领导', 'gw-0102');
      assert.equal(!garbled.matched && garbled.reason, 'unparseable');
      const loner = await fx.insertPerson(db, { name: '卫组长', regionCode: fx.LENGQI });
      const nothing = await sms(loner.phone, '收到', 'gw-0103');
      assert.equal(!nothing.matched && nothing.reason, 'no_open_warning');
      const odd = await answerBySms(s.anlan.ctx, { phone: 'not a phone', text: '\u0000\u0001', messageId: 'gw-0104', receivedAt: new Date(Number.NaN) });
      assert.equal(odd.matched, false, 'malformed input is recorded, not a crash');
      await sms('13000000000', '1', 'gw-0101');
      const rows = await db.query<{ message_id: string; reason: string; region_code: string | null; person_id: string | null }>(
        `SELECT message_id, reason, region_code, person_id FROM warning_sms_unmatched WHERE message_id LIKE 'gw-01%' ORDER BY message_id`,
      );
      assert.deepEqual(
        rows.rows.map((r) => [r.message_id, r.reason, r.region_code]),
        [
          ['gw-0101', 'unknown_phone', null],
          ['gw-0102', 'unparseable', fx.LUQIAO],
          ['gw-0103', 'no_open_warning', fx.LENGQI],
          ['gw-0104', 'unknown_phone', null],
        ],
        'each once, the known senders with their region',
      );
    });

    test('staff of the region read the unmatched replies; those from unknown numbers only with a national scope', async () => {
      const { Client } = await import('../../../../../tests/helpers/http.ts');
      const duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const mine = await duty.get('/api/v1/warning/sms-unmatched');
      assert.equal(mine.status, 200, mine.text);
      assert.deepEqual(mine.body.items.map((i: { messageId: string }) => i.messageId).sort(), ['gw-0102', 'gw-0103']);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      const all = await admin.get('/api/v1/warning/sms-unmatched');
      assert.equal(all.body.items.length, 4);
      const responder = await Client.login(s.url, 'ld-responder', s.demoPassword);
      assert.equal((await responder.get('/api/v1/warning/sms-unmatched')).status, 403);
    });
  });
}
