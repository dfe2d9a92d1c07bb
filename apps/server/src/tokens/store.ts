import type { Queryable } from '@anlan/db';
import { scopeLikePattern, type RegionScope } from '@anlan/core';

export interface ApiToken {
  id: number;
  name: string;
  regionCode: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function insertToken(tx: Queryable, t: { name: string; hash: string; regionCode: string; createdBy: number | null }): Promise<number> {
  const r = await tx.query<{ id: number }>(
    'INSERT INTO api_tokens (name, token_hash, region_code, created_by) VALUES ($1, $2, $3, $4) RETURNING id',
    [t.name, t.hash, t.regionCode, t.createdBy],
  );
  return Number(r.rows[0].id);
}

const SELECT = `SELECT t.id, t.name, t.region_code AS "regionCode", t.created_at AS "createdAt", u.username AS "createdBy",
  t.last_used_at AS "lastUsedAt", t.revoked_at AS "revokedAt" FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by`;

export async function listTokens(db: Queryable, scope: RegionScope): Promise<ApiToken[]> {
  const r = await db.query<ApiToken>(`${SELECT} WHERE t.region_code LIKE $1 ORDER BY t.id DESC`, [scopeLikePattern(scope)]);
  return r.rows.map((t) => ({ ...t, id: Number(t.id) }));
}

export async function findToken(db: Queryable, scope: RegionScope, id: number): Promise<ApiToken | null> {
  const r = await db.query<ApiToken>(`${SELECT} WHERE t.id = $1 AND t.region_code LIKE $2`, [id, scopeLikePattern(scope)]);
  const t = r.rows[0];
  return t ? { ...t, id: Number(t.id) } : null;
}

export async function revokeToken(tx: Queryable, scope: RegionScope, id: number, at: Date): Promise<boolean> {
  const r = await tx.query('UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND region_code LIKE $2 AND revoked_at IS NULL', [
    id,
    scopeLikePattern(scope),
    at,
  ]);
  return r.affectedRows > 0;
}

export async function findActiveToken(db: Queryable, hash: string): Promise<{ id: number; name: string; regionCode: string } | null> {
  const r = await db.query<{ id: number; name: string; regionCode: string }>(
    'SELECT id, name, region_code AS "regionCode" FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [hash],
  );
  const t = r.rows[0];
  return t ? { ...t, id: Number(t.id) } : null;
}

/** Records use at most once a minute, so a device posting every second does not write every time. */
export async function touchToken(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query(
    "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')",
    [id, now],
  );
}
