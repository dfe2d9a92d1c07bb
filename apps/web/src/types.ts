// Shapes of the Anlan HTTP API (/api/v1) as used by the web app.

export type Role = 'admin' | 'commander' | 'duty' | 'inspector' | 'enterprise' | 'responder';
export const ROLES: readonly Role[] = ['admin', 'commander', 'duty', 'inspector', 'enterprise', 'responder'];

export type RegionLevel = 'country' | 'province' | 'prefecture' | 'county' | 'township' | 'village';

export interface User {
  id: string | number;
  username: string;
  displayName: string;
  role: Role;
  regionCode: string;
  regionName: string | null;
  enabled: boolean;
  createdAt: string;
}

export interface SessionResponse {
  user: User;
  csrfToken: string;
}

export interface BoundarySource {
  kind: 'reference' | 'official';
  name: string;
  importedAt: string | null;
}

export interface SystemInfo {
  version: string;
  database: string;
  demoData: boolean;
  boundarySource: BoundarySource;
}

export interface Region {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  parentName: string | null;
  centroid: [number, number] | null;
  bbox: [number, number, number, number] | null;
  childCount: number;
  hasBoundary: boolean;
}

export interface Items<T> {
  items: T[];
}

export interface BoundaryProperties {
  code: string;
  name: string;
  level: RegionLevel;
  role: 'self' | 'child';
}

export interface ApiToken {
  id: string | number;
  name: string;
  regionCode: string;
  createdAt: string;
  createdBy: string | number | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken {
  id: string | number;
  token: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: string | number | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | number | null;
  ip: string | null;
  before: unknown;
  after: unknown;
  hash: string;
}

export interface AuditPage {
  items: AuditEntry[];
  nextBefore: number | null;
}

// ---- 地震快速评估 (earthquake rapid assessment) ----

export type PagerAlert = 'green' | 'yellow' | 'orange' | 'red';

export interface Range {
  median: number;
  low: number;
  high: number;
}

export interface QuakeEvent {
  lon: number;
  lat: number;
  depthKm: number;
  magnitude: number;
  strikeDeg?: number | null;
  time?: string | null;
}

export interface AssessmentSummary {
  id: string | number;
  name: string | null;
  createdAt: string;
  createdBy: string | null;
  event: QuakeEvent;
  epicentre: { code: string; name: string };
  maxIntensity: number;
  deaths: Range;
  injuries: Range;
  economicLossCny: Range;
  pagerAlert: PagerAlert;
  seconds: number;
}

/** none, slight, moderate, extensive, complete (基本完好, 轻微破坏, 中等破坏, 严重破坏, 毁坏) */
export type DamageStates = [number, number, number, number, number];

export interface AssessmentRegion {
  code: string;
  name: string;
  maxIntensity: number;
  population: number;
  exposedPopulation: number;
  buildingsByDamageState: DamageStates;
  deaths: number;
  injuries: number;
  lossCny: number;
}

export interface ContourProperties {
  intensity: number;
  areaKm2: number;
}

export interface Assessment extends AssessmentSummary {
  areaKm2ByIntensity: Record<string, number>;
  exposedPopulationByIntensity: Record<string, number>;
  buildingsByDamageState: DamageStates;
  regions: AssessmentRegion[];
  contours: import('geojson').FeatureCollection<import('geojson').Polygon | import('geojson').MultiPolygon, ContourProperties>;
}

export interface QuakeInput {
  lon: number;
  lat: number;
  depthKm: number;
  magnitude: number;
  strikeDeg?: number;
  time?: string;
  name?: string;
}
