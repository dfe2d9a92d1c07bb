/**
 * Building inventories a city uploads (CSV or GeoJSON, one row per building), validated row by
 * row, kept as a columnar file for fast assessments. Rows outside the uploader's region scope are
 * rejected like any other bad row, so an inventory never reaches beyond its owner's area.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, ValidationError, isWithinScope, scopeLikePattern, type Clock, type RegionScope } from '@anlan/core';
import type { Database, Queryable } from '@anlan/db';
import { parseInventory, readExposureCacheShared, writeExposureCache, type ExposureColumns, type InventoryError } from '@anlan/quake';
import { appendAudit } from '../audit/service.ts';
import type { ScopedActor } from '../users/service.ts';

export interface InventoryDeps {
  db: Database;
  clock: Clock;
  /** Where uploaded files live (`<data dir>/files`). */
  filesDir: string;
}

export interface InventoryView {
  id: number;
  name: string;
  createdAt: Date;
  createdBy: string;
  regionCode: string;
  rows: number;
  rejectedRows: number;
  errors: InventoryError[];
  counties: string[];
  bbox: number[];
  bytes: number;
}

/** Rejected rows listed back to the uploader (all are counted). */
const MAX_LISTED_ERRORS = 500;

const COLUMNS = `id, name, created_at AS "createdAt", created_by_name AS "createdBy", region_code AS "regionCode", rows,
  rejected_rows AS "rejectedRows", errors, counties, bbox, bytes`;

function toView(r: InventoryView & { fileName?: string }): InventoryView {
  const { fileName: _f, ...rest } = r;
  return { ...rest, id: Number(r.id), bytes: Number(r.bytes) };
}

function bboxOf(x: ExposureColumns): number[] {
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (let i = 0; i < x.count; i++) {
    if (x.lon[i] < minLon) minLon = x.lon[i];
    if (x.lon[i] > maxLon) maxLon = x.lon[i];
    if (x.lat[i] < minLat) minLat = x.lat[i];
    if (x.lat[i] > maxLat) maxLat = x.lat[i];
  }
  return [minLon, minLat, maxLon, maxLat];
}

export async function uploadInventory(deps: InventoryDeps, who: ScopedActor, input: { name: string; text: string; fileName?: string }): Promise<InventoryView> {
  const name = input.name.trim();
  if (!name) throw new ValidationError([{ field: 'name', message: 'name is required' }]);
  const { exposure, errors } = parseInventory(input.text, input.fileName ?? '', {
    checkRegion: (code) => (isWithinScope(code, who.scope.code) ? null : `county ${code} is outside your region ${who.scope.code}`),
  });
  if (exposure.count === 0) {
    throw new ValidationError(
      (errors.length ? errors : [{ row: 0, field: 'file', message: 'the file has no building rows' }]).slice(0, MAX_LISTED_ERRORS).map((e) => ({ field: `row ${e.row}: ${e.field}`, message: e.message })),
      `No row of the inventory could be accepted (${errors.length} rejected)`,
    );
  }
  const dir = join(deps.filesDir, 'inventories');
  mkdirSync(dir, { recursive: true });
  const fileName = `${randomUUID()}.bin`;
  writeExposureCache(join(dir, fileName), exposure);
  try {
    const bytes = statSync(join(dir, fileName)).size;
    const counties = exposure.regions.map((r) => r.code);
    const id = await deps.db.transaction(async (tx) => {
      const r = await tx.query<{ id: number }>(
        `INSERT INTO exposure_inventories (name, created_by, created_by_name, region_code, rows, rejected_rows, errors, counties, bbox, file_name, bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [name, who.actor.id, who.actor.name, who.scope.code, exposure.count, errors.length, JSON.stringify(errors.slice(0, MAX_LISTED_ERRORS)), counties, bboxOf(exposure), fileName, bytes],
      );
      const newId = Number(r.rows[0].id);
      await appendAudit(tx, deps.clock, who.actor, {
        action: 'assessment.inventory_uploaded', targetType: 'exposure_inventory', targetId: newId, regionCode: who.scope.code,
        after: { name, rows: exposure.count, rejectedRows: errors.length, counties },
      });
      return newId;
    });
    return getInventory(deps, who.scope, id);
  } catch (e) {
    rmSync(join(dir, fileName), { force: true });
    throw e;
  }
}

export async function listInventories(deps: Pick<InventoryDeps, 'db'>, scope: RegionScope): Promise<InventoryView[]> {
  const r = await deps.db.query<InventoryView>(`SELECT ${COLUMNS} FROM exposure_inventories WHERE region_code LIKE $1 ORDER BY id DESC`, [scopeLikePattern(scope)]);
  return r.rows.map((row) => ({ ...toView(row), errors: [] }));
}

async function findRow(db: Queryable, scope: RegionScope, id: number) {
  const r = await db.query<InventoryView & { fileName: string }>(`SELECT ${COLUMNS}, file_name AS "fileName" FROM exposure_inventories WHERE id = $2 AND region_code LIKE $1`, [
    scopeLikePattern(scope),
    id,
  ]);
  return r.rows[0] ?? null;
}

export async function getInventory(deps: Pick<InventoryDeps, 'db'>, scope: RegionScope, id: number): Promise<InventoryView> {
  const row = await findRow(deps.db, scope, id);
  if (!row) throw new NotFoundError('Inventory');
  return toView(row);
}

// The last inventory read stays in memory: a bureau re-runs scenarios on the same city.
let cached: { key: string; exposure: ExposureColumns } | null = null;

/** The inventory's rows, if the caller's scope may use it. */
export async function loadInventoryExposure(deps: Pick<InventoryDeps, 'db' | 'filesDir'>, scope: RegionScope, id: number): Promise<{ inventory: InventoryView; exposure: ExposureColumns }> {
  const row = await findRow(deps.db, scope, id);
  if (!row) throw new NotFoundError('Inventory');
  const path = join(deps.filesDir, 'inventories', row.fileName);
  // Read straight into shared memory: the worker pool then assesses it without a copy.
  if (cached?.key !== path) cached = { key: path, exposure: readExposureCacheShared(path) };
  return { inventory: toView(row), exposure: cached.exposure };
}

export async function deleteInventory(deps: InventoryDeps, who: ScopedActor, id: number): Promise<void> {
  const row = await findRow(deps.db, who.scope, id);
  if (!row) throw new NotFoundError('Inventory');
  await deps.db.transaction(async (tx) => {
    const used = await tx.query('SELECT 1 FROM earthquake_assessment_jobs WHERE inventory_id = $1 AND state IN (\'queued\', \'running\') LIMIT 1', [id]);
    if (used.rows.length > 0) throw new ValidationError([{ field: 'id', message: 'an assessment with this inventory is still running' }]);
    // Assessments keep their results; they only lose the link to the rows.
    await tx.query('UPDATE earthquake_assessments SET inventory_id = NULL WHERE inventory_id = $1', [id]);
    await tx.query('DELETE FROM earthquake_assessment_jobs WHERE inventory_id = $1', [id]);
    await tx.query('DELETE FROM exposure_inventories WHERE id = $1', [id]);
    await appendAudit(tx, deps.clock, who.actor, {
      action: 'assessment.inventory_deleted', targetType: 'exposure_inventory', targetId: id, regionCode: row.regionCode, before: { name: row.name, rows: row.rows },
    });
  });
  const path = join(deps.filesDir, 'inventories', row.fileName);
  if (cached?.key === path) cached = null;
  rmSync(path, { force: true });
}
