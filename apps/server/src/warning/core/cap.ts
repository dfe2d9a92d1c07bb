/**
 * Warnings as CAP 1.2 and back. What Anlan writes, it reads back as the same warning: the level
 * travels as the `eventCode` `level` (packages/cap's convention), the ladder's stage as the
 * `parameter` `stage`, regions as GB/T 2260 geocodes, and a shape's region as its geocode too.
 *
 * Writing: `capAlertOf` builds the alert, `writeCap` (packages/cap) serialises and checks it.
 * Reading: `warningInputOfCap` turns a parsed alert into the fields of a warning, with the element
 * each field came from, so that a refusal can name the element of the message.
 */
import {
  LEVEL_NAMES, capToLevel, findEventType, formatCapDateTime, levelEventCode, levelToCap,
  type CapAlert, type CapArea, type CapError, type CapInfo, type WarningLevel,
} from '@anlan/cap';
import type { WarningAreaInput, WarningMsgType, WarningStage } from '../contracts.ts';
import { STAGES, eventTypeOf, type DraftInput, type Translation } from './draft.ts';
import type { WarningArea } from './store.ts';

/** The geocode name of GB/T 2260 codes in Anlan's messages, and the spellings read from others. */
export const GEOCODE_NAME = 'GB/T 2260';
const GEOCODE_NAMES = new Set(['gb/t 2260', 'gb/t2260', 'gb2260', 'gbt2260', 'gb/t 2260-2007', 'gb/t 2260-2023', 'xzqh', '行政区划代码']);
export const STAGE_PARAMETER = 'stage';
/** Where the ladder sits in CAP's terms: the 6 h and 3 h steps prepare, the 1 h step acts now. */
const CAP_STAGE: Record<WarningStage, 'forecast' | 'imminent'> = { forecast: 'forecast', short: 'forecast', callresponse: 'imminent' };
const RESPONSE_TYPES: Record<WarningStage, string[]> = { forecast: ['Prepare'], short: ['Prepare', 'Monitor'], callresponse: ['Execute'] };

/** What of a warning goes into its CAP message. */
export interface CapSource {
  identifier: string;
  sender: string;
  senderName: string | null;
  msgType: WarningMsgType;
  status: string;
  stage: WarningStage;
  event: string;
  level: WarningLevel;
  headline: string;
  description: string;
  instruction: string;
  translations: Translation[];
  onset: string | null;
  expires: string;
  areas: WarningArea[];
}

function capArea(a: WarningArea): CapArea {
  const geocode = (code: string | null) => (code ? [{ valueName: GEOCODE_NAME, value: code }] : []);
  if (a.kind === 'region') return { areaDesc: a.label, polygons: [], circles: [], geocodes: geocode(a.regionCode) };
  if (a.kind === 'polygon') return { areaDesc: a.label, polygons: [a.polygon!.map(([lon, lat]) => [lat, lon] as [number, number])], circles: [], geocodes: geocode(a.withinCode) };
  return { areaDesc: a.label, polygons: [], circles: [{ lat: a.circle!.lat, lon: a.circle!.lon, radiusKm: a.circle!.radiusKm }], geocodes: geocode(a.withinCode) };
}

/**
 * The CAP alert of a warning, sent at `sent` (a CAP date-time), referencing the earlier steps of
 * its thread (for an Update or a Cancel). One info in zh-CN and one per translation, all with the
 * same areas.
 */
export function capAlertOf(w: CapSource, sent: string, references: { sender: string; identifier: string; sent: string }[]): CapAlert {
  const type = eventTypeOf(w.event);
  if (!type) throw new Error(`warning ${w.identifier}: event "${w.event}" is not in the vocabulary`);
  const cancel = w.msgType === 'Cancel';
  const cap = levelToCap(w.level, CAP_STAGE[w.stage]);
  const areas = w.areas.map(capArea);
  const info = (language: string, t: { headline: string; description: string; instruction: string }, event: string): CapInfo => ({
    language,
    categories: [type.category],
    event,
    responseTypes: cancel ? ['AllClear'] : RESPONSE_TYPES[w.stage],
    // A Cancel lifts the warning: the threat is past, as the samples' Cancel says it.
    urgency: cancel ? 'Past' : cap.urgency,
    severity: cap.severity,
    certainty: cancel ? 'Observed' : cap.certainty,
    eventCodes: [levelEventCode(w.level)],
    effective: sent,
    ...(w.onset ? { onset: formatCapDateTime(new Date(w.onset)) } : {}),
    expires: formatCapDateTime(new Date(w.expires)),
    ...(w.senderName ? { senderName: w.senderName } : {}),
    headline: t.headline,
    description: t.description,
    instruction: t.instruction,
    parameters: [{ valueName: STAGE_PARAMETER, value: w.stage }],
    resources: [],
    areas,
  });
  return {
    identifier: w.identifier,
    sender: w.sender,
    sent,
    status: w.status,
    msgType: w.msgType,
    scope: 'Public',
    codes: [],
    ...(w.status === 'Exercise' ? { note: '演练 (exercise)' } : {}),
    references,
    infos: [
      info('zh-CN', w, type.zh),
      // English readers get the English event name; other languages (藏文, 维吾尔文…) the national one.
      ...w.translations.map((t) => info(t.language, t, /^en(-|$)/i.test(t.language) ? type.event : type.zh)),
    ],
  };
}

// ---- reading ----

/** A warning's fields read from a CAP alert, with the element of the message each came from. */
export interface CapWarningInput {
  identifier: string;
  sender: string;
  sent: string;
  status: string;
  msgType: WarningMsgType;
  senderName: string | null;
  references: { sender: string; identifier: string; sent: string }[];
  input: DraftInput & { level?: string };
  /** The level could not be read (a Cancel usually has none): take the referenced warning's. */
  levelMissing: boolean;
  /** Field of the draft → element of the message, for errors. */
  elements: Record<string, string>;
  errors: CapError[];
}

const isGb2260 = (name: string) => GEOCODE_NAMES.has(name.trim().toLowerCase());

/** The info a warning is read from: the first Chinese one, else the first. */
function primaryInfoIndex(infos: CapInfo[]): number {
  const zh = infos.findIndex((i) => /^zh(-|$)/i.test(i.language));
  return zh >= 0 ? zh : 0;
}

/**
 * Reads a parsed CAP alert as a warning. Problems that the message itself has for Anlan (no
 * info, an event outside the vocabulary, an area that cannot be placed) come back as errors with
 * their element; the field rules (draft.ts) are applied afterwards by the importer, and their
 * errors translated to elements through `elements`.
 */
export function warningInputOfCap(alert: CapAlert): CapWarningInput {
  const errors: CapError[] = [];
  const elements: Record<string, string> = {};
  const msgType = alert.msgType as WarningMsgType;
  if (!['Alert', 'Update', 'Cancel'].includes(alert.msgType)) {
    errors.push({ element: 'alert/msgType', message: `${alert.msgType} messages are not warnings; Anlan imports Alert, Update and Cancel` });
  }
  const base = {
    identifier: alert.identifier, sender: alert.sender, sent: alert.sent, status: alert.status, msgType, references: alert.references, elements, errors,
  };
  if (alert.infos.length === 0) {
    errors.push({ element: 'alert/info', message: 'a warning needs at least one info block (event, urgency, severity, certainty, area)' });
    return { ...base, senderName: null, input: {}, levelMissing: false };
  }
  const k = primaryInfoIndex(alert.infos);
  const info = alert.infos[k];
  const at = `alert/info[${k + 1}]`;
  for (const f of ['event', 'headline', 'description', 'instruction', 'expires', 'onset']) elements[f] = `${at}/${f}`;
  elements.level = `${at}/eventCode`;
  elements.stage = `${at}/parameter`;
  elements.areas = `${at}/area`;
  elements.status = 'alert/status';

  const type = findEventType(info.event);
  if (!type) errors.push({ element: `${at}/event`, message: `"${info.event}" is not an event type of the national warning vocabulary (暴雨, 台风, 地质灾害, 洪水…)` });
  const level = capToLevel(info);

  const stageParam = info.parameters.find((p) => p.valueName.trim().toLowerCase() === STAGE_PARAMETER)?.value.trim();
  const stage: WarningStage = stageParam && (STAGES as readonly string[]).includes(stageParam) ? (stageParam as WarningStage) : info.urgency === 'Immediate' ? 'callresponse' : 'forecast';

  // Shapes may carry `within`, the region their geocode names (read by areas.ts, not part of the API).
  const areas: (WarningAreaInput & { within?: string })[] = [];
  info.areas.forEach((a, j) => {
    const areaAt = `${at}/area[${j + 1}]`;
    const label = a.areaDesc || undefined;
    const shapes = a.polygons.length + a.circles.length;
    // Beside a shape, a GB/T 2260 geocode says which region the shape is for.
    const hint = a.geocodes.filter((g) => isGb2260(g.valueName)).map((g) => g.value.trim());
    const within = hint.length === 1 ? { within: hint[0] } : {};
    a.polygons.forEach((p, m) => {
      elements[`areas[${areas.length}]`] = `${areaAt}/polygon[${m + 1}]`;
      areas.push({ polygon: p.map(([lat, lon]) => [lon, lat] as [number, number]), ...within, ...(label ? { label: shapes > 1 ? `${label} ${m + 1}` : label } : {}) });
    });
    a.circles.forEach((c, m) => {
      elements[`areas[${areas.length}]`] = `${areaAt}/circle[${m + 1}]`;
      areas.push({ circle: { lon: c.lon, lat: c.lat, radiusKm: c.radiusKm }, ...within, ...(label ? { label: shapes > 1 ? `${label} ${a.polygons.length + m + 1}` : label } : {}) });
    });
    if (shapes > 0) return;
    // Without a shape the area is its regions: every GB/T 2260 geocode.
    const codes = a.geocodes.map((g, m) => ({ g, m })).filter(({ g }) => isGb2260(g.valueName));
    if (codes.length === 0) {
      errors.push({ element: areaAt, message: `"${a.areaDesc}" has no polygon, circle or GB/T 2260 geocode, so Anlan cannot tell where it is` });
      return;
    }
    for (const { g, m } of codes) {
      elements[`areas[${areas.length}]`] = `${areaAt}/geocode[${m + 1}]`;
      areas.push({ regionCode: g.value.trim(), ...(label && codes.length === 1 ? { label } : {}) });
    }
  });
  if (info.areas.length === 0) errors.push({ element: `${at}/area`, message: 'a warning needs at least one area' });

  const translations: Translation[] = [];
  alert.infos.forEach((other, j) => {
    if (j === k) return;
    const n = translations.length;
    for (const f of ['language', 'headline', 'description', 'instruction']) elements[`translations[${n}].${f}`] = `alert/info[${j + 1}]/${f}`;
    translations.push({ language: other.language, headline: other.headline ?? '', description: other.description ?? '', instruction: other.instruction ?? '' });
  });

  return {
    ...base,
    senderName: info.senderName ?? null,
    levelMissing: level === null,
    input: {
      event: type?.key ?? info.event,
      ...(level ? { level } : {}),
      headline: info.headline ?? `${type?.zh ?? info.event}${level ? `${LEVEL_NAMES[level].zh}` : ''}预警`,
      description: info.description ?? info.headline ?? '',
      instruction: info.instruction ?? '',
      areas,
      ...(info.expires ? { expires: info.expires } : {}),
      onset: info.onset ?? null,
      stage,
      translations,
    },
  };
}

/** Translates a draft field error to the element of the message it came from. */
export function elementOfField(field: string, elements: Record<string, string>): string {
  if (elements[field]) return elements[field];
  const area = /^areas\[(\d+)\]/.exec(field);
  if (area && elements[`areas[${area[1]}]`]) return elements[`areas[${area[1]}]`];
  const root = field.split(/[.[]/)[0];
  return elements[root] ?? 'alert';
}
