/**
 * The demo roster of 泸定县 (513322): who must act when a warning covers the county.
 *
 * - a 县级责任人 on top; for each township of the county a 乡镇责任人 below them;
 * - for every village (村/社区, loaded from the region tree's source) a 村干部 answering for the
 *   whole village and a 网格员 answering for households, 独居老人 and 留守儿童, both with the
 *   township's person as superior; the 网格员 of 南段社区 (泸桥镇) is 赵春花, the demo account
 *   ld-responder;
 * - for each landslide of the demo monitoring network (demo-monitoring.ts) a 包保责任人 answering
 *   for the hazard point and the households living under it; and a few crowded places.
 *
 * Names and phones are invented: phones are 139000 followed by five digits. Positions are
 * indicative (around each township, or at the monitoring point), not surveyed; every record is
 * labelled 【演示数据】 in its notes. The seed records what it made, so that a demo reset removes
 * exactly that. A demo person a warning reached stays (the record of who was warned must) and is
 * taken up again by the next seed, by phone.
 */
import { ValidationError, regionScope, type Clock } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import { appendAudit } from '../audit/service.ts';
import { findPointsByIdOrName } from '../monitoring/store.ts';
import { deleteSetting, readSetting, writeSetting } from '../system/settings.ts';
import { RosterRegions } from '../warning/roster/regions.ts';
import { prepareAssignment } from '../warning/roster/service.ts';
import * as store from '../warning/roster/store.ts';
import { checkPersonFields, mergePerson, type AssignmentInput, type AssignmentRecord, type PersonRecord } from '../warning/roster/validate.ts';
import { ensureVillages } from '../warning/roster/villages.ts';
import type { RoleKey } from '../warning/roster/vocabulary.ts';
import { DEMO_ACTOR, DEMO_NETWORK, TOWNSHIPS } from './demo-monitoring.ts';

const COUNTY = '513322';
export const DEMO_ROSTER_SETTING = 'demo_roster';
const LABEL = '【演示数据】';
/** The demo account of the 网格员 赵春花 (demo.ts). */
const RESPONDER_USERNAME = 'ld-responder';

/** Indicative centres of the townships: the demo rain gauges', and 德威镇 (no gauge) east of the river. */
const TOWNSHIP_CENTRES: Record<string, [number, number]> = {
  [TOWNSHIPS.泸桥镇]: [102.2352, 29.9186],
  [TOWNSHIPS.冷碛镇]: [102.2135, 29.7935],
  [TOWNSHIPS.兴隆镇]: [102.207, 29.712],
  [TOWNSHIPS.磨西镇]: [102.116, 29.644],
  [TOWNSHIPS.燕子沟镇]: [102.17, 29.735],
  [TOWNSHIPS.得妥镇]: [102.195, 29.57],
  [TOWNSHIPS.烹坝镇]: [102.206, 30.025],
  [TOWNSHIPS.岚安乡]: [102.262, 29.992],
  '513322107': [102.268, 29.878],
};

const SURNAMES = ['杨', '李', '王', '张', '刘', '陈', '周', '罗', '何', '高', '郭', '马', '胡', '冯', '唐', '邓', '曾', '彭', '袁', '蒋', '谢', '余', '苏', '黄', '徐', '赵', '吴', '朱', '宋', '田'];
const GIVEN = ['建国', '秀英', '志强', '丽华', '国平', '春梅', '德明', '晓燕', '永康', '玉兰', '文军', '桂芳', '成林', '红梅', '明辉', '淑琴', '光荣', '小燕', '学文', '海燕', '正华', '金凤', '长贵', '翠兰', '顺德', '慧敏', '世荣', '雪梅', '家兴', '秋菊'];
// 泸定 is also home to Tibetan and Yi families: every fifth name is one of theirs.
const TIBETAN = ['泽仁拉姆', '扎西多吉', '卓玛', '格桑曲珍', '尼玛次仁', '央宗', '阿牛尔日', '沙马阿呷', '降初', '益西卓嘎'];

/** A name for the n-th demo person: fixed, so a reset makes the same roster. */
function nameOf(n: number): string {
  if (n % 5 === 4) return TIBETAN[(n * 7) % TIBETAN.length];
  return SURNAMES[(n * 7) % SURNAMES.length] + GIVEN[(n * 11 + Math.floor(n / SURNAMES.length)) % GIVEN.length];
}

/** 139000 and five digits: a valid mobile format, obviously not a real subscriber. */
function phoneOf(serial: number): string {
  return `139000${String(serial).padStart(5, '0')}`;
}

/** Offsets around a centre: the k-th place of a township, on a slowly widening spiral (≈ 1–4 km). */
function around([lon, lat]: [number, number], k: number, spread = 0.012): [number, number] {
  const angle = k * 2.399963; // the golden angle: points never line up
  const r = spread * (1 + 0.35 * Math.sqrt(k));
  return [Number((lon + r * Math.cos(angle)).toFixed(5)), Number((lat + r * 0.9 * Math.sin(angle)).toFixed(5))];
}

interface DemoPerson {
  key: string;
  serial: number;
  name: string;
  roles: RoleKey[];
  regionCode: string;
  /** key of the superior */
  superior: string | null;
  notes: string;
  username?: string;
  assignments: AssignmentInput[];
}

interface Village {
  code: string;
  name: string;
  township: string;
}

async function villagesOfCounty(q: Queryable): Promise<Village[]> {
  await ensureVillages(q, [COUNTY]);
  const r = await q.query<{ code: string; name: string; parent_code: string }>(
    `SELECT code, name, parent_code FROM regions WHERE code LIKE $1 AND level = 'village' ORDER BY code`,
    [`${COUNTY}%`],
  );
  return r.rows.map((row) => ({ code: row.code, name: row.name, township: row.parent_code }));
}

/** The landslide points of the demo network, with the people living under each (demo figures). */
const SLOPES: { point: string; village?: string; people: number; households: number[] }[] = [
  { point: '冷碛镇大渡河右岸滑坡隐患点', people: 46, households: [5, 4, 6, 3] },
  { point: '兴隆镇场镇后山滑坡隐患点', people: 120, households: [6, 5, 4, 7, 3] },
  { point: '磨西台地东缘滑坡隐患点', people: 85, households: [4, 6, 5] },
  { point: '湾东村滑坡隐患点', village: '湾东村', people: 64, households: [5, 3, 6, 4] },
  { point: '烹坝镇大渡河左岸滑坡隐患点', people: 38, households: [4, 5] },
  { point: '岚安乡场镇后山滑坡隐患点', people: 52, households: [3, 6, 4] },
];

/** Crowded places with an assigned guardian (names indicative, not real institutions). */
const PLACES: { township: string; name: string; people: number; offset: number }[] = [
  { township: TOWNSHIPS.泸桥镇, name: '泸桥镇某小学（示意）', people: 640, offset: 3 },
  { township: TOWNSHIPS.磨西镇, name: '磨西镇景区游客服务中心（示意）', people: 300, offset: 5 },
  { township: TOWNSHIPS.得妥镇, name: '得妥镇大渡河沿岸在建工地（示意）', people: 85, offset: 2 },
];

async function definitions(q: Queryable): Promise<DemoPerson[]> {
  const townships = (await q.query<{ code: string; name: string }>(`SELECT code, name FROM regions WHERE parent_code = $1 AND level = 'township' ORDER BY code`, [COUNTY])).rows;
  const villages = await villagesOfCounty(q);
  const persons: DemoPerson[] = [];
  let n = 0;
  persons.push({
    key: 'county', serial: 1, name: '罗建华', roles: ['county', 'flood'], regionCode: COUNTY, superior: null,
    notes: `${LABEL}泸定县人民政府分管应急管理的副县长，县级防汛责任人（虚构）。`, assignments: [],
  });
  for (const [i, t] of townships.entries()) {
    persons.push({
      key: `township:${t.code}`, serial: 101 + i, name: nameOf(n++), roles: ['township', 'flood'], regionCode: t.code, superior: 'county',
      notes: `${LABEL}${t.name}乡镇防汛责任人（虚构）。`, assignments: [],
    });
  }
  const indexInTownship = new Map<string, number>();
  for (const [i, v] of villages.entries()) {
    const centre = TOWNSHIP_CENTRES[v.township] ?? TOWNSHIP_CENTRES[TOWNSHIPS.泸桥镇];
    const k = indexInTownship.get(v.township) ?? 0;
    indexInTownship.set(v.township, k + 1);
    const [lon, lat] = around(centre, k + 1);
    const isCommunity = /社区|居委会$/.test(v.name);
    persons.push({
      key: `cadre:${v.code}`, serial: 1001 + i, name: nameOf(n++), roles: ['cadre', 'flood'], regionCode: v.code, superior: `township:${v.township}`,
      notes: `${LABEL}${v.name}${isCommunity ? '社区书记' : '村支书'}，村级防汛责任人（虚构）。`,
      assignments: [{ kind: 'region', name: `${v.name}全域`, regionCode: v.code, lon, lat, people: 0, notes: `${LABEL}村（社区）全域，位置为村委会示意位置。` }],
    });
    const households: AssignmentInput[] = [0, 1].map((h) => {
      const [hl, ht] = around([lon, lat], h + 1, 0.002);
      return { kind: 'household', name: `${nameOf(n + 50 + h)}户`, regionCode: v.code, lon: hl, lat: ht, people: 3 + ((i + h) % 4), notes: `${LABEL}临河/临坡住户（位置示意）。` };
    });
    if (i % 3 === 0) {
      const [el, et] = around([lon, lat], 4, 0.002);
      households.push({ kind: 'vulnerable', category: 'elderly_alone', name: `${nameOf(n + 60)}（独居老人）`, regionCode: v.code, lon: el, lat: et, people: 1, notes: `${LABEL}独居老人，转移时需专人背扶（虚构）。` });
    }
    if (i % 4 === 1) {
      const [cl, ct] = around([lon, lat], 5, 0.002);
      households.push({ kind: 'vulnerable', category: 'left_behind_child', name: `${nameOf(n + 70)}（留守儿童）`, regionCode: v.code, lon: cl, lat: ct, people: 1 + (i % 2), notes: `${LABEL}父母在外务工，随祖辈生活（虚构）。` });
    }
    const isResponderVillage = v.code === `${TOWNSHIPS.泸桥镇}001`;
    persons.push({
      key: `grid:${v.code}`, serial: 2001 + i, name: isResponderVillage ? '赵春花' : nameOf(n++), roles: ['grid'], regionCode: v.code, superior: `township:${v.township}`,
      notes: `${LABEL}${v.name}网格员（虚构）。`, assignments: households, ...(isResponderVillage ? { username: RESPONDER_USERNAME } : {}),
    });
  }
  // Guardians of the landslides, at the monitoring points' positions.
  const points = new Map(DEMO_NETWORK.map((p) => [p.name, p]));
  const registered = new Map((await findPointsByIdOrName(q, regionScope(COUNTY), [], SLOPES.map((s) => s.point))).map((p) => [p.name, p.id]));
  for (const [i, s] of SLOPES.entries()) {
    const point = points.get(s.point);
    if (!point) continue;
    const village = s.village ? villages.find((v) => v.name === s.village && v.township === point.regionCode) : undefined;
    const region = village?.code ?? point.regionCode;
    const assignments: AssignmentInput[] = [
      {
        kind: 'point', name: s.point.replace(/隐患点$/, ''), regionCode: region, lon: point.lon, lat: point.lat, people: s.people,
        ref: registered.has(s.point) ? String(registered.get(s.point)) : null, notes: `${LABEL}坡下及影响范围内居住 ${s.people} 人（演示数值），监测预警时按户转移。`,
      },
      ...s.households.map((people, h): AssignmentInput => {
        const [hl, ht] = around([point.lon, point.lat], h + 1, 0.0015);
        return { kind: 'household', name: `${nameOf(n + 80 + h)}户（${s.point.replace(/滑坡隐患点$/, '')}坡下）`, regionCode: region, lon: hl, lat: ht, people, notes: `${LABEL}滑坡影响范围内住户（位置示意）。` };
      }),
    ];
    persons.push({
      key: `guardian:${i}`, serial: 3001 + i, name: nameOf(n++), roles: ['guardian', 'informant'], regionCode: region, superior: `township:${point.regionCode}`,
      notes: `${LABEL}${s.point}包保责任人、群测群防员（虚构）。`, assignments,
    });
  }
  for (const [i, p] of PLACES.entries()) {
    const [lon, lat] = around(TOWNSHIP_CENTRES[p.township], p.offset, 0.004);
    persons.push({
      key: `place:${i}`, serial: 3101 + i, name: nameOf(n++), roles: ['guardian'], regionCode: p.township, superior: `township:${p.township}`,
      notes: `${LABEL}${p.name}安全责任人（虚构）。`,
      assignments: [{ kind: 'place', name: p.name, regionCode: p.township, lon, lat, people: p.people, notes: `${LABEL}人员密集场所，人数为演示值。` }],
    });
  }
  return persons;
}

/** What the seed records, so that a reset removes exactly what it created. */
export interface DemoRosterRecord {
  seededAt: string;
  persons: number[];
  assignments: number[];
}

export interface DemoRosterResult {
  persons: number;
  assignments: number;
  people: number;
}

/** Creates the roster inside the caller's transaction unless it exists (null then). */
export async function seedDemoRoster(tx: Queryable, clock: Clock): Promise<DemoRosterResult | null> {
  if (await readSetting(tx, DEMO_ROSTER_SETTING)) return null;
  const scope = regionScope(COUNTY);
  const defs = await definitions(tx);
  const regions = new RosterRegions(tx);
  await regions.preload(defs.flatMap((d) => [d.regionCode, ...d.assignments.map((a) => a.regionCode!)]));
  const responder = (await tx.query<{ id: number }>('SELECT id FROM users WHERE username = $1 AND region_code LIKE $2', [RESPONDER_USERNAME, `${COUNTY}%`])).rows[0];
  const records = new Map<string, PersonRecord>();
  for (const d of defs) {
    const userId = d.username && responder ? Number(responder.id) : null;
    const { record, errors } = mergePerson(null, { name: d.name, phone: phoneOf(d.serial), roles: d.roles, regionCode: d.regionCode, userId, notes: d.notes });
    errors.push(...checkPersonFields(record));
    const region = await regions.check(scope, record.regionCode);
    if (region) errors.push(region);
    // The definitions are fixed and tested: an error here is a bug in them, not bad user data.
    if (errors.length) throw new ValidationError(errors, `Demo person ${d.key} is invalid`);
    records.set(d.key, record);
  }
  // A demo person kept by a reset (a warning reached them) is taken up again rather than duplicated.
  const kept = new Map((await store.findPersonsByPhone(tx, scope, [...records.values()].map((r) => r.phone))).map((p) => [p.phone, p.id]));
  // The account may already be linked to a person a bureau added: that link stays.
  const linkedTo = responder ? (await tx.query<{ id: number }>('SELECT id FROM responsible_persons WHERE user_id = $1', [responder.id])).rows[0] : undefined;
  for (const r of records.values()) if (r.userId !== null && linkedTo && Number(linkedTo.id) !== kept.get(r.phone)) r.userId = null;
  const fresh = defs.filter((d) => !kept.has(records.get(d.key)!.phone));
  const ids = new Map<string, number>();
  const inserted = await store.insertPersons(tx, fresh.map((d) => records.get(d.key)!), DEMO_ACTOR);
  fresh.forEach((d, i) => ids.set(d.key, inserted[i]));
  for (const d of defs) if (!ids.has(d.key)) ids.set(d.key, kept.get(records.get(d.key)!.phone)!);
  const superiorOf = (d: DemoPerson) => (d.superior ? ids.get(d.superior)! : null);
  await store.setSuperiors(tx, fresh.map((d) => ({ id: ids.get(d.key)!, superiorId: superiorOf(d) })));
  for (const d of defs.filter((x) => kept.has(records.get(x.key)!.phone))) {
    await store.updatePerson(tx, scope, ids.get(d.key)!, null, { ...records.get(d.key)!, superiorId: superiorOf(d) }, DEMO_ACTOR);
  }
  const assignments: { personId: number; record: AssignmentRecord }[] = [];
  for (const d of defs) {
    for (const a of d.assignments) {
      const { record, errors } = await prepareAssignment(tx, scope, null, a, regions);
      if (errors.length) throw new ValidationError(errors, `Demo assignment ${a.name} of ${d.key} is invalid`);
      assignments.push({ personId: ids.get(d.key)!, record });
    }
  }
  const assignmentIds = await store.insertAssignments(tx, assignments, DEMO_ACTOR);
  const record: DemoRosterRecord = { seededAt: clock.now().toISOString(), persons: defs.map((d) => ids.get(d.key)!), assignments: assignmentIds };
  const people = assignments.reduce((s, a) => s + a.record.people, 0);
  await appendAudit(tx, clock, DEMO_ACTOR, {
    action: 'warning.roster_imported', targetType: 'responsible_person', regionCode: COUNTY,
    after: { demo: true, persons: { insertedIds: inserted, updatedIds: defs.filter((d) => kept.has(records.get(d.key)!.phone)).map((d) => ids.get(d.key)) }, assignments: { insertedIds: assignmentIds }, people },
  });
  await writeSetting(tx, DEMO_ROSTER_SETTING, record);
  return { persons: defs.length, assignments: assignmentIds.length, people };
}

/**
 * Removes what the seed created, with the assignments a user added to demo persons. A demo
 * person a warning reached is deactivated instead (the record of who was warned stays) and taken
 * up again by the next seed.
 */
export async function removeDemoRoster(tx: Queryable, clock: Clock): Promise<{ persons: number; assignments: number; kept: number }> {
  const record = await readSetting<DemoRosterRecord>(tx, DEMO_ROSTER_SETTING);
  if (!record) return { persons: 0, assignments: 0, kept: 0 };
  const assignments = await tx.query('DELETE FROM guardian_assignments WHERE person_id = ANY($1::bigint[])', [record.persons]);
  const warned = new Set(
    (await tx.query<{ person_id: number }>('SELECT DISTINCT person_id FROM warning_recipients WHERE person_id = ANY($1::bigint[])', [record.persons])).rows.map((r) => Number(r.person_id)),
  );
  const removable = record.persons.filter((id) => !warned.has(id));
  const removed = await tx.query('DELETE FROM responsible_persons WHERE id = ANY($1::bigint[])', [removable]);
  await tx.query(`UPDATE responsible_persons SET active = false, superior_id = NULL, user_id = NULL, updated_at = now(), updated_by_name = $2, version = version + 1 WHERE id = ANY($1::bigint[])`, [[...warned], DEMO_ACTOR.name]);
  await appendAudit(tx, clock, DEMO_ACTOR, {
    action: 'warning.roster_demo_removed', targetType: 'responsible_person', regionCode: COUNTY,
    before: { persons: record.persons, assignments: record.assignments }, after: { removedPersons: removed.affectedRows, removedAssignments: assignments.affectedRows, keptBecauseWarned: [...warned] },
  });
  await deleteSetting(tx, DEMO_ROSTER_SETTING);
  return { persons: removed.affectedRows, assignments: assignments.affectedRows, kept: warned.size };
}
