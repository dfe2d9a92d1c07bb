import type { Database } from '@anlan/db';
import { NATIONAL_CODE } from '@anlan/core';
import { loadDivisions, readReferenceBoundaries, REFERENCE_BOUNDARY_SOURCE } from '@anlan/reference-data';
import { writeBoundaries } from './boundary-writer.ts';
import { countRegions } from './store.ts';
import { writeSetting } from '../system/settings.ts';

export type Progress = (stage: string, done: number, total: number) => void;

export interface BoundarySourceInfo {
  kind: 'reference' | 'official';
  name: string;
  importedAt: string | null;
}

const BATCH = 2000;

/** Loads GB/T 2260 divisions and the reference boundaries shipped with Anlan, once. */
export async function loadReferenceRegions(db: Database, progress?: Progress): Promise<{ regions: number; boundaries: number }> {
  if ((await countRegions(db)) > 0) return { regions: 0, boundaries: 0 };
  const divisions = loadDivisions();
  const rows = [{ code: NATIONAL_CODE, name: '全国', level: 'country', parentCode: null as string | null, centroid: [104.2, 35.9] as [number, number] | null }];
  for (const d of divisions) rows.push({ ...d, parentCode: d.parentCode ?? NATIONAL_CODE });
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += BATCH) {
      const slice = rows.slice(i, i + BATCH);
      await tx.query(
        `INSERT INTO regions (code, name, level, parent_code, centroid_lon, centroid_lat)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[])`,
        [
          slice.map((r) => r.code),
          slice.map((r) => r.name),
          slice.map((r) => r.level),
          slice.map((r) => r.parentCode),
          slice.map((r) => r.centroid?.[0] ?? null),
          slice.map((r) => r.centroid?.[1] ?? null),
        ],
      );
      progress?.('regions', Math.min(i + BATCH, rows.length), rows.length);
    }
    await tx.query(
      `UPDATE regions r SET child_count = c.n FROM (SELECT parent_code, count(*) AS n FROM regions GROUP BY parent_code) c
       WHERE c.parent_code = r.code`,
    );
  });
  const expected = 3200;
  // The reference file also holds retired codes and DataV-only codes (Hong Kong, Macao districts);
  // only regions of the current tree get a polygon, so a point never resolves to a retired code.
  const known = new Set(rows.map((r) => r.code));
  async function* current() {
    for await (const b of readReferenceBoundaries()) if (known.has(b.code)) yield b;
  }
  const boundaries = await db.transaction((tx) =>
    writeBoundaries(tx, 'reference', current(), (n) => progress?.('boundaries', n, Math.max(n, expected))),
  );
  progress?.('boundaries', boundaries, boundaries);
  // Fresh statistics: PGlite runs no autovacuum, and without them the planner scans all
  // 46,000 regions for every join.
  await db.exec('ANALYZE regions; ANALYZE region_boundaries;');
  const source: BoundarySourceInfo = { kind: 'reference', name: REFERENCE_BOUNDARY_SOURCE.name, importedAt: null };
  await writeSetting(db, 'boundary_source', source);
  return { regions: rows.length, boundaries };
}
