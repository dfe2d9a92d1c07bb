/**
 * Reads a bureau's own boundary file (GeoJSON FeatureCollection or ESRI Shapefile) into the same
 * records as the reference data, so official boundaries can replace the reference ones region by
 * region. Bad features are reported with their 1-based position and never stop the good ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { open as openShapefile } from 'shapefile';
import type { BoundaryRecord } from './boundaries.ts';
import { buildDivisionTree, readPcas, type Division } from './divisions.ts';
import { gcj02ToWgs84 } from './gcj02.ts';
import { isClosed, multiPolygonBBox, multiPolygonCentroid, roundTo, type MultiPolygonCoords } from './geometry.ts';
import { processGeometries } from './process-geometry.ts';
import { levelOfCode, parseRegionCode, type RegionLevel } from './region-code.ts';

export interface ImportOptions {
  /** Datum of the file's coordinates; CGCS2000 geographic (EPSG:4490) counts as wgs84 (< 1 m apart). */
  crs?: 'wgs84' | 'gcj02';
  /** Attribute holding the region code, when it is none of CODE_FIELDS. */
  codeField?: string;
  /** DBF text encoding; default from the .cpg file, else UTF-8 with a fall-back to GBK. */
  encoding?: string;
}

export interface ImportError {
  /** 1-based position of the feature in the file. */
  feature: number;
  field?: string;
  message: string;
}

export interface ImportResult {
  records: BoundaryRecord[];
  errors: ImportError[];
}

/** Attribute names used for the code by common Chinese boundary datasets, tried in order. */
export const CODE_FIELDS = ['adcode', 'code', 'CODE', 'PAC', 'XZQDM', 'gb'] as const;
export const NAME_FIELDS = ['name', 'NAME', 'XZQMC'] as const;

/** Generous box around China incl. the South China Sea islands, in degrees. */
const LON_RANGE: [number, number] = [73, 136];
const LAT_RANGE: [number, number] = [3, 54];

interface RawFeature {
  properties: Record<string, unknown> | null;
  geometry: { type: string; coordinates: unknown } | null;
}

async function readGeoJson(path: string): Promise<RawFeature[]> {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { type?: string; features?: RawFeature[] };
  if (json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    throw new Error(`${path}: not a GeoJSON FeatureCollection`);
  }
  return json.features;
}

function cpgEncoding(shpPath: string): string | undefined {
  const cpg = shpPath.replace(/\.shp$/i, '.cpg');
  if (!existsSync(cpg)) return undefined;
  const label = readFileSync(cpg, 'latin1').trim().toLowerCase();
  // Esri writes code page numbers as often as encoding names.
  const byCodePage: Record<string, string> = { '936': 'gbk', '65001': 'utf-8', '950': 'big5' };
  return byCodePage[label] ?? label;
}

async function readShapefileWith(path: string, encoding: string): Promise<RawFeature[]> {
  const dbf = path.replace(/\.shp$/i, '.dbf');
  if (!existsSync(dbf)) throw new Error(`${path}: the .dbf attribute file beside it is missing`);
  const source = await openShapefile(path, dbf, { encoding });
  const features: RawFeature[] = [];
  for (let r = await source.read(); !r.done; r = await source.read()) features.push(r.value);
  return features;
}

async function readShapefile(path: string, encoding?: string): Promise<RawFeature[]> {
  const declared = encoding ?? cpgEncoding(path);
  if (declared) return readShapefileWith(path, declared);
  // Without a .cpg, Chinese attribute tables are usually UTF-8 (recent tools) or GBK (older
  // ArcGIS); UTF-8 decoding of GBK bytes leaves replacement characters, so that decides.
  const utf8 = await readShapefileWith(path, 'utf-8');
  const garbled = utf8.some((f) => Object.values(f.properties ?? {}).some((v) => typeof v === 'string' && v.includes('\uFFFD')));
  return garbled ? readShapefileWith(path, 'gbk') : utf8;
}

/**
 * Stored code for a raw attribute value: 6 or 9 digits. 12-digit statistical codes are cut to
 * their county (…000000) or township (…000) part; village codes are not a boundary level we hold.
 */
function toStoredCode(value: unknown, field: string): { code: string } | { error: string } {
  let code = parseRegionCode(value);
  // Some national datasets prefix the 6-digit code with the ISO country number 156 in "gb".
  if (code && field === 'gb' && code.length === 9 && code.startsWith('156')) code = code.slice(3);
  if (!code) return { error: `region code ${JSON.stringify(value)} is not 6, 9 or 12 digits` };
  if (code.length === 12) {
    if (code.endsWith('000000')) return { code: code.slice(0, 6) };
    if (code.endsWith('000')) return { code: code.slice(0, 9) };
    return { error: `village code ${code}: village boundaries are not supported` };
  }
  return { code };
}

function findField(properties: Record<string, unknown>, candidates: readonly string[]): string | undefined {
  return candidates.find((f) => properties[f] !== undefined && properties[f] !== null && properties[f] !== '');
}

/** Every problem with one feature's geometry, as messages; empty when usable. */
function geometryProblems(geometry: RawFeature['geometry']): string[] {
  if (!geometry) return ['feature has no geometry'];
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
    return [`geometry type ${geometry.type} is not Polygon or MultiPolygon`];
  }
  const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as unknown;
  if (!Array.isArray(polygons) || polygons.length === 0) return ['geometry has no coordinates'];
  const problems: string[] = [];
  let outside = 0;
  polygons.forEach((polygon: unknown, p: number) => {
    if (!Array.isArray(polygon) || polygon.length === 0) {
      problems.push(`polygon ${p + 1} has no rings`);
      return;
    }
    polygon.forEach((ring: unknown, r: number) => {
      const where = `polygon ${p + 1} ring ${r + 1}`;
      if (!Array.isArray(ring) || !ring.every((pt) => Array.isArray(pt) && pt.length >= 2 && pt.every((v) => Number.isFinite(v)))) {
        problems.push(`${where} has malformed positions`);
        return;
      }
      const positions = ring as [number, number][];
      if (positions.length < 4) problems.push(`${where} has ${positions.length} positions; a ring needs at least 4`);
      else if (!isClosed(positions)) problems.push(`${where} is not closed (first and last positions differ)`);
      for (const [lon, lat] of positions) {
        if (lon < LON_RANGE[0] || lon > LON_RANGE[1] || lat < LAT_RANGE[0] || lat > LAT_RANGE[1]) outside++;
      }
    });
  });
  if (outside > 0) {
    problems.push(
      `${outside} position(s) outside lon ${LON_RANGE.join('..')} / lat ${LAT_RANGE.join('..')}; ` +
        'is the file in a projected CRS? Export geographic coordinates (EPSG:4490 or 4326)',
    );
  }
  return problems;
}

function parentOf(code: string, level: RegionLevel, tree: Map<string, Division>): string | null {
  const known = tree.get(code);
  if (known) return known.parentCode;
  switch (level) {
    case 'province':
      return null;
    case 'prefecture':
      return `${code.slice(0, 2)}0000`;
    case 'county':
      return code.slice(2, 4) === '90' ? `${code.slice(0, 2)}0000` : `${code.slice(0, 4)}00`;
    case 'township':
      return code.slice(0, 6);
  }
}

export async function readBoundaryFile(path: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const ext = extname(path).toLowerCase();
  let features: RawFeature[];
  if (ext === '.geojson' || ext === '.json') features = await readGeoJson(path);
  else if (ext === '.shp') features = await readShapefile(path, opts.encoding);
  else throw new Error(`${path}: unsupported file type ${ext || '(none)'}; use .geojson, .json or .shp`);

  const errors: ImportError[] = [];
  const accepted: { feature: number; code: string; name: string | null; coords: MultiPolygonCoords }[] = [];
  const codeFields = opts.codeField ? [opts.codeField] : CODE_FIELDS;
  features.forEach((feature, i) => {
    const index = i + 1;
    const properties = feature.properties ?? {};
    const field = findField(properties, codeFields);
    const problems: ImportError[] = [];
    let code: string | null = null;
    if (!field) {
      problems.push({ feature: index, field: opts.codeField, message: `no region code in ${codeFields.join(', ')}` });
    } else {
      const parsed = toStoredCode(properties[field], field);
      if ('error' in parsed) problems.push({ feature: index, field, message: parsed.error });
      else code = parsed.code;
    }
    for (const message of geometryProblems(feature.geometry)) problems.push({ feature: index, field: 'geometry', message });
    if (problems.length > 0 || !code || !feature.geometry) {
      errors.push(...problems);
      return;
    }
    const nameField = findField(properties, NAME_FIELDS);
    const geometry = feature.geometry as { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
    const coords = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as MultiPolygonCoords;
    accepted.push({ feature: index, code, name: nameField ? String(properties[nameField]).trim() : null, coords });
  });

  // Shapefiles often store a multi-part region as several records with one code: join them.
  const byCode = new Map<string, { feature: number; name: string | null; coords: MultiPolygonCoords }>();
  for (const a of accepted) {
    const existing = byCode.get(a.code);
    if (existing) {
      existing.coords = existing.coords.concat(a.coords);
      existing.name ??= a.name;
    } else {
      byCode.set(a.code, { feature: a.feature, name: a.name, coords: a.coords });
    }
  }
  const regions = [...byCode.entries()];
  const transform = opts.crs === 'gcj02' ? gcj02ToWgs84 : undefined;
  const { geometries } = processGeometries(
    regions.map(([, r]) => r.coords),
    { transform },
  );
  const tree = new Map(buildDivisionTree(readPcas()).map((d) => [d.code, d]));
  const records: BoundaryRecord[] = [];
  regions.forEach(([code, region], i) => {
    const g = geometries[i];
    const level = tree.get(code)?.level ?? levelOfCode(code);
    if (g.full.length === 0 || !level) {
      errors.push({ feature: region.feature, field: 'geometry', message: `region ${code}: nothing left after removing degenerate rings` });
      return;
    }
    const [lon, lat] = multiPolygonCentroid(g.full);
    records.push({
      code,
      name: region.name ?? tree.get(code)?.name ?? code,
      level,
      parentCode: parentOf(code, level, tree),
      centroid: [roundTo(lon, 5), roundTo(lat, 5)],
      seat: null,
      bbox: multiPolygonBBox(g.levels['2']),
      geometry: g.levels,
    });
  });
  errors.sort((a, b) => a.feature - b.feature);
  return { records, errors };
}
