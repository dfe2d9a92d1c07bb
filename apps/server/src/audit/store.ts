import type { Queryable } from '@anlan/db';
import { scopeLikePattern, type RegionScope } from '@anlan/core';
import type { AuditRecord } from './chain.ts';

export interface AuditRow extends AuditRecord {
  hash: string;
}

const COLUMNS = `id, at, actor_id AS "actorId", actor_name AS "actorName", action, target_type AS "targetType",
  target_id AS "targetId", region_code AS "regionCode", ip, before, after, prev_hash AS "prevHash", hash`;

/** Appends are serialised by a table lock so that two writers never link to the same predecessor. */
export async function lockForAppend(tx: Queryable): Promise<{ prevHash: string | null; nextId: number }> {
  await tx.query('LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE');
  const last = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const next = await tx.query<{ id: string | number }>("SELECT nextval('audit_log_id_seq') AS id");
  return { prevHash: last.rows[0]?.hash ?? null, nextId: Number(next.rows[0].id) };
}

export async function insertAuditRow(tx: Queryable, r: AuditRow): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (id, at, actor_id, actor_name, action, target_type, target_id, region_code, ip, before, after, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      r.id,
      r.at,
      r.actorId,
      r.actorName,
      r.action,
      r.targetType,
      r.targetId,
      r.regionCode,
      r.ip,
      r.before === undefined || r.before === null ? null : JSON.stringify(r.before),
      r.after === undefined || r.after === null ? null : JSON.stringify(r.after),
      r.prevHash,
      r.hash,
    ],
  );
}

export async function listAudit(db: Queryable, scope: RegionScope, limit: number, before: number | null): Promise<AuditRow[]> {
  const r = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_log
     WHERE region_code LIKE $1 AND ($2::bigint IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [scopeLikePattern(scope), before, limit],
  );
  return r.rows.map(normalise);
}

/** The whole chain in id order, a page at a time, for verification. */
export async function readChainPage(db: Queryable, afterId: number, pageSize: number): Promise<AuditRow[]> {
  const r = await db.query<AuditRow>(`SELECT ${COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, pageSize]);
  return r.rows.map(normalise);
}

export async function countAudit(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number | string }>('SELECT count(*) AS n FROM audit_log');
  return Number(r.rows[0].n);
}

function normalise(r: AuditRow): AuditRow {
  return { ...r, id: Number(r.id), actorId: r.actorId === null ? null : Number(r.actorId), at: new Date(r.at) };
}
