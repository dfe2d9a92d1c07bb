/**
 * The Chinese early-warning vocabulary: event types of the national warning system and the
 * four-colour levels (蓝 黄 橙 红), mapped to CAP's category, severity, urgency and certainty.
 * packages/cap/README.md has the same tables with their sources.
 *
 * Sources, and what could not be verified here:
 * - Levels 蓝/黄/橙/红 = Ⅳ/Ⅲ/Ⅱ/Ⅰ级 = 一般/较重/严重/特别严重: 《突发事件应对法》(2007) 第四十二条 and the
 *   CMA warning signals (each signal's icon says e.g. "Ⅱ级/严重"); the grade words were seen in
 *   published warning texts ("雷电黄色预警[Ⅲ级/较重]").
 * - Meteorological signals and their levels: 《气象灾害预警信号发布与传播办法》(中国气象局令第16号,
 *   2007) and its annex 《气象灾害预警信号及防御指南》 (14 signals). 霾 was revised in 2013 (CMA
 *   预报与网络司 notice of 2013-01-28) from 黄/橙 to 黄/橙/红. The list of 14 and the levels of 暴雨,
 *   大雾, 霜冻 and 霾 were checked against copies of those texts; the levels of the other signals are
 *   from the annex as remembered and as they appear in warning feeds, not re-read from the decree.
 *   Provinces add local signals and levels (e.g. 广东 森林火险, 北京 高温蓝色); only the national
 *   set is here.
 * - 森林火险: 黄/橙/红 = 森林火险气象等级 三/四/五级 (一、二级 are forecast, no signal); seen in
 *   secondary sources, not in the issuing rule itself.
 * - 地质灾害 (自然资源部 with CMA, 地质灾害气象风险预警), 山洪 (水利部 with CMA, 山洪灾害气象预警)
 *   and 洪水 (水利部 hydrological 洪水预警): four levels each, from secondary sources and published
 *   warnings (a 山洪 蓝色 warning was seen); national-level 地质灾害 bulletins usually start at 黄.
 * - 地震: no colour warning signal is issued for earthquakes. The four levels listed are Anlan's
 *   convention for the four grades of 《国家地震应急预案》 (一般/较大/重大/特别重大), not an official
 *   signal.
 * - English event names follow the English on the CMA icons where one exists (Rainstorm as in the
 *   sample messages); not checked against the icons themselves.
 */
import { type CapCategory, type CapCertainty, type CapSeverity, type CapUrgency, type CapValuePair } from './types.ts';

export const WARNING_LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
/** The four-colour level, lowest first; written in CAP as `eventCode` `level` (the samples' convention). */
export type WarningLevel = (typeof WARNING_LEVELS)[number];

export const LEVEL_NAMES: Record<WarningLevel, { zh: string; en: string; grade: string; gravity: string }> = {
  blue: { zh: '蓝色', en: 'Blue', grade: 'Ⅳ级', gravity: '一般' },
  yellow: { zh: '黄色', en: 'Yellow', grade: 'Ⅲ级', gravity: '较重' },
  orange: { zh: '橙色', en: 'Orange', grade: 'Ⅱ级', gravity: '严重' },
  red: { zh: '红色', en: 'Red', grade: 'Ⅰ级', gravity: '特别严重' },
};

export interface WarningEventType {
  /** Stable identifier for code and configuration. */
  key: string;
  /** The Chinese name, as written in `<event>` of a zh-CN info. */
  zh: string;
  /** The English name, as written in `<event>` of an en-US info. */
  event: string;
  category: CapCategory;
  /** The levels the issuing system uses, lowest first. */
  levels: readonly WarningLevel[];
  /** Who issues it. */
  issuer: string;
}

const ALL: readonly WarningLevel[] = WARNING_LEVELS;
const YOR: readonly WarningLevel[] = ['yellow', 'orange', 'red'];
const OR: readonly WarningLevel[] = ['orange', 'red'];
const CMA = '气象部门 (CMA)';

export const WARNING_EVENT_TYPES: readonly WarningEventType[] = [
  { key: 'typhoon', zh: '台风', event: 'Typhoon', category: 'Met', levels: ALL, issuer: CMA },
  { key: 'rainstorm', zh: '暴雨', event: 'Rainstorm', category: 'Met', levels: ALL, issuer: CMA },
  { key: 'snowstorm', zh: '暴雪', event: 'Snowstorm', category: 'Met', levels: ALL, issuer: CMA },
  { key: 'cold-wave', zh: '寒潮', event: 'Cold Wave', category: 'Met', levels: ALL, issuer: CMA },
  { key: 'gale', zh: '大风', event: 'Gale', category: 'Met', levels: ALL, issuer: CMA },
  { key: 'sandstorm', zh: '沙尘暴', event: 'Sandstorm', category: 'Met', levels: YOR, issuer: CMA },
  { key: 'heat-wave', zh: '高温', event: 'Heat Wave', category: 'Met', levels: YOR, issuer: CMA },
  { key: 'drought', zh: '干旱', event: 'Drought', category: 'Met', levels: OR, issuer: CMA },
  { key: 'lightning', zh: '雷电', event: 'Lightning', category: 'Met', levels: YOR, issuer: CMA },
  { key: 'hail', zh: '冰雹', event: 'Hail', category: 'Met', levels: OR, issuer: CMA },
  { key: 'frost', zh: '霜冻', event: 'Frost', category: 'Met', levels: ['blue', 'yellow', 'orange'], issuer: CMA },
  { key: 'fog', zh: '大雾', event: 'Heavy Fog', category: 'Met', levels: YOR, issuer: CMA },
  // CMA issues haze as a weather signal (visibility, humidity and, since 2013, PM2.5); CAP's Env
  // (pollution) would fit an air-quality warning from the ecology-environment bureau instead.
  { key: 'haze', zh: '霾', event: 'Haze', category: 'Met', levels: YOR, issuer: CMA },
  { key: 'road-icing', zh: '道路结冰', event: 'Road Icing', category: 'Met', levels: YOR, issuer: CMA },
  { key: 'forest-fire', zh: '森林火险', event: 'Forest Fire Danger', category: 'Fire', levels: YOR, issuer: '应急管理、林草与气象部门' },
  // CAP 1.2 puts landslides under Geo and floods under Met ("Meteorological (inc. flood)").
  { key: 'geohazard', zh: '地质灾害', event: 'Geological Hazard', category: 'Geo', levels: ALL, issuer: '自然资源部门与气象部门' },
  { key: 'flash-flood', zh: '山洪', event: 'Flash Flood', category: 'Met', levels: ALL, issuer: '水利部门与气象部门' },
  { key: 'flood', zh: '洪水', event: 'Flood', category: 'Met', levels: ALL, issuer: '水利部门 (水文)' },
  { key: 'earthquake', zh: '地震', event: 'Earthquake', category: 'Geo', levels: ALL, issuer: '地震部门 (no colour signal; Anlan convention)' },
];

/** An event type by its Chinese name (also with 预警/预警信号 after it), English name or key. */
export function findEventType(name: string): WarningEventType | undefined {
  const n = name.trim().replace(/(预警信号|预警)$/, '');
  const lower = n.toLowerCase();
  return WARNING_EVENT_TYPES.find((t) => t.zh === n || t.key === lower || t.event.toLowerCase() === lower);
}

/**
 * Where a warning stands, which sets CAP's urgency and certainty (the level sets the severity):
 * - `forecast` 预报/预警 — issued hours ahead (the 6 h and 3 h steps of 6-3-1): prepare now → Expected, Likely.
 * - `imminent` 临近/叫应 — the 1 h call-response step: act now → Immediate, Likely.
 * - `observed` 实况 — the criterion is already met and may continue ("已达…且可能持续") → Immediate, Observed.
 * - `risk` 风险预警 — a probability of occurrence (地质灾害/山洪气象风险) → Expected, Possible.
 */
export const WARNING_STAGES = ['forecast', 'imminent', 'observed', 'risk'] as const;
export type WarningStage = (typeof WARNING_STAGES)[number];

const SEVERITY: Record<WarningLevel, CapSeverity> = { blue: 'Minor', yellow: 'Moderate', orange: 'Severe', red: 'Extreme' };
const STAGE: Record<WarningStage, { urgency: CapUrgency; certainty: CapCertainty }> = {
  forecast: { urgency: 'Expected', certainty: 'Likely' },
  imminent: { urgency: 'Immediate', certainty: 'Likely' },
  observed: { urgency: 'Immediate', certainty: 'Observed' },
  risk: { urgency: 'Expected', certainty: 'Possible' },
};

/** CAP's severity, urgency and certainty for a level at a stage (default `forecast`). */
export function levelToCap(level: WarningLevel, stage: WarningStage = 'forecast'): { severity: CapSeverity; urgency: CapUrgency; certainty: CapCertainty } {
  if (!WARNING_LEVELS.includes(level)) throw new RangeError(`levelToCap: unknown level "${String(level)}" (blue, yellow, orange or red)`);
  if (!WARNING_STAGES.includes(stage)) throw new RangeError(`levelToCap: unknown stage "${String(stage)}" (${WARNING_STAGES.join(', ')})`);
  return { severity: SEVERITY[level], ...STAGE[stage] };
}

const LEVEL_WORDS: Record<string, WarningLevel> = {
  blue: 'blue', yellow: 'yellow', orange: 'orange', red: 'red',
  蓝: 'blue', 黄: 'yellow', 橙: 'orange', 红: 'red',
  iv: 'blue', iii: 'yellow', ii: 'orange', i: 'red', ⅳ: 'blue', ⅲ: 'yellow', ⅱ: 'orange', ⅰ: 'red',
};

/** A level from its usual spellings: blue/Blue, 蓝/蓝色/蓝色预警, Ⅳ/IV/Ⅳ级. */
export function parseLevel(text: string): WarningLevel | null {
  const t = text.trim().toLowerCase().replace(/(色预警信号|色预警|色|级)$/, '');
  return LEVEL_WORDS[t] ?? null;
}

/** The `eventCode` that carries the level in Anlan's messages: `level` = blue|yellow|orange|red. */
export function levelEventCode(level: WarningLevel): CapValuePair {
  return { valueName: 'level', value: level };
}

/**
 * The level of a CAP info: from an `eventCode` named `level` when there is one (the samples'
 * convention; 蓝色 or Ⅳ are read too), else from the severity (Minor blue … Extreme red). An info
 * with urgency Past and no level code — a lifted warning, as in a Cancel — has none: `null`, as
 * for severity Unknown.
 */
export function capToLevel(info: { severity: string; urgency?: string; eventCodes?: readonly CapValuePair[] }): WarningLevel | null {
  for (const code of info.eventCodes ?? []) {
    if (code.valueName.trim().toLowerCase() !== 'level') continue;
    const level = parseLevel(code.value);
    if (level) return level;
  }
  if (info.urgency === 'Past') return null;
  const entry = Object.entries(SEVERITY).find(([, severity]) => severity === info.severity);
  return entry ? (entry[0] as WarningLevel) : null;
}

const SEVERITY_RANK: Record<string, number> = { Unknown: 0, Minor: 1, Moderate: 2, Severe: 3, Extreme: 4 };

/** A CAP severity as a number for comparisons: Unknown 0, Minor 1 … Extreme 4; -1 for anything else. */
export function severityRank(severity: string): number {
  return SEVERITY_RANK[severity] ?? -1;
}
