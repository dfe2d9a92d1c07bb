import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../tests/helpers/server.ts';
import { Client } from '../../../tests/helpers/http.ts';

const PATH = '/api/v1/assessments/earthquake/reports';

/** A CAP earthquake message as a seismic network relays it: parameters plus the epicentre as a circle. */
function capQuake(o: { id: string; msgType?: string; magnitude?: number; status?: string; references?: string; certainty?: string }) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${o.id}</identifier>
  <sender>cenc@example.cn</sender>
  <sent>2022-09-05T13:01:00+08:00</sent>
  <status>${o.status ?? 'Actual'}</status>
  <msgType>${o.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>${o.references ? `\n  <references>${o.references}</references>` : ''}
  <info>
    <language>zh-CN</language>
    <category>Geo</category>
    <event>地震</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    ${o.certainty === undefined ? '<certainty>Observed</certainty>' : o.certainty}
    <headline>四川甘孜州泸定县发生${o.magnitude ?? 6.8}级地震</headline>
    <parameter><valueName>magnitude</valueName><value>${o.magnitude ?? 6.8}</value></parameter>
    <parameter><valueName>depth</valueName><value>16</value></parameter>
    <parameter><valueName>OriginTime</valueName><value>2022-09-05T12:52:18+08:00</value></parameter>
    <area><areaDesc>四川甘孜州泸定县</areaDesc><circle>29.59,102.08 0</circle></area>
  </info>
</alert>`;
}

const CENC = (kind: '自动' | '正式', mag: number, depth: number) =>
  `中国地震台网${kind}测定：2013年04月20日08时02分在四川省雅安市芦山县（北纬30.30度，东经103.00度）发生${mag}级地震，震源深度${depth}千米。`;

for (const target of testTargets()) {
  describe(`earthquake reports start assessments (${target.name})`, () => {
    let s: TestServer;
    let national: Client;
    let feed: Record<string, string>;
    let countyFeed: Record<string, string>;
    const anon = () => new Client(s.url);
    const send = (body: string | unknown, contentType: string, headers = feed) =>
      anon().request('POST', PATH, typeof body === 'string' ? body : JSON.stringify(body), { ...headers, 'content-type': contentType });

    before(async () => {
      s = await startTestServer({ target });
      national = await Client.login(s.url, 'admin', s.adminPassword);
      const t = await national.post('/api/v1/tokens', { name: '地震速报接入', regionCode: '000000' });
      feed = { authorization: `Bearer ${t.body.token}` };
      const c = await national.post('/api/v1/tokens', { name: '泸定县 接入', regionCode: '513322' });
      countyFeed = { authorization: `Bearer ${c.body.token}` };
    });
    after(() => s.close());

    let first: any;
    test('a CAP earthquake message is assessed at once; the assessment says what started it', async () => {
      const res = await send(capQuake({ id: 'CENC.20220905.1252' }), 'application/cap+xml');
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body.rejected, []);
      first = res.body.accepted[0];
      assert.equal(first.outcome, 'assessed');
      assert.equal(first.duplicate, false);
      assert.ok(first.assessmentId > 0);
      const a = await national.get(`/api/v1/assessments/earthquake/${first.assessmentId}`);
      assert.equal(a.status, 200);
      assert.equal(a.body.trigger, 'report');
      assert.equal(a.body.report.source, 'cenc@example.cn');
      assert.equal(a.body.report.format, 'cap');
      assert.deepEqual(a.body.epicentre, { code: '513322', name: '泸定县' });
      assert.equal(a.body.event.magnitude, 6.8);
      assert.match(a.body.name, /泸定县.*6\.8 级地震/);
      assert.ok(a.body.deaths.median > 0);
    });

    test('the same message again is answered, not stored twice', async () => {
      const res = await send(capQuake({ id: 'CENC.20220905.1252' }), 'application/xml');
      assert.equal(res.status, 200);
      assert.equal(res.body.accepted[0].duplicate, true);
      assert.equal(res.body.accepted[0].reportId, first.reportId);
      const list = await national.get(PATH);
      assert.equal(list.body.items.filter((r: { externalId: string }) => r.externalId === 'CENC.20220905.1252').length, 1);
    });

    test('an Update supersedes the earlier assessment of the thread; a Cancel cancels it', async () => {
      const update = await send(
        capQuake({ id: 'CENC.20220905.1252.U1', msgType: 'Update', magnitude: 6.6, references: 'cenc@example.cn,CENC.20220905.1252,2022-09-05T13:01:00+08:00' }),
        'text/xml',
      );
      assert.equal(update.status, 201, update.text);
      const u = update.body.accepted[0];
      assert.equal(u.threadId, first.threadId);
      assert.notEqual(u.assessmentId, first.assessmentId);
      const old = await national.get(`/api/v1/assessments/earthquake/${first.assessmentId}`);
      assert.equal(old.body.supersededBy, u.assessmentId);

      const cancel = await send(
        capQuake({ id: 'CENC.20220905.1252.C', msgType: 'Cancel', references: 'cenc@example.cn,CENC.20220905.1252.U1,2022-09-05T13:10:00+08:00' }),
        'application/cap+xml',
      );
      assert.equal(cancel.status, 201, cancel.text);
      assert.equal(cancel.body.accepted[0].outcome, 'cancelled');
      const cancelled = await national.get(`/api/v1/assessments/earthquake/${u.assessmentId}`);
      assert.ok(cancelled.body.cancelledAt, 'the updated assessment is marked cancelled');

      const unknown = await send(capQuake({ id: 'X.C', msgType: 'Cancel', references: 'cenc@example.cn,NOPE,2022-09-05T13:10:00+08:00' }), 'application/cap+xml');
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.errors[0].field, 'references');
    });

    test('CENC automatic then official text: one thread, the official assessment supersedes the automatic one', async () => {
      const auto = await send(CENC('自动', 7.0, 13), 'text/plain');
      assert.equal(auto.status, 201, auto.text);
      const official = await send(CENC('正式', 7.0, 13).replace('北纬30.30度，东经103.00度', '北纬30.28度，东经102.99度'), 'text/plain; charset=utf-8');
      assert.equal(official.status, 201, official.text);
      const [a, o] = [auto.body.accepted[0], official.body.accepted[0]];
      assert.equal(o.threadId, a.threadId);
      assert.equal((await national.get(`/api/v1/assessments/earthquake/${a.assessmentId}`)).body.supersededBy, o.assessmentId);
    });

    test('a GeoJSON feed from another source joins the same earthquake; a bad feature is reported by index, the good one kept', async () => {
      const fc = {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', id: 'us7000i9bw', properties: { mag: 6.6, magType: 'mww', time: Date.parse('2022-09-05T04:52:19Z'), place: '46 km SE of Kangding, China', net: 'us', type: 'earthquake' }, geometry: { type: 'Point', coordinates: [102.2175, 29.6787, 12] } },
          { type: 'Feature', id: 'bad1', properties: { mag: 6, time: 0 }, geometry: { type: 'Point', coordinates: [102, 95, 10] } },
        ],
      };
      const res = await send(fc, 'application/geo+json');
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.accepted.length, 1);
      assert.equal(res.body.accepted[0].threadId, first.threadId, 'joined the thread of the CENC report of the same quake');
      assert.deepEqual(res.body.rejected.map((r: { index: number; field: string }) => [r.index, r.field]), [[1, 'properties.lat']]);
    });

    test('small, test and far-away reports are recorded without an assessment', async () => {
      const small = await send({ source: 'sc-seismic', eventId: 'SC-1', time: '2026-11-01T03:00:00+08:00', lon: 102.1, lat: 29.6, depthKm: 10, magnitude: 4.0 }, 'application/json');
      assert.equal(small.status, 201, small.text);
      assert.equal(small.body.accepted[0].outcome, 'below_threshold');
      assert.equal(small.body.accepted[0].assessmentId, null);
      const drill = await send({ source: 'sc-seismic', eventId: 'SC-2', status: 'Test', time: '2026-11-02T03:00:00+08:00', lon: 102.1, lat: 29.6, depthKm: 10, magnitude: 6.0 }, 'application/json');
      assert.equal(drill.body.accepted[0].outcome, 'not_actual');
      const far = await send({ source: 'sc-seismic', eventId: 'SC-3', time: '2026-11-03T03:00:00+08:00', lon: 139.9, lat: 35.5, depthKm: 30, magnitude: 7.0 }, 'application/json');
      assert.equal(far.body.accepted[0].outcome, 'no_exposure');
    });

    test('the threshold is a setting only a national administrator changes, and the change is audited', async () => {
      const gzAdmin = await Client.login(s.url, 'gz-admin', s.demoPassword);
      assert.equal((await gzAdmin.request('PUT', '/api/v1/assessments/earthquake/settings', { minMagnitude: 3.5 })).status, 403);
      const put = await national.request('PUT', '/api/v1/assessments/earthquake/settings', { minMagnitude: 3.5 });
      assert.equal(put.status, 200);
      const res = await send({ source: 'sc-seismic', eventId: 'SC-4', time: '2026-11-04T03:00:00+08:00', lon: 102.1, lat: 29.6, depthKm: 10, magnitude: 4.0 }, 'application/json');
      assert.equal(res.body.accepted[0].outcome, 'assessed');
      await national.request('PUT', '/api/v1/assessments/earthquake/settings', { minMagnitude: 4.5 });
      const audit = await national.get('/api/v1/audit?limit=100');
      const actions = audit.body.items.map((e: { action: string }) => e.action);
      assert.ok(actions.includes('assessment.auto_settings_changed'));
      assert.ok(actions.includes('assessment.earthquake_report_received'));
      assert.ok(actions.includes('assessment.earthquake_report_cancelled'));
    });

    test('bad input is refused with the element or field; roles and scope are enforced', async () => {
      const broken = await send(capQuake({ id: 'B1', certainty: '' }), 'application/cap+xml');
      assert.equal(broken.status, 400);
      assert.equal(broken.body.errors[0].field, 'alert/info[1]/certainty');
      const notXml = await send('<alert', 'application/xml');
      assert.equal(notXml.status, 400);
      assert.match(notXml.body.errors[0].message, /well-formed/);
      const junk = await send('今天天气很好', 'text/plain');
      assert.equal(junk.status, 400);
      assert.match(junk.body.errors[0].message, /CENC/);

      // A county token cannot inject an earthquake that shakes no county of its own.
      const xinjiang = await send({ source: 'x', eventId: 'XJ-1', time: '2026-11-05T03:00:00+08:00', lon: 80.0, lat: 41.0, depthKm: 10, magnitude: 6.5 }, 'application/json', countyFeed);
      assert.equal(xinjiang.status, 400);
      assert.equal(xinjiang.body.errors[0].field, 'lon');

      const inspector = await Client.login(s.url, 'ld-inspector', s.demoPassword);
      assert.equal((await inspector.request('POST', PATH, CENC('正式', 7.0, 13), { 'content-type': 'text/plain' })).status, 403);
      assert.equal((await anon().request('POST', PATH, CENC('正式', 7.0, 13), { 'content-type': 'text/plain' })).status, 401);

      // A duty officer of 北京 sees none of the Sichuan reports.
      await national.post('/api/v1/users', { username: 'bj-duty2', password: 'beijing-123', displayName: '北京值班员', role: 'duty', regionCode: '110101' });
      const bj = await Client.login(s.url, 'bj-duty2', 'beijing-123');
      assert.equal((await bj.get(PATH)).body.items.length, 0);
      assert.equal((await bj.get(`${PATH}/${first.reportId}`)).status, 404);
      const ld = await Client.login(s.url, 'ld-duty', s.demoPassword);
      const mine = await ld.get(`${PATH}/${first.reportId}`);
      assert.equal(mine.status, 200);
      assert.match(mine.body.body, /<identifier>CENC\.20220905\.1252<\/identifier>/, 'the body is kept as received');
    });
  });
}

describe('a polled earthquake feed starts assessments by itself', () => {
  let s: TestServer;
  let feedServer: import('node:http').Server;
  let served = 0;
  const feature = (id: string, mag: number) => ({
    type: 'Feature', id,
    properties: { mag, magType: 'ms', time: Date.parse('2013-04-20T00:02:46Z'), place: 'Lushan, Sichuan', net: 'test-net', type: 'earthquake' },
    geometry: { type: 'Point', coordinates: [103.0, 30.3, 13] },
  });
  before(async () => {
    const { createServer } = await import('node:http');
    feedServer = createServer((req, res) => {
      served++;
      if (req.url === '/broken') {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/geo+json' }).end(JSON.stringify({ type: 'FeatureCollection', features: [feature('ls-1', 7.0)] }));
    });
    await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', r));
    const port = (feedServer.address() as import('node:net').AddressInfo).port;
    s = await startTestServer({ quakeFeeds: [{ url: `http://127.0.0.1:${port}/feed`, intervalSeconds: 1 }, { url: `http://127.0.0.1:${port}/broken`, intervalSeconds: 1 }] });
  });
  after(async () => {
    await s.close();
    await new Promise((r) => feedServer.close(r));
  });

  test('the report is assessed once however often the feed is polled; a failing feed is shown, not fatal', async () => {
    const admin = await Client.login(s.url, 'admin', s.adminPassword);
    let items: any[] = [];
    for (let i = 0; i < 100 && items.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      items = (await admin.get(PATH)).body.items;
    }
    assert.equal(items.length, 1);
    assert.equal(items[0].outcome, 'assessed');
    assert.equal(items[0].receivedBy.startsWith('feed:127.0.0.1'), true);
    const before = served;
    while (served < before + 4) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await admin.get(PATH)).body.items.length, 1, 'polled again, stored once');
    const feeds = (await admin.get('/api/v1/assessments/earthquake/feeds')).body.items;
    assert.equal(feeds.length, 2);
    assert.equal(feeds[0].totalNew, 1);
    assert.equal(feeds[1].lastOk, false);
    assert.match(feeds[1].lastError, /HTTP 503/);
  });
});
