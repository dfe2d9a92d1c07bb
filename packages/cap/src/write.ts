import { parseCap, parseCapReferences } from './parse.ts';
import { CAP_NAMESPACES, type CapAlert, type CapArea, type CapError, type CapInfo, type CapResource, type CapValuePair } from './types.ts';

/** Thrown by `writeCap` for an alert that would not be valid CAP 1.2; `errors` names each element. */
export class CapWriteError extends Error {
  readonly errors: CapError[];

  constructor(errors: CapError[]) {
    super(`not a valid CAP 1.2 alert: ${errors.map((e) => `${e.element}: ${e.message}`).join('; ')}`);
    this.name = 'CapWriteError';
    this.errors = errors;
  }
}

/**
 * A CAP date-time: seconds precision and an explicit numeric offset, China standard time (+08:00)
 * unless told otherwise, e.g. `2026-07-15T16:20:00+08:00`. Fractions of a second are dropped
 * (CAP has none); `Z` is never written (CAP forbids it).
 */
export function formatCapDateTime(date: Date, offsetMinutes = 480): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('formatCapDateTime: invalid Date');
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) {
    throw new RangeError(`formatCapDateTime: the offset must be whole minutes within ±14:00, got ${offsetMinutes}`);
  }
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 1 || year > 9999) throw new RangeError(`formatCapDateTime: year ${year} cannot be written as a CAP date-time`);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const abs = Math.abs(offsetMinutes);
  return `${pad(year, 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
    + `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * The text of `<references>`: `sender,identifier,sent` triples separated by spaces. Accepts the
 * triples of `CapAlert.references` or whole earlier alerts. Throws `CapWriteError` when the text
 * would not read back as the same triples (a space or comma inside a part, an empty part, a sent
 * time without an offset…), using the reader's own checks.
 */
export function capReferences(refs: readonly { sender: string; identifier: string; sent: string }[]): string {
  if (refs.length === 0) return '';
  const triples = refs.map((r) => ({ sender: r.sender, identifier: r.identifier, sent: r.sent }));
  const written = referencesText(triples);
  const { references, errors } = parseCapReferences(written);
  if (errors.length === 0 && !same(references, triples)) {
    errors.push({ element: 'alert/references', message: 'a part contains a space or a comma, so the triples would not read back as given' });
  }
  if (errors.length > 0) throw new CapWriteError(errors);
  return written;
}

const referencesText = (refs: CapAlert['references']) => refs.map((r) => `${r.sender},${r.identifier},${r.sent}`).join(' ');

/**
 * A number as CAP writes coordinates, radii, sizes, altitudes: the shortest decimal that reads
 * back as the same double, never with an exponent (`1.5e-7` → `0.00000015`), `-0` as `0`.
 * Non-finite numbers come out as `NaN`/`Infinity`, which the reader then refuses.
 */
export function formatCapNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const shortest = String(n === 0 ? 0 : n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (!m) return shortest;
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  // JavaScript uses an exponent below 1e-6 and from 1e21, where the digits never reach the point.
  return exp < 0 ? `${sign}0.${'0'.repeat(-exp - 1)}${int}${frac}` : `${sign}${int}${frac}${'0'.repeat(exp - frac.length)}`;
}

/** Characters XML 1.0 cannot carry at all, escaped or not (control characters, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const escapeText = (s: string) => s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
const escapeAttribute = (s: string) => escapeText(s).replace(/["\t\n]/g, (c) => (c === '"' ? '&quot;' : c === '\t' ? '&#9;' : '&#10;'));

// ---- normalisation: the alert as it will be written, and as the reader must give it back ----

/** Text as written: trimmed (every reader trims, ours included), `undefined`/`null` as empty. */
const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v)).trim();
/** An optional text: absent when empty. */
const optionalText = <K extends string>(key: K, v: unknown): { [P in K]?: string } => {
  const t = text(v);
  return (t === '' ? {} : { [key]: t }) as { [P in K]?: string };
};
const optionalNumber = <K extends string>(key: K, v: number | undefined | null): { [P in K]?: number } =>
  (v === undefined || v === null ? {} : { [key]: v }) as { [P in K]?: number };
const list = <T>(v: readonly T[] | undefined | null): readonly T[] => v ?? [];
const pair = (p: CapValuePair): CapValuePair => ({ valueName: text(p.valueName), value: text(p.value) });

function normaliseArea(a: CapArea): CapArea {
  return {
    areaDesc: text(a.areaDesc),
    polygons: list(a.polygons).map((polygon) => list(polygon).map(([lat, lon]) => [lat, lon] as [number, number])),
    circles: list(a.circles).map((c) => ({ lat: c.lat, lon: c.lon, radiusKm: c.radiusKm })),
    geocodes: list(a.geocodes).map(pair),
    ...optionalNumber('altitude', a.altitude),
    ...optionalNumber('ceiling', a.ceiling),
  };
}

function normaliseResource(r: CapResource): CapResource {
  return {
    resourceDesc: text(r.resourceDesc),
    mimeType: text(r.mimeType),
    ...optionalNumber('size', r.size),
    ...optionalText('uri', r.uri),
    ...optionalText('derefUri', r.derefUri),
    ...optionalText('digest', r.digest),
  };
}

function normaliseInfo(i: CapInfo): CapInfo {
  return {
    language: text(i.language),
    categories: list(i.categories).map(text),
    event: text(i.event),
    responseTypes: list(i.responseTypes).map(text),
    urgency: text(i.urgency),
    severity: text(i.severity),
    certainty: text(i.certainty),
    ...optionalText('audience', i.audience),
    eventCodes: list(i.eventCodes).map(pair),
    ...optionalText('effective', i.effective),
    ...optionalText('onset', i.onset),
    ...optionalText('expires', i.expires),
    ...optionalText('senderName', i.senderName),
    ...optionalText('headline', i.headline),
    ...optionalText('description', i.description),
    ...optionalText('instruction', i.instruction),
    ...optionalText('web', i.web),
    ...optionalText('contact', i.contact),
    parameters: list(i.parameters).map(pair),
    resources: list(i.resources).map(normaliseResource),
    areas: list(i.areas).map(normaliseArea),
  };
}

function normalise(a: CapAlert): CapAlert {
  return {
    identifier: text(a.identifier),
    sender: text(a.sender),
    sent: text(a.sent),
    status: text(a.status),
    msgType: text(a.msgType),
    ...optionalText('source', a.source),
    scope: text(a.scope),
    ...optionalText('restriction', a.restriction),
    ...optionalText('addresses', a.addresses),
    codes: list(a.codes).map(text),
    ...optionalText('note', a.note),
    references: list(a.references).map((r) => ({ sender: text(r.sender), identifier: text(r.identifier), sent: text(r.sent) })),
    ...optionalText('incidents', a.incidents),
    infos: list(a.infos).map(normaliseInfo),
  };
}

// ---- serialisation, in the schema's element order ----

class XmlOut {
  readonly lines: string[] = [];
  readonly errors: CapError[] = [];

  escape(value: string, element: string): string {
    const bad = NOT_XML_CHAR.exec(value);
    if (bad) {
      const code = bad[0].codePointAt(0) ?? 0;
      this.errors.push({ element, message: `contains U+${code.toString(16).toUpperCase().padStart(4, '0')}, a character XML 1.0 cannot carry` });
    }
    return escapeText(value);
  }

  /** `<name>value</name>`; `undefined` writes nothing. */
  el(depth: number, name: string, value: string | undefined, element: string): void {
    if (value === undefined) return;
    this.lines.push(`${'  '.repeat(depth)}<${name}>${this.escape(value, element)}</${name}>`);
  }

  each(depth: number, name: string, values: readonly string[], path: string): void {
    values.forEach((v, i) => this.el(depth, name, v, `${path}/${name}[${i + 1}]`));
  }

  pairs(depth: number, name: string, pairs: readonly CapValuePair[], path: string): void {
    pairs.forEach((p, i) => {
      const at = `${path}/${name}[${i + 1}]`;
      this.lines.push(`${'  '.repeat(depth)}<${name}><valueName>${this.escape(p.valueName, `${at}/valueName`)}</valueName><value>${this.escape(p.value, `${at}/value`)}</value></${name}>`);
    });
  }

  open(depth: number, name: string): void {
    this.lines.push(`${'  '.repeat(depth)}<${name}>`);
  }

  close(depth: number, name: string): void {
    this.lines.push(`${'  '.repeat(depth)}</${name}>`);
  }
}

const num = (n: number | undefined) => (n === undefined ? undefined : formatCapNumber(n));

function writeArea(out: XmlOut, a: CapArea, path: string): void {
  out.open(2, 'area');
  out.el(3, 'areaDesc', a.areaDesc, `${path}/areaDesc`);
  out.each(3, 'polygon', a.polygons.map((polygon) => polygon.map(([lat, lon]) => `${formatCapNumber(lat)},${formatCapNumber(lon)}`).join(' ')), path);
  out.each(3, 'circle', a.circles.map((c) => `${formatCapNumber(c.lat)},${formatCapNumber(c.lon)} ${formatCapNumber(c.radiusKm)}`), path);
  out.pairs(3, 'geocode', a.geocodes, path);
  out.el(3, 'altitude', num(a.altitude), `${path}/altitude`);
  out.el(3, 'ceiling', num(a.ceiling), `${path}/ceiling`);
  out.close(2, 'area');
}

function writeResource(out: XmlOut, r: CapResource, path: string): void {
  out.open(2, 'resource');
  out.el(3, 'resourceDesc', r.resourceDesc, `${path}/resourceDesc`);
  out.el(3, 'mimeType', r.mimeType, `${path}/mimeType`);
  out.el(3, 'size', num(r.size), `${path}/size`);
  for (const k of ['uri', 'derefUri', 'digest'] as const) out.el(3, k, r[k], `${path}/${k}`);
  out.close(2, 'resource');
}

function writeInfo(out: XmlOut, info: CapInfo, path: string): void {
  out.open(1, 'info');
  // An empty language is left out, so that it reads back as en-US and the comparison reports it.
  out.el(2, 'language', info.language === '' ? undefined : info.language, `${path}/language`);
  out.each(2, 'category', info.categories, path);
  out.el(2, 'event', info.event, `${path}/event`);
  out.each(2, 'responseType', info.responseTypes, path);
  for (const k of ['urgency', 'severity', 'certainty', 'audience'] as const) out.el(2, k, info[k], `${path}/${k}`);
  out.pairs(2, 'eventCode', info.eventCodes, path);
  for (const k of ['effective', 'onset', 'expires', 'senderName', 'headline', 'description', 'instruction', 'web', 'contact'] as const) {
    out.el(2, k, info[k], `${path}/${k}`);
  }
  out.pairs(2, 'parameter', info.parameters, path);
  info.resources.forEach((r, i) => writeResource(out, r, `${path}/resource[${i + 1}]`));
  info.areas.forEach((a, i) => writeArea(out, a, `${path}/area[${i + 1}]`));
  out.close(1, 'info');
}

function serialise(alert: CapAlert): { xml: string; errors: CapError[] } {
  const out = new XmlOut();
  out.lines.push('<?xml version="1.0" encoding="UTF-8"?>', `<alert xmlns="${escapeAttribute(CAP_NAMESPACES['1.2'])}">`);
  for (const k of ['identifier', 'sender', 'sent', 'status', 'msgType', 'source', 'scope', 'restriction', 'addresses'] as const) out.el(1, k, alert[k], `alert/${k}`);
  out.each(1, 'code', alert.codes, 'alert');
  out.el(1, 'note', alert.note, 'alert/note');
  // Not through capReferences, which throws: checkCap's reading reports the same problems.
  out.el(1, 'references', alert.references.length > 0 ? referencesText(alert.references) : undefined, 'alert/references');
  out.el(1, 'incidents', alert.incidents, 'alert/incidents');
  alert.infos.forEach((info, i) => writeInfo(out, info, `alert/info[${i + 1}]`));
  out.lines.push('</alert>', '');
  return { xml: out.lines.join('\n'), errors: out.errors };
}

// ---- the check: what is written must read back, without a remark, as what was given ----

/** Collection keys of the model and the element each item is written as. */
const ITEM_ELEMENT: Record<string, string> = {
  codes: 'code', infos: 'info', categories: 'category', responseTypes: 'responseType', eventCodes: 'eventCode', parameters: 'parameter',
  resources: 'resource', areas: 'area', polygons: 'polygon', circles: 'circle', geocodes: 'geocode',
};
/** Items compared as a whole value (one element each), not field by field. */
const WHOLE_ITEMS = new Set(['polygons', 'circles']);

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Numbers compare with ===, so -0 and 0 are the same coordinate. */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

function compare(given: Record<string, unknown>, read: Record<string, unknown>, path: string, out: CapError[]): void {
  for (const key of new Set([...Object.keys(given), ...Object.keys(read)])) {
    const [g, r] = [given[key], read[key]];
    if (Array.isArray(g) || Array.isArray(r)) {
      const [gs, rs] = [(g ?? []) as unknown[], (r ?? []) as unknown[]];
      const element = ITEM_ELEMENT[key];
      if (element === undefined) {
        // references: one element for the whole list.
        if (!same(gs, rs)) out.push({ element: `${path}/${key}`, message: `would read back as ${show(rs)} instead of ${show(gs)}` });
      } else if (gs.length !== rs.length) {
        out.push({ element: `${path}/${element}`, message: `${gs.length} given but ${rs.length} would read back` });
      } else {
        gs.forEach((item, i) => {
          const at = `${path}/${element}[${i + 1}]`;
          if (item && typeof item === 'object' && !Array.isArray(item) && !WHOLE_ITEMS.has(key)) compare(item as Record<string, unknown>, rs[i] as Record<string, unknown>, at, out);
          else if (!same(item, rs[i])) out.push({ element: at, message: `would read back as ${show(rs[i])} instead of ${show(item)}` });
        });
      }
    } else if (!same(g, r)) {
      out.push({ element: `${path}/${key}`, message: g === '' || g === undefined ? `is empty, and would read back as ${show(r)}` : `would read back as ${show(r)} instead of ${show(g)}` });
    }
  }
}

/**
 * Writes the alert and checks it with the reader: every problem `parseCap` reports (errors and
 * warnings alike: Anlan writes nothing its own reader remarks on), a character XML cannot carry,
 * and any field that would not read back as given. An empty list means `writeCap` will succeed.
 */
export function checkCap(alert: CapAlert): { xml: string; errors: CapError[] } {
  const given = normalise(alert);
  const { xml, errors } = serialise(given);
  if (errors.length > 0) return { xml, errors };
  const read = parseCap(xml);
  const problems = [...read.errors, ...read.warnings];
  if (problems.length === 0 && read.alert) compare(given as unknown as Record<string, unknown>, read.alert as unknown as Record<string, unknown>, 'alert', problems);
  return { xml, errors: problems };
}

/**
 * Serialises an alert as CAP 1.2 XML (UTF-8 declaration, the 1.2 namespace, the schema's element
 * order, absent optional elements left out, repeated elements as given). Text is trimmed, as every
 * reader trims it. Throws `CapWriteError`, listing `{ element, message }`, for an alert that would
 * not be valid: the checks are the reader's own (see `checkCap`), so one set of rules decides what
 * Anlan reads and what it writes.
 */
export function writeCap(alert: CapAlert): string {
  const { xml, errors } = checkCap(alert);
  if (errors.length > 0) throw new CapWriteError(errors);
  return xml;
}
