import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  CAP_CATEGORY, CAP_CERTAINTY, CAP_MSG_TYPE, CAP_NAMESPACES, CAP_RESPONSE_TYPE, CAP_SCOPE, CAP_SEVERITY, CAP_STATUS, CAP_URGENCY,
  type CapAlert, type CapArea, type CapError, type CapInfo, type CapParseResult, type CapResource, type CapValuePair, type CapVersion,
} from './types.ts';

/** Elements that may repeat: the parser must give arrays even when one is present. */
const REPEATED = new Set(['info', 'category', 'responseType', 'eventCode', 'parameter', 'resource', 'area', 'polygon', 'circle', 'geocode', 'code']);

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** Characters XML 1.0 allows (a reference to anything else is left as written). */
const isXmlChar = (c: number) => c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);

/** XML's five named entities and character references, nothing else (HTML names such as &nbsp; stay as written). */
function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|(amp|lt|gt|quot|apos));/g, (ref, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name];
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    return isXmlChar(code) ? String.fromCodePoint(code) : ref;
  });
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  // The parser's own decoder leaves character references (&#13; &#x1F600;) as text.
  entityDecoder: {
    decode: decodeXmlEntities,
    reset: () => undefined,
    setXmlVersion: () => undefined,
    // A DOCTYPE is refused before parsing, so a message never declares entities of its own.
    setExternalEntities: () => undefined,
    addInputEntities: () => undefined,
  },
  isArray: (name) => REPEATED.has(name),
});

/** CAP's DateTime: seconds precision and an explicit numeric offset ("Z" and fractions are not allowed). */
const CAP_DATETIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)[+-](\d\d):(\d\d)$/;
const FORBIDDEN_ID_CHARS = /[\s,<&]/;
/** xs:language (the schema type of `language`), e.g. zh-CN, en-US, zh-Hans-CN. */
const XS_LANGUAGE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;
/** xs:decimal: no exponent, no hexadecimal, no "Infinity". */
const XS_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const NON_NEGATIVE_INTEGER = /^\+?\d+$/;

/**
 * A CAP DateTime as the schema accepts it: the pattern plus xs:dateTime's own ranges (a real
 * calendar day, minutes and seconds below 60, 24:00:00 only as midnight, an offset within ±14:00).
 */
export function isCapDateTime(value: string): boolean {
  const m = CAP_DATETIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year < 1 || days === undefined || day < 1 || day > days) return false;
  if (minute > 59 || second > 59 || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60) return false;
  return hour < 24 || (hour === 24 && minute === 0 && second === 0);
}

// xs:anyURI as libxml2 (xmllint) checks it: characters an IRI or a sloppy URL may hold (spaces,
// non-ASCII, <>"{}|\^`') are first replaced, then the rest must parse as an RFC 3986 URI reference:
// "%" only before two hex digits, one "#", "[" "]" only around an IP literal host, a valid scheme.
const PCT = '%[0-9A-Fa-f]{2}';
const UNRESERVED_SUB = "A-Za-z0-9._~!$&'()*+,;=\\-";
const PCHAR = `(?:[${UNRESERVED_SUB}:@]|${PCT})`;
const PCHAR_NO_COLON = `(?:[${UNRESERVED_SUB}@]|${PCT})`;
const TAIL = `(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?`;
const AUTHORITY = `(?:(?:[${UNRESERVED_SUB}:]|${PCT})*@)?(?:\\[[${UNRESERVED_SUB}:]+\\]|(?:[${UNRESERVED_SUB}]|${PCT})*)(?::\\d*)?`;
const ABEMPTY = `(?:/${PCHAR}*)*`;
const ABSOLUTE_URI = new RegExp(`^[A-Za-z][A-Za-z0-9+.-]*:(?://${AUTHORITY}${ABEMPTY}|/?(?:${PCHAR}+${ABEMPTY})?)${TAIL}$`);
const RELATIVE_REF = new RegExp(`^(?://${AUTHORITY}${ABEMPTY}|/?(?:${PCHAR_NO_COLON}+${ABEMPTY})?)${TAIL}$`);
const IRI_ONLY_CHARS = /[^\x21-\x7e]|[<>"{}|\\^`']/g;

/** Whether `value` is a valid xs:anyURI; `absolute` also requires a scheme (CAP's `web`). */
export function isUri(value: string, absolute = false): boolean {
  const s = value.replace(IRI_ONLY_CHARS, '_');
  return ABSOLUTE_URI.test(s) || (!absolute && RELATIVE_REF.test(s));
}

type Node = Record<string, unknown>;

/** Reads the namespace of the root element from its start tag (the parser drops xmlns). */
function rootNamespace(xml: string): { name: string | null; ns: string | null } {
  const start = /<(?:([\w.-]+):)?([\w.-]+)(\s[^>]*)?>/.exec(xml.replace(/<\?[^>]*\?>|<!--[\s\S]*?-->/g, ''));
  if (!start) return { name: null, ns: null };
  const [, prefix, name, attrs = ''] = start;
  const nsAttr = new RegExp(`xmlns${prefix ? `:${prefix}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(attrs);
  return { name, ns: nsAttr ? nsAttr[1] : null };
}

class Reader {
  readonly errors: CapError[] = [];
  readonly warnings: CapError[] = [];

  text(node: Node, key: string, path: string, required: boolean): string | undefined {
    const raw = node[key];
    if (raw === undefined || raw === '') {
      if (required) this.errors.push({ element: `${path}/${key}`, message: 'is required' });
      return undefined;
    }
    if (typeof raw !== 'string') {
      this.errors.push({ element: `${path}/${key}`, message: Array.isArray(raw) ? 'may appear only once' : 'must be text, not nested elements' });
      return undefined;
    }
    return raw;
  }

  texts(node: Node, key: string, path: string): string[] {
    const raw = node[key];
    if (raw === undefined) return [];
    const list = Array.isArray(raw) ? raw : [raw];
    return list.flatMap((v, i) => {
      if (typeof v === 'string') return [v];
      this.errors.push({ element: `${path}/${key}[${i + 1}]`, message: 'must be text' });
      return [];
    });
  }

  oneOf(value: string | undefined, allowed: readonly string[], element: string): void {
    if (value !== undefined && !allowed.includes(value)) this.errors.push({ element, message: `must be one of ${allowed.join(', ')}, got "${value}"` });
  }

  dateTime(node: Node, key: string, path: string, required: boolean): string | undefined {
    const v = this.text(node, key, path, required);
    if (v === undefined) return undefined;
    if (!isCapDateTime(v)) {
      this.errors.push({ element: `${path}/${key}`, message: `must be a date-time with an explicit offset such as 2026-07-15T16:20:00+08:00 (CAP forbids "Z" and fractional seconds), got "${v}"` });
    }
    return v;
  }

  /** xs:decimal (altitude, ceiling) or, with `integer`, a byte count (size). */
  number(node: Node, key: string, path: string, integer = false): number | undefined {
    const v = this.text(node, key, path, false);
    if (v === undefined) return undefined;
    if (!(integer ? NON_NEGATIVE_INTEGER : XS_DECIMAL).test(v)) {
      this.errors.push({ element: `${path}/${key}`, message: `must be ${integer ? 'a whole number of bytes' : 'a decimal number (no exponent)'}, got "${v}"` });
      return undefined;
    }
    return Number(v);
  }

  uri(node: Node, key: string, path: string, absolute: boolean): string | undefined {
    const v = this.text(node, key, path, false);
    if (v !== undefined && !isUri(v)) this.errors.push({ element: `${path}/${key}`, message: `must be a URI (xs:anyURI), got "${v}"` });
    else if (v !== undefined && absolute && !isUri(v, true)) this.warnings.push({ element: `${path}/${key}`, message: `should be a full absolute URI such as https://…, got "${v}"` });
    return v;
  }

  nodes(node: Node, key: string, path: string): { node: Node; path: string }[] {
    const raw = node[key];
    if (raw === undefined) return [];
    const list = Array.isArray(raw) ? raw : [raw];
    return list.flatMap((v, i) => {
      const p = `${path}/${key}[${i + 1}]`;
      if (v && typeof v === 'object') return [{ node: v as Node, path: p }];
      if (v === '') return [{ node: {}, path: p }];
      this.errors.push({ element: p, message: 'must contain elements' });
      return [];
    });
  }

  pairs(node: Node, key: string, path: string): CapValuePair[] {
    return this.nodes(node, key, path).flatMap(({ node: n, path: p }) => {
      const valueName = this.text(n, 'valueName', p, true);
      const value = this.text(n, 'value', p, true) ?? '';
      return valueName === undefined ? [] : [{ valueName, value }];
    });
  }
}

function checkIdentifier(r: Reader, value: string | undefined, element: string): void {
  if (value !== undefined && FORBIDDEN_ID_CHARS.test(value)) r.errors.push({ element, message: 'must not contain spaces, commas, "<" or "&"' });
}

function readPolygon(r: Reader, text: string, element: string): [number, number][] | null {
  const pieces = text.trim().split(/\s+/).map((p) => p.split(','));
  const pairs = pieces.map((p) => p.map(Number));
  const bad = pieces.findIndex((p, i) => p.length !== 2 || !p.every((x) => XS_DECIMAL.test(x)) || Math.abs(pairs[i][0]) > 90 || Math.abs(pairs[i][1]) > 180);
  if (bad >= 0) {
    r.errors.push({ element, message: `point ${bad + 1} is not a "lat,lon" pair in WGS84 degrees` });
    return null;
  }
  if (pairs.length < 4) {
    r.errors.push({ element, message: `needs at least 4 "lat,lon" pairs (first repeated last), got ${pairs.length}` });
    return null;
  }
  const [first, last] = [pairs[0], pairs[pairs.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    r.errors.push({ element, message: 'is not closed: the first pair must be repeated as the last' });
    return null;
  }
  return pairs as [number, number][];
}

function readCircle(r: Reader, text: string, element: string): { lat: number; lon: number; radiusKm: number } | null {
  const m = /^\s*([^\s,]+)\s*,\s*([^\s,]+)\s+([^\s,]+)\s*$/.exec(text);
  const syntax = m !== null && XS_DECIMAL.test(m[1]) && XS_DECIMAL.test(m[2]) && XS_DECIMAL.test(m[3]) && !m[3].startsWith('-');
  const [lat, lon, radiusKm] = syntax ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  if (!syntax || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    r.errors.push({ element, message: `must be "lat,lon radius_km" in WGS84 degrees, got "${text}"` });
    return null;
  }
  return { lat, lon, radiusKm };
}

function readArea(r: Reader, node: Node, path: string): CapArea {
  const polygons = r.texts(node, 'polygon', path)
    .map((t, i) => readPolygon(r, t, `${path}/polygon[${i + 1}]`))
    .filter((p): p is [number, number][] => p !== null);
  const circles = r.texts(node, 'circle', path).flatMap((t, i) => readCircle(r, t, `${path}/circle[${i + 1}]`) ?? []);
  const altitude = r.number(node, 'altitude', path);
  const ceiling = r.number(node, 'ceiling', path);
  if (ceiling !== undefined && altitude === undefined) r.errors.push({ element: `${path}/ceiling`, message: 'may only be used with altitude' });
  return {
    areaDesc: r.text(node, 'areaDesc', path, true) ?? '',
    polygons,
    circles,
    geocodes: r.pairs(node, 'geocode', path),
    ...(altitude !== undefined ? { altitude } : {}),
    ...(ceiling !== undefined ? { ceiling } : {}),
  };
}

function readResource(r: Reader, node: Node, path: string): CapResource {
  const size = r.number(node, 'size', path, true);
  const uri = r.uri(node, 'uri', path, false);
  const optional = (k: 'derefUri' | 'digest') => {
    const v = r.text(node, k, path, false);
    return v === undefined ? {} : { [k]: v };
  };
  return {
    resourceDesc: r.text(node, 'resourceDesc', path, true) ?? '',
    mimeType: r.text(node, 'mimeType', path, true) ?? '',
    ...(size !== undefined ? { size } : {}),
    ...(uri !== undefined ? { uri } : {}),
    ...optional('derefUri'),
    ...optional('digest'),
  };
}

function readInfo(r: Reader, node: Node, path: string): CapInfo {
  const categories = r.texts(node, 'category', path);
  if (categories.length === 0) r.errors.push({ element: `${path}/category`, message: 'at least one is required' });
  categories.forEach((c, i) => r.oneOf(c, CAP_CATEGORY, `${path}/category[${i + 1}]`));
  const responseTypes = r.texts(node, 'responseType', path);
  responseTypes.forEach((c, i) => r.oneOf(c, CAP_RESPONSE_TYPE, `${path}/responseType[${i + 1}]`));
  const urgency = r.text(node, 'urgency', path, true);
  const severity = r.text(node, 'severity', path, true);
  const certainty = r.text(node, 'certainty', path, true);
  r.oneOf(urgency, CAP_URGENCY, `${path}/urgency`);
  r.oneOf(severity, CAP_SEVERITY, `${path}/severity`);
  // CAP 1.0's "Very Likely" is still seen in the wild; 1.2 replaced it by "Likely".
  r.oneOf(certainty, CAP_CERTAINTY, `${path}/certainty`);
  const language = r.text(node, 'language', path, false);
  if (language !== undefined && !XS_LANGUAGE.test(language)) r.errors.push({ element: `${path}/language`, message: `must be a language tag such as zh-CN or en-US, got "${language}"` });
  const web = r.uri(node, 'web', path, true);
  const optional = (k: 'audience' | 'senderName' | 'headline' | 'description' | 'instruction' | 'contact') => {
    const v = r.text(node, k, path, false);
    return v === undefined ? {} : { [k]: v };
  };
  const times = (['effective', 'onset', 'expires'] as const).reduce<Record<string, string>>((acc, k) => {
    const v = r.dateTime(node, k, path, false);
    if (v !== undefined) acc[k] = v;
    return acc;
  }, {});
  return {
    language: language ?? 'en-US',
    categories,
    event: r.text(node, 'event', path, true) ?? '',
    responseTypes,
    urgency: urgency ?? '',
    severity: severity ?? '',
    certainty: certainty ?? '',
    eventCodes: r.pairs(node, 'eventCode', path),
    ...times,
    ...optional('audience'),
    ...optional('senderName'),
    ...optional('headline'),
    ...optional('description'),
    ...optional('instruction'),
    ...(web !== undefined ? { web } : {}),
    ...optional('contact'),
    parameters: r.pairs(node, 'parameter', path),
    resources: r.nodes(node, 'resource', path).map(({ node: n, path: p }) => readResource(r, n, p)),
    areas: r.nodes(node, 'area', path).map(({ node: n, path: p }) => readArea(r, n, p)),
  };
}

function readReferences(r: Reader, text: string | undefined): CapAlert['references'] {
  if (text === undefined) return [];
  return text.trim().split(/\s+/).flatMap((triple, i) => {
    const parts = triple.split(',');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      r.errors.push({ element: 'alert/references', message: `entry ${i + 1} must be "sender,identifier,sent", got "${triple}"` });
      return [];
    }
    const [sender, identifier, sent] = parts;
    if (/[<&]/.test(sender + identifier)) r.errors.push({ element: 'alert/references', message: `entry ${i + 1}: sender and identifier must not contain "<" or "&"` });
    if (!isCapDateTime(sent)) r.errors.push({ element: 'alert/references', message: `entry ${i + 1}: the sent time must be a date-time with an explicit offset such as 2026-07-15T16:20:00+08:00, got "${sent}"` });
    return [{ sender, identifier, sent }];
  });
}

/** Reads the text of `references` (space-separated `sender,identifier,sent` triples) with the reader's checks. */
export function parseCapReferences(text: string): { references: CapAlert['references']; errors: CapError[] } {
  const r = new Reader();
  return { references: readReferences(r, text), errors: r.errors };
}

/**
 * Parses and checks a CAP message: everything the schema and the standard's prose require that a
 * reader can check (element presence and cardinality, enumerations, date-times and their calendar,
 * identifier characters, reference triples, polygon and circle syntax, language tags, decimals and
 * integers, URIs). Every problem is reported, each with its element path. `writeCap` uses these same
 * checks on what it writes, so they are the one definition of a valid alert in Anlan.
 */
export function parseCap(xml: string): CapParseResult {
  const r = new Reader();
  const fail = (element: string, message: string): CapParseResult => ({ alert: null, version: null, errors: [{ element, message }], warnings: [] });
  if (typeof xml !== 'string' || xml.trim() === '') return fail('alert', 'the message is empty');
  // A DTD can define entities that expand without bound or read local files; CAP never needs one.
  if (/<!DOCTYPE/i.test(xml)) return fail('alert', 'a DOCTYPE is not allowed in a CAP message');
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) return fail(`line ${wellFormed.err.line}, column ${wellFormed.err.col}`, `not well-formed XML: ${wellFormed.err.msg}`);

  const root = rootNamespace(xml);
  if (root.name !== 'alert') return fail(root.name ?? 'alert', `the root element must be <alert>, got <${root.name ?? '?'}>`);
  let version: CapVersion | null = null;
  for (const [v, ns] of Object.entries(CAP_NAMESPACES)) if (root.ns === ns) version = v as CapVersion;
  if (version === null) return fail('alert', `the namespace must be ${CAP_NAMESPACES['1.2']}, got ${root.ns ? `"${root.ns}"` : 'none'}`);
  if (version !== '1.2') r.warnings.push({ element: 'alert', message: `read as CAP ${version} (namespace ${root.ns}); Anlan writes CAP 1.2` });

  const doc = parser.parse(xml) as { alert?: Node | string };
  const alertNode: Node = typeof doc.alert === 'object' && doc.alert ? doc.alert : {};
  const path = 'alert';
  const identifier = r.text(alertNode, 'identifier', path, true);
  const sender = r.text(alertNode, 'sender', path, true);
  checkIdentifier(r, identifier, 'alert/identifier');
  checkIdentifier(r, sender, 'alert/sender');
  const sent = r.dateTime(alertNode, 'sent', path, true);
  const status = r.text(alertNode, 'status', path, true);
  const msgType = r.text(alertNode, 'msgType', path, true);
  const scope = r.text(alertNode, 'scope', path, true);
  r.oneOf(status, CAP_STATUS, 'alert/status');
  r.oneOf(msgType, CAP_MSG_TYPE, 'alert/msgType');
  r.oneOf(scope, CAP_SCOPE, 'alert/scope');
  const restriction = r.text(alertNode, 'restriction', path, false);
  const addresses = r.text(alertNode, 'addresses', path, false);
  if (scope === 'Restricted' && restriction === undefined) r.errors.push({ element: 'alert/restriction', message: 'is required when scope is Restricted' });
  if (scope === 'Private' && addresses === undefined) r.errors.push({ element: 'alert/addresses', message: 'is required when scope is Private' });
  const references = readReferences(r, r.text(alertNode, 'references', path, false));
  if ((msgType === 'Update' || msgType === 'Cancel') && references.length === 0) {
    r.warnings.push({ element: 'alert/references', message: `a ${msgType} should reference the message it replaces` });
  }
  const infos = r.nodes(alertNode, 'info', path).map(({ node, path: p }) => readInfo(r, node, p));
  const optional = (k: 'source' | 'note' | 'incidents') => {
    const v = r.text(alertNode, k, path, false);
    return v === undefined ? {} : { [k]: v };
  };
  if (r.errors.length > 0) return { alert: null, version, errors: r.errors, warnings: r.warnings };
  return {
    alert: {
      identifier: identifier!, sender: sender!, sent: sent!, status: status!, msgType: msgType!, scope: scope!,
      ...(restriction !== undefined ? { restriction } : {}),
      ...(addresses !== undefined ? { addresses } : {}),
      codes: r.texts(alertNode, 'code', path),
      ...optional('source'),
      ...optional('note'),
      ...optional('incidents'),
      references,
      infos,
    },
    version,
    errors: [],
    warnings: r.warnings,
  };
}
