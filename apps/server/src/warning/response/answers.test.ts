import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '@anlan/db';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { Client } from '../../../../../tests/helpers/http.ts';
import type { BusEvent } from '../../events/bus.ts';
import { WEB_DIST } from '../../http/web.ts';
import { LINK_FAILURES_PER_WINDOW, LINK_FAILURE_WINDOW_MS } from './host.ts';
import { PHOTO_MAX_BYTES } from './photos.ts';
import { startResponseServer, type ResponseServer } from './testing/server.ts';
import * as fx from './testing/fixtures.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A few bytes with a JPEG signature: what the server checks is the signature, not the picture. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\u0000 a photo of the shelter')]);

async function link(url: string, method: 'GET' | 'POST', token: string, body?: unknown) {
  const res = await fetch(`${url}/api/v1/acks/${token}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null };
}

async function photoForm(url: string, token: string, photo: Buffer, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'shelter.jpg');
  const res = await fetch(`${url}/api/v1/acks/${token}/photo`, { method: 'POST', body: form });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

async function answersOf(db: Database, recipientId: number): Promise<{ kind: string; moved: number | null; channel: string }[]> {
  const r = await db.query<{ kind: string; moved: number | null; channel: string }>('SELECT kind, moved, channel FROM warning_answers WHERE recipient_id = $1 ORDER BY id', [recipientId]);
  return r.rows;
}

async function recipientRow(db: Database, id: number) {
  const r = await db.query<{ status: string; answered_at: Date | null; escalated_at: Date | null }>('SELECT status, answered_at, escalated_at FROM warning_recipients WHERE id = $1', [id]);
  return r.rows[0];
}

for (const target of testTargets()) {
  describe(`warning call-response answers (${target.name})`, () => {
    let s: ResponseServer;
    let db: Database;
    let warningId: number;
    let chain: Awaited<ReturnType<typeof fx.ludingChain>>;
    let rA: number;
    let rB: number;
    let rLoner: number;
    let phoneA: string;
    const events: BusEvent[] = [];
    const now = () => s.clock.now();

    before(async () => {
      s = await startResponseServer(target);
      db = s.anlan.ctx.db;
      s.anlan.ctx.bus.subscribe((e) => events.push(e));
      warningId = await fx.insertWarning(db, { issuedAt: now(), expiresAt: new Date(now().getTime() + 6 * HOUR) });
      chain = await fx.ludingChain(db);
      phoneA = (await db.query<{ phone: string }>('SELECT phone FROM responsible_persons WHERE id = $1', [chain.villageA])).rows[0].phone;
      const deadlineAt = new Date(now().getTime() + 45 * MIN);
      rA = await fx.insertRecipient(db, { warningId, personId: chain.villageA, planned: 12, deadlineAt });
      rB = await fx.insertRecipient(db, { warningId, personId: chain.villageB, planned: 8, deadlineAt });
      rLoner = await fx.insertRecipient(db, { warningId, personId: chain.loner, planned: 3, deadlineAt });
    });
    after(() => s.close());

    test('a one-tap link shows the warning and its own recipient, nothing about anyone else', async () => {
      const token = await fx.tokenFor(db, rA, new Date(now().getTime() + HOUR));
      const res = await link(s.url, 'GET', token);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.recipient.id, rA);
      assert.equal(res.body.recipient.name, '王网格员');
      assert.equal(res.body.recipient.status, 'delivered');
      assert.equal(res.body.recipient.planned, 12);
      assert.equal(res.body.warning.id, warningId);
      assert.equal(res.body.warning.level, 'orange');
      assert.equal(res.body.warning.instruction, '请立即组织危险区群众转移。');
      assert.equal(res.body.lastFeedback, null);
      assert.ok(!res.text.includes(phoneA), 'not even the recipient\'s own phone number');
      for (const other of ['赵村干部', '李镇长', '杨县长', '孙信息员']) assert.ok(!res.text.includes(other), `nothing about ${other}`);
    });

    test('收到 by link is stored once however often it is tapped; the timer stops; ack.received is published', async () => {
      const token = await fx.tokenFor(db, rA, new Date(now().getTime() + HOUR));
      const first = await link(s.url, 'POST', token, { kind: 'received' });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.result, 'recorded');
      assert.equal(first.body.kind, 'received');
      const again = await Promise.all([1, 2, 3].map(() => link(s.url, 'POST', token, { kind: 'received' })));
      for (const r of again) {
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.result, 'duplicate');
      }
      assert.deepEqual(await answersOf(db, rA), [{ kind: 'received', moved: null, channel: 'link' }]);
      const row = await recipientRow(db, rA);
      assert.equal(row.status, 'answered');
      assert.ok(row.answered_at, 'answered_at is set: its escalation timer no longer runs');
      const due = await db.query('SELECT id FROM warning_recipients WHERE id = $1 AND deadline_at IS NOT NULL AND answered_at IS NULL AND escalated_at IS NULL', [rA]);
      assert.equal(due.rows.length, 0);

      await s.anlan.ctx.warningResponse!.publisher.flush();
      const published = events.filter((e) => e.type === 'ack.received' && (e.data as { warningId: number }).warningId === warningId);
      const mentions = published.flatMap((e) => (e.data as { recipients: { id: number; first: boolean }[] }).recipients).filter((r) => r.id === rA);
      assert.equal(mentions.length, 1, 'one event entry for the one stored answer');
      assert.equal(mentions[0].first, true);
      assert.equal(published.find((e) => (e.data as { recipients: { id: number }[] }).recipients.some((r) => r.id === rA))!.regionCode, '513322100201', 'the recipient\'s region decides who sees it');
    });

    test('feedback: the same client key counts once; later reports update the ledger field by field', async () => {
      const token = await fx.tokenFor(db, rB, new Date(now().getTime() + HOUR));
      const body = { kind: 'feedback', moved: 5, atRisk: 3, note: '张家老人已接走', clientKey: 'phone-b-0001' };
      assert.equal((await link(s.url, 'POST', token, body)).body.result, 'recorded');
      assert.equal((await link(s.url, 'POST', token, body)).body.result, 'duplicate', 'a queued answer resent after the network came back');
      // Tapped twice without a client key: the same content from the same link is the same answer.
      assert.equal((await link(s.url, 'POST', token, { kind: 'feedback', sheltered: 4 })).body.result, 'recorded');
      assert.equal((await link(s.url, 'POST', token, { kind: 'feedback', sheltered: 4 })).body.result, 'duplicate');
      assert.equal((await link(s.url, 'POST', token, { kind: 'feedback', moved: 8 })).body.result, 'recorded');
      assert.equal((await answersOf(db, rB)).length, 3);
      assert.equal((await recipientRow(db, rB)).status, 'answered', 'feedback answers too: whoever reports moving people has the warning');
      const view = await link(s.url, 'GET', token);
      assert.deepEqual(
        { moved: view.body.lastFeedback.moved, sheltered: view.body.lastFeedback.sheltered, atRisk: view.body.lastFeedback.atRisk, note: view.body.lastFeedback.note },
        { moved: 8, sheltered: 4, atRisk: 3, note: '张家老人已接走' },
      );
    });

    test('a burst of answers, each sent twice at once, is stored exactly once each', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 60; i++) {
        const p = await fx.insertPerson(db, { name: `网格员${i}`, regionCode: fx.LUQIAO, superiorId: chain.township });
        ids.push(await fx.insertRecipient(db, { warningId, personId: p.id, deadlineAt: new Date(now().getTime() + 45 * MIN) }));
      }
      const tokens = await Promise.all(ids.map((id) => fx.tokenFor(db, id, new Date(now().getTime() + HOUR))));
      const results = await Promise.all(tokens.flatMap((t) => [link(s.url, 'POST', t, { kind: 'received' }), link(s.url, 'POST', t, { kind: 'received' })]));
      for (const r of results) assert.equal(r.status, 200, r.text);
      for (let i = 0; i < ids.length; i++) {
        const pair = [results[2 * i].body.result, results[2 * i + 1].body.result].sort();
        assert.deepEqual(pair, ['duplicate', 'recorded'], `recipient ${ids[i]}: one recorded, one duplicate`);
      }
      const stored = await db.query<{ n: string }>('SELECT count(*) AS n FROM warning_answers WHERE recipient_id = ANY($1::bigint[])', [ids]);
      assert.equal(Number(stored.rows[0].n), ids.length);
      const answered = await db.query<{ n: string }>(`SELECT count(*) AS n FROM warning_recipients WHERE id = ANY($1::bigint[]) AND status = 'answered' AND answered_at IS NOT NULL`, [ids]);
      assert.equal(Number(answered.rows[0].n), ids.length);
    });

    test('one answer the database refuses does not fail the others written in the same batch', async () => {
      const wr = s.anlan.ctx.warningResponse!;
      const ids: number[] = [];
      for (const name of ['批次甲', '批次乙', '批次丙']) {
        const p = await fx.insertPerson(db, { name, regionCode: fx.LUQIAO });
        ids.push(await fx.insertRecipient(db, { warningId, personId: p.id }));
      }
      const row = (recipientId: number, note: string | null) => ({
        recipientId, kind: 'feedback' as const, channel: 'web' as const, clientKey: `batch-${recipientId}`, moved: 1, sheltered: null, atRisk: null, note, photoPath: null, answeredAt: now(),
      });
      // Submitted in one turn of the event loop: one batch. A NUL byte is refused by PostgreSQL text.
      const outcomes = await Promise.allSettled([wr.record(row(ids[0], 'fine')), wr.record(row(ids[1], 'bad \u0000 byte')), wr.record(row(ids[2], null))]);
      assert.equal(outcomes[0].status, 'fulfilled');
      assert.equal(outcomes[1].status, 'rejected');
      assert.equal(outcomes[2].status, 'fulfilled');
      assert.equal((await answersOf(db, ids[0])).length, 1);
      assert.equal((await answersOf(db, ids[1])).length, 0);
      assert.equal((await answersOf(db, ids[2])).length, 1);
    });

    test('a forged, malformed or expired link is refused, and an address that keeps trying is held off', async () => {
      const wr = s.anlan.ctx.warningResponse!;
      wr.linkFailures.reset('127.0.0.1');
      const good = await fx.tokenFor(db, rLoner, new Date(now().getTime() + HOUR));
      const forged = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
      const otherRecipient = `${rA}${good.slice(String(rLoner).length)}`;
      for (const [token, reason] of [[forged, 'forged'], [otherRecipient, 'forged'], ['not-a-token', 'malformed']] as const) {
        for (const method of ['GET', 'POST'] as const) {
          const res = await link(s.url, method, token, method === 'POST' ? { kind: 'received' } : undefined);
          assert.equal(res.status, 403, `${method} ${token}: ${res.text}`);
          assert.equal(res.body.errors[0].field, 'token');
          assert.equal(res.body.errors[0].message, reason);
        }
      }
      const expired = await fx.tokenFor(db, rLoner, new Date(now().getTime() - MIN));
      const gone = await link(s.url, 'POST', expired, { kind: 'received' });
      assert.equal(gone.status, 410, gone.text);
      assert.equal(gone.body.errors[0].message, 'expired');
      assert.equal((await answersOf(db, rLoner)).length, 0, 'nothing was stored by a refused link');

      wr.linkFailures.reset('127.0.0.1');
      for (let i = 0; i < LINK_FAILURES_PER_WINDOW; i++) assert.equal((await link(s.url, 'GET', forged)).status, 403);
      const held = await link(s.url, 'GET', good);
      assert.equal(held.status, 429, 'even a good link waits once the address has guessed too often');
      assert.ok(Number(held.headers.get('retry-after')) > 0);
      s.clock.advance(LINK_FAILURE_WINDOW_MS);
      assert.equal((await link(s.url, 'GET', good)).status, 200, 'the window passed');
    });

    test('a bad answer is refused naming the field, and nothing is stored', async () => {
      const token = await fx.tokenFor(db, rLoner, new Date(now().getTime() + HOUR));
      const cases: [unknown, string][] = [
        [{ kind: 'received', moved: 3 }, 'moved'],
        [{ kind: 'feedback' }, 'kind'],
        [{ kind: 'feedback', moved: -1 }, 'moved'],
        [{ kind: 'feedback', moved: 2.5 }, 'moved'],
        [{ kind: 'maybe' }, 'kind'],
        [{ kind: 'feedback', moved: 1, clientKey: 'link:forged-key' }, 'clientKey'],
        [{ kind: 'received', answeredAt: new Date(now().getTime() + HOUR).toISOString() }, 'answeredAt'],
        [{ kind: 'received', extra: 1 }, 'extra'],
      ];
      for (const [body, field] of cases) {
        const res = await link(s.url, 'POST', token, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.ok(res.body.errors.some((e: { field: string }) => e.field === field), `${JSON.stringify(body)} names ${field}: ${res.text}`);
      }
      assert.equal((await answersOf(db, rLoner)).length, 0);
    });

    test('feedback with a photo: stored once, shown to staff of the region; not an image or too large is refused', async () => {
      const token = await fx.tokenFor(db, rLoner, new Date(now().getTime() + HOUR));
      const sent = await photoForm(s.url, token, JPEG, { moved: '3', note: '已转移至村委会' });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.body.result, 'recorded');
      assert.equal(sent.body.kind, 'feedback');
      assert.equal((await photoForm(s.url, token, JPEG, { moved: '3', note: '已转移至村委会' })).body.result, 'duplicate', 'the same photo and fields again');

      const stored = await db.query<{ photo_path: string; moved: number }>('SELECT photo_path, moved FROM warning_answers WHERE recipient_id = $1', [rLoner]);
      assert.equal(stored.rows.length, 1);
      assert.equal(stored.rows[0].moved, 3);
      assert.match(stored.rows[0].photo_path, new RegExp(`^warning-photos/${warningId}/${rLoner}/[0-9a-f]{32}\\.jpg$`));

      const duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const page = await duty.get(`/api/v1/warnings/${warningId}/recipients?q=${encodeURIComponent('孙信息员')}`);
      assert.equal(page.status, 200, page.text);
      const answerId = page.body.items[0].photoAnswerId;
      assert.ok(answerId, 'the board links the photo');
      const photo = await fetch(`${s.url}/api/v1/warnings/${warningId}/answers/${answerId}/photo`, { headers: { cookie: (duty as unknown as { cookie: string }).cookie } });
      assert.equal(photo.status, 200);
      assert.equal(photo.headers.get('content-type'), 'image/jpeg');
      assert.deepEqual(Buffer.from(await photo.arrayBuffer()), JPEG);

      const text = await photoForm(s.url, token, Buffer.from('this is not a picture'));
      assert.equal(text.status, 400, text.text);
      assert.equal(text.body.errors[0].field, 'photo');
      const big = await photoForm(s.url, token, Buffer.concat([JPEG, Buffer.alloc(PHOTO_MAX_BYTES)]));
      assert.equal(big.status, 413, big.text);
      assert.equal(big.body.errors[0].field, 'photo');
      const badCount = await photoForm(s.url, token, JPEG, { moved: 'many' });
      assert.equal(badCount.status, 400, badCount.text);
      assert.equal(badCount.body.errors[0].field, 'moved');
      assert.equal((await answersOf(db, rLoner)).length, 1, 'refused uploads stored nothing');
      const forged = await photoForm(s.url, `${token.slice(0, -2)}xx`, JPEG);
      assert.equal(forged.status, 403);
    });

    test('staff record an answer taken by phone: audited; another county cannot see the recipient; a responder may not', async () => {
      const other = await fx.insertPerson(db, { name: '周组长', regionCode: fx.LUQIAO, superiorId: chain.township });
      const rOther = await fx.insertRecipient(db, { warningId, personId: other.id, deadlineAt: new Date(now().getTime() + 45 * MIN) });
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      assert.equal((await admin.post('/api/v1/users', { username: 'kd-duty', password: 'kangding-123', displayName: '康定市值班员', role: 'duty', regionCode: '513301' })).status, 201);
      const kd = await Client.login(s.url, 'kd-duty', 'kangding-123');
      const hidden = await kd.post(`/api/v1/warnings/${warningId}/recipients/${rOther}/answer`, { kind: 'received' });
      assert.equal(hidden.status, 404, hidden.text);
      const responder = await Client.login(s.url, 'ld-responder', s.demoPassword);
      assert.equal((await responder.post(`/api/v1/warnings/${warningId}/recipients/${rOther}/answer`, { kind: 'received' })).status, 403);

      const duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const res = await duty.post(`/api/v1/warnings/${warningId}/recipients/${rOther}/answer`, { kind: 'received', clientKey: 'call-zhou-001' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result, 'recorded');
      assert.equal((await duty.post(`/api/v1/warnings/${warningId}/recipients/${rOther}/answer`, { kind: 'received', clientKey: 'call-zhou-001' })).body.result, 'duplicate');
      assert.deepEqual(await answersOf(db, rOther), [{ kind: 'received', moved: null, channel: 'web' }]);
      const audit = await db.query<{ actor_name: string; region_code: string; after: { onBehalf: boolean; recipientId: number } }>(
        `SELECT actor_name, region_code, after FROM audit_log WHERE action = 'warning.answer_recorded' AND target_id = $1`,
        [String(rOther)],
      );
      assert.equal(audit.rows.length, 1, 'one audit entry for the one stored answer');
      assert.equal(audit.rows[0].actor_name, 'ld-duty');
      assert.equal(audit.rows[0].region_code, fx.LUQIAO);
      assert.equal(audit.rows[0].after.onBehalf, true);
    });

    test('the mobile page: the warnings of the person linked to my account, answered by me only', async () => {
      const responderId = await fx.userId(db, 'ld-responder');
      const me = await fx.insertPerson(db, { name: '赵春花', regionCode: fx.LUQIAO, superiorId: chain.township, userId: responderId });
      const rMe = await fx.insertRecipient(db, { warningId, personId: me.id, planned: 6, deadlineAt: new Date(now().getTime() + 45 * MIN) });
      const responder = await Client.login(s.url, 'ld-responder', s.demoPassword);
      const mine = await responder.get('/api/v1/warning/my');
      assert.equal(mine.status, 200, mine.text);
      assert.equal(mine.body.person.name, '赵春花');
      assert.deepEqual(mine.body.items.map((i: { recipientId: number }) => i.recipientId), [rMe]);
      assert.equal(mine.body.items[0].open, true);
      assert.equal(mine.body.items[0].planned, 6);
      assert.equal(mine.body.items[0].warning.headline, '泸定县暴雨橙色预警');
      assert.ok(mine.body.items[0].deadlineAt);

      const queued = { kind: 'feedback', moved: 6, sheltered: 6, clientKey: 'offline-queue-0001', answeredAt: new Date(now().getTime() - 5 * MIN).toISOString() };
      const first = await responder.post(`/api/v1/warning/my/${rMe}/answer`, queued);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.result, 'recorded');
      assert.equal(first.body.answeredAt, queued.answeredAt, 'an answer queued offline keeps the time it was made');
      assert.equal((await responder.post(`/api/v1/warning/my/${rMe}/answer`, queued)).body.result, 'duplicate');
      const notMine = await responder.post(`/api/v1/warning/my/${rA}/answer`, { kind: 'received' });
      assert.equal(notMine.status, 404, notMine.text);
      const after = await responder.get('/api/v1/warning/my');
      assert.equal(after.body.items[0].status, 'answered');
      assert.equal(after.body.items[0].lastFeedback.moved, 6);

      const duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const unlinked = await duty.get('/api/v1/warning/my');
      assert.equal(unlinked.status, 200);
      assert.equal(unlinked.body.person, null);
      assert.deepEqual(unlinked.body.items, []);
      assert.equal((await duty.post(`/api/v1/warning/my/${rMe}/answer`, { kind: 'received' })).status, 403);
    });

    test('/a/<token>, the link in the SMS, opens the mobile page', async () => {
      const token = await fx.tokenFor(db, rA, new Date(now().getTime() + HOUR));
      const res = await fetch(`${s.url}/a/${token}`);
      const text = await res.text();
      if (existsSync(join(WEB_DIST, 'index.html'))) {
        assert.equal(res.status, 200, text);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        assert.match(text, /<div id="app">/);
      } else {
        assert.equal(res.status, 404);
        assert.match(JSON.parse(text).detail, /web app is not built/);
      }
    });
  });
}
