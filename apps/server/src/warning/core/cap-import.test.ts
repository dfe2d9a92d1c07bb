import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { Client } from '../../../../../tests/helpers/http.ts';
import type { IssuedWarning } from '../contracts.ts';
import { WarningFeedPoller, indexLinks, parseCapFeedList } from './feed-poller.ts';
import { SettableClock, startWarningServer, type WarningTestServer } from './test-server.ts';

// The samples ship in packages/cap/test-data (copied there from the shared CAP data set).
const DATA = new URL('../../../../../packages/cap/test-data/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, DATA), 'utf8');
const BASE = '/api/v1/warnings';
const CAP = { 'content-type': 'application/cap+xml' };

async function post(c: Client, xml: string, contentType = CAP) {
  return c.request('POST', `${BASE}/cap`, xml, contentType);
}

for (const target of testTargets()) {
  describe(`CAP import: the samples and the invalid ones (${target.name})`, () => {
    // The samples are of 15–16 July 2026: the server's clock follows their story.
    const clock = new SettableClock(Date.parse('2026-07-15T16:30:00+08:00'));
    let s: WarningTestServer;
    let commander: Client;
    let gzCommander: Client;
    let duty: Client;
    const dispatched: IssuedWarning[] = [];

    /** Moves the story on; sessions last 12 hours of the server's clock, so everyone logs in again. */
    async function at(when: string) {
      clock.set(when);
      commander = await Client.login(s.url, 'ld-commander', s.demoPassword);
      gzCommander = await Client.login(s.url, 'gz-commander', s.demoPassword);
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
    }

    before(async () => {
      s = await startWarningServer(target, { clock });
      s.anlan.ctx.warningDispatch = { dispatch: async (w) => (dispatched.push(w), { recipients: 0, enqueued: 0 }) };
      await at('2026-07-15T16:30:00+08:00');
    });
    after(() => s.close());

    test('invalid CAP is refused with the element and the reason', async () => {
      const cases: [string, string, RegExp][] = [
        [sample('invalid/missing-certainty.xml'), 'alert/info[1]/certainty', /is required/],
        [sample('invalid/utc-z-time.xml'), 'alert/sent', /explicit offset.*"Z"/],
        [sample('invalid/wrong-namespace.xml'), 'alert', /CAP 1\.1.*CAP 1\.2.*only/],
        ['<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>', 'line 1, column', /not well-formed/],
        [sample('01-rainstorm-orange-alert.xml').replace('<status>Actual</status>', '<status>Test</status>'), 'alert/status', /Test messages are not imported/],
        [sample('03-rainstorm-cancel.xml'), 'alert/references', /refers to no warning Anlan holds/],
        [sample('01-rainstorm-orange-alert.xml').replace('<event>暴雨</event>', '<event>陨石</event>'), 'alert/info[1]/event', /not an event type/],
      ];
      for (const [xml, element, reason] of cases) {
        const res = await post(commander, xml);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        const hit = (res.body.errors as { field: string; message: string }[]).find((e) => e.field.startsWith(element));
        assert.ok(hit, `${element} in ${res.text}`);
        assert.match(hit.message, reason);
      }
      assert.equal((await post(duty, sample('01-rainstorm-orange-alert.xml'))).status, 403, 'a duty officer may not issue by import');
      const json = await commander.request('POST', `${BASE}/cap`, { alert: {} });
      assert.equal(json.status, 400);
      assert.equal(json.body.errors[0].field, 'body');
      assert.equal((await commander.get(BASE)).body.total, 0, 'nothing was stored');
      assert.equal(dispatched.length, 0);
    });

    test('01 → 02 → 03: an alert, its Update and its Cancel make one thread; a repeat is a duplicate', async () => {
      const first = await post(commander, sample('01-rainstorm-orange-alert.xml'));
      assert.equal(first.status, 201, first.text);
      const w1 = first.body.warning;
      assert.deepEqual([w1.identifier, w1.origin, w1.state, w1.msgType, w1.event, w1.level, w1.stage, w1.regionCode], ['CN.513322.YJ.20260715.0001', 'imported', 'issued', 'Alert', 'rainstorm', 'orange', 'forecast', '513322']);
      assert.equal(w1.senderName, '泸定县应急管理局');
      assert.equal(w1.sent, '2026-07-15T16:20:00+08:00');
      assert.equal(w1.issuedAt, '2026-07-15T08:20:00.000Z');
      assert.equal(w1.expires, '2026-07-15T20:00:00.000Z');
      assert.equal(w1.draftedBy, 'ld-commander');
      assert.deepEqual(w1.translations.map((t: { language: string }) => t.language), ['en-US']);
      assert.deepEqual(w1.areas.map((a: { kind: string; withinCode: string; label: string }) => [a.kind, a.withinCode, a.label]), [['polygon', '513322', '冷碛镇、兴隆镇、磨西镇']]);
      assert.equal((await commander.get(`${BASE}/${w1.id}/cap`)).text, sample('01-rainstorm-orange-alert.xml'), 'kept verbatim');
      assert.deepEqual(dispatched.map((d) => [d.id, d.msgType]), [[w1.id, 'Alert']]);

      const again = await post(commander, sample('01-rainstorm-orange-alert.xml'));
      assert.equal(again.status, 200);
      assert.equal(again.body.duplicate, true);
      assert.equal(again.body.warning.id, w1.id);
      assert.equal(dispatched.length, 1, 'a duplicate is not dispatched again');

      await at('2026-07-15T19:06:00+08:00');
      const update = await post(commander, sample('02-rainstorm-red-update.xml'));
      assert.equal(update.status, 201, update.text);
      const w2 = update.body.warning;
      assert.deepEqual([w2.msgType, w2.threadId, w2.previousId, w2.level, w2.stage, w2.state], ['Update', w1.threadId, w1.id, 'red', 'callresponse', 'issued']);
      assert.equal((await commander.get(`${BASE}/${w1.id}`)).body.state, 'superseded');

      await at('2026-07-16T07:41:00+08:00');
      const cancel = await post(commander, sample('03-rainstorm-cancel.xml'));
      assert.equal(cancel.status, 201, cancel.text);
      const w3 = cancel.body.warning;
      assert.deepEqual([w3.msgType, w3.threadId, w3.previousId, w3.level, w3.state], ['Cancel', w1.threadId, w2.id, 'red', 'cancelled']);
      assert.equal(w3.expires, '2026-07-16T00:00:00.000Z', 'a Cancel without expires lasts as long as what it cancels');
      assert.deepEqual(w3.thread.map((t: { id: number; state: string }) => [t.id, t.state]), [[w1.id, 'superseded'], [w2.id, 'cancelled'], [w3.id, 'cancelled']]);
      assert.deepEqual(w3.history.filter((e: { kind: string }) => e.kind === 'imported').length, 3);
      assert.deepEqual(dispatched.map((d) => [d.msgType, d.previousId]), [['Alert', null], ['Update', w1.id], ['Cancel', w2.id]]);
      assert.match(w3.sms.text, /^【安澜预警】泸定县应急管理局解除暴雨预警：降雨已明显减弱/);
      const audit = await s.anlan.ctx.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target_type = 'warning' ORDER BY id`);
      assert.deepEqual(audit.rows.map((r) => r.action), ['warning.imported', 'warning.imported', 'warning.superseded', 'warning.imported', 'warning.cancelled']);
    });

    test('04: an exercise over two counties is the prefecture\'s; a county commander is refused, naming the area', async () => {
      await at('2026-08-02T09:05:00+08:00');
      const refused = await post(commander, sample('04-geohazard-exercise.xml'));
      assert.equal(refused.status, 400, refused.text);
      assert.deepEqual(refused.body.errors.map((e: { field: string }) => e.field), ['alert/info[1]/area[2]/geocode[1]']);
      assert.match(refused.body.errors[0].message, /outside your region \(513322\)/);
      const taken = await post(gzCommander, sample('04-geohazard-exercise.xml'));
      assert.equal(taken.status, 201, taken.text);
      const w = taken.body.warning;
      assert.deepEqual([w.status, w.event, w.level, w.regionCode, w.state], ['Exercise', 'geohazard', 'yellow', '513300', 'issued']);
      assert.match(w.sms.text, /^【安澜预警·演练】甘孜州自然资源局发布地质灾害黄色预警：/);
      assert.equal((await commander.get(`${BASE}/${w.id}`)).status, 404, 'the county does not see the prefecture\'s warning');
    });

    test('an alert that expired before it was imported is kept as expired and not dispatched', async () => {
      await at('2026-09-01T00:00:00+08:00');
      const before = dispatched.length;
      const late = await post(commander, sample('01-rainstorm-orange-alert.xml').replace('CN.513322.YJ.20260715.0001', 'CN.513322.YJ.20260715.0099'));
      assert.equal(late.status, 201, late.text);
      assert.equal(late.body.warning.state, 'expired');
      assert.equal(dispatched.length, before);
    });
  });

  describe(`CAP feeds: polled, each alert imported once (${target.name})`, () => {
    const clock = new SettableClock(Date.parse('2026-07-15T19:10:00+08:00'));
    let s: WarningTestServer;
    let feedServer: Server;
    let feedBase = '';
    const hits = new Map<string, number>();
    const files: Record<string, string> = {
      '/cap/01.xml': sample('01-rainstorm-orange-alert.xml'),
      '/cap/02.xml': sample('02-rainstorm-red-update.xml'),
      '/cap/bad.xml': sample('invalid/missing-certainty.xml'),
      '/single.xml': sample('01-rainstorm-orange-alert.xml').replace('CN.513322.YJ.20260715.0001', 'CN.513322.YJ.20260715.0007'),
    };

    before(async () => {
      feedServer = createServer((req, res) => {
        const path = req.url ?? '/';
        hits.set(path, (hits.get(path) ?? 0) + 1);
        if (path === '/index.atom') {
          res.writeHead(200, { 'content-type': 'application/atom+xml' });
          res.end(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>泸定县预警</title>
  <entry><title>暴雨橙色预警</title><link rel="alternate" type="application/cap+xml" href="/cap/01.xml"/></entry>
  <entry><title>暴雨红色预警</title><link href="cap/02.xml"/></entry>
  <entry><title>坏消息</title><link href="${feedBase}/cap/bad.xml"/></entry>
</feed>`);
          return;
        }
        const body = files[path];
        if (!body) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/cap+xml' });
        res.end(body);
      });
      await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
      feedBase = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
      s = await startWarningServer(target, { clock });
    });
    after(async () => {
      await s.close();
      await new Promise((resolve) => feedServer.close(resolve));
    });

    test('an Atom index of CAP files and a single CAP URL: imported once, in order; a bad entry refused once', async () => {
      const ctx = s.anlan.ctx;
      const poller = new WarningFeedPoller({ db: ctx.db, clock, bus: ctx.bus, log: ctx.log }, ctx.log, parseCapFeedList(`${feedBase}/index.atom@30, ${feedBase}/single.xml`));
      await poller.pollOnce();
      await poller.pollOnce();
      // The two feeds are polled side by side: order by identifier.
      const rows = await ctx.db.query<{ identifier: string; state: string; source: string; thread_id: string; drafted_by_name: string }>('SELECT identifier, state, source, thread_id, drafted_by_name FROM warnings ORDER BY identifier');
      assert.deepEqual(rows.rows.map((r) => [r.identifier, r.state, r.source]), [
        ['CN.513322.YJ.20260715.0001', 'superseded', `${feedBase}/cap/01.xml`],
        ['CN.513322.YJ.20260715.0002', 'issued', `${feedBase}/cap/02.xml`],
        ['CN.513322.YJ.20260715.0007', 'issued', `${feedBase}/single.xml`],
      ]);
      assert.equal(rows.rows[0].thread_id, rows.rows[1].thread_id);
      assert.match(rows.rows[0].drafted_by_name, /^feed:127\.0\.0\.1:\d+$/);
      // Entries are fetched once; the index and the single URL at every poll.
      assert.deepEqual([hits.get('/index.atom'), hits.get('/cap/01.xml'), hits.get('/cap/02.xml'), hits.get('/cap/bad.xml'), hits.get('/single.xml')], [2, 1, 1, 1, 2]);
      const status = poller.list();
      assert.deepEqual(status.map((f) => [f.intervalSeconds, f.lastOk, f.lastImported, f.totalImported]), [[30, true, 0, 2], [60, true, 0, 1]]);
      const items = await ctx.db.query<{ outcome: string; message: string | null }>('SELECT outcome, message FROM warning_feed_items ORDER BY seen_at, item');
      assert.deepEqual(items.rows.map((r) => r.outcome).sort(), ['imported', 'imported', 'imported', 'rejected']);
      assert.match(items.rows.find((r) => r.outcome === 'rejected')!.message!, /alert\/info\[1\]\/certainty: is required/);
      await poller.close();
    });

    test('feeds in the settings: only a national or provincial administrator sets them; the server\'s poller takes them', async () => {
      const gzAdmin = await Client.login(s.url, 'gz-admin', s.demoPassword);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      const url = `${feedBase}/none.xml`;
      assert.equal((await gzAdmin.request('PUT', `${BASE}/settings`, { feeds: [{ url }] })).status, 403);
      const bad = await admin.request('PUT', `${BASE}/settings`, { feeds: [{ url: 'ftp://example.org/a.xml' }] });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].field, 'feeds[0].url');
      const saved = await admin.request('PUT', `${BASE}/settings`, { feeds: [{ url, intervalSeconds: 120 }], capSenderDomain: 'ganzi.example.gov.cn' });
      assert.equal(saved.status, 200, saved.text);
      assert.deepEqual(saved.body, { capSenderDomain: 'ganzi.example.gov.cn', feeds: [{ url, intervalSeconds: 120 }] });
      const feeds = await admin.get(`${BASE}/feeds`);
      assert.deepEqual(feeds.body.items.map((f: { url: string; origin: string; intervalSeconds: number }) => [f.url, f.origin, f.intervalSeconds]), [[url, 'setting', 120]]);
      const audit = await s.anlan.ctx.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action = 'warning.settings_changed'`);
      assert.equal(audit.rows.length, 1);
    });

    test('index links: Atom and RSS, relative and absolute; anything else is not an index', () => {
      assert.deepEqual(indexLinks('<rss version="2.0"><channel><item><link>https://a.example/1.xml</link></item><item><link><![CDATA[/2.xml]]></link></item></channel></rss>', 'https://a.example/feed'), ['https://a.example/1.xml', 'https://a.example/2.xml']);
      assert.equal(indexLinks(sample('01-rainstorm-orange-alert.xml'), 'https://a.example/'), null);
      assert.throws(() => parseCapFeedList('https://a.example/feed@5'), /at most every 10 seconds/);
    });
  });
}
