import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '@anlan/core';
import { testTargets } from '../../../../tests/helpers/targets.ts';
import { startTestServer, type TestServer } from '../../../../tests/helpers/server.ts';
import { seedDemo } from './demo.ts';
import { DEMO_NETWORK } from './demo-monitoring.ts';
import { resolveRecipients } from '../warning/roster/resolver.ts';

for (const target of testTargets()) {
  describe(`demo roster of 泸定 (${target.name})`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer({ target });
    });
    after(() => s.close());

    type P = { id: number; name: string; phone: string; roles: string[]; region_code: string; superior_id: number | null; user_id: number | null; notes: string; active: boolean };
    const persons = async () => (await s.anlan.ctx.db.query<P>('SELECT id, name, phone, roles, region_code, superior_id, user_id, notes, active FROM responsible_persons ORDER BY id')).rows.map((p) => ({ ...p, id: Number(p.id), superior_id: p.superior_id === null ? null : Number(p.superior_id) }));

    test('a county officer, a township officer per township, a cadre and a grid worker per village, the landslides\' guardians', async () => {
      const db = s.anlan.ctx.db;
      // The demo accounts exist already (tests start without the roster): the seed adds the roster to them.
      const made = await seedDemo({ db, clock: systemClock }, { password: s.demoPassword, roster: true, network: false });
      assert.ok(made.roster, JSON.stringify(made));
      const list = await persons();
      const townships = (await db.query(`SELECT code FROM regions WHERE parent_code = '513322' AND level = 'township'`)).rows.length;
      const villages = (await db.query(`SELECT code FROM regions WHERE code LIKE '513322%' AND level = 'village'`)).rows.length;
      assert.equal(townships, 9);
      assert.ok(villages > 90, `${villages} villages`);
      const slopes = DEMO_NETWORK.filter((p) => p.type === 'landslide').length;
      assert.equal(list.length, 1 + townships + 2 * villages + slopes + 3);
      assert.equal(made.roster!.persons, list.length);
      for (const p of list) {
        assert.match(p.phone, /^139000\d{5}$/, p.name);
        assert.ok(p.notes.startsWith('【演示数据】'), p.name);
        assert.ok(p.region_code.startsWith('513322'), p.name);
      }
      const byId = new Map(list.map((p) => [p.id, p]));
      const county = list.filter((p) => p.roles.includes('county'));
      assert.equal(county.length, 1);
      // Every chain ends at the county officer, within three steps.
      for (const p of list) {
        let at = p;
        for (let i = 0; i < 3 && at.superior_id !== null; i++) at = byId.get(at.superior_id)!;
        assert.equal(at.id, county[0].id, `${p.name}'s chain`);
      }
      assert.equal(list.filter((p) => p.roles.includes('township')).every((p) => p.superior_id === county[0].id), true);
      const zhao = list.find((p) => p.name === '赵春花')!;
      assert.equal(zhao.region_code, '513322100001');
      assert.deepEqual(zhao.roles, ['grid']);
      const responder = (await db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'ld-responder'`)).rows[0];
      assert.equal(Number(zhao.user_id), Number(responder.id));
      assert.equal(byId.get(zhao.superior_id!)!.region_code, '513322100');

      const kinds = (await db.query<{ kind: string; category: string | null; n: string }>('SELECT kind, category, count(*) AS n FROM guardian_assignments GROUP BY kind, category')).rows;
      const count = (kind: string, category: string | null = null) => Number(kinds.find((k) => k.kind === kind && k.category === category)?.n ?? 0);
      assert.equal(count('region'), villages);
      assert.equal(count('point'), slopes);
      assert.ok(count('vulnerable', 'elderly_alone') >= 30);
      assert.ok(count('vulnerable', 'left_behind_child') >= 20);
      assert.ok(count('household') > 2 * villages);
      assert.equal(count('place'), 3);
      // The landslides' people live where the monitoring network watches them.
      const points = (await db.query<{ name: string; lon: number; lat: number; people: number }>(`SELECT name, lon, lat, people FROM guardian_assignments WHERE kind = 'point'`)).rows;
      for (const def of DEMO_NETWORK.filter((p) => p.type === 'landslide')) {
        const a = points.find((x) => def.name.startsWith(x.name));
        assert.ok(a, def.name);
        assert.deepEqual([Number(a.lon), Number(a.lat)], [def.lon, def.lat]);
        assert.ok(a.people > 0);
      }
      const unplaced = (await db.query(`SELECT 1 FROM guardian_assignments WHERE lon IS NULL`)).rows.length;
      assert.equal(unplaced, 0, 'every demo assignment has a position');
    });

    test('a county-wide warning reaches the whole roster once, with the people to move', async () => {
      const db = s.anlan.ctx.db;
      const w = await db.query<{ id: number }>(
        `INSERT INTO warnings (thread_id, identifier, sender, msg_type, stage, event, level, headline, description, region_code, state, expires_at, drafted_by_name)
         VALUES (0, 'demo-roster-test', 's', 'Alert', 'callresponse', 'rainstorm', 'red', 'h', 'd', '513322', 'issued', now() + interval '1 day', 't') RETURNING id`,
      );
      const id = Number(w.rows[0].id);
      await db.query('UPDATE warnings SET thread_id = id WHERE id = $1', [id]);
      await db.query(`INSERT INTO warning_areas (warning_id, ord, kind, label, region_code) VALUES ($1, 0, 'region', '泸定县', '513322')`, [id]);
      const res = await resolveRecipients(db, { id, threadId: id, previousId: null, identifier: 'demo-roster-test', msgType: 'Alert', stage: 'callresponse', event: 'rainstorm', level: 'red', headline: 'h', description: 'd', instruction: '', regionCode: '513322', issuedAt: new Date(), expiresAt: new Date() }, { clock: systemClock });
      assert.equal(res.count, (await persons()).length);
      const planned = await db.query<{ n: string }>('SELECT sum(planned) AS n FROM warning_recipients WHERE warning_id = $1', [id]);
      const people = await db.query<{ n: string }>('SELECT sum(people) AS n FROM guardian_assignments');
      assert.equal(Number(planned.rows[0].n), Number(people.rows[0].n));
    });

    test('a demo reset removes the roster and seeds it again; persons a warning reached stay on record, taken up again', async () => {
      const db = s.anlan.ctx.db;
      const before = await persons();
      const warned = new Set((await db.query<{ person_id: number }>('SELECT DISTINCT person_id FROM warning_recipients')).rows.map((r) => Number(r.person_id)));
      assert.ok(warned.size > 0);
      const extra = await db.query<{ id: number }>(
        `INSERT INTO responsible_persons (name, phone, roles, region_code, created_by_name, updated_by_name) VALUES ('局里加的人', '13712345678', '{other}', '513322', 'x', 'x') RETURNING id`,
      );
      await seedDemo({ db, clock: systemClock }, { password: s.demoPassword, reset: true, roster: true, network: false });
      const after = await persons();
      assert.equal(after.filter((p) => p.notes?.startsWith('【演示数据】')).length, before.length);
      // Warned persons keep their ids (their warning records point at them) and are active again.
      for (const id of warned) assert.equal(after.find((p) => p.id === id)?.active, true, `person ${id}`);
      assert.ok(after.some((p) => p.id === Number(extra.rows[0].id)), 'a person the bureau added stays');
      assert.equal(new Set(after.map((p) => p.phone)).size, after.length);
      const zhao = after.find((p) => p.name === '赵春花')!;
      assert.ok(zhao.user_id !== null, 'linked to the recreated ld-responder');
    });
  });
}
