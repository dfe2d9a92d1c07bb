/**
 * The catalogue of monitoring point types and sensor types: Chinese and English names, the
 * quantity and unit each sensor type reports, a typical sampling interval and measuring range,
 * and default warning thresholds (蓝/黄/橙/红).
 *
 * Defaults come from public Chinese standards where one fixes a number; each entry names its
 * source. Where the number belongs to the site (a river's 警戒水位, a tank's design pressure, a
 * bridge's design deflection) the entry is `siteSpecific: true`, carries no number, and
 * `levelMeaning` tells the bureau which site value goes into which level. Mapping a standard's
 * grades onto the four warning colours is Anlan's choice where the standard has no colours; the
 * source notes say so.
 */

export const LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_NAMES: Readonly<Record<Level, string>> = { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' };

export type Direction = 'above' | 'below';

/** Four-level thresholds on a reading; `above`: alarming when the value rises to a level, `below`: when it falls to it. */
export interface Thresholds {
  direction: Direction;
  blue?: number;
  yellow?: number;
  orange?: number;
  red?: number;
}

/** Thresholds on the sum of the readings over a sliding window (rain in the last 3 h); always "above". */
export interface AccumulationThreshold {
  windowSec: number;
  blue?: number;
  yellow?: number;
  orange?: number;
  red?: number;
}

// ---- monitoring point types ----

export const POINT_TYPES = [
  { key: 'rain_gauge', name: '雨量站', nameEn: 'Rain gauge station' },
  { key: 'hydrological_station', name: '水文站', nameEn: 'Hydrological (river) station' },
  { key: 'reservoir', name: '水库', nameEn: 'Reservoir / dam' },
  { key: 'hazchem_site', name: '危化企业/储罐区', nameEn: 'Hazardous-chemical site / tank farm' },
  { key: 'tailings_pond', name: '尾矿库', nameEn: 'Tailings pond' },
  { key: 'landslide', name: '滑坡隐患点', nameEn: 'Landslide hazard site' },
  { key: 'bridge', name: '桥梁', nameEn: 'Bridge' },
  { key: 'gas_pipeline', name: '燃气管网', nameEn: 'Gas pipeline network' },
  { key: 'weather_station', name: '气象站', nameEn: 'Weather station' },
  { key: 'other', name: '其他', nameEn: 'Other' },
] as const;
export type PointTypeKey = (typeof POINT_TYPES)[number]['key'];
export const POINT_TYPE_KEYS: readonly PointTypeKey[] = POINT_TYPES.map((t) => t.key);

/** Other names a spreadsheet may use for a point type. */
const POINT_TYPE_ALIASES: Record<string, PointTypeKey> = {
  雨量监测站: 'rain_gauge', 自动雨量站: 'rain_gauge', 水位站: 'hydrological_station', 河道水文站: 'hydrological_station',
  水库大坝: 'reservoir', 大坝: 'reservoir', 危化企业: 'hazchem_site', 储罐区: 'hazchem_site', 危险化学品企业: 'hazchem_site',
  地质灾害隐患点: 'landslide', 滑坡: 'landslide', 崩塌隐患点: 'landslide', 燃气管道: 'gas_pipeline', 自动气象站: 'weather_station',
};

/** What a point watches: the object a point is installed on or for. */
export const WATCHES_KINDS = [
  { key: 'enterprise', name: '企业' },
  { key: 'dam', name: '大坝' },
  { key: 'tailings', name: '尾矿库' },
  { key: 'slope', name: '边坡/滑坡体' },
  { key: 'bridge', name: '桥梁' },
  { key: 'reservoir', name: '水库' },
  { key: 'river', name: '河流' },
  { key: 'pipeline', name: '管道' },
  { key: 'tank', name: '储罐' },
  { key: 'other', name: '其他' },
] as const;
export type WatchesKind = (typeof WATCHES_KINDS)[number]['key'];
export const WATCHES_KIND_KEYS: readonly WatchesKind[] = WATCHES_KINDS.map((k) => k.key);
const WATCHES_ALIASES: Record<string, WatchesKind> = { 边坡: 'slope', 滑坡体: 'slope', 滑坡: 'slope', 河道: 'river', 生产经营单位: 'enterprise' };

// ---- sensor types ----

export interface SensorTypeDef {
  key: string;
  name: string;
  nameEn: string;
  /** Point types this sensor is usually installed at (a suggestion for forms, not enforced). */
  pointTypes: readonly PointTypeKey[];
  /** Machine name of what is measured; several types may share one (water_level, pressure). */
  quantity: string;
  unit: string;
  samplingIntervalSec: number;
  /** A typical measuring range of the instrument; the installed instrument's range overrides it. */
  range: { min: number; max: number } | null;
  thresholds: Thresholds;
  /** True when the numbers must come from the site (design values, gauge datum): the defaults carry none. */
  siteSpecific: boolean;
  /** Which site value belongs in which level, for site-specific thresholds. */
  levelMeaning?: Partial<Record<Level, string>>;
  /** Sliding-window sums; only types whose readings are increments (rain) have them. */
  accumulation?: readonly AccumulationThreshold[];
  source: string;
  note?: string;
}

const H = 3600;

export const SENSOR_TYPES: readonly SensorTypeDef[] = [
  {
    key: 'rainfall',
    name: '雨量',
    nameEn: 'Rainfall',
    pointTypes: ['rain_gauge', 'weather_station', 'hydrological_station', 'reservoir', 'tailings_pond', 'landslide'],
    quantity: 'rainfall',
    unit: 'mm',
    // 5 min is the usual reporting step of automatic rain gauges (SL 61-2015 水文自动测报系统技术规范).
    samplingIntervalSec: 300,
    range: { min: 0, max: 300 },
    // A reading is the rain of one interval; warnings come from the sums over windows below.
    thresholds: { direction: 'above' },
    siteSpecific: false,
    // 3 h / 6 h / 12 h: the rainstorm warning signals (暴雨预警信号) of 中国气象局令第16号
    // 《气象灾害预警信号发布与传播办法》(2007): 蓝 12 h ≥ 50 mm, 黄 6 h ≥ 50 mm, 橙 3 h ≥ 50 mm,
    // 红 3 h ≥ 100 mm. The signals are issued on forecasts; applied here to what a gauge measured.
    // 1 h: 短时强降水, rain of at least 20 mm in one hour (CMA severe-convection criterion).
    // 24 h: the grades of GB/T 28592-2012 降水量等级 (暴雨 ≥ 50, 大暴雨 ≥ 100, 特大暴雨 ≥ 250 mm);
    // their colours are Anlan's mapping, not the standard's.
    accumulation: [
      { windowSec: 1 * H, blue: 20 },
      { windowSec: 3 * H, orange: 50, red: 100 },
      { windowSec: 6 * H, yellow: 50 },
      { windowSec: 12 * H, blue: 50 },
      { windowSec: 24 * H, blue: 50, orange: 100, red: 250 },
    ],
    source: '中国气象局令第16号 暴雨预警信号；GB/T 28592-2012 降水量等级；短时强降水 1 h ≥ 20 mm',
    note: 'Site rainfall thresholds for flash floods (山洪灾害 准备转移/立即转移) and geohazards are set per site on top of these.',
  },
  {
    key: 'water_level_river',
    name: '河道水位',
    nameEn: 'River water level',
    pointTypes: ['hydrological_station'],
    quantity: 'water_level',
    unit: 'm',
    samplingIntervalSec: 300,
    // An elevation in the station's datum (1985 国家高程基准 or a local one).
    range: { min: -50, max: 9000 },
    thresholds: { direction: 'above' },
    siteSpecific: true,
    // 水利部《水情预警发布管理办法（试行）》(2013): 洪水蓝色 接近警戒水位, 黄色 达到警戒水位,
    // 橙色 达到保证水位, 红色 达到历史最高水位 (or flood return periods 5 / 20 / 50 years).
    // 警戒水位 and 保证水位 are set per station (GB/T 22482-2008 水文情报预报规范).
    levelMeaning: { blue: '接近警戒水位（如警戒水位 − 0.5 m）', yellow: '警戒水位', orange: '保证水位', red: '历史最高水位' },
    source: '水利部《水情预警发布管理办法（试行）》；GB/T 22482-2008 水文情报预报规范',
  },
  {
    key: 'water_level_reservoir',
    name: '水库水位',
    nameEn: 'Reservoir water level',
    pointTypes: ['reservoir'],
    quantity: 'water_level',
    unit: 'm',
    samplingIntervalSec: 300,
    range: { min: -50, max: 9000 },
    thresholds: { direction: 'above' },
    siteSpecific: true,
    // The characteristic levels are fixed in each reservoir's design and 调度规程 (defined in
    // GB 50201-2014 防洪标准 and SL 252-2017); which colour each one gets is Anlan's default.
    levelMeaning: { blue: '汛限水位', yellow: '防洪高水位', orange: '设计洪水位', red: '校核洪水位' },
    source: 'GB 50201-2014 防洪标准；SL 252-2017 水利水电工程等级划分及洪水标准（特征水位由水库调度规程确定）',
  },
  {
    key: 'gas_combustible',
    name: '可燃气体浓度',
    nameEn: 'Combustible gas concentration',
    pointTypes: ['hazchem_site', 'gas_pipeline'],
    quantity: 'combustible_gas_concentration',
    unit: '%LEL',
    samplingIntervalSec: 10,
    range: { min: 0, max: 100 },
    // GB/T 50493-2019: 一级报警设定值 ≤ 25 %LEL, 二级报警设定值 ≤ 50 %LEL. 一级 → yellow and
    // 二级 → red is Anlan's mapping.
    thresholds: { direction: 'above', yellow: 25, red: 50 },
    siteSpecific: false,
    source: 'GB/T 50493-2019 石油化工可燃气体和有毒气体检测报警设计标准（一级 ≤ 25 %LEL，二级 ≤ 50 %LEL）',
  },
  {
    key: 'gas_toxic',
    name: '有毒气体浓度',
    nameEn: 'Toxic gas concentration',
    pointTypes: ['hazchem_site'],
    quantity: 'toxic_gas_concentration',
    unit: 'ppm',
    samplingIntervalSec: 10,
    range: { min: 0, max: 1000 },
    thresholds: { direction: 'above' },
    // GB/T 50493-2019: 一级 ≤ 100 % OEL, 二级 ≤ 200 % OEL; the OEL depends on the gas (GBZ 2.1-2019).
    siteSpecific: true,
    levelMeaning: { yellow: '一级报警：≤ 100 % 职业接触限值 (OEL)', red: '二级报警：≤ 200 % OEL' },
    source: 'GB/T 50493-2019；GBZ 2.1-2019 工作场所有害因素职业接触限值',
    // 20 °C, 101.3 kPa: ppm = mg/m³ × 24.04 / molar mass.
    note: 'OEL by gas (GBZ 2.1-2019, at 20 °C): H₂S MAC 10 mg/m³ ≈ 7 ppm; CO PC-TWA 20 mg/m³ ≈ 17 ppm; NH₃ PC-TWA 20 mg/m³ ≈ 28 ppm; Cl₂ MAC 1 mg/m³ ≈ 0.34 ppm.',
  },
  {
    key: 'tank_temperature',
    name: '储罐温度',
    nameEn: 'Tank temperature',
    pointTypes: ['hazchem_site'],
    quantity: 'temperature',
    unit: '°C',
    samplingIntervalSec: 60,
    range: { min: -50, max: 200 },
    thresholds: { direction: 'above' },
    // AQ 3036-2010 requires temperature, pressure and level monitoring with alarms on tanks of a
    // major hazard installation; the set points come from the tank's process design.
    siteSpecific: true,
    levelMeaning: { yellow: '高温报警值 (H)', red: '高高温联锁值 (HH)' },
    source: 'AQ 3036-2010 危险化学品重大危险源 罐区现场安全监控装备设置规范（设定值按工艺设计）',
  },
  {
    key: 'tank_pressure',
    name: '储罐压力',
    nameEn: 'Tank pressure',
    pointTypes: ['hazchem_site'],
    quantity: 'pressure',
    unit: 'MPa',
    samplingIntervalSec: 10,
    range: { min: -0.1, max: 10 },
    thresholds: { direction: 'above' },
    siteSpecific: true,
    levelMeaning: { yellow: '高压报警值 (H)', red: '高高压联锁值 (HH)，低于设计压力' },
    source: 'AQ 3036-2010；GB 50160-2008（2018年版）石油化工企业设计防火标准（设定值按储罐设计）',
  },
  {
    key: 'tank_level',
    name: '储罐液位',
    nameEn: 'Tank liquid level',
    pointTypes: ['hazchem_site'],
    quantity: 'liquid_level',
    unit: 'm',
    samplingIntervalSec: 60,
    range: { min: 0, max: 30 },
    thresholds: { direction: 'above' },
    // GB 50160 and AQ 3036 call for a high-level alarm and a high-high interlock on such tanks.
    siteSpecific: true,
    levelMeaning: { yellow: '高液位报警 (H)', red: '高高液位联锁 (HH)' },
    source: 'GB 50160-2008（2018年版）；AQ 3036-2010（设定值按储罐设计）',
  },
  {
    key: 'tailings_saturation_line',
    name: '尾矿库浸润线埋深',
    nameEn: 'Tailings dam saturation line burial depth',
    pointTypes: ['tailings_pond'],
    quantity: 'saturation_line_depth',
    unit: 'm',
    samplingIntervalSec: 3600,
    range: { min: 0, max: 100 },
    // A saturation line rising towards the dam face is the danger, so a shallower burial depth
    // is worse: direction "below" (AQ 2006-2005 / GB 39496-2020 classify a dam whose line is
    // shallower than the control line as unsafe). The minimum depth depends on the dam height
    // (GB 50863-2013 table); GB 51108-2015 takes it as the red value and 1.1 × it as orange.
    thresholds: { direction: 'below' },
    siteSpecific: true,
    levelMeaning: { yellow: '控制浸润线埋深（设计）', orange: '1.1 × 最小埋深', red: 'GB 50863 按堆积坝高度规定的最小埋深' },
    source: 'GB 39496-2020 尾矿库安全规程；AQ 2006-2005；GB 50863-2013 尾矿设施设计规范；GB 51108-2015 尾矿库在线安全监测系统工程技术规范',
  },
  {
    key: 'tailings_seepage',
    name: '尾矿库渗流量',
    nameEn: 'Tailings dam seepage flow',
    pointTypes: ['tailings_pond'],
    quantity: 'seepage_flow',
    unit: 'L/s',
    samplingIntervalSec: 3600,
    range: { min: 0, max: 1000 },
    thresholds: { direction: 'above' },
    // No national number: a sudden rise against the dam's own record (or turbid seepage) is the sign.
    siteSpecific: true,
    levelMeaning: { yellow: '超过历史同期均值的设定倍数', red: '设计允许渗流量' },
    source: 'AQ 2030-2010 尾矿库安全监测技术规范；GB 51108-2015（阈值按设计与历史观测）',
  },
  {
    key: 'gnss_displacement',
    name: 'GNSS位移',
    nameEn: 'GNSS displacement',
    pointTypes: ['landslide', 'tailings_pond', 'reservoir'],
    quantity: 'displacement',
    unit: 'mm',
    samplingIntervalSec: 3600,
    range: { min: 0, max: 10000 },
    thresholds: { direction: 'above' },
    // Cumulative displacement limits are set per slope; the rate (tangent-angle) criteria belong
    // to rate rules, not to these thresholds.
    siteSpecific: true,
    levelMeaning: { blue: '累计位移注意值', yellow: '累计位移警示值', orange: '累计位移警戒值', red: '累计位移警报值' },
    source: 'DZ/T 0221-2006 崩塌、滑坡、泥石流监测规范（阈值按监测设计）',
  },
  {
    key: 'crack_width',
    name: '裂缝宽度',
    nameEn: 'Crack width',
    pointTypes: ['landslide'],
    quantity: 'crack_width',
    unit: 'mm',
    samplingIntervalSec: 600,
    range: { min: 0, max: 1000 },
    thresholds: { direction: 'above' },
    siteSpecific: true,
    levelMeaning: { blue: '注意值', yellow: '警示值', orange: '警戒值', red: '警报值' },
    source: 'DZ/T 0221-2006 崩塌、滑坡、泥石流监测规范（阈值按监测设计）',
  },
  {
    key: 'bridge_strain',
    name: '桥梁应变',
    nameEn: 'Bridge strain',
    pointTypes: ['bridge'],
    quantity: 'strain',
    unit: 'με',
    samplingIntervalSec: 60,
    range: { min: -3000, max: 3000 },
    thresholds: { direction: 'above' },
    // Alarm values derive from the design values of the member (JT/T 1037-2022, which replaced JT/T 1037-2016).
    siteSpecific: true,
    levelMeaning: { yellow: '设计值的设定比例（一级）', red: '设计值（二级）' },
    source: 'JT/T 1037-2022 公路桥梁结构监测技术规范（阈值按结构设计）',
    note: 'Tensile strain is positive; for a compressed member use direction "below" with negative values.',
  },
  {
    key: 'bridge_deflection',
    name: '桥梁挠度',
    nameEn: 'Bridge deflection',
    pointTypes: ['bridge'],
    quantity: 'deflection',
    unit: 'mm',
    samplingIntervalSec: 60,
    range: { min: -1000, max: 1000 },
    thresholds: { direction: 'above' },
    siteSpecific: true,
    levelMeaning: { yellow: '设计挠度的设定比例', red: '容许挠度（JTG 3362-2018：梁式桥主梁 L/600）' },
    source: 'JTG 3362-2018 公路钢筋混凝土及预应力混凝土桥涵设计规范；JT/T 1037-2022',
  },
  {
    key: 'pipeline_pressure',
    name: '燃气管道压力',
    nameEn: 'Gas pipeline pressure',
    pointTypes: ['gas_pipeline'],
    quantity: 'pressure',
    unit: 'MPa',
    samplingIntervalSec: 60,
    // Up to 高压A (2.5–4.0 MPa) of GB 50028.
    range: { min: 0, max: 6 },
    thresholds: { direction: 'above' },
    // The limits follow the pipe's pressure class and maximum operating pressure; a pressure
    // drop (a break) is watched with a second sensor rule in direction "below".
    siteSpecific: true,
    levelMeaning: { yellow: '运行压力上限', red: '最高允许工作压力 (MAOP)' },
    source: 'GB 50028-2006（2020年版）城镇燃气设计规范 压力分级；CJJ 51-2016 城镇燃气设施运行、维护和抢修安全技术规程',
    note: 'Pressure classes (GB 50028): 低压 < 0.01; 中压B 0.01–0.2; 中压A 0.2–0.4; 次高压B 0.4–0.8; 次高压A 0.8–1.6; 高压B 1.6–2.5; 高压A 2.5–4.0 MPa.',
  },
  {
    key: 'wind_speed',
    name: '风速',
    nameEn: 'Wind speed',
    pointTypes: ['weather_station', 'bridge'],
    quantity: 'wind_speed',
    unit: 'm/s',
    samplingIntervalSec: 60,
    range: { min: 0, max: 60 },
    // Gale warning signals (大风预警信号, 中国气象局令第16号) on the mean wind: 蓝 6 级, 黄 8 级,
    // 橙 10 级, 红 12 级; the lower bounds of those Beaufort forces from GB/T 28591-2012 风力等级.
    thresholds: { direction: 'above', blue: 10.8, yellow: 17.2, orange: 24.5, red: 32.7 },
    siteSpecific: false,
    source: '中国气象局令第16号 大风预警信号；GB/T 28591-2012 风力等级（6 级 10.8、8 级 17.2、10 级 24.5、12 级 32.7 m/s）',
  },
  {
    key: 'other',
    name: '其他',
    nameEn: 'Other (custom)',
    pointTypes: POINT_TYPE_KEYS,
    // No defaults: the bureau gives the quantity and unit of a sensor the catalogue does not know.
    quantity: '',
    unit: '',
    samplingIntervalSec: 600,
    range: null,
    thresholds: { direction: 'above' },
    siteSpecific: true,
    source: '—',
  },
];

export const CUSTOM_SENSOR_TYPE = 'other';
export const SENSOR_TYPE_KEYS: readonly string[] = SENSOR_TYPES.map((t) => t.key);
const SENSOR_BY_KEY = new Map(SENSOR_TYPES.map((t) => [t.key, t]));

export function sensorType(key: string): SensorTypeDef | undefined {
  return SENSOR_BY_KEY.get(key);
}

/** Catalogue types measuring this quantity; more than one means the caller must name the type. */
export function sensorTypesForQuantity(quantity: string): SensorTypeDef[] {
  return SENSOR_TYPES.filter((t) => t.quantity === quantity && t.key !== CUSTOM_SENSOR_TYPE);
}

function normalise(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, '');
}

function lookup<K extends string>(text: string, entries: readonly { key: K; name: string; nameEn?: string }[], aliases: Record<string, K>): K | null {
  const t = normalise(text);
  for (const e of entries) {
    if (t === e.key || t === normalise(e.name) || (e.nameEn && t === normalise(e.nameEn))) return e.key;
  }
  return aliases[text.trim()] ?? null;
}

/** A point type from its key, Chinese or English name (spreadsheets use any of them). */
export function pointTypeFromText(text: string): PointTypeKey | null {
  return lookup(text, POINT_TYPES, POINT_TYPE_ALIASES);
}

export function sensorTypeFromText(text: string): string | null {
  return lookup(text, SENSOR_TYPES, {});
}

export function watchesKindFromText(text: string): WatchesKind | null {
  return lookup(text, WATCHES_KINDS, WATCHES_ALIASES);
}

export function pointTypeName(key: string): string {
  return POINT_TYPES.find((t) => t.key === key)?.name ?? key;
}

export function watchesKindName(key: string): string {
  return WATCHES_KINDS.find((k) => k.key === key)?.name ?? key;
}

/** The catalogue as served by GET /api/v1/monitoring/types. */
export function catalogueView() {
  return {
    levels: LEVELS.map((key) => ({ key, name: LEVEL_NAMES[key] })),
    pointTypes: POINT_TYPES.map((t) => ({ ...t })),
    watchesKinds: WATCHES_KINDS.map((k) => ({ ...k })),
    sensorTypes: SENSOR_TYPES.map((t) => ({ ...t, pointTypes: [...t.pointTypes], accumulation: t.accumulation ? t.accumulation.map((a) => ({ ...a })) : null })),
  };
}
