// Minimal types for the parts of `shapefile` (mbostock, BSD-3-Clause) we use; it ships none and
// @types/shapefile would pull in the whole GeoJSON typings for two functions.
declare module 'shapefile' {
  export interface ShapefileFeature {
    type: 'Feature';
    properties: Record<string, unknown>;
    geometry: { type: string; coordinates: unknown } | null;
  }
  export interface ShapefileSource {
    read(): Promise<{ done: boolean; value: ShapefileFeature }>;
  }
  export function open(shp: string | Uint8Array, dbf?: string | Uint8Array | null, options?: { encoding?: string }): Promise<ShapefileSource>;
}
