/**
 * Downloads of an earthquake assessment: an Excel report (概要, 分县结果, 烈度分布) and a GeoJSON
 * file (intensity contours plus one point per county). Both start from the same view as
 * GET /api/v1/assessments/earthquake/:id, so the county rows are those inside the caller's scope
 * and an assessment outside it is a 404.
 */
import type { Clock, RegionScope } from '@anlan/core';
import { DAMAGE_STATES, type DamageState } from '@anlan/quake';
import { loadRegionPoints, type RegionPoint } from '@anlan/reference-data';
import { buildXlsx, NUM_FMT, type XlsxCell, type XlsxColumn, type XlsxWorkbookSpec } from '../http/xlsx.ts';
import { getEarthquakeAssessment, type AssessmentDeps } from './service.ts';

/** GB/T 17742-2020 wording of the engine's damage states (packages/quake DAMAGE_STATES order). */
export const DAMAGE_STATE_LABELS: Record<DamageState, string> = {
  none: '基本完好',
  slight: '轻微破坏',
  moderate: '中等破坏',
  extensive: '严重破坏',
  complete: '毁坏',
};

const PAGER_LABELS: Record<string, string> = { green: '绿色', yellow: '黄色', orange: '橙色', red: '红色' };
const ROMAN = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
const BANDS = [6, 7, 8, 9, 10, 11, 12] as const;

interface Range {
  median: number;
  low: number;
  high: number;
}

export interface ExportRegion {
  code: string;
  name: string;
  maxIntensity: number;
  population: number;
  exposedPopulation: number;
  buildingsByDamageState: number[];
  deaths: number;
  injuries: number;
  lossCny: number;
}

interface ContourFeature {
  type: 'Feature';
  properties: Record<string, unknown> & { intensity: number };
  geometry: { type: string; coordinates: unknown };
}

/** The fields of the assessment view (service.ts) the downloads use. */
export interface ExportAssessment {
  id: number;
  name: string | null;
  createdAt: Date | string;
  createdBy: string;
  seconds: number;
  event: { lon: number; lat: number; depthKm: number; magnitude: number; strikeDeg?: number | null; time?: string | null };
  epicentre: { code: string; name: string };
  attenuationRegion?: 'east' | 'west';
  occupancy?: 'day' | 'night';
  maxIntensity: number;
  epicentralIntensity?: number;
  areaKm2ByIntensity?: Record<string, number>;
  exposedPopulationByIntensity?: Record<string, number>;
  exposedPopulationAtLeast?: Record<string, number>;
  buildingsByDamageState?: number[];
  deaths: Range;
  injuries: Range;
  economicLossCny: Range;
  pagerAlert: string;
  regions: ExportRegion[];
  contours: { type: 'FeatureCollection'; features: ContourFeature[] } | null;
}

// ---- formatting ----

/** Roman numeral of the intensity band (8.93 → "VIII"), as the web page shows it. */
export function romanOf(intensity: number): string {
  if (!Number.isFinite(intensity)) return '';
  return ROMAN[Math.max(0, Math.min(12, Math.floor(intensity + 1e-9)))] ?? '';
}

/** Whole people and buildings: the model's fractions are not information. */
export const count = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
/** 万元 to one decimal (1,000 元). */
export const wan = (cny: number | null | undefined): number | null => (typeof cny === 'number' && Number.isFinite(cny) ? Math.round(cny / 1e3) / 10 : null);
const round1 = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 10) / 10 : null);

/** "2022-09-05 12:52:18" in Beijing time (UTC+8 all year, no DST). */
function beijingTime(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) return String(value);
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function exportFileBase(a: Pick<ExportAssessment, 'id' | 'event'>): { name: string; ascii: string } {
  const ms = Number(a.event.magnitude).toFixed(1);
  return { name: `地震快速评估-${a.id}-${ms}级`, ascii: `earthquake-assessment-${a.id}-M${ms}` };
}

/** County rows, most deaths first (then loss, then code), as the page's default sort. */
function sortedRegions(a: ExportAssessment): ExportRegion[] {
  return [...a.regions].sort((x, y) => y.deaths - x.deaths || y.lossCny - x.lossCny || x.code.localeCompare(y.code));
}

// ---- Excel ----

const SOURCES =
  '数据来源：人口与住房——第七次全国人口普查分县资料（2020，Lei Dong 等整理，MIT 许可）、第三次全国农业普查；' +
  '烈度衰减——汪素云等（2000）东、西部椭圆衰减关系；房屋破坏——依据 GB/T 17742-2020 推导的破坏概率矩阵；' +
  '经济损失与伤亡——Hazus 类损失比与室内伤亡率；PAGER 警报——USGS PAGER 中国经验死亡模型；' +
  '区县边界与驻地——参考边界（DataV GeoAtlas 2022），仅供示意。';

export function assessmentWorkbookSpec(a: ExportAssessment, exportedAt: Date): XlsxWorkbookSpec {
  const ev = a.event;
  const hasStrike = typeof ev.strikeDeg === 'number';
  const time = beijingTime(ev.time ?? null);
  const area6 = a.areaKm2ByIntensity?.['6'] ?? a.contours?.features.find((f) => Number(f.properties.intensity) === 6)?.properties.areaKm2;
  const exposed6 =
    a.exposedPopulationAtLeast?.['6'] ?? Object.values(a.exposedPopulationByIntensity ?? {}).reduce((s, v) => s + (Number(v) || 0), 0);
  type Line = { item: XlsxCell; value?: XlsxCell; unit?: string; note?: string };
  const section = (title: string): Line => ({ item: { value: title, bold: true } });
  const num = (v: number | null | undefined, numFmt: string): XlsxCell => ({ value: typeof v === 'number' && Number.isFinite(v) ? v : null, numFmt });
  const lines: Line[] = [
    section('地震参数'),
    { item: '评估编号', value: { value: a.id, numFmt: '0' } },
    { item: '评估名称', value: a.name ?? '' },
    { item: '发震时刻', value: time ?? '未给定', unit: time ? '北京时间' : '', note: time ? '' : '未给定时按夜间（人员在室多）估算' },
    { item: '震中经度', value: num(ev.lon, NUM_FMT.coordinate), unit: '°E' },
    { item: '震中纬度', value: num(ev.lat, NUM_FMT.coordinate), unit: '°N' },
    { item: '震源深度', value: num(ev.depthKm, '0.0'), unit: 'km' },
    { item: '震级', value: num(ev.magnitude, '0.0'), unit: 'Ms' },
    hasStrike
      ? { item: '走向', value: num(ev.strikeDeg, '0'), unit: '°', note: '自正北顺时针' }
      : { item: '走向', value: '未给定', note: '未给定时烈度圈按等面积圆计算' },
    { item: '震中所在县', value: `${a.epicentre.name}（${a.epicentre.code}）` },
    ...(a.attenuationRegion ? [{ item: '烈度衰减关系', value: a.attenuationRegion === 'west' ? '西部' : '东部', note: '汪素云等（2000）' }] : []),
    ...(a.occupancy ? [{ item: '人员在室时段', value: a.occupancy === 'day' ? '白天' : '夜间' }] : []),
    section('评估结果（本次地震全部受影响地区）'),
    { item: '最高烈度', value: romanOf(a.maxIntensity), unit: '度', note: `有人口处模型烈度 ${round1(a.maxIntensity) ?? ''}` },
    ...(typeof a.epicentralIntensity === 'number' ? [{ item: '震中烈度', value: romanOf(a.epicentralIntensity), unit: '度', note: `模型烈度 ${round1(a.epicentralIntensity)}` }] : []),
    { item: '死亡（中位值）', value: num(count(a.deaths.median), NUM_FMT.integer), unit: '人' },
    { item: '死亡（低值）', value: num(count(a.deaths.low), NUM_FMT.integer), unit: '人' },
    { item: '死亡（高值）', value: num(count(a.deaths.high), NUM_FMT.integer), unit: '人' },
    { item: '受伤（中位值）', value: num(count(a.injuries.median), NUM_FMT.integer), unit: '人' },
    { item: '受伤（低值）', value: num(count(a.injuries.low), NUM_FMT.integer), unit: '人' },
    { item: '受伤（高值）', value: num(count(a.injuries.high), NUM_FMT.integer), unit: '人' },
    { item: '直接经济损失（中位值）', value: num(wan(a.economicLossCny.median), NUM_FMT.oneDecimal), unit: '万元' },
    { item: '直接经济损失（低值）', value: num(wan(a.economicLossCny.low), NUM_FMT.oneDecimal), unit: '万元' },
    { item: '直接经济损失（高值）', value: num(wan(a.economicLossCny.high), NUM_FMT.oneDecimal), unit: '万元' },
    { item: 'PAGER 警报', value: PAGER_LABELS[a.pagerAlert] ?? a.pagerAlert, note: 'USGS PAGER 中国经验死亡模型' },
    { item: 'VI 度及以上面积', value: num(count(Number(area6)), NUM_FMT.integer), unit: 'km²' },
    { item: 'VI 度及以上暴露人口', value: num(count(exposed6), NUM_FMT.integer), unit: '人' },
    ...(a.buildingsByDamageState?.length === DAMAGE_STATES.length
      ? DAMAGE_STATES.map((s, i) => ({ item: `房屋${DAMAGE_STATE_LABELS[s]}`, value: num(count(a.buildingsByDamageState![i]), NUM_FMT.integer), unit: '栋' }))
      : []),
    section('评估信息'),
    { item: '评估人', value: a.createdBy ?? '' },
    { item: '评估时间', value: beijingTime(a.createdAt) ?? '', unit: '北京时间' },
    { item: '计算用时', value: num(Math.round(a.seconds * 100) / 100, '0.00'), unit: '秒' },
    { item: '导出时间', value: beijingTime(exportedAt) ?? '', unit: '北京时间' },
    { item: '分县结果', value: `${a.regions.length} 个区县`, note: '仅含导出者管辖范围内的区县' },
  ];

  const countyColumns: XlsxColumn[] = [
    { header: '区县代码', key: 'code', width: 11 },
    { header: '区县名称', key: 'name', width: 16 },
    { header: '最高烈度', key: 'roman', width: 10, align: 'center' },
    { header: '烈度值', key: 'intensity', width: 9, numFmt: '0.0' },
    { header: '人口', key: 'population', width: 12, numFmt: NUM_FMT.integer },
    { header: '暴露人口（VI 度及以上）', key: 'exposed', width: 16, numFmt: NUM_FMT.integer },
    ...DAMAGE_STATES.map((s) => ({ header: `${DAMAGE_STATE_LABELS[s]}（栋）`, key: `ds_${s}`, width: 13, numFmt: NUM_FMT.integer })),
    { header: '死亡（人）', key: 'deaths', width: 11, numFmt: NUM_FMT.integer },
    { header: '受伤（人）', key: 'injuries', width: 11, numFmt: NUM_FMT.integer },
    { header: '直接经济损失（万元）', key: 'loss', width: 16, numFmt: NUM_FMT.oneDecimal },
  ];
  const countyRows = sortedRegions(a).map((r) => {
    const row: Record<string, XlsxCell> = {
      code: r.code,
      name: r.name,
      roman: romanOf(r.maxIntensity),
      intensity: round1(r.maxIntensity),
      population: count(r.population),
      exposed: count(r.exposedPopulation),
      deaths: count(r.deaths),
      injuries: count(r.injuries),
      loss: wan(r.lossCny),
    };
    DAMAGE_STATES.forEach((s, i) => (row[`ds_${s}`] = count(r.buildingsByDamageState?.[i])));
    return row;
  });

  const bandRows = BANDS.map((i) => {
    const k = String(i);
    return {
      roman: ROMAN[i],
      intensity: i,
      area: count(a.areaKm2ByIntensity?.[k]),
      population: count(a.exposedPopulationByIntensity?.[k]),
      atLeast: count(a.exposedPopulationAtLeast?.[k]),
    };
  }).filter((r) => (r.area ?? 0) > 0 || (r.population ?? 0) > 0);

  return {
    title: `地震快速评估 ${a.id}`,
    created: exportedAt,
    sheets: [
      {
        name: '概要',
        columns: [
          { header: '项目', key: 'item', width: 26 },
          { header: '数值', key: 'value', width: 24, align: 'right' },
          { header: '单位', key: 'unit', width: 10 },
          { header: '说明', key: 'note', width: 44 },
        ],
        rows: lines,
        notes: [
          '说明：以上均为地震快速评估模型的估算结果（国家默认暴露数据），不确定性较大，仅供应急决策参考，不代替现场调查和灾害损失评估；低值、高值为模型给出的可能范围。',
          '合计为本次地震全部受影响地区；“分县结果”仅列出导出者管辖范围内的区县（最高烈度 VI 度及以上或有死亡估计的区县）。',
          SOURCES,
          '由 Anlan 安澜 应急管理平台导出。',
        ],
      },
      { name: '分县结果', columns: countyColumns, rows: countyRows, autoFilter: true },
      {
        name: '烈度分布',
        columns: [
          { header: '烈度', key: 'roman', width: 8, align: 'center' },
          { header: '烈度值', key: 'intensity', width: 8, numFmt: '0' },
          { header: '面积（该烈度及以上，km²）', key: 'area', width: 22, numFmt: NUM_FMT.integer },
          { header: '暴露人口（该烈度段）', key: 'population', width: 18, numFmt: NUM_FMT.integer },
          { header: '暴露人口（该烈度及以上）', key: 'atLeast', width: 20, numFmt: NUM_FMT.integer },
        ],
        rows: bandRows,
      },
    ],
  };
}

// ---- GeoJSON ----

let regionPoints: Map<string, RegionPoint> | null = null;

/** County seats (else centroids) of the shipped reference data, read once (~230 kB). */
function pointOf(code: string): [number, number] | null {
  regionPoints ??= loadRegionPoints();
  const p = regionPoints.get(code);
  const at = p?.seat ?? p?.centroid;
  return at ? [at[0], at[1]] : null;
}

/**
 * Contour polygons (VI and up, largest first; properties kind "intensity", intensity, label)
 * followed by one Point per county at its seat (kind "county", the county row as properties).
 */
export function assessmentFeatureCollection(a: ExportAssessment) {
  const contours = (a.contours?.features ?? []).map((f) => ({
    type: 'Feature' as const,
    properties: { kind: 'intensity', ...f.properties, intensity: Number(f.properties.intensity), label: `${romanOf(Number(f.properties.intensity))} 度` },
    geometry: f.geometry,
  }));
  const counties = sortedRegions(a).map((r) => {
    const point = pointOf(r.code);
    const properties: Record<string, unknown> = {
      kind: 'county',
      code: r.code,
      name: r.name,
      maxIntensity: r.maxIntensity,
      label: `${romanOf(r.maxIntensity)} 度`,
      population: r.population,
      exposedPopulation: r.exposedPopulation,
    };
    DAMAGE_STATES.forEach((s, i) => (properties[`buildings_${s}`] = r.buildingsByDamageState?.[i] ?? null));
    Object.assign(properties, { deaths: r.deaths, injuries: r.injuries, lossCny: r.lossCny });
    return { type: 'Feature' as const, properties, geometry: point ? { type: 'Point' as const, coordinates: point } : null };
  });
  return {
    type: 'FeatureCollection' as const,
    name: exportFileBase(a).name,
    assessment: {
      id: a.id,
      name: a.name,
      event: a.event,
      epicentre: a.epicentre,
      maxIntensity: a.maxIntensity,
      deaths: a.deaths,
      injuries: a.injuries,
      economicLossCny: a.economicLossCny,
      pagerAlert: a.pagerAlert,
      note: '模型估算结果，仅供应急决策参考；县级点位为参考数据中的政府驻地',
    },
    features: [...contours, ...counties],
  };
}

// ---- what the routes call ----

export interface ExportFile<T> {
  filename: string;
  asciiFilename: string;
  body: T;
}

async function load(deps: Pick<AssessmentDeps, 'db'>, scope: RegionScope, id: number): Promise<ExportAssessment> {
  return (await getEarthquakeAssessment(deps, scope, id)) as unknown as ExportAssessment;
}

export async function exportEarthquakeXlsx(deps: Pick<AssessmentDeps, 'db'> & { clock: Clock }, scope: RegionScope, id: number): Promise<ExportFile<Buffer>> {
  const a = await load(deps, scope, id);
  const base = exportFileBase(a);
  return { filename: `${base.name}.xlsx`, asciiFilename: `${base.ascii}.xlsx`, body: await buildXlsx(assessmentWorkbookSpec(a, deps.clock.now())) };
}

export async function exportEarthquakeGeojson(deps: Pick<AssessmentDeps, 'db'>, scope: RegionScope, id: number): Promise<ExportFile<string>> {
  const a = await load(deps, scope, id);
  const base = exportFileBase(a);
  return { filename: `${base.name}.geojson`, asciiFilename: `${base.ascii}.geojson`, body: JSON.stringify(assessmentFeatureCollection(a)) };
}
