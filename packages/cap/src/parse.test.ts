import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCap } from './parse.ts';

const sample = (name: string) => readFileSync(new URL(`../test-data/${name}`, import.meta.url), 'utf8');

test('reads the two-language rainstorm alert with polygon and GB/T 2260 geocode', () => {
  const { alert, version, errors } = parseCap(sample('01-rainstorm-orange-alert.xml'));
  assert.deepEqual(errors, []);
  assert.equal(version, '1.2');
  assert.ok(alert);
  assert.equal(alert.identifier, 'CN.513322.YJ.20260715.0001');
  assert.equal(alert.msgType, 'Alert');
  assert.equal(alert.infos.length, 2);
  const zh = alert.infos[0];
  assert.equal(zh.language, 'zh-CN');
  assert.equal(zh.event, '暴雨');
  assert.deepEqual(zh.responseTypes, ['Prepare', 'Evacuate']);
  assert.deepEqual(zh.eventCodes, [{ valueName: 'level', value: 'orange' }]);
  assert.deepEqual(zh.parameters, [{ valueName: 'rain3h_mm', value: '50' }]);
  assert.equal(zh.areas[0].polygons.length, 1);
  assert.equal(zh.areas[0].polygons[0].length, 5);
  assert.deepEqual(zh.areas[0].polygons[0][0], [29.55, 102.1]);
  assert.deepEqual(zh.areas[0].geocodes, [{ valueName: 'GB/T 2260', value: '513322' }]);
});

test('reads Update and Cancel references as sender,identifier,sent triples, and circles', () => {
  const update = parseCap(sample('02-rainstorm-red-update.xml'));
  assert.deepEqual(update.errors, []);
  assert.equal(update.alert?.msgType, 'Update');
  assert.equal(update.alert?.references[0].identifier, 'CN.513322.YJ.20260715.0001');
  const circle = update.alert?.infos[0].areas.flatMap((a) => a.circles)[0];
  assert.ok(circle && circle.radiusKm > 0);
  const cancel = parseCap(sample('03-rainstorm-cancel.xml'));
  assert.deepEqual(cancel.errors, []);
  assert.equal(cancel.alert?.msgType, 'Cancel');
  assert.equal(cancel.alert?.references.length, 2);
});

test('reads a Restricted exercise with two areas', () => {
  const { alert, errors } = parseCap(sample('04-geohazard-exercise.xml'));
  assert.deepEqual(errors, []);
  assert.equal(alert?.status, 'Exercise');
  assert.equal(alert?.infos[0].areas.length, 2);
});

test('rejects a UTC "Z" time, naming the element', () => {
  const { alert, errors } = parseCap(sample('invalid/utc-z-time.xml'));
  assert.equal(alert, null);
  assert.ok(errors.some((e) => /sent|effective|onset|expires/.test(e.element) && /offset/.test(e.message)), JSON.stringify(errors));
});

test('rejects a missing certainty, naming the info block', () => {
  const { alert, errors } = parseCap(sample('invalid/missing-certainty.xml'));
  assert.equal(alert, null);
  assert.deepEqual(errors.map((e) => e.element), ['alert/info[1]/certainty']);
});

test('reads CAP 1.1 and says which version it read', () => {
  const { version, warnings } = parseCap(sample('invalid/wrong-namespace.xml'));
  assert.equal(version, '1.1');
  assert.match(warnings[0].message, /CAP 1\.1/);
});

test('reports every problem with its element path', () => {
  const xml = `<?xml version="1.0"?>
<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <cap:identifier>has space</cap:identifier>
  <cap:sender>a@b</cap:sender>
  <cap:sent>2026-07-15T16:20:00.5+08:00</cap:sent>
  <cap:status>Real</cap:status>
  <cap:msgType>Alert</cap:msgType>
  <cap:scope>Restricted</cap:scope>
  <cap:info>
    <cap:category>Weather</cap:category>
    <cap:event>地震</cap:event>
    <cap:urgency>Immediate</cap:urgency>
    <cap:severity>Severe</cap:severity>
    <cap:certainty>Observed</cap:certainty>
    <cap:area><cap:areaDesc>x</cap:areaDesc><cap:polygon>1,2 3,4 1,2</cap:polygon><cap:circle>29.6,102.1</cap:circle></cap:area>
  </cap:info>
</cap:alert>`;
  const { errors } = parseCap(xml);
  const byElement = Object.fromEntries(errors.map((e) => [e.element, e.message]));
  assert.match(byElement['alert/identifier'], /spaces/);
  assert.match(byElement['alert/sent'], /offset/);
  assert.match(byElement['alert/status'], /Actual/);
  assert.match(byElement['alert/restriction'], /Restricted/);
  assert.match(byElement['alert/info[1]/category[1]'], /Geo/);
  assert.match(byElement['alert/info[1]/area[1]/polygon[1]'], /at least 4/);
  assert.match(byElement['alert/info[1]/area[1]/circle[1]'], /radius/);
});

test('rejects what is not CAP: malformed XML with its line, another root, a DOCTYPE, empty input', () => {
  assert.match(parseCap('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</alert>').errors[0].element, /^line 1/);
  assert.match(parseCap('<feed xmlns="http://www.w3.org/2005/Atom"/>').errors[0].message, /root element must be <alert>/);
  assert.match(parseCap('<!DOCTYPE alert [<!ENTITY a "b">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>').errors[0].message, /DOCTYPE/);
  assert.match(parseCap('').errors[0].message, /empty/);
  assert.match(parseCap('<alert xmlns="urn:example"/>').errors[0].message, /namespace/);
});

test('decodes character references (&#13; &#x1F600;) and only XML named entities', () => {
  const xml = sample('03-rainstorm-cancel.xml').replace('转移人员经乡镇核查安全后方可返回。', 'a&#13;&#10;b &#x1F600; &amp;#13; &nbsp; &#1;');
  assert.equal(parseCap(xml).alert?.infos[0].instruction, 'a\r\nb 😀 &#13; &nbsp; &#1;');
});

test('checks what the schema checks in the values: calendar dates, language tags, integers, decimals, URIs', () => {
  const base = sample('01-rainstorm-orange-alert.xml');
  const errorsOf = (from: string, to: string) => {
    const xml = base.replace(from, to);
    assert.notEqual(xml, base, from);
    return Object.fromEntries(parseCap(xml).errors.map((e) => [e.element, e.message]));
  };
  assert.match(errorsOf('<sent>2026-07-15T16:20:00+08:00', '<sent>2026-02-29T16:20:00+08:00')['alert/sent'], /date-time/);
  assert.match(errorsOf('<sent>2026-07-15T16:20:00+08:00', '<sent>2026-07-15T16:20:00+15:00')['alert/sent'], /date-time/);
  assert.deepEqual(errorsOf('<sent>2026-07-15T16:20:00+08:00', '<sent>2028-02-29T16:20:00-14:00'), {});
  assert.match(errorsOf('<language>zh-CN', '<language>zh_CN')['alert/info[1]/language'], /language tag/);
  assert.match(errorsOf('29.55,102.10 29.55,102.30', '29.55,102.10 ,102.30')['alert/info[1]/area[1]/polygon[1]'], /point 2/);
  assert.match(errorsOf('29.55,102.10 29.55,102.30', '29.55,102.10 29.55,1e2')['alert/info[1]/area[1]/polygon[1]'], /point 2/);
  assert.match(errorsOf('</areaDesc>', '</areaDesc><altitude>1e3</altitude>')['alert/info[1]/area[1]/altitude'], /decimal/);
  assert.match(errorsOf('<contact>', '<web>http://x/%zz</web><contact>')['alert/info[1]/web'], /URI/);
  assert.match(errorsOf('<parameter>', '<resource><resourceDesc>m</resourceDesc><mimeType>image/png</mimeType><size>1.5</size><uri>a#b#c</uri></resource><parameter>')['alert/info[1]/resource[1]/size'], /whole number/);
  assert.match(errorsOf('<parameter>', '<resource><resourceDesc>m</resourceDesc><mimeType>image/png</mimeType><uri>a#b#c</uri></resource><parameter>')['alert/info[1]/resource[1]/uri'], /URI/);
  const relative = parseCap(base.replace('<contact>', '<web>www.example.gov.cn</web><contact>'));
  assert.deepEqual(relative.errors, []);
  assert.match(relative.warnings[0].message, /absolute URI/);
});

test('checks the sent time and characters of each reference', () => {
  const base = sample('02-rainstorm-red-update.xml');
  const errors = (refs: string) => parseCap(base.replace(/<references>[^<]*<\/references>/, `<references>${refs}</references>`)).errors.map((e) => e.message);
  assert.deepEqual(errors('a@b,ID-1,2026-07-15T16:20:00+08:00'), []);
  assert.match(errors('a@b,ID-1,2026-07-15T08:20:00Z')[0], /entry 1: the sent time/);
  assert.match(errors('a@b,ID-1,2026-07-15T16:20:00+08:00 a&amp;b,ID-2,2026-07-15T16:20:00+08:00')[0], /entry 2: sender and identifier/);
});
