/**
 * A synthetic roster for tests and benchmarks: N grassroots persons (网格员, 包保责任人) spread over
 * the villages of a county, each answering for households, under one 乡镇责任人 per township and a
 * 县级责任人 on top — inserted set-based (generate_series), 100,000 persons in seconds.
 *
 * Phones are 199 followed by eight digits, continuing after the highest such phone already on
 * the roster, so several calls on one database do not collide. Never run it on a bureau's
 * database: the persons are invented (名字 "合成责任人…", notes "synthetic").
 */
import type { Database, Queryable } from '@anlan/db';
import { ensureVillages } from './villages.ts';

export interface SyntheticRosterOptions {
  /** A county (6 digits) of the regions table, e.g. 513322. */
  countyCode: string;
  /** Grassroots persons, each with `assignmentsPerPerson` assignments. */
  persons: number;
  assignmentsPerPerson?: number;
  /** Give the assignments coordinates inside the county's box (default true). */
  located?: boolean;
}

export interface SyntheticRoster {
  countyPersonId: number;
  townshipPersonIds: number[];
  /** Grassroots persons (the county and township persons not counted). */
  persons: number;
  assignments: number;
  /** Total people of the assignments. */
  people: number;
  /** First and last phone used. */
  phones: [string, string];
}

const ACTOR = 'system:synthetic';
const PHONE_PREFIX = '199';

function phoneOf(n: number): string {
  return `${PHONE_PREFIX}${String(n).padStart(8, '0')}`;
}

async function generate(q: Queryable, opts: SyntheticRosterOptions): Promise<SyntheticRoster> {
  const county = opts.countyCode;
  const perPerson = opts.assignmentsPerPerson ?? 1;
  if (!/^\d{6}$/.test(county)) throw new Error(`not a county code: ${county}`);
  if (!Number.isInteger(opts.persons) || opts.persons < 0) throw new Error('persons must be a whole number');
  await ensureVillages(q, [county]);
  const townships = (await q.query<{ code: string }>(`SELECT code FROM regions WHERE parent_code = $1 AND level = 'township' ORDER BY code`, [county])).rows.map((r) => r.code);
  if (townships.length === 0) throw new Error(`county ${county} has no townships in the regions table`);
  const villages = (await q.query<{ code: string }>(`SELECT code FROM regions WHERE code LIKE $1 AND level = 'village' ORDER BY code`, [`${county}%`])).rows.map((r) => r.code);
  // Where there are no villages, persons serve townships.
  const leaves = villages.length ? villages : townships;
  const box = (await q.query<{ bbox: number[] | null; lon: number | null; lat: number | null }>(
    `SELECT (SELECT b.bbox FROM region_boundaries b WHERE b.code = r.code) AS bbox, r.centroid_lon AS lon, r.centroid_lat AS lat FROM regions r WHERE r.code = $1`,
    [county],
  )).rows[0];
  const [minLon, minLat, maxLon, maxLat] = box?.bbox ?? [Number(box?.lon ?? 104) - 0.2, Number(box?.lat ?? 30) - 0.2, Number(box?.lon ?? 104) + 0.2, Number(box?.lat ?? 30) + 0.2];

  const last = (await q.query<{ n: string | null }>(`SELECT max(substr(phone, 4)) AS n FROM responsible_persons WHERE phone LIKE '${PHONE_PREFIX}%'`)).rows[0].n;
  let next = last === null ? 0 : Number(last) + 1;
  const first = next;

  const countyPersonId = Number((await q.query<{ id: number }>(
    `INSERT INTO responsible_persons (name, phone, roles, region_code, notes, created_by_name, updated_by_name)
     VALUES ('合成县级责任人', $1, '{county,flood}', $2, 'synthetic', $3, $3) RETURNING id`,
    [phoneOf(next++), county, ACTOR],
  )).rows[0].id);
  const townshipRows = (await q.query<{ id: number; region_code: string }>(
    `INSERT INTO responsible_persons (name, phone, roles, region_code, superior_id, notes, created_by_name, updated_by_name)
     SELECT '合成乡镇责任人' || t.ord, $1 || lpad(($2 + t.ord - 1)::text, 8, '0'), '{township,flood}', t.code, $3, 'synthetic', $4, $4
     FROM unnest($5::text[]) WITH ORDINALITY AS t(code, ord)
     ORDER BY t.ord
     RETURNING id, region_code`,
    [PHONE_PREFIX, next, countyPersonId, ACTOR, townships],
  )).rows;
  next += townships.length;
  const townshipPerson = new Map(townshipRows.map((r) => [r.region_code, Number(r.id)]));
  const leafSuperiors = leaves.map((code) => townshipPerson.get(code.slice(0, 9))!);

  const lo = phoneOf(next);
  // The leaves joined by number, not subscripted: an array parameter is detoasted on every subscript.
  await q.query(
    `INSERT INTO responsible_persons (name, phone, roles, region_code, superior_id, notes, created_by_name, updated_by_name)
     SELECT '合成责任人' || g, $1 || lpad(($2 + g)::text, 8, '0'),
       CASE WHEN g % 3 = 0 THEN '{grid}'::text[] ELSE '{guardian}'::text[] END,
       l.code, l.superior, 'synthetic', $6, $6
     FROM generate_series(0, $7::integer - 1) AS g
     JOIN unnest($3::text[], $4::bigint[]) WITH ORDINALITY AS l(code, superior, ord) ON l.ord = 1 + g % $5
     ORDER BY g`,
    [PHONE_PREFIX, next, leaves, leafSuperiors, leaves.length, ACTOR, opts.persons],
  );
  next += opts.persons;
  const hi = phoneOf(next - 1);
  const located = opts.located ?? true;
  // Positions spread over the county's box by the golden-ratio sequence: uniform, deterministic, no random().
  const made = (await q.query<{ n: string; people: string | null }>(
    `WITH a AS (
       INSERT INTO guardian_assignments (person_id, kind, category, name, region_code, lon, lat, people, notes, created_by_name, updated_by_name)
       SELECT p.id,
         CASE WHEN (p.id + k) % 10 = 0 THEN 'vulnerable' ELSE 'household' END,
         CASE WHEN (p.id + k) % 10 = 0 THEN 'elderly_alone' END,
         '合成住户' || p.id || '-' || k, p.region_code,
         CASE WHEN $4 THEN $5 + ($7::float8 - $5) * ((p.id * 0.6180339887 + k * 0.3819660113) - floor(p.id * 0.6180339887 + k * 0.3819660113)) END,
         CASE WHEN $4 THEN $6 + ($8::float8 - $6) * ((p.id * 0.7548776662 + k * 0.5698402910) - floor(p.id * 0.7548776662 + k * 0.5698402910)) END,
         CASE WHEN (p.id + k) % 10 = 0 THEN 1 ELSE 1 + (p.id + k) % 5 END,
         'synthetic', $9, $9
       FROM responsible_persons p CROSS JOIN generate_series(1, $3::integer) AS k
       WHERE p.phone BETWEEN $1 AND $2
       RETURNING people
     ) SELECT count(*) AS n, sum(people) AS people FROM a`,
    [lo, hi, opts.persons > 0 ? perPerson : 0, located, minLon, minLat, maxLon, maxLat, ACTOR],
  )).rows[0];
  // The embedded database runs no autovacuum: without statistics the planner guesses the roster empty.
  await q.exec('ANALYZE responsible_persons; ANALYZE guardian_assignments;');
  return {
    countyPersonId,
    townshipPersonIds: townshipRows.map((r) => Number(r.id)),
    persons: opts.persons,
    assignments: Number(made.n),
    people: Number(made.people ?? 0),
    phones: [phoneOf(first), hi],
  };
}

/** Inserts the synthetic roster; in one transaction when given a database. */
export async function insertSyntheticRoster(db: Queryable, opts: SyntheticRosterOptions): Promise<SyntheticRoster> {
  const maybe = db as Partial<Database>;
  if (typeof maybe.transaction === 'function') return maybe.transaction((tx) => generate(tx, opts));
  return generate(db, opts);
}
