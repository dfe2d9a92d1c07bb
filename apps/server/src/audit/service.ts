import type { Queryable } from '@anlan/db';
import type { Clock, RegionScope } from '@anlan/core';
import type { Actor } from '../caller.ts';
import { GENESIS_HASH, hashAuditRecord, type AuditRecord } from './chain.ts';
import { insertAuditRow, listAudit, lockForAppend, readChainPage, countAudit, type AuditRow } from './store.ts';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string | number;
  /** The region the change belongs to; decides which administrators can read the entry. */
  regionCode: string;
  before?: unknown;
  after?: unknown;
}

/** Records a change inside the caller's transaction, so the change and its record commit together. */
export async function appendAudit(tx: Queryable, clock: Clock, actor: Actor, entry: AuditEntry): Promise<AuditRow> {
  const { prevHash, nextId } = await lockForAppend(tx);
  const record: AuditRecord = {
    id: nextId,
    // Millisecond precision, so the value read back from timestamptz hashes the same.
    at: new Date(Math.floor(clock.now().getTime())),
    actorId: actor.id,
    actorName: actor.name,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId === undefined ? null : String(entry.targetId),
    regionCode: entry.regionCode,
    ip: actor.ip,
    before: entry.before ?? null,
    after: entry.after ?? null,
    prevHash: prevHash ?? GENESIS_HASH,
  };
  const row = { ...record, hash: hashAuditRecord(record) };
  await insertAuditRow(tx, row);
  return row;
}

export function readAudit(db: Queryable, scope: RegionScope, limit: number, before: number | null): Promise<AuditRow[]> {
  return listAudit(db, scope, limit, before);
}

export type VerifyResult =
  | { ok: true; rows: number }
  | { ok: false; rows: number; brokenId: number; reason: string };

/** Walks the chain from the first row; reports the first row whose hash or link does not hold. */
export async function verifyAuditChain(db: Queryable, onProgress?: (checked: number, total: number) => void): Promise<VerifyResult> {
  const total = await countAudit(db);
  let prev = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const page = await readChainPage(db, lastId, 2000);
    if (page.length === 0) break;
    for (const row of page) {
      if (row.prevHash !== prev) {
        return { ok: false, rows: checked, brokenId: row.id, reason: 'prev_hash does not match the previous row (a row was removed or reordered)' };
      }
      const { hash, ...record } = row;
      if (hashAuditRecord(record) !== hash) {
        return { ok: false, rows: checked, brokenId: row.id, reason: 'hash does not match the row contents (the row was edited)' };
      }
      prev = hash;
      lastId = row.id;
      checked += 1;
    }
    onProgress?.(checked, total);
  }
  return { ok: true, rows: checked };
}
