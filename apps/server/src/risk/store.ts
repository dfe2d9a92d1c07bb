/**
 * All SQL of the enterprise and place registry and of the GB 18218 units. Every read and write is
 * filtered by the caller's region scope here; a unit's region is its enterprise's.
 */
import type { Queryable } from '@anlan/db';
import { scopeLikePattern, scopePrefix, type RegionScope } from '@anlan/core';
import type { Actor } from '../caller.ts';
import { DEPARTMENTS, INDUSTRIES, PLACE_KINDS, SCALES, UNIT_KINDS, termName, type UnitKindKey } from './catalogue.ts';
import type { Computation } from './gb18218/compute.ts';
import type { EnterpriseRecord, PersonRecord, PlaceRecord } from './validate.ts';

export interface Bookkeeping {
  id: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
  version: number;
}

export interface EnterpriseView extends EnterpriseRecord, Bookkeeping {
  industryName: string;
  departmentName: string;
  scaleName: string | null;
  regionName: string | null;
  installationCount: number;
  majorInstallationCount: number;
  /** The highest grade (1 is highest) among its major hazard installations; null when it has none. */
  topGrade: number | null;
}

export interface PlaceView extends PlaceRecord, Bookkeeping {
  kindName: string;
  regionName: string | null;
  /** Who registered it (kept when others edit it). */
  registeredBy: string;
  registeredById: number | null;
}

export interface StoredChemical {
  name: string | null;
  cas: string | null;
  quantityTonnes: number;
  hazardClasses: string[];
  betaClass: string | null;
}

export interface InstallationRecord {
  name: string;
  kind: UnitKindKey;
  exposedPopulation: number;
  notes: string | null;
  chemicals: StoredChemical[];
}

export interface InstallationView extends InstallationRecord, Bookkeeping {
  enterpriseId: number;
  enterpriseName: string;
  regionCode: string;
  kindName: string;
  s: number;
  r: number;
  major: boolean;
  grade: number | null;
  computation: Computation;
}

export interface EnterpriseFilter {
  regionCode?: string;
  industry?: string;
  department?: string;
  scale?: string;
  /** Substring of the name, the credit code or the address, case-insensitive. */
  q?: string;
  /** Only enterprises with (true) or without (false) a major hazard installation. */
  major?: boolean;
  bbox?: [number, number, number, number];
  limit: number;
  offset: number;
}

export interface PlaceFilter {
  regionCode?: string;
  kind?: string;
  q?: string;
  bbox?: [number, number, number, number];
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

const BATCH = 2000;

/** WHERE clauses and their parameters, numbered after the ones already taken. */
class Where {
  readonly clauses: string[] = [];
  constructor(readonly params: unknown[] = []) {}
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

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

// ---- enterprises ----

// Region names and counts are correlated lookups: the planner keeps to the primary keys.
const ENTERPRISE_SELECT = `SELECT e.id, e.name, e.uscc, e.industry, e.scale, e.address, e.lon, e.lat, e.region_code AS "regionCode",
  (SELECT r.name FROM regions r WHERE r.code = e.region_code) AS "regionName",
  e.department, e.notes,
  (SELECT coalesce(json_agg(json_build_object('role', p.role, 'name', p.name, 'phone', p.phone) ORDER BY p.position), '[]'::json)
     FROM risk_enterprise_persons p WHERE p.enterprise_id = e.id) AS persons,
  (SELECT count(*) FROM risk_installations i WHERE i.enterprise_id = e.id) AS "installationCount",
  (SELECT count(*) FROM risk_installations i WHERE i.enterprise_id = e.id AND i.major) AS "majorInstallationCount",
  (SELECT min(i.grade) FROM risk_installations i WHERE i.enterprise_id = e.id AND i.major) AS "topGrade",
  e.created_at AS "createdAt", e.created_by_name AS "createdBy", e.updated_at AS "updatedAt", e.updated_by_name AS "updatedBy", e.version
  FROM risk_enterprises e`;

type EnterpriseRow = Omit<EnterpriseView, 'industryName' | 'departmentName' | 'scaleName' | 'persons'> & { persons: PersonRecord[] | string };

function toEnterprise(r: EnterpriseRow): EnterpriseView {
  const persons = typeof r.persons === 'string' ? (JSON.parse(r.persons) as PersonRecord[]) : r.persons;
  return {
    ...r,
    id: Number(r.id),
    lon: num(r.lon),
    lat: num(r.lat),
    persons: persons.map((p) => ({ role: p.role, name: p.name, phone: p.phone })),
    installationCount: Number(r.installationCount),
    majorInstallationCount: Number(r.majorInstallationCount),
    topGrade: num(r.topGrade),
    version: Number(r.version),
    industryName: termName(INDUSTRIES, r.industry)!,
    departmentName: termName(DEPARTMENTS, r.department)!,
    scaleName: termName(SCALES, r.scale),
  };
}

export async function findEnterprise(db: Queryable, scope: RegionScope, id: number): Promise<EnterpriseView | null> {
  const r = await db.query<EnterpriseRow>(`${ENTERPRISE_SELECT} WHERE e.id = $1 AND e.region_code LIKE $2`, [id, scopeLikePattern(scope)]);
  return r.rows[0] ? toEnterprise(r.rows[0]) : null;
}

/** The enterprise holding a credit code, anywhere: codes are unique across the country. */
export async function findByUscc(db: Queryable, codes: string[], exceptId: number | null = null): Promise<{ id: number; uscc: string; name: string; regionCode: string }[]> {
  if (codes.length === 0) return [];
  const r = await db.query<{ id: number; uscc: string; name: string; regionCode: string }>(
    'SELECT id, uscc, name, region_code AS "regionCode" FROM risk_enterprises WHERE uscc = ANY($1::text[]) AND ($2::bigint IS NULL OR id <> $2)',
    [codes, exceptId],
  );
  return r.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** Enterprises of the scope with these credit codes (imports that update). */
export async function findEnterprisesByUscc(db: Queryable, scope: RegionScope, codes: string[]): Promise<EnterpriseView[]> {
  if (codes.length === 0) return [];
  const r = await db.query<EnterpriseRow>(`${ENTERPRISE_SELECT} WHERE e.uscc = ANY($1::text[]) AND e.region_code LIKE $2`, [codes, scopeLikePattern(scope)]);
  return r.rows.map(toEnterprise);
}

function enterpriseWhere(scope: RegionScope, f: Omit<EnterpriseFilter, 'limit' | 'offset'>): Where {
  const w = new Where();
  w.add((n) => `e.region_code LIKE ${n(scopeLikePattern(scope))}`);
  if (f.regionCode) w.add((n) => `e.region_code LIKE ${n(`${scopePrefix(f.regionCode!)}%`)}`);
  if (f.industry) w.add((n) => `e.industry = ${n(f.industry)}`);
  if (f.department) w.add((n) => `e.department = ${n(f.department)}`);
  if (f.scale) w.add((n) => `e.scale = ${n(f.scale)}`);
  if (f.q) {
    w.add((n) => {
      const p = n(likeContains(f.q!));
      return `(e.name ILIKE ${p} OR e.uscc ILIKE ${p} OR e.address ILIKE ${p})`;
    });
  }
  if (f.major !== undefined) w.add(() => `${f.major ? '' : 'NOT '}EXISTS (SELECT 1 FROM risk_installations i WHERE i.enterprise_id = e.id AND i.major)`);
  if (f.bbox) w.add((n) => `e.geom && ST_MakeEnvelope(${n(f.bbox![0])}, ${n(f.bbox![1])}, ${n(f.bbox![2])}, ${n(f.bbox![3])}, 4326)`);
  return w;
}

export async function listEnterprises(db: Queryable, scope: RegionScope, f: EnterpriseFilter): Promise<Page<EnterpriseView>> {
  const w = enterpriseWhere(scope, f);
  const total = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM risk_enterprises e ${w}`, w.params);
  const params = [...w.params, f.limit, f.offset];
  const r = await db.query<EnterpriseRow>(`${ENTERPRISE_SELECT} ${w} ORDER BY e.region_code, e.name, e.id LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { items: r.rows.map(toEnterprise), total: Number(total.rows[0].n), limit: f.limit, offset: f.offset };
}

function enterpriseValues(e: EnterpriseRecord): unknown[] {
  return [e.name, e.uscc, e.industry, e.scale, e.address, e.lon, e.lat, e.regionCode, e.department, e.notes];
}

async function writePersons(tx: Queryable, rows: { enterpriseId: number; persons: PersonRecord[] }[]): Promise<void> {
  const flat = rows.flatMap((r) => r.persons.map((p, i) => ({ enterpriseId: r.enterpriseId, ...p, position: i })));
  for (let i = 0; i < flat.length; i += BATCH) {
    const b = flat.slice(i, i + BATCH);
    await tx.query(
      `INSERT INTO risk_enterprise_persons (enterprise_id, role, name, phone, position)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::integer[])`,
      [b.map((p) => p.enterpriseId), b.map((p) => p.role), b.map((p) => p.name), b.map((p) => p.phone), b.map((p) => p.position)],
    );
  }
}

/** Many enterprises in a few statements (imports, the demo): row-at-a-time inserts are slow on the embedded database. */
export async function insertEnterprises(tx: Queryable, list: EnterpriseRecord[], actor: Actor): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < list.length; i += BATCH) {
    const b = list.slice(i, i + BATCH);
    const col = (k: number) => b.map((e) => enterpriseValues(e)[k]);
    const r = await tx.query<{ id: number }>(
      `INSERT INTO risk_enterprises (name, uscc, industry, scale, address, lon, lat, region_code, department, notes,
         created_by, created_by_name, updated_by, updated_by_name)
       SELECT t.a, t.b, t.c, t.d, t.e, t.f, t.g, t.h, t.i, t.j, $11::bigint, $12::text, $11::bigint, $12::text
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS t(a, b, c, d, e, f, g, h, i, j, ord)
       ORDER BY t.ord
       RETURNING id`,
      [...Array.from({ length: 10 }, (_, k) => col(k)), actor.id, actor.name],
    );
    const batchIds = r.rows.map((row) => Number(row.id));
    ids.push(...batchIds);
    await writePersons(tx, b.map((e, k) => ({ enterpriseId: batchIds[k], persons: e.persons })));
  }
  return ids;
}

export async function insertEnterprise(tx: Queryable, e: EnterpriseRecord, actor: Actor): Promise<number> {
  return (await insertEnterprises(tx, [e], actor))[0];
}

/** Writes the enterprise if it is still at `version` (null: whatever it is); false when it was not. */
export async function updateEnterprise(tx: Queryable, scope: RegionScope, id: number, version: number | null, e: EnterpriseRecord, actor: Actor): Promise<boolean> {
  const r = await tx.query(
    `UPDATE risk_enterprises SET name = $4, uscc = $5, industry = $6, scale = $7, address = $8, lon = $9, lat = $10, region_code = $11,
       department = $12, notes = $13, updated_at = now(), updated_by = $14, updated_by_name = $15, version = version + 1
     WHERE id = $1 AND region_code LIKE $2 AND ($3::integer IS NULL OR version = $3)`,
    [id, scopeLikePattern(scope), version, ...enterpriseValues(e), actor.id, actor.name],
  );
  if (r.affectedRows === 0) return false;
  await tx.query('DELETE FROM risk_enterprise_persons WHERE enterprise_id = $1', [id]);
  await writePersons(tx, [{ enterpriseId: id, persons: e.persons }]);
  return true;
}

export async function deleteEnterprise(tx: Queryable, scope: RegionScope, id: number, version: number | null): Promise<boolean> {
  const r = await tx.query('DELETE FROM risk_enterprises WHERE id = $1 AND region_code LIKE $2 AND ($3::integer IS NULL OR version = $3)', [id, scopeLikePattern(scope), version]);
  return r.affectedRows > 0;
}

/** The county whose boundary holds the point (to place an enterprise given only coordinates). */
export async function countyAt(db: Queryable, lon: number, lat: number): Promise<{ code: string; name: string } | null> {
  const r = await db.query<{ code: string; name: string }>(
    `SELECT r.code, r.name FROM region_boundaries b JOIN regions r ON r.code = b.code
     WHERE r.level = 'county' AND ST_Intersects(b.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
     ORDER BY r.code LIMIT 1`,
    [lon, lat],
  );
  return r.rows[0] ?? null;
}

// ---- places ----

const PLACE_SELECT = `SELECT p.id, p.name, p.kind, p.address, p.lon, p.lat, p.region_code AS "regionCode",
  (SELECT r.name FROM regions r WHERE r.code = p.region_code) AS "regionName",
  p.operator_name AS "operatorName", p.operator_phone AS "operatorPhone", p.notes,
  p.created_by AS "registeredById", p.created_by_name AS "registeredBy",
  p.created_at AS "createdAt", p.created_by_name AS "createdBy", p.updated_at AS "updatedAt", p.updated_by_name AS "updatedBy", p.version
  FROM risk_places p`;

type PlaceRow = Omit<PlaceView, 'kindName'>;

function toPlace(r: PlaceRow): PlaceView {
  return {
    ...r, id: Number(r.id), lon: num(r.lon), lat: num(r.lat), registeredById: num(r.registeredById), version: Number(r.version),
    kindName: termName(PLACE_KINDS, r.kind)!,
  };
}

export async function findPlace(db: Queryable, scope: RegionScope, id: number): Promise<PlaceView | null> {
  const r = await db.query<PlaceRow>(`${PLACE_SELECT} WHERE p.id = $1 AND p.region_code LIKE $2`, [id, scopeLikePattern(scope)]);
  return r.rows[0] ? toPlace(r.rows[0]) : null;
}

export async function listPlaces(db: Queryable, scope: RegionScope, f: PlaceFilter): Promise<Page<PlaceView>> {
  const w = new Where();
  w.add((n) => `p.region_code LIKE ${n(scopeLikePattern(scope))}`);
  if (f.regionCode) w.add((n) => `p.region_code LIKE ${n(`${scopePrefix(f.regionCode!)}%`)}`);
  if (f.kind) w.add((n) => `p.kind = ${n(f.kind)}`);
  if (f.q) {
    w.add((n) => {
      const p = n(likeContains(f.q!));
      return `(p.name ILIKE ${p} OR p.address ILIKE ${p} OR p.operator_name ILIKE ${p})`;
    });
  }
  if (f.bbox) w.add((n) => `p.geom && ST_MakeEnvelope(${n(f.bbox![0])}, ${n(f.bbox![1])}, ${n(f.bbox![2])}, ${n(f.bbox![3])}, 4326)`);
  const total = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM risk_places p ${w}`, w.params);
  const params = [...w.params, f.limit, f.offset];
  const r = await db.query<PlaceRow>(`${PLACE_SELECT} ${w} ORDER BY p.region_code, p.name, p.id LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { items: r.rows.map(toPlace), total: Number(total.rows[0].n), limit: f.limit, offset: f.offset };
}

function placeValues(p: PlaceRecord): unknown[] {
  return [p.name, p.kind, p.address, p.lon, p.lat, p.regionCode, p.operatorName, p.operatorPhone, p.notes];
}

export async function insertPlaces(tx: Queryable, list: PlaceRecord[], actor: Actor): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < list.length; i += BATCH) {
    const b = list.slice(i, i + BATCH);
    const col = (k: number) => b.map((p) => placeValues(p)[k]);
    const r = await tx.query<{ id: number }>(
      `INSERT INTO risk_places (name, kind, address, lon, lat, region_code, operator_name, operator_phone, notes,
         created_by, created_by_name, updated_by, updated_by_name)
       SELECT t.a, t.b, t.c, t.d, t.e, t.f, t.g, t.h, t.i, $10::bigint, $11::text, $10::bigint, $11::text
       FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS t(a, b, c, d, e, f, g, h, i, ord)
       ORDER BY t.ord
       RETURNING id`,
      [...Array.from({ length: 9 }, (_, k) => col(k)), actor.id, actor.name],
    );
    ids.push(...r.rows.map((row) => Number(row.id)));
  }
  return ids;
}

export async function insertPlace(tx: Queryable, p: PlaceRecord, actor: Actor): Promise<number> {
  return (await insertPlaces(tx, [p], actor))[0];
}

export async function updatePlace(tx: Queryable, scope: RegionScope, id: number, version: number | null, p: PlaceRecord, actor: Actor): Promise<boolean> {
  const r = await tx.query(
    `UPDATE risk_places SET name = $4, kind = $5, address = $6, lon = $7, lat = $8, region_code = $9, operator_name = $10,
       operator_phone = $11, notes = $12, updated_at = now(), updated_by = $13, updated_by_name = $14, version = version + 1
     WHERE id = $1 AND region_code LIKE $2 AND ($3::integer IS NULL OR version = $3)`,
    [id, scopeLikePattern(scope), version, ...placeValues(p), actor.id, actor.name],
  );
  return r.affectedRows > 0;
}

export async function deletePlace(tx: Queryable, scope: RegionScope, id: number, version: number | null): Promise<boolean> {
  const r = await tx.query('DELETE FROM risk_places WHERE id = $1 AND region_code LIKE $2 AND ($3::integer IS NULL OR version = $3)', [id, scopeLikePattern(scope), version]);
  return r.affectedRows > 0;
}

// ---- installations (GB 18218 units) ----

const INSTALLATION_SELECT = `SELECT i.id, i.enterprise_id AS "enterpriseId", e.name AS "enterpriseName", e.region_code AS "regionCode",
  i.name, i.kind, i.exposed_population AS "exposedPopulation", i.notes, i.s, i.r, i.major, i.grade, i.computation,
  (SELECT coalesce(json_agg(json_build_object('name', c.name, 'cas', c.cas, 'quantityTonnes', c.quantity_tonnes,
      'hazardClasses', c.hazard_classes, 'betaClass', c.beta_class) ORDER BY c.position), '[]'::json)
     FROM risk_installation_chemicals c WHERE c.installation_id = i.id) AS chemicals,
  i.created_at AS "createdAt", i.created_by_name AS "createdBy", i.updated_at AS "updatedAt", i.updated_by_name AS "updatedBy", i.version
  FROM risk_installations i JOIN risk_enterprises e ON e.id = i.enterprise_id`;

type InstallationRow = Omit<InstallationView, 'kindName' | 'chemicals' | 'computation'> & { chemicals: StoredChemical[] | string; computation: Computation | string };

function toInstallation(r: InstallationRow): InstallationView {
  const chemicals = typeof r.chemicals === 'string' ? (JSON.parse(r.chemicals) as StoredChemical[]) : r.chemicals;
  return {
    ...r,
    id: Number(r.id),
    enterpriseId: Number(r.enterpriseId),
    exposedPopulation: Number(r.exposedPopulation),
    s: Number(r.s),
    r: Number(r.r),
    grade: num(r.grade),
    version: Number(r.version),
    computation: typeof r.computation === 'string' ? (JSON.parse(r.computation) as Computation) : r.computation,
    chemicals: chemicals.map((c) => ({ name: c.name, cas: c.cas, quantityTonnes: Number(c.quantityTonnes), hazardClasses: c.hazardClasses ?? [], betaClass: c.betaClass })),
    kindName: termName(UNIT_KINDS, r.kind)!,
  };
}

export async function findInstallation(db: Queryable, scope: RegionScope, enterpriseId: number, id: number): Promise<InstallationView | null> {
  const r = await db.query<InstallationRow>(`${INSTALLATION_SELECT} WHERE i.id = $1 AND i.enterprise_id = $2 AND e.region_code LIKE $3`, [id, enterpriseId, scopeLikePattern(scope)]);
  return r.rows[0] ? toInstallation(r.rows[0]) : null;
}

export async function listInstallations(db: Queryable, scope: RegionScope, enterpriseId: number): Promise<InstallationView[]> {
  const r = await db.query<InstallationRow>(`${INSTALLATION_SELECT} WHERE i.enterprise_id = $1 AND e.region_code LIKE $2 ORDER BY i.major DESC, i.grade NULLS LAST, i.name, i.id`, [
    enterpriseId,
    scopeLikePattern(scope),
  ]);
  return r.rows.map(toInstallation);
}

async function writeChemicals(tx: Queryable, installationId: number, chemicals: StoredChemical[]): Promise<void> {
  await tx.query(
    `INSERT INTO risk_installation_chemicals (installation_id, position, name, cas, quantity_tonnes, hazard_classes, beta_class)
     SELECT $1, t.ord - 1, t.n, t.c, t.q, CASE WHEN t.h = '' THEN '{}'::text[] ELSE string_to_array(t.h, ',') END, t.b
     FROM unnest($2::text[], $3::text[], $4::float8[], $5::text[], $6::text[]) WITH ORDINALITY AS t(n, c, q, h, b, ord)`,
    [installationId, chemicals.map((c) => c.name), chemicals.map((c) => c.cas), chemicals.map((c) => c.quantityTonnes), chemicals.map((c) => c.hazardClasses.join(',')), chemicals.map((c) => c.betaClass)],
  );
}

function resultValues(c: Computation): unknown[] {
  return [c.s, c.r, c.major, c.grade, JSON.stringify(c)];
}

export async function insertInstallation(tx: Queryable, enterpriseId: number, rec: InstallationRecord, c: Computation, actor: Actor): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO risk_installations (enterprise_id, name, kind, exposed_population, notes, s, r, major, grade, computation,
       created_by, created_by_name, updated_by, updated_by_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $11, $12) RETURNING id`,
    [enterpriseId, rec.name, rec.kind, rec.exposedPopulation, rec.notes, ...resultValues(c), actor.id, actor.name],
  );
  const id = Number(r.rows[0].id);
  await writeChemicals(tx, id, rec.chemicals);
  return id;
}

export async function updateInstallation(
  tx: Queryable, scope: RegionScope, enterpriseId: number, id: number, version: number | null, rec: InstallationRecord, c: Computation, actor: Actor,
): Promise<boolean> {
  const r = await tx.query(
    `UPDATE risk_installations i SET name = $5, kind = $6, exposed_population = $7, notes = $8, s = $9, r = $10, major = $11, grade = $12,
       computation = $13::jsonb, updated_at = now(), updated_by = $14, updated_by_name = $15, version = i.version + 1
     FROM risk_enterprises e
     WHERE i.id = $1 AND i.enterprise_id = $2 AND e.id = i.enterprise_id AND e.region_code LIKE $3 AND ($4::integer IS NULL OR i.version = $4)`,
    [id, enterpriseId, scopeLikePattern(scope), version, rec.name, rec.kind, rec.exposedPopulation, rec.notes, ...resultValues(c), actor.id, actor.name],
  );
  if (r.affectedRows === 0) return false;
  await tx.query('DELETE FROM risk_installation_chemicals WHERE installation_id = $1', [id]);
  await writeChemicals(tx, id, rec.chemicals);
  return true;
}

export async function deleteInstallation(tx: Queryable, scope: RegionScope, enterpriseId: number, id: number, version: number | null): Promise<boolean> {
  const r = await tx.query(
    `DELETE FROM risk_installations i USING risk_enterprises e
     WHERE i.id = $1 AND i.enterprise_id = $2 AND e.id = i.enterprise_id AND e.region_code LIKE $3 AND ($4::integer IS NULL OR i.version = $4)`,
    [id, enterpriseId, scopeLikePattern(scope), version],
  );
  return r.affectedRows > 0;
}

/** Removes the units of an enterprise (deleting it with cascade); returns what was removed. */
export async function deleteInstallationsOf(tx: Queryable, enterpriseId: number): Promise<{ id: number; name: string }[]> {
  const r = await tx.query<{ id: number; name: string }>('DELETE FROM risk_installations WHERE enterprise_id = $1 RETURNING id, name', [enterpriseId]);
  return r.rows.map((row) => ({ id: Number(row.id), name: row.name }));
}

// ---- the map ----

export interface MapEnterprise {
  id: number;
  name: string;
  industry: string;
  lon: number;
  lat: number;
  regionCode: string;
  topGrade: number | null;
  major: boolean;
}

export interface MapPlace {
  id: number;
  name: string;
  kind: string;
  lon: number;
  lat: number;
  regionCode: string;
}

/** Enterprises and places with coordinates, for the map: a few fields each, many rows. */
export async function mapFeatures(
  db: Queryable,
  scope: RegionScope,
  f: { regionCode?: string; industry?: string; kind?: string; limit: number },
): Promise<{ enterprises: MapEnterprise[]; places: MapPlace[]; truncated: boolean }> {
  const w = enterpriseWhere(scope, { regionCode: f.regionCode, industry: f.industry });
  w.add(() => 'e.geom IS NOT NULL');
  const params = [...w.params, f.limit + 1];
  const e = await db.query<MapEnterprise>(
    `SELECT e.id, e.name, e.industry, e.lon, e.lat, e.region_code AS "regionCode",
       (SELECT min(i.grade) FROM risk_installations i WHERE i.enterprise_id = e.id AND i.major) AS "topGrade"
     FROM risk_enterprises e ${w} ORDER BY e.id LIMIT $${params.length}`,
    params,
  );
  const pw = new Where();
  pw.add((n) => `p.region_code LIKE ${n(scopeLikePattern(scope))}`);
  if (f.regionCode) pw.add((n) => `p.region_code LIKE ${n(`${scopePrefix(f.regionCode!)}%`)}`);
  if (f.kind) pw.add((n) => `p.kind = ${n(f.kind)}`);
  pw.add(() => 'p.geom IS NOT NULL');
  const pparams = [...pw.params, f.limit + 1];
  const p = f.industry
    ? { rows: [] as MapPlace[] }
    : await db.query<MapPlace>(`SELECT p.id, p.name, p.kind, p.lon, p.lat, p.region_code AS "regionCode" FROM risk_places p ${pw} ORDER BY p.id LIMIT $${pparams.length}`, pparams);
  const truncated = e.rows.length > f.limit || p.rows.length > f.limit;
  return {
    enterprises: e.rows.slice(0, f.limit).map((r) => {
      const topGrade = num(r.topGrade);
      return { id: Number(r.id), name: r.name, industry: r.industry, lon: Number(r.lon), lat: Number(r.lat), regionCode: r.regionCode, topGrade, major: topGrade !== null };
    }),
    places: p.rows.slice(0, f.limit).map((r) => ({ id: Number(r.id), name: r.name, kind: r.kind, lon: Number(r.lon), lat: Number(r.lat), regionCode: r.regionCode })),
    truncated,
  };
}
