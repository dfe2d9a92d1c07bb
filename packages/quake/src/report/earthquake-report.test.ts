import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEarthquakeReports } from './earthquake-report.ts';
import { parseCencText } from './cenc-text.ts';

const NOW = new Date('2022-09-05T05:00:00Z');
const LUDING = '中国地震台网正式测定：09月05日12时52分在四川甘孜州泸定县（北纬29.59度，东经102.08度）发生6.8级地震，震源深度16千米。';

test('CENC quick report: Beijing time, year from the clock, place, automatic flag', () => {
  const { report } = parseCencText(LUDING, NOW);
  assert.deepEqual(report, { time: '2022-09-05T04:52:00.000Z', lat: 29.59, lon: 102.08, magnitude: 6.8, depthKm: 16, place: '四川甘孜州泸定县', automatic: false });
  const auto = parseCencText('中国地震台网自动测定：2013年04月20日08时02分在四川省雅安市芦山县（北纬30.3度，东经103.0度）发生7.0级左右地震，震源深度13公里。', NOW).report;
  assert.equal(auto?.time, '2013-04-20T00:02:00.000Z');
  assert.equal(auto?.automatic, true);
  // A December report read on 2 January belongs to the year before.
  assert.equal(parseCencText(LUDING.replace('09月05日', '12月31日'), new Date('2023-01-02T00:00:00Z')).report?.time.slice(0, 4), '2022');
});

test('CENC text without a depth or a location says what is missing', () => {
  assert.deepEqual(parseCencText(LUDING.replace('，震源深度16千米', ''), NOW).missing, ['focal depth (震源深度…千米)']);
  const { missing } = parseCencText('昨天四川有地震', NOW);
  assert.ok(missing.some((m) => m.includes('latitude')), missing.join());
});

test('text body → CENC report with a stable id shared by the automatic and official determinations', () => {
  const official = parseEarthquakeReports(LUDING, 'text/plain', NOW);
  const automatic = parseEarthquakeReports(LUDING.replace('正式测定', '自动测定'), 'text/plain', NOW);
  assert.deepEqual(official.errors, []);
  assert.equal(official.reports[0].format, 'cenc-text');
  assert.equal(official.reports[0].source, 'CENC');
  assert.equal(official.reports[0].externalId, automatic.reports[0].externalId);
  assert.deepEqual(official.reports[0].event, { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, time: '2022-09-05T04:52:00.000Z' });
});

test('JSON report: fields checked and located, aliases accepted', () => {
  const ok = parseEarthquakeReports({ source: 'sc-seismic', eventId: 'SC2022001', time: '2022-09-05T12:52:18+08:00', longitude: 102.08, latitude: 29.59, depth: 16, mag: 6.8, strikeDeg: 160 });
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.reports[0].event?.strikeDeg, 160);
  const bad = parseEarthquakeReports([{ source: 'x', eventId: 'a', lon: 200, lat: 29, depthKm: 10, magnitude: 15 }, { eventId: 'b', lon: 102, lat: 29, depthKm: 10, magnitude: 6 }]);
  assert.deepEqual(bad.errors.map((e) => [e.index, e.field]), [[0, 'lon'], [0, 'magnitude'], [1, 'source']]);
  const cancel = parseEarthquakeReports({ source: 'x', eventId: 'c', msgType: 'Cancel' });
  assert.equal(cancel.errors[0].field, 'references');
  assert.match(parseEarthquakeReports('{"source":', 'application/json').errors[0].message, /not valid JSON/);
});

test('GeoJSON feature (USGS format): Mw converted to Ms, depth from the third coordinate', () => {
  const feature = {
    type: 'Feature', id: 'us7000i9bw',
    properties: { mag: 6.6, magType: 'mww', place: '46 km SE of Kangding, China', time: 1662353538000, type: 'earthquake', net: 'us' },
    geometry: { type: 'Point', coordinates: [102.2175, 29.6787, 12] },
  };
  const { reports, errors } = parseEarthquakeReports({ type: 'FeatureCollection', features: [feature, { type: 'Feature', id: 'x', properties: {}, geometry: null }] });
  assert.equal(reports.length, 1);
  assert.deepEqual(errors, [{ index: 1, field: 'geometry', message: 'must be a Point [lon, lat, depth km]' }]);
  assert.equal(reports[0].source, 'us');
  assert.equal(reports[0].event?.depthKm, 12);
  assert.equal(reports[0].event?.magnitude, 6.59);
  assert.match(reports[0].notes[0], /Scordilis/);
});

const cap = (info: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>CENC.2022.0905.1252</identifier>
  <sender>cenc@example.cn</sender>
  <sent>2022-09-05T13:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>${extra}
  <info>
    <language>zh-CN</language>
    <category>Geo</category>
    <event>地震</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    ${info}
  </info>
</alert>`;

test('CAP earthquake: parameters, the epicentre as a circle, or the CENC text in the description', () => {
  const params = parseEarthquakeReports(cap(`<parameter><valueName>magnitude</valueName><value>6.8</value></parameter>
    <parameter><valueName>depth</valueName><value>16 km</value></parameter>
    <parameter><valueName>OriginTime</valueName><value>2022-09-05T12:52:18+08:00</value></parameter>
    <area><areaDesc>四川甘孜州泸定县</areaDesc><circle>29.59,102.08 0</circle></area>`));
  assert.deepEqual(params.errors, []);
  assert.deepEqual(params.reports[0].event, { lon: 102.08, lat: 29.59, depthKm: 16, magnitude: 6.8, time: '2022-09-05T04:52:18.000Z' });
  assert.equal(params.reports[0].externalId, 'CENC.2022.0905.1252');
  assert.equal(params.reports[0].place, '四川甘孜州泸定县');

  const text = parseEarthquakeReports(cap(`<description>${LUDING}</description><area><areaDesc>泸定县</areaDesc></area>`), 'application/cap+xml', NOW);
  assert.deepEqual(text.errors, []);
  assert.equal(text.reports[0].event?.magnitude, 6.8);

  const missing = parseEarthquakeReports(cap('<area><areaDesc>泸定县</areaDesc></area>'), 'application/xml', NOW);
  assert.ok(missing.errors.some((e) => e.field === 'alert/info[1]/parameter[magnitude]'), JSON.stringify(missing.errors));
});

test('CAP that is not an earthquake, or not CAP, is refused with the element', () => {
  const rain = parseEarthquakeReports(cap('<area><areaDesc>x</areaDesc></area>').replace('<event>地震</event>', '<event>暴雨</event>'));
  assert.equal(rain.errors[0].field, 'alert/info/event');
  const broken = parseEarthquakeReports(cap('').replace('<certainty>Observed</certainty>', ''));
  assert.equal(broken.errors[0].field, 'alert/info[1]/certainty');
});

test('CAP Cancel needs no earthquake and keeps references from the same sender', () => {
  const xml = cap('<area><areaDesc>x</areaDesc></area>', '\n  <references>cenc@example.cn,CENC.2022.0905.1252,2022-09-05T13:00:00+08:00</references>')
    .replace('<msgType>Alert</msgType>', '<msgType>Cancel</msgType>');
  const { reports, errors } = parseEarthquakeReports(xml);
  assert.deepEqual(errors, []);
  assert.equal(reports[0].msgType, 'Cancel');
  assert.deepEqual(reports[0].references, ['CENC.2022.0905.1252']);
  assert.equal(reports[0].event, null);
});
