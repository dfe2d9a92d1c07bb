export interface QuakeEvent { lon: number; lat: number; depthKm: number; magnitude: number /* Ms */; strikeDeg?: number; time?: string /* ISO */ }
/** Structure classes of GB/T 17742-2020 used by the damage model. */
export const STRUCTURE_CLASSES = ['A1', 'A2', 'B', 'C', 'D', 'E'] as const; // GB/T 17742-2020: A1 未设防土木/砖木/石木, A2 穿斗木构架, B 未设防砖混, C Ⅶ度设防砖混, D Ⅶ度设防钢筋混凝土框架(/剪力墙); E (project class, not in the standard) Ⅷ度及以上设防的框架/剪力墙、钢结构
export type StructureClass = (typeof STRUCTURE_CLASSES)[number];
/** Columnar exposure: one row per asset (a building, or a block of buildings of one class in one cell). */
export interface ExposureColumns {
  count: number;
  lon: Float64Array; lat: Float64Array;
  regionIndex: Uint32Array;         // index into `regions`
  classIndex: Uint8Array;           // index into STRUCTURE_CLASSES
  buildings: Float32Array;          // number of buildings the row stands for (1 for a building inventory)
  floorAreaM2: Float32Array;
  occupantsDay: Float32Array; occupantsNight: Float32Array;
  valueCny: Float64Array;           // replacement value
  population: Float32Array;         // residents attributed to the row (for exposure by intensity / PAGER)
  regions: { code: string; name: string }[];  // county-level GB/T 2260 codes
}
export const DAMAGE_STATES = ['none', 'slight', 'moderate', 'extensive', 'complete'] as const; // 基本完好, 轻微破坏, 中等破坏, 严重破坏, 毁坏
export type DamageState = (typeof DAMAGE_STATES)[number];
export type IntensityRegion = 'east' | 'west';
