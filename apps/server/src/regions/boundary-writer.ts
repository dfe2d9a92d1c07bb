import type { Queryable } from '@anlan/db';

/** One region's polygon at three display details (0 coarsest … 2 finest), WGS84. */
export interface BoundaryInput {
  code: string;
  bbox: [number, number, number, number];
  geometry: Record<'0' | '1' | '2', unknown>;
}

const BATCH = 25;

function multiPolygon(coords: unknown): string {
  return JSON.stringify({ type: 'MultiPolygon', coordinates: coords });
}

/**
 * Upserts boundaries in batches through unnest() so both PGlite and PostgreSQL take one
 * statement per batch instead of one per region.
 */
export async function writeBoundaries(
  db: Queryable,
  source: 'reference' | 'official',
  records: AsyncIterable<BoundaryInput> | Iterable<BoundaryInput>,
  onBatch?: (written: number) => void,
): Promise<number> {
  let batch: BoundaryInput[] = [];
  let written = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const g0 = batch.map((b) => multiPolygon(b.geometry['0']));
    const g1 = batch.map((b) => multiPolygon(b.geometry['1']));
    const g2 = batch.map((b) => multiPolygon(b.geometry['2']));
    await db.query(
      `INSERT INTO region_boundaries (code, source, geom, bbox, geojson_0, geojson_1, geojson_2)
       SELECT code, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(g2), 4326)), string_to_array(bbox, ',')::double precision[], g0, g1, g2
       FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(code, bbox, g0, g1, g2)
       ON CONFLICT (code) DO UPDATE SET source = EXCLUDED.source, geom = EXCLUDED.geom, bbox = EXCLUDED.bbox,
         geojson_0 = EXCLUDED.geojson_0, geojson_1 = EXCLUDED.geojson_1, geojson_2 = EXCLUDED.geojson_2`,
      [batch.map((b) => b.code), source, batch.map((b) => b.bbox.join(',')), g0, g1, g2],
    );
    written += batch.length;
    onBatch?.(written);
    batch = [];
  };
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return written;
}
