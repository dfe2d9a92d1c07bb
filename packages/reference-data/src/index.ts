/**
 * @anlan/reference-data: the GB/T 2260 region tree and the boundary polygons Anlan ships by
 * default, plus the reader for a bureau's own boundary files.
 */
export { loadDivisions, buildDivisionTree, readPcas, loadRegionPoints, type Division, type LoadDivisionsOptions, type RegionPoint } from './divisions.ts';
export { type RegionLevel, normaliseDivisionCode, parseRegionCode, levelOfCode } from './region-code.ts';
export {
  readReferenceBoundaries,
  REFERENCE_BOUNDARY_SOURCE,
  REFERENCE_BOUNDARY_FILE,
  type BoundaryRecord,
  type BoundarySource,
} from './boundaries.ts';
export { readBoundaryFile, CODE_FIELDS, NAME_FIELDS, type ImportOptions, type ImportError, type ImportResult } from './import-boundaries.ts';
export { gcj02ToWgs84, wgs84ToGcj02, isInsideGcjArea } from './gcj02.ts';
export { DETAIL_LEVELS, simplifyToLevels, type DetailLevel, type LevelKey, type LeveledGeometry } from './levels.ts';
export { processGeometries } from './process-geometry.ts';
export type { BBox, MultiPolygonCoords, PolygonCoords, Position, Ring } from './geometry.ts';
