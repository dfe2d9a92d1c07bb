import type { Queryable } from '@anlan/db';
import { isRegionCodeShape, isWithinScope, type FieldError, type RegionScope } from '@anlan/core';

/**
 * Checks that a region code given in a request names a known region inside the caller's scope;
 * returns a field error otherwise. Used wherever a record is assigned to a region.
 */
export async function checkAssignableRegion(db: Queryable, scope: RegionScope, code: string, field = 'regionCode'): Promise<FieldError | null> {
  if (!isRegionCodeShape(code)) return { field, message: 'must be a GB/T 2260 code of 6, 9 or 12 digits' };
  if (!isWithinScope(code, scope.code)) return { field, message: `region ${code} is outside your scope` };
  const r = await db.query('SELECT 1 FROM regions WHERE code = $1', [code]);
  if (r.rows.length === 0) return { field, message: `unknown region code ${code}` };
  return null;
}
