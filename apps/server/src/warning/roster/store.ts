/**
 * All SQL of the roster but resolution's (resolver.ts). Every read and write of a person is
 * filtered by the caller's region scope here; an assignment belongs to its person and is seen
 * exactly when its person is.
 */
import { scopeLikePattern, scopePrefix, type RegionScope } from '@anlan/core';
import type { Queryable } from '@anlan/db';
import type { Actor } from '../../caller.ts';
import type { AssignmentKind, RoleKey, VulnerableCategory } from './vocabulary.ts';
import type { AssignmentRecord, PersonRecord } from './validate.ts';

interface Bookkeeping {
  id: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  version: number;
}

export interface PersonView extends PersonRecord, Bookkeeping {
  regionName: string | null;
  superiorName: string | null;
  /** The login account linked to the person (一键通), by name. */
  username: string | null;
  assignmentCount: number;
  /** People to move across the person's active assignments. */
  people: number;
  /** Persons who have this one as their superior. */
  subordinateCount: number;
}

export interface AssignmentView extends AssignmentRecord, Bookkeeping {
  personId: number;
  personName: string;
  personPhone: string;
  regionName: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface PersonFilter {
  regionCode?: string;
  role?: RoleKey;
  /** Substring of the name or the phone. */
  q?: string;
  active?: boolean;
  superiorId?: number;
  limit: number;
  offset: number;
}

export interface AssignmentFilter {
  personId?: number;
  regionCode?: string;
  kind?: AssignmentKind;
  category?: VulnerableCategory;
  q?: string;
  active?: boolean;
  limit: number;
  offset: number;
}

/** WHERE clauses with their parameters numbered in order. */
class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  add(sql: (n: (v: unknown) => string) => string): void {
    this.clauses.push(sql((v) => `$${this.params.push(v)}`));
  }
  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

function likeContains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const under = (code: string) => `${scopePrefix(code)}%`;

// Names and counts are correlated lookups: the planner keeps to primary keys and small indexes.
const PERSON_SELECT = `SELECT p.id, p.name, p.phone, p.email, p.roles, p.region_code AS "regionCode",
  (SELECT r.name FROM regions r WHERE r.code = p.region_code) AS "regionName",
  p.superior_id AS "superiorId", (SELECT s.name FROM responsible_persons s WHERE s.id = p.superior_id) AS "superiorName",
  p.user_id AS "userId", (SELECT u.username FROM users u WHERE u.id = p.user_id) AS username,
  p.active, p.notes,
  (SELECT count(*) FROM guardian_assignments a WHERE a.person_id = p.id) AS "assignmentCount",
  (SELECT coalesce(sum(a.people), 0) FROM guardian_assignments a WHERE a.person_id = p.id AND a.active) AS people,
  (SELECT count(*) FROM responsible_persons c WHERE c.superior_id = p.id) AS "subordinateCount",
  p.created_at AS "createdAt", p.created_by_name AS "createdBy", p.updated_at AS "updatedAt", p.updated_by_name AS "updatedBy", p.version
  FROM responsible_persons p`;

const ASSIGNMENT_SELECT = `SELECT a.id, a.person_id AS "personId", p.name AS "personName", p.phone AS "personPhone",
  a.kind, a.category, a.name, a.region_code AS "regionCode", (SELECT r.name FROM regions r WHERE r.code = a.region_code) AS "regionName",
  a.lon, a.lat, a.people, a.ref, a.active, a.notes,
  a.created_at AS "createdAt", a.created_by_name AS "createdBy", a.updated_at AS "updatedAt", a.updated_by_name AS "updatedBy", a.version
  FROM guardian_assignments a JOIN responsible_persons p ON p.id = a.person_id`;

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toPerson(r: Row): PersonView {
  return {
    ...(r as unknown as PersonView),
    id: Number(r.id),
    superiorId: num(r.superiorId),
    userId: num(r.userId),
    assignmentCount: Number(r.assignmentCount),
    people: Number(r.people),
    subordinateCount: Number(r.subordinateCount),
    version: Number(r.version),
  };
}

function toAssignment(r: Row): AssignmentView {
  return { ...(r as unknown as AssignmentView), id: Number(r.id), personId: Number(r.personId), lon: num(r.lon), lat: num(r.lat), people: Number(r.people), version: Number(r.version) };
}

// ---- persons ----

export async function findPerson(db: Queryable, scope: RegionScope, id: number): Promise<PersonView | null> {
  const r = await db.query<Row>(`${PERSON_SELECT} WHERE p.id = $1 AND p.region_code LIKE $2`, [id, scopeLikePattern(scope)]);
  return r.rows[0] ? toPerson(r.rows[0]) : null;
}

export async function listPersons(db: Queryable, scope: RegionScope, f: PersonFilter): Promise<Page<PersonView>> {
  const w = new Where();
  w.add((n) => `p.region_code LIKE ${n(scopeLikePattern(scope))}`);
  if (f.regionCode) w.add((n) => `p.region_code LIKE ${n(under(f.regionCode!))}`);
  if (f.role) w.add((n) => `${n(f.role)} = ANY(p.roles)`);
  if (f.active !== undefined) w.add((n) => `p.active = ${n(f.active)}`);
  if (f.superiorId !== undefined) w.add((n) => `p.superior_id = ${n(f.superiorId)}`);
  if (f.q) {
    w.add((n) => {
      const p = n(likeContains(f.q!));
      return `(p.name ILIKE ${p} OR p.phone LIKE ${p})`;
    });
  }
  const total = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM responsible_persons p ${w}`, w.params);
  const params = [...w.params, f.limit, f.offset];
  const r = await db.query<Row>(`${PERSON_SELECT} ${w} ORDER BY p.region_code, p.name, p.id LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { items: r.rows.map(toPerson), total: Number(total.rows[0].n), limit: f.limit, offset: f.offset };
}

/** Persons with these phones anywhere (phones are unique across the country), with whether each is in scope. */
export async function findPersonsByPhone(db: Queryable, scope: RegionScope, phones: string[]): Promise<(PersonView & { inScope: boolean })[]> {
  if (phones.length === 0) return [];
  const r = await db.query<Row>(`${PERSON_SELECT} WHERE p.phone = ANY($1::text[])`, [phones]);
  const prefix = scope.prefix;
  return r.rows.map((row) => {
    const p = toPerson(row);
    return { ...p, inScope: p.regionCode.startsWith(prefix) };
  });
}

function personValues(p: PersonRecord): unknown[] {
  return [p.name, p.phone, p.email, p.roles, p.regionCode, p.superiorId, p.userId, p.active, p.notes];
}

export async function insertPerson(tx: Queryable, p: PersonRecord, actor: Actor): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO responsible_persons (name, phone, email, roles, region_code, superior_id, user_id, active, notes, created_by_name, updated_by_name)
     VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
    [...personValues(p), actor.name],
  );
  return Number(r.rows[0].id);
}

const BATCH = 2000;

/**
 * Many persons in a few statements (imports), without their superiors: a superior may be a row
 * of the same batch, so links are set afterwards with setSuperiors.
 */
export async function insertPersons(tx: Queryable, persons: PersonRecord[], actor: Actor): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < persons.length; i += BATCH) {
    const b = persons.slice(i, i + BATCH);
    // Roles travel as text ("{flood,grid}"): unnest of a two-dimensional array would flatten it.
    const r = await tx.query<{ id: number }>(
      `INSERT INTO responsible_persons (name, phone, email, roles, region_code, user_id, active, notes, created_by_name, updated_by_name)
       SELECT t.name, t.phone, t.email, t.roles::text[], t.region, t.uid, t.active, t.notes, $9, $9
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::boolean[], $8::text[])
         WITH ORDINALITY AS t(name, phone, email, roles, region, uid, active, notes, ord)
       ORDER BY t.ord
       RETURNING id`,
      [
        b.map((p) => p.name), b.map((p) => p.phone), b.map((p) => p.email), b.map((p) => `{${p.roles.join(',')}}`), b.map((p) => p.regionCode),
        b.map((p) => p.userId), b.map((p) => p.active), b.map((p) => p.notes), actor.name,
      ],
    );
    ids.push(...r.rows.map((row) => Number(row.id)));
  }
  return ids;
}

/** Sets the superior of each person (imports: after every person of the batch has an id). */
export async function setSuperiors(tx: Queryable, links: { id: number; superiorId: number | null }[]): Promise<void> {
  for (let i = 0; i < links.length; i += BATCH) {
    const b = links.slice(i, i + BATCH);
    await tx.query(
      `UPDATE responsible_persons p SET superior_id = t.sup FROM unnest($1::bigint[], $2::bigint[]) AS t(id, sup) WHERE p.id = t.id`,
      [b.map((l) => l.id), b.map((l) => l.superiorId)],
    );
  }
}

/** Writes the person if still at `version` (null: whatever it is); false when it was not. */
export async function updatePerson(tx: Queryable, scope: RegionScope, id: number, version: number | null, p: PersonRecord, actor: Actor): Promise<boolean> {
  const r = await tx.query(
    `UPDATE responsible_persons SET name = $4, phone = $5, email = $6, roles = $7::text[], region_code = $8, superior_id = $9, user_id = $10,
       active = $11, notes = $12, updated_at = now(), updated_by_name = $13, version = version + 1
     WHERE id = $1 AND region_code LIKE $2 AND ($3::integer IS NULL OR version = $3)`,
    [id, scopeLikePattern(scope), version, ...personValues(p), actor.name],
  );
  return r.affectedRows > 0;
}

export async function deletePerson(tx: Queryable, scope: RegionScope, id: number, version: number | null): Promise<boolean> {
  const r = await tx.query('DELETE FROM responsible_persons WHERE id = $1 AND region_code LIKE $2 AND ($3::integer IS NULL OR version = $3)', [id, scopeLikePattern(scope), version]);
  return r.affectedRows > 0;
}

/** How many warnings reached the person: their recipient rows keep the person on record. */
export async function countRecipientRows(db: Queryable, personId: number): Promise<number> {
  const r = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM warning_recipients WHERE person_id = $1', [personId]);
  return Number(r.rows[0].n);
}

export interface ChainLink {
  /** 0 for the person asked about, 1 for the direct superior, … */
  level: number;
  id: number;
  name: string;
  roles: RoleKey[];
  regionCode: string;
  regionName: string | null;
  active: boolean;
  /** Only for persons inside the caller's scope. */
  phone: string | null;
  inScope: boolean;
}

const MAX_CHAIN = 32;

/**
 * The person and their superiors upwards, nearest first. Superiors above the caller's region
 * (a county officer seen from a township) are named, without their phone.
 */
export async function chainOf(db: Queryable, scope: RegionScope, id: number): Promise<ChainLink[] | null> {
  const r = await db.query<Row>(
    `WITH RECURSIVE up(id, level, path) AS (
       SELECT p.id, 0, ARRAY[p.id] FROM responsible_persons p WHERE p.id = $1 AND p.region_code LIKE $2
       UNION ALL
       SELECT s.id, up.level + 1, up.path || s.id
       FROM up JOIN responsible_persons c ON c.id = up.id JOIN responsible_persons s ON s.id = c.superior_id
       WHERE NOT s.id = ANY(up.path) AND up.level < ${MAX_CHAIN}
     )
     SELECT up.level, p.id, p.name, p.roles, p.region_code AS "regionCode", (SELECT r.name FROM regions r WHERE r.code = p.region_code) AS "regionName",
       p.active, p.phone, p.region_code LIKE $2 AS "inScope"
     FROM up JOIN responsible_persons p ON p.id = up.id ORDER BY up.level`,
    [id, scopeLikePattern(scope)],
  );
  if (r.rows.length === 0) return null;
  return r.rows.map((row) => ({
    level: Number(row.level), id: Number(row.id), name: String(row.name), roles: row.roles as RoleKey[], regionCode: String(row.regionCode),
    regionName: (row.regionName as string | null) ?? null, active: Boolean(row.active), inScope: Boolean(row.inScope), phone: row.inScope ? String(row.phone) : null,
  }));
}

/**
 * The superior links above these persons, as they stand: id → superior id, for every person on
 * the way up (outside the scope too: a loop may pass through a county officer).
 */
export async function superiorLinksAbove(db: Queryable, ids: number[]): Promise<Map<number, { superiorId: number | null; name: string }>> {
  const out = new Map<number, { superiorId: number | null; name: string }>();
  if (ids.length === 0) return out;
  // UNION, not UNION ALL: a loop already in the table ends the walk instead of running forever.
  const r = await db.query<{ id: number; superior_id: number | null; name: string }>(
    `WITH RECURSIVE up(id) AS (
       SELECT unnest($1::bigint[])
       UNION
       SELECT p.superior_id FROM up JOIN responsible_persons p ON p.id = up.id WHERE p.superior_id IS NOT NULL
     )
     SELECT p.id, p.superior_id, p.name FROM up JOIN responsible_persons p ON p.id = up.id`,
    [ids],
  );
  for (const row of r.rows) out.set(Number(row.id), { superiorId: num(row.superior_id), name: row.name });
  return out;
}

/** Persons of the scope by id (superiors named in a request or an import). */
export async function findPersonsById(db: Queryable, scope: RegionScope, ids: number[]): Promise<PersonView[]> {
  if (ids.length === 0) return [];
  const r = await db.query<Row>(`${PERSON_SELECT} WHERE p.id = ANY($1::bigint[]) AND p.region_code LIKE $2`, [ids, scopeLikePattern(scope)]);
  return r.rows.map(toPerson);
}

/** The account a person may be linked to: a user of the scope, and which person (if any) it is linked to. */
export async function findLinkableUser(db: Queryable, scope: RegionScope, by: { id?: number; username?: string }): Promise<{ id: number; username: string; linkedPersonId: number | null } | null> {
  const r = await db.query<{ id: number; username: string; person: number | null }>(
    `SELECT u.id, u.username, (SELECT p.id FROM responsible_persons p WHERE p.user_id = u.id) AS person
     FROM users u WHERE (u.id = $1 OR u.username = $2) AND u.region_code LIKE $3`,
    [by.id ?? null, by.username ?? null, scopeLikePattern(scope)],
  );
  const row = r.rows[0];
  return row ? { id: Number(row.id), username: row.username, linkedPersonId: num(row.person) } : null;
}

// ---- assignments ----

export async function findAssignment(db: Queryable, scope: RegionScope, personId: number, id: number): Promise<AssignmentView | null> {
  const r = await db.query<Row>(`${ASSIGNMENT_SELECT} WHERE a.id = $1 AND a.person_id = $2 AND p.region_code LIKE $3`, [id, personId, scopeLikePattern(scope)]);
  return r.rows[0] ? toAssignment(r.rows[0]) : null;
}

export async function listAssignments(db: Queryable, scope: RegionScope, f: AssignmentFilter): Promise<Page<AssignmentView>> {
  const w = new Where();
  w.add((n) => `p.region_code LIKE ${n(scopeLikePattern(scope))}`);
  if (f.personId !== undefined) w.add((n) => `a.person_id = ${n(f.personId)}`);
  if (f.regionCode) w.add((n) => `a.region_code LIKE ${n(under(f.regionCode!))}`);
  if (f.kind) w.add((n) => `a.kind = ${n(f.kind)}`);
  if (f.category) w.add((n) => `a.category = ${n(f.category)}`);
  if (f.active !== undefined) w.add((n) => `a.active = ${n(f.active)}`);
  if (f.q) {
    w.add((n) => {
      const p = n(likeContains(f.q!));
      return `(a.name ILIKE ${p} OR p.name ILIKE ${p} OR p.phone LIKE ${p})`;
    });
  }
  const total = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM guardian_assignments a JOIN responsible_persons p ON p.id = a.person_id ${w}`, w.params);
  const params = [...w.params, f.limit, f.offset];
  const r = await db.query<Row>(`${ASSIGNMENT_SELECT} ${w} ORDER BY a.region_code, p.name, a.id LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { items: r.rows.map(toAssignment), total: Number(total.rows[0].n), limit: f.limit, offset: f.offset };
}

function assignmentValues(a: AssignmentRecord): unknown[] {
  return [a.kind, a.category, a.name, a.regionCode, a.lon, a.lat, a.people, a.ref, a.active, a.notes];
}

export async function insertAssignment(tx: Queryable, personId: number, a: AssignmentRecord, actor: Actor): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO guardian_assignments (person_id, kind, category, name, region_code, lon, lat, people, ref, active, notes, created_by_name, updated_by_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
    [personId, ...assignmentValues(a), actor.name],
  );
  return Number(r.rows[0].id);
}

export async function insertAssignments(tx: Queryable, rows: { personId: number; record: AssignmentRecord }[], actor: Actor): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const b = rows.slice(i, i + BATCH);
    const col = (k: keyof AssignmentRecord) => b.map((x) => x.record[k]);
    const r = await tx.query<{ id: number }>(
      `INSERT INTO guardian_assignments (person_id, kind, category, name, region_code, lon, lat, people, ref, active, notes, created_by_name, updated_by_name)
       SELECT t.pid, t.kind, t.cat, t.name, t.region, t.lon, t.lat, t.people, t.ref, t.active, t.notes, $12, $12
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::integer[], $9::text[], $10::boolean[], $11::text[])
         WITH ORDINALITY AS t(pid, kind, cat, name, region, lon, lat, people, ref, active, notes, ord)
       ORDER BY t.ord
       RETURNING id`,
      [b.map((x) => x.personId), col('kind'), col('category'), col('name'), col('regionCode'), col('lon'), col('lat'), col('people'), col('ref'), col('active'), col('notes'), actor.name],
    );
    ids.push(...r.rows.map((row) => Number(row.id)));
  }
  return ids;
}

export async function updateAssignment(tx: Queryable, scope: RegionScope, personId: number, id: number, version: number | null, a: AssignmentRecord, actor: Actor): Promise<boolean> {
  const r = await tx.query(
    `UPDATE guardian_assignments a SET kind = $5, category = $6, name = $7, region_code = $8, lon = $9, lat = $10, people = $11, ref = $12,
       active = $13, notes = $14, updated_at = now(), updated_by_name = $15, version = a.version + 1
     FROM responsible_persons p
     WHERE a.id = $1 AND a.person_id = $2 AND p.id = a.person_id AND p.region_code LIKE $3 AND ($4::integer IS NULL OR a.version = $4)`,
    [id, personId, scopeLikePattern(scope), version, ...assignmentValues(a), actor.name],
  );
  return r.affectedRows > 0;
}

export async function deleteAssignment(tx: Queryable, scope: RegionScope, personId: number, id: number, version: number | null): Promise<boolean> {
  const r = await tx.query(
    `DELETE FROM guardian_assignments a USING responsible_persons p
     WHERE a.id = $1 AND a.person_id = $2 AND p.id = a.person_id AND p.region_code LIKE $3 AND ($4::integer IS NULL OR a.version = $4)`,
    [id, personId, scopeLikePattern(scope), version],
  );
  return r.affectedRows > 0;
}

/** Assignments of the scope with these ids (imports in upsert mode). */
export async function findAssignmentsById(db: Queryable, scope: RegionScope, ids: number[]): Promise<AssignmentView[]> {
  if (ids.length === 0) return [];
  const r = await db.query<Row>(`${ASSIGNMENT_SELECT} WHERE a.id = ANY($1::bigint[]) AND p.region_code LIKE $2`, [ids, scopeLikePattern(scope)]);
  return r.rows.map(toAssignment);
}

/** Facts about regions named in requests: name and level, for the checks. */
export async function regionFacts(db: Queryable, codes: string[]): Promise<Map<string, { name: string; level: string }>> {
  if (codes.length === 0) return new Map();
  const r = await db.query<{ code: string; name: string; level: string }>('SELECT code, name, level FROM regions WHERE code = ANY($1::text[])', [codes]);
  return new Map(r.rows.map((row) => [row.code, { name: row.name, level: row.level }]));
}

/** Villages of a township inside the scope (the web's region picker goes below townships here). */
export async function villagesOf(db: Queryable, scope: RegionScope, township: string): Promise<{ code: string; name: string }[]> {
  const r = await db.query<{ code: string; name: string }>(
    `SELECT code, name FROM regions WHERE parent_code = $1 AND level = 'village' AND code LIKE $2 ORDER BY code`,
    [township, scopeLikePattern(scope)],
  );
  return r.rows;
}
