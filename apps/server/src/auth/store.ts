import type { Queryable } from '@anlan/db';
import type { Role } from '@anlan/core';

export interface SessionRow {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  regionCode: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function insertSession(tx: Queryable, s: { idHash: string; userId: number; csrfToken: string; ip: string; expiresAt: Date }): Promise<void> {
  await tx.query('INSERT INTO sessions (id_hash, user_id, csrf_token, ip, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    s.idHash,
    s.userId,
    s.csrfToken,
    s.ip,
    s.expiresAt,
  ]);
}

/** A live session of an enabled user, or null. */
export async function findSession(db: Queryable, idHash: string, now: Date): Promise<SessionRow | null> {
  const r = await db.query<SessionRow>(
    `SELECT s.user_id AS "userId", u.username, u.display_name AS "displayName", u.role, u.region_code AS "regionCode",
            s.csrf_token AS "csrfToken", s.expires_at AS "expiresAt"
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.enabled`,
    [idHash, now],
  );
  const row = r.rows[0];
  return row ? { ...row, userId: Number(row.userId) } : null;
}

export async function deleteSession(tx: Queryable, idHash: string): Promise<void> {
  await tx.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
}

export async function deleteUserSessions(tx: Queryable, userId: number, exceptHash?: string): Promise<void> {
  await tx.query('DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2', [userId, exceptHash ?? '']);
}

export async function deleteExpiredSessions(db: Queryable, now: Date): Promise<number> {
  const r = await db.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
  return r.affectedRows;
}
