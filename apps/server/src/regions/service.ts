import type { Database, Queryable } from '@anlan/db';
import { NotFoundError, type Clock, type RegionScope } from '@anlan/core';
import { appendAudit } from '../audit/service.ts';
import type { Actor } from '../caller.ts';
import { readSetting, writeSetting } from '../system/settings.ts';
import { writeBoundaries, type BoundaryInput } from './boundary-writer.ts';
import type { BoundarySourceInfo } from './loader.ts';
import * as store from './store.ts';

export async function getRegion(db: Queryable, scope: RegionScope, code: string): Promise<store.Region> {
  const region = await store.findRegion(db, scope, code);
  if (!region) throw new NotFoundError(`Region ${code}`);
  return region;
}

export async function getChildren(db: Queryable, scope: RegionScope, code: string): Promise<store.Region[]> {
  await getRegion(db, scope, code);
  return store.listChildren(db, scope, code);
}

export function getRoots(db: Queryable, scope: RegionScope): Promise<store.Region[]> {
  return store.listRoots(db, scope);
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: Record<string, unknown>; geometry: unknown }[];
}

export async function getBoundaries(
  db: Queryable,
  scope: RegionScope,
  code: string,
  detail: store.BoundaryDetail,
  include: 'self' | 'children' | 'both',
): Promise<string> {
  // The country itself has no polygon but is a valid parent for the provinces.
  await getRegion(db, scope, code);
  const rows = await store.listBoundaries(db, scope, code, detail, {
    self: include !== 'children',
    children: include !== 'self',
  });
  // Geometry is stored as GeoJSON text; splice it in rather than parse and re-serialise megabytes.
  const features = rows.map(
    (r) =>
      `{"type":"Feature","properties":${JSON.stringify({ code: r.code, name: r.name, level: r.level, source: r.source, role: r.isSelf ? 'self' : 'child' })},"geometry":${r.geojson}}`,
  );
  return `{"type":"FeatureCollection","features":[${features.join(',')}]}`;
}

export async function getBoundarySource(db: Queryable): Promise<BoundarySourceInfo> {
  return (await readSetting<BoundarySourceInfo>(db, 'boundary_source')) ?? { kind: 'reference', name: 'none loaded', importedAt: null };
}

export interface ImportReport {
  imported: number;
  unknownCodes: string[];
}

/**
 * Replaces the boundaries of the regions a bureau's file covers with its official polygons.
 * Features whose code is not a known region are reported, not stored.
 */
export async function importOfficialBoundaries(
  deps: { db: Database; clock: Clock },
  actor: Actor,
  records: (BoundaryInput & { name?: string })[],
  fileName: string,
): Promise<ImportReport> {
  const codes = records.map((r) => r.code);
  const known = new Set(
    (await deps.db.query<{ code: string }>('SELECT code FROM regions WHERE code = ANY($1::text[])', [codes])).rows.map((r) => r.code),
  );
  const accepted = records.filter((r) => known.has(r.code));
  const unknownCodes = codes.filter((c) => !known.has(c));
  await deps.db.transaction(async (tx) => {
    await writeBoundaries(tx, 'official', accepted);
    const source: BoundarySourceInfo = { kind: 'official', name: fileName, importedAt: deps.clock.now().toISOString() };
    await writeSetting(tx, 'boundary_source', source);
    await appendAudit(tx, deps.clock, actor, {
      action: 'regions.boundaries_imported',
      targetType: 'boundaries',
      targetId: fileName,
      regionCode: '000000',
      after: { file: fileName, imported: accepted.length, unknownCodes: unknownCodes.slice(0, 50) },
    });
  });
  return { imported: accepted.length, unknownCodes };
}
