/**
 * The field rules of a warning draft, without I/O: the API's drafts and edits, the steps of a
 * thread (promote, update, cancel) and imported CAP all pass through them, so a warning is refused
 * for the same reason whichever way it came. Areas are checked here for shape only; where they lie
 * (regions, boundaries, validity as geometry) is areas.ts, which needs the database.
 */
import type { FieldError } from '@anlan/core';
import { LEVEL_NAMES, WARNING_EVENT_TYPES, WARNING_LEVELS, findEventType, type WarningEventType, type WarningLevel } from '@anlan/cap';
import type { WarningAreaInput, WarningStage } from '../contracts.ts';

export const STAGES: readonly WarningStage[] = ['forecast', 'short', 'callresponse'];
/** The ladder's names, as the screens and the SMS say them. */
export const STAGE_NAMES: Record<WarningStage, { zh: string; en: string; hours: number }> = {
  forecast: { zh: '预报预警', en: 'Forecast warning', hours: 6 },
  short: { zh: '短临预警', en: 'Short-range warning', hours: 3 },
  callresponse: { zh: '临灾叫应', en: 'Call-response', hours: 1 },
};
/** CAP statuses a warning may be drafted with: real ones, and drills that everyone can tell apart. */
export const DRAFT_STATUSES = ['Actual', 'Exercise'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

export const LIMITS = {
  headline: 200,
  description: 4000,
  instruction: 4000,
  label: 200,
  areas: 50,
  polygonPoints: 2000,
  radiusKm: 300,
  translations: 5,
  /** A warning longer than this is a standing notice, not a warning. */
  maxDurationDays: 30,
} as const;

export interface TranslationInput {
  language: string;
  headline: string;
  description?: string;
  instruction?: string;
}

export interface Translation {
  language: string;
  headline: string;
  description: string;
  instruction: string;
}

/** What a caller sends to draft a warning (all fields) or to change one (any of them). */
export interface DraftInput {
  event?: string;
  level?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  areas?: WarningAreaInput[];
  expires?: string;
  onset?: string | null;
  stage?: string;
  status?: string;
  translations?: TranslationInput[];
  sourceAlarmId?: number | null;
}

/**
 * `within` on a shape: the region its issuer says it is for (an imported CAP area's GB/T 2260
 * geocode beside its polygon); trusted when the shape touches that region.
 */
export type AreaRecord =
  | { kind: 'region'; regionCode: string; label: string | null }
  | { kind: 'polygon'; polygon: [number, number][]; label: string | null; within?: string }
  | { kind: 'circle'; lon: number; lat: number; radiusKm: number; label: string | null; within?: string };

/** A draft as stored, apart from where its areas lie. */
export interface DraftRecord {
  /** A key of the national warning vocabulary (packages/cap). */
  event: string;
  level: WarningLevel;
  headline: string;
  description: string;
  instruction: string;
  areas: AreaRecord[];
  expiresAt: Date;
  onsetAt: Date | null;
  stage: WarningStage;
  status: DraftStatus;
  translations: Translation[];
  sourceAlarmId: number | null;
}

/** Characters XML 1.0 cannot carry (CAP is XML): refused here, naming the field, not at issue. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** xs:language, as CAP's <language> is typed. */
const LANGUAGE_TAG = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

function text(errors: FieldError[], field: string, value: unknown, opts: { required: boolean; max: number }): string {
  if (value === undefined || value === null) {
    if (opts.required) errors.push({ field, message: 'is required' });
    return '';
  }
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be text' });
    return '';
  }
  const t = value.trim();
  if (opts.required && t === '') errors.push({ field, message: 'must not be empty' });
  else if (t.length > opts.max) errors.push({ field, message: `must be at most ${opts.max} characters, got ${t.length}` });
  const bad = NOT_XML_CHAR.exec(t);
  if (bad) errors.push({ field, message: `contains U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}, a control character a warning cannot carry` });
  return t;
}

/** A time given as ISO 8601 with an offset, kept to whole seconds (CAP's precision). */
function time(errors: FieldError[], field: string, value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value.trim())) {
    errors.push({ field, message: 'must be a date-time with a time zone, e.g. 2026-07-15T22:00:00+08:00' });
    return null;
  }
  const ms = Date.parse(value.trim());
  if (!Number.isFinite(ms)) {
    errors.push({ field, message: `is not a real date-time: ${value}` });
    return null;
  }
  return new Date(Math.floor(ms / 1000) * 1000);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const lonOk = (v: unknown) => finite(v) && v >= -180 && v <= 180;
const latOk = (v: unknown) => finite(v) && v >= -90 && v <= 90;

function checkArea(errors: FieldError[], a: unknown, i: number): AreaRecord | null {
  const at = `areas[${i}]`;
  if (!a || typeof a !== 'object' || Array.isArray(a)) {
    errors.push({ field: at, message: 'must be { regionCode }, { polygon } or { circle }' });
    return null;
  }
  const o = a as Record<string, unknown>;
  const kinds = ['regionCode', 'polygon', 'circle'].filter((k) => o[k] !== undefined && o[k] !== null);
  if (kinds.length !== 1) {
    errors.push({ field: at, message: kinds.length === 0 ? 'needs one of regionCode, polygon or circle' : `has ${kinds.join(' and ')}: give one of them per area` });
    return null;
  }
  const label = o.label === undefined || o.label === null ? null : text(errors, `${at}.label`, o.label, { required: false, max: LIMITS.label }) || null;
  const within = typeof o.within === 'string' && /^(\d{6}|\d{9}|\d{12})$/.test(o.within) ? { within: o.within } : {};
  if (o.regionCode !== undefined && o.regionCode !== null) {
    if (typeof o.regionCode !== 'string' || !/^(\d{6}|\d{9}|\d{12})$/.test(o.regionCode)) {
      errors.push({ field: `${at}.regionCode`, message: 'must be a GB/T 2260 code of 6, 9 or 12 digits' });
      return null;
    }
    return { kind: 'region', regionCode: o.regionCode, label };
  }
  if (o.polygon !== undefined && o.polygon !== null) {
    const p = o.polygon;
    const field = `${at}.polygon`;
    if (!Array.isArray(p)) {
      errors.push({ field, message: 'must be a list of [lon, lat] points' });
      return null;
    }
    const bad = p.findIndex((pt) => !Array.isArray(pt) || pt.length !== 2 || !lonOk(pt[0]) || !latOk(pt[1]));
    if (bad >= 0) {
      errors.push({ field, message: `point ${bad + 1} is not [lon, lat] in WGS84 degrees (lon -180…180, lat -90…90)` });
      return null;
    }
    if (p.length < 4) {
      errors.push({ field, message: `needs at least 4 points (3 corners and the first repeated last), got ${p.length}` });
      return null;
    }
    if (p.length > LIMITS.polygonPoints) {
      errors.push({ field, message: `may have at most ${LIMITS.polygonPoints} points, got ${p.length}` });
      return null;
    }
    const [first, last] = [p[0] as number[], p[p.length - 1] as number[]];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      errors.push({ field, message: 'is not closed: repeat the first point as the last' });
      return null;
    }
    return { kind: 'polygon', polygon: p.map((pt: number[]) => [pt[0], pt[1]] as [number, number]), label, ...within };
  }
  const c = o.circle as Record<string, unknown>;
  const field = `${at}.circle`;
  if (!c || typeof c !== 'object') {
    errors.push({ field, message: 'must be { lon, lat, radiusKm }' });
    return null;
  }
  const before = errors.length;
  if (!lonOk(c.lon)) errors.push({ field: `${field}.lon`, message: 'must be a longitude in degrees (WGS84), -180 to 180' });
  if (!latOk(c.lat)) errors.push({ field: `${field}.lat`, message: 'must be a latitude in degrees (WGS84), -90 to 90' });
  if (!finite(c.radiusKm) || c.radiusKm <= 0 || c.radiusKm > LIMITS.radiusKm) errors.push({ field: `${field}.radiusKm`, message: `must be a radius in km, more than 0 and at most ${LIMITS.radiusKm}` });
  if (errors.length > before) return null;
  return { kind: 'circle', lon: c.lon as number, lat: c.lat as number, radiusKm: c.radiusKm as number, label, ...within };
}

export function eventTypeOf(key: string): WarningEventType | undefined {
  return WARNING_EVENT_TYPES.find((t) => t.key === key);
}

function checkEventAndLevel(errors: FieldError[], eventText: unknown, levelText: unknown): { event: WarningEventType | null; level: WarningLevel | null } {
  let event: WarningEventType | null = null;
  if (typeof eventText !== 'string' || eventText.trim() === '') errors.push({ field: 'event', message: 'is required' });
  else {
    event = findEventType(eventText) ?? null;
    if (!event) errors.push({ field: 'event', message: `"${eventText}" is not an event type of the national warning vocabulary (${WARNING_EVENT_TYPES.map((t) => `${t.key} ${t.zh}`).join(', ')})` });
  }
  let level: WarningLevel | null = null;
  if (typeof levelText !== 'string' || !(WARNING_LEVELS as readonly string[]).includes(levelText)) {
    errors.push({ field: 'level', message: `must be one of ${WARNING_LEVELS.join(', ')}` });
  } else {
    level = levelText as WarningLevel;
    if (event && !event.levels.includes(level)) {
      errors.push({ field: 'level', message: `${event.zh} (${event.key}) has no ${LEVEL_NAMES[level].zh} (${level}) level; its levels are ${event.levels.join(', ')}` });
    }
  }
  return { event, level };
}

function checkTranslations(errors: FieldError[], value: unknown): Translation[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push({ field: 'translations', message: 'must be a list of { language, headline, description, instruction }' });
    return [];
  }
  if (value.length > LIMITS.translations) errors.push({ field: 'translations', message: `may have at most ${LIMITS.translations} languages` });
  const seen = new Set<string>();
  return value.flatMap((t: unknown, i) => {
    const at = `translations[${i}]`;
    if (!t || typeof t !== 'object') {
      errors.push({ field: at, message: 'must be { language, headline, description, instruction }' });
      return [];
    }
    const o = t as Record<string, unknown>;
    const language = typeof o.language === 'string' ? o.language.trim() : '';
    if (!LANGUAGE_TAG.test(language)) errors.push({ field: `${at}.language`, message: 'must be a language tag such as en-US' });
    else if (language.toLowerCase() === 'zh-cn') errors.push({ field: `${at}.language`, message: 'zh-CN is the warning itself; translations are other languages' });
    else if (seen.has(language.toLowerCase())) errors.push({ field: `${at}.language`, message: `${language} is given twice` });
    seen.add(language.toLowerCase());
    return [{
      language,
      headline: text(errors, `${at}.headline`, o.headline, { required: true, max: LIMITS.headline }),
      description: text(errors, `${at}.description`, o.description, { required: false, max: LIMITS.description }),
      instruction: text(errors, `${at}.instruction`, o.instruction, { required: false, max: LIMITS.instruction }),
    }];
  });
}

/**
 * The draft a create (current null) or an edit produces: given fields replace, others stay. Every
 * problem is reported with its field (`areas[2].polygon`, `translations[0].language`), none stops
 * the others from being found. `now` decides what "in the future" means.
 */
export function mergeDraft(current: DraftRecord | null, input: DraftInput, now: Date): { record: DraftRecord; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const has = (k: keyof DraftInput) => input[k] !== undefined;
  const creating = current === null;

  const eventText = has('event') ? input.event : current?.event;
  const levelText = has('level') ? input.level : current?.level;
  const { event, level } = checkEventAndLevel(errors, eventText, levelText);

  const headline = has('headline') || creating ? text(errors, 'headline', input.headline, { required: true, max: LIMITS.headline }) : current.headline;
  const description = has('description') || creating ? text(errors, 'description', input.description, { required: true, max: LIMITS.description }) : current.description;
  const instruction = has('instruction') || creating ? text(errors, 'instruction', input.instruction ?? '', { required: false, max: LIMITS.instruction }) : current.instruction;

  let areas: AreaRecord[] = current?.areas ?? [];
  if (has('areas') || creating) {
    const given = input.areas;
    if (!Array.isArray(given) || given.length === 0) {
      errors.push({ field: 'areas', message: 'needs at least one area: a region, a polygon or a circle' });
      areas = [];
    } else if (given.length > LIMITS.areas) {
      errors.push({ field: 'areas', message: `may have at most ${LIMITS.areas} areas, got ${given.length}` });
      areas = [];
    } else {
      areas = given.flatMap((a, i) => checkArea(errors, a, i) ?? []);
      const codes = areas.flatMap((a) => (a.kind === 'region' ? [a.regionCode] : []));
      const twice = codes.find((c, i) => codes.indexOf(c) !== i);
      if (twice) errors.push({ field: `areas[${(given as unknown[]).findIndex((a) => (a as { regionCode?: string })?.regionCode === twice)}].regionCode`, message: `region ${twice} is given twice` });
    }
  }

  let stage: WarningStage = current?.stage ?? 'forecast';
  if (has('stage')) {
    if (!(STAGES as readonly string[]).includes(input.stage as string)) errors.push({ field: 'stage', message: `must be one of ${STAGES.join(', ')}` });
    else stage = input.stage as WarningStage;
  }
  let status: DraftStatus = current?.status ?? 'Actual';
  if (has('status')) {
    if (!(DRAFT_STATUSES as readonly string[]).includes(input.status as string)) errors.push({ field: 'status', message: `must be Actual or Exercise (a drill, marked 演练 everywhere)` });
    else status = input.status as DraftStatus;
  }

  let expiresAt = current?.expiresAt ?? null;
  if (has('expires') || creating) expiresAt = input.expires === undefined ? (errors.push({ field: 'expires', message: 'is required' }), null) : time(errors, 'expires', input.expires);
  let onsetAt = current?.onsetAt ?? null;
  if (has('onset')) onsetAt = input.onset === null || input.onset === '' ? null : time(errors, 'onset', input.onset);
  if (expiresAt) {
    if (expiresAt.getTime() <= now.getTime()) errors.push({ field: 'expires', message: 'must be in the future' });
    else if (expiresAt.getTime() - now.getTime() > LIMITS.maxDurationDays * 86_400_000) errors.push({ field: 'expires', message: `must be within ${LIMITS.maxDurationDays} days` });
    if (onsetAt && onsetAt.getTime() >= expiresAt.getTime()) errors.push({ field: 'onset', message: 'must be before expires' });
  }

  const translations = has('translations') ? checkTranslations(errors, input.translations) : (current?.translations ?? []);
  let sourceAlarmId = current?.sourceAlarmId ?? null;
  if (has('sourceAlarmId')) {
    const v = input.sourceAlarmId;
    if (v !== null && (!Number.isInteger(v) || (v as number) < 1)) errors.push({ field: 'sourceAlarmId', message: 'must be an alarm id' });
    else sourceAlarmId = v ?? null;
  }

  return {
    record: {
      event: event?.key ?? (typeof eventText === 'string' ? eventText : ''),
      level: level ?? 'blue',
      headline,
      description,
      instruction,
      areas,
      expiresAt: expiresAt ?? new Date(NaN),
      onsetAt,
      stage,
      status,
      translations,
      sourceAlarmId,
    },
    errors,
  };
}

/** The stage after this one on the 6 h → 3 h → 1 h ladder, null at the top. */
export function nextStage(stage: WarningStage): WarningStage | null {
  const i = STAGES.indexOf(stage);
  return i >= 0 && i < STAGES.length - 1 ? STAGES[i + 1] : null;
}

/** The input that reproduces a stored draft, for the steps of a thread that start from it. */
export function inputOf(r: DraftRecord): DraftInput {
  return {
    event: r.event,
    level: r.level,
    headline: r.headline,
    description: r.description,
    instruction: r.instruction,
    areas: r.areas.map((a): WarningAreaInput => {
      const label = a.label ?? undefined;
      if (a.kind === 'region') return { regionCode: a.regionCode, ...(label ? { label } : {}) };
      if (a.kind === 'polygon') return { polygon: a.polygon, ...(label ? { label } : {}) };
      return { circle: { lon: a.lon, lat: a.lat, radiusKm: a.radiusKm }, ...(label ? { label } : {}) };
    }),
    expires: r.expiresAt.toISOString(),
    onset: r.onsetAt ? r.onsetAt.toISOString() : null,
    stage: r.stage,
    status: r.status,
    translations: r.translations,
    sourceAlarmId: r.sourceAlarmId,
  };
}
