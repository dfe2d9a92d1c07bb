/**
 * The shipped reference boundaries: one JSON line per region in data/boundaries.ndjson.gz,
 * produced by scripts/build-reference-data.ts. Streamed so the server can load ~3,300 regions
 * without holding the whole decompressed file (≈50 MB of JSON) in memory.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import type { BBox, Position } from './geometry.ts';
import type { LeveledGeometry } from './levels.ts';
import type { RegionLevel } from './region-code.ts';

export interface BoundaryRecord {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  /** Area-weighted centroid of the outline, WGS84 [lon, lat]; may fall outside a crescent-shaped region. */
  centroid: Position;
  /** Seat of government (驻地) where the source gives one, WGS84 [lon, lat]. */
  seat: Position | null;
  bbox: BBox;
  /** MultiPolygon coordinates per detail level: "0" coarsest … "2" finest (see levels.ts). */
  geometry: LeveledGeometry;
}

export interface BoundarySource {
  kind: 'reference' | 'official';
  name: string;
  /** Where the data came from, for the UI's attribution line. */
  origin: string;
  datum: 'WGS84';
  licence: string;
}

export const REFERENCE_BOUNDARY_SOURCE = {
  kind: 'reference',
  name: 'DataV GeoAtlas 参考边界 (2022, GCJ-02→WGS84)',
  origin: 'github.com/lyhmyd1211/GeoMapData_CN, scraped from Aliyun DataV GeoAtlas (2022)',
  datum: 'WGS84',
  licence: 'none stated upstream; reference only, replace with the bureau’s official boundaries',
} as const satisfies BoundarySource;

export const REFERENCE_BOUNDARY_FILE = fileURLToPath(new URL('../data/boundaries.ndjson.gz', import.meta.url));

export async function* readReferenceBoundaries(path: string = REFERENCE_BOUNDARY_FILE): AsyncGenerator<BoundaryRecord> {
  const file = createReadStream(path);
  const gunzip = createGunzip();
  // pipe() does not forward errors; without this a missing file would leave the reader hanging.
  file.on('error', (error) => gunzip.destroy(error));
  const lines = createInterface({ input: file.pipe(gunzip), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    yield JSON.parse(line) as BoundaryRecord;
  }
}
