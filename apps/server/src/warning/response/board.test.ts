import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '@anlan/db';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { Client } from '../../../../../tests/helpers/http.ts';
import { readXlsxRows } from '../../http/xlsx.ts';
import { rollUpCounts, rollUpEvacuation } from './rollup.ts';
import { startResponseServer, type ResponseServer } from './testing/server.ts';
import * as fx from './testing/fixtures.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('roll-ups up the region tree', () => {
  test('the evacuation ledger sums villages into townships into counties; 转移到位率 = moved / planned', () => {
    const names = new Map([['513322', '泸定县'], ['513322100', '泸桥镇'], ['513322100201', '咱里村']]);
    const row = (regionCode: string, planned: number, moved: number, sheltered: number, atRisk: number, reported: number) => ({ regionCode, recipients: 1, planned, moved, sheltered, atRisk, reported });
    const ledger = rollUpEvacuation(
      [row('513322100201', 10, 8, 6, 2, 1), row('513322100202', 10, 2, 2, 5, 1), row('513322100', 5, 5, 5, 0, 1), row('513322', 0, 0, 0, 0, 0), row('513322101', 0, 0, 0, 0, 0)],
      names,
    );
    assert.deepEqual(ledger.total, { recipients: 5, reported: 3, planned: 25, moved: 15, sheltered: 13, atRisk: 7, rate: 0.6 });
    assert.equal(ledger.counties.length, 1);
    const [county] = ledger.counties;
    assert.equal(county.name, '泸定县');
    assert.deepEqual(county.townships.map((t) => [t.code, t.name, t.planned, t.moved, t.rate]), [
      ['513322', '泸定县', 0, 0, null],
      ['513322100', '泸桥镇', 25, 15, 0.6],
      ['513322101', null, 0, 0, null],
    ]);
    const luqiao = county.townships[1];
    assert.deepEqual(luqiao.villages.map((v) => [v.code, v.name, v.rate]), [['513322100201', '咱里村', 0.8], ['513322100202', null, 0.2]]);
  });

  test('board counts per status, township and village', () => {
    const { counts, groups } = rollUpCounts(
      [
        { regionCode: '513322100201', status: 'answered', n: 3 },
        { regionCode: '513322100201', status: 'silent', n: 1 },
        { regionCode: '513322100', status: 'escalated', n: 1 },
        { regionCode: '513322101', status: 'delivered', n: 2 },
      ],
      new Map(),
    );
    assert.equal(counts.total, 7);
    assert.equal(counts.answered, 3);
    assert.equal(counts.silent, 1);
    assert.equal(counts.queued, 0);
    assert.deepEqual(groups.map((g) => [g.code, g.counts.total, g.villages.length]), [['513322100', 5, 1], ['513322101', 2, 0]]);
    assert.equal(groups[0].villages[0].counts.answered, 3);
  });
});

for (const target of testTargets()) {
  describe(`call-response board and evacuation ledger (${target.name})`, () => {
    let s: ResponseServer;
    let db: Database;
    let warningId: number;
    let duty: Client;
    const r: Record<string, number> = {};
    const now = () => s.clock.now();
    const at = (ms: number) => new Date(now().getTime() + ms);
    const tokens: Record<string, string> = {};
    const answer = async (who: string, body: unknown) => {
      const res = await fetch(`${s.url}/api/v1/acks/${tokens[who]}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 200, await res.text());
    };

    before(async () => {
      s = await startResponseServer(target);
      db = s.anlan.ctx.db;
      await s.anlan.ctx.warningResponse!.escalation.stop();
      warningId = await fx.insertWarning(db, { issuedAt: now(), expiresAt: at(6 * HOUR) });
      const chain = await fx.ludingChain(db);
      const deadlineAt = at(45 * MIN);
      r.a = await fx.insertRecipient(db, { warningId, personId: chain.villageA, planned: 10, deadlineAt });
      r.b = await fx.insertRecipient(db, { warningId, personId: chain.villageB, planned: 10, deadlineAt });
      r.t = await fx.insertRecipient(db, { warningId, personId: chain.township, planned: 5, deadlineAt, reason: 'chain' });
      r.l = await fx.insertRecipient(db, { warningId, personId: chain.loner, planned: 4, deadlineAt: at(-MIN) });
      for (const [k, id] of Object.entries(r)) tokens[k] = await fx.tokenFor(db, id, at(HOUR));
      await answer('a', { kind: 'received' });
      await answer('a', { kind: 'feedback', moved: 6, sheltered: 4, atRisk: 4, clientKey: 'a-report-001' });
      await answer('a', { kind: 'feedback', moved: 8, clientKey: 'a-report-002' });
      await answer('b', { kind: 'feedback', moved: 2, atRisk: 5, note: '道路中断' });
      await answer('t', { kind: 'feedback', moved: 5, sheltered: 5 });
      // 孙信息员 of 冷碛镇 never answers: the pass after their deadline marks them silent.
      await s.anlan.ctx.warningResponse!.escalation.tick();
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      for (const [username, regionCode] of [['lq-duty', fx.LUQIAO], ['kd-duty', '513301']]) {
        const made = await admin.post('/api/v1/users', { username, password: `${username}-pass-123`, displayName: username, role: 'duty', regionCode });
        assert.equal(made.status, 201, made.text);
      }
    });
    after(() => s.close());

    test('the recipients with status, time left, latest feedback and counts per township and village', async () => {
      const page = await duty.get(`/api/v1/warnings/${warningId}/recipients`);
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.warning.id, warningId);
      assert.equal(page.body.total, 4);
      assert.deepEqual(
        { total: page.body.counts.total, answered: page.body.counts.answered, silent: page.body.counts.silent, delivered: page.body.counts.delivered },
        { total: 4, answered: 3, silent: 1, delivered: 0 },
      );
      const byName = new Map(page.body.items.map((i: { name: string }) => [i.name, i]));
      const a = byName.get('王网格员') as Record<string, any>;
      assert.equal(a.status, 'answered');
      assert.equal(a.townshipCode, fx.LUQIAO);
      assert.equal(a.townshipName, '泸桥镇');
      assert.equal(a.villageCode, '513322100201');
      assert.equal(a.villageName, '咱里村');
      assert.equal(a.secondsLeft, null, 'answered: no time left to show');
      assert.deepEqual({ moved: a.feedback.moved, sheltered: a.feedback.sheltered, atRisk: a.feedback.atRisk }, { moved: 8, sheltered: 4, atRisk: 4 });
      const l = byName.get('孙信息员') as Record<string, any>;
      assert.equal(l.status, 'silent');
      assert.equal(l.townshipName, '冷碛镇');
      assert.equal(l.villageCode, null);

      const luqiao = page.body.groups.find((g: { code: string }) => g.code === fx.LUQIAO);
      assert.equal(luqiao.counts.total, 3);
      assert.deepEqual(luqiao.villages.map((v: { code: string; counts: { total: number } }) => [v.code, v.counts.total]), [['513322100201', 1], ['513322100202', 1]]);

      const silent = await duty.get(`/api/v1/warnings/${warningId}/recipients?status=silent`);
      assert.deepEqual(silent.body.items.map((i: { name: string }) => i.name), ['孙信息员']);
      assert.equal(silent.body.counts.total, 4, 'the counts are the whole board, not the filtered page');
      const village = await duty.get(`/api/v1/warnings/${warningId}/recipients?regionCode=513322100202`);
      assert.deepEqual(village.body.items.map((i: { name: string }) => i.name), ['赵村干部']);
      const search = await duty.get(`/api/v1/warnings/${warningId}/recipients?q=${encodeURIComponent('镇长')}`);
      assert.deepEqual(search.body.items.map((i: { name: string }) => i.name), ['李镇长']);
      const paged = await duty.get(`/api/v1/warnings/${warningId}/recipients?limit=2&offset=2&sort=deadline`);
      assert.equal(paged.body.items.length, 2);
      assert.equal(paged.body.total, 4);
      const urgent = await duty.get(`/api/v1/warnings/${warningId}/recipients?sort=deadline&limit=1`);
      assert.equal(urgent.body.items[0].name, '孙信息员', 'silent first');
      const bad = await duty.get(`/api/v1/warnings/${warningId}/recipients?status=lost`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].field, 'status');
      const outside = await duty.get(`/api/v1/warnings/${warningId}/recipients?regionCode=513301101`);
      assert.equal(outside.status, 400);
      assert.equal(outside.body.errors[0].field, 'regionCode');
    });

    test('time left counts down by the clock while an answer is awaited', async () => {
      const p = await fx.insertPerson(db, { name: '新增网格员', regionCode: fx.LUQIAO });
      await fx.insertRecipient(db, { warningId, personId: p.id, deadlineAt: at(30 * MIN) });
      const page = await duty.get(`/api/v1/warnings/${warningId}/recipients?q=${encodeURIComponent('新增')}`);
      assert.equal(page.body.items[0].secondsLeft, 30 * 60);
      s.clock.advance(10 * MIN);
      const later = await duty.get(`/api/v1/warnings/${warningId}/recipients?q=${encodeURIComponent('新增')}`);
      assert.equal(later.body.items[0].secondsLeft, 20 * 60);
      await db.query('DELETE FROM warning_recipients WHERE person_id = $1', [p.id]);
    });

    test('the evacuation ledger: planned, moved, sheltered, at risk and 转移到位率 per township and village, from each one\'s latest report', async () => {
      const res = await duty.get(`/api/v1/warnings/${warningId}/evacuation`);
      assert.equal(res.status, 200, res.text);
      // A: moved 8 (latest), sheltered 4, at risk 4; B: moved 2, at risk 5; township head: 5 and 5; L: nothing.
      assert.deepEqual(res.body.total, { recipients: 4, reported: 3, planned: 29, moved: 15, sheltered: 9, atRisk: 9, rate: 0.5172 });
      const [county] = res.body.counties;
      assert.equal(county.code, fx.LUDING);
      assert.equal(county.name, '泸定县');
      const luqiao = county.townships.find((t: { code: string }) => t.code === fx.LUQIAO);
      assert.deepEqual({ planned: luqiao.planned, moved: luqiao.moved, rate: luqiao.rate }, { planned: 25, moved: 15, rate: 0.6 });
      assert.deepEqual(luqiao.villages.map((v: { code: string; moved: number; rate: number }) => [v.code, v.moved, v.rate]), [['513322100201', 8, 0.8], ['513322100202', 2, 0.2]]);
      const lengqi = county.townships.find((t: { code: string }) => t.code === fx.LENGQI);
      assert.deepEqual({ planned: lengqi.planned, moved: lengqi.moved, rate: lengqi.rate, reported: lengqi.reported }, { planned: 4, moved: 0, rate: 0, reported: 0 });
    });

    test('region scope: a township sees its own part, another county sees nothing', async () => {
      const lq = await Client.login(s.url, 'lq-duty', 'lq-duty-pass-123');
      const page = await lq.get(`/api/v1/warnings/${warningId}/recipients`);
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.total, 3);
      assert.ok(!page.text.includes('孙信息员'), 'nobody of 冷碛镇');
      const ledger = await lq.get(`/api/v1/warnings/${warningId}/evacuation`);
      assert.equal(ledger.body.total.planned, 25);
      const kd = await Client.login(s.url, 'kd-duty', 'kd-duty-pass-123');
      for (const path of ['recipients', 'evacuation', 'recipients/export', 'board/stream']) {
        const res = await kd.get(`/api/v1/warnings/${warningId}/${path}`);
        assert.equal(res.status, 404, `${path}: ${res.text}`);
      }
    });

    test('the spreadsheet: the recipient list and the ledger', async () => {
      const res = await fetch(`${s.url}/api/v1/warnings/${warningId}/recipients/export?regionCode=${fx.LUQIAO}`, { headers: { cookie: (duty as unknown as { cookie: string }).cookie } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-disposition') ?? '', /filename\*=UTF-8''/);
      const data = new Uint8Array(await res.arrayBuffer());
      const list = await readXlsxRows(data, { sheet: '叫应名单' });
      assert.deepEqual(list.sheets, ['叫应名单', '转移台账']);
      const header = list.rows[0].cells;
      const col = (name: string) => header.indexOf(name);
      const people = list.rows.slice(1).filter((row) => typeof row.cells[col('姓名')] === 'string' && String(row.cells[col('行政区划代码')] ?? '').startsWith('513322'));
      assert.deepEqual(people.map((p) => p.cells[col('姓名')]).sort(), ['李镇长', '王网格员', '赵村干部'].sort(), 'the filter applies');
      const wang = people.find((p) => p.cells[col('姓名')] === '王网格员')!;
      assert.equal(wang.cells[col('村（社区）')], '咱里村');
      assert.equal(wang.cells[col('状态')], '已应答');
      assert.equal(wang.cells[col('已转移')], 8);
      const ledger = await readXlsxRows(data, { sheet: '转移台账' });
      const total = ledger.rows.find((row) => row.cells[0] === '合计')!;
      assert.equal(total.cells[6], 15, 'moved');
      assert.equal(total.cells[9], 0.6, '转移到位率 of the township in the export');
    });

    test('the live board stream: a snapshot, then an update when someone answers', async () => {
      const p = await fx.insertPerson(db, { name: '直播网格员', regionCode: fx.LUQIAO });
      const rLive = await fx.insertRecipient(db, { warningId, personId: p.id, deadlineAt: at(30 * MIN) });
      const token = await fx.tokenFor(db, rLive, at(HOUR));
      const res = await fetch(`${s.url}/api/v1/warnings/${warningId}/board/stream`, {
        headers: { cookie: (duty as unknown as { cookie: string }).cookie },
        // A bound on a stream that would otherwise never end if the update never came.
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      const nextEvent = async (): Promise<{ event: string; data: any }> => {
        for (;;) {
          const end = buffer.indexOf('\n\n');
          if (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (event && data) return { event, data: JSON.parse(data) };
            continue;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error('the stream ended');
          buffer += decoder.decode(value, { stream: true });
        }
      };
      const snapshot = await nextEvent();
      assert.equal(snapshot.event, 'snapshot');
      assert.equal(snapshot.data.warningId, warningId);
      const answeredBefore = snapshot.data.counts.answered;

      const answered = await fetch(`${s.url}/api/v1/acks/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"received"}' });
      assert.equal(answered.status, 200);
      let update: { event: string; data: any };
      do update = await nextEvent();
      while (!update.data.changed?.some((c: { id: number }) => c.id === rLive));
      assert.equal(update.event, 'update');
      assert.deepEqual(update.data.changed.find((c: { id: number }) => c.id === rLive).status, 'answered');
      assert.equal(update.data.counts.answered, answeredBefore + 1, 'the counts come with it');
      await reader.cancel();
    });
  });
}
