import type { Queryable } from '@anlan/db';
import { NATIONAL_CODE, scopeLikePattern, type RegionScope, type Role } from '@anlan/core';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  regionCode: string;
  regionName: string | null;
  enabled: boolean;
  createdAt: Date;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

// The region name is a correlated lookup, not a join: without statistics on a young users table
// the planner would hash-join all 46,000 regions for every listing.
const SELECT = `SELECT u.id, u.username, u.display_name AS "displayName", u.role, u.region_code AS "regionCode",
  (SELECT r.name FROM regions r WHERE r.code = u.region_code) AS "regionName", u.enabled, u.created_at AS "createdAt",
  u.password_hash AS "passwordHash"
  FROM users u`;

function toUser(row: UserWithSecret): User {
  const { passwordHash: _secret, ...user } = row;
  return { ...user, id: Number(user.id) };
}

/** For login only: finds an account by name regardless of scope. */
export async function findUserForLogin(db: Queryable, username: string): Promise<UserWithSecret | null> {
  const r = await db.query<UserWithSecret>(`${SELECT} WHERE u.username = $1`, [username]);
  const row = r.rows[0];
  return row ? { ...row, id: Number(row.id) } : null;
}

export async function findUserSecret(db: Queryable, scope: RegionScope, id: number): Promise<UserWithSecret | null> {
  const r = await db.query<UserWithSecret>(`${SELECT} WHERE u.id = $1 AND u.region_code LIKE $2`, [id, scopeLikePattern(scope)]);
  const row = r.rows[0];
  return row ? { ...row, id: Number(row.id) } : null;
}

export async function findUser(db: Queryable, scope: RegionScope, id: number): Promise<User | null> {
  const row = await findUserSecret(db, scope, id);
  return row ? toUser(row) : null;
}

export async function listUsers(db: Queryable, scope: RegionScope): Promise<User[]> {
  const r = await db.query<UserWithSecret>(`${SELECT} WHERE u.region_code LIKE $1 ORDER BY u.region_code, u.username`, [scopeLikePattern(scope)]);
  return r.rows.map(toUser);
}

export async function usernameTaken(db: Queryable, username: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM users WHERE username = $1', [username]);
  return r.rows.length > 0;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  displayName: string;
  role: Role;
  regionCode: string;
  isDemo?: boolean;
}

export async function insertUser(tx: Queryable, u: NewUser): Promise<number> {
  const r = await tx.query<{ id: number }>(
    `INSERT INTO users (username, password_hash, display_name, role, region_code, is_demo)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [u.username, u.passwordHash, u.displayName, u.role, u.regionCode, u.isDemo ?? false],
  );
  return Number(r.rows[0].id);
}

export interface UserPatch {
  displayName?: string;
  role?: Role;
  regionCode?: string;
  enabled?: boolean;
}

export async function updateUser(tx: Queryable, scope: RegionScope, id: number, patch: UserPatch): Promise<boolean> {
  const r = await tx.query(
    `UPDATE users SET
       display_name = COALESCE($3, display_name),
       role = COALESCE($4, role),
       region_code = COALESCE($5, region_code),
       enabled = COALESCE($6, enabled),
       updated_at = now()
     WHERE id = $1 AND region_code LIKE $2`,
    [id, scopeLikePattern(scope), patch.displayName ?? null, patch.role ?? null, patch.regionCode ?? null, patch.enabled ?? null],
  );
  return r.affectedRows > 0;
}

export async function setPasswordHash(tx: Queryable, scope: RegionScope, id: number, hash: string): Promise<boolean> {
  const r = await tx.query(
    'UPDATE users SET password_hash = $3, password_changed_at = now(), updated_at = now() WHERE id = $1 AND region_code LIKE $2',
    [id, scopeLikePattern(scope), hash],
  );
  return r.affectedRows > 0;
}

/** National administrators that can still log in: the system must always keep one. */
export async function countActiveNationalAdmins(tx: Queryable): Promise<number> {
  const r = await tx.query<{ n: number | string }>(
    "SELECT count(*) AS n FROM users WHERE role = 'admin' AND enabled AND region_code = $1",
    [NATIONAL_CODE],
  );
  return Number(r.rows[0].n);
}

export async function countUsers(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number | string }>('SELECT count(*) AS n FROM users');
  return Number(r.rows[0].n);
}

export async function deleteDemoUsers(tx: Queryable): Promise<number> {
  const r = await tx.query('DELETE FROM users WHERE is_demo');
  return r.affectedRows;
}
