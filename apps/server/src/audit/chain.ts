import { createHash } from 'node:crypto';
import { canonicalJson } from '@anlan/core';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit row that the hash covers: all of them but the hash itself. */
export interface AuditRecord {
  id: number;
  at: Date;
  actorId: number | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  regionCode: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
}

export function hashAuditRecord(r: AuditRecord): string {
  const payload = canonicalJson({ ...r, at: r.at.toISOString() });
  return createHash('sha256').update(r.prevHash).update(payload).digest('hex');
}
