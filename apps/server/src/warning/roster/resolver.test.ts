import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { testTargets } from '../../../../../tests/helpers/targets.ts';
import type { IssuedWarning } from '../contracts.ts';
import { createRecipientResolver } from './resolver.ts';
import { CHAIN_LEVELS_SETTING } from './service.ts';
import * as store from './store.ts';
import { insertSyntheticRoster } from './synthetic.ts';
import { writeSetting } from '../../system/settings.ts';
import type { AssignmentRecord, PersonRecord } from './validate.ts';
import type { RoleKey } from './vocabulary.ts';

const clock = new ManualClock(new Date('2026-07-01T08:00:00Z'));
const resolver = createRecipientResolver({ clock });
const ACTOR = { id: null, name: 'test', ip: null };

/** 泸桥镇 and 磨西镇 of 泸定县; 1 km of latitude is about 0.008993°. */
const LUQIAO = '513322100';
const MOXI = '513322103';
const LUQIAO_AT = { lon: 102.2352, lat: 29.9186 };
const KM = 0.008993;

let serial = 0;
async function person(db: Database, p: { name: string; roles: RoleKey[]; regionCode: string; superiorId?: number | null; active?: boolean }): Promise<number> {
  const record: PersonRecord = {
    name: p.name, phone: `1370000${String(++serial).padStart(4, '0')}`, email: null, roles: p.roles, regionCode: p.regionCode,
    superiorId: p.superiorId ?? null, userId: null, active: p.active ?? true, notes: null,
  };
  return store.insertPerson(db, record, ACTOR);
}

async function assignment(db: Database, personId: number, a: Partial<AssignmentRecord> & { name: string; regionCode: string }): Promise<number> {
  const record: AssignmentRecord = { kind: 'household', category: null, lon: null, lat: null, people: 0, ref: null, active: true, notes: null, ...a };
  return store.insertAssignment(db, personId, record, ACTOR);
}

type Area = { regionCode: string } | { polygon: [number, number][] } | { circle: { lon: number; lat: number; radiusKm: number }; geom?: boolean };

let warningSerial = 0;
/** An issued warning as core would leave it: the row and its areas. */
async function issue(db: Database, regionCode: string, areas: Area[], previous?: IssuedWarning): Promise<IssuedWarning> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO warnings (thread_id, previous_id, identifier, sender, msg_type, stage, event, level, headline, description, region_code, state, expires_at, drafted_by_name, issued_at)
     VALUES (0, $1, $2, 'anlan@test', $3, 'callresponse', 'rainstorm', 'red', '暴雨红色预警', '测试', $4, 'issued', now() + interval '1 day', 'test', now()) RETURNING id`,
    [previous?.id ?? null, `test-${++warningSerial}-${Date.now()}`, previous ? 'Update' : 'Alert', regionCode],
  );
  const id = Number(r.rows[0].id);
  const threadId = previous?.threadId ?? id;
  await db.query('UPDATE warnings SET thread_id = $2 WHERE id = $1', [id, threadId]);
  for (const [ord, a] of areas.entries()) {
    if ('regionCode' in a) {
      await db.query(`INSERT INTO warning_areas (warning_id, ord, kind, label, region_code, geom) VALUES ($1, $2, 'region', 'r', $3, (SELECT b.geom FROM region_boundaries b WHERE b.code = $3))`, [id, ord, a.regionCode]);
    } else if ('polygon' in a) {
      await db.query(
        `INSERT INTO warning_areas (warning_id, ord, kind, label, polygon, geom) VALUES ($1, $2, 'polygon', 'p', $3::jsonb, ST_SetSRID(ST_GeomFromGeoJSON($4), 4326))`,
        [id, ord, JSON.stringify(a.polygon), JSON.stringify({ type: 'Polygon', coordinates: [a.polygon] })],
      );
    } else {
      // Without geom the resolver builds the circle itself; with it, it uses core's buffer.
      await db.query(
        `INSERT INTO warning_areas (warning_id, ord, kind, label, center_lon, center_lat, radius_km, geom)
         VALUES ($1, $2, 'circle', 'c', $3::float8, $4::float8, $5::float8,
           CASE WHEN $6 THEN ST_Buffer(ST_SetSRID(ST_MakePoint($3::float8, $4::float8), 4326)::geography, $5::float8 * 1000)::geometry END)`,
        [id, ord, a.circle.lon, a.circle.lat, a.circle.radiusKm, a.geom ?? false],
      );
    }
  }
  return {
    id, threadId, previousId: previous?.id ?? null, identifier: `test-${id}`, msgType: previous ? 'Update' : 'Alert', stage: 'callresponse', event: 'rainstorm', level: 'red',
    headline: '暴雨红色预警', description: '测试', instruction: '', regionCode, issuedAt: clock.now(), expiresAt: clock.now(),
  };
}

type Recipient = { person_id: number; reason: string; planned: number; via_recipient_id: number | null; name: string };
async function recipients(db: Database, warningId: number): Promise<Map<number, Recipient>> {
  const r = await db.query<Recipient>('SELECT person_id, reason, planned, via_recipient_id, name FROM warning_recipients WHERE warning_id = $1', [warningId]);
  return new Map(r.rows.map((row) => [Number(row.person_id), { ...row, person_id: Number(row.person_id), planned: Number(row.planned), via_recipient_id: row.via_recipient_id === null ? null : Number(row.via_recipient_id) }]));
}

const square = (c: { lon: number; lat: number }, half: number): [number, number][] => [
  [c.lon - half, c.lat - half], [c.lon + half, c.lat - half], [c.lon + half, c.lat + half], [c.lon - half, c.lat + half], [c.lon - half, c.lat - half],
];

for (const target of testTargets()) {
  describe(`recipient resolution (${target.name})`, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    const ids: Record<string, number> = {};

    before(async () => {
      const fresh = await target.fresh();
      db = await fresh.openDb();
      dispose = async () => {
        await db.close();
        await fresh.dispose();
      };
      // The chain village → township → county, a landslide guardian with located households, one of
      // 磨西 with a household nobody placed, and a guardian of 康定 (another county).
      ids.county = await person(db, { name: '县级', roles: ['county', 'flood'], regionCode: '513322' });
      ids.luqiao = await person(db, { name: '泸桥镇责任人', roles: ['township'], regionCode: LUQIAO, superiorId: ids.county });
      ids.moxi = await person(db, { name: '磨西镇责任人', roles: ['township'], regionCode: MOXI, superiorId: ids.county });
      ids.cadre = await person(db, { name: '泸桥村干部', roles: ['cadre'], regionCode: LUQIAO, superiorId: ids.luqiao });
      ids.guardian = await person(db, { name: '泸桥包保人', roles: ['guardian'], regionCode: LUQIAO, superiorId: ids.cadre });
      ids.near = await assignment(db, ids.guardian, { name: '近户', regionCode: LUQIAO, ...LUQIAO_AT, people: 4 });
      ids.inner = await assignment(db, ids.guardian, { name: '0.9 km 户', regionCode: LUQIAO, lon: LUQIAO_AT.lon, lat: LUQIAO_AT.lat + 0.9 * KM, people: 3 });
      ids.outer = await assignment(db, ids.guardian, { name: '1.1 km 户', regionCode: LUQIAO, lon: LUQIAO_AT.lon, lat: LUQIAO_AT.lat + 1.1 * KM, people: 2 });
      await assignment(db, ids.guardian, { name: '停用户', regionCode: LUQIAO, ...LUQIAO_AT, people: 50, active: false });
      ids.moxiGuardian = await person(db, { name: '磨西包保人', roles: ['guardian'], regionCode: MOXI, superiorId: ids.moxi });
      await assignment(db, ids.moxiGuardian, { name: '磨西户', regionCode: MOXI, lon: 102.116, lat: 29.644, people: 5 });
      await assignment(db, ids.moxiGuardian, { name: '未定位户', regionCode: MOXI, people: 2 });
      ids.kangding = await person(db, { name: '康定包保人', roles: ['guardian', 'grid'], regionCode: '513301' });
      await assignment(db, ids.kangding, { name: '康定户', regionCode: '513301', lon: 101.96, lat: 30.05, people: 6 });
    });
    after(() => dispose());

    test('a region area reaches the assignments and the territorial persons under it, and the chain one level up', async () => {
      const w = await issue(db, '513322', [{ regionCode: LUQIAO }]);
      const res = await resolver.resolve(db, w);
      const got = await recipients(db, w.id);
      assert.deepEqual(res, { warningId: w.id, count: got.size, added: got.size });
      assert.equal(got.get(ids.guardian)?.reason, 'assignment');
      // The inactive household does not count; the three active ones do.
      assert.equal(got.get(ids.guardian)?.planned, 9);
      assert.equal(got.get(ids.cadre)?.reason, 'region');
      assert.equal(got.get(ids.luqiao)?.reason, 'region');
      assert.equal(got.get(ids.cadre)?.planned, 0);
      // The county officer is the superior of the township officer, who was reached directly.
      assert.equal(got.get(ids.county)?.reason, 'chain');
      const townshipRow = (await db.query<{ id: number }>('SELECT id FROM warning_recipients WHERE warning_id = $1 AND person_id = $2', [w.id, ids.luqiao])).rows[0];
      assert.equal(got.get(ids.county)?.via_recipient_id, Number(townshipRow.id));
      for (const other of [ids.moxi, ids.moxiGuardian, ids.kangding]) assert.equal(got.has(other), false);
      assert.equal(got.size, 4);
      const audit = await db.query<{ after: { added: number; byReason: Record<string, number>; planned: number } }>(
        `SELECT after FROM audit_log WHERE action = 'warning.recipients_resolved' AND target_id = $1`, [String(w.id)],
      );
      assert.equal(audit.rows.length, 1);
      assert.deepEqual(audit.rows[0].after.byReason, { assignment: 1, region: 2, chain: 1 });
      assert.equal(audit.rows[0].after.planned, 9);
    });

    test('resolving again adds nobody', async () => {
      const w = await issue(db, '513322', [{ regionCode: LUQIAO }]);
      const first = await resolver.resolve(db, w);
      const again = await resolver.resolve(db, w);
      assert.equal(again.added, 0);
      assert.equal(again.count, first.count);
      assert.equal((await recipients(db, w.id)).size, first.count);
      const audits = await db.query(`SELECT 1 FROM audit_log WHERE action = 'warning.recipients_resolved' AND target_id = $1`, [String(w.id)]);
      assert.equal(audits.rows.length, 1, 'a resolution that adds nobody is not a change');
    });

    test('a polygon reaches located assignments inside it; an unplaced one is reached where its region may lie', async () => {
      const w = await issue(db, '513322', [{ polygon: square(LUQIAO_AT, 0.002) }]);
      await resolver.resolve(db, w);
      const got = await recipients(db, w.id);
      assert.equal(got.get(ids.guardian)?.reason, 'assignment');
      assert.equal(got.get(ids.guardian)?.planned, 4, 'only the household inside the square');
      // 磨西's household without coordinates: its township has no outline, its county does and the square touches it.
      assert.equal(got.get(ids.moxiGuardian)?.reason, 'assignment');
      assert.equal(got.get(ids.moxiGuardian)?.planned, 2);
      // Territorial persons are reached through region areas only; the chain reaches the cadre above the guardian.
      assert.equal(got.get(ids.cadre)?.reason, 'chain');
      assert.equal(got.get(ids.moxi)?.reason, 'chain');
      assert.equal(got.has(ids.luqiao), false, 'one level up only');
      assert.equal(got.has(ids.kangding), false);
    });

    test('a circle reaches by distance on the sphere, with or without the area geometry stored', async () => {
      for (const geom of [true, false]) {
        const w = await issue(db, '513322', [{ circle: { ...LUQIAO_AT, radiusKm: 1 }, geom }]);
        await resolver.resolve(db, w);
        const got = await recipients(db, w.id);
        // 0 km and 0.9 km inside, 1.1 km outside.
        assert.equal(got.get(ids.guardian)?.planned, 7, `geom stored: ${geom}`);
        assert.equal(got.has(ids.kangding), false);
      }
    });

    test('direct hits stay inside the warning\'s region; a prefecture\'s warning reaches its counties', async () => {
      const kangding = { lon: 101.96, lat: 30.05 };
      const county = await issue(db, '513322', [{ polygon: square(kangding, 0.01) }]);
      await resolver.resolve(db, county);
      assert.equal((await recipients(db, county.id)).has(ids.kangding), false);
      const prefecture = await issue(db, '513300', [{ polygon: square(kangding, 0.01) }]);
      await resolver.resolve(db, prefecture);
      const got = await recipients(db, prefecture.id);
      assert.equal(got.get(ids.kangding)?.planned, 6);
    });

    test('one row per person: two areas and two reasons count an assignment once', async () => {
      const w = await issue(db, '513322', [{ regionCode: LUQIAO }, { polygon: square(LUQIAO_AT, 0.002) }, { circle: { ...LUQIAO_AT, radiusKm: 0.5 } }]);
      await resolver.resolve(db, w);
      const rows = await db.query<{ person_id: number; n: string }>('SELECT person_id, count(*) AS n FROM warning_recipients WHERE warning_id = $1 GROUP BY person_id HAVING count(*) > 1', [w.id]);
      assert.equal(rows.rows.length, 0);
      const got = await recipients(db, w.id);
      assert.equal(got.get(ids.guardian)?.planned, 9, 'each household once, whatever the number of areas around it');
      // Reached through the polygon's unplaced household (2) and not through the region area.
      assert.equal(got.get(ids.moxiGuardian)?.planned, 2);
      assert.equal(got.get(ids.luqiao)?.reason, 'region', 'a direct reason wins over the chain');
    });

    test('chain levels come from the setting; an inactive superior is passed over', async () => {
      try {
        await writeSetting(db, CHAIN_LEVELS_SETTING, 0);
        const none = await issue(db, '513322', [{ polygon: square(LUQIAO_AT, 0.002) }]);
        await resolver.resolve(db, none);
        assert.deepEqual([...(await recipients(db, none.id)).values()].map((r) => r.reason).sort(), ['assignment', 'assignment']);

        await writeSetting(db, CHAIN_LEVELS_SETTING, 2);
        const two = await issue(db, '513322', [{ polygon: square(LUQIAO_AT, 0.002) }]);
        await resolver.resolve(db, two);
        const got = await recipients(db, two.id);
        assert.equal(got.get(ids.cadre)?.reason, 'chain');
        assert.equal(got.get(ids.luqiao)?.reason, 'chain');
        assert.equal(got.has(ids.county), true, 'two levels above 磨西包保人: 磨西镇, then the county');

        await writeSetting(db, CHAIN_LEVELS_SETTING, 1);
        await db.query('UPDATE responsible_persons SET active = false WHERE id = $1', [ids.cadre]);
        const passed = await issue(db, '513322', [{ polygon: square(LUQIAO_AT, 0.002) }]);
        await resolver.resolve(db, passed);
        const after = await recipients(db, passed.id);
        assert.equal(after.has(ids.cadre), false);
        assert.equal(after.get(ids.luqiao)?.reason, 'chain', 'the next active person above the inactive cadre');
        const guardianRow = (await db.query<{ id: number }>('SELECT id FROM warning_recipients WHERE warning_id = $1 AND person_id = $2', [passed.id, ids.guardian])).rows[0];
        assert.equal(after.get(ids.luqiao)?.via_recipient_id, Number(guardianRow.id));
      } finally {
        await db.query('UPDATE responsible_persons SET active = true WHERE id = $1', [ids.cadre]);
        await writeSetting(db, CHAIN_LEVELS_SETTING, 1);
      }
    });

    test('an Update reaches everyone the earlier step reached, as thread, even if deactivated since', async () => {
      const alert = await issue(db, '513322', [{ regionCode: LUQIAO }]);
      await resolver.resolve(db, alert);
      const first = await recipients(db, alert.id);
      await db.query('UPDATE responsible_persons SET active = false WHERE id = $1', [ids.cadre]);
      try {
        // The update narrows the area to 磨西's household.
        const update = await issue(db, '513322', [{ circle: { lon: 102.116, lat: 29.644, radiusKm: 0.2 } }], alert);
        const res = await resolver.resolve(db, update);
        const got = await recipients(db, update.id);
        assert.equal(got.get(ids.moxiGuardian)?.reason, 'assignment');
        for (const id of first.keys()) assert.equal(got.get(id)?.reason === 'thread' || got.get(id)?.reason === 'chain' || got.get(id)?.reason === 'assignment', true, `person ${id} reached again`);
        assert.equal(got.get(ids.cadre)?.reason, 'thread');
        assert.equal(got.get(ids.guardian)?.reason, 'thread');
        assert.equal(res.count, got.size);
        assert.equal((await resolver.resolve(db, update)).added, 0);
      } finally {
        await db.query('UPDATE responsible_persons SET active = true WHERE id = $1', [ids.cadre]);
      }
    });

    test('the synthetic roster: a county-wide warning reaches every person of it once, with the planned people', async () => {
      const made = await insertSyntheticRoster(db, { countyCode: '513326', persons: 300, assignmentsPerPerson: 2 });
      assert.equal(made.persons, 300);
      assert.equal(made.assignments, 600);
      const again = await insertSyntheticRoster(db, { countyCode: '513326', persons: 10 });
      assert.ok(again.phones[0] > made.phones[1], 'a second call continues the phones');
      const w = await issue(db, '513326', [{ regionCode: '513326' }]);
      const res = await resolver.resolve(db, w);
      // 310 grassroots persons, the townships' officers and two county officers.
      assert.equal(res.count, 310 + made.townshipPersonIds.length + again.townshipPersonIds.length + 2);
      const planned = await db.query<{ n: string }>('SELECT sum(planned) AS n FROM warning_recipients WHERE warning_id = $1', [w.id]);
      assert.equal(Number(planned.rows[0].n), made.people + again.people);
    });
  });
}
