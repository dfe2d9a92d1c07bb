/**
 * Earthquake reports as they reach a bureau — a CAP message, our JSON, a GeoJSON feed (the USGS
 * format) or the CENC quick-report text — turned into one shape, so that any of them can start
 * an assessment. Nothing here trusts the sender: every field is checked and every problem is
 * reported with where it was.
 */
import { parseCap, type CapAlert, type CapInfo, type CapValuePair } from '@anlan/cap';
import { parseEvent } from '../event.ts';
import type { QuakeEvent } from '../types.ts';
import { parseCencText } from './cenc-text.ts';
import attenuation from '../../data/models/attenuation.json' with { type: 'json' };

export type ReportFormat = 'json' | 'geojson' | 'cap' | 'cenc-text';
export type ReportMsgType = 'Alert' | 'Update' | 'Cancel';
export type ReportStatus = 'Actual' | 'Exercise' | 'Test' | 'System' | 'Draft';

export interface EarthquakeReport {
  /** Position in the body (a FeatureCollection or an array), 0 for a single report. */
  index: number;
  format: ReportFormat;
  /** Who issued it (CAP sender, the JSON `source`, the GeoJSON network, "CENC"). */
  source: string;
  /** Unique within the source; a repeated (source, id) is the same report. */
  externalId: string;
  msgType: ReportMsgType;
  /** External ids (same source) of the reports this one updates or cancels. */
  references: string[];
  status: ReportStatus;
  /** Absent only for a Cancel. */
  event: QuakeEvent | null;
  place?: string;
  /** How the magnitude was read, when it was converted or guessed. */
  notes: string[];
}

export interface ReportError {
  /** Which report of a batch (GeoJSON FeatureCollection, JSON array), from 0. */
  index?: number;
  /** The field, element path or line. */
  field: string;
  message: string;
}

export interface ReportParseResult {
  reports: EarthquakeReport[];
  errors: ReportError[];
}

type Parsed = Omit<EarthquakeReport, 'index'>;

const MSG_TYPES: readonly ReportMsgType[] = ['Alert', 'Update', 'Cancel'];
const STATUSES: readonly ReportStatus[] = ['Actual', 'Exercise', 'Test', 'System', 'Draft'];

/**
 * Moment magnitude → Ms by inverting Scordilis (2006): above Mw ≈ 6.2 the relation the attenuation
 * model uses (Mw = 0.99·Ms + 0.08); below, the same paper's 3.0 ≤ Ms ≤ 6.1 branch Mw = 0.67·Ms + 2.07.
 */
function msFromMw(mw: number): number {
  const { slope, intercept, validMs } = attenuation.rupture.msToMw;
  const ms = mw >= slope * validMs[0] + intercept ? (mw - intercept) / slope : (mw - 2.07) / 0.67;
  return Math.round(ms * 100) / 100;
}

function toEvent(raw: Record<string, unknown>, index: number | undefined, errors: ReportError[], prefix = ''): QuakeEvent | null {
  const { event, errors: fieldErrors } = parseEvent(raw);
  for (const e of fieldErrors) errors.push({ ...(index !== undefined ? { index } : {}), field: `${prefix}${e.field}`, message: e.message });
  return event;
}

function pick(obj: Record<string, unknown>, names: string[]): unknown {
  for (const n of names) if (obj[n] !== undefined && obj[n] !== null && obj[n] !== '') return obj[n];
  return undefined;
}

function idText(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= 200) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * Our JSON: `{ source, eventId, time, lon, lat, depthKm, magnitude, strikeDeg?, place?, msgType?,
 * references?, status? }`. Aliases accepted for integrations: longitude/latitude, depth, mag.
 */
function fromJson(obj: Record<string, unknown>, index: number | undefined, errors: ReportError[]): Parsed | null {
  const at = index !== undefined ? { index } : {};
  const before = errors.length;
  const source = idText(obj.source);
  if (!source) errors.push({ ...at, field: 'source', message: 'source is required: who issued the report (e.g. "CENC", "sichuan-seismic-network")' });
  const externalId = idText(pick(obj, ['eventId', 'id']));
  if (!externalId) errors.push({ ...at, field: 'eventId', message: 'eventId is required: the identifier of this report at its source' });
  const msgType = (obj.msgType ?? 'Alert') as ReportMsgType;
  if (!MSG_TYPES.includes(msgType)) errors.push({ ...at, field: 'msgType', message: `msgType must be one of ${MSG_TYPES.join(', ')}` });
  const status = (obj.status ?? 'Actual') as ReportStatus;
  if (!STATUSES.includes(status)) errors.push({ ...at, field: 'status', message: `status must be one of ${STATUSES.join(', ')}` });
  const references = obj.references === undefined ? [] : Array.isArray(obj.references) ? obj.references.map(idText) : [null];
  if (references.some((r) => r === null)) errors.push({ ...at, field: 'references', message: 'references must be an array of eventIds' });
  if (msgType !== 'Alert' && references.length === 0) errors.push({ ...at, field: 'references', message: `a ${msgType} must list the eventIds it refers to` });
  const event = msgType === 'Cancel' ? null : toEvent({
    lon: pick(obj, ['lon', 'longitude']), lat: pick(obj, ['lat', 'latitude']), depthKm: pick(obj, ['depthKm', 'depth']),
    magnitude: pick(obj, ['magnitude', 'mag']), strikeDeg: obj.strikeDeg, time: obj.time,
  }, index, errors);
  if (errors.length > before) return null;
  return {
    format: 'json', source: source!, externalId: externalId!, msgType, references: references as string[], status, event,
    ...(typeof obj.place === 'string' ? { place: obj.place.slice(0, 200) } : {}), notes: [],
  };
}

/** A GeoJSON Feature as USGS and EMSC publish them: Point [lon, lat, depth km], properties.mag/time/place. */
function fromFeature(f: Record<string, unknown>, index: number | undefined, errors: ReportError[]): Parsed | null {
  const at = index !== undefined ? { index } : {};
  const props = (f.properties && typeof f.properties === 'object' ? f.properties : {}) as Record<string, unknown>;
  const geometry = (f.geometry && typeof f.geometry === 'object' ? f.geometry : {}) as { type?: unknown; coordinates?: unknown };
  const coords = Array.isArray(geometry.coordinates) ? geometry.coordinates : [];
  if (geometry.type !== 'Point' || coords.length < 2) {
    errors.push({ ...at, field: 'geometry', message: 'must be a Point [lon, lat, depth km]' });
    return null;
  }
  const externalId = idText(f.id ?? props.code ?? props.ids);
  if (!externalId) {
    errors.push({ ...at, field: 'id', message: 'the feature needs an id (the event identifier at its source)' });
    return null;
  }
  const notes: string[] = [];
  let magnitude = props.mag;
  const magType = typeof props.magType === 'string' ? props.magType.toLowerCase() : '';
  if (typeof magnitude === 'number' && magType.startsWith('mw')) {
    const ms = msFromMw(magnitude);
    notes.push(`magnitude ${magnitude} ${props.magType} converted to Ms ${ms} (Scordilis 2006, inverted)`);
    magnitude = ms;
  } else if (magType && magType !== 'ms') {
    notes.push(`magnitude type ${props.magType} used as Ms`);
  }
  const time = typeof props.time === 'number' ? new Date(props.time).toISOString() : props.time;
  const event = toEvent({ lon: coords[0], lat: coords[1], depthKm: coords[2] ?? props.depth, magnitude, strikeDeg: props.strikeDeg, time }, index, errors, 'properties.');
  if (!event) return null;
  const network = idText(props.net) ?? idText(props.sources) ?? 'geojson';
  return {
    format: 'geojson', source: network, externalId, msgType: 'Alert', references: [],
    status: props.type === 'earthquake' || props.type === undefined ? 'Actual' : 'Test',
    event, ...(typeof props.place === 'string' ? { place: props.place.slice(0, 200) } : {}), notes,
  };
}

const PARAM_NAMES = {
  magnitude: ['magnitude', 'mag', 'ms', 'm', '震级', 'eventmagnitude', 'earthquakemagnitude'],
  depthKm: ['depth', 'depthkm', 'depth_km', '震源深度', '深度', 'eventdepth', 'focaldepth'],
  lat: ['latitude', 'lat', '纬度', 'eventlatitude', 'epicenterlatitude', '震中纬度'],
  lon: ['longitude', 'lon', 'lng', '经度', 'eventlongitude', 'epicenterlongitude', '震中经度'],
  time: ['origintime', 'eventtime', 'time', '发震时刻', '发震时间'],
  strikeDeg: ['strike', 'strikedeg', '走向'],
} as const;

function param(pairs: CapValuePair[], names: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');
  const wanted = new Set(names.map(norm));
  return pairs.find((p) => wanted.has(norm(p.valueName)))?.value;
}

/** "16 km", "16千米", "16公里" → "16". */
const stripUnit = (v: string | undefined) => v?.replace(/\s*(km|千米|公里)\s*$/i, '').trim();

function isEarthquakeInfo(info: CapInfo): boolean {
  return /地震|earthquake|seism|quake/i.test(info.event) || (info.categories.includes('Geo') && param(info.parameters, PARAM_NAMES.magnitude) !== undefined);
}

function fromCapInfo(alert: CapAlert, info: CapInfo, infoIndex: number, now: Date, errors: ReportError[]): QuakeEvent | null {
  const path = `alert/info[${infoIndex + 1}]`;
  const pairs = [...info.parameters, ...info.eventCodes];
  const raw: Record<string, unknown> = {
    magnitude: param(pairs, PARAM_NAMES.magnitude),
    depthKm: stripUnit(param(pairs, PARAM_NAMES.depthKm)),
    lat: param(pairs, PARAM_NAMES.lat),
    lon: param(pairs, PARAM_NAMES.lon),
    time: param(pairs, PARAM_NAMES.time),
    strikeDeg: param(pairs, PARAM_NAMES.strikeDeg),
  };
  // The epicentre is often only given as the area: a circle centred on it (radius 0 or the felt radius).
  const circle = info.areas.flatMap((a) => a.circles)[0];
  if ((raw.lat === undefined || raw.lon === undefined) && circle) {
    raw.lat = circle.lat;
    raw.lon = circle.lon;
  }
  // CENC relays put the whole quick report in the description or headline.
  for (const text of [info.description, info.headline]) {
    if (!text || (raw.magnitude !== undefined && raw.depthKm !== undefined && raw.lat !== undefined && raw.time !== undefined)) continue;
    const { report } = parseCencText(text, now);
    if (!report) continue;
    raw.magnitude ??= report.magnitude;
    raw.depthKm ??= report.depthKm;
    raw.lat ??= report.lat;
    raw.lon ??= report.lon;
    raw.time ??= report.time;
  }
  raw.time ??= info.onset ?? info.effective ?? alert.sent;
  const { event, errors: fieldErrors } = parseEvent(raw);
  for (const e of fieldErrors) {
    errors.push({ field: `${path}/parameter[${e.field}]`, message: `${e.message} (give it as a <parameter>, as the area <circle> for the epicentre, or in a CENC quick-report description)` });
  }
  return event;
}

function fromCap(xml: string, now: Date, errors: ReportError[]): Parsed | null {
  const { alert, errors: capErrors } = parseCap(xml);
  if (!alert) {
    for (const e of capErrors) errors.push({ field: e.element, message: e.message });
    return null;
  }
  const msgType = alert.msgType as ReportMsgType;
  if (!MSG_TYPES.includes(msgType)) {
    errors.push({ field: 'alert/msgType', message: `an earthquake report must be Alert, Update or Cancel, got ${alert.msgType}` });
    return null;
  }
  const base = {
    format: 'cap' as const, source: alert.sender, externalId: alert.identifier, msgType,
    references: alert.references.filter((r) => r.sender === alert.sender).map((r) => r.identifier),
    status: alert.status as ReportStatus, notes: [] as string[],
  };
  if (msgType === 'Cancel') return { ...base, event: null };
  const index = alert.infos.findIndex(isEarthquakeInfo);
  if (index < 0) {
    errors.push({ field: 'alert/info/event', message: 'no <info> describes an earthquake (event 地震 / Earthquake, or a Geo info with a magnitude parameter)' });
    return null;
  }
  const info = alert.infos[index];
  const event = fromCapInfo(alert, info, index, now, errors);
  if (!event) return null;
  const place = info.areas[0]?.areaDesc || info.headline;
  return { ...base, event, ...(place ? { place: place.slice(0, 200) } : {}) };
}

function fromCencText(text: string, now: Date, errors: ReportError[]): Parsed | null {
  const { report, missing } = parseCencText(text, now);
  if (!report) {
    errors.push({ field: 'text', message: `not a CENC quick report: cannot find ${missing.join(', ')}` });
    return null;
  }
  const event = toEvent({ lon: report.lon, lat: report.lat, depthKm: report.depthKm, magnitude: report.magnitude, time: report.time }, undefined, errors);
  if (!event) return null;
  return {
    format: 'cenc-text', source: 'CENC',
    // The automatic and the official determination of one earthquake are one report, revised.
    externalId: `${report.time.slice(0, 16)}@${report.lat.toFixed(1)},${report.lon.toFixed(1)}`,
    msgType: 'Alert', references: [], status: 'Actual', event, place: report.place,
    notes: report.automatic ? ['自动测定 (automatic determination; the official one follows)'] : [],
  };
}

/**
 * Reads one request body. `contentType` picks the format (XML → CAP, JSON → our JSON or GeoJSON,
 * text → CENC quick report); without it the body is sniffed.
 */
export function parseEarthquakeReports(body: string | unknown, contentType = '', now = new Date()): ReportParseResult {
  const errors: ReportError[] = [];
  const reports: EarthquakeReport[] = [];
  const add = (r: Omit<EarthquakeReport, 'index'> | null, index = 0) => r && reports.push({ index, ...r });
  let value: unknown = body;
  if (typeof body === 'string') {
    const text = body.trim();
    if (/xml/i.test(contentType) || text.startsWith('<')) return add(fromCap(text, now, errors)), { reports, errors };
    if (/json/i.test(contentType) || text.startsWith('{') || text.startsWith('[')) {
      try {
        value = JSON.parse(text);
      } catch (e) {
        return { reports, errors: [{ field: 'body', message: `not valid JSON: ${(e as Error).message}` }] };
      }
    } else {
      return add(fromCencText(text, now, errors)), { reports, errors };
    }
  }
  const items: unknown[] =
    value && typeof value === 'object' && (value as { type?: unknown }).type === 'FeatureCollection'
      ? ((value as { features?: unknown }).features as unknown[] | undefined) ?? []
      : Array.isArray(value) ? value : [value];
  const batch = items.length > 1 || Array.isArray(value) || (value as { type?: unknown })?.type === 'FeatureCollection';
  items.forEach((item, i) => {
    const index = batch ? i : undefined;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      errors.push({ ...(index !== undefined ? { index } : {}), field: 'body', message: 'each report must be a JSON object' });
      return;
    }
    const obj = item as Record<string, unknown>;
    add(obj.type === 'Feature' ? fromFeature(obj, index, errors) : fromJson(obj, index, errors), i);
  });
  if (items.length === 0) errors.push({ field: 'body', message: 'no reports in the body' });
  return { reports, errors };
}
