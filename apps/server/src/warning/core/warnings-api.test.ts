import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCap } from '@anlan/cap';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import { Client } from '../../../../../tests/helpers/http.ts';
import type { BusEvent } from '../../events/bus.ts';
import { SYSTEM_ACTOR } from '../../caller.ts';
import type { IssuedWarning } from '../contracts.ts';
import { sweepExpired } from './service.ts';
import { startWarningServer, type WarningTestServer } from './test-server.ts';

const BASE = '/api/v1/warnings';
const HOUR = 3_600_000;
const XSD = fileURLToPath(new URL('../../../../../packages/cap/test-data/CAP-v1.2.xsd', import.meta.url));

const draft = (over: Record<string, unknown> = {}) => ({
  event: 'rainstorm',
  level: 'orange',
  headline: '泸定县暴雨橙色预警',
  description: '预计今天傍晚到明天凌晨，泸桥镇、冷碛镇将出现暴雨，3小时累计降雨量可达50毫米以上。',
  instruction: '危险区域人员于18时前转移至安置点。',
  areas: [{ regionCode: '513322100' }, { regionCode: '513322101' }],
  expires: new Date(Date.now() + 6 * HOUR).toISOString(),
  ...over,
});

async function ok(res: Promise<{ status: number; body: any; text: string }>, status = 200) {
  const r = await res;
  assert.equal(r.status, status, r.text);
  return r.body;
}

for (const target of testTargets()) {
  describe(`warnings: drafting, the two-person rule, the ladder (${target.name})`, () => {
    let s: WarningTestServer;
    let duty: Client;
    let commander: Client;
    let ldAdmin: Client;
    let gzDuty: Client;
    let kd: Client;
    const events: BusEvent[] = [];
    const dispatched: IssuedWarning[] = [];

    before(async () => {
      s = await startWarningServer(target);
      s.anlan.ctx.bus.subscribe((e) => events.push(e));
      // The seam the lead wires to roster and delivery: here it records what core hands over.
      s.anlan.ctx.warningDispatch = { dispatch: async (w) => (dispatched.push(w), { recipients: 0, enqueued: 0 }) };
      duty = await Client.login(s.url, 'ld-duty', s.demoPassword);
      commander = await Client.login(s.url, 'ld-commander', s.demoPassword);
      ldAdmin = await Client.login(s.url, 'ld-admin', s.demoPassword);
      gzDuty = await Client.login(s.url, 'gz-duty', s.demoPassword);
      const admin = await Client.login(s.url, 'admin', s.adminPassword);
      await ok(admin.post('/api/v1/users', { username: 'kd-commander', password: 'kangding-123', displayName: '康定市指挥长', role: 'commander', regionCode: '513301' }), 201);
      kd = await Client.login(s.url, 'kd-commander', 'kangding-123');
    });
    after(() => s.close());

    test('a draft with bad fields is refused with every field named; nothing is stored', async () => {
      const res = await duty.post(BASE, draft({
        level: 'blue',
        event: '冰雹',
        areas: [
          { polygon: [[102.2, 29.9], [102.3, 30.0], [102.3, 29.9], [102.2, 30.0], [102.2, 29.9]] },
          { regionCode: '513301' },
          { regionCode: '513322999' },
          { circle: { lon: 102.2, lat: 29.9, radiusKm: 0 } },
        ],
        expires: new Date(Date.now() - HOUR).toISOString(),
        translations: [{ language: 'en US', headline: 'x' }],
      }));
      assert.equal(res.status, 400, res.text);
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      const byField = new Map((res.body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]));
      assert.match(byField.get('level')!, /冰雹.*no 蓝色/);
      assert.match(byField.get('areas[3].circle.radiusKm')!, /more than 0/);
      assert.equal(byField.get('expires'), 'must be in the future');
      assert.match(byField.get('translations[0].language')!, /language tag/);
      // Areas are placed only when they are all well-formed: fix the circle and see the rest.
      const placed = await duty.post(BASE, draft({
        areas: [
          { polygon: [[102.2, 29.9], [102.3, 30.0], [102.3, 29.9], [102.2, 30.0], [102.2, 29.9]] },
          { regionCode: '513301' },
          { regionCode: '513322999' },
          { circle: { lon: 101.6, lat: 30.0, radiusKm: 3 } },
        ],
      }));
      assert.equal(placed.status, 400, placed.text);
      const placedErrors = new Map((placed.body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]));
      assert.match(placedErrors.get('areas[0].polygon')!, /not a valid polygon: Self-intersection/);
      assert.match(placedErrors.get('areas[1].regionCode')!, /outside your region \(513322\)/);
      assert.match(placedErrors.get('areas[2].regionCode')!, /unknown region code 513322999/);
      assert.match(placedErrors.get('areas[3].circle')!, /reaches outside your region \(513322\).*513301/);
      const schema = await duty.post(BASE, { ...draft(), level: 'purple', colour: 'red' });
      assert.equal(schema.status, 400);
      assert.deepEqual(schema.body.errors.map((e: { field: string }) => e.field).sort(), ['colour', 'level']);
      assert.equal((await ok(duty.get(BASE))).total, 0);
    });

    test('the warning\'s region is the smallest region holding its areas; polygons and circles are placed by the boundaries', async () => {
      const two = await ok(duty.post(BASE, draft()), 201);
      assert.equal(two.regionCode, '513322');
      assert.equal(two.state, 'draft');
      assert.deepEqual(two.areas.map((a: { label: string; hasGeometry: boolean }) => [a.label, a.hasGeometry]), [['泸桥镇', false], ['冷碛镇', false]]);
      const one = await ok(duty.post(BASE, draft({ areas: [{ regionCode: '513322103' }] })), 201);
      assert.equal(one.regionCode, '513322103');
      const shapes = await ok(duty.post(BASE, draft({ areas: [{ circle: { lon: 102.234, lat: 29.915, radiusKm: 2 } }, { polygon: [[102.1, 29.55], [102.3, 29.55], [102.3, 29.75], [102.1, 29.75], [102.1, 29.55]], label: '冷碛—磨西' }] })), 201);
      assert.equal(shapes.regionCode, '513322');
      assert.deepEqual(shapes.areas.map((a: { kind: string; withinCode: string; hasGeometry: boolean }) => [a.kind, a.withinCode, a.hasGeometry]), [['circle', '513322', true], ['polygon', '513322', true]]);
      assert.match(shapes.areas[0].label, /泸定县以 102\.2340°E 29\.9150°N 为中心半径 2 公里范围/);
      // A circle across the 泸定/康定 line: the prefecture's duty officer may draft it, for 甘孜州.
      const across = await ok(gzDuty.post(BASE, draft({ areas: [{ circle: { lon: 102.05, lat: 29.95, radiusKm: 20 } }] })), 201);
      assert.equal(across.regionCode, '513300');
      for (const w of [two, one, shapes, across]) await ok((w === across ? gzDuty : duty).delete(`${BASE}/${w.id}`), 204);
    });

    test('two-person rule: the drafter, an editor, a duty officer and another county cannot approve; a commander of the region can', async () => {
      const mine = await ok(commander.post(BASE, { ...draft(), submit: true }), 201);
      assert.equal(mine.state, 'pending');
      assert.equal(mine.can.approve, false);
      assert.equal(mine.can.approveBlocked, 'author');
      const own = await commander.post(`${BASE}/${mine.id}/approve`);
      assert.equal(own.status, 403);
      assert.match(own.body.detail, /Two-person rule/);
      // The CHECK in the table holds even against a write that skips the service.
      await assert.rejects(s.anlan.ctx.db.query('UPDATE warnings SET approved_by = drafted_by WHERE id = $1', [mine.id]), /check/i);

      const w = await ok(duty.post(BASE, draft({ headline: '泸桥镇暴雨橙色预警' })), 201);
      assert.equal(w.can.submit, true);
      assert.equal(w.can.approve, false);
      // The commander edits the duty officer's draft: now also its author.
      const edited = await ok(commander.request('PUT', `${BASE}/${w.id}`, { version: w.version, instruction: '立即转移沟道沿线群众。' }));
      assert.equal(edited.version, w.version + 1);
      const stale = await commander.request('PUT', `${BASE}/${w.id}`, { version: w.version, instruction: 'x' });
      assert.equal(stale.status, 409);
      const submitted = await ok(duty.post(`${BASE}/${w.id}/submit`, { version: edited.version }));
      assert.equal(submitted.state, 'pending');
      assert.equal((await duty.post(`${BASE}/${w.id}/approve`)).status, 403, 'duty may draft and submit, not approve');
      assert.equal((await commander.post(`${BASE}/${w.id}/approve`)).status, 403, 'an editor is an author');
      assert.equal((await kd.get(`${BASE}/${w.id}`)).status, 404, 'another county does not see it');
      assert.equal((await kd.post(`${BASE}/${w.id}/approve`)).status, 404, 'nor approve it');
      assert.equal((await ok(kd.get(BASE))).total, 0);
      assert.equal(dispatched.length, 0);

      const issued = await ok(ldAdmin.post(`${BASE}/${w.id}/approve`));
      assert.equal(issued.state, 'issued');
      assert.equal(issued.approvedBy, 'ld-admin');
      assert.equal(issued.senderName, '泸定县应急管理局');
      assert.ok(issued.sent && issued.issuedAt);
      assert.deepEqual(issued.history.map((e: { kind: string }) => e.kind), ['drafted', 'edited', 'submitted', 'approved', 'issued']);
      assert.deepEqual(dispatched.map((d) => [d.id, d.msgType, d.previousId]), [[w.id, 'Alert', null]]);
      assert.ok(events.some((e) => e.type === 'warning.issued' && e.data.id === w.id && e.regionCode === '513322'));
      assert.equal((await ldAdmin.post(`${BASE}/${w.id}/approve`)).status, 409, 'issued once');
      const audit = await s.anlan.ctx.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target_type = 'warning' AND target_id = $1 ORDER BY id`, [String(w.id)]);
      assert.deepEqual(audit.rows.map((r) => r.action), ['warning.drafted', 'warning.edited', 'warning.submitted', 'warning.approved']);

      // The XML frozen at issue is served as it is, and is CAP 1.2.
      const cap = await duty.get(`${BASE}/${w.id}/cap`);
      assert.equal(cap.status, 200);
      assert.match(cap.headers.get('content-type')!, /application\/cap\+xml/);
      assert.equal(cap.headers.get('x-anlan-cap-preview'), null);
      const parsed = parseCap(cap.text);
      assert.deepEqual(parsed.errors, []);
      assert.equal(parsed.alert!.identifier, issued.identifier);
      assert.equal(parsed.alert!.sent, issued.sent);
      assert.deepEqual(parsed.alert!.infos[0].areas.map((a) => a.geocodes[0].value), ['513322100', '513322101']);
      if (!spawnSync('xmllint', ['--version']).error || process.env.CI) {
        const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, '-'], { input: cap.text, encoding: 'utf8' });
        assert.equal(lint.status, 0, lint.stderr);
      }
      await ok(ldAdmin.post(`${BASE}/${mine.id}/reject`, { note: '区域不对' }));
    });

    test('reject needs a note; a rejected warning is edited back to draft and submitted again', async () => {
      const w = await ok(duty.post(BASE, { ...draft({ headline: '冷碛镇暴雨蓝色预警', level: 'blue', areas: [{ regionCode: '513322101' }] }), submit: true }), 201);
      const noNote = await commander.post(`${BASE}/${w.id}/reject`, { note: '  ' });
      assert.equal(noNote.status, 400);
      assert.equal(noNote.body.errors[0].field, 'note');
      const rejected = await ok(commander.post(`${BASE}/${w.id}/reject`, { note: '降雨量级不够，改为蓝色并补充转移要求' }));
      assert.equal(rejected.state, 'rejected');
      assert.equal(rejected.rejectNote, '降雨量级不够，改为蓝色并补充转移要求');
      const back = await ok(duty.request('PUT', `${BASE}/${w.id}`, { version: rejected.version, instruction: '低洼地带人员提前转移。' }));
      assert.equal(back.state, 'draft');
      const again = await ok(duty.post(`${BASE}/${w.id}/submit`));
      assert.equal(again.state, 'pending');
      assert.equal(again.rejectNote, null);
      assert.deepEqual(again.history.map((e: { kind: string; note: string | null }) => [e.kind, e.note]), [['drafted', null], ['submitted', null], ['rejected', '降雨量级不够，改为蓝色并补充转移要求'], ['edited', null], ['submitted', null]]);
      await ok(commander.post(`${BASE}/${w.id}/reject`, { note: '重复' }));
    });

    test('the ladder and the thread: promote, update, cancel — each approved again, each superseding the one before', async () => {
      const first = await ok(duty.post(BASE, { ...draft({ areas: [{ regionCode: '513322103' }], headline: '磨西镇暴雨橙色预警' }), submit: true }), 201);
      await ok(commander.post(`${BASE}/${first.id}/approve`));
      dispatched.length = 0;

      const promoted = await ok(duty.post(`${BASE}/${first.id}/promote`, { submit: true }), 201);
      assert.deepEqual([promoted.msgType, promoted.stage, promoted.state, promoted.threadId, promoted.previousId], ['Update', 'short', 'pending', first.threadId, first.id]);
      assert.equal((await duty.post(`${BASE}/${first.id}/update`, {})).status, 409, 'one next step at a time');
      assert.equal((await ok(duty.get(`${BASE}/${first.id}`))).state, 'issued', 'in force until the next step is approved');
      await ok(commander.post(`${BASE}/${promoted.id}/approve`));
      assert.equal((await ok(duty.get(`${BASE}/${first.id}`))).state, 'superseded');

      const updated = await ok(duty.post(`${BASE}/${promoted.id}/update`, { level: 'red', areas: [{ regionCode: '513322103' }, { regionCode: '513322104' }], headline: '磨西镇、燕子沟镇暴雨红色预警' }), 201);
      assert.equal(updated.state, 'draft');
      assert.deepEqual([updated.msgType, updated.stage, updated.level], ['Update', 'short', 'red']);
      await ok(duty.post(`${BASE}/${updated.id}/submit`));
      const updatedIssued = await ok(commander.post(`${BASE}/${updated.id}/approve`));
      assert.equal(updatedIssued.regionCode, '513322');

      const top = await ok(duty.post(`${BASE}/${updated.id}/promote`, { submit: true, instruction: '立即启动一小时叫应，包保责任人逐户确认转移到位。' }), 201);
      assert.equal(top.stage, 'callresponse');
      const topIssued = await ok(commander.post(`${BASE}/${top.id}/approve`));
      assert.equal(topIssued.can.promote, false, 'the top of the ladder');
      assert.match(topIssued.sms.text, /更新暴雨红色预警（临灾叫应）/);
      assert.equal((await duty.post(`${BASE}/${top.id}/promote`, {})).status, 409);

      const cancel = await ok(duty.post(`${BASE}/${top.id}/cancel`, { submit: true, description: '降雨已明显减弱，解除暴雨红色预警。' }), 201);
      assert.equal(cancel.msgType, 'Cancel');
      assert.equal(cancel.headline, '解除泸定县暴雨红色预警');
      assert.equal((await duty.post(`${BASE}/${top.id}/cancel`, { areas: [] })).status, 400);
      const cancelled = await ok(commander.post(`${BASE}/${cancel.id}/approve`));
      assert.equal(cancelled.state, 'cancelled');

      const thread = cancelled.thread as { id: number; msgType: string; stage: string; state: string }[];
      assert.deepEqual(thread.map((t) => [t.id, t.msgType, t.stage, t.state]), [
        [first.id, 'Alert', 'forecast', 'superseded'],
        [promoted.id, 'Update', 'short', 'superseded'],
        [updated.id, 'Update', 'short', 'superseded'],
        [top.id, 'Update', 'callresponse', 'cancelled'],
        [cancel.id, 'Cancel', 'callresponse', 'cancelled'],
      ]);
      assert.deepEqual(dispatched.map((d) => [d.id, d.msgType, d.previousId]), [[promoted.id, 'Update', first.id], [updated.id, 'Update', promoted.id], [top.id, 'Update', updated.id], [cancel.id, 'Cancel', top.id]]);
      const seen = (type: string, id: number) => events.some((e) => e.type === type && e.data.id === id);
      assert.ok(seen('warning.issued', first.id) && seen('warning.superseded', first.id));
      assert.ok(seen('warning.updated', promoted.id) && seen('warning.updated', top.id));
      assert.ok(seen('warning.cancelled', cancel.id) && seen('warning.cancelled', top.id));
      // The Cancel references every step issued before it, as CAP asks.
      const cap = parseCap((await duty.get(`${BASE}/${cancel.id}/cap`)).text);
      assert.deepEqual(cap.alert!.references.map((r) => r.identifier), [first.identifier, promoted.identifier, updated.identifier, top.identifier]);
      assert.equal(cap.alert!.msgType, 'Cancel');
      assert.equal((await duty.post(`${BASE}/${cancel.id}/update`, {})).status, 409);
      const list = await ok(duty.get(`${BASE}?threadId=${first.threadId}&state=superseded,cancelled`));
      assert.equal(list.total, 5);
    });

    test('a draft\'s CAP is a preview; the expiry sweep expires what is past', async () => {
      const w = await ok(duty.post(BASE, draft({ areas: [{ regionCode: '513322105' }], headline: '得妥镇暴雨橙色预警' })), 201);
      const preview = await duty.get(`${BASE}/${w.id}/cap`);
      assert.equal(preview.headers.get('x-anlan-cap-preview'), 'true');
      assert.deepEqual(parseCap(preview.text).errors, []);
      await ok(duty.post(`${BASE}/${w.id}/submit`));
      await ok(commander.post(`${BASE}/${w.id}/approve`));
      const deps = { db: s.anlan.ctx.db, bus: s.anlan.ctx.bus, log: s.anlan.ctx.log, clock: { now: () => new Date(Date.now() + 7 * HOUR) } };
      const n = await sweepExpired(deps, SYSTEM_ACTOR);
      assert.ok(n >= 1);
      const after = await ok(duty.get(`${BASE}/${w.id}`));
      assert.equal(after.state, 'expired');
      assert.equal(after.history.at(-1).kind, 'expired');
      assert.ok(events.some((e) => e.type === 'warning.expired' && e.data.id === w.id));
      assert.equal(await sweepExpired(deps, SYSTEM_ACTOR), 0, 'nothing twice');
    });

    test('the preview checks an unsaved draft: its region, its SMS and its CAP', async () => {
      const p = await ok(duty.post(`${BASE}/preview`, draft({ areas: [{ regionCode: '513322100' }] })));
      assert.equal(p.valid, true);
      assert.equal(p.regionCode, '513322100');
      assert.match(p.sms.text, /^【安澜预警】泸定县应急管理局发布暴雨橙色预警：/, 'a township has no bureau: its county issues');
      assert.equal(p.sms.length, [...p.sms.text].length);
      assert.deepEqual(parseCap(p.cap).errors, []);
      const bad = await ok(duty.post(`${BASE}/preview`, draft({ areas: [{ regionCode: '513301' }] })));
      assert.equal(bad.valid, false);
      assert.deepEqual(bad.errors.map((e: { field: string }) => e.field), ['areas[0].regionCode']);
      assert.equal(bad.cap, null);
    });

    test('a warning from a monitoring alarm: the township or a circle around the point, the event of what was measured, the alarm\'s level', async () => {
      const M = '/api/v1/monitoring';
      const sensorOn = async (code: string, type: string, pointType: string, regionCode: string, extra: Record<string, unknown> = {}) => {
        const p = await ok(duty.post(`${M}/points`, { name: `${code} 监测点`, type: pointType, regionCode, lon: 102.234, lat: 29.915 }), 201);
        await ok(duty.post(`${M}/sensors`, { code, pointId: p.id, type, ...extra }), 201);
      };
      await sensorOn('LD-WL-WARN', 'water_level_river', 'hydrological_station', '513322', { thresholds: { direction: 'above', yellow: 1000, orange: 1005 } });
      await sensorOn('LD-RAIN-WARN', 'rainfall', 'rain_gauge', '513322100');
      await ok(duty.request('POST', '/api/v1/readings', [
        { sensor: 'LD-WL-WARN', ts: Date.now() - 20_000, value: 1006.2 },
        { sensor: 'LD-RAIN-WARN', ts: Date.now() - 20_000, value: 25 },
      ]));
      await s.anlan.ctx.monitoringRules!.idle();
      const alarmOf = async (code: string) => {
        const items = (await ok(duty.get(`${M}/alarms?sensor=${code}`))).items;
        assert.equal(items.length, 1, `one alarm for ${code}`);
        return items[0] as { id: number; level: string };
      };
      const flood = await alarmOf('LD-WL-WARN');
      const fromFlood = await ok(duty.get(`${BASE}/draft-from-alarm/${flood.id}`));
      assert.equal(fromFlood.input.event, 'flood');
      assert.equal(fromFlood.input.level, 'orange');
      assert.deepEqual(fromFlood.input.areas, [{ circle: { lon: 102.234, lat: 29.915, radiusKm: 3 }, label: 'LD-WL-WARN 监测点周边3公里' }]);
      assert.equal(fromFlood.input.sourceAlarmId, flood.id);
      assert.equal(fromFlood.notes.length, 1, 'says the circle is a guess');
      const created = await ok(duty.post(BASE, fromFlood.input), 201);
      assert.equal(created.sourceAlarmId, flood.id);
      assert.equal(created.eventName, '洪水');
      assert.equal(created.regionCode, '513322');

      const rain = await alarmOf('LD-RAIN-WARN');
      const fromRain = await ok(duty.get(`${BASE}/draft-from-alarm/${rain.id}`));
      assert.deepEqual([fromRain.input.event, fromRain.input.level, fromRain.input.areas], ['rainstorm', rain.level, [{ regionCode: '513322100' }]]);
      assert.match(fromRain.input.headline, /^泸定县泸桥镇暴雨.色预警$/);

      assert.equal((await kd.get(`${BASE}/draft-from-alarm/${rain.id}`)).status, 404, 'another county\'s alarm is not found');
      const foreign = await kd.post(BASE, draft({ areas: [{ regionCode: '513301' }], sourceAlarmId: rain.id }));
      assert.equal(foreign.status, 400);
      assert.deepEqual(foreign.body.errors.map((e: { field: string }) => e.field), ['sourceAlarmId']);
    });

    test('the vocabulary: events, levels with their CAP severity, stages', async () => {
      const v = await ok(duty.get(`${BASE}/vocabulary`));
      assert.deepEqual(v.events.find((e: { key: string }) => e.key === 'rainstorm'), { key: 'rainstorm', zh: '暴雨', en: 'Rainstorm', category: 'Met', levels: ['blue', 'yellow', 'orange', 'red'], issuer: '气象部门 (CMA)' });
      assert.deepEqual(v.levels.map((l: { key: string; severity: string }) => [l.key, l.severity]), [['blue', 'Minor'], ['yellow', 'Moderate'], ['orange', 'Severe'], ['red', 'Extreme']]);
      assert.deepEqual(v.stages.map((x: { key: string; hours: number; urgency: string }) => [x.key, x.hours, x.urgency]), [['forecast', 6, 'Expected'], ['short', 3, 'Expected'], ['callresponse', 1, 'Immediate']]);
    });
  });
}
