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

/** How an earthquake report reached the server. */
export type ReportFormat = 'cap' | 'json' | 'geojson' | 'cenc-text';

/** The report an automatic assessment (自动评估) was made from. */
export interface AssessmentReportRef {
  id: number;
  source: string;
  format: ReportFormat | string;
  place: string | null;
  /** CAP status: Actual, Exercise (演练)… */
  status: string;
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
  /** 'report': started by an earthquake report (自动评估); 'manual': run from the form. */
  trigger: 'manual' | 'report';
  report: AssessmentReportRef | null;
  /** A newer assessment of the same earthquake replaced this one. */
  supersededBy: number | null;
  /** The report was cancelled, and the assessment with it. */
  cancelledAt: string | null;
  exposure?: ExposureSource;
}

/** What an assessment was run over: the national default exposure or an uploaded building inventory. */
export type ExposureSource = { kind: 'national' } | { kind: 'inventory'; id: number; name: string; rows: number };

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
  /** Absent on assessments stored before inventories existed (they used the national exposure). */
  exposure?: ExposureSource;
  exposureRows?: number;
}

export interface QuakeInput {
  lon: number;
  lat: number;
  depthKm: number;
  magnitude: number;
  strikeDeg?: number;
  time?: string;
  name?: string;
  /** Assess an uploaded building inventory instead of the national default exposure. */
  inventoryId?: number;
}

// ---- 建筑物清单 (building inventories) and 评估任务 (assessment jobs) ----

/** A rejected inventory row; rows are numbered as in a spreadsheet (header = row 1). */
export interface InventoryRowError {
  row: number;
  field: string;
  message: string;
}

export interface Inventory {
  id: number;
  name: string;
  createdAt: string;
  createdBy: string;
  regionCode: string;
  /** Buildings accepted. */
  rows: number;
  rejectedRows: number;
  /** The first 500 rejected rows (empty in the list). */
  errors: InventoryRowError[];
  counties: string[];
  bbox: number[];
  bytes: number;
}

/** The outcome of one upload: accepted (some or all rows), or refused with no good row (inventory null). */
export interface InventoryUploadOutcome {
  inventory: Inventory | null;
  rejectedRows: number;
  errors: InventoryRowError[];
}

/** Sending the file, then waiting while the server checks every row. */
export type UploadPhase = 'idle' | 'sending' | 'checking';

export type JobState = 'queued' | 'running' | 'done' | 'failed';
export type JobStage = 'loading' | 'assessing' | 'storing';
/** What the page shows of a job: waiting in the queue, then its stages. */
export type JobStep = 'queued' | JobStage;

export interface AssessmentJob {
  id: number;
  createdAt: string;
  createdBy: string;
  inventoryId: number;
  name: string | null;
  event: QuakeEvent;
  state: JobState;
  stage: JobStage | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  assessmentId: number | null;
}

// ---- 地震速报 (earthquake reports) and automatic assessment ----

export type ReportOutcome = 'assessed' | 'below_threshold' | 'not_actual' | 'no_exposure' | 'cancelled';

export interface QuakeReport {
  id: number;
  receivedAt: string;
  receivedBy: string;
  format: ReportFormat;
  source: string;
  externalId: string;
  /** Alert, Update or Cancel */
  msgType: string;
  status: string;
  references?: string[];
  event: QuakeEvent | null;
  place: string | null;
  notes: string[];
  outcome: ReportOutcome;
  outcomeMessage: string | null;
  threadId: number;
  assessmentId: number | null;
  regionCode: string;
  cancelledAt: string | null;
  /** The body as received (GET /reports/:id only). */
  body?: string;
}

/** A polled report feed (ANLAN_QUAKE_FEEDS) and how its last poll went. */
export interface QuakeFeedStatus {
  url: string;
  intervalSeconds: number;
  lastPolledAt: string | null;
  lastOk: boolean | null;
  lastError: string | null;
  lastNew: number;
  lastRejected?: number;
  totalNew: number;
}

export interface AutoAssessSettings {
  /** Reports below this magnitude (Ms) are recorded, not assessed. */
  minMagnitude: number;
}

// ---- live events (GET /api/v1/events, text/event-stream) ----

/** What the server writes as each event's `data:` line. */
export interface BusEvent<T = Record<string, unknown>> {
  type: string;
  regionCode: string;
  at: string;
  data: T;
}

export interface QuakeCompletedData {
  id: number;
  magnitude: number;
  maxIntensity: number;
  pagerAlert: PagerAlert;
  epicentre: { code: string; name: string };
  trigger: 'manual' | 'report';
  report?: { id: number; source: string; place?: string };
}

export interface JobProgressData {
  id: number;
  stage: JobStage;
}

export interface JobFinishedData {
  id: number;
  state: 'done' | 'failed';
  assessmentId?: number;
  error?: string;
}

/** The live events the web app listens to, by SSE event name. */
export interface LiveEventMap {
  'assessment.earthquake_completed': QuakeCompletedData;
  'assessment.job_progress': JobProgressData;
  'assessment.job_finished': JobFinishedData;
  'alarm.raised': Alarm;
  'alarm.level_changed': Alarm;
  'alarm.acknowledged': Alarm;
  'alarm.handled': Alarm;
  'alarm.cleared': Alarm;
  'monitoring.readings_ingested': ReadingsIngestedData;
}

export type LiveEventHandlers = { [K in keyof LiveEventMap]?: (event: BusEvent<LiveEventMap[K]>) => void };

/** The event stream's connection, shown on the page so a silent screen is not mistaken for a quiet night. */
export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'stopped';

// ---- 监测预警 (monitoring & early warning) ----

/** Warning levels, lowest first: 蓝 < 黄 < 橙 < 红. */
export type WarningLevel = 'blue' | 'yellow' | 'orange' | 'red';
/** What the map shows of a monitoring point. */
export type PointState = 'normal' | WarningLevel | 'offline' | 'no_data';
export type Direction = 'above' | 'below';

export interface Thresholds {
  direction: Direction;
  blue?: number | null;
  yellow?: number | null;
  orange?: number | null;
  red?: number | null;
}

export interface AccumulationThreshold {
  windowSec: number;
  blue?: number | null;
  yellow?: number | null;
  orange?: number | null;
  red?: number | null;
}

export interface MonitoringPoint {
  id: number;
  name: string;
  type: string;
  typeName: string;
  regionCode: string;
  regionName: string | null;
  lon: number;
  lat: number;
  ownerUnit: string | null;
  watchesKind: string | null;
  watchesRef: string | null;
  watchesName: string | null;
  notes: string | null;
  sensorCount: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

export interface Sensor {
  id: number;
  code: string;
  pointId: number;
  pointName: string;
  regionCode: string;
  regionName: string | null;
  type: string;
  typeName: string;
  quantity: string;
  unit: string;
  unitOverride: boolean;
  samplingIntervalSec: number;
  rangeMin: number | null;
  rangeMax: number | null;
  thresholds: Thresholds;
  accumulation: AccumulationThreshold[] | null;
  enabled: boolean;
  notes: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface PointTypeDef {
  key: string;
  name: string;
  nameEn: string;
}

export interface SensorTypeDef {
  key: string;
  name: string;
  nameEn: string;
  pointTypes: string[];
  quantity: string;
  unit: string;
  samplingIntervalSec: number;
  range: { min: number; max: number } | null;
  thresholds: Thresholds;
  siteSpecific: boolean;
  levelMeaning?: Partial<Record<WarningLevel, string>>;
  accumulation: AccumulationThreshold[] | null;
  source: string;
  note?: string;
}

/** GET /monitoring/types */
export interface MonitoringCatalogue {
  levels: { key: WarningLevel; name: string }[];
  pointTypes: PointTypeDef[];
  watchesKinds: { key: string; name: string }[];
  sensorTypes: SensorTypeDef[];
}

/** GET /monitoring/overview: one point as the map draws it. */
export interface OverviewPoint {
  id: number;
  name: string;
  type: string;
  regionCode: string;
  lon: number;
  lat: number;
  state: PointState;
  sensors: number;
  openAlarms: number;
}

export interface LatestValue {
  sensorId: number;
  code: string;
  quantity: string;
  unit: string;
  ts: string | null;
  value: number | null;
}

export type ReadingResolution = 'raw' | 'minute' | 'hour';

export interface RawReading {
  ts: string;
  value: number;
}

export interface RollupReading {
  ts: string;
  count: number;
  avg: number;
  min: number;
  max: number;
}

export interface SensorReadings {
  sensor: { id: number; code: string; quantity: string; unit: string; pointId: number; regionCode: string };
  resolution: ReadingResolution;
  from: string;
  to: string;
  truncated: boolean;
  points: (RawReading | RollupReading)[];
}

export type QuarantineReason =
  | 'malformed'
  | 'unknown_sensor'
  | 'not_in_scope'
  | 'sensor_disabled'
  | 'invalid_value'
  | 'out_of_range'
  | 'invalid_timestamp'
  | 'future_timestamp'
  | 'too_old'
  | 'duplicate';

/** A rejected reading kept in the quarantine (隔离区), as received (ts and value as text). */
export interface QuarantineItem {
  id: number;
  receivedAt: string;
  receivedBy: string;
  index: number;
  sensor: string | null;
  ts: string | null;
  value: string | null;
  reason: QuarantineReason | string;
  message: string | null;
  regionCode: string | null;
}

export interface StatusCounts {
  sensors: number;
  online: number;
  offline: number;
  noData: number;
}

/** GET /monitoring/status: 在线率 by region and by sensor type. */
export interface MonitoringStatus {
  byRegion: (StatusCounts & { regionCode: string; regionName: string | null })[];
  byType: (StatusCounts & { type: string; typeName: string | null })[];
}

export type AlarmState = 'raised' | 'acknowledged' | 'handled' | 'cleared';
/** The list's state filter: `open` is every alarm not cleared. */
export type AlarmStateFilter = 'open' | AlarmState;
export type RuleKind = 'threshold' | 'accumulation' | 'rate' | 'offline' | 'composite';

export type AlarmClearReason = 'recovered' | 'manual' | 'rule_changed' | 'rule_removed' | 'sensor_unbound';

export interface Alarm {
  id: number;
  ruleId: string;
  ruleVersion: number;
  ruleKind: RuleKind;
  ruleName: string | null;
  scope: 'sensor' | 'point' | 'area';
  /** The sensor code, point id or county code the alarm is about. */
  subject: string;
  sensorId?: number | null;
  sensorCode: string | null;
  pointId: number | null;
  pointName: string | null;
  regionCode: string;
  regionName?: string | null;
  level: WarningLevel;
  maxLevel: WarningLevel;
  state: AlarmState;
  value: number | null;
  message: string;
  /** When the reading that raised it was measured. */
  observedAt?: string | null;
  raisedAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  handledAt: string | null;
  handledBy: string | null;
  handleNote: string | null;
  clearedAt: string | null;
  clearedBy: string | null;
  clearReason: AlarmClearReason | string | null;
}

export type AlarmEventKind = 'raised' | 'level_changed' | 'acknowledged' | 'handled' | 'cleared';

export interface AlarmEvent {
  id?: number;
  at: string;
  kind: AlarmEventKind | string;
  level: WarningLevel | null;
  previousLevel: WarningLevel | null;
  value: number | null;
  message?: string | null;
  by: string | null;
  note: string | null;
}

export interface AlarmDetail extends Alarm {
  events: AlarmEvent[];
}

export interface ReadingsIngestedData {
  accepted: number;
  rejected: number;
  sensors: number;
}

/** A monitoring rule as listed; `definition` is the rule JSON of @anlan/rules, defaults filled in. */
export interface MonitoringRule {
  id: string;
  kind: RuleKind;
  name: string | null;
  version: number;
  enabled: boolean;
  /** Who sees and edits it: the sensor's or point's region; 000000 for national rules. */
  regionCode: string;
  regionName?: string | null;
  /** 'sensor': implied by a sensor's own thresholds (read only; change the sensor). */
  source?: 'stored' | 'sensor';
  origin?: 'catalogue' | 'user' | null;
  /** Whether the caller may change or delete it. */
  editable?: boolean;
  definition: Record<string, unknown>;
  createdAt?: string | null;
  createdBy?: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface RulePage {
  items: MonitoringRule[];
  total: number;
  limit: number;
  offset: number;
}

/** One stored version of a rule (GET /monitoring/rules/:id/versions), newest first. */
export interface MonitoringRuleVersion {
  version: number;
  change: 'created' | 'updated' | 'deleted';
  kind: RuleKind;
  definition: Record<string, unknown>;
  enabled: boolean;
  regionCode: string;
  changedAt: string;
  changedBy: string;
}

/** POST /monitoring/rules/validate */
export interface RuleValidation {
  valid: boolean;
  errors: { field: string; message: string }[];
  rule: Record<string, unknown> | null;
  regionCode: string | null;
}

/** POST /monitoring/import answer. */
export interface RegistryImportResult {
  kind: 'points' | 'sensors';
  mode: 'insert' | 'upsert';
  format: string;
  dryRun: boolean;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: { row: number; field: string; column: string; message: string }[];
  ignoredColumns: string[];
}
